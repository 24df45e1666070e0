#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: openvz_ve
short_description: Create, configure, start, stop and destroy OpenVZ containers
version_added: 0.1.0
description:
  - Converges one OpenVZ container (CT) on a hardware node running the legacy OpenVZ tools (C(vzctl) and
    C(vzlist) 4.x) to the declared state and settings.
  - The CT is read once with C(vzlist); only the settings that differ are changed, all of them in one
    C(vzctl set ... --save), and the lifecycle takes the fewest C(vzctl) commands from wherever the CT is
    (running, stopped, mounted or suspended).
  - Check mode predicts exactly which commands would run and runs none of them; diff mode shows the
    compared settings before and after.
  - Sizes take human units (V(512M), V(1G), V(1.5T)) and are compared in canonical units, so V(1G)
    against a CT with 1024M is no change.
  - Every option is validated before any command runs.
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
      - An OpenVZ hardware node with vzctl 4.x (legacy OpenVZ). Virtuozzo 7 nodes use M(datacenter.ve.virtuozzo_ve).
options:
  ctid:
    description:
      - Numeric ID of the CT (101 or above; IDs up to 100 are reserved).
      - Required to create a CT. With O(name) only, an existing CT is found by its name.
    type: str
    aliases: [veid]
  name:
    description:
      - The CT's vzctl name (letters, digits, space, V(-), V(+), V(_), V(.)); usable instead of O(ctid) to find an
        existing CT.
      - When O(ctid) is given too, the name is a setting that is converged (renaming the CT).
    type: str
  state:
    description:
      - V(present) makes sure the CT exists, whatever its run state.
      - V(started), V(stopped), V(mounted) and V(suspended) reach that run state.
      - V(restarted) restarts a running CT (always a change) and starts one that is not running.
      - V(absent) stops and destroys the CT (its private area is deleted).
    type: str
    choices: [present, started, stopped, restarted, mounted, suspended, absent]
    default: present
  ostemplate:
    description:
      - OS template cache name used to create the CT (for example V(debian-12-x86_64)). Creation only.
      - When left out, vzctl uses the node's C(DEF_OSTEMPLATE).
    type: str
  config:
    description: Sample configuration applied at creation (V(vswap-1g) uses C(ve-vswap-1g.conf-sample)). Creation only.
    type: str
  layout:
    description: Private area layout at creation. Creation only.
    type: str
    choices: [ploop, simfs]
  private:
    description: Private area path at creation (C($VEID) is substituted by vzctl). Creation only.
    type: path
  root:
    description: Root mount point path at creation (C($VEID) is substituted by vzctl). Creation only.
    type: path
  hostname:
    description: Host name inside the CT.
    type: str
  ip_addresses:
    description:
      - The exact set of IPv4 and IPv6 addresses of the CT (venet). Addresses missing are added, others removed.
      - An address may carry a prefix length (V(192.0.2.10/24)); addresses compare without it.
    type: list
    elements: str
    aliases: [ip_address, ipadd]
  nameservers:
    description: DNS servers of the CT, in order (replaces the list), or V(inherit) to use the node's.
    type: list
    elements: str
    aliases: [nameserver]
  searchdomains:
    description: DNS search domains of the CT, in order (replaces the list), or V(inherit).
    type: list
    elements: str
    aliases: [searchdomain]
  onboot:
    description: Start the CT when the node boots.
    type: bool
  ram:
    description: Memory of the CT (vSwap C(physpages) limit), for example V(1G). Rounded down to whole 4 KiB pages.
    type: str
  swap:
    description: Swap of the CT (vSwap C(swappages) limit), for example V(512M).
    type: str
  diskspace:
    description:
      - Disk space, V(soft:hard) or one value for both (V(10G), V(10G:11G)). Rounded down to whole KiB.
      - On ploop the image is resized; vzctl ignores the hard limit there.
    type: str
  diskinodes:
    description: Inode limits, V(soft:hard) or one value for both.
    type: str
  cpus:
    description: Number of CPUs the CT sees.
    type: int
  cpulimit:
    description: CPU limit in percent of one CPU (V(150) or V(150%) is one and a half CPUs); V(0) means no limit.
    type: str
  cpuunits:
    description: CPU weight against other CTs (8 to 500000; vzctl's default is 1000).
    type: int
  ioprio:
    description: Disk I/O priority, 0 (lowest) to 7 (highest).
    type: int
  features:
    description:
      - Kernel features to turn on or off, as a mapping of feature name to V(true) or V(false)
        (V(sysfs), V(nfs), V(sit), V(ipip), V(ppp), V(ipgre), V(bridge), V(nfsd)). Features not listed are left alone.
      - On a running CT the change is saved and takes effect at the next start, unless O(setmode=restart).
    type: dict
  capabilities:
    description:
      - Capabilities to grant or revoke, as a mapping of capability name (for example V(net_admin)) to V(true) or
        V(false). Capabilities not listed are left alone.
      - On a running CT the change is saved and takes effect at the next start, unless O(setmode=restart).
    type: dict
  devnodes:
    description:
      - The exact set of device nodes the CT may use, as V(device:perms) with perms among V(r), V(w), V(q)
        (for example V(net/tun:rw)). Devices not listed are removed. V([]) removes them all.
    type: list
    elements: str
  description:
    description: Free-text description of the CT (one line).
    type: str
  extra_params:
    description:
      - Further C(vzctl set) options, by name without dashes, that are compared with the CT like the others.
      - Supported are the UBC parameters (V(kmemsize), V(numproc), V(privvmpages), ... as V(barrier:limit) or one
        value; C(*pages) take sizes or pages, C(num*) counts, the rest bytes) and V(netfilter), V(bootorder),
        V(iolimit), V(iopslimit), V(vm_overcommit), V(disabled).
    type: dict
  userpasswd:
    description:
      - V(user:password) to set inside the CT (C(chpasswd) run through C(vzctl exec2), the password on its standard
        input, never on a command line). A CT that is not running is started for it and returned to its state.
      - Applied when the CT is created, or on every run with O(update_password=always).
    type: str
  update_password:
    description:
      - V(on_create) sets O(userpasswd) only when the CT is created.
      - V(always) sets it on every run (and so always reports a change).
    type: str
    choices: [always, on_create]
    default: on_create
  setmode:
    description:
      - What to do when a setting that cannot change on a running CT (features, capabilities) differs.
      - V(none) saves it for the next start and warns; V(restart) saves it and restarts the CT now.
    type: str
    choices: [none, restart]
    default: none
  timeout:
    description: Seconds each vzctl or vzlist command may take before it is killed and the task fails.
    type: int
    default: 300
notes:
  - Identity and create-time options (O(ostemplate), O(config), O(layout), O(private), O(root)) are not changed
    on an existing CT; a difference is reported as a warning.
  - The result lists every command run (or, in check mode, that would run) in RV(commands).
seealso:
  - module: datacenter.ve.openvz_ve_info
'''

EXAMPLES = r'''
- name: A running DNS container, dual stack
  datacenter.ve.openvz_ve:
    ctid: 101
    name: dns1
    ostemplate: debian-12-x86_64
    hostname: dns1.example.org
    ip_addresses: [192.0.2.53, 2001:db8::53]
    nameservers: [192.0.2.1]
    ram: 1G
    swap: 512M
    diskspace: 10G
    cpus: 2
    cpulimit: 150%
    onboot: true
    state: started

- name: Give it more memory (one vzctl set, applied live and saved)
  datacenter.ve.openvz_ve:
    ctid: 101
    ram: 2G

- name: Allow TUN and NFS inside, restarting the CT now
  datacenter.ve.openvz_ve:
    name: dns1
    devnodes: ['net/tun:rw']
    features: {nfs: true}
    setmode: restart

- name: Set root's password at creation (never on the command line)
  datacenter.ve.openvz_ve:
    ctid: 102
    ostemplate: debian-12-x86_64
    userpasswd: "root:{{ vault_ct_root_password }}"
    state: started

- name: Remove a container
  datacenter.ve.openvz_ve:
    ctid: 102
    state: absent
'''

RETURN = r'''
ve:
  description:
    - The CT as the common VE record, read after the changes (in check mode, as it is before them).
    - Absent when the CT does not exist (after O(state=absent), or in check mode before a creation).
  returned: success
  type: dict
  contains:
    technology:
      description: "Always V(openvz)."
      type: str
      returned: success
    id:
      description: "The CTID."
      type: str
      returned: success
    name:
      description: "The vzctl name."
      type: str
      returned: success
    status:
      description: "V(running), V(stopped), V(mounted) or V(suspended)."
      type: str
      returned: success
    hostname:
      description: "Host name."
      type: str
      returned: success
    ipv4:
      description: "IPv4 addresses."
      type: list
      elements: str
      returned: success
    ipv6:
      description: "IPv6 addresses."
      type: list
      elements: str
      returned: success
    os:
      description: "OS template."
      type: str
      returned: success
    memory:
      description: "RAM, canonical size (V(1G))."
      type: str
      returned: success
    swap:
      description: "Swap, canonical size."
      type: str
      returned: success
    disk:
      description: "Disk space soft limit, canonical size."
      type: str
      returned: success
    raw:
      description: "The CT's object as C(vzlist -j) prints it."
      type: dict
      returned: success
  sample:
    technology: openvz
    id: '101'
    name: dns1
    status: running
    hostname: dns1.example.org
    ipv4: [192.0.2.53]
    ipv6: ['2001:db8::53']
    os: debian-12-x86_64
    memory: 1G
commands:
  description: Every command run, in order (in check mode, every command that would run), as argv lists.
  returned: always
  type: list
  elements: list
  sample: [[vzctl, set, '101', --ram, 2G, --save]]
differences:
  description: The names of the settings (and V(state)) that differed.
  returned: always
  type: list
  elements: str
  sample: [ram, state]
'''

import socket
import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._openvz import (
    OpenVZClient, OpenVZInputError, compare_settings, desired_settings, plan_lifecycle, plan_transitions,
    record_from_vzlist, settings_from_vzlist, validate_ctid, CREATE_KEYS, CREATE_ONLY_KEYS, SETTING_KEYS, TARGET_STATUS,
)
from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module
from ansible_collections.datacenter.ve.plugins.module_utils._ve import Differ, userpasswd_problem

ARGUMENT_SPEC = dict(
    ctid=dict(type='str', aliases=['veid']),
    name=dict(type='str'),
    state=dict(type='str', default='present',
               choices=['present', 'started', 'stopped', 'restarted', 'mounted', 'suspended', 'absent']),
    ostemplate=dict(type='str'),
    config=dict(type='str'),
    layout=dict(type='str', choices=['ploop', 'simfs']),
    private=dict(type='path'),
    root=dict(type='path'),
    hostname=dict(type='str'),
    ip_addresses=dict(type='list', elements='str', aliases=['ip_address', 'ipadd']),
    nameservers=dict(type='list', elements='str', aliases=['nameserver']),
    searchdomains=dict(type='list', elements='str', aliases=['searchdomain']),
    onboot=dict(type='bool'),
    ram=dict(type='str'),
    swap=dict(type='str'),
    diskspace=dict(type='str'),
    diskinodes=dict(type='str'),
    cpus=dict(type='int'),
    cpulimit=dict(type='str'),
    cpuunits=dict(type='int'),
    ioprio=dict(type='int'),
    features=dict(type='dict'),
    capabilities=dict(type='dict'),
    devnodes=dict(type='list', elements='str'),
    description=dict(type='str'),
    extra_params=dict(type='dict'),
    userpasswd=dict(type='str', no_log=True),
    update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
    setmode=dict(type='str', default='none', choices=['none', 'restart']),
    timeout=dict(type='int', default=300),
)

# Create-time options, as vzlist shows them, for the "not changed on an existing CT" warning.
CREATE_ONLY_SHOWN = {'ostemplate': 'ostemplate', 'layout': 'layout', 'private': 'private', 'root': 'root'}
RUNNING_ONLY_AT_START = ('features', 'capability')


class OpenVZVE:
    """Plans and applies one CT's convergence; every command goes through the client."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.commands = []
        self.differ = Differ()

    # --- input -------------------------------------------------------------
    def validate(self):
        p = self.params
        if p['ctid'] is None and p['name'] is None:
            self.module.fail_json(msg='one of ctid or name is required to identify the CT')
        try:
            self.ctid = validate_ctid(p['ctid']) if p['ctid'] is not None else None
            self.want = desired_settings(p)
        except OpenVZInputError as exc:
            self.module.fail_json(msg='openvz_ve: invalid input: %s' % exc)
        if p['timeout'] < 1:
            self.module.fail_json(msg='openvz_ve: invalid input: timeout must be at least 1 second')
        problem = userpasswd_problem(p['userpasswd'], p['state']) if p['userpasswd'] is not None else None
        if problem:
            self.module.fail_json(msg='openvz_ve: invalid input: %s' % problem)
        if p['state'] == 'absent':
            given = [k for k in SETTING_KEYS + CREATE_ONLY_KEYS if k != 'name' and p[k] is not None]
            if given:
                self.module.fail_json(msg='openvz_ve: invalid input: state=absent does not take settings (%s)'
                                      % ', '.join(given))

    # --- read --------------------------------------------------------------
    def read(self):
        """One vzlist call; returns the raw object of the CT or None."""
        p = self.params
        objs = self.client.list(ctid=self.ctid, name=p['name'])
        by_id = [o for o in objs if self.ctid is not None and '%s' % o.get('ctid') == self.ctid]
        by_name = [o for o in objs if p['name'] is not None and o.get('name') == p['name']]
        if self.ctid is not None:
            if by_name and '%s' % by_name[0].get('ctid') != self.ctid and self.params['state'] != 'absent':
                self.module.fail_json(msg='openvz_ve: name %r is already used by CT %s, not by CT %s'
                                      % (p['name'], by_name[0].get('ctid'), self.ctid))
            return by_id[0] if by_id else None
        if by_name:
            self.ctid = '%s' % by_name[0].get('ctid')
            return by_name[0]
        return None

    # --- plan ----------------------------------------------------------------
    def plan(self, obj):
        """The commands to run, in order, as (argv, what, data) tuples; fills the differ."""
        p = self.params
        state = p['state']
        status = obj.get('status') if obj else 'absent'
        status = status if status in ('running', 'stopped', 'mounted', 'suspended', 'absent') else 'stopped'
        steps = []
        if state == 'absent':
            self.differ.compare('state', status if obj else 'absent', 'absent')
            for action in plan_transitions(status, 'absent'):
                steps.append(self._action(action))
            return steps
        if obj is None:
            if self.ctid is None:
                self.module.fail_json(msg='openvz_ve: CT named %r does not exist; ctid is required to create it'
                                      % p['name'])
            self.differ.compare('state', 'absent', TARGET_STATUS.get(state, 'present'))
            set_values = compare_settings(self.differ, None, self.want)
            create_values = dict((k, p[k]) for k in CREATE_ONLY_KEYS if p[k] is not None)
            for key in CREATE_KEYS:
                if key in set_values:
                    create_values[key] = set_values.pop(key)
            set_values.pop('ipdel', None)
            steps.append((self.client.create_argv(self.ctid, create_values), 'create CT %s' % self.ctid, None))
            if set_values:
                steps.append((self.client.set_argv(self.ctid, set_values), 'set CT %s' % self.ctid, None))
            status = 'stopped'
            created = True
        else:
            self._warn_create_only(obj)
            conf = self.client.read_conf(self.ctid) if self.want['devnodes'] is not None else None
            current = settings_from_vzlist(obj, conf)
            set_values = compare_settings(self.differ, current, self.want)
            if set_values:
                if status == 'running' and p['setmode'] == 'restart' and \
                        any(k in set_values for k in RUNNING_ONLY_AT_START):
                    set_values['setmode'] = 'restart'
                steps.append((self.client.set_argv(self.ctid, set_values), 'set CT %s' % self.ctid, None))
            created = False
            if state != 'present':
                # 'restarted' always differs: it is an action, not a state to reach.
                self.differ.compare('state', status, 'restarted' if state == 'restarted' else TARGET_STATUS[state])
        inside = None
        if p['userpasswd'] is not None and (created or p['update_password'] == 'always'):
            inside = (self.client.exec2_argv(self.ctid, ['chpasswd']), 'set the password in CT %s' % self.ctid,
                      p['userpasswd'] + '\n')
            self.differ.compare('password', 'unknown', 'set')
        steps.extend(a if a is inside else self._action(a) for a in plan_lifecycle(status, state, inside))
        return steps

    def _action(self, action):
        return (self.client.action_argv(action, self.ctid), '%s CT %s' % (action, self.ctid), None)

    def _warn_create_only(self, obj):
        for option, field in CREATE_ONLY_SHOWN.items():
            wanted = self.params[option]
            if wanted is not None:
                # vzctl substitutes $VEID in paths; vzlist shows them expanded.
                wanted = wanted.replace('$VEID', self.ctid)
            have = obj.get(field)
            if wanted is not None and have is not None and wanted != have:
                self.module.warn('%s=%s is a creation option; CT %s has %s and keeps it'
                                 % (option, wanted, self.ctid, have))

    # --- apply ---------------------------------------------------------------
    def run(self):
        self.validate()
        obj = self.read()
        steps = self.plan(obj)
        self.commands = [argv for argv, _what, _data in steps]
        changed = bool(steps) or self.differ.changed
        if not self.module.check_mode:
            for argv, what, data in steps:
                result = self.client.run(argv, what=what, data=data)
                if argv[1] == 'set' and 'could not be applied to a running container' in result.stderr:
                    self.module.warn('CT %s: some settings take effect at its next start (use setmode=restart '
                                     'to restart it now): %s' % (self.ctid, result.stderr.strip()))
            if steps:
                remaining = self.client.list(ctid=self.ctid) if self.ctid else []
                obj = remaining[0] if remaining else None
        result = dict(changed=changed, commands=self.commands, differences=self.differ.differences)
        if obj is not None:
            result['ve'] = record_from_vzlist(obj, node=socket.gethostname()).to_dict()
        if self.module._diff:
            result['diff'] = self.differ.diff
        self.module.exit_json(**result)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    client = OpenVZClient(ModuleExecutor(module), timeout=module.params['timeout'])
    ve = OpenVZVE(module, client)
    try:
        ve.run()
    except CommandError as exc:
        fail_module(module, exc, commands=ve.commands)
    except Exception as exc:  # pylint: disable=broad-except
        module.fail_json(msg='openvz_ve: unexpected error: %s' % exc, exception=traceback.format_exc(),
                         commands=ve.commands)


if __name__ == '__main__':
    main()
