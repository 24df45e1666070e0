# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Zone configurations for the zones simulator: the model, its XML file and the tables behind it.

Authority: /work/shared/reference/zones.md (cited as "zones.md §N"); where the
sheet is silent the code follows illumos zonecfg.c/libzonecfg.c, and guesses
are marked UNCONFIRMED.

* ``Release``: what differs between Solaris 10, Solaris 11 and illumos (zones.md §6);
* ``ZoneConfig``/``Resource``: one zone's configuration, resources kept in the
  order of the XML document (libzonecfg appends new nodes and "modifies" by
  delete + append, so the order is observable in ``export``);
* rctl aliases (``cpu-shares`` -> ``zone.cpu-shares`` ...) exactly as libzonecfg's table;
* ``bytes_to_units``/``str_to_bytes``: zonecfg's scaled-size formatting and parsing;
* ``to_xml``/``from_xml``: ``/etc/zones/NAME.xml`` in the spirit of the real file;
* ``template``: what ``create``/``create -b`` start from, per release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import struct
from xml.etree import ElementTree

GLOBAL = 'global'
NATIVE_BRAND = 'native'
ZONENAME_MAX = 64

# ---------------------------------------------------------------- releases (zones.md §6)


class Release:
    """One release's differences; ``RELEASES[name]``."""

    def __init__(self, name, **kwargs):
        self.name = name
        self.list_fields = kwargs['list_fields']        # zoneadm list -p field count
        self.brand = kwargs['brand']                    # default brand (also the global zone's)
        self.shutdown = kwargs['shutdown']              # zoneadm shutdown exists
        self.anet = kwargs['anet']                      # zonecfg anet resource
        self.unavailable = kwargs['unavailable']        # 'unavailable' state, mark unavailable
        self.ipd = kwargs['ipd']                        # inherit-pkg-dir resource (sparse root)
        self.old_export = kwargs['old_export']          # export order of the Solaris 10 era zonecfg
        self.default_template = kwargs['default_template']
        self.blank_template = kwargs['blank_template']


RELEASES = {
    's10': Release('s10', list_fields=7, brand='native', shutdown=False, anet=False, unavailable=False, ipd=True,
                   old_export=True, default_template='SUNWdefault', blank_template='SUNWblank'),
    's11': Release('s11', list_fields=9, brand='solaris', shutdown=True, anet=True, unavailable=True, ipd=False,
                   old_export=False, default_template='SYSdefault', blank_template='SYSblank'),
    'illumos': Release('illumos', list_fields=8, brand='ipkg', shutdown=True, anet=False, unavailable=False, ipd=False,
                       old_export=False, default_template='SUNWdefault', blank_template='SUNWblank'),
}
DEFAULT_RELEASE = 'illumos'

# Brands a release knows (brand_open succeeds); others fail verify with "unknown brand.".
# UNCONFIRMED: the lists are the usual brands of each family, not read from a system.
BRANDS = {
    's10': ('native', 'cluster', 'lx', 'solaris8', 'solaris9', 'sn1'),
    's11': ('solaris', 'solaris10', 'solaris-kz', 'labeled'),
    'illumos': ('ipkg', 'lipkg', 'sparse', 'pkgsrc', 'bhyve', 'kvm', 'lx', 'joyent', 'joyent-minimal', 'illumos',
                'native', 'nlipkg', 'emu'),
}

# ---------------------------------------------------------------- zone states (zones.md §1)

# Ordering of libzonecfg's zone_state_t. UNCONFIRMED: where Solaris 11's 'unavailable' sits; it is
# put below 'installed' so that `list -i` hides it (it is "installed but storage inaccessible").
STATES = ('configured', 'incomplete', 'unavailable', 'installed', 'ready', 'mounted', 'running',
          'shutting_down', 'down')


def state_rank(state):
    return STATES.index(state)


# ---------------------------------------------------------------- names (zones.md §4.1)

NAME_RE = re.compile(r'[A-Za-z0-9][A-Za-z0-9_.-]*\Z')


def valid_zonename(name):
    """libzonecfg zonecfg_validate_zonename: pattern, < 64 characters, not 'global'."""
    return name != GLOBAL and len(name) < ZONENAME_MAX and NAME_RE.match(name) is not None


# ---------------------------------------------------------------- rctl aliases (libzonecfg aliases[])

class Alias:
    def __init__(self, rctl, priv, action, low):
        self.rctl = rctl
        self.priv = priv
        self.action = action
        self.low = low


