# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Solaris/illumos zones backend: parsers, the configuration model, zonecfg scripts, lifecycle plans.

Private to the collection; runs on managed nodes (Python 3.7+, stdlib only)
and is reused by controller plugins. Facts come from the project's reference
sheet ``zones.md`` (section numbers below point into it).

* ``parse_list_p`` reads ``zoneadm list -p`` lines of every release (7, 8 or
  9 fields, ``\\:`` in zonepaths);
* ``parse_export`` reads ``zonecfg export`` into a ``ZoneConfig`` (globals and
  resources in order); ``render_export`` writes one back in export's exact
  order and spelling (§4.5), so a predicted configuration can be shown as
  export text in check mode;
* ``view`` folds export's rctl blocks back into what users write
  (``cpu-shares``, capped-memory ``swap``, capped-cpu ``ncpus``...);
* ``plan_config`` compares desired resources and properties with a
  ``ZoneConfig`` and returns the smallest zonecfg script plus the predicted
  configuration; ``plan_lifecycle`` gives the zoneadm commands between states.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import re

from ._runner import CommandError, Runner
from ._units import UnitError, parse_size
from ._ve import VE, AddressError, normalize_address, split_addresses

ZONENAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')

# Global properties users set directly (module option name -> zonecfg name).
TOP_LEVEL = (('zonepath', 'zonepath'), ('brand', 'brand'), ('autoboot', 'autoboot'), ('ip_type', 'ip-type'),
             ('limitpriv', 'limitpriv'), ('bootargs', 'bootargs'), ('pool', 'pool'),
             ('scheduling_class', 'scheduling-class'), ('hostid', 'hostid'), ('fs_allowed', 'fs-allowed'))
GLOBAL_PROPS = ('zonepath', 'brand', 'autoboot', 'bootargs', 'pool', 'limitpriv', 'scheduling-class', 'ip-type',
                'hostid', 'fs-allowed')
# Global properties that zonecfg stores as rctls (§4.5 item 12): alias -> (rctl, priv, action, kind)
ALIASES = {
    'cpu-shares': ('zone.cpu-shares', 'privileged', 'none', 'count'),
    'max-lwps': ('zone.max-lwps', 'privileged', 'deny', 'count'),
    'max-processes': ('zone.max-processes', 'privileged', 'deny', 'count'),
    'max-msg-ids': ('zone.max-msg-ids', 'privileged', 'deny', 'count'),
    'max-sem-ids': ('zone.max-sem-ids', 'privileged', 'deny', 'count'),
    'max-shm-ids': ('zone.max-shm-ids', 'privileged', 'deny', 'count'),
    'max-shm-memory': ('zone.max-shm-memory', 'privileged', 'deny', 'size'),
}
# capped-memory swap/locked and capped-cpu ncpus are rctls too.
RESOURCE_ALIASES = {
    ('capped-memory', 'swap'): ('zone.max-swap', 'privileged', 'deny', 'size'),
    ('capped-memory', 'locked'): ('zone.max-locked-memory', 'privileged', 'deny', 'size'),
    ('capped-cpu', 'ncpus'): ('zone.cpu-cap', 'privileged', 'deny', 'cpucap'),
}
ALIAS_RCTLS = dict((v[0], ('global', k)) for k, v in ALIASES.items())
ALIAS_RCTLS.update(dict((v[0], key) for key, v in RESOURCE_ALIASES.items()))

SINGLE = ('capped-memory', 'capped-cpu', 'dedicated-cpu')
# Resource types listed by users, with the property that identifies an instance.
KEYED = {'fs': ('dir',), 'net': ('address', 'physical'), 'anet': ('linkname',), 'device': ('match',),
         'dataset': ('name',), 'rctl': ('name',), 'attr': ('name',), 'admin': ('user',),
         'inherit-pkg-dir': ('dir',)}
