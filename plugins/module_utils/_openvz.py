# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OpenVZ (legacy vzctl 4.x) backend client: argv, parsers, desired-state planning.

Private to the collection; runs on managed nodes (Python 3.7+, stdlib only)
and is reused by controller plugins (inventory, connection) for argv and
parsing. Facts about the tools come from the project's reference sheet
(``openvz.md``); the section numbers below point into it.

Layers, top to bottom:

* pure parsers: ``parse_vzlist_json`` (tolerant of the unescaped strings
  vzlist prints), ``parse_conf``, ``parse_status``; ``record_from_vzlist`` makes
  the common ``VE`` record and ``settings_from_vzlist`` the comparable settings;
* pure planning: ``desired_settings`` validates and canonicalises module
  options (raising ``OpenVZInputError`` before anything runs),
  ``compare_settings`` fills a ``Differ`` and returns the ``vzctl set`` values,
  ``plan_transitions`` gives the fewest lifecycle commands between two states;
* ``OpenVZClient``: builds argv with the ``ArgSpec`` tables and runs them
  through any executor (``_runner``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ._runner import ArgSpec, CommandError, Fmt, Runner
from ._units import (
    LONG_MAX, UNLIMITED, UnitError, format_count, format_pair, format_size, from_unit, parse_count,
    parse_cpu_percent, parse_cpu_units, parse_pair, parse_size, to_unit,
)
from ._ve import VE, AddressError, lifecycle_with, normalize_address, plan_through_running, split_addresses

# vzctl refuses CTIDs <= 100 (reserved) and above this (§1).
CTID_MIN = 101
CTID_MAX = 2147483644
# Allowed characters of a CT name (§1); an all-digit name would read as a CTID.
NAME_RE = re.compile(r'^[A-Za-z0-9 +_.-]+$')
HOSTNAME_RE = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$')
DEVNODE_RE = re.compile(r'^(?P<dev>[A-Za-z0-9_./+-]+):(?P<perm>[rwq]{1,3}|none)$')
FEATURE_NAMES = ('sysfs', 'nfs', 'sit', 'ipip', 'ppp', 'ipgre', 'bridge', 'nfsd')
CAP_RE = re.compile(r'^[a-z_]+$')

# vzlist status words (§6) -> common status.
STATUS_MAP = {'running': 'running', 'stopped': 'stopped', 'mounted': 'mounted', 'suspended': 'suspended'}

# UBC parameters (§4), by unit: *pages in 4 KiB pages, num* in items, the rest in bytes.
UBC_NAMES = ('kmemsize', 'lockedpages', 'privvmpages', 'shmpages', 'numproc', 'vmguarpages', 'oomguarpages',
             'numtcpsock', 'numflock', 'numpty', 'numsiginfo', 'tcpsndbuf', 'tcprcvbuf', 'othersockbuf',
             'dgramrcvbuf', 'numothersock', 'dcachesize', 'numfile', 'numiptent')
# Other vzctl set options extra_params may manage: each is shown by vzlist -j, so it can be compared.
EXTRA_SCALARS = {
    'netfilter': ('str', ('disabled', 'stateless', 'stateful', 'full')),
    'bootorder': ('int', None),
    'iolimit': ('int', None),
    'iopslimit': ('int', None),
    'vm_overcommit': ('float', None),
    'disabled': ('bool', None),
}
EXTRA_KEYS = UBC_NAMES + tuple(sorted(EXTRA_SCALARS))


class OpenVZInputError(ValueError):
    """A module option that vzctl would refuse or that cannot be compared."""


def ubc_unit(name):
    if name.endswith('pages'):
        return 'pages'
    if name.startswith('num'):
        return 'count'
    return 'bytes'


# ---------------------------------------------------------------------------
# Parsers (pure)
# ---------------------------------------------------------------------------

_JSON_STRING_LINE = re.compile(r'^(?P<head>\s*"[A-Za-z0-9_.]+": )"(?P<body>.*)"(?P<tail>,?)\s*$')


def parse_vzlist_json(text):
    """``vzlist -j`` output -> list of dicts.

    vzlist prints strings with ``printf("\\"%s\\"")``, unescaped (§6.3): a
    description with a quote or backslash makes the output invalid JSON. Each
    key sits on its own line, so such lines are re-escaped and parsed again.
    """
    text = text.strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        fixed = []
        for line in text.splitlines():
            m = _JSON_STRING_LINE.match(line)
            if m:
                line = m.group('head') + json.dumps(m.group('body')) + m.group('tail')
            fixed.append(line)
        try:
            data = json.loads('\n'.join(fixed))
        except ValueError as exc:
            raise ValueError('vzlist -j printed output that is not JSON: %s' % exc)
    if not isinstance(data, list):
        raise ValueError('vzlist -j printed %s, not a list' % type(data).__name__)
    return data


def parse_conf(text):
    """``CTID.conf`` (shell-style ``KEY="value"``, §7.1) -> dict; comments and junk ignored."""
    conf = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#') or '=' not in line:
            continue
        key, value = line.split('=', 1)
        key = key.strip()
        if not re.match(r'^[A-Z_][A-Z0-9_]*$', key):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = value[1:-1]
        conf[key] = value
    return conf


def parse_status(text):
    """``vzctl status`` line (§3.4) -> dict(ctid, exists, mounted, running, suspended)."""
    words = text.split()
    if len(words) < 5 or words[0] not in ('CTID', 'VEID'):
        raise ValueError('unexpected vzctl status output: %r' % text)
    return {'ctid': words[1], 'exists': words[2] == 'exist', 'mounted': words[3] == 'mounted',
            'running': words[4] == 'running', 'suspended': 'suspended' in words[5:]}


def _ubc_limit_bytes(obj, key):
    value = obj.get(key)
    if not isinstance(value, dict) or value.get('limit') is None:
        return None
    return from_unit(value['limit'], 'P')


def _disk_pair(obj, key, unit):
    value = obj.get(key)
    if not isinstance(value, dict) or value.get('softlimit') is None:
        return None
    soft, hard = value['softlimit'], value.get('hardlimit', value['softlimit'])
    if unit == 'K':
        return (from_unit(soft, 'K'), from_unit(hard, 'K'))
    return (parse_count(soft), parse_count(hard))


def record_from_vzlist(obj, node=None):
    """One ``vzlist -j`` object -> the common ``VE`` record (raw keeps the object)."""
    ips = obj.get('ip') or []
    v4, v6 = split_addresses([ip for ip in ips if _is_address(ip)])
    disk = _disk_pair(obj, 'diskspace', 'K')
    cpus = obj.get('cpus') or None
    return VE(
        'openvz', id='%s' % obj.get('ctid'), node=node, name=obj.get('name') or None,
        status=STATUS_MAP.get(obj.get('status'), 'unknown'), hostname=obj.get('hostname') or None,
        ipv4=v4, ipv6=v6, os=obj.get('ostemplate') or None, cpus=cpus,
        cpu_units=obj.get('cpuunits'), cpu_limit=obj.get('cpulimit'),
        memory=_ubc_limit_bytes(obj, 'physpages'), swap=_ubc_limit_bytes(obj, 'swappages'),
        disk=disk[0] if disk else None, onboot=obj.get('onboot'), raw=obj)


def _is_address(text):
    try:
        normalize_address(text)
    except AddressError:
        return False
    return True


def _addr_key(addr):
    """Addresses compare without their prefix length (vzlist may not show it)."""
    return normalize_address(addr).partition('/')[0]


def _onoff_map(value):
    """``{"nfs": true}`` (vzlist) or ``"nfs:on ppp:off"`` (conf) -> {name: bool}."""
    if isinstance(value, dict):
        return dict((k.lower(), bool(v)) for k, v in value.items())
    out = {}
    for item in re.split(r'[\s,]+', value or ''):
        if ':' in item:
            name, state = item.split(':', 1)
            out[name.lower()] = state == 'on'
    return out


def parse_devnodes(text):
    """``DEVNODES="net/tun:rw fuse:rw"`` -> {device: perms}."""
    out = {}
    for item in (text or '').split():
        dev, _sep, perm = item.rpartition(':')
        if dev:
            out[dev] = ''.join(sorted(perm))
    return out


def settings_from_vzlist(obj, conf=None):
    """The settings ``openvz_ve`` converges, read from a vzlist object (and the CT's conf)."""
    ips = [ip for ip in (obj.get('ip') or []) if _is_address(ip)]
    settings = {
        'name': obj.get('name') or None,
        'description': obj.get('description') or None,
        'hostname': obj.get('hostname') or None,
        'ip_addresses': [normalize_address(ip) for ip in ips],
        'nameservers': list(obj.get('nameserver') or []),
        'searchdomains': list(obj.get('searchdomain') or []),
        'onboot': obj.get('onboot'),
        'ram': _ubc_limit_bytes(obj, 'physpages'),
        'swap': _ubc_limit_bytes(obj, 'swappages'),
        'diskspace': _disk_pair(obj, 'diskspace', 'K'),
        'diskinodes': _disk_pair(obj, 'diskinodes', None),
        'cpus': obj.get('cpus') or None,
        'cpulimit': obj.get('cpulimit') or 0,
        'cpuunits': obj.get('cpuunits'),
        'ioprio': obj.get('ioprio'),
        'features': _onoff_map(obj.get('features')),
        'capabilities': _onoff_map(obj.get('capability')),
        'devnodes': parse_devnodes((conf or {}).get('DEVNODES')),
        'extra_params': {},
    }
    for key in EXTRA_KEYS:
        value = obj.get(key)
        if key in UBC_NAMES:
            if isinstance(value, dict) and value.get('barrier') is not None:
                settings['extra_params'][key] = (_native(value['barrier']), _native(value['limit']))
        else:
            settings['extra_params'][key] = value
    return settings


def _native(number):
    return UNLIMITED if number is None or number >= LONG_MAX else int(number)


# ---------------------------------------------------------------------------
# Desired settings (pure validation -> canonical values)
# ---------------------------------------------------------------------------

SETTING_KEYS = ('name', 'description', 'hostname', 'ip_addresses', 'nameservers', 'searchdomains', 'onboot',
                'ram', 'swap', 'diskspace', 'diskinodes', 'cpus', 'cpulimit', 'cpuunits', 'ioprio',
                'features', 'capabilities', 'devnodes', 'extra_params')


def validate_ctid(ctid):
    text = ('%s' % ctid).strip()
    if not text.isdigit():
        raise OpenVZInputError('ctid: %r is not a number (CT IDs are numbers above 100)' % (ctid,))
    number = int(text)
    if number < CTID_MIN:
        raise OpenVZInputError('ctid: %d is reserved (IDs up to 100 are for the system; use 101 or above)' % number)
    if number > CTID_MAX:
        raise OpenVZInputError('ctid: %d is above the maximum %d' % (number, CTID_MAX))
    return '%d' % number


def validate_name(name):
    if not NAME_RE.match(name) or name.strip() != name:
        raise OpenVZInputError("name: %r is not a valid vzctl name (letters, digits, space, '-', '+', '_', '.';"
                               " no leading or trailing space)" % (name,))
    if name.isdigit():
        raise OpenVZInputError('name: %r is all digits and would be read as a CT ID' % (name,))
    return name


def _list_of_words(values, what, check=None):
    out = []
    for value in values:
        text = ('%s' % value).strip()
        if not text or re.search(r'\s', text):
            raise OpenVZInputError('%s: %r is not a single word' % (what, value))
        if check:
            check(text)
        out.append(text)
    return out


def _check_nameserver(text):
    if text == 'inherit':
        return
    try:
        normalize_address(text)
    except AddressError:
        raise OpenVZInputError('nameservers: %r is not an IP address (or inherit)' % (text,))


def _check_searchdomain(text):
    if text != 'inherit' and not HOSTNAME_RE.match(text):
        raise OpenVZInputError('searchdomains: %r is not a domain name (or inherit)' % (text,))


def _onoff_option(value, what, allowed=None, name_re=None):
    if not isinstance(value, dict):
        raise OpenVZInputError('%s: expected a mapping of name to true/false' % what)
    out = {}
    for name, state in value.items():
        key = ('%s' % name).lower()
        if allowed and key not in allowed:
            raise OpenVZInputError('%s: unknown name %r (known: %s)' % (what, name, ', '.join(allowed)))
        if name_re and not name_re.match(key):
            raise OpenVZInputError('%s: %r is not a capability name' % (what, name))
        if not isinstance(state, bool):
            raise OpenVZInputError('%s: %s must be true or false, not %r' % (what, name, state))
        out[key] = state
    return out


def _extra_param(key, value):
    if key not in EXTRA_KEYS:
        raise OpenVZInputError('extra_params: %r is not a vzctl set option openvz_ve can compare '
                               '(supported: %s; ram and swap have their own options)' % (key, ', '.join(EXTRA_KEYS)))
    what = 'extra_params.%s' % key
    try:
        if key in UBC_NAMES:
            unit = ubc_unit(key)
            if unit == 'count':
                return parse_pair(value, parse_count, what=what)
            barrier, limit = parse_pair(value, parse_size, what=what)
            if unit == 'pages':
                return (to_unit(barrier, 'P', 'down'), to_unit(limit, 'P', 'down'))
            return (barrier, limit)
    except UnitError as exc:
        raise OpenVZInputError(str(exc))
    kind, choices = EXTRA_SCALARS[key]
    try:
        if kind == 'int':
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind == 'float':
            return float(value)
        if kind == 'bool':
            if not isinstance(value, bool):
                raise ValueError
            return value
    except (TypeError, ValueError):
        raise OpenVZInputError('%s: %r is not a%s %s' % (what, value, 'n' if kind == 'int' else '', kind))
    text = '%s' % value
    if choices and text not in choices:
        raise OpenVZInputError('%s: %r is not one of %s' % (what, value, ', '.join(choices)))
    return text


def desired_settings(params):
    """Module options -> canonical desired settings (``None`` = not managed).

    Raises ``OpenVZInputError`` with a message naming the option for anything
    vzctl would refuse or that could never compare equal.
    """
    want = dict((key, None) for key in SETTING_KEYS)
    try:
        if params.get('name') is not None:
            want['name'] = validate_name(params['name'])
        if params.get('description') is not None:
            if '\n' in params['description']:
                raise OpenVZInputError('description: must be a single line')
            want['description'] = params['description']
        if params.get('hostname') is not None:
            if not HOSTNAME_RE.match(params['hostname']):
                raise OpenVZInputError('hostname: %r is not a valid host name' % (params['hostname'],))
            want['hostname'] = params['hostname']
        if params.get('ip_addresses') is not None:
            seen, addrs = set(), []
            for item in params['ip_addresses']:
                try:
                    norm = normalize_address(item)
                except AddressError as exc:
                    raise OpenVZInputError('ip_addresses: %s' % exc)
                if _addr_key(norm) not in seen:
                    seen.add(_addr_key(norm))
                    addrs.append(norm)
            want['ip_addresses'] = addrs
        for key, check in (('nameservers', _check_nameserver), ('searchdomains', _check_searchdomain)):
            if params.get(key) is not None:
                if not params[key]:
                    raise OpenVZInputError('%s: give at least one entry (or inherit), or leave the option out' % key)
                want[key] = _list_of_words(params[key], key, check)
        if params.get('onboot') is not None:
            want['onboot'] = bool(params['onboot'])
        for key in ('ram', 'swap'):
            if params.get(key) is not None:
                # vzctl keeps memory in 4 KiB pages and rounds down (§4).
                size = parse_size(params[key], what=key)
                want[key] = size if size == UNLIMITED else from_unit(to_unit(size, 'P', 'down'), 'P')
        if params.get('diskspace') is not None:
            soft, hard = parse_pair(params['diskspace'], parse_size, what='diskspace')
            # Kept in 1 KiB blocks (§4).
            want['diskspace'] = tuple(v if v == UNLIMITED else from_unit(to_unit(v, 'K', 'down'), 'K')
                                      for v in (soft, hard))
        if params.get('diskinodes') is not None:
            want['diskinodes'] = parse_pair(params['diskinodes'], parse_count, what='diskinodes')
        if params.get('cpus') is not None:
            if params['cpus'] < 1:
                raise OpenVZInputError('cpus: %r must be 1 or more' % params['cpus'])
            want['cpus'] = params['cpus']
        if params.get('cpulimit') is not None:
            want['cpulimit'] = parse_cpu_percent(params['cpulimit'], what='cpulimit')
        if params.get('cpuunits') is not None:
            want['cpuunits'] = parse_cpu_units(params['cpuunits'], what='cpuunits')
        if params.get('ioprio') is not None:
            if not 0 <= params['ioprio'] <= 7:
                raise OpenVZInputError('ioprio: %r is outside 0..7' % params['ioprio'])
            want['ioprio'] = params['ioprio']
        if params.get('features') is not None:
            want['features'] = _onoff_option(params['features'], 'features', allowed=FEATURE_NAMES)
        if params.get('capabilities') is not None:
            want['capabilities'] = _onoff_option(params['capabilities'], 'capabilities', name_re=CAP_RE)
        if params.get('devnodes') is not None:
            devs = {}
            for item in params['devnodes']:
                m = DEVNODE_RE.match(('%s' % item).strip())
                if not m:
                    raise OpenVZInputError("devnodes: %r is not 'device:perms' (perms: r, w, q or none)" % (item,))
                if m.group('perm') != 'none':
                    devs[m.group('dev')] = ''.join(sorted(m.group('perm')))
            want['devnodes'] = devs
        if params.get('extra_params') is not None:
            extra = {}
            for key, value in params['extra_params'].items():
                key = ('%s' % key).lower().lstrip('-')
                extra[key] = _extra_param(key, value)
            want['extra_params'] = extra
    except UnitError as exc:
        raise OpenVZInputError(str(exc))
    return want


# ---------------------------------------------------------------------------
# Comparison -> vzctl set values
# ---------------------------------------------------------------------------

def _show_pair(pair, item):
    return None if pair is None else format_pair(pair, item)


def _size_arg(value):
    return format_size(value)


def _pair_arg(pair, item):
    return '%s:%s' % (item(pair[0]), item(pair[1]))


def compare_settings(differ, current, want):
    """Record every managed setting in ``differ``; return the ``vzctl set`` values for what differs.

    ``current`` is ``settings_from_vzlist(...)`` of the live CT, or ``None``
    when the CT does not exist yet (everything wanted is then a change).
    """
    cur = current or dict((key, None) for key in SETTING_KEYS)
    values = {}
    for key in ('name', 'description', 'hostname', 'onboot', 'cpus', 'cpulimit', 'cpuunits', 'ioprio'):
        if differ.compare(key, cur[key], want[key]):
            values[key] = want[key]
    if want['ip_addresses'] is not None:
        have = cur['ip_addresses'] or []
        have_keys = [_addr_key(a) for a in have]
        want_keys = [_addr_key(a) for a in want['ip_addresses']]
        shown_after = [a for a in have if _addr_key(a) in want_keys] + \
                      [a for a in want['ip_addresses'] if _addr_key(a) not in have_keys]
        if differ.compare('ip_addresses', have, shown_after, kind='set'):
            values['ipdel'] = [a.partition('/')[0] for a in have if _addr_key(a) not in want_keys]
            values['ipadd'] = [a for a in want['ip_addresses'] if _addr_key(a) not in have_keys]
    for key, arg in (('nameservers', 'nameserver'), ('searchdomains', 'searchdomain')):
        if differ.compare(key, cur[key], want[key], kind='list'):
            values[arg] = want[key]
    for key in ('ram', 'swap'):
        if differ.size(key, cur[key], want[key]):
            values[key] = _size_arg(want[key])
    if differ.compare('diskspace', cur['diskspace'], want['diskspace'],
                      render=lambda pair: _show_pair(pair, format_size)):
        values['diskspace'] = _pair_arg(want['diskspace'], format_size)
    if differ.compare('diskinodes', cur['diskinodes'], want['diskinodes'],
                      render=lambda pair: _show_pair(pair, format_count)):
        values['diskinodes'] = _pair_arg(want['diskinodes'], format_count)
    for key, arg in (('features', 'features'), ('capabilities', 'capability')):
        if want[key] is None:
            continue
        have = dict((name, (cur[key] or {}).get(name)) for name in want[key])
        if differ.compare(key, have, want[key]):
            values[arg] = ['%s:%s' % (name, 'on' if state else 'off')
                           for name, state in sorted(want[key].items()) if have[name] != state]
    if want['devnodes'] is not None:
        have = cur['devnodes'] or {}
        render = _render_devnodes
        if differ.compare('devnodes', have, want['devnodes'], render=render):
            values['devnodes'] = (['%s:%s' % (dev, perm) for dev, perm in sorted(want['devnodes'].items())
                                   if have.get(dev) != perm] +
                                  ['%s:none' % dev for dev in sorted(have) if dev not in want['devnodes']])
    if want['extra_params'] is not None:
        have = dict((key, (cur['extra_params'] or {}).get(key)) for key in want['extra_params'])
        if differ.compare('extra_params', have, want['extra_params'], render=_render_extra):
            for key, value in want['extra_params'].items():
                if have[key] != value:
                    values[key] = _extra_arg(key, value)
    return values


def _render_devnodes(devs):
    return sorted('%s:%s' % item for item in devs.items())


def _render_extra(params):
    out = {}
    for key, value in params.items():
        if isinstance(value, tuple):
            value = format_pair(value, format_count)
        out[key] = value
    return out


def _extra_arg(key, value):
    if isinstance(value, tuple):
        return '%s:%s' % (format_count(value[0]), format_count(value[1]))
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, float):
        return '%g' % value
    return '%s' % value


