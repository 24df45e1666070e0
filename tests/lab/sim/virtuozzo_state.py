# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulated Virtuozzo 7 node behind ``prlctl``: registry of VEs, errors, sizes, locks.

What the dispatcher (prl-disp) would know about each VE is one JSON record,
``$VE_LAB_ROOT/.lab/prlctl/ves/<uuid>.json``; the VE's files live at the real
paths (CT: ``/vz/private/<uuid>`` with the unpacked template in ``fs/``, VM:
``/vz/vmprivate/<uuid>``; ``--dst DIR`` puts the home at ``DIR/<uuid>``). A CT
also gets the vzctl-style ``/etc/vz/conf/<uuid>.conf`` that VZ7 keeps beside the
dispatcher's configuration.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import uuid as uuidlib
import zlib

from .common import PidLock, ToolExit, atomic_write, err, makedirs, read_json, write_json

PROG = 'prlctl'
MARKER = '.lab/node.json'
TECHNOLOGY = 'virtuozzo'
DEPRECATION_ENV = 'VE_LAB_PRLCTL_DEPRECATION'
DEPRECATION = ('WARNING: You are using a deprecated CLI component that will be dropped in the next major release. '
               'Please use virsh instead')
CT_PRIVATE = '/vz/private'
VM_PRIVATE = '/vz/vmprivate'
CONF_DIR = '/etc/vz/conf'
LOCK_DIR = '/vz/lock'
BACKUP_DIR = '/vz/backups'
TEMPLATE_CACHE = '/vz/template/cache'
GLOBAL_CONF = '/etc/vz/vz.conf'

# Exit codes (fact sheet §1.1).
RC_OK, RC_USAGE, RC_FAIL, RC_FROZEN, RC_NO_DISPATCHER = 0, 1, 255, 254, 253

# vmstate2str (§2.3).
STATES = ('stopped', 'starting', 'restoring', 'running', 'paused', 'resetting', 'pausing', 'suspending',
          'stopping', 'compacting', 'suspended', 'snapshoting', 'continuing', 'migrating', 'del_snapshot',
          'resuming', 'syncing', 'invalid', 'reconnecting', 'mounted')

# VM distributions the node knows: name -> (OS family for exec, default RAM MB, default disk MB).
# UNCONFIRMED: defaults of the real VM samples.
DISTRIBUTIONS = {
    'centos7': ('linux', 1024, 65536), 'debian': ('linux', 1024, 65536), 'rhel8': ('linux', 1024, 65536),
    'ubuntu': ('linux', 1024, 65536), 'win-2016': ('windows', 2048, 65536), 'win-2019': ('windows', 2048, 65536),
    'win-2022': ('windows', 2048, 65536),
}
DEFAULT_DISTRIBUTION = 'centos7'   # UNCONFIRMED: what `prlctl create NAME` without --distribution picks
HOST_CPUS = 16                      # host CPUs the simulated node reports (`.lab/node.json` "cpus" overrides)
CT_DEFAULTS = {'memsize': 1024, 'swappages': 131072, 'disk': 10240}   # UNCONFIRMED: VZ7 basic CT sample


class PrlError(Exception):
    """A failure: ``lines`` go to stderr, the tool exits with ``rc``."""

    def __init__(self, rc, *lines):
        super(PrlError, self).__init__(rc, lines)
        self.rc = rc
        self.lines = lines


def fail(rc, *lines):
    raise PrlError(rc, *lines)


def report(exc):
    for line in exc.lines:
        err(line)
    raise ToolExit(exc.rc)


# ---------------------------------------------------------------- sizes

SUFFIX = {'B': 1, 'K': 1024, 'M': 1024 ** 2, 'G': 1024 ** 3, 'T': 1024 ** 4, 'P': 1024 ** 5}


def parse_size(text, default='M', unit='M'):
    """``N[BKMGT]`` (default unit ``default``) in units of ``unit`` (bytes: 'B'); None if invalid (Utils parse_ui_x)."""
    match = re.match(r'^(\d+)([bBkKmMgGtTpP]?)$', str(text))
    if not match:
        return None
    suffix = (match.group(2) or default).upper()
    return int(match.group(1)) * SUFFIX[suffix] // SUFFIX[unit]


def usage_error(option, value):
    fail(RC_USAGE, 'An incorrect value for --%s is specified: %s' % (option, value))