RESOURCE_TYPES = tuple(KEYED) + SINGLE
# Properties that are lists, and the word zonecfg uses to add one item.
LIST_PROPS = {'fs': 'options', 'rctl': 'value'}
SIZE_PROPS = {('capped-memory', 'physical'), ('capped-memory', 'swap'), ('capped-memory', 'locked')}
# Export order of resource blocks (§4.5 items 8-16), and the order of older zonecfg builds (Solaris 10 and
# the 7-field `list -p` era), which print inherit-pkg-dir first and capped-memory last.
EXPORT_ORDER = ('inherit-pkg-dir', 'fs', 'net', 'anet', 'device', 'capped-memory', 'rctl', 'attr', 'dataset',
                'dedicated-cpu', 'admin')
OLD_EXPORT_ORDER = ('inherit-pkg-dir', 'fs', 'net', 'device', 'rctl', 'attr', 'dataset', 'dedicated-cpu',
                    'capped-memory', 'admin')
# Property order inside export blocks (§4.5); others follow in the order they were set.
PROP_ORDER = {
    'fs': ('dir', 'special', 'raw', 'type'),
    'net': ('address', 'allowed-address', 'physical', 'defrouter'),
    'device': ('match',),
    'capped-memory': ('physical',),
    'rctl': ('name',),
    'attr': ('name', 'type', 'value'),
    'dataset': ('name',),
    'dedicated-cpu': ('ncpus', 'importance'),
    'admin': ('user', 'auths'),
}

# zoneadm states (§1) -> common status
STATUS_MAP = {'running': 'running', 'installed': 'stopped', 'configured': 'configured',
              'incomplete': 'incomplete', 'ready': 'transition', 'mounted': 'transition',
              'shutting_down': 'transition', 'down': 'transition', 'unavailable': 'unknown'}


class ZonesInputError(ValueError):
    """A module option zonecfg or zoneadm would refuse, or that cannot be compared."""


# ---------------------------------------------------------------------------
# zoneadm list -p
# ---------------------------------------------------------------------------

_UNESCAPED_COLON = re.compile(r'(?<!\\):')


def parse_list_p(text):
    """``zoneadm list -p`` -> list of dicts, whatever the release's field count (§2.3)."""
    zones = []
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = _UNESCAPED_COLON.split(line)
        if len(fields) < 7:
            raise ValueError('zoneadm list -p: too few fields in %r' % line)
        zone = {
            'zoneid': None if fields[0] == '-' else fields[0],
            'name': fields[1],
            'state': fields[2],
            'zonepath': fields[3].replace('\\:', ':'),
            'uuid': fields[4] or None,
            'brand': fields[5],
            'ip_type': 'exclusive' if fields[6] == 'excl' else fields[6],
            'extra': fields[7:],
        }
        zones.append(zone)
    return zones


# ---------------------------------------------------------------------------
# The configuration model and zonecfg export
# ---------------------------------------------------------------------------

class ZoneConfig:
    """Global properties and resources of one zone, in export order."""

    def __init__(self, globals_=None, resources=None):
        self.globals = dict(globals_ or {})
        self.resources = list(resources or [])

    def copy(self):
        return ZoneConfig(copy.deepcopy(self.globals), copy.deepcopy(self.resources))

    def of_type(self, rtype):
        return [r for r in self.resources if r['type'] == rtype]

    def rctl(self, name):
        for res in self.of_type('rctl'):
            if res['props'].get('name') == name:
                return res
        return None


def _new_resource(rtype):
    return {'type': rtype, 'props': {}, 'lists': {}}


def _unquote(value):
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse_export(text):
    """``zonecfg -z Z export`` -> ZoneConfig."""
    config = ZoneConfig()
    current = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        word, _sep, rest = line.partition(' ')
        if word == 'create':
            continue
        if word == 'set':
            prop, eq, value = rest.partition('=')
            if not eq:
                raise ValueError('zonecfg export line %d: %r' % (lineno, raw))
            target = current['props'] if current is not None else config.globals
            target[prop.strip()] = _unquote(value.strip())
        elif word == 'add' and current is None:
            current = _new_resource(rest.strip())
        elif word == 'add':
            prop, _sep, value = rest.partition(' ')
            current['lists'].setdefault(prop, []).append(_unquote(value.strip()))
        elif word == 'end' and current is not None:
            config.resources.append(current)
            current = None
        else:
            raise ValueError('zonecfg export line %d: unexpected %r' % (lineno, raw))
    if current is not None:
        raise ValueError('zonecfg export: resource %r not ended' % current['type'])
    return config