# ---------------------------------------------------------------------------
# Lifecycle planning (pure)
# ---------------------------------------------------------------------------

# Fewest vzctl commands from a current status to a target state (§3).
# 'start' restores a suspended CT from its dump (§3.2); stop leaves it unmounted (§3.3).
_TRANSITIONS = {
    ('stopped', 'started'): ['start'], ('mounted', 'started'): ['start'], ('suspended', 'started'): ['start'],
    ('running', 'stopped'): ['stop'], ('mounted', 'stopped'): ['umount'], ('suspended', 'stopped'): ['resume', 'stop'],
    ('running', 'mounted'): ['stop', 'mount'], ('stopped', 'mounted'): ['mount'],
    ('suspended', 'mounted'): ['resume', 'stop', 'mount'],
    ('running', 'suspended'): ['suspend'], ('stopped', 'suspended'): ['start', 'suspend'],
    ('mounted', 'suspended'): ['start', 'suspend'],
    ('running', 'restarted'): ['restart'], ('stopped', 'restarted'): ['start'], ('mounted', 'restarted'): ['start'],
    ('suspended', 'restarted'): ['resume', 'restart'],
    ('running', 'absent'): ['stop', 'destroy'], ('mounted', 'absent'): ['umount', 'destroy'],
    ('stopped', 'absent'): ['destroy'], ('suspended', 'absent'): ['destroy'],
}
# The status each target state leaves behind.
TARGET_STATUS = {'started': 'running', 'restarted': 'running', 'stopped': 'stopped', 'mounted': 'mounted',
                 'suspended': 'suspended', 'absent': 'absent'}
