# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Desired state of one vSphere VM: validation, comparison with the live VM, power planning.

Private to the collection. Pure functions over plain data (the live VM's
settings are extracted from its ``config`` by ``settings_from_config``), so
check mode and a real run plan the same way; ``vmware_vm`` turns the plan
into vSphere calls.

Canonical values: sizes in bytes, CPU in MHz, shares as a level name
(``low``/``normal``/``high``) or a number, limits ``'unlimited'`` or a number;
disks and NICs are lists compared **by position** (never by label).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ._units import UNLIMITED, UnitError, format_size, parse_size
from ._ve import Differ

MIB = 1024 * 1024
SHARE_LEVELS = ('low', 'normal', 'high')
NIC_TYPES = ('vmxnet3', 'e1000e', 'e1000', 'vmxnet2', 'pcnet32', 'sriov')
DISK_TYPES = ('thin', 'thick', 'eagerzeroedthick')
POWER_STATES = ('poweredOn', 'poweredOff', 'suspended')
# state option -> the power state it leaves the VM in (None: unchanged or not a power state)
STATE_POWER = {'present': None, 'poweredon': 'poweredOn', 'poweredoff': 'poweredOff', 'suspended': 'suspended',
               'restarted': 'poweredOn', 'shutdownguest': 'poweredOff', 'rebootguest': 'poweredOn', 'absent': None}

SCALARS = ('guest_id', 'cpus', 'cores_per_socket', 'memory', 'cpu_hot_add', 'memory_hot_add', 'annotation',
           'cpu_shares', 'cpu_reservation', 'cpu_limit', 'memory_shares', 'memory_reservation', 'memory_limit')
SIZE_KEYS = ('memory', 'memory_reservation', 'memory_limit')


class VMInputError(ValueError):
    """A module option that cannot be used; the message names it."""


# ---------------------------------------------------------------------------
# Desired settings from module options
# ---------------------------------------------------------------------------

def _size(value, what, minimum=None, unlimited=False, multiple=MIB):
    try:
        size = parse_size(value, default_unit='M', allow_unlimited=unlimited, what=what)
    except UnitError as exc:
        raise VMInputError(str(exc))
    if size == UNLIMITED:
        return size
    if size % multiple:
        raise VMInputError('%s: %s is not a whole number of %s' % (what, value, format_size(multiple)))
    if minimum is not None and size < minimum:
        raise VMInputError('%s: %s is below the minimum of %s' % (what, value, format_size(minimum)))
    return size


def _shares(value, what):
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in SHARE_LEVELS:
        return text
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise VMInputError('%s: %r is not low, normal, high or a positive number of shares' % (what, value))


def _mhz(value, what, unlimited=False):
    if value is None:
        return None
    text = str(value).strip().lower()
    if unlimited and text in ('unlimited', '-1'):
        return UNLIMITED
    if text.isdigit():
        return int(text)
    raise VMInputError('%s: %r is not a number of MHz%s' % (what, value, " or 'unlimited'" if unlimited else ''))


