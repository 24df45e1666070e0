#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vmware_vm_info
short_description: List vSphere virtual machines as common VE records
version_added: 0.1.0
description:
  - Lists the virtual machines (and, unless told otherwise, templates) a vCenter Server or ESXi host knows, as the
    same VE records the other datacenter.ve modules return.
  - The whole inventory is read with one property-collector request over a container view (paged for very large
    inventories), with the folders, datacenters, hosts and clusters the VMs point at; folder paths, clusters and
    filters are then worked out locally. The number of vSphere API calls does not grow with the number of VMs.
  - Filters combine; a VM is returned when it passes all of them.
author:
  - datacenter.ve developers (@datacenter-ve)
extends_documentation_fragment:
  - datacenter.ve.vmware
  - datacenter.ve.attributes
  - datacenter.ve.attributes.info_module
  - datacenter.ve.attributes.platform_vcenter
options:
  names:
    description:
      - Only VMs whose name matches one of these shell-style patterns (V(web*), V(db-0[1-3]), V(app?)).
      - Matching is case-sensitive, as vSphere names are.
    type: list
    elements: str
  folder:
    description:
      - Only VMs in this inventory folder or below it, as a path from the datacenter, such as V(/DC0/vm/prod).
      - The path of a VM is returned as C(raw.folder).
    type: str
  cluster:
    description: Only VMs that run on a host of this cluster.
    type: str
  datacenter:
    description: Only VMs of this datacenter.
    type: str
  power_states:
    description: Only VMs in one of these power states.
    type: list
    elements: str
    choices: [poweredOn, poweredOff, suspended]
  include_templates:
    description: Whether templates are listed too (their C(raw.template) is V(true)).
    type: bool
    default: true
  properties:
    description:
      - Further VirtualMachine property paths to read in the same request, such as V(config.hardware.device),
        V(summary.quickStats) or V(guest.disk).
      - Each VM's values are returned under C(raw.properties), keyed by path, as plain data. vSphere data objects
        become dictionaries of their set properties with the type name under C(_type), references to other
        objects become their managed object ID, times become ISO 8601 text. A property the VM has no value for
        is V(null).
      - A path vSphere does not know fails the task and names the path.
    type: list
    elements: str
    default: []
notes:
  - VMware Tools report the guest host name and addresses; VMs without running Tools have no C(hostname),
    C(ipv4) or C(ipv6).
seealso:
  - module: datacenter.ve.virtuozzo_ve_info
  - module: datacenter.ve.openvz_ve_info
'''

EXAMPLES = r'''
- name: Every VM and template the vCenter knows
  datacenter.ve.vmware_vm_info:
    hostname: vcenter.example.org
    username: ansible@vsphere.local
    password: "{{ vcenter_password }}"
    ca_path: /etc/pki/vmca-root.pem
  delegate_to: localhost
  register: inventory

- name: The running web servers of the production folder, with their devices
  datacenter.ve.vmware_vm_info:
    hostname: vcenter.example.org
    username: ansible@vsphere.local
    password: "{{ vcenter_password }}"
    folder: /DC1/vm/prod
    names: ['web*']
    power_states: [poweredOn]
    include_templates: false
    properties:
      - config.hardware.device
      - summary.quickStats
  delegate_to: localhost
  register: web

- name: Their addresses
  ansible.builtin.debug:
    msg: "{{ web.vms | map(attribute='ipv4') | flatten }}"

- name: The VMs of one cluster, connection options from VMWARE_HOST, VMWARE_USER and VMWARE_PASSWORD
  datacenter.ve.vmware_vm_info:
    cluster: Cluster-A
  delegate_to: localhost
  register: cluster_a