_STATUS_AS_TARGET = {'running': 'started', 'stopped': 'stopped', 'mounted': 'mounted', 'suspended': 'suspended'}


def plan_transitions(current, target):
    """Lifecycle commands from ``current`` status to ``target`` state ('present' = stay)."""
    if target == 'present' or current == TARGET_STATUS.get(target) and target != 'restarted':
        return []
    if current == 'absent':
        return []
    return list(_TRANSITIONS.get((current, target), []))


def plan_with_running(current, target):
    """(before, after) lifecycle commands around work done inside the running VE."""
    return plan_through_running(plan_transitions, current, target, _STATUS_AS_TARGET)


def plan_lifecycle(current, target, inside=None):
    """The lifecycle actions to run, with optional work inside the running VE (see ``_ve.lifecycle_with``)."""
    return lifecycle_with(plan_transitions, _STATUS_AS_TARGET, current, target, inside)


# ---------------------------------------------------------------------------
# argv tables and the client
# ---------------------------------------------------------------------------

# Every vzctl option the modules use, once (§3.1 create, §4 set).
_VZCTL_FORMATTERS = dict(
    ostemplate=Fmt.opt('--ostemplate'),
    config=Fmt.opt('--config'),
    layout=Fmt.opt('--layout'),
    private=Fmt.opt('--private'),
    root=Fmt.opt('--root'),
    name=Fmt.opt('--name'),
    description=Fmt.opt('--description'),
    hostname=Fmt.opt('--hostname'),
    ipdel=Fmt.repeat('--ipdel'),
    ipadd=Fmt.repeat('--ipadd'),
    nameserver=Fmt.repeat('--nameserver'),
    searchdomain=Fmt.repeat('--searchdomain'),
    onboot=Fmt.yes_no('--onboot'),
    ram=Fmt.opt('--ram'),
    swap=Fmt.opt('--swap'),
    diskspace=Fmt.opt('--diskspace'),
    diskinodes=Fmt.opt('--diskinodes'),
    cpus=Fmt.opt('--cpus'),
    cpulimit=Fmt.opt('--cpulimit'),
    cpuunits=Fmt.opt('--cpuunits'),
    ioprio=Fmt.opt('--ioprio'),
    features=Fmt.joined('--features'),
    capability=Fmt.joined('--capability'),
    devnodes=Fmt.repeat('--devnodes'),
)
for _key in EXTRA_KEYS:
    _VZCTL_FORMATTERS[_key] = Fmt.opt('--' + _key)
