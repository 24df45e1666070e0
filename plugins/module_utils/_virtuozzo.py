# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Virtuozzo 7 (prlctl) backend client: parsers, desired settings, set/lifecycle plans, argv.

Private to the collection; runs on managed nodes (Python 3.7+, stdlib only)
and is reused by controller plugins. Facts come from the project's reference
sheet ``virtuozzo.md`` (section numbers below point into it).

* ``parse_list_json`` reads ``prlctl list -j`` and ``list -i -j`` (always an
  array; every ``list`` value a string, ``"-"`` for empty);
* ``record_from_info`` makes the common ``VE`` record, ``settings_from_info``
  the comparable settings (sizes like ``"1024Mb"``, ``"50%"``, IPs with masks);
* ``desired_settings`` validates module options into canonical values;
  ``compare_settings`` fills a ``Differ`` and groups the ``prlctl set``
  options into the fewest calls the tool allows (one device action per call);
* ``plan_transitions`` gives the fewest lifecycle commands between states.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ._openvz import parse_conf
from ._runner import ArgSpec, CommandError, Fmt, Runner
from ._units import UnitError, format_size, parse_cpu_percent, parse_cpu_units, parse_size, to_unit
from ._ve import VE, AddressError, lifecycle_with, normalize_address, plan_through_running, split_addresses

NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,63}$')
UUID_RE = re.compile(r'^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$')
HOSTNAME_RE = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$')
FEATURES = ('bridge', 'ipgre', 'ipip', 'nfs', 'nfsd', 'ppp', 'sit', 'time')
CAP_RE = re.compile(r'^[a-z_]+$')
PAGE = 4096

# prlctl state strings (§2.3) -> common status
STATUS_MAP = {'running': 'running', 'stopped': 'stopped', 'suspended': 'suspended', 'paused': 'paused',
              'mounted': 'mounted'}
SETTLED = ('running', 'stopped', 'suspended', 'paused', 'mounted')


class VirtuozzoInputError(ValueError):
    """A module option prlctl would refuse, or that cannot be compared."""


# ---------------------------------------------------------------------------
# Parsers
# ---------------------------------------------------------------------------

def parse_list_json(text):
    """``prlctl list [-i] -j`` -> list of dicts (prlctl escapes its strings, §2.2)."""
    text = text.strip()
    if not text:
        return []
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError('prlctl list -j printed %s, not a list' % type(data).__name__)
    return data


def _dash(value):
    return None if value in (None, '-', '') else value


def _size(text):
    """``"1024Mb"`` -> bytes; None for missing or ``-``."""
    text = _dash(text)
    if text is None:
        return None
    try:
        return parse_size('%s' % text)
    except UnitError:
        return None


def _addresses(info):
    """Configured addresses of the CT's venet0 / the VM's net0, without masks (§2.4 ``ips``)."""
    hw = info.get('Hardware') or {}
    device = hw.get('venet0') if info.get('Type') == 'CT' else hw.get('net0')
    out = []
    for item in ((device or {}).get('ips') or '').split():
        addr = item.partition('/')[0]
        try:
            out.append(normalize_address(addr))
        except AddressError:
            continue
    return out


def _words(text):
    text = _dash(text)
    return [w for w in re.split(r'[\s,]+', text or '') if w]


def _onoff_map(text):
    out = {}
    for item in _words(text):
        if ':' in item:
            name, state = item.split(':', 1)
            out[name.lower()] = state == 'on'
    return out