# ---------------------------------------------------------------- node

class Node:
    """``$VE_LAB_ROOT`` seen as a Virtuozzo node: VE records, paths, settings."""

    def __init__(self, lab):
        self.lab = lab
        self.settings = read_json(lab.path(MARKER), {}) or {}

    @property
    def hostname(self):
        return self.settings.get('hostname') or os.path.basename(self.lab.root.rstrip('/')) or 'localhost'

    @property
    def host_cpus(self):
        return int(self.settings.get('cpus', HOST_CPUS))

    def deprecation(self):
        value = os.environ.get(DEPRECATION_ENV)
        if value is not None and value.strip() != '':
            return value.strip().lower() not in ('0', 'no', 'off', 'false')
        return bool(self.settings.get('prlctl_deprecation', False))

    def record_path(self, uuid):
        return self.lab.state('prlctl', 'ves', '%s.json' % uuid)

    def all(self):
        directory = self.lab.state('prlctl', 'ves')
        if not os.path.isdir(directory):
            return []
        ves = []
        for entry in sorted(os.listdir(directory)):
            if entry.endswith('.json'):
                ve = read_json(os.path.join(directory, entry))
                if isinstance(ve, dict):
                    ves.append(ve)
        return ves

    def find(self, ident):
        """Lookup by UUID (with or without braces), then by name (PrlSrv get_vm_config)."""
        key = ident.strip()
        if key.startswith('{') and key.endswith('}'):
            key = key[1:-1]
        ves = self.all()
        for ve in ves:
            if ve['uuid'] == key.lower():
                return ve
        for ve in ves:
            if ve['name'] == ident:
                return ve
        return None

    def get(self, ident):
        ve = self.find(ident)
        if ve is None:
            # SDK text UNCONFIRMED (PRL_ERR_VM_UUID_NOT_FOUND).
            fail(RC_FAIL, 'Failed to get VM config: The virtual machine could not be found.')
        return ve

    def save(self, ve):
        write_json(self.record_path(ve['uuid']), ve)
        if ve['type'] == 'CT':
            self.write_ct_conf(ve)

    def forget(self, ve):
        try:
            os.unlink(self.record_path(ve['uuid']))
        except OSError:
            pass

    def rootfs(self, ve):
        """Lab path of a CT's root file system (the unpacked template)."""
        return self.lab.path(ve['home'] + '/fs')

    def lock(self, ve):
        lock = PidLock(self.lab.path('%s/%s.lck' % (LOCK_DIR, ve['uuid'])))
        if not lock.acquire():
            # UNCONFIRMED: dispatcher text for a VE busy with another operation.
            fail(RC_FAIL, 'Failed to lock the %s: The operation cannot be performed because the %s is being used '
                 'by another operation.' % (ve['type'], ve['type']))
        return lock

    def write_ct_conf(self, ve):
        """The vzctl view of a CT (what VZ7's vzctl/vzlist read); rewritten on every change."""
        nets = [d for d in ve['devices'] if d['kind'] == 'net']
        ips = ' '.join(ip for d in nets for ip in d.get('ips', []))
        hdd = next((d for d in ve['devices'] if d['name'] == 'hdd0'), None)
        pairs = [
            ('VEID', ve['envid']), ('NAME', ve['name']), ('UUID', ve['uuid']), ('DESCRIPTION', ve['description']),
            ('OSTEMPLATE', ve.get('ostemplate', '')), ('VE_ROOT', '/vz/root/%s' % ve['uuid']),
            ('VE_PRIVATE', ve['home']), ('VE_LAYOUT', 'ploop'),
            ('PHYSPAGES', '0:%d' % (ve['memsize'] * 256)), ('SWAPPAGES', '0:%d' % ve['swappages']),
            ('DISKSPACE', '%d:%d' % ((hdd['size'] * 1024,) * 2) if hdd else ''),
            ('CPUUNITS', str(ve['cpuunits'])), ('CPULIMIT', ve['cpulimit'].rstrip('%')),
            ('CPUS', '' if not ve['cpus'] else str(ve['cpus'])), ('IOPRIO', str(ve['ioprio'])),
            ('IOLIMIT', str(ve['iolimit'])), ('HOSTNAME', ve['hostname']), ('IP_ADDRESS', ips),
            ('NAMESERVER', ' '.join(ve['nameservers'])), ('SEARCHDOMAIN', ' '.join(ve['searchdomains'])),
            ('ONBOOT', 'yes' if ve['autostart'] == 'on' else 'no'),
            ('FEATURES', ' '.join('%s:%s' % kv for kv in sorted(ve['features'].items()))),
            ('CAPABILITY', ' '.join('%s:%s' % kv for kv in sorted(ve['capabilities'].items()))),
            ('HA_ENABLE', ve['ha_enable']), ('HA_PRIO', str(ve['ha_prio'])),
        ]
        text = ''.join('%s="%s"\n' % (key, value) for key, value in pairs)
        atomic_write(self.lab.path('%s/%s.conf' % (CONF_DIR, ve['uuid'])), text)

    def global_conf(self):
        """``KEY=value`` pairs of /etc/vz/vz.conf (quotes stripped)."""
        values = {}
        try:
            with open(self.lab.path(GLOBAL_CONF), encoding='utf-8') as handle:
                for line in handle:
                    match = re.match(r'^\s*([A-Z_0-9]+)=(.*)$', line)
                    if match:
                        values[match.group(1)] = match.group(2).strip().strip('"')
        except (IOError, OSError):
            pass
        return values


