#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vmware_vm
short_description: Converge one VMware vSphere VM - creation, resources, disks, NICs, power state, deletion
version_added: 0.1.0
description:
  - Creates a VM from scratch or clones it from a template, converges its settings with the live VM (CPUs, cores per
    socket, memory, CPU and memory shares, reservations and limits, hot add, annotation, disks, NICs) and brings it
    to a power state, or deletes it.
  - The VM is found by O(uuid) (instance UUID), O(moid), or O(name) within O(folder) or O(datacenter); a name that
    several VMs share is an error naming their folders, never a guess.
  - Reads cost a constant number of vSphere calls whatever the size of the vCenter (one property-collector read of
    the inventory, one of the VM). Disks and NICs are compared by position, not by label.
  - What vSphere only changes on a powered-off VM (fewer CPUs or less memory, more without hot add, cores per
    socket, hot-add switches, guest OS, a NIC's adapter type) is applied when the VM is off or being powered off;
    on a running VM it is left pending and reported in RV(reboot_required) and RV(pending_changes), unless
    O(force_reconfigure=true) powers the VM off around the change.
author:
  - datacenter.ve developers (@datacenter-ve)
extends_documentation_fragment:
  - datacenter.ve.vmware
  - datacenter.ve.attributes
  - datacenter.ve.attributes.platform_vcenter
attributes:
  check_mode:
    support: full
    details:
      - Predicts whether anything changes, RV(operations), RV(diff) and RV(reboot_required) exactly and changes
        nothing.
  diff_mode:
    support: full
options:
  name:
    description: Name of the VM. Required to create one.
    type: str
  uuid:
    description: Instance UUID of the VM (C(config.instanceUuid)).
    type: str
    aliases: [instance_uuid]
  moid:
    description: Managed object ID of the VM, for example V(vm-1234).
    type: str
  datacenter:
    description:
      - Datacenter of the VM. Optional when the vCenter has one datacenter or O(folder) is a full path.
    type: str
  folder:
    description:
      - VM folder, as a full inventory path (V(/DC0/vm/prod/web)) or relative to the datacenter's VM folder
        (V(prod/web)). Narrows the search by O(name); where a new VM is created (it must exist).
    type: str
  state:
    description:
      - V(present) creates or converges the VM and leaves its power state alone (a new VM stays off).
      - V(poweredon), V(poweredoff), V(suspended) converge it and bring it to that power state.
      - V(restarted) resets a running VM (powers on a stopped one); V(rebootguest) asks the guest OS to reboot
        (VMware Tools needed); V(shutdownguest) asks the guest OS to shut down and waits until it is off.
      - V(absent) powers the VM off if needed and deletes it with its disks.
    type: str
    choices: [present, poweredon, poweredoff, suspended, restarted, shutdownguest, rebootguest, absent]
    default: present
  template:
    description:
      - Template (or VM) to clone a new VM from, by name or full inventory path. Used only at creation; the clone is
        then converged to the other options.
    type: str
  guest_id:
    description: Guest OS identifier, for example V(debian12_64Guest) or V(windows2019srv_64Guest).
    type: str
  cpus:
    description: Number of virtual CPUs.
    type: int
  cores_per_socket:
    description: Cores per virtual socket; O(cpus) must be a multiple of it.
    type: int
  memory:
    description: Memory, with a unit (V(4G), V(512M)); a bare number is MiB. A multiple of 4 MiB.
    type: str
  cpu_hot_add:
    description: Whether CPUs may be added while the VM runs.
    type: bool
  memory_hot_add:
    description: Whether memory may be added while the VM runs.
    type: bool
  cpu_shares:
    description: CPU shares, V(low), V(normal), V(high) or a number (custom).
    type: str
  cpu_reservation:
    description: Guaranteed CPU, in MHz.
    type: int
  cpu_limit:
    description: Upper bound of CPU, in MHz, or V(unlimited).
    type: str
  memory_shares:
    description: Memory shares, V(low), V(normal), V(high) or a number (custom).
    type: str
  memory_reservation:
    description: Guaranteed memory, with a unit (a bare number is MiB).
    type: str
  memory_limit:
    description: Upper bound of memory, with a unit (a bare number is MiB), or V(unlimited).
    type: str
  annotation:
    description: The VM's notes.
    type: str
    aliases: [notes]
  disks:
    description:
      - Virtual disks, in order (by controller and unit number). A listed disk larger than the live one is grown;
        a smaller one is an error (disks never shrink); disks beyond the live ones are added. Live disks beyond the
        list are left alone.
    type: list
    elements: dict
    suboptions:
      size:
        description: Size, with a unit (V(40G)); a bare number is MiB.
        type: str
        required: true
      datastore:
        description: Datastore of a new disk (default the VM's O(datastore), else the VM's own).
        type: str
      type:
        description: Provisioning of a new disk.
        type: str
        choices: [thin, thick, eagerzeroedthick]
        default: thin
  networks:
    description:
      - Network adapters, in order. A listed adapter is connected to the named network with the given type and
        connection flags; adapters beyond the live ones are added. Live adapters beyond the list are left alone.
    type: list
    elements: dict
    suboptions:
      name:
        description: Network or distributed port group name.
        type: str
        required: true
      device_type:
        description: Adapter type; changing it replaces the adapter (and its MAC address) and needs the VM off.
        type: str
        choices: [vmxnet3, e1000e, e1000, vmxnet2, pcnet32, sriov]
        default: vmxnet3
      connected:
        description: Whether the adapter is connected now.
        type: bool
        default: true
      start_connected:
        description: Whether the adapter connects when the VM powers on.
        type: bool
        default: true
  datastore:
    description: Datastore of a new VM (needed when the datacenter has more than one).
    type: str
  cluster:
    description: Cluster a new VM runs in (its root resource pool, unless O(resource_pool)).
    type: str
  esxi_hostname:
    description: ESXi host a new VM runs on.
    type: str
  resource_pool:
    description: Resource pool of a new VM, by name (within O(cluster) when given).
    type: str
  force_reconfigure:
    description:
      - Power a running VM off for changes that need it, then back on (or to O(state)). Without it those changes are
        left pending (RV(reboot_required)).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for each vSphere task (and for a guest shutdown).
    type: int
    default: 3600
notes:
  - Works with vCenter 7 and 8 and the lab's vCenter simulator (govmomi). C(rebootguest) and C(shutdownguest) need
    VMware Tools running in the guest; the simulator has no C(RebootGuest).
seealso:
  - module: datacenter.ve.vmware_vm_info
'''

EXAMPLES = r'''
- name: A Windows server VM, powered on, with a guaranteed share of its host
  datacenter.ve.vmware_vm:
    hostname: vcenter.example.org
    username: "{{ vcenter_user }}"
    password: "{{ vcenter_password }}"
    datacenter: DC1
    folder: /DC1/vm/windows
    name: sql2
    guest_id: windows2019srv_64Guest
    cpus: 4
    cores_per_socket: 2
    memory: 16G
    memory_reservation: 8G
    cpu_shares: high
    datastore: ssd01
    cluster: prod
    disks:
      - size: 80G
      - size: 200G
    networks:
      - name: VLAN 120 servers
    state: poweredon
  delegate_to: localhost

- name: A clone of the Debian template
  datacenter.ve.vmware_vm:
    name: web7
    template: debian-12-template
    folder: web
    cluster: prod
    memory: 4G
    state: poweredon
  delegate_to: localhost

- name: More memory, even if it needs a power cycle now
  datacenter.ve.vmware_vm:
    uuid: 502c3f53-1d3e-99a0-1b0c-7f3f4e5a6b7c
    memory: 32G
    force_reconfigure: true
  delegate_to: localhost

- name: Gone
  datacenter.ve.vmware_vm:
    name: web7
    folder: /DC1/vm/web
    state: absent
  delegate_to: localhost
'''

RETURN = r'''
vm:
  description: The VM as a common VE record after the task (in check mode, before it); absent when there is none.
  returned: when the VM exists
  type: dict
  sample: {technology: vmware, node: esx03.example.org, id: 502c3f53-1d3e-99a0-1b0c-7f3f4e5a6b7c, name: sql2,
           status: running, cpus: 4, memory: 16G, raw: {moid: vm-1234, folder: /DC1/vm/windows, cluster: prod}}
operations:
  description: The vSphere operations run (in check mode, that would run), in order.
  returned: always
  type: list
  elements: str
  sample: [ReconfigVM_Task, PowerOnVM_Task]
differences:
  description: The settings that differ from the options.
  returned: always
  type: list
  elements: str
  sample: [memory, disks]
reboot_required:
  description: Whether changes are pending until the VM is powered off (see RV(pending_changes)).
  returned: always
  type: bool
pending_changes:
  description: Settings left unchanged because the VM runs and O(force_reconfigure) is false.
  returned: always
  type: list
  elements: str
  sample: [cores_per_socket]
diff:
  description: Before and after of every managed setting and of the power state.
  returned: when diff mode is on
  type: dict
'''

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.datacenter.ve.plugins.module_utils import _vmware as vmw
from ansible_collections.datacenter.ve.plugins.module_utils._vmware_vm import (
    MIB, STATE_POWER, VMInputError, compare, config_spec, desired_settings, power_plan, settings_from_config,
)

LOCATE_PROPERTIES = ['name', 'parent', 'config.instanceUuid', 'config.template', 'runtime.powerState']
DETAIL_PROPERTIES = vmw.RECORD_PROPERTIES + ['config', 'guest.toolsRunningStatus']
CREATE_DEFAULTS = {'guest_id': 'otherGuest64', 'cpus': 1, 'memory': 1024 * MIB}


class SCSI:
    """The SCSI controller new disks go on: its key and the unit numbers in use."""

    def __init__(self, key, used=()):
        self.key = key
        self.used = set(used)


class VMwareVM:
    def __init__(self, module, si, want):
        self.module = module
        self.p = module.params
        self.si = si
        self.content = si.RetrieveContent()
        self.want = want
        self.inventory = None
        self.operations = []
        self._key = -100

    # ------------------------------------------------------------------ reading

    def read(self):
        self.inventory = vmw.read_inventory(self.si, LOCATE_PROPERTIES, context=vmw.PLACEMENT_PROPERTIES)

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg='vmware_vm: %s' % msg, operations=self.operations, **kwargs)

    def datacenter(self):
        """moid of the datacenter in play (from the option, the folder path, or the only one)."""
        inv = self.inventory
        dcs = inv.of_type('Datacenter')
        wanted = self.p['datacenter']
        if not wanted and self.p['folder'] and self.p['folder'].startswith('/'):
            wanted = self.p['folder'].strip('/').split('/')[0]
        if wanted:
            found = [i for i, o in dcs if o['props'].get('name') == wanted]
            if not found:
                self.fail('datacenter %s not found (there are: %s)' % (wanted, ', '.join(sorted(
                    o['props'].get('name') for _i, o in dcs))))
            return found[0]
        if len(dcs) == 1:
            return dcs[0][0]
        return None

    def folder_path(self, dc):
        folder = self.p['folder']
        if folder is None:
            return None
        if folder.startswith('/'):
            return '/' + folder.strip('/')
        if dc is None:
            self.fail('folder %s is relative: give datacenter, or a full path like /DC/vm/%s' % (folder, folder))
        return '/%s/vm/%s' % (self.inventory.name(dc), folder.strip('/'))

    def locate(self):
        """moid of the VM, or None."""
        inv = self.inventory
        vms = inv.vms()
        if self.p['moid']:
            return self.p['moid'] if self.p['moid'] in inv.objects and \
                inv.objects[self.p['moid']]['type'] == 'VirtualMachine' else None
        if self.p['uuid']:
            uuid = self.p['uuid'].lower()
            found = [i for i, o in vms if (o['props'].get('config.instanceUuid') or '').lower() == uuid]
            return found[0] if found else None
        dc = self.datacenter()
        folder = self.folder_path(dc)
        found = [i for i, o in vms if o['props'].get('name') == self.p['name']
                 and (dc is None or inv.datacenter(i) == dc) and (folder is None or inv.path(i) == folder)]
        if len(found) > 1:
            self.fail('%d VMs are named %s: %s; give folder, uuid or moid' % (
                len(found), self.p['name'], ', '.join(sorted('%s/%s (%s)' % (inv.path(i), self.p['name'], i)
                                                             for i in found))))
        return found[0] if found else None

    def detail(self, ident):
        """Read one VM's full config (one property-collector call) into the inventory; returns its props."""
        ref = self.inventory.objects[ident]['ref']
        spec = vmw.object_spec(ref, 'VirtualMachine', DETAIL_PROPERTIES)
        for content in vmw.retrieve(self.content.propertyCollector, spec):
            self.inventory.objects[ident]['props'].update((p.name, p.val) for p in content.propSet or ())
        return self.inventory.props(ident)

    def portgroup_names(self):
        return dict((o['props'].get('config.key'), o['props'].get('name'))
                    for _i, o in self.inventory.of_type('DistributedVirtualPortgroup'))

    def current(self, ident):
        props = self.detail(ident)
        config = props.get('config')
        if config is None:
            self.fail('VM %s (%s) has no configuration yet (being created or inaccessible)' % (props.get('name'), ident))
        return settings_from_config(config, self.portgroup_names())

    # ------------------------------------------------------------------ lookups for specs

    def network_backing(self, dc):
        inv = self.inventory
        vim = vmw.vim

        def backing(name):
            candidates = [(i, o) for i, o in inv.objects.items()
                          if o['type'] in ('Network', 'DistributedVirtualPortgroup', 'OpaqueNetwork')
                          and o['props'].get('name') == name and (dc is None or inv.datacenter(i) == dc)]
            if not candidates:
                raise VMInputError('network %s not found%s' % (name, ' in datacenter %s' % inv.name(dc) if dc else ''))
            ident, obj = candidates[0]
            if obj['type'] == 'DistributedVirtualPortgroup':
                switch = inv.props(vmw.moid(obj['props'].get('config.distributedVirtualSwitch')))
                port = vim.dvs.PortConnection(portgroupKey=obj['props'].get('config.key'), switchUuid=switch.get('uuid'))
                return vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(port=port)
            return vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(deviceName=name, network=obj['ref'])
        return backing

    def new_key(self):
        self._key -= 1
        return self._key

    def named(self, kind, name, dc=None):
        inv = self.inventory
        found = [i for i, o in inv.of_type(kind) if o['props'].get('name') == name
                 and (dc is None or inv.datacenter(i) == dc)]
        if not found:
            raise VMInputError('%s %s not found' % ({'Datastore': 'datastore', 'ClusterComputeResource': 'cluster',
                                                     'HostSystem': 'ESXi host', 'ResourcePool': 'resource pool'}
                                                    .get(kind, kind), name))
        if len(found) > 1:
            raise VMInputError('%d objects are named %s; be more specific' % (len(found), name))
        return found[0]

    def check_names(self, dc):
        """Every network and datastore named in the options exists (checked before any change)."""
        backing = self.network_backing(dc)
        for nic in self.want.get('networks') or ():
            backing(nic['name'])
        for disk in self.want.get('disks') or ():
            if disk['datastore']:
                self.named('Datastore', disk['datastore'], dc)
        if self.p['datastore']:
            self.named('Datastore', self.p['datastore'], dc)

    # ------------------------------------------------------------------ running operations

    def call(self, what, method, *args, **kwargs):
        """A vSphere call whose fault becomes a VMwareError naming the operation and the VM."""
        try:
            return method(*args, **kwargs)
        except vmw.vmodl.MethodFault as exc:
            raise vmw.VMwareError('%s failed: %s' % (what, vmw.fault_text(exc)), fault=vmw.fault_name(exc))

    def wait(self, what, method, *args, **kwargs):
        """Start a task and wait for it."""
        task = self.call(what, method, *args, **kwargs)
        return vmw.wait_for_task(task, what, timeout=self.p['wait_timeout'])

    def power(self, ref, name, op):
        what = '%s of VM %s' % (op, name)
        if op == 'ShutdownGuest':
            self.call(what, ref.ShutdownGuest)
            deadline = time.time() + self.p['wait_timeout']
            while ref.runtime.powerState != 'poweredOff':
                if time.time() > deadline:
                    raise vmw.VMwareError('%s: the guest did not power off within %d s' % (what, self.p['wait_timeout']))
                time.sleep(1)
        elif op == 'RebootGuest':
            self.call(what, ref.RebootGuest)
        else:
            self.wait(what, getattr(ref, op))

    # ------------------------------------------------------------------ the task

    def run(self):
        p = self.p
        self.read()
        ident = self.locate()
        dc = self.datacenter() if ident is None else self.inventory.datacenter(ident)
        try:
            self.check_names(dc)
        except VMInputError as exc:
            self.fail(str(exc))
        if ident is None:
            return self.absent_vm(dc)
        return self.existing_vm(ident, dc)

    def absent_vm(self, dc):
        p = self.p
        if p['state'] == 'absent':
            return dict(changed=False, operations=[], differences=[], reboot_required=False, pending_changes=[],
                        diff={'before': {'state': 'absent'}, 'after': {'state': 'absent'}})
        if not p['name']:
            ident = ('uuid', p['uuid']) if p['uuid'] else ('moid', p['moid'])
            self.fail('no VM has %s %s, and a new VM needs a name' % ident)
        if p['state'] in ('shutdownguest', 'rebootguest'):
            self.fail('VM %s does not exist: state=%s needs a running VM' % (p['name'], p['state']))
        if dc is None:
            self.fail('the vCenter has several datacenters: give datacenter to create VM %s' % p['name'])
        try:
            placement = self.placement(dc)
        except VMInputError as exc:
            self.fail(str(exc))
        template = self.template(dc) if p['template'] else None
        want = dict(self.want)
        ops = ['CloneVM_Task'] if template else ['CreateVM_Task']
        if template:
            current = self.current(template)
            differ, changes = compare(current, want, 'poweredOff')
            if changes:
                ops.append('ReconfigVM_Task')
        else:
            for key, value in CREATE_DEFAULTS.items():
                want.setdefault(key, value)
            differ, changes = compare({}, want, 'poweredOff')
        differ.compare('power_state', None, STATE_POWER.get(p['state']) or 'poweredOff')
        _before, after, _deferred = power_plan('poweredOff', p['state'], False, False)
        ops += after
        result = dict(changed=True, operations=ops, differences=differ.differences, reboot_required=False,
                      pending_changes=[], diff={'before': {'state': 'absent'}, 'after': differ.diff['after']})
        if self.module.check_mode:
            return result
        self.operations = ops
        if template:
            ref = self.clone(template, placement)
        else:
            ref = self.create(want, placement, dc)
        ident = vmw.moid(ref)
        self.inventory.add('VirtualMachine', ident, {'name': p['name']}, ref)
        if template and changes:
            current = self.current(ident)
            _differ, changes = compare(current, want, 'poweredOff')
            self.reconfigure(ident, changes, current, dc, placement)
        for op in after:
            self.power(ref, p['name'], op)
        self.detail(ident)
        result['vm'] = self.record(ident)
        return result

    def placement(self, dc):
        """(folder ref, resource pool ref, host ref or None, datastore name) for a new VM."""
        p = self.p
        inv = self.inventory
        folder_path = self.folder_path(dc)
        if folder_path:
            folders = [i for i, o in inv.of_type('Folder') if '%s/%s' % (inv.path(i).rstrip('/'), o['props'].get('name'))
                       == folder_path]
            if not folders:
                raise VMInputError('folder %s not found (create it first)' % folder_path)
            folder = inv.objects[folders[0]]['ref']
        else:
            folder = inv.props(dc).get('vmFolder')
        host = None
        if p['esxi_hostname']:
            host_id = self.named('HostSystem', p['esxi_hostname'], dc)
            host = inv.objects[host_id]['ref']
        if p['resource_pool']:
            pools = [i for i, o in inv.of_type('ResourcePool') if o['props'].get('name') == p['resource_pool']
                     and inv.datacenter(i) == dc and (not p['cluster'] or inv.name(vmw.moid(
                         o['props'].get('owner'))) == p['cluster'])]
            if len(pools) != 1:
                raise VMInputError('resource pool %s: %s' % (p['resource_pool'], 'not found' if not pools else
                                                             'several match; give cluster'))
            pool = inv.objects[pools[0]]['ref']
        else:
            if p['cluster']:
                owner = self.named('ClusterComputeResource', p['cluster'], dc)
            elif host is not None:
                owner = vmw.moid(inv.props(vmw.moid(host)).get('parent'))
            else:
                owners = [i for i, o in inv.objects.items()
                          if o['type'] in ('ClusterComputeResource', 'ComputeResource') and inv.datacenter(i) == dc]
                if len(owners) != 1:
                    raise VMInputError('give cluster, esxi_hostname or resource_pool: datacenter %s has %d clusters '
                                       'and hosts' % (inv.name(dc), len(owners)))
                owner = owners[0]
            roots = [i for i, o in inv.of_type('ResourcePool') if vmw.moid(o['props'].get('owner')) == owner
                     and inv.objects.get(vmw.moid(o['props'].get('parent')), {}).get('type') != 'ResourcePool']
            if not roots:
                raise VMInputError('no resource pool found for %s' % inv.name(owner))
            pool = inv.objects[roots[0]]['ref']
        datastore = p['datastore']
        if not datastore:
            stores = [o['props'].get('name') for i, o in inv.of_type('Datastore') if inv.datacenter(i) == dc]
            if len(stores) != 1 and not p['template']:
                raise VMInputError('give datastore: datacenter %s has %d datastores' % (inv.name(dc), len(stores)))
            datastore = stores[0] if len(stores) == 1 else None
        return {'folder': folder, 'pool': pool, 'host': host, 'datastore': datastore}

    def template(self, dc):
        inv = self.inventory
        name = self.p['template']
        found = [i for i, o in inv.vms() if (o['props'].get('name') == name or
                                             '%s/%s' % (inv.path(i), o['props'].get('name')) == name)
                 and inv.datacenter(i) == dc]
        if not found:
            self.fail('template %s not found' % name)
        if len(found) > 1:
            self.fail('%d VMs are named %s: %s; give the template as a full path' % (
                len(found), name, ', '.join(sorted('%s/%s' % (inv.path(i), name) for i in found))))
        return found[0]

    def clone(self, template, placement):
        vim = vmw.vim
        location = vim.vm.RelocateSpec(pool=placement['pool'])
        if placement['host'] is not None:
            location.host = placement['host']
        if self.p['datastore']:
            location.datastore = self.inventory.objects[self.named('Datastore', self.p['datastore'])]['ref']
        spec = vim.vm.CloneSpec(location=location, powerOn=False, template=False)
        ref = self.inventory.objects[template]['ref']
        return self.wait('CloneVM_Task of %s to VM %s' % (self.p['template'], self.p['name']), ref.CloneVM_Task,
                         folder=placement['folder'], name=self.p['name'], spec=spec)

    def create(self, want, placement, dc):
        vim = vmw.vim
        scsi = SCSI(self.new_key())
        controller = vim.vm.device.ParaVirtualSCSIController(key=scsi.key, busNumber=0, sharedBus='noSharing')
        changes = compare({}, want, 'poweredOff')[1]
        spec = config_spec(changes, want, {'devices': {}}, self.network_backing(dc), scsi, self.new_key,
                           self.disk_file(placement['datastore']))
        spec.name = self.p['name']
        spec.files = vim.vm.FileInfo(vmPathName='[%s]' % placement['datastore'])
        op = vim.vm.device.VirtualDeviceSpec.Operation
        spec.deviceChange = [vim.vm.device.VirtualDeviceSpec(operation=op.add, device=controller)] + \
            list(spec.deviceChange or [])
        folder = placement['folder']
        return self.wait('CreateVM_Task of VM %s' % self.p['name'], folder.CreateVM_Task, config=spec,
                         pool=placement['pool'], host=placement['host'])

    def disk_file(self, default_datastore):
        def prefix(disk):
            return '[%s]' % (disk['datastore'] or default_datastore)
        return prefix

    def scsi(self, current):
        controllers = [d for d in current['devices'].values() if hasattr(d, 'sharedBus') and hasattr(d, 'busNumber')]
        if not controllers:
            return None
        controller = sorted(controllers, key=lambda c: c.busNumber)[0]
        used = [d.unitNumber for d in current['devices'].values() if getattr(d, 'controllerKey', None) == controller.key]
        return SCSI(controller.key, used)

    def reconfigure(self, ident, changes, current, dc, placement=None):
        if not changes:
            return
        ref = self.inventory.objects[ident]['ref']
        name = self.inventory.name(ident) or self.p['name']
        scsi = self.scsi(current)
        adds_disk = any(c.key == 'disks' and 'add' in c.detail for c in changes)
        vim = vmw.vim
        extra = []
        if adds_disk and scsi is None:
            scsi = SCSI(self.new_key())
            extra.append(vim.vm.device.VirtualDeviceSpec(
                operation=vim.vm.device.VirtualDeviceSpec.Operation.add,
                device=vim.vm.device.ParaVirtualSCSIController(key=scsi.key, busNumber=0, sharedBus='noSharing')))
        vm_store = self.p['datastore'] or (current['disks'][0]['file'].split(']')[0].lstrip('[')
                                           if current['disks'] and current['disks'][0]['file'] else None)
        spec = config_spec(changes, self.want, current, self.network_backing(dc), scsi or SCSI(0), self.new_key,
                           self.disk_file(vm_store))
        if extra:
            spec.deviceChange = extra + list(spec.deviceChange or [])
        self.wait('ReconfigVM_Task of VM %s' % name, ref.ReconfigVM_Task, spec=spec)

    def existing_vm(self, ident, dc):
        p = self.p
        props = self.inventory.props(ident)
        name = props.get('name')
        power = props.get('runtime.powerState')
        if p['state'] == 'absent':
            ops = (['PowerOffVM_Task'] if power != 'poweredOff' else []) + ['Destroy_Task']
            result = dict(changed=True, operations=ops, differences=['state'], reboot_required=False,
                          pending_changes=[], diff={'before': {'state': 'present', 'power_state': power},
                                                    'after': {'state': 'absent'}})
            if not self.module.check_mode:
                ref = self.inventory.objects[ident]['ref']
                self.operations = ops
                for op in ops[:-1]:
                    self.power(ref, name, op)
                self.wait('Destroy_Task of VM %s' % name, ref.Destroy_Task)
            return result
        if props.get('config.template') and STATE_POWER.get(p['state']):
            self.fail('%s is a template: it has no power state (state=%s)' % (name, p['state']))
        if p['state'] == 'rebootguest' and power != 'poweredOn':
            self.fail('VM %s is %s: state=rebootguest needs it powered on' % (name, power))
        try:
            current = self.current(ident)
            differ, changes = compare(current, self.want, power)
        except VMInputError as exc:
            self.fail(str(exc))
        cold = [c for c in changes if c.cold]
        before, after, deferred = power_plan(power, p['state'], bool(cold), p['force_reconfigure'])
        apply = [c for c in changes if not (deferred and c.cold)]
        pending = sorted(set(c.key for c in cold)) if deferred else []
        ops = before + (['ReconfigVM_Task'] if apply else []) + after
        target = STATE_POWER.get(p['state'])
        if target:
            differ.compare('power_state', power, target)
        shown = differ.diff
        for key in pending:
            if key in shown['after'] and key not in ('disks', 'networks'):
                shown['after'][key] = shown['before'][key]
        result = dict(changed=bool(ops), operations=ops, differences=differ.differences,
                      reboot_required=bool(pending), pending_changes=pending, diff=shown)
        if pending:
            self.module.warn('VM %s runs: %s change(s) only when it is powered off; set force_reconfigure=true '
                             'or power it off' % (name, ', '.join(pending)))
        if self.module.check_mode or not ops:
            result['vm'] = self.record(ident)
            return result
        self.operations = ops
        ref = self.inventory.objects[ident]['ref']
        for op in before:
            self.power(ref, name, op)
        if apply:
            self.reconfigure(ident, apply, current, dc)   # a power-off changes no device: the first read serves
        for op in after:
            self.power(ref, name, op)
        self.detail(ident)
        result['vm'] = self.record(ident)
        return result

    def record(self, ident):
        if 'config' not in self.inventory.props(ident):
            self.detail(ident)
        return vmw.record(self.inventory, ident, vcenter=self.p['hostname']).to_dict()


def main():
    argument_spec = vmw.vmware_argument_spec()
    argument_spec.update(
        name=dict(type='str'),
        uuid=dict(type='str', aliases=['instance_uuid']),
        moid=dict(type='str'),
        datacenter=dict(type='str'),
        folder=dict(type='str'),
        state=dict(type='str', default='present',
                   choices=['present', 'poweredon', 'poweredoff', 'suspended', 'restarted', 'shutdownguest',
                            'rebootguest', 'absent']),
        template=dict(type='str'),
        guest_id=dict(type='str'),
        cpus=dict(type='int'),
        cores_per_socket=dict(type='int'),
        memory=dict(type='str'),
        cpu_hot_add=dict(type='bool'),
        memory_hot_add=dict(type='bool'),
        cpu_shares=dict(type='str'),
        cpu_reservation=dict(type='int'),
        cpu_limit=dict(type='str'),
        memory_shares=dict(type='str'),
        memory_reservation=dict(type='str'),
        memory_limit=dict(type='str'),
        annotation=dict(type='str', aliases=['notes']),
        disks=dict(type='list', elements='dict', options=dict(
            size=dict(type='str', required=True),
            datastore=dict(type='str'),
            type=dict(type='str', default='thin', choices=['thin', 'thick', 'eagerzeroedthick']),
        )),
        networks=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            device_type=dict(type='str', default='vmxnet3',
                             choices=['vmxnet3', 'e1000e', 'e1000', 'vmxnet2', 'pcnet32', 'sriov']),
            connected=dict(type='bool', default=True),
            start_connected=dict(type='bool', default=True),
        )),
        datastore=dict(type='str'),
        cluster=dict(type='str'),
        esxi_hostname=dict(type='str'),
        resource_pool=dict(type='str'),
        force_reconfigure=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=3600),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_one_of=[('name', 'uuid', 'moid')], mutually_exclusive=[('uuid', 'moid')])
    if not vmw.HAS_PYVMOMI:
        module.fail_json(msg=missing_required_lib('pyVmomi'), exception=str(vmw.PYVMOMI_IMPORT_ERROR))
    p = module.params
    problems = vmw.connection_problems(p)
    try:
        want = desired_settings(p)
    except VMInputError as exc:
        problems.append(str(exc))
    if p['wait_timeout'] <= 0:
        problems.append('wait_timeout must be positive')
    for key in ('name', 'folder', 'datacenter', 'template'):
        if p[key] is not None and (not p[key].strip() or '\n' in p[key]):
            problems.append('%s must be one non-empty line' % key)
    if p['name'] and len(p['name']) > 80:
        problems.append('name is longer than the 80 characters vSphere allows')
    if problems:
        module.fail_json(msg='vmware_vm: invalid input: ' + '; '.join(problems), operations=[])
    try:
        si = vmw.connect(p)
    except vmw.VMwareError as exc:
        module.fail_json(operations=[], **exc.result())
    vm = VMwareVM(module, si, want)
    try:
        result = vm.run()
    except vmw.VMwareError as exc:
        module.fail_json(operations=vm.operations, **exc.result())
    except vmw.vmodl.MethodFault as exc:
        module.fail_json(msg='vmware_vm: %s' % vmw.fault_text(exc), fault=vmw.fault_name(exc), operations=vm.operations)
    finally:
        vmw.disconnect(si)
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
