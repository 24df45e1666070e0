#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virtuozzo_ve
short_description: Create, configure, start, stop and delete Virtuozzo containers and VMs
version_added: 0.1.0
description:
  - Converges one Virtuozzo 7 / Virtuozzo Hybrid Server VE (a system container or a virtual machine, Linux or
    Windows guest) managed with C(prlctl).
  - The VE is read once (C(prlctl list -i -j -f)); only settings that differ are changed, in as few
    C(prlctl set) calls as the tool allows (one, plus one per device action, since prlctl takes one
    C(--device-set) per call).
  - Check mode predicts exactly which commands would run and runs none; diff mode shows the compared settings.
  - Sizes take human units and compare canonically; prlctl's warnings on stderr are never taken for failures.
author:
  - datacenter.ve developers (@datacenter-ve)
extends_documentation_fragment:
  - datacenter.ve.attributes
  - datacenter.ve.attributes.platform_node
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
    details:
      - A Virtuozzo 7 or Virtuozzo Hybrid Server node with C(prlctl).
options:
  name:
    description: Name of the VE. Required to create one.
    type: str
  uuid:
    description: UUID of an existing VE, instead of O(name) (with or without braces).
    type: str
  type:
    description: V(ct) for a container, V(vm) for a virtual machine. Required to create; checked against an existing VE.
    type: str
    choices: [ct, vm]
  state:
    description:
      - V(present) makes sure the VE exists, whatever its run state; V(started), V(stopped), V(suspended) reach
        that state; V(restarted) restarts (always a change); V(absent) stops and deletes it.
    type: str
    choices: [present, started, stopped, restarted, suspended, absent]
    default: present
  ostemplate:
    description: OS template of a new container (for example V(debian-12-x86_64)). Creation only.
    type: str
  distribution:
    description: Guest distribution of a new VM (for example V(win-2019), V(centos7)). Creation only.
    type: str
  config:
    description: Sample configuration applied at creation. Creation only.
    type: str
  dst:
    description: Where the new VE's files go. Creation only.
    type: path
  cpus:
    description: Number of CPUs.
    type: int
  cpuunits:
    description: CPU weight (8 to 500000).
    type: int
  cpulimit:
    description: CPU limit in percent of one CPU (V(150) or V(150%)); V(0) means none.
    type: str
  memsize:
    description: Memory (V(1G), V(2048M); a bare number is MiB, as prlctl).
    type: str
  swap:
    description: Swap of a container (V(512M)). prlctl can change it only while the container is stopped.
    type: str
  disk_size:
    description: Size of the first disk C(hdd0) (a bare number is MiB). Grown when smaller; shrinking is refused.
    type: str
  hostname:
    description: Host name inside the VE (for a VM, applied through guest tools).
    type: str
  ip_addresses:
    description:
      - The exact set of IPv4 and IPv6 addresses (optionally with a prefix length) of the container's venet0 or
        the VM's net0 (for a VM, applied through guest tools). Addresses compare without prefix.
    type: list
    elements: str
    aliases: [ip_address]
  nameservers:
    description: DNS servers, in order (replaces the list).
    type: list
    elements: str
  searchdomains:
    description: DNS search domains, in order (replaces the list).
    type: list
    elements: str
  onboot:
    description: Start the VE when the node starts (prlctl C(--onboot)/C(--autostart)).
    type: bool
    aliases: [autostart]
  description:
    description: Free-text description (one line).
    type: str
  ioprio:
    description: Disk I/O priority 0..7.
    type: int
  iolimit:
    description: Disk bandwidth limit (a bare number is MiB/s, as prlctl; V(0) means none).
    type: str
  features:
    description: Container kernel features to turn on or off, as a mapping of name to V(true)/V(false). Others are left alone.
    type: dict
  capabilities:
    description:
      - Container capabilities to grant or revoke, as a mapping of name to V(true)/V(false). Others are left alone.
      - prlctl changes them only while the container is stopped.
    type: dict
  ha_enable:
    description: Manage the VE with Virtuozzo's high availability.
    type: bool
  ha_prio:
    description: High-availability priority.
    type: int
  userpasswd:
    description:
      - V(user:password) set inside the VE with C(chpasswd) through C(prlctl exec), the pair on its standard input
        (never on a command line). A VE that is not running is started for it and returned to its state.
      - A Windows VM has no C(chpasswd); set its passwords with guest tools or inside the guest.
    type: str
  update_password:
    description: V(on_create) sets O(userpasswd) only at creation; V(always) on every run (always a change).
    type: str
    choices: [always, on_create]
    default: on_create
  timeout:
    description: Seconds each prlctl command may take before it is killed and the task fails.
    type: int
    default: 600
notes:
  - A Windows VM is managed like any VM for resources (cpus, memory, disk) and power state; its IP addresses,
    host name and DNS settings reach the guest only through Virtuozzo guest tools, and C(userpasswd) does not apply.