'''

RETURN = r'''
vms:
  description:
    - The VMs that pass the filters, as common VE records, sorted by name.
    - C(id) is the VM's instance UUID, C(node) the ESXi host it is registered on, C(status) one of V(running),
      V(stopped), V(suspended), C(disk) the storage it uses (committed and uncommitted).
    - C(raw) holds the vSphere view of the VM; see its keys below.
  returned: always
  type: list
  elements: dict
  contains:
    technology:
      description: Always V(vmware).
      type: str
    id:
      description: Instance UUID of the VM (its moid when it has none).
      type: str
    node:
      description: The ESXi host the VM is registered on (the vCenter when unknown).
      type: str
    name:
      description: Name of the VM in the inventory.
      type: str
    status:
      description: V(running), V(stopped), V(suspended) or V(unknown).
      type: str
    hostname:
      description: Guest host name reported by VMware Tools.
      type: str
    ipv4:
      description: Guest IPv4 addresses reported by VMware Tools, the primary one first.
      type: list
      elements: str
    ipv6:
      description: Guest IPv6 addresses reported by VMware Tools (link-local ones left out).
      type: list
      elements: str
    os:
      description: Guest operating system as configured (full name, or the guest ID).
      type: str
    cpus:
      description: Virtual CPUs.
      type: int
    cpu_units:
      description: Always V(null) for VMs (a container notion).
      type: int
    cpu_limit:
      description: Always V(null) for VMs (a container notion).
      type: int
    memory:
      description: Memory size, such as V(4G).
      type: str
    swap:
      description: Always V(null) for VMs.
      type: str
    disk:
      description: Storage used by the VM on its datastores, such as V(40G).
      type: str
    onboot:
      description: Always V(null) for VMs (start order is a host setting).
      type: bool
    raw:
      description: vSphere's view of the VM.
      type: dict
      contains:
        moid:
          description: Managed object ID, such as V(vm-42).
          type: str
        name:
          description: Name of the VM.
          type: str
        instance_uuid:
          description: vCenter instance UUID.
          type: str
        bios_uuid:
          description: BIOS (SMBIOS) UUID.
          type: str
        folder:
          description: Inventory folder path, such as V(/DC0/vm/prod).
          type: str
        datacenter:
          description: Datacenter name.
          type: str
        cluster:
          description: Cluster of its host, if the host is in one.
          type: str
        esxi_host:
          description: ESXi host name.
          type: str
        resource_pool:
          description: Resource pool name.
          type: str
        power_state:
          description: V(poweredOn), V(poweredOff) or V(suspended).
          type: str
        template:
          description: Whether it is a template.
          type: bool
        guest_id:
          description: Configured guest ID.
          type: str
        guest_fullname:
          description: Configured guest OS name.
          type: str
        annotation:
          description: Notes of the VM.
          type: str
        num_cpus:
          description: Virtual CPUs.
          type: int
        cores_per_socket:
          description: Cores per virtual socket.
          type: int
        memory_mb:
          description: Memory in MiB.
          type: int
        vcenter:
          description: The O(hostname) the VM was read from.
          type: str
        properties:
          description: The values of O(properties), keyed by property path.
          type: dict
          returned: when O(properties) is set
  sample:
    - technology: vmware
      id: bfff331f-7f07-572d-951e-edd3701dc061
      node: esx01.example.org
      name: web1
      status: running
      hostname: web1.example.org
      ipv4: [10.0.0.5]
      ipv6: []
      os: Debian GNU/Linux 12 (64-bit)
      cpus: 2
      cpu_units: null
      cpu_limit: null
      memory: 4G
      swap: null
      disk: 40G
      onboot: null
      raw:
        moid: vm-42
        instance_uuid: bfff331f-7f07-572d-951e-edd3701dc061
        bios_uuid: 4203a9b2-6c2e-0e4b-7f3e-33c6e9bd2f11
        name: web1
        folder: /DC1/vm/prod
        datacenter: DC1
        cluster: Cluster-A
        esxi_host: esx01.example.org
        resource_pool: Resources
        power_state: poweredOn
        template: false
        guest_id: debian12_64Guest
        guest_fullname: Debian GNU/Linux 12 (64-bit)
        annotation: null
        num_cpus: 2
        cores_per_socket: 1
        memory_mb: 4096
        vcenter: vcenter.example.org
