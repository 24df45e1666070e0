#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virtuozzo_snapshot
short_description: Create, switch to and delete snapshots of Virtuozzo containers and VMs
version_added: 0.1.0
description:
  - Keeps a named snapshot of a Virtuozzo VE present or absent, or makes it the current one (reverting the VE to it),
    with C(prlctl snapshot), C(snapshot-switch) and C(snapshot-delete).
  - Snapshots are identified by name; the result lists all of the VE's snapshots.
author:
  - datacenter.ve developers (@datacenter-ve)
extends_documentation_fragment:
  - datacenter.ve.attributes
  - datacenter.ve.attributes.platform_node
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
    details:
      - A Virtuozzo 7 or Virtuozzo Hybrid Server node with C(prlctl).
options:
  ve:
    description: Name or UUID of the container or VM.
    type: str
    required: true
  name:
    description: Name of the snapshot.
    type: str
    required: true
  description:
    description: Description given to a new snapshot.
    type: str
  state:
    description:
      - V(present) creates the snapshot when no snapshot of that name exists.
      - V(current) switches the VE to it (it must exist); V(absent) deletes every snapshot of that name.
    type: str
    choices: [present, current, absent]
    default: present
  timeout:
    description: Seconds each prlctl command may take.
    type: int
    default: 1800
seealso:
  - module: datacenter.ve.virtuozzo_ve
'''

EXAMPLES = r'''
- name: Snapshot before an upgrade
  datacenter.ve.virtuozzo_snapshot:
    ve: web1
    name: before-upgrade
    description: before the PHP upgrade

- name: Roll back
  datacenter.ve.virtuozzo_snapshot:
    ve: web1
    name: before-upgrade
    state: current
'''

RETURN = r'''
snapshots:
  description: The VE's snapshots after the task (in check mode, before it).
  returned: always
  type: list
  elements: dict
  sample: [{id: '{48b0ef3d-2a0d-4233-90e6-b8c124778aaa}', parent: null, current: true, name: before-upgrade}]
commands:
  description: The commands run (in check mode, that would run).
  returned: always
  type: list
  elements: list
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module
from ansible_collections.datacenter.ve.plugins.module_utils._virtuozzo import (
    VirtuozzoClient, parse_snapshot_info, parse_snapshot_list, snapshot_argv,
)


def read(client, ve):
    prl = client.prlctl
    result = prl.run_argv([client.bin, 'snapshot-list', ve, '-H'], what='prlctl snapshot-list %s' % ve)
    snapshots = parse_snapshot_list(result.stdout)
    for snap in snapshots:
        detail = prl.run_argv([client.bin, 'snapshot-list', ve, '-i', snap['id']], what='prlctl snapshot-list -i')
        info = parse_snapshot_info(detail.stdout)
        snap['name'] = info.get('name') or None
        snap['description'] = info.get('description') or None
        snap['date'] = info.get('date') or None
    return snapshots


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ve=dict(type='str', required=True),
            name=dict(type='str', required=True),
            description=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'current', 'absent']),
            timeout=dict(type='int', default=1800),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not p['name'].strip() or '\n' in p['name'] or (p['description'] and '\n' in p['description']):
        module.fail_json(msg='virtuozzo_snapshot: invalid input: name and description are one non-empty line each')
    client = VirtuozzoClient(ModuleExecutor(module), timeout=p['timeout'])
    commands = []
    try:
        snapshots = read(client, p['ve'])
        named = [s for s in snapshots if s['name'] == p['name']]
        if p['state'] == 'present' and not named:
            commands.append(snapshot_argv(client.bin, 'snapshot', p['ve'], name=p['name'],
                                          description=p['description']))
        elif p['state'] == 'current':
            if not named:
                module.fail_json(msg='virtuozzo_snapshot: VE %s has no snapshot named %r to switch to'
                                 % (p['ve'], p['name']), snapshots=snapshots)
            if len(named) > 1:
                module.fail_json(msg='virtuozzo_snapshot: VE %s has %d snapshots named %r; switch by hand'
                                 % (p['ve'], len(named), p['name']), snapshots=snapshots)
            if not named[0]['current']:
                commands.append(snapshot_argv(client.bin, 'snapshot-switch', p['ve'], named[0]['id']))
        elif p['state'] == 'absent':
            commands.extend(snapshot_argv(client.bin, 'snapshot-delete', p['ve'], s['id']) for s in named)
        if commands and not module.check_mode:
            for argv in commands:
                client.run(argv, what='%s of VE %s' % (argv[1], p['ve']))
            snapshots = read(client, p['ve'])
    except CommandError as exc:
        fail_module(module, exc, commands=commands)
    module.exit_json(changed=bool(commands), commands=commands, snapshots=snapshots)


if __name__ == '__main__':
    main()