ALIASES = {
    'max-lwps': Alias('zone.max-lwps', 'privileged', 'deny', 100),
    'max-shm-memory': Alias('zone.max-shm-memory', 'privileged', 'deny', 0),
    'max-shm-ids': Alias('zone.max-shm-ids', 'privileged', 'deny', 0),
    'max-msg-ids': Alias('zone.max-msg-ids', 'privileged', 'deny', 0),
    'max-sem-ids': Alias('zone.max-sem-ids', 'privileged', 'deny', 0),
    'max-locked-memory': Alias('zone.max-locked-memory', 'privileged', 'deny', 0),
    'max-swap': Alias('zone.max-swap', 'privileged', 'deny', 0),
    'cpu-shares': Alias('zone.cpu-shares', 'privileged', 'none', 0),
    'cpu-cap': Alias('zone.cpu-cap', 'privileged', 'deny', 0),
    'max-processes': Alias('zone.max-processes', 'privileged', 'deny', 100),
}
# Global properties that are aliases, in the order `info` prints them (zones.md §4.6).
GLOBAL_ALIASES = ('max-lwps', 'max-processes', 'max-shm-memory', 'max-shm-ids', 'max-msg-ids', 'max-sem-ids',
                  'cpu-shares')
# rctls zoneadm verify knows (others get "WARNING: Ignoring unrecognized rctl").
KNOWN_RCTLS = frozenset([a.rctl for a in ALIASES.values()] + ['zone.max-lofi', 'zone.max-physical-memory'])

NO_ENTRY, ALIAS_DISALLOW, OK = 'noent', 'disallow', 'ok'


# ---------------------------------------------------------------- sizes (zonecfg.c bytes_to_units, libzonecfg str_to_bytes)

def _f32(value):
    """Round to a C float, as zonecfg's ``(float)save / 1024`` does."""
    return struct.unpack('f', struct.pack('f', value))[0]


def bytes_to_units(num):
    """``512M``, ``2G``, ``1.5G``; numbers below 1024 bare (zones.md §4.5)."""
    num = int(num)
    if num < 1024:
        return '%d' % num
    units = 'BKMGT'
    index, save = 0, 0
    while num >= 1024 and units[index] != 'T':
        index += 1
        save = num
        num = (num + 512) >> 10
    if save % 1024 != 0 and (save >> 10) < 10:
        return '%2.1f%s' % (_f32(_f32(save) / 1024), units[index])
    return '%d%s' % (num, units[index])


_NUMBER_RE = re.compile(r'\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)')


def str_to_bytes(text):
    """libzonecfg zonecfg_str_to_bytes: a number (fractions allowed) and an optional K/M/G/T; None if invalid."""
    match = _NUMBER_RE.match(text)
    value, rest = (float(match.group(1)), text[match.end():]) if match else (0.0, text)
    if value < 0:
        return None
    rest = rest.lstrip()
    scale = 1
    if rest:
        units = ('K', 'M', 'G', 'T')
        if rest.upper() not in units:
            return None
        scale = 1024 ** (units.index(rest.upper()) + 1)
    return int(value * scale)


def valid_uint(text):
    """libzonecfg valid_uint: strtoull of the whole string, no '-' anywhere; the value or None."""
    if '-' in text:
        return None
    stripped = text.lstrip()
    if stripped.startswith('+'):
        stripped = stripped[1:]
    if stripped == '' and text.strip() == '':
        return 0
    if not stripped.isdigit():
        return None
    value = int(stripped)
    return value if value < 2 ** 64 else None


# ---------------------------------------------------------------- the model

class Resource:
    """One resource: ``props`` (simple values), ``options`` (fs), ``values`` (rctl: dicts priv/limit/action)."""

    def __init__(self, rtype, props=None, options=None, values=None):
        self.rtype = rtype
        self.props = dict(props or {})
        self.options = list(options or [])
        self.values = [dict(v) for v in values or []]

    def get(self, prop):
        return self.props.get(prop, '')

    def copy(self):
        return Resource(self.rtype, self.props, self.options, self.values)


# Global properties and their defaults when the attribute is absent (libzonecfg getters).
GLOBAL_PROPS = ('zonepath', 'brand', 'autoboot', 'ip-type', 'pool', 'limitpriv', 'bootargs', 'scheduling-class',
                'hostid', 'fs-allowed', 'file-mac-profile')