def _int_or_none(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = _dash(value)
    return int(text) if text is not None and ('%s' % text).isdigit() else None


def _cpulimit(value):
    text = _dash(value)
    if text is None:
        return 0
    m = re.match(r'^([0-9]+)%$', '%s' % text)
    return int(m.group(1)) if m else text   # MHz limits stay text: they never equal a percentage


def settings_from_info(info, conf=None, listed=None):
    """Comparable settings of one VE from ``list -i -j -f`` (and its CT config for swap/capabilities)."""
    hw = info.get('Hardware') or {}
    cpu = hw.get('cpu') or {}
    ha = info.get('High Availability') or {}
    conf = conf or {}
    swap = None
    if conf.get('SWAPPAGES'):
        limit = conf['SWAPPAGES'].split(':')[-1]
        swap = int(limit) * PAGE if limit.isdigit() else _size(limit)
    return {
        'cpus': _int_or_none(cpu.get('cpus')),
        'cpuunits': _int_or_none(cpu.get('cpuunits')),
        'cpulimit': _cpulimit(cpu.get('cpulimit')),
        'memsize': _size((hw.get('memory') or {}).get('size')),
        'swap': swap,
        'disk_size': _size((hw.get('hdd0') or {}).get('size')),
        'hostname': _dash(info.get('Hostname')),
        'ip_addresses': _addresses(info),
        'nameservers': _words(info.get('DNS Servers')),
        'searchdomains': _words(info.get('Search Domains')),
        'onboot': {'on': True, 'off': False}.get(_dash(info.get('Autostart'))),
        'description': _dash(info.get('Description')),
        'ioprio': _int_or_none(cpu.get('ioprio')),
        'iolimit': _int_or_none(cpu.get('iolimit')),
        'features': _onoff_map(info.get('Features')),
        'capabilities': _onoff_map(conf.get('CAPABILITY')),
        'ha_enable': {'yes': True, 'no': False}.get(_dash(ha.get('enabled'))),
        'ha_prio': _int_or_none(ha.get('prio')),
    }


def record_from_info(info, node=None):
    """One ``list -i -j`` object -> the common VE record."""
    settings = settings_from_info(info)
    v4, v6 = split_addresses(settings['ip_addresses'])
    state = info.get('State')
    return VE('virtuozzo', id=_dash(info.get('ID')), node=node, name=_dash(info.get('Name')),
              status=STATUS_MAP.get(state, 'transition' if state else 'unknown'), hostname=settings['hostname'],
              ipv4=v4, ipv6=v6, os=_dash(info.get('OS')), cpus=settings['cpus'], cpu_units=settings['cpuunits'],
              cpu_limit=settings['cpulimit'] if isinstance(settings['cpulimit'], int) else None,
              memory=settings['memsize'], swap=None, disk=settings['disk_size'], onboot=settings['onboot'],
              raw=info)


# ---------------------------------------------------------------------------
# Desired settings
# ---------------------------------------------------------------------------

SETTING_KEYS = ('cpus', 'cpuunits', 'cpulimit', 'memsize', 'swap', 'disk_size', 'hostname', 'ip_addresses',
                'nameservers', 'searchdomains', 'onboot', 'description', 'ioprio', 'iolimit', 'features',
                'capabilities', 'ha_enable', 'ha_prio')
CT_ONLY = ('swap', 'features', 'capabilities')


def validate_name(name):
    if not NAME_RE.match(name or '') or name != name.strip():
        raise VirtuozzoInputError("name: %r is not a valid VE name (letters, digits, space, '_', '.', '+', '-'; "
                                  "starting with a letter or digit; up to 64 characters)" % (name,))
    if UUID_RE.match(name):
        raise VirtuozzoInputError('name: %r looks like a UUID; prlctl would read it as one (use the uuid option)'
                                  % (name,))
    return name


def _onoff_option(value, what, allowed=None):
    if not isinstance(value, dict):
        raise VirtuozzoInputError('%s: expected a mapping of name to true/false' % what)
    out = {}
    for name, state in value.items():
        key = ('%s' % name).lower()
        if allowed and key not in allowed:
            raise VirtuozzoInputError('%s: unknown name %r (known: %s)' % (what, name, ', '.join(allowed)))
        if not allowed and not CAP_RE.match(key):
            raise VirtuozzoInputError('%s: %r is not a capability name' % (what, name))
        if not isinstance(state, bool):
            raise VirtuozzoInputError('%s: %s must be true or false, not %r' % (what, name, state))
        out[key] = state
    return out


def desired_settings(params, ve_type):
    """Module options -> canonical settings (None = not managed); raises VirtuozzoInputError."""
    want = dict((key, None) for key in SETTING_KEYS)
    p = params
    try:
        if ve_type == 'vm':
            given = [k for k in CT_ONLY if p.get(k) is not None]
            if given:
                raise VirtuozzoInputError('%s: only containers have these (type is vm)' % ', '.join(given))
        if p.get('cpus') is not None:
            if p['cpus'] < 1:
                raise VirtuozzoInputError('cpus: %r must be 1 or more' % p['cpus'])
            want['cpus'] = p['cpus']
        if p.get('cpuunits') is not None:
            want['cpuunits'] = parse_cpu_units(p['cpuunits'], what='cpuunits')
        if p.get('cpulimit') is not None:
            want['cpulimit'] = parse_cpu_percent(p['cpulimit'], what='cpulimit')
        for key, unit in (('memsize', 'M'), ('disk_size', 'M')):
            if p.get(key) is not None:
                size = parse_size(p[key], default_unit=unit, allow_unlimited=False, what=key)
                if size < (1 << 20):
                    raise VirtuozzoInputError('%s: %s is below 1M' % (key, p[key]))
                # prlctl keeps both in whole MiB.
                want[key] = to_unit(size, 'M', 'down') << 20
        if p.get('swap') is not None:
            size = parse_size(p['swap'], allow_unlimited=False, what='swap')
            want['swap'] = to_unit(size, 'P', 'down') * PAGE
        if p.get('hostname') is not None:
            if not HOSTNAME_RE.match(p['hostname']):
                raise VirtuozzoInputError('hostname: %r is not a valid host name' % (p['hostname'],))
            want['hostname'] = p['hostname']
        if p.get('ip_addresses') is not None:
            addrs, seen = [], set()
            for item in p['ip_addresses']:
                try:
                    norm = normalize_address(item)
                except AddressError as exc:
                    raise VirtuozzoInputError('ip_addresses: %s' % exc)
                key = norm.partition('/')[0]
                if key not in seen:
                    seen.add(key)
                    addrs.append(norm)
            want['ip_addresses'] = addrs
        if p.get('nameservers') is not None:
            for item in p['nameservers']:
                try:
                    normalize_address(item)
                except AddressError:
                    raise VirtuozzoInputError('nameservers: %r is not an IP address' % (item,))
            want['nameservers'] = list(p['nameservers'])
        if p.get('searchdomains') is not None:
            for item in p['searchdomains']:
                if not HOSTNAME_RE.match(item):
                    raise VirtuozzoInputError('searchdomains: %r is not a domain name' % (item,))
            want['searchdomains'] = list(p['searchdomains'])
        if p.get('onboot') is not None:
            want['onboot'] = bool(p['onboot'])
        if p.get('description') is not None:
            if '\n' in p['description']:
                raise VirtuozzoInputError('description: must be a single line')
            want['description'] = p['description']
        if p.get('ioprio') is not None:
            if not 0 <= p['ioprio'] <= 7:
                raise VirtuozzoInputError('ioprio: %r is outside 0..7' % p['ioprio'])
            want['ioprio'] = p['ioprio']
        if p.get('iolimit') is not None:
            # MB/s by default, as prlctl; shown back in bytes per second.
            want['iolimit'] = parse_size(p['iolimit'], default_unit='M', allow_unlimited=False, what='iolimit')
        if p.get('features') is not None:
            want['features'] = _onoff_option(p['features'], 'features', FEATURES)
        if p.get('capabilities') is not None:
            want['capabilities'] = _onoff_option(p['capabilities'], 'capabilities')
        if p.get('ha_enable') is not None:
            want['ha_enable'] = bool(p['ha_enable'])
        if p.get('ha_prio') is not None:
            if p['ha_prio'] < 0:
                raise VirtuozzoInputError('ha_prio: %r is negative' % p['ha_prio'])
            want['ha_prio'] = p['ha_prio']
    except UnitError as exc:
        raise VirtuozzoInputError(str(exc))
    return want


# ---------------------------------------------------------------------------
# Comparison -> prlctl set calls
# ---------------------------------------------------------------------------

def _show_size(value):
    return None if value is None else format_size(value)


def compare_settings(differ, current, want, ve_type):
    """Fill ``differ``; return the ``prlctl set`` calls as a list of option dicts.

    The first call holds the general options; the VM network options go with
    ``--device-set net0`` and the disk with ``--device-set hdd0``, one device
    action per call (§4).
    """
    cur = current or dict((key, None) for key in SETTING_KEYS)
    general, network, disk = {}, {}, {}
    for key in ('cpus', 'cpuunits', 'cpulimit', 'hostname', 'onboot', 'description', 'ioprio', 'ha_enable',
                'ha_prio'):
        if differ.compare(key, cur[key], want[key]):
            general[key] = want[key]
    for key in ('memsize', 'swap', 'iolimit'):
        if differ.compare(key, cur[key], want[key], render=_show_size):
            general[key] = want[key]
    if differ.compare('disk_size', cur['disk_size'], want['disk_size'], render=_show_size):
        disk['size'] = want['disk_size']
    net = network if ve_type == 'vm' else general
    if want['ip_addresses'] is not None:
        have = cur['ip_addresses'] or []
        want_keys = [a.partition('/')[0] for a in want['ip_addresses']]
        shown = [a for a in have if a in want_keys] + [a for a in want['ip_addresses']
                                                       if a.partition('/')[0] not in have]
        if differ.compare('ip_addresses', have, shown, kind='set'):
            net['ipdel'] = [a for a in have if a not in want_keys]
            net['ipadd'] = [a for a in want['ip_addresses'] if a.partition('/')[0] not in have]
    for key in ('nameservers', 'searchdomains'):
        if differ.compare(key, cur[key], want[key], kind='list'):
            net[key] = want[key]
    for key in ('features', 'capabilities'):
        if want[key] is None:
            continue
        have = dict((name, (cur[key] or {}).get(name)) for name in want[key])
        if differ.compare(key, have, want[key]):
            general[key] = ['%s:%s' % (name, 'on' if state else 'off')
                            for name, state in sorted(want[key].items()) if have[name] != state]
    calls = []
    if general:
        calls.append(general)
    if network:
        calls.append(dict(network, device_set='net0'))
    if disk:
        calls.append(dict(disk, device_set='hdd0'))
    return calls


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------

_TRANSITIONS = {
    ('stopped', 'started'): ['start'], ('suspended', 'started'): ['resume'], ('paused', 'started'): ['resume'],
    ('mounted', 'started'): ['start'],
    ('running', 'stopped'): ['stop'], ('suspended', 'stopped'): ['resume', 'stop'], ('paused', 'stopped'): ['stop'],
    ('mounted', 'stopped'): ['umount'],
    ('running', 'suspended'): ['suspend'], ('stopped', 'suspended'): ['start', 'suspend'],
    ('paused', 'suspended'): ['resume', 'suspend'], ('mounted', 'suspended'): ['start', 'suspend'],
    ('running', 'restarted'): ['restart'], ('stopped', 'restarted'): ['start'],
    ('suspended', 'restarted'): ['resume', 'restart'], ('paused', 'restarted'): ['resume', 'restart'],
    ('mounted', 'restarted'): ['start'],
    ('running', 'absent'): ['stop', 'delete'], ('stopped', 'absent'): ['delete'],
    ('suspended', 'absent'): ['resume', 'stop', 'delete'], ('paused', 'absent'): ['stop', 'delete'],
    ('mounted', 'absent'): ['umount', 'delete'],
}
TARGET_STATUS = {'started': 'running', 'restarted': 'running', 'stopped': 'stopped', 'suspended': 'suspended',
                 'absent': 'absent'}
_STATUS_AS_TARGET = {'running': 'started', 'stopped': 'stopped', 'suspended': 'suspended', 'paused': 'started',
                     'mounted': 'stopped'}


def plan_transitions(current, target):
    if target == 'present' or current == 'absent':
        return []
    if current == TARGET_STATUS.get(target) and target != 'restarted':
        return []
    return list(_TRANSITIONS.get((current, target), []))


def plan_with_running(current, target):
    """(before, after) lifecycle commands around work done inside the running VE."""
    return plan_through_running(plan_transitions, current, target, _STATUS_AS_TARGET)


def plan_lifecycle(current, target, inside=None):
    """The lifecycle actions to run, with optional work inside the running VE (see ``_ve.lifecycle_with``)."""
    return lifecycle_with(plan_transitions, _STATUS_AS_TARGET, current, target, inside)


# ---------------------------------------------------------------------------
# argv and the client
# ---------------------------------------------------------------------------

def _mb(value):
    return '%dM' % (value >> 20)


SET_SPEC = ArgSpec(
    device_set=Fmt.opt('--device-set'),
    size=Fmt.opt('--size', render=_mb),
    cpus=Fmt.opt('--cpus'),
    cpuunits=Fmt.opt('--cpuunits'),
    cpulimit=Fmt.opt('--cpulimit'),
    memsize=Fmt.opt('--memsize', render=_mb),
    swap=Fmt.opt('--swappages', render=lambda v: '%d' % (v // PAGE)),
    hostname=Fmt.opt('--hostname'),
    ipdel=Fmt.repeat('--ipdel'),
    ipadd=Fmt.repeat('--ipadd'),
    nameservers=Fmt.joined('--nameserver', sep=' '),
    searchdomains=Fmt.joined('--searchdomain', sep=' '),
    onboot=Fmt.yes_no('--onboot'),
    description=Fmt.opt('--description'),
    ioprio=Fmt.opt('--ioprio'),
    iolimit=Fmt.opt('--iolimit', render=lambda v: '%dB' % v),
    features=Fmt.joined('--features'),
    capabilities=Fmt.joined('--capability'),
    ha_enable=Fmt.yes_no('--ha-enable'),
    ha_prio=Fmt.opt('--ha-prio'),
)
CREATE_SPEC = ArgSpec(
    vmtype=Fmt.opt('--vmtype'),
    ostemplate=Fmt.opt('--ostemplate'),
    distribution=Fmt.opt('--distribution'),
    config=Fmt.opt('--config'),
    dst=Fmt.opt('--dst'),
)


class VirtuozzoClient:
    """prlctl through any executor; argv builders usable without running anything."""

    def __init__(self, executor, timeout=600, lab_root=None):
        self.prlctl = Runner(executor, 'prlctl', SET_SPEC, timeout=timeout, extra_dirs=['/usr/bin', '/usr/sbin'])
        self.creator = Runner(executor, 'prlctl', CREATE_SPEC, timeout=timeout, extra_dirs=['/usr/bin', '/usr/sbin'])
        # The lab's simulator keeps a node's files under VE_LAB_ROOT; on a real node it is unset.
        self.lab_root = lab_root if lab_root is not None else os.environ.get('VE_LAB_ROOT', '')

    @property
    def bin(self):
        return self.prlctl.binary or 'prlctl'

    def info_argv(self, ident):
        return [self.bin, 'list', '-i', '-j', '-f', ident]

    def list_argv(self):
        return [self.bin, 'list', '-a', '-j', '-o', 'uuid,name,type,status']

    def create_argv(self, name, values):
        return self.creator.argv(['create', name], order=('vmtype', 'ostemplate', 'distribution', 'config', 'dst'),
                                 **values)

    def set_argv(self, ident, values):
        return self.prlctl.argv(['set', ident], order=list(SET_SPEC.formatters), **values)

    def action_argv(self, action, ident):
        return [self.bin, action, ident]

    def exec_argv(self, ident, argv):
        return [self.bin, 'exec', ident] + list(argv)

    def info(self, ident):
        """The VE's ``list -i -j -f`` object, or None when no VE has that name or UUID (§1.2)."""
        result = self.prlctl.run_argv(self.info_argv(ident), ok_rcs=(0, 255), what='prlctl list -i')
        if result.rc == 0:
            data = self._parse(result)
            return data[0] if data else None
        # 255 is any failure: only a listing tells a missing VE apart from another problem.
        listing = self.list()
        bare = ident.strip('{}').lower()
        if any(v.get('name') == ident or (v.get('uuid') or '').lower() == bare for v in listing):
            raise CommandError('prlctl list -i failed', cmd=result.cmd, rc=result.rc, stdout=result.stdout,
                               stderr=result.stderr)
        return None

    def list(self):
        result = self.prlctl.run_argv(self.list_argv(), what='prlctl list')
        return self._parse(result)

    def list_all_info(self):
        """Every VE with its info: one list, then one ``list -i`` per VE."""
        return [self.info(v['uuid']) for v in self.list()]

    @staticmethod
    def _parse(result):
        try:
            return parse_list_json(result.stdout)
        except ValueError as exc:
            raise CommandError('prlctl printed output that is not JSON: %s' % exc, cmd=result.cmd, rc=result.rc,
                               stdout=result.stdout, stderr=result.stderr)

    def read_conf(self, uuid):
        """A CT's config (swap and capabilities are not shown by prlctl list); {} if missing."""
        path = os.path.join(self.lab_root or '/', 'etc/vz/conf/%s.conf' % uuid)
        try:
            with open(path) as handle:
                return parse_conf(handle.read())
        except (IOError, OSError):
            return {}

    def run(self, argv, what, data=None):
        return self.prlctl.run_argv(argv, data=data, what=what)


# ---------------------------------------------------------------------------
# Snapshots (§5)
# ---------------------------------------------------------------------------

def parse_snapshot_list(text):
    """``prlctl snapshot-list VE [-H]`` -> [{'id', 'parent', 'current'}] (``%38s %c%38s`` rows, §5)."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith('PARENT_SNAPSHOT_ID'):
            continue
        parent, mark, ident = line[:38].strip(), line[39:40], line[40:].strip()
        if not ident:
            raise ValueError('prlctl snapshot-list: unexpected line %r' % line)
        out.append({'id': ident, 'parent': parent or None, 'current': mark == '*'})
    return out


def parse_snapshot_info(text):
    """``prlctl snapshot-list VE -i ID``: ``Key: value`` lines -> dict with lower-case keys."""
    info = {}
    for line in text.splitlines():
        key, sep, value = line.partition(':')
        if sep:
            info[key.strip().lower()] = value.strip()
    return info


def snapshot_argv(binary, action, ve, snap_id=None, name=None, description=None):
    """argv of snapshot / snapshot-switch / snapshot-delete."""
    if action == 'snapshot':
        return [binary, 'snapshot', ve] + (['-n', name] if name else []) + (['-d', description] if description else [])
    return [binary, action, ve, '-i', snap_id]


# ---------------------------------------------------------------------------
# Backups (§6)
# ---------------------------------------------------------------------------

BACKUP_KEYS = {'VM_UUID': 've_uuid', 'Name': 've_name', 'Host': 'host', 'Owner': 'owner', 'Backup_ID': 'id',
               'Date': 'date', 'Type': 'type', 'Size': 'size', 'Description': 'description', 'ServerUuid': 'server'}
BACKUP_TYPES = {'f': 'full', 'i': 'incremental'}


def parse_backup_list_full(text):
    """``prlctl backup-list -f``: one block of ``Key: value`` lines per backup (§6) -> list of dicts.

    Keys are renamed (BACKUP_KEYS); ``type`` becomes full/incremental, ``size`` an int, the VE UUID loses its
    braces; the tab-indented ``DiskList`` entries become ``disks``. Unknown keys are kept under their own name.
    """
    backups, current, disk = [], None, None
    for line in text.splitlines():
        if not line.strip():
            current = disk = None
            continue
        key, sep, value = line.strip().partition(':')
        if not sep:
            raise ValueError('prlctl backup-list -f: unexpected line %r' % line)
        value = value.strip()
        if line.startswith('\t') or line.startswith(' '):
            if current is None:
                raise ValueError('prlctl backup-list -f: disk line outside a backup: %r' % line)
            if key == 'Name' or disk is None:
                disk = {}
                current['disks'].append(disk)
            disk[key.lower()] = value
            continue
        if key == 'VM_UUID' or current is None:
            current = {'disks': []}
            disk = None
            backups.append(current)
        if key == 'DiskList':
            continue
        name = BACKUP_KEYS.get(key, key)
        if name == 've_uuid':
            value = value.strip('{}').lower()
        elif name == 'type':
            value = BACKUP_TYPES.get(value, value)
        elif name == 'size':
            value = int(value) if value.isdigit() else value
        current[name] = value
    for backup in backups:
        if 'id' not in backup:
            raise ValueError('prlctl backup-list -f: a backup block without Backup_ID')
        for disk in backup['disks']:
            if disk.get('size', '').isdigit():
                disk['size'] = int(disk['size'])
    return backups


def parse_backup_id(text):
    """The backup id from ``backup``'s success line, or None."""
    match = re.search(r'successfully backed up with backup id (\S+?)\.?\s*$', text, re.M)
    return match.group(1) if match else None


LOCAL_STORAGE_HOSTS = ('localhost', 'localhost.localdomain', '127.0.0.1')
STORAGE_RE = re.compile(r'^([^:@\s]+)@([^:@\s/]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$')


def storage_is_local(storage):
    """Whether a valid storage string names this node, where prlctl logs in without a password (PrlSrv::login)."""
    return STORAGE_RE.match(storage).group(2) in LOCAL_STORAGE_HOSTS


def validate_storage(storage):
    """``user@server[:port]`` without a password (the password travels separately, never in argv)."""
    match = STORAGE_RE.match(storage or '')
    if not match:
        if re.match(r'^[^@]*:[^@]*@', storage or ''):
            raise VirtuozzoInputError('storage: give user@server[:port]; the password goes in storage_password, '
                                      'never in the storage string')
        raise VirtuozzoInputError('storage: %r is not user@server[:port]' % storage)
    if match.group(3) and not 0 < int(match.group(3)) < 65536:
        raise VirtuozzoInputError('storage: port %s is out of range' % match.group(3))
    return storage
