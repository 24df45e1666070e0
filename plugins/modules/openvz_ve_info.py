#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: openvz_ve_info
short_description: List OpenVZ containers as common VE records
version_added: 0.1.0
description:
  - Reads every container (CT) of an OpenVZ hardware node (legacy vzctl/vzlist 4.x) with one C(vzlist -a -j)
    call and returns them as common VE records, each with the raw C(vzlist) data.
  - Filters by CTID, name and status are applied to that one read.
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
      - An OpenVZ hardware node with vzctl 4.x.
options:
  ctid:
    description: Only these CTIDs.
    type: list
    elements: str
    aliases: [veid]
  name:
    description: Only the CTs with these vzctl names.
    type: list
    elements: str
  status:
    description: Only CTs in these states.
    type: list
    elements: str
    choices: [running, stopped, mounted, suspended]
  timeout:
    description: Seconds the vzlist call may take.
    type: int
    default: 300
seealso:
  - module: datacenter.ve.openvz_ve
'''

EXAMPLES = r'''
- name: Every CT on the node
  datacenter.ve.openvz_ve_info:
  register: cts

- name: The running CTs' addresses
  ansible.builtin.debug:
    msg: "{{ cts.ves | selectattr('status', 'eq', 'running') | map(attribute='ipv4') | list }}"

- name: One CT by name
  datacenter.ve.openvz_ve_info:
    name: [dns1]
  register: dns1
'''

RETURN = r'''
ves:
  description: The CTs that match, ordered by CTID, as common VE records.
  returned: always
  type: list
  elements: dict
  contains:
    technology:
      description: "Always V(openvz)."
      type: str
      returned: always
    node:
      description: "Host name of the hardware node."
      type: str
      returned: always
    id:
      description: "The CTID."
      type: str
      returned: always
    name:
      description: "The vzctl name, or null."
      type: str
      returned: always
    status:
      description: "V(running), V(stopped), V(mounted) or V(suspended)."
      type: str
      returned: always
    hostname:
      description: "Host name."
      type: str
      returned: always
    ipv4:
      description: "IPv4 addresses."
      type: list
      elements: str
      returned: always
    ipv6:
      description: "IPv6 addresses."
      type: list
      elements: str
      returned: always
    os:
      description: "OS template."
      type: str
      returned: always
    cpus:
      description: "CPUs, or null when unset."
      type: int
      returned: always
    cpu_units:
      description: "CPU units."
      type: int
      returned: always
    cpu_limit:
      description: "CPU limit in percent of one CPU (null or 0 is none)."
      type: int
      returned: always
    memory:
      description: "RAM, canonical size."
      type: str
      returned: always
    swap:
      description: "Swap, canonical size."
      type: str
      returned: always
    disk:
      description: "Disk space soft limit, canonical size."
      type: str
      returned: always
    onboot:
      description: "Started at node boot (null when unset)."
      type: bool
      returned: always
    raw:
      description: "The CT's object exactly as C(vzlist -j) gives it."
      type: dict
      returned: always
  sample:
    - technology: openvz
      id: '101'
      name: dns1
      status: running
      hostname: dns1.example.org
      ipv4: [192.0.2.53]
      ipv6: []
      memory: 1G
'''

import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._openvz import OpenVZClient, record_from_vzlist
from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ctid=dict(type='list', elements='str', aliases=['veid']),
            name=dict(type='list', elements='str'),
            status=dict(type='list', elements='str', choices=['running', 'stopped', 'mounted', 'suspended']),
            timeout=dict(type='int', default=300),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = OpenVZClient(ModuleExecutor(module), timeout=p['timeout'])
    try:
        objs = client.list()
    except CommandError as exc:
        fail_module(module, exc)
    node = socket.gethostname()
    ves = []
    for obj in sorted(objs, key=lambda o: int(o.get('ctid') or 0)):
        if p['ctid'] and '%s' % obj.get('ctid') not in [c.strip() for c in p['ctid']]:
            continue
        if p['name'] and obj.get('name') not in p['name']:
            continue
        if p['status'] and obj.get('status') not in p['status']:
            continue
        ves.append(record_from_vzlist(obj, node=node).to_dict())
    module.exit_json(changed=False, ves=ves)


if __name__ == '__main__':
    main()