def _quote(value):
    return '"%s"' % value if ' ' in value else value


def bytes_to_units(number):
    """zonecfg's scaled rendering (§4.5): 512M, 2G, 1.5G; below 1024 bare."""
    units = ('B', 'K', 'M', 'G', 'T')
    if number < 1024:
        return '%d' % number
    value, index = float(number), 0
    while value >= 1024 and index < len(units) - 1:
        value /= 1024
        index += 1
    if value == int(value):
        return '%d%s' % (int(value), units[index])
    if value < 10:
        return '%.1f%s' % (int(value * 10) / 10.0, units[index])
    return '%d%s' % (int(value), units[index])


def render_export(config, old=False):
    """ZoneConfig -> export text, in §4.5's order and spelling (``old``: an older zonecfg's block order)."""
    g = config.globals
    lines = ['create -b']
    if g.get('zonepath'):
        lines.append('set zonepath=%s' % g['zonepath'])
    if g.get('brand') and g['brand'] != 'native':
        lines.append('set brand=%s' % g['brand'])
    lines.append('set autoboot=%s' % (g.get('autoboot') or 'false'))
    for prop in ('bootargs', 'pool', 'limitpriv', 'scheduling-class'):
        if g.get(prop):
            lines.append('set %s=%s' % (prop, g[prop]))
    lines.append('set ip-type=%s' % (g.get('ip-type') or 'shared'))
    for prop in ('hostid', 'fs-allowed'):
        if g.get(prop):
            lines.append('set %s=%s' % (prop, g[prop]))
    for rtype in OLD_EXPORT_ORDER if old else EXPORT_ORDER:
        for res in config.of_type(rtype):
            lines.append('add %s' % rtype)
            order = PROP_ORDER.get(rtype, ())
            props = [p for p in order if res['props'].get(p)] + \
                    [p for p in res['props'] if p not in order and res['props'][p]]
            for prop in props:
                lines.append('set %s=%s' % (prop, _quote(res['props'][prop])))
            for prop, items in res['lists'].items():
                for item in items:
                    lines.append('add %s %s' % (prop, '"%s"' % item if '=' in item and prop == 'options' else item))
            lines.append('end')
    return '\n'.join(lines) + '\n'


# ---------------------------------------------------------------------------
# What users write <-> what export holds
# ---------------------------------------------------------------------------

def _rctl_limit(res):
    """The limit of an rctl's first value ``(priv=..,limit=N,action=..)``."""
    for value in res['lists'].get('value', []):
        m = re.search(r'limit=([0-9.]+)', value)
        if m:
            return m.group(1)
    return None


def _rctl_value(priv, limit, action):
    return '(priv=%s,limit=%s,action=%s)' % (priv, limit, action)


def view(config):
    """A ZoneConfig as users write it: {'properties': {...}, 'resources': {type: dict or [dicts]}}.

    Aliased rctls become the properties/resource properties they stand for;
    values stay as zonecfg text.
    """
    props = dict(config.globals)
    resources = {}
    for res in config.resources:
        rtype = res['type']
        if rtype == 'rctl' and res['props'].get('name') in ALIAS_RCTLS:
            where, prop = ALIAS_RCTLS[res['props']['name']]
            limit = _rctl_limit(res)
            if where == 'global':
                props[prop] = limit
            else:
                if prop == 'ncpus' and limit is not None:
                    limit = _cap_to_ncpus(limit)
                resources.setdefault(where, {})[prop] = limit
            continue
        item = dict(res['props'])
        for prop, items in res['lists'].items():
            item[prop] = list(items)
        if rtype in SINGLE:
            resources.setdefault(rtype, {}).update(item)
        else:
            resources.setdefault(rtype, []).append(item)
    return {'properties': props, 'resources': resources}