def _positive(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise VMInputError('%s: %r is not a positive whole number' % (what, value))
    return value


def desired_disks(disks):
    out = []
    for index, disk in enumerate(disks or ()):
        what = 'disks[%d]' % index
        if not isinstance(disk, dict) or 'size' not in disk:
            raise VMInputError('%s: give at least its size, e.g. {size: 40G}' % what)
        unknown = set(disk) - {'size', 'datastore', 'type'}
        if unknown:
            raise VMInputError('%s: unknown keys %s (known: size, datastore, type)' % (what, ', '.join(sorted(unknown))))
        kind = disk.get('type') or 'thin'
        if kind not in DISK_TYPES:
            raise VMInputError('%s.type: %r is not one of %s' % (what, kind, ', '.join(DISK_TYPES)))
        out.append({'size': _size(disk['size'], what + '.size', minimum=MIB, multiple=1024),
                    'datastore': disk.get('datastore'), 'type': kind})
    return out


def desired_networks(networks):
    out = []
    for index, nic in enumerate(networks or ()):
        what = 'networks[%d]' % index
        if not isinstance(nic, dict) or not nic.get('name'):
            raise VMInputError('%s: give at least the network (port group) name, e.g. {name: VM Network}' % what)
        unknown = set(nic) - {'name', 'device_type', 'connected', 'start_connected'}
        if unknown:
            raise VMInputError('%s: unknown keys %s (known: name, device_type, connected, start_connected)'
                               % (what, ', '.join(sorted(unknown))))
        kind = nic.get('device_type') or 'vmxnet3'
        if kind not in NIC_TYPES:
            raise VMInputError('%s.device_type: %r is not one of %s' % (what, kind, ', '.join(NIC_TYPES)))
        flags = {}
        for key in ('connected', 'start_connected'):
            value = nic.get(key, True)
            if not isinstance(value, bool):
                raise VMInputError('%s.%s: %r is not true or false' % (what, key, value))
            flags[key] = value
        out.append(dict(name=nic['name'], device_type=kind, **flags))
    return out


def desired_settings(params):
    """Module options -> canonical desired settings (keys absent when not managed). VMInputError on bad input."""
    want = {}
    if params.get('guest_id') is not None:
        want['guest_id'] = params['guest_id']
    for key in ('cpus', 'cores_per_socket'):
        value = _positive(params.get(key), key)
        if value is not None:
            want[key] = value
    if want.get('cpus') and want.get('cores_per_socket') and want['cpus'] % want['cores_per_socket']:
        raise VMInputError('cpus (%d) must be a multiple of cores_per_socket (%d)'
                           % (want['cpus'], want['cores_per_socket']))
    if params.get('memory') is not None:
        want['memory'] = _size(params['memory'], 'memory', minimum=4 * MIB, multiple=4 * MIB)
    for key in ('cpu_hot_add', 'memory_hot_add'):
        if params.get(key) is not None:
            want[key] = params[key]
    if params.get('annotation') is not None:
        want['annotation'] = params['annotation']
    for key in ('cpu_shares', 'memory_shares'):
        value = _shares(params.get(key), key)
        if value is not None:
            want[key] = value
    if params.get('cpu_reservation') is not None:
        want['cpu_reservation'] = _mhz(params['cpu_reservation'], 'cpu_reservation')
    if params.get('cpu_limit') is not None:
        want['cpu_limit'] = _mhz(params['cpu_limit'], 'cpu_limit', unlimited=True)
    if params.get('memory_reservation') is not None:
        want['memory_reservation'] = _size(params['memory_reservation'], 'memory_reservation')
    if params.get('memory_limit') is not None:
        want['memory_limit'] = _size(params['memory_limit'], 'memory_limit', unlimited=True)
    for low, high in (('cpu_reservation', 'cpu_limit'), ('memory_reservation', 'memory_limit')):
        if want.get(low) is not None and want.get(high) not in (None, UNLIMITED) and want[low] > want[high]:
            raise VMInputError('%s is above %s' % (low, high))
    if want.get('memory_reservation') not in (None, UNLIMITED) and want.get('memory') is not None \
            and want['memory_reservation'] > want['memory']:
        raise VMInputError('memory_reservation is above memory')
    if params.get('disks') is not None:
        want['disks'] = desired_disks(params['disks'])
    if params.get('networks') is not None:
        want['networks'] = desired_networks(params['networks'])
    return want


# ---------------------------------------------------------------------------
# Live settings from a VM's config (pyVmomi objects read by attribute only)
# ---------------------------------------------------------------------------

def _shares_value(info):
    shares = getattr(info, 'shares', None) if info is not None else None
    if shares is None:
        return None
    level = str(getattr(shares, 'level', '') or '')
    return level if level in SHARE_LEVELS else getattr(shares, 'shares', None)


def _limit(value, scale=1):
    if value is None:
        return None
    return UNLIMITED if value < 0 else value * scale


def nic_type(device):
    name = type(device).__name__.split('.')[-1]
    for kind, cls in (('vmxnet3', 'VirtualVmxnet3'), ('e1000e', 'VirtualE1000e'), ('e1000', 'VirtualE1000'),
                      ('vmxnet2', 'VirtualVmxnet2'), ('pcnet32', 'VirtualPCNet32'), ('sriov', 'VirtualSriovEthernetCard')):
        if name == cls:
            return kind
    return name


def is_disk(device):
    return type(device).__name__.split('.')[-1] == 'VirtualDisk'


def is_nic(device):
    return hasattr(device, 'macAddress') and hasattr(device, 'backing') and hasattr(device, 'addressType')


def device_order(device):
    return (getattr(device, 'controllerKey', 0) or 0, getattr(device, 'unitNumber', 0) or 0, device.key)


def live_disks(devices):
    disks = sorted((d for d in devices if is_disk(d)), key=device_order)
    out = []
    for disk in disks:
        size = getattr(disk, 'capacityInBytes', None) or (disk.capacityInKB or 0) * 1024
        backing = disk.backing
        out.append({'size': size, 'key': disk.key, 'file': getattr(backing, 'fileName', None),
                    'label': getattr(disk.deviceInfo, 'label', None) if disk.deviceInfo else None})
    return out


def live_networks(devices, portgroup_names):
    """NICs in device order; ``portgroup_names`` maps distributed port group keys to names."""
    out = []
    for nic in sorted((d for d in devices if is_nic(d)), key=device_order):
        backing = nic.backing
        name = getattr(backing, 'deviceName', None)
        port = getattr(backing, 'port', None)
        if name is None and port is not None:
            name = portgroup_names.get(getattr(port, 'portgroupKey', None), getattr(port, 'portgroupKey', None))
        connectable = nic.connectable
        out.append({'name': name, 'device_type': nic_type(nic),
                    'connected': bool(getattr(connectable, 'connected', False)) if connectable else False,
                    'start_connected': bool(getattr(connectable, 'startConnected', False)) if connectable else False,
                    'mac': getattr(nic, 'macAddress', None), 'key': nic.key,
                    'label': getattr(nic.deviceInfo, 'label', None) if nic.deviceInfo else None})
    return out


def settings_from_config(config, portgroup_names=None):
    """A VM's ``config`` (vim.vm.ConfigInfo) -> canonical live settings, devices kept for the spec builder."""
    hardware = config.hardware
    cpu, mem = config.cpuAllocation, config.memoryAllocation
    devices = list(hardware.device or ())
    return {
        'guest_id': config.guestId,
        'cpus': hardware.numCPU,
        'cores_per_socket': hardware.numCoresPerSocket or 1,
        'memory': hardware.memoryMB * MIB,
        'cpu_hot_add': bool(config.cpuHotAddEnabled),
        'memory_hot_add': bool(config.memoryHotAddEnabled),
        'annotation': config.annotation or '',
        'cpu_shares': _shares_value(cpu),
        'cpu_reservation': getattr(cpu, 'reservation', None) if cpu else None,
        'cpu_limit': _limit(getattr(cpu, 'limit', None)) if cpu else None,
        'memory_shares': _shares_value(mem),
        'memory_reservation': (getattr(mem, 'reservation', None) or 0) * MIB if mem else None,
        'memory_limit': _limit(getattr(mem, 'limit', None), MIB) if mem else None,
        'disks': live_disks(devices),
        'networks': live_networks(devices, portgroup_names or {}),
        'devices': dict((d.key, d) for d in devices),
    }


# ---------------------------------------------------------------------------
# Comparison and plan
# ---------------------------------------------------------------------------

def _show(key, value):
    if key in SIZE_KEYS and value not in (None, UNLIMITED):
        return format_size(value)
    return value


def _disk_view(disks):
    return [format_size(d['size']) for d in disks]


def _nic_view(nics):
    return [{'name': n['name'], 'device_type': n['device_type'], 'connected': n['connected'],
             'start_connected': n['start_connected']} for n in nics]


class Change:
    """One thing to change on the VM; ``cold`` when it needs the VM powered off."""

    def __init__(self, key, cold, detail):
        self.key = key
        self.cold = cold
        self.detail = detail

    def __repr__(self):
        return 'Change(%s%s)' % (self.key, ', cold' if self.cold else '')


def compare(current, want, power_state):
    """Fill a Differ and list the Changes that reach ``want`` from ``current`` (live settings).

    ``cold`` marks what vSphere only changes on a powered-off VM: fewer CPUs or less memory, more without hot add,
    cores per socket, hot-add switches, guest OS, a NIC's adapter type. Raises VMInputError when a disk would
    have to shrink.
    """
    differ = Differ()
    changes = []
    running = power_state != 'poweredOff'
    for key in SCALARS:
        if key not in want:
            continue
        before, after = current.get(key), want[key]
        if key in SIZE_KEYS:
            differs = differ.compare(key, before, after, render=lambda v, k=key: _show(k, v))
        else:
            differs = differ.compare(key, before, after)
        if not differs:
            continue
        cold = False
        if key == 'cpus':
            cold = after < (before or 0) or not current.get('cpu_hot_add')
        elif key == 'memory':
            cold = after < (before or 0) or not current.get('memory_hot_add')
        elif key in ('cores_per_socket', 'cpu_hot_add', 'memory_hot_add', 'guest_id'):
            cold = True
        changes.append(Change(key, cold and running, after))
    if 'disks' in want:
        live = current.get('disks') or []
        wanted = want['disks']
        for index, disk in enumerate(wanted):
            if index < len(live) and disk['size'] < live[index]['size']:
                raise VMInputError('disks[%d]: shrinking %s from %s to %s is not possible; vSphere disks only grow'
                                   % (index, live[index]['label'] or 'the disk', format_size(live[index]['size']),
                                      format_size(disk['size'])))
        after = [max(d['size'], live[i]['size']) if i < len(live) else d['size'] for i, d in enumerate(wanted)]
        after += [d['size'] for d in live[len(wanted):]]   # disks beyond the list are left alone
        if differ.compare('disks', _disk_view(live), [format_size(s) for s in after], kind='list'):
            for index, disk in enumerate(wanted):
                if index >= len(live):
                    changes.append(Change('disks', False, {'add': disk, 'index': index}))
                elif disk['size'] > live[index]['size']:
                    changes.append(Change('disks', False, {'grow': live[index], 'size': disk['size'],
                                                           'index': index}))
    if 'networks' in want:
        live = current.get('networks') or []
        wanted = want['networks']
        after = _nic_view(wanted) + _nic_view(live[len(wanted):])
        if differ.compare('networks', _nic_view(live), after, kind='list'):
            for index, nic in enumerate(wanted):
                if index >= len(live):
                    changes.append(Change('networks', False, {'add': nic, 'index': index}))
                    continue
                have = live[index]
                if have['device_type'] != nic['device_type']:
                    changes.append(Change('networks', running, {'replace': have, 'nic': nic, 'index': index}))
                elif any(have[k] != nic[k] for k in ('name', 'connected', 'start_connected')):
                    changes.append(Change('networks', False, {'edit': have, 'nic': nic, 'index': index}))
    return differ, changes


def power_plan(current, state, has_cold, force):
    """Power operations around a reconfiguration: (before, after, deferred_cold).

    ``current`` is the live power state ('poweredOn'...), ``state`` the module's state option. Cold changes on a
    powered-on VM are done inside a power-off/power-on pair when ``force``; otherwise they are deferred (and
    reported as needing a reboot), unless the VM is being powered off anyway.
    """
    before, after = [], []
    target = STATE_POWER.get(state)
    if state == 'poweredoff' and current != 'poweredOff':
        before.append('PowerOffVM_Task')
    elif state == 'shutdownguest' and current == 'poweredOn':
        before.append('ShutdownGuest')
    elif state == 'suspended' and current == 'poweredOff':
        after += ['PowerOnVM_Task', 'SuspendVM_Task']
    elif state == 'suspended' and current == 'poweredOn':
        after.append('SuspendVM_Task')
    elif state == 'poweredon' and current != 'poweredOn':
        after.append('PowerOnVM_Task')
    elif state == 'restarted':
        after.append('ResetVM_Task' if current == 'poweredOn' else 'PowerOnVM_Task')
    elif state == 'rebootguest':
        after.append('RebootGuest')
    powered_off_first = bool(before)
    deferred = False
    if has_cold and current != 'poweredOff' and not powered_off_first:
        if force:
            before.append('PowerOffVM_Task')
            if target in (None, 'poweredOn') and not after:
                after.append('PowerOnVM_Task')
            elif target == 'poweredOn' and after == ['ResetVM_Task']:
                after = ['PowerOnVM_Task']
            elif target == 'suspended':
                after = ['PowerOnVM_Task', 'SuspendVM_Task']
            elif state == 'rebootguest':
                after = ['PowerOnVM_Task']
        else:
            deferred = True
    return before, after, deferred


# ---------------------------------------------------------------------------
# vSphere specs (pyVmomi objects; built only when a change is applied)
# ---------------------------------------------------------------------------

def _vim():
    from ._vmware import vim
    return vim


def shares_info(value):
    vim = _vim()
    if value in SHARE_LEVELS:
        return vim.SharesInfo(level=value, shares=0)
    return vim.SharesInfo(level='custom', shares=value)


def allocation(want, prefix, scale=1):
    """A ResourceAllocationInfo with the managed ones of shares/reservation/limit, or None."""
    keys = [prefix + '_shares', prefix + '_reservation', prefix + '_limit']
    if not any(k in want for k in keys):
        return None
    vim = _vim()
    info = vim.ResourceAllocationInfo()
    if prefix + '_shares' in want:
        info.shares = shares_info(want[prefix + '_shares'])
    if prefix + '_reservation' in want:
        info.reservation = want[prefix + '_reservation'] // scale
    if prefix + '_limit' in want:
        limit = want[prefix + '_limit']
        info.limit = -1 if limit == UNLIMITED else limit // scale
    return info


def nic_device(nic, backing, key):
    vim = _vim()
    cls = {'vmxnet3': vim.vm.device.VirtualVmxnet3, 'e1000e': vim.vm.device.VirtualE1000e,
           'e1000': vim.vm.device.VirtualE1000, 'vmxnet2': vim.vm.device.VirtualVmxnet2,
           'pcnet32': vim.vm.device.VirtualPCNet32, 'sriov': vim.vm.device.VirtualSriovEthernetCard}[nic['device_type']]
    device = cls(key=key, backing=backing, addressType='generated')
    device.connectable = vim.vm.device.VirtualDevice.ConnectInfo(
        connected=nic['connected'], startConnected=nic['start_connected'], allowGuestControl=True)
    return device


def config_spec(changes, want, current, networks, scsi_key, new_key, datastore_for):
    """One ReconfigVM spec for ``changes``.

    ``networks(name)`` returns a NIC backing for a network name; ``scsi_key`` is the key of the SCSI controller
    new disks go on (with its used unit numbers as ``scsi_key.used``); ``new_key()`` gives temporary negative
    device keys; ``datastore_for(disk)`` gives the ``[datastore]`` prefix of a new disk file.
    """
    vim = _vim()
    spec = vim.vm.ConfigSpec()
    device_changes = []
    keys = set(c.key for c in changes)
    simple = {'guest_id': 'guestId', 'cpus': 'numCPUs', 'cores_per_socket': 'numCoresPerSocket',
              'cpu_hot_add': 'cpuHotAddEnabled', 'memory_hot_add': 'memoryHotAddEnabled', 'annotation': 'annotation'}
    for key, attr in simple.items():
        if key in keys:
            setattr(spec, attr, want[key])
    if 'memory' in keys:
        spec.memoryMB = want['memory'] // MIB
    # The whole allocation is sent, unmanaged parts with their live values: vCenter keeps unset fields, but the
    # lab's simulator replaces the allocation object, and a complete one means the same to both.
    for prefix, scale in (('cpu', 1), ('memory', MIB)):
        names = [prefix + suffix for suffix in ('_shares', '_reservation', '_limit')]
        if keys & set(names):
            merged = dict((k, want[k] if k in keys else current.get(k)) for k in names)
            merged = dict((k, v) for k, v in merged.items() if v is not None)
            setattr(spec, prefix + 'Allocation', allocation(merged, prefix, scale))
    op = vim.vm.device.VirtualDeviceSpec.Operation
    for change in changes:
        detail = change.detail
        if change.key == 'disks' and 'grow' in detail:
            disk = current['devices'][detail['grow']['key']]
            disk.capacityInKB = detail['size'] // 1024
            disk.capacityInBytes = detail['size']
            device_changes.append(vim.vm.device.VirtualDeviceSpec(operation=op.edit, device=disk))
        elif change.key == 'disks' and 'add' in detail:
            unit = next(u for u in range(16) if u != 7 and u not in scsi_key.used)
            scsi_key.used.add(unit)
            kind = detail['add']['type']
            backing = vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
                diskMode='persistent', fileName=datastore_for(detail['add']), thinProvisioned=(kind == 'thin'),
                eagerlyScrub=(kind == 'eagerzeroedthick'))
            disk = vim.vm.device.VirtualDisk(key=new_key(), controllerKey=scsi_key.key, unitNumber=unit,
                                             backing=backing, capacityInKB=detail['add']['size'] // 1024,
                                             capacityInBytes=detail['add']['size'])
            device_changes.append(vim.vm.device.VirtualDeviceSpec(operation=op.add, fileOperation='create',
                                                                  device=disk))
        elif change.key == 'networks' and 'add' in detail:
            device_changes.append(vim.vm.device.VirtualDeviceSpec(
                operation=op.add, device=nic_device(detail['add'], networks(detail['add']['name']), new_key())))
        elif change.key == 'networks' and 'replace' in detail:
            old = current['devices'][detail['replace']['key']]
            device_changes.append(vim.vm.device.VirtualDeviceSpec(operation=op.remove, device=old))
            device_changes.append(vim.vm.device.VirtualDeviceSpec(
                operation=op.add, device=nic_device(detail['nic'], networks(detail['nic']['name']), new_key())))
        elif change.key == 'networks' and 'edit' in detail:
            device = current['devices'][detail['edit']['key']]
            nic = detail['nic']
            if nic['name'] != detail['edit']['name']:
                device.backing = networks(nic['name'])
            device.connectable = vim.vm.device.VirtualDevice.ConnectInfo(
                connected=nic['connected'], startConnected=nic['start_connected'], allowGuestControl=True)
            device_changes.append(vim.vm.device.VirtualDeviceSpec(operation=op.edit, device=device))
    if device_changes:
        spec.deviceChange = device_changes
    return spec