seealso:
  - module: datacenter.ve.virtuozzo_ve_info
'''

EXAMPLES = r'''
- name: A web container
  datacenter.ve.virtuozzo_ve:
    name: web1
    type: ct
    ostemplate: debian-12-x86_64
    hostname: web1.example.org
    ip_addresses: [192.0.2.80/24, "2001:db8::80/64"]
    cpus: 2
    memsize: 2G
    disk_size: 20G
    onboot: true
    state: started

- name: A Windows Server VM carrying a former Virtuozzo-for-Windows IIS container
  datacenter.ve.virtuozzo_ve:
    name: iis1
    type: vm
    distribution: win-2019
    cpus: 4
    memsize: 8G
    disk_size: 100G
    state: started
'''

RETURN = r'''
ve:
  description: The VE as the common VE record (after the changes; in check mode, as before them).
  returned: when the VE exists
  type: dict
commands:
  description: Every command run (in check mode, that would run), as argv lists.
  returned: always
  type: list
  elements: list
differences:
  description: The settings (and V(state)) that differed.
  returned: always
  type: list
  elements: str
'''

import socket
import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module
from ansible_collections.datacenter.ve.plugins.module_utils._ve import Differ, userpasswd_problem
from ansible_collections.datacenter.ve.plugins.module_utils._virtuozzo import (
    CT_ONLY, SETTING_KEYS, TARGET_STATUS, UUID_RE, VirtuozzoClient, VirtuozzoInputError, compare_settings,
    desired_settings, plan_lifecycle, plan_transitions, record_from_info, settings_from_info, validate_name,
)

ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    uuid=dict(type='str'),
    type=dict(type='str', choices=['ct', 'vm']),
    state=dict(type='str', default='present',
               choices=['present', 'started', 'stopped', 'restarted', 'suspended', 'absent']),
    ostemplate=dict(type='str'),
    distribution=dict(type='str'),
    config=dict(type='str'),
    dst=dict(type='path'),
    cpus=dict(type='int'),
    cpuunits=dict(type='int'),
    cpulimit=dict(type='str'),
    memsize=dict(type='str'),
    swap=dict(type='str'),
    disk_size=dict(type='str'),
    hostname=dict(type='str'),
    ip_addresses=dict(type='list', elements='str', aliases=['ip_address']),
    nameservers=dict(type='list', elements='str'),
    searchdomains=dict(type='list', elements='str'),
    onboot=dict(type='bool', aliases=['autostart']),
    description=dict(type='str'),
    ioprio=dict(type='int'),
    iolimit=dict(type='str'),
    features=dict(type='dict'),
    capabilities=dict(type='dict'),
    ha_enable=dict(type='bool'),
    ha_prio=dict(type='int'),
    userpasswd=dict(type='str', no_log=True),
    update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
    timeout=dict(type='int', default=600),
)
CREATE_ONLY = ('ostemplate', 'distribution', 'config', 'dst')
# Settings prlctl changes only on a stopped container (§4; the simulator refuses them on a running one).
STOPPED_ONLY = ('swap', 'capabilities')


class VirtuozzoVE:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.p = module.params
        self.commands = []
        self.differ = Differ()

    def fail(self, msg):
        self.module.fail_json(msg='virtuozzo_ve: %s' % msg, commands=self.commands)

    def validate(self):
        p = self.p
        if not p['name'] and not p['uuid']:
            self.fail('invalid input: one of name or uuid is required')
        try:
            if p['name'] is not None:
                validate_name(p['name'])
            if p['uuid'] is not None and not UUID_RE.match(p['uuid']):
                raise VirtuozzoInputError('uuid: %r is not a UUID' % (p['uuid'],))
            self.want = desired_settings(p, p['type'])
        except VirtuozzoInputError as exc:
            self.fail('invalid input: %s' % exc)
        if p['timeout'] < 1:
            self.fail('invalid input: timeout must be at least 1 second')
        if p['type'] == 'vm' and p['ostemplate']:
            self.fail('invalid input: ostemplate is for containers; a VM takes distribution')
        if p['type'] == 'ct' and p['distribution']:
            self.fail('invalid input: distribution is for VMs; a container takes ostemplate')
        if p['state'] == 'absent':
            given = [k for k in SETTING_KEYS + CREATE_ONLY if p[k] is not None]
            if given:
                self.fail('invalid input: state=absent does not take settings (%s)' % ', '.join(given))
        problem = userpasswd_problem(p['userpasswd'], p['state']) if p['userpasswd'] is not None else None
        if problem:
            self.fail('invalid input: %s' % problem)

    def plan(self, info):
        p = self.p
        state = p['state']
        # Commands name the VE as the user did (prlctl looks names and UUIDs up alike, §1).
        ident = p['name'] or p['uuid']
        self.ident = ident
        if info is None:
            status = 'absent'
        else:
            settled = ('running', 'stopped', 'suspended', 'paused', 'mounted')
            status = info.get('State') if info.get('State') in settled else 'stopped'
        steps = []
        if state == 'absent':
            self.differ.compare('state', status, 'absent')
            return [self._action(a) for a in plan_transitions(status, 'absent')]
        created = info is None
        if created:
            if not p['name']:
                self.fail('VE %s does not exist; name is required to create it' % p['uuid'])
            if not p['type']:
                self.fail('VE %s does not exist; type (ct or vm) is required to create it' % p['name'])
            values = dict(vmtype=p['type'])
            for key in CREATE_ONLY:
                if p[key] is not None:
                    values[key] = p[key]
            steps.append((self.client.create_argv(p['name'], values), 'create VE %s' % p['name'], None))
            self.ident = p['name']
            self.differ.compare('state', 'absent', TARGET_STATUS.get(state, 'present'))
            current, status = None, 'stopped'
        else:
            kind = 'ct' if info.get('Type') == 'CT' else 'vm'
            if p['type'] and p['type'] != kind:
                self.fail('VE %s is a %s, not a %s' % (ident, kind, p['type']))
            if kind == 'vm':
                given = [k for k in CT_ONLY if p[k] is not None]
                if given:
                    self.fail('%s: only containers have these (VE %s is a vm)' % (', '.join(given), ident))
            conf = self.client.read_conf(info.get('ID')) if any(p[k] is not None for k in STOPPED_ONLY) else None
            current = settings_from_info(info, conf)
            if self.want['disk_size'] is not None and current['disk_size'] and \
                    self.want['disk_size'] < current['disk_size']:
                self.fail('disk_size: VE %s has %dM on hdd0; shrinking a disk is refused (asked %dM)'
                          % (p['name'] or ident, current['disk_size'] >> 20, self.want['disk_size'] >> 20))
        calls = compare_settings(self.differ, current, self.want, p['type'] or kind_of(info))
        if not created and status == 'running':
            blocked = [k for k in STOPPED_ONLY if self.differ.differs(k)]
            if blocked and state not in ('stopped',):
                self.fail('%s of a running container can change only while it is stopped; '
                          'use state=stopped for this change' % ', '.join(blocked))
        set_steps = [(self.client.set_argv(self.ident, values), 'set VE %s' % self.ident, None) for values in calls]
        if not created and state != 'present':
            self.differ.compare('state', status, 'restarted' if state == 'restarted' else TARGET_STATUS[state])
        if not created and status == 'running' and any(self.differ.differs(k) for k in STOPPED_ONLY):
            # state=stopped: stop first, then change what needs a stopped container.
            steps.extend(self._action(a) for a in plan_transitions(status, 'stopped'))
            status = 'stopped'
        steps.extend(set_steps)
        inside = None
        if p['userpasswd'] is not None and (created or p['update_password'] == 'always'):
            inside = (self.client.exec_argv(self.ident, ['chpasswd']), 'set the password in VE %s' % self.ident,
                      p['userpasswd'] + '\n')
            self.differ.compare('password', 'unknown', 'set')
        steps.extend(a if a is inside else self._action(a) for a in plan_lifecycle(status, state, inside))
        return steps

    def _action(self, action):
        return (self.client.action_argv(action, self.ident), '%s VE %s' % (action, self.ident), None)

    def run(self):
        self.validate()
        info = self.client.info(self.p['uuid'] or self.p['name'])
        steps = self.plan(info)
        self.commands = [argv for argv, _w, _d in steps]
        if not self.module.check_mode:
            for argv, what, data in steps:
                self.client.run(argv, what=what, data=data)
            if steps:
                info = self.client.info(self.ident)
        result = dict(changed=bool(steps), commands=self.commands, differences=self.differ.differences)
        if info is not None:
            result['ve'] = record_from_info(info, node=socket.gethostname()).to_dict()
        if self.module._diff:
            result['diff'] = self.differ.diff
        self.module.exit_json(**result)


def kind_of(info):
    return 'ct' if (info or {}).get('Type') == 'CT' else 'vm'


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           mutually_exclusive=[('ostemplate', 'distribution')])
    client = VirtuozzoClient(ModuleExecutor(module), timeout=module.params['timeout'])
    ve = VirtuozzoVE(module, client)
    try:
        ve.run()
    except CommandError as exc:
        fail_module(module, exc, commands=ve.commands)
    except Exception as exc:  # pylint: disable=broad-except
        module.fail_json(msg='virtuozzo_ve: unexpected error: %s' % exc, exception=traceback.format_exc(),
                         commands=ve.commands)


if __name__ == '__main__':
    main()