def _cap_to_ncpus(limit):
    value = int(float(limit)) / 100.0
    return ('%.2f' % value).rstrip('0').rstrip('.') if value != int(value) else '%d' % int(value)


# ---------------------------------------------------------------------------
# Normalisation of values for comparison
# ---------------------------------------------------------------------------

def _norm(rtype, prop, value):
    """Comparable form of one property value (sizes in bytes, addresses canonical, lists as lists)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_norm(rtype, prop, v) for v in value]
    text = ('%s' % value).strip()
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if (rtype, prop) in SIZE_PROPS or (rtype is None and prop == 'max-shm-memory'):
        try:
            return parse_size(text, what='%s %s' % (rtype or 'property', prop))
        except UnitError as exc:
            raise ZonesInputError(str(exc))
    if prop in ('address', 'allowed-address', 'defrouter') and rtype in ('net', 'anet'):
        try:
            return normalize_address(text)
        except AddressError as exc:
            raise ZonesInputError('%s %s: %s' % (rtype, prop, exc))
    if prop == 'ncpus' and rtype == 'capped-cpu':
        try:
            return round(float(text), 2)
        except ValueError:
            raise ZonesInputError('capped-cpu ncpus: %r is not a number of CPUs' % value)
    if prop == 'ip-type' and text == 'excl':
        return 'exclusive'
    if prop == 'autoboot':
        return text.lower()
    return text


def _render_value(rtype, prop, value):
    """A desired value as zonecfg takes it."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if (rtype, prop) in SIZE_PROPS or (rtype is None and prop == 'max-shm-memory'):
        return bytes_to_units(parse_size(('%s' % value).strip()))
    return ('%s' % value).strip()


def _key_of(rtype, item):
    """The identifying (property, value) of a resource instance, or None."""
    for prop in KEYED.get(rtype, ()):
        if item.get(prop) not in (None, ''):
            return prop, _norm(rtype, prop, item[prop])
    return None


def validate_zonename(name):
    if not name or len(name) >= 64 or not ZONENAME_RE.match(name):
        raise ZonesInputError("name: %r is not a valid zone name (letters, digits, '-', '_', '.', starting with a "
                              "letter or digit, under 64 characters)" % (name,))
    if name == 'global' or name.startswith('SUNW'):
        raise ZonesInputError('name: %r is reserved' % (name,))
    return name


def desired_config(params):
    """Module options -> {'properties': {zonecfg name: value}, 'resources': {type: dict or list}} (validated)."""
    props = {}
    for option, prop in TOP_LEVEL:
        if params.get(option) is not None:
            props[prop] = params[option]
    for prop, value in (params.get('properties') or {}).items():
        prop = ('%s' % prop).replace('_', '-')
        if prop in ('zonename',):
            raise ZonesInputError('properties: zonename is the module option name')
        if prop in props:
            raise ZonesInputError('properties: %s is given twice (as an option and in properties)' % prop)
        props[prop] = value
    if props.get('ip-type') not in (None, 'shared', 'exclusive'):
        raise ZonesInputError("ip_type: %r is not shared or exclusive" % props['ip-type'])
    if props.get('zonepath') is not None and not ('%s' % props['zonepath']).startswith('/'):
        raise ZonesInputError('zonepath: %r must be an absolute path' % props['zonepath'])
    if props.get('hostid') is not None and not re.match(r'^(0x)?[0-9A-Fa-f]{1,8}$', '%s' % props['hostid']):
        raise ZonesInputError('hostid: %r is not a hexadecimal host ID' % props['hostid'])
    for prop, value in props.items():
        if prop in ALIASES and ALIASES[prop][3] == 'count' and not ('%s' % value).isdigit():
            raise ZonesInputError('%s: %r is not a whole number' % (prop, value))
        _norm(None, prop, value)
    resources = {}
    for rtype, value in (params.get('resources') or {}).items():
        if rtype not in RESOURCE_TYPES:
            raise ZonesInputError('resources: unknown resource type %r (known: %s)'
                                  % (rtype, ', '.join(sorted(RESOURCE_TYPES))))
        if rtype in SINGLE:
            if not isinstance(value, dict):
                raise ZonesInputError('resources.%s: give one mapping of properties' % rtype)
            items = [value]
        else:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ZonesInputError('resources.%s: give a list of mappings of properties' % rtype)
            items = value
        clean = []
        seen = set()
        for item in items:
            item = dict((('%s' % k).replace('_', '-'), v) for k, v in item.items())
            for prop, val in item.items():
                _norm(rtype, prop, val)
            if rtype not in SINGLE:
                key = _key_of(rtype, item)
                if key is None:
                    raise ZonesInputError('resources.%s: each entry needs %s' % (rtype, ' or '.join(KEYED[rtype])))
                if key in seen:
                    raise ZonesInputError('resources.%s: %s=%s is given twice' % (rtype, key[0], item[key[0]]))
                seen.add(key)
            clean.append(item)
        resources[rtype] = clean[0] if rtype in SINGLE else clean
    _check_net(props, resources)
    return {'properties': props, 'resources': resources}