'''

import re
import socket
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.datacenter.ve.plugins.module_utils._vmware import (
    HAS_PYVMOMI, PYVMOMI_IMPORT_ERROR, RECORD_PROPERTIES, VMwareError, connect, connection_problems, disconnect,
    fault_name, fault_text, matches, read_inventory, record, to_plain, vmware_argument_spec, vmodl,
)

POWER_STATES = ['poweredOn', 'poweredOff', 'suspended']
# A property path: identifiers joined by dots (config.hardware.device).
PROPERTY_PATH = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$')


def argument_spec():
    spec = vmware_argument_spec()
    spec.update(
        names=dict(type='list', elements='str'),
        folder=dict(type='str'),
        cluster=dict(type='str'),
        datacenter=dict(type='str'),
        power_states=dict(type='list', elements='str', choices=POWER_STATES),
        include_templates=dict(type='bool', default=True),
        properties=dict(type='list', elements='str', default=[]),
    )
    return spec


def property_problems(paths):
    bad = [p for p in paths if not PROPERTY_PATH.match(p or '')]
    if bad:
        return ['properties: %s %s not a property path (names joined by dots, such as config.hardware.device)'
                % (', '.join(repr(p) for p in bad), 'is' if len(bad) == 1 else 'are')]
    return []


def list_vms(si, params):
    """The VE records of the VMs that pass the filters, from one bulk read."""
    wanted = list(dict.fromkeys(RECORD_PROPERTIES + list(params['properties'])))
    inventory = read_inventory(si, vm_properties=wanted, include_templates=params['include_templates'])
    vms = []
    for ident, obj in inventory.vms():
        if not matches(inventory, ident, names=params['names'], folder=params['folder'], cluster=params['cluster'],
                       power_states=params['power_states'], datacenter=params['datacenter']):
            continue
        out = record(inventory, ident, vcenter=params['hostname']).to_dict()
        if params['properties']:
            out['raw']['properties'] = dict((path, to_plain(obj['props'].get(path))) for path in params['properties'])
        vms.append(out)
    vms.sort(key=lambda vm: (vm['name'] or '', vm['raw']['moid'] or ''))
    return vms


def gather(params):
    """Connect, read once, log out: the VE records; VMwareError for any failure."""
    where = '%s:%s' % (params['hostname'], params['port'])
    si = connect(params)
    try:
        return list_vms(si, params)
    except vmodl.query.InvalidProperty as exc:
        raise VMwareError('vCenter %s does not know the VM property %s (see properties)'
                          % (where, getattr(exc, 'name', None) or fault_text(exc)), fault=fault_name(exc))
    except vmodl.MethodFault as exc:
        raise VMwareError('reading the inventory of vCenter %s failed: %s' % (where, fault_text(exc)),
                          fault=fault_name(exc))
    except socket.timeout as exc:
        raise VMwareError('vCenter %s did not answer the inventory read within %s s (connect_timeout): %s'
                          % (where, params['connect_timeout'], exc))
    except (socket.error, OSError) as exc:
        raise VMwareError('lost the connection to vCenter %s while reading the inventory: %s' % (where, exc))
    finally:
        disconnect(si)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    if not HAS_PYVMOMI:
        module.fail_json(msg=missing_required_lib('pyVmomi'), exception=''.join(traceback.format_exception(
            type(PYVMOMI_IMPORT_ERROR), PYVMOMI_IMPORT_ERROR, PYVMOMI_IMPORT_ERROR.__traceback__)))
    problems = connection_problems(params) + property_problems(params['properties'])
    if problems:
        module.fail_json(msg='; '.join(problems))
    try:
        vms = gather(params)
    except VMwareError as exc:
        module.fail_json(**exc.result())
    else:
        module.exit_json(changed=False, vms=vms)


if __name__ == '__main__':
    main()
