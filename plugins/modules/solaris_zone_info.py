#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: solaris_zone_info
short_description: List Solaris and illumos zones with their configuration as common VE records
version_added: 0.1.0
description:
  - Reads the zones of a global zone with C(zoneadm list -cp) (Solaris 10, Solaris 11 and illumos line formats,
    escaped colons in zonepaths) and, for each zone, its configuration with C(zonecfg export).
  - Returns common VE records, each with the raw list fields and the parsed configuration.
author:
  - datacenter.ve developers (@datacenter-ve)
extends_documentation_fragment:
  - datacenter.ve.attributes
  - datacenter.ve.attributes.info_module
  - datacenter.ve.attributes.platform_node
attributes:
  platform:
    platforms: [solaris, illumos]
    details:
      - The global zone of a Solaris 10, Solaris 11 or illumos host.
options:
  name:
    description: Only these zones.
    type: list
    elements: str
  state:
    description: Only zones in these zoneadm states.
    type: list
    elements: str
    choices: [configured, incomplete, installed, ready, mounted, running, shutting_down, down, unavailable]
  config:
    description: Read each zone's configuration (one C(zonecfg export) per zone); V(false) lists only.
    type: bool
    default: true
  timeout:
    description: Seconds each command may take.
    type: int
    default: 300
seealso:
  - module: datacenter.ve.solaris_zone
'''

EXAMPLES = r'''
- name: Every zone of the host
  datacenter.ve.solaris_zone_info:
  register: zones

- name: Names of the running zones
  ansible.builtin.debug:
    msg: "{{ zones.ves | selectattr('status', 'eq', 'running') | map(attribute='name') | list }}"
'''

RETURN = r'''
ves:
  description: The non-global zones that match, in C(zoneadm list) order, as common VE records.
  returned: always
  type: list
  elements: dict
  contains:
    technology:
      description: Always V(zones).
      type: str
      returned: always
    id:
      description: The zone name (zone IDs change at every boot; the kernel zone ID is in C(raw.list.zoneid)).
      type: str
      returned: always
    status:
      description: V(running), V(stopped) (installed), V(configured), V(incomplete), V(transition) or V(unknown).
      type: str
      returned: always
    os:
      description: The zone's brand.
      type: str
      returned: always
    raw:
      description: C(list) (the fields of C(zoneadm list -p)) and C(config) (properties and resources as users write them).
      type: dict
      returned: always
  sample:
    - technology: zones
      id: web1
      name: web1
      status: running
      os: ipkg
      memory: 1G
'''

import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module
from ansible_collections.datacenter.ve.plugins.module_utils._zones import ZonesClient, record_from_zone


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='list', elements='str'),
            state=dict(type='list', elements='str',
                       choices=['configured', 'incomplete', 'installed', 'ready', 'mounted', 'running',
                                'shutting_down', 'down', 'unavailable']),
            config=dict(type='bool', default=True),
            timeout=dict(type='int', default=300),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = ZonesClient(ModuleExecutor(module), timeout=p['timeout'])
    node = socket.gethostname()
    ves = []
    try:
        for zone in client.list():
            if zone['name'] == 'global':
                continue
            if p['name'] and zone['name'] not in p['name']:
                continue
            if p['state'] and zone['state'] not in p['state']:
                continue
            config = client.export(zone['name']) if p['config'] else None
            ves.append(record_from_zone(zone, config, node=node).to_dict())
    except CommandError as exc:
        fail_module(module, exc)
    module.exit_json(changed=False, ves=ves)


if __name__ == '__main__':
    main()