def _check_net(props, resources):
    ip_type = props.get('ip-type')
    for item in resources.get('net', []):
        if ip_type == 'exclusive' and item.get('address'):
            raise ZonesInputError('resources.net: address cannot be specified for an exclusive IP type '
                                  '(use allowed-address)')
        if ip_type == 'shared' and item.get('allowed-address'):
            raise ZonesInputError('resources.net: allowed-address cannot be specified for a shared IP type')


# ---------------------------------------------------------------------------
# Planning a configuration change
# ---------------------------------------------------------------------------

class ConfigPlan:
    """The zonecfg script lines for a change, and the predicted configuration."""

    def __init__(self, config):
        self.before = config
        self.after = config.copy()
        # after.resources[i] is the copy of config.resources[i] until the plan edits the list.
        self._twins = list(self.after.resources)
        self.script = []
        self.changed_keys = []

    def twin(self, res):
        """The predicted copy of one of the original configuration's resources."""
        for index, original in enumerate(self.before.resources):
            if original is res:
                return self._twins[index]
        raise KeyError(res['type'])

    def remove(self, res):
        self.after.resources.remove(self.twin(res))

    def line(self, text):
        self.script.append(text)


def _set_alias(plan, alias, value, rtype=None):
    """Record a change of an aliased value into the predicted rctl block."""
    rctl, priv, action, kind = ALIASES[alias] if rtype is None else RESOURCE_ALIASES[(rtype, alias)]
    if kind == 'size':
        limit = '%d' % parse_size('%s' % value)
    elif kind == 'cpucap':
        limit = '%d' % int(round(float(value) * 100))
    else:
        limit = ('%s' % value).strip()
    res = plan.after.rctl(rctl)
    if res is None:
        res = _new_resource('rctl')
        res['props']['name'] = rctl
        plan.after.resources.append(res)
    res['lists']['value'] = [_rctl_value(priv, limit, action)]


def plan_config(config, want, purge=False, new=False):
    """Compare ``want`` (from ``desired_config``) with ``config``; return a ConfigPlan.

    ``new`` starts from ``create -b``. Each differing global property is one
    ``set``; a single-instance resource is added or selected; a listed
    resource is matched by its key and added, changed with ``select … end``,
    or (with ``purge``) removed when not wanted.
    """
    plan = ConfigPlan(config)
    have = view(config)
    if new:
        plan.line('create -b')
    for prop, value in want['properties'].items():
        current = have['properties'].get(prop)
        if _norm(None, prop, current) == _norm(None, prop, value):
            continue
        rendered = _render_value(None, prop, value)
        plan.line('set %s=%s' % (prop, rendered))
        plan.changed_keys.append(prop)
        if prop in ALIASES:
            _set_alias(plan, prop, value)
        else:
            plan.after.globals[prop] = rendered
    for rtype in want['resources']:
        if rtype in SINGLE:
            _plan_single(plan, have, rtype, want['resources'][rtype])
        else:
            _plan_keyed(plan, config, rtype, want['resources'][rtype], purge)
    if purge:
        wanted_aliases = set(a for a in want['properties'] if a in ALIASES)
        for res in list(config.resources):
            rtype = res['type']
            if rtype in SINGLE and rtype not in want['resources']:
                plan.line('remove -F %s' % rtype)
                plan.remove(res)
                plan.changed_keys.append(rtype)
            elif rtype not in SINGLE and rtype not in want['resources']:
                name = res['props'].get('name')
                if rtype == 'rctl' and name in ALIAS_RCTLS:
                    where = ALIAS_RCTLS[name]
                    if where[0] == 'global' and where[1] in wanted_aliases:
                        continue
                    if where[0] != 'global' and where[0] in want['resources']:
                        continue
                key = _key_of(rtype, res['props'])
                plan.line('remove %s %s=%s' % (rtype, key[0], _quote(res['props'][key[0]])) if key
                          else 'remove -F %s' % rtype)
                plan.remove(res)
                plan.changed_keys.append(rtype)
    return plan