# ---------------------------------------------------------------- VE records

def new_uuid():
    return str(uuidlib.uuid4())


def generate_mac():
    return '001C42' + uuidlib.uuid4().hex[:6].upper()


def vm_envid(uuid):
    """VMs have a numeric EnvID in VZ7 (UNCONFIRMED derivation: CRC32 of the UUID)."""
    return str(zlib.crc32(uuid.encode('ascii')) & 0x7fffffff)


def new_ve(kind, name, home, uuid=None, ostemplate='', dist=''):
    """A freshly created CT or VM record with the defaults of the simulated node (UNCONFIRMED defaults)."""
    uuid = uuid or new_uuid()
    is_ct = kind == 'CT'
    family, ram, disk = DISTRIBUTIONS.get(dist, ('linux', 1024, 65536))
    ve = {
        'uuid': uuid, 'name': name, 'type': kind, 'envid': uuid if is_ct else vm_envid(uuid),
        'description': '', 'ostemplate': ostemplate, 'dist': dist, 'os_family': family, 'home': home,
        'template': False, 'cpus': 0 if is_ct else 2, 'cpuunits': 1000, 'cpulimit': '', 'ioprio': 4,
        'iolimit': 0, 'memsize': CT_DEFAULTS['memsize'] if is_ct else ram,
        'swappages': CT_DEFAULTS['swappages'] if is_ct else 0, 'hostname': '', 'nameservers': [],
        'searchdomains': [], 'autostart': 'off', 'autostop': 'stop' if is_ct else 'suspend',
        'features': {}, 'capabilities': {}, 'ha_enable': 'yes', 'ha_prio': 0,
        'guest_tools': 'possibly_installed' if is_ct else 'not_installed',
        'state': 'stopped', 'started': 0, 'snapshots': [], 'current_snapshot': '',
    }
    if is_ct:
        ve['devices'] = [
            {'name': 'hdd0', 'kind': 'hdd', 'port': 'scsi:0', 'image': home + '/root.hdd', 'size': CT_DEFAULTS['disk'],
             'mnt': '/'},
        ]
    else:
        ve['devices'] = [
            {'name': 'hdd0', 'kind': 'hdd', 'port': 'scsi:0', 'image': home + '/harddisk.hdd', 'size': disk},
            {'name': 'cdrom0', 'kind': 'cdrom', 'port': 'sata:0', 'image': ''},
            {'name': 'net0', 'kind': 'net', 'type': 'bridged', 'iface': 'br0', 'network': 'Bridged',
             'mac': generate_mac(), 'card': 'virtio', 'ips': [], 'dev': 'vme' + uuid.replace('-', '')[:8]},
        ]
    return ve


def state_of(ve):
    return ve['state'] if ve['state'] in STATES else 'unknown'


def home_dir(node, kind, uuid, dst=None):
    base = dst.rstrip('/') if dst else (CT_PRIVATE if kind == 'CT' else VM_PRIVATE)
    return '%s/%s' % (base, uuid)


def makehome(node, ve):
    makedirs(node.lab.path(ve['home']))