class ZoneConfig:
    """A zone's configuration (the handle of zonecfg)."""

    def __init__(self, name, brand, iptype='shared'):
        self.name = name
        self.attrs = {'zonepath': '', 'brand': brand, 'autoboot': 'false', 'ip-type': iptype}
        self.debugid = None
        self.resources = []

    def get(self, prop):
        return self.attrs.get(prop, '')

    def set(self, prop, value):
        if value is None or value == '':
            if prop in ('zonepath', 'autoboot', 'brand', 'ip-type'):
                self.attrs[prop] = value or ''
            else:
                self.attrs.pop(prop, None)
        else:
            self.attrs[prop] = value

    def of_type(self, rtype):
        return [r for r in self.resources if r.rtype == rtype]

    def first(self, rtype):
        found = self.of_type(rtype)
        return found[0] if found else None

    def remove(self, resource):
        self.resources = [r for r in self.resources if r is not resource]

    def copy(self, name=None):
        other = ZoneConfig(self.name if name is None else name, self.get('brand'))
        other.attrs = dict(self.attrs)
        other.debugid = self.debugid
        other.resources = [r.copy() for r in self.resources]
        return other

    # ------------------------------------------------------------ aliased rctls

    def rctl(self, name):
        for res in self.of_type('rctl'):
            if res.get('name') == name:
                return res
        return None

    def get_alias(self, alias):
        """(status, limit): NO_ENTRY, ALIAS_DISALLOW (an rctl of that name that is not the alias's shape) or OK."""
        spec = ALIASES[alias]
        res = self.rctl(spec.rctl)
        if res is None:
            return NO_ENTRY, None
        if len(res.values) != 1:
            return ALIAS_DISALLOW, None
        value = res.values[0]
        if value.get('priv') != spec.priv or value.get('action') != spec.action:
            return ALIAS_DISALLOW, None
        limit = valid_uint(value.get('limit', ''))
        return (OK, limit) if limit is not None else (ALIAS_DISALLOW, None)

    def alias_ok(self, alias):
        return self.get_alias(alias)[0] != ALIAS_DISALLOW

    def set_alias(self, alias, limit):
        """Replace the rctl by a one-value rctl of the alias's shape, appended at the end (libzonecfg)."""
        spec = ALIASES[alias]
        self.rm_alias(alias)
        self.resources.append(Resource('rctl', {'name': spec.rctl},
                                       values=[{'priv': spec.priv, 'limit': '%d' % limit, 'action': spec.action}]))

    def rm_alias(self, alias):
        res = self.rctl(ALIASES[alias].rctl)
        if res is not None:
            self.remove(res)


# ---------------------------------------------------------------- templates (zones.md §4.3, §6)

def template(release, kind, name):
    """The configuration ``create`` (kind 'default') or ``create -b`` (kind 'blank') starts from."""
    rel = RELEASES[release]
    # UNCONFIRMED: Solaris 11 blank configurations are taken to be exclusive-IP like its default.
    cfg = ZoneConfig(name, rel.brand, 'exclusive' if release == 's11' else 'shared')
    if kind == 'blank':
        return cfg
    if release == 's10':
        for directory in ('/lib', '/platform', '/sbin', '/usr'):
            cfg.resources.append(Resource('inherit-pkg-dir', {'dir': directory}))
    elif release == 's11':
        cfg.set('zonepath', '/system/zones/%s' % name)
        cfg.resources.append(Resource('anet', {'linkname': 'net0', 'lower-link': 'auto'}))
    return cfg


TEMPLATE_NAMES = {
    'SUNWdefault': ('default', ('s10', 'illumos')), 'SUNWblank': ('blank', ('s10', 'illumos')),
    'SYSdefault': ('default', ('s11',)), 'SYSblank': ('blank', ('s11',)),
}

# ---------------------------------------------------------------- XML (/etc/zones/NAME.xml)

XML_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE zone PUBLIC "-//Sun Microsystems Inc//DTD Zones//EN" "file:///usr/share/lib/xml/dtd/zonecfg.dtd.1">
<!--
    DO NOT EDIT THIS FILE.  Use zonecfg(1M) instead.