def _plan_single(plan, have, rtype, want_props):
    current = have['resources'].get(rtype) or {}
    exists = any(r['type'] == rtype for r in plan.after.resources)
    block = []
    for prop, value in want_props.items():
        if _norm(rtype, prop, current.get(prop)) == _norm(rtype, prop, value):
            continue
        block.append('set %s=%s' % (prop, _render_value(rtype, prop, value)))
        if (rtype, prop) in RESOURCE_ALIASES:
            _set_alias(plan, prop, value, rtype)
        else:
            res = next((r for r in plan.after.resources if r['type'] == rtype), None)
            if res is None:
                res = _new_resource(rtype)
                plan.after.resources.append(res)
            res['props'][prop] = _render_value(rtype, prop, value)
    if block:
        plan.line('%s %s' % ('select' if exists else 'add', rtype))
        plan.script.extend(block)
        plan.line('end')
        plan.changed_keys.append(rtype)


def _plan_keyed(plan, config, rtype, wanted, purge):
    # rctls that stand for properties (cpu-shares, capped-memory swap...) are managed through those.
    existing = [r for r in config.of_type(rtype) if not (rtype == 'rctl' and r['props'].get('name') in ALIAS_RCTLS)]
    matched = set()
    list_prop = LIST_PROPS.get(rtype)
    for item in wanted:
        key = _key_of(rtype, item)
        found = None
        for index, res in enumerate(existing):
            if index not in matched and _key_of(rtype, res['props']) == key:
                found = res
                matched.add(index)
                break
        if found is None:
            res = _new_resource(rtype)
            plan.line('add %s' % rtype)
            for prop, value in item.items():
                if prop == list_prop:
                    for entry in _as_list(value):
                        plan.line('add %s %s' % (prop, _list_item(prop, entry)))
                    res['lists'][prop] = [('%s' % v) for v in _as_list(value)]
                else:
                    plan.line('set %s=%s' % (prop, _quote(_render_value(rtype, prop, value))))
                    res['props'][prop] = _render_value(rtype, prop, value)
            plan.line('end')
            plan.after.resources.append(res)
            plan.changed_keys.append(rtype)
            continue
        block = []
        target = plan.twin(found)
        for prop, value in item.items():
            if prop == list_prop:
                have_list = found['lists'].get(prop, [])
                want_list = [('%s' % v) for v in _as_list(value)]
                if have_list != want_list:
                    block.extend('remove %s %s' % (prop, _list_item(prop, v)) for v in have_list)
                    block.extend('add %s %s' % (prop, _list_item(prop, v)) for v in want_list)
                    target['lists'][prop] = want_list
            elif _norm(rtype, prop, found['props'].get(prop)) != _norm(rtype, prop, value):
                block.append('set %s=%s' % (prop, _quote(_render_value(rtype, prop, value))))
                target['props'][prop] = _render_value(rtype, prop, value)
        if block:
            plan.line('select %s %s=%s' % (rtype, key[0], _quote(found['props'][key[0]])))
            plan.script.extend(block)
            plan.line('end')
            plan.changed_keys.append(rtype)
            # zonecfg re-adds a selected resource at `end`: it is exported last of its type.
            plan.after.resources.remove(target)
            plan.after.resources.append(target)
    if purge:
        for index, res in enumerate(existing):
            if index not in matched:
                key = _key_of(rtype, res['props'])
                plan.line('remove %s %s=%s' % (rtype, key[0], _quote(res['props'][key[0]])))
                plan.remove(res)
                plan.changed_keys.append(rtype)


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _list_item(prop, value):
    text = '%s' % value
    if prop == 'options' and '=' in text:
        return '"%s"' % text
    return text


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------

