#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virtuozzo_ve_info
short_description: List Virtuozzo containers and VMs as common VE records
version_added: 0.1.0
description:
  - Lists every VE of a Virtuozzo node (containers and VMs) with C(prlctl list -a -j), filters, and reads each
    remaining VE's details with C(prlctl list -i -j -f).
author:
  - datacenter.ve developers (@datacenter-ve)
extends_documentation_fragment:
  - datacenter.ve.attributes
  - datacenter.ve.attributes.info_module
  - datacenter.ve.attributes.platform_node
attributes:
  platform:
    platforms: posix
    details:
      - A Virtuozzo 7 or Virtuozzo Hybrid Server node with C(prlctl).
options:
  name:
    description: Only these VEs (names or UUIDs).
    type: list
    elements: str
  type:
    description: Only containers (V(ct)) or only VMs (V(vm)).
    type: str
    choices: [ct, vm]
  status:
    description: Only VEs in these prlctl states (V(running), V(stopped), V(suspended), V(paused), V(mounted)...).
    type: list
    elements: str
  timeout:
    description: Seconds each prlctl command may take.
    type: int
    default: 300
seealso:
  - module: datacenter.ve.virtuozzo_ve
'''

EXAMPLES = r'''
- name: Every VE of the node
  datacenter.ve.virtuozzo_ve_info:
  register: ves

- name: The running Windows VMs
  datacenter.ve.virtuozzo_ve_info:
    type: vm
    status: [running]
  register: vms
'''

RETURN = r'''
ves:
  description: The VEs that match, as common VE records; C(raw) holds prlctl's C(list -i -j -f) object.
  returned: always
  type: list
  elements: dict
  sample:
    - technology: virtuozzo
      id: 5c48878e-7936-4206-8f3f-702a5774eb8f
      name: web1
      status: running
      ipv4: [10.0.0.5]
      memory: 1G
'''

import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module
from ansible_collections.datacenter.ve.plugins.module_utils._virtuozzo import VirtuozzoClient, record_from_info


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='list', elements='str'),
            type=dict(type='str', choices=['ct', 'vm']),
            status=dict(type='list', elements='str'),
            timeout=dict(type='int', default=300),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = VirtuozzoClient(ModuleExecutor(module), timeout=p['timeout'])
    wanted = set(n.strip('{}').lower() for n in p['name'] or [])
    ves = []
    try:
        for listed in client.list():
            if wanted and listed.get('name', '').lower() not in wanted and listed.get('uuid', '').lower() not in wanted:
                continue
            if p['type'] and listed.get('type', '').lower() != p['type']:
                continue
            if p['status'] and listed.get('status') not in p['status']:
                continue
            info = client.info(listed['uuid'])
            if info is not None:
                ves.append(record_from_info(info, node=socket.gethostname()).to_dict())
    except CommandError as exc:
        fail_module(module, exc)
    module.exit_json(changed=False, ves=ves)


if __name__ == '__main__':
    main()