-->
"""
ROOT_ATTRS = ('zonepath', 'autoboot', 'brand', 'ip-type', 'pool', 'limitpriv', 'bootargs', 'scheduling-class',
              'hostid', 'fs-allowed', 'file-mac-profile')
# resource type -> (element, ((property, attribute), ...)), in the DTD's spelling.
XML_ELEMENTS = {
    'fs': ('filesystem', (('special', 'special'), ('raw', 'raw'), ('dir', 'directory'), ('type', 'type'))),
    'inherit-pkg-dir': ('inherited-pkg-dir', (('dir', 'directory'),)),
    'net': ('network', (('address', 'address'), ('allowed-address', 'allowed-address'), ('physical', 'physical'),
                        ('defrouter', 'defrouter'))),
    'device': ('device', (('match', 'match'),)),
    'rctl': ('rctl', (('name', 'name'),)),
    'attr': ('attr', (('name', 'name'), ('type', 'type'), ('value', 'value'))),
    'dataset': ('dataset', (('name', 'name'),)),
    'dedicated-cpu': ('pset', (('ncpu_min', 'ncpu_min'), ('ncpu_max', 'ncpu_max'), ('importance', 'importance'))),
    'capped-memory': ('mcap', (('physical', 'physcap'),)),
    'admin': ('admin', (('user', 'user'), ('auths', 'auths'))),
    'security-flags': ('security-flags', (('lower', 'lower'), ('default', 'default'), ('upper', 'upper'))),
}
ANET_PROPS = ('linkname', 'lower-link', 'allowed-address', 'configure-allowed-address', 'defrouter',
              'allowed-dhcp-cids', 'link-protection', 'mac-address', 'mac-prefix', 'mac-slot', 'vlan-id', 'priority',
              'rxrings', 'txrings', 'mtu', 'maxbw', 'rxfanout', 'vsi-typeid', 'vsi-vers', 'vsi-mgrid', 'etsbw-lcl',
              'cos', 'evs', 'vport', 'iov', 'lro')
XML_ELEMENTS['anet'] = ('anet', tuple((p, p) for p in ANET_PROPS))
ELEMENT_TYPES = dict((element, rtype) for rtype, (element, _attrs) in XML_ELEMENTS.items())


def quoteattr(value):
    """An XML attribute value in double quotes (xml.sax.saxutils would import urllib: too slow for every call)."""
    escaped = value.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')
    return '"%s"' % escaped.replace('\n', '&#10;').replace('\r', '&#13;').replace('\t', '&#9;')


def _attrs_text(pairs, keep=()):
    return ''.join(' %s=%s' % (name, quoteattr(value)) for name, value in pairs if value != '' or name in keep)


def to_xml(cfg):
    """The zone's XML document (what the simulator reads back); zonepath is always written, as the DTD requires."""
    root = [('name', cfg.name)] + [(a, cfg.attrs.get(a, '')) for a in ROOT_ATTRS]
    if cfg.debugid is not None:
        root.append(('debugid', '%d' % cfg.debugid))
    lines = [XML_HEADER.rstrip('\n'), '<zone%s>' % _attrs_text(root, keep=('zonepath',))]
    for res in cfg.resources:
        element, attrs = XML_ELEMENTS[res.rtype]
        pairs = [(attr, res.get(prop)) for prop, attr in attrs]
        children = ['    <fsoption name=%s/>' % quoteattr(o) for o in res.options]
        children += ['    <rctl-value%s/>' % _attrs_text([(k, v.get(k, '')) for k in ('priv', 'limit', 'action')])
                     for v in res.values]
        if children:
            lines.append('  <%s%s>' % (element, _attrs_text(pairs)))
            lines.extend(children)
            lines.append('  </%s>' % element)
        else:
            lines.append('  <%s%s/>' % (element, _attrs_text(pairs)))
    lines.append('</zone>')
    return '\n'.join(lines) + '\n'


def from_xml(text, default_brand):
    """Parse a zone XML document; raises ValueError when it is not one."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ValueError(str(exc))
    if root.tag != 'zone':
        raise ValueError('not a zone document')
    cfg = ZoneConfig(root.get('name', ''), root.get('brand') or default_brand, root.get('ip-type') or 'shared')
    for attr in ROOT_ATTRS:
        if attr in ('brand', 'ip-type'):
            continue
        value = root.get(attr)
        if value is not None:
            cfg.attrs[attr] = value
    cfg.attrs.setdefault('autoboot', 'false')
    if root.get('debugid', '').isdigit():
        cfg.debugid = int(root.get('debugid'))
    for node in root:
        rtype = ELEMENT_TYPES.get(node.tag)
        if rtype is None:
            continue
        attrs = XML_ELEMENTS[rtype][1]
        res = Resource(rtype, dict((prop, node.get(attr)) for prop, attr in attrs if node.get(attr) is not None))
        res.options = [child.get('name', '') for child in node if child.tag == 'fsoption']
        res.values = [dict((k, child.get(k, '')) for k in ('priv', 'limit', 'action'))
                      for child in node if child.tag == 'rctl-value']
        cfg.resources.append(res)
    return cfg