# Shortest zoneadm paths between states (§1, §3). 'detached' is a configured zone
# whose zonepath holds a detached zone; 'stopped' is installed and not running.
_LIFECYCLE = {
    ('configured', 'installed'): ['install'], ('configured', 'stopped'): ['install'],
    ('configured', 'running'): ['install', 'boot'],
    ('installed', 'running'): ['boot'], ('installed', 'configured'): ['uninstall'],
    ('installed', 'detached'): ['detach'], ('installed', 'absent'): ['uninstall', 'delete'],
    ('running', 'stopped'): ['halt'], ('running', 'configured'): ['halt', 'uninstall'],
    ('running', 'detached'): ['halt', 'detach'], ('running', 'absent'): ['halt', 'uninstall', 'delete'],
    ('ready', 'running'): ['boot'], ('ready', 'stopped'): ['halt'], ('ready', 'configured'): ['halt', 'uninstall'],
    ('ready', 'detached'): ['halt', 'detach'], ('ready', 'absent'): ['halt', 'uninstall', 'delete'],
    ('ready', 'installed'): [],
    ('incomplete', 'configured'): ['uninstall'], ('incomplete', 'installed'): ['uninstall', 'install'],
    ('incomplete', 'stopped'): ['uninstall', 'install'], ('incomplete', 'running'): ['uninstall', 'install', 'boot'],
    ('incomplete', 'absent'): ['uninstall', 'delete'], ('incomplete', 'detached'): ['uninstall', 'install', 'detach'],
    ('configured', 'absent'): ['delete'], ('configured', 'detached'): ['install', 'detach'],
    ('detached', 'attached'): ['attach'], ('detached', 'installed'): ['attach'], ('detached', 'stopped'): ['attach'],
    ('detached', 'running'): ['attach', 'boot'], ('detached', 'absent'): ['delete'],
    ('detached', 'configured'): [],
    ('unavailable', 'attached'): ['attach'], ('unavailable', 'installed'): ['attach'],
    ('unavailable', 'stopped'): ['attach'], ('unavailable', 'running'): ['attach', 'boot'],
    ('unavailable', 'configured'): ['uninstall'], ('unavailable', 'absent'): ['uninstall', 'delete'],
    ('unavailable', 'detached'): ['attach', 'detach'],
}
# Which current states already satisfy a target.
SATISFIES = {
    'configured': ('configured', 'detached'),
    'installed': ('installed', 'running', 'ready'),
    'attached': ('installed', 'running', 'ready'),
    'stopped': ('installed',),
    'running': ('running',),
    'detached': ('detached',),
    'absent': ('absent',),
}


def plan_lifecycle(current, target):
    """zoneadm subcommands from ``current`` (a zone state, 'detached' or 'absent') to ``target``.

    Raises ZonesInputError for a path that does not exist (for example
    attaching a zone that was never detached).
    """
    if current in SATISFIES.get(target, ()):
        return []
    if (current, target) in _LIFECYCLE:
        return list(_LIFECYCLE[(current, target)])
    if target == 'attached' and current == 'configured':
        raise ZonesInputError('cannot attach: the zone is configured but its zonepath holds no detached zone')
    if target == 'attached' and current == 'incomplete':
        raise ZonesInputError('cannot attach an incomplete zone (an interrupted install); use state=installed '
                              'to reinstall it')
    raise ZonesInputError('no way from state %s to %s' % (current, target))


# ---------------------------------------------------------------------------
# The common VE record
# ---------------------------------------------------------------------------