_VZCTL_FORMATTERS['setmode'] = Fmt.opt('--setmode')
_VZCTL_FORMATTERS['save'] = Fmt.flag('--save')
VZCTL_SPEC = ArgSpec(**_VZCTL_FORMATTERS)

# Options `create` accepts (§3.1), in argv order; the rest of a new CT's settings go in one `set --save`.
CREATE_ONLY_KEYS = ('ostemplate', 'config', 'layout', 'private', 'root')
CREATE_KEYS = ('diskspace', 'diskinodes', 'ipadd', 'hostname', 'name', 'description')
SET_ORDER = tuple(k for k in _VZCTL_FORMATTERS if k not in CREATE_ONLY_KEYS)

ACTION_SPEC = ArgSpec(wait=Fmt.flag('--wait'), fast=Fmt.flag('--fast'))

# Exit statuses that are not failures for an action, with the reason (§3).
OK_RCS = {'stop': (0,), 'mount': (0,)}


class OpenVZClient:
    """vzctl/vzlist through any executor; argv builders are usable without running anything."""

    def __init__(self, executor, timeout=300, lab_root=None):
        self.vzctl = Runner(executor, 'vzctl', VZCTL_SPEC, timeout=timeout, extra_dirs=['/usr/sbin'])
        self.vzlist = Runner(executor, 'vzlist', timeout=timeout, extra_dirs=['/usr/sbin'])
        # The lab's simulator keeps a node's files under VE_LAB_ROOT; on a real node it is unset.
        self.lab_root = lab_root if lab_root is not None else os.environ.get('VE_LAB_ROOT', '')

    # argv -------------------------------------------------------------------
    def list_argv(self, ctid=None, name=None):
        argv = [self.vzlist.binary or 'vzlist', '-a', '-j']
        if ctid is not None and name is None:
            argv.append(ctid)
        elif name is not None and ctid is None:
            argv.extend(['-N', name])
        return argv

    def create_argv(self, ctid, values):
        return self.vzctl.argv(['create', ctid], order=CREATE_ONLY_KEYS + CREATE_KEYS, **values)

    def set_argv(self, ctid, values):
        values = dict(values, save=True)
        return self.vzctl.argv(['set', ctid], order=SET_ORDER, **values)

    def action_argv(self, action, ctid, **opts):
        return [self.vzctl.binary or 'vzctl', action, ctid] + ACTION_SPEC.build_all([], opts)

    def exec2_argv(self, ctid, argv):
        return [self.vzctl.binary or 'vzctl', 'exec2', ctid] + list(argv)

    # reads ------------------------------------------------------------------
    def list(self, ctid=None, name=None):
        """Raw vzlist objects (all CTs, or the one asked for); one call."""
        argv = self.list_argv(ctid, name)
        # vzlist exits 1 when the CTs asked for do not exist, printing [] (§6).
        result = self.vzlist.run_argv(argv, ok_rcs=(0, 1), what='vzlist')
        try:
            data = parse_vzlist_json(result.stdout)
        except ValueError as exc:
            raise CommandError('vzlist: %s' % exc, cmd=argv, rc=result.rc,
                               stdout=result.stdout, stderr=result.stderr)
        if result.rc == 1 and data:
            raise CommandError('vzlist failed', cmd=argv, rc=1, stdout=result.stdout, stderr=result.stderr)
        return data

    def read_conf(self, ctid):
        """The CT's saved config (for keys vzlist does not show, such as DEVNODES); {} if missing."""
        path = os.path.join(self.lab_root or '/', 'etc/vz/conf/%s.conf' % ctid)
        try:
            with open(path) as handle:
                return parse_conf(handle.read())
        except (IOError, OSError):
            return {}

    # writes -----------------------------------------------------------------
    def run(self, argv, what, data=None, ok_rcs=(0,)):
        return self.vzctl.run_argv(argv, data=data, ok_rcs=ok_rcs, what=what)