def record_from_zone(listed, config=None, node=None):
    """A ``parse_list_p`` entry (and its ZoneConfig) -> the common VE record."""
    v = view(config) if config is not None else {'properties': {}, 'resources': {}}
    res = v['resources']
    addresses = []
    for rtype in ('net', 'anet'):
        for item in res.get(rtype, []):
            for prop in ('address', 'allowed-address'):
                if item.get(prop):
                    addresses.append(item[prop])
    good = []
    for addr in addresses:
        try:
            good.append(normalize_address(addr))
        except AddressError:
            continue
    v4, v6 = split_addresses(good)
    memory = (res.get('capped-memory') or {}).get('physical')
    swap = (res.get('capped-memory') or {}).get('swap')
    cap = (res.get('capped-cpu') or {}).get('ncpus')
    dedicated = (res.get('dedicated-cpu') or {}).get('ncpus')
    shares = v['properties'].get('cpu-shares')
    autoboot = v['properties'].get('autoboot')
    raw = {'list': listed}
    if config is not None:
        raw['config'] = v
    return VE(
        'zones', id=listed['name'], node=node, name=listed['name'],
        status=STATUS_MAP.get(listed['state'], 'unknown'), hostname=None, ipv4=v4, ipv6=v6,
        os=listed.get('brand'),
        cpus=int(dedicated.split('-')[-1]) if dedicated and dedicated.split('-')[-1].isdigit() else None,
        cpu_units=int(shares) if shares and shares.isdigit() else None,
        cpu_limit=int(round(float(cap) * 100)) if cap else None,
        memory=_size_or_none(memory), swap=_size_or_none(swap), disk=None,
        onboot=None if autoboot is None else autoboot == 'true', raw=raw)


def _size_or_none(text):
    if text is None:
        return None
    try:
        return parse_size(text)
    except UnitError:
        return None


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------

class ZonesClient:
    """zoneadm/zonecfg through any executor; argv builders usable without running anything."""

    def __init__(self, executor, timeout=600, lab_root=None):
        dirs = ['/usr/sbin']
        self.zoneadm = Runner(executor, 'zoneadm', timeout=timeout, extra_dirs=dirs)
        self.zonecfg = Runner(executor, 'zonecfg', timeout=timeout, extra_dirs=dirs)
        self.zlogin = executor.find_binary('zlogin', dirs)
        # The lab's simulator keeps a node's files under VE_LAB_ROOT; on a real node it is unset.
        self.lab_root = lab_root if lab_root is not None else os.environ.get('VE_LAB_ROOT', '')

    def path_on_node(self, path):
        """A path of the global zone as this process reaches it."""
        if not self.lab_root:
            return path
        return os.path.join(self.lab_root, path.lstrip('/'))

    def list_argv(self, name=None):
        head = [self.zoneadm.binary or 'zoneadm']
        return head + (['-z', name, 'list', '-p'] if name else ['list', '-cp'])

    def export_argv(self, name):
        return [self.zonecfg.binary or 'zonecfg', '-z', name, 'export']

    def zonecfg_file_argv(self, name, path):
        return [self.zonecfg.binary or 'zonecfg', '-z', name, '-f', path]

    def zlogin_argv(self, name, argv):
        """``zlogin ZONE ARGV...`` (non-interactive: the zone's shell runs the joined arguments)."""
        return [self.zlogin or 'zlogin', name] + list(argv)

    def zoneadm_argv(self, name, subcommand, *args):
        return [self.zoneadm.binary or 'zoneadm', '-z', name, subcommand] + list(args)

    def list(self):
        result = self.zoneadm.run_argv(self.list_argv(), what='zoneadm list')
        try:
            return parse_list_p(result.stdout)
        except ValueError as exc:
            raise CommandError('zoneadm list: %s' % exc, cmd=result.cmd, rc=result.rc,
                               stdout=result.stdout, stderr=result.stderr)

    def export(self, name):
        result = self.zonecfg.run_argv(self.export_argv(name), what='zonecfg export of zone %s' % name)
        return parse_export(result.stdout)
