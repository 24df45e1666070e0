#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: solaris_zone
short_description: Configure, install, boot, halt, detach, attach and delete Solaris and illumos zones
version_added: 0.1.0
description:
  - Converges one non-global zone on a Solaris 10, Solaris 11 or illumos global zone, with its whole configuration
    (global properties and resources) and its state.
  - The configuration is read with C(zonecfg export), compared with what is declared, and the smallest zonecfg
    script (V(set), V(select ... end), V(add ... end), V(remove)) is applied in one C(zonecfg -z ZONE -f FILE) call.
    Resources that are not declared are left alone unless O(purge_resources=true).
  - Every state is reached from every other by the shortest legal path of C(zoneadm) commands; an incomplete
    zone (an interrupted install) is repaired by uninstalling it first.
  - Check mode predicts exactly and runs no command that writes; diff mode shows the configuration before and after
    as C(zonecfg export) text, headed by the zone's state.
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
    platforms: [solaris, illumos]
    details:
      - The global zone of a Solaris 10, Solaris 11 or illumos host (zoneadm, zonecfg).
options:
  name:
    description: Zone name (letters, digits, V(-), V(_), V(.); starting with a letter or digit; under 64 characters).
    type: str
    required: true
  state:
    description:
      - V(configured) - the configuration exists; the zone is not installed (an installed zone is uninstalled).
      - V(installed) - installed, running or not. V(stopped) - installed and not running (a running zone is halted).
      - V(running) (or V(started)) - booted.
      - V(detached) - detached from this host (its zonepath holds the detached zone, ready to move).
      - V(attached) - a detached zone attached again (installed).
      - V(absent) - halted, uninstalled and its configuration deleted.
    type: str
    choices: [configured, installed, stopped, running, started, detached, attached, absent]
    default: installed
  zonepath:
    description: Where the zone lives (absolute path). Required to create a zone.
    type: str
  brand:
    description: Zone brand (V(native), V(solaris), V(solaris10), V(ipkg), V(lipkg), V(sparse), V(pkgsrc)...).
    type: str
  autoboot:
    description: Boot the zone when the global zone boots.
    type: bool
  ip_type:
    description: V(shared) IP stack with the global zone, or an V(exclusive) one.
    type: str
    choices: [shared, exclusive]
  limitpriv:
    description: Privilege limit set of the zone.
    type: str
  bootargs:
    description: Arguments given to the zone's boot.
    type: str
  pool:
    description: Resource pool the zone is bound to.
    type: str
  scheduling_class:
    description: Scheduling class of the zone (for example V(FSS)).
    type: str
  hostid:
    description: Emulated host ID (hexadecimal).
    type: str
  fs_allowed:
    description: File system types the zone may mount.
    type: str
  properties:
    description:
      - Any other global zonecfg property by its zonecfg name, for example V(cpu-shares), V(max-lwps),
        V(max-processes), V(max-shm-memory) (sizes in human units).
      - Properties that zonecfg keeps as resource controls are compared with those (C(zone.cpu-shares)...).
    type: dict
  resources:
    description:
      - Resources by zonecfg resource type. Single-instance types (V(capped-memory), V(capped-cpu),
        V(dedicated-cpu)) take one mapping of properties; the others (V(net), V(anet), V(fs), V(dataset),
        V(device), V(rctl), V(attr), V(admin), V(inherit-pkg-dir)) a list of mappings, with zonecfg's own property names.
      - Instances are matched by V(net) address (else physical), V(anet) linkname, V(fs) dir, V(dataset) name,
        V(device) match, V(rctl) name, V(attr) name, V(admin) user. Properties not given are left as they are.
      - List properties are V(options) of V(fs) and V(value) of V(rctl) (as V((priv=privileged,limit=N,action=deny))).
      - Sizes accept human units and compare canonically (V(2G) equals V(2048M)); addresses are IPv4 or IPv6.
    type: dict
  purge_resources:
    description: Remove resources that exist in the configuration but are not declared in O(resources).
    type: bool
    default: false
  reboot_on_change:
    description:
      - A configuration change does not reach a running zone until it reboots; the result says V(reboot_required).
      - With V(true) the module reboots the zone after such a change.
    type: bool
    default: false
  install_options:
    description: Brand-specific options for C(zoneadm install), one list item per word (for example V([-x, nodataset])).
    type: list
    elements: str
    default: []
  sc_profile:
    description: Solaris 11 system configuration profile (a path on the global zone), passed to install as C(-c).
    type: path
  sysidcfg:
    description: Solaris 10 C(sysidcfg) contents, written to the new zone's C(/etc/sysidcfg) before its first boot.
    type: str
  root_password:
    description:
      - Hash (crypt format, for example from C(openssl passwd -6)) set for root in the new zone's C(/etc/shadow)
        before its first boot. Applied when the zone is installed by this module. Never logged.
    type: str
  clone_from:
    description: Install by cloning this installed, halted zone (C(zoneadm clone)) instead of installing.
    type: str
  clone_method:
    description: V(copy) copies the source (C(-m copy)); V(snapshot) lets zoneadm use a ZFS snapshot where it can.
    type: str
    choices: [copy, snapshot]
    default: snapshot
  attach_update:
    description: Update the zone's packages to the host's when attaching (C(zoneadm attach -u)), for moves between hosts.
    type: bool
    default: false
  stop_mode:
    description: V(halt) stops the zone at once; V(shutdown) shuts it down cleanly (not on Solaris 10).
    type: str
    choices: [halt, shutdown]
    default: halt
  timeout:
    description: Seconds each zoneadm or zonecfg command may take before it is killed and the task fails.
    type: int
    default: 1800
notes:
  - Creating a zone starts from a blank configuration (C(create -b)); declare what the zone needs.
seealso:
  - module: datacenter.ve.solaris_zone_info
'''

EXAMPLES = r'''
- name: An Apache zone with capped memory, shared IP
  datacenter.ve.solaris_zone:
    name: web1
    zonepath: /zones/web1
    brand: ipkg
    autoboot: true
    ip_type: shared
    properties:
      cpu-shares: 20
    resources:
      capped-memory: {physical: 1G, swap: 2G}
      net:
        - {physical: e1000g0, address: 192.0.2.80/24}
      fs:
        - {dir: /data, special: /export/web1, type: lofs, options: [nodevices]}
    state: running

- name: An exclusive-IP zone with IPv6
  datacenter.ve.solaris_zone:
    name: dns1
    zonepath: /zones/dns1
    ip_type: exclusive
    resources:
      net:
        - {physical: dns1vnic0, allowed-address: "2001:db8::53/64", defrouter: "fe80::1"}
    root_password: "{{ vault_zone_root_hash }}"
    state: running

- name: Move a zone away (detach), then attach it on the new host
  datacenter.ve.solaris_zone:
    name: db1
    state: detached

- name: Remove a zone completely
  datacenter.ve.solaris_zone:
    name: old1
    state: absent
'''

RETURN = r'''
ve:
  description: The zone as the common VE record (after the changes; in check mode, as it is before them).
  returned: when the zone exists
  type: dict
  sample:
    technology: zones
    id: web1
    name: web1
    status: running
    ipv4: [192.0.2.80/24]
    memory: 1G
script:
  description: The zonecfg script applied (in check mode, that would be applied), one line per item.
  returned: always
  type: list
  elements: str
  sample: [select capped-memory, set physical=2G, end]
commands:
  description:
    - Every command that changes something, run (in check mode, that would run), as argv lists.
    - The zonecfg call shows V(<script>) where the temporary file holding RV(script) goes.
  returned: always
  type: list
  elements: list
reboot_required:
  description: The configuration of a running zone changed and reaches it only at its next boot.
  returned: always
  type: bool
differences:
  description: What differed (global properties, resource types, V(state)).
  returned: always
  type: list
  elements: str
'''

import os
import socket
import tempfile
import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module
from ansible_collections.datacenter.ve.plugins.module_utils._zones import (
    ZoneConfig, ZonesClient, ZonesInputError, desired_config, plan_config, plan_lifecycle, record_from_zone,
    render_export, validate_zonename,
)

ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', default='installed',
               choices=['configured', 'installed', 'stopped', 'running', 'started', 'detached', 'attached', 'absent']),
    zonepath=dict(type='str'),
    brand=dict(type='str'),
    autoboot=dict(type='bool'),
    ip_type=dict(type='str', choices=['shared', 'exclusive']),
    limitpriv=dict(type='str'),
    bootargs=dict(type='str'),
    pool=dict(type='str'),
    scheduling_class=dict(type='str'),
    hostid=dict(type='str'),
    fs_allowed=dict(type='str'),
    properties=dict(type='dict'),
    resources=dict(type='dict'),
    purge_resources=dict(type='bool', default=False),
    reboot_on_change=dict(type='bool', default=False),
    install_options=dict(type='list', elements='str', default=[]),
    sc_profile=dict(type='path'),
    sysidcfg=dict(type='str'),
    root_password=dict(type='str', no_log=True),
    clone_from=dict(type='str'),
    clone_method=dict(type='str', default='snapshot', choices=['copy', 'snapshot']),
    attach_update=dict(type='bool', default=False),
    stop_mode=dict(type='str', default='halt', choices=['halt', 'shutdown']),
    timeout=dict(type='int', default=1800),
)

# The zoneadm state each target leaves (detached: configured, with a detached zonepath).
RESULT_STATE = {'configured': 'configured', 'installed': 'installed', 'stopped': 'installed', 'running': 'running',
                'detached': 'detached', 'attached': 'installed', 'absent': 'absent'}
CONFIG_OPTIONS = ('zonepath', 'brand', 'autoboot', 'ip_type', 'limitpriv', 'bootargs', 'pool', 'scheduling_class',
                  'hostid', 'fs_allowed', 'properties', 'resources')


class SolarisZone:
    """Plans and applies one zone's convergence; every command goes through the client."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.p = module.params
        self.commands = []
        self.script = []
        self.differences = []

    def fail(self, msg):
        self.module.fail_json(msg='solaris_zone: %s' % msg, commands=self.commands)

    def validate(self):
        p = self.p
        self.target = 'running' if p['state'] == 'started' else p['state']
        try:
            validate_zonename(p['name'])
            if p['clone_from'] is not None:
                validate_zonename(p['clone_from'])
            self.want = desired_config(p)
        except ZonesInputError as exc:
            self.fail('invalid input: %s' % exc)
        if p['timeout'] < 1:
            self.fail('invalid input: timeout must be at least 1 second')
        if self.target == 'absent':
            given = [o for o in CONFIG_OPTIONS if p[o] is not None]
            if given:
                self.fail('invalid input: state=absent does not take configuration (%s)' % ', '.join(given))
        if p['clone_from'] is not None and (p['install_options'] or p['sc_profile']):
            self.fail('invalid input: clone_from does not take install_options or sc_profile')
        if p['root_password'] is not None and (':' in p['root_password'] or '\n' in p['root_password']):
            self.fail('invalid input: root_password must be a crypt hash (no colon, one line)')

    # --- read ----------------------------------------------------------------
    def read(self):
        zones = dict((z['name'], z) for z in self.client.list())
        self.listed = zones.get(self.p['name'])
        # A blank configuration (create -b) takes the system's default brand, the global zone's.
        self.default_brand = (zones.get('global') or {}).get('brand')
        # 7-field `list -p` lines come from older zoneadm/zonecfg builds, whose export orders blocks differently.
        self.old_export = bool(zones) and not any(z['extra'] for z in zones.values())
        if self.listed is None:
            return None
        return self.client.export(self.p['name'])

    def current_state(self, config):
        if self.listed is None:
            return 'absent'
        state = self.listed['state']
        if state == 'configured' and config is not None and self._detached(config):
            return 'detached'
        return state

    def _detached(self, config):
        zonepath = config.globals.get('zonepath')
        return bool(zonepath) and os.path.exists(self.client.path_on_node(os.path.join(zonepath, 'SUNWdetached.xml')))

    # --- plan ------------------------------------------------------------------
    def plan(self, config):
        p = self.p
        current = self.current_state(config)
        self.before_state = current
        new = config is None
        if self.target == 'absent':
            plan = None
        else:
            if new and not (self.want['properties'].get('zonepath')):
                self.fail('zone %s does not exist; zonepath is required to create it' % p['name'])
            plan = plan_config(config or ZoneConfig(), self.want, purge=p['purge_resources'], new=new)
            if new and self.default_brand:
                # What zonecfg fills in for a blank configuration, so that the predicted export is exact
                # (Solaris 11's blank template is exclusive-IP).
                plan.after.globals.setdefault('brand', self.default_brand)
                plan.after.globals.setdefault('ip-type', 'exclusive' if self.default_brand == 'solaris' else 'shared')
            self.script = plan.script
            self.differences.extend(plan.changed_keys)
        try:
            if new and self.target == 'absent':
                actions = []
            else:
                actions = plan_lifecycle('configured' if new else current, self.target)
        except ZonesInputError as exc:
            self.fail('zone %s: %s' % (p['name'], exc))
        if new and self.target != 'absent':
            self.differences.insert(0, 'state')
        elif actions:
            self.differences.insert(0, 'state')
        steps = []
        if self.script:
            steps.append(('zonecfg', None))
        for action in actions:
            steps.append(('zoneadm', action))
        running = current in ('running', 'ready')
        self.reboot_required = bool(self.script) and running and 'halt' not in actions and 'shutdown' not in actions
        if self.reboot_required and p['reboot_on_change']:
            steps.append(('zoneadm', 'reboot'))
            self.reboot_required = False
        self.installs = any(a in ('install',) for _k, a in steps)
        return plan, steps

    def argv_for(self, kind, action):
        p = self.p
        name = p['name']
        if kind == 'zonecfg':
            return self.client.zonecfg_file_argv(name, '<script>')
        if action == 'install':
            if p['clone_from']:
                args = ['-m', 'copy'] if p['clone_method'] == 'copy' else []
                return self.client.zoneadm_argv(name, 'clone', *(args + [p['clone_from']]))
            args = list(p['install_options'])
            if p['sc_profile']:
                args += ['-c', p['sc_profile']]
            return self.client.zoneadm_argv(name, 'install', *args)
        if action == 'uninstall':
            return self.client.zoneadm_argv(name, 'uninstall', '-F')
        if action == 'delete':
            return [self.client.zonecfg.binary or 'zonecfg', '-z', name, 'delete', '-F']
        if action == 'halt' and p['stop_mode'] == 'shutdown':
            return self.client.zoneadm_argv(name, 'shutdown')
        if action == 'attach':
            return self.client.zoneadm_argv(name, 'attach', *(['-u'] if p['attach_update'] else []))
        return self.client.zoneadm_argv(name, action)

    # --- apply -----------------------------------------------------------------
    def run(self):
        self.validate()
        config = self.read()
        plan, steps = self.plan(config)
        self.commands = [self.argv_for(kind, action) for kind, action in steps]
        installs = [a for k, a in steps if a == 'install']
        wants_files = installs and (self.p['root_password'] is not None or self.p['sysidcfg'] is not None)
        if wants_files:
            self.differences.append('root_password' if self.p['root_password'] is not None else 'sysidcfg')
        changed = bool(steps)
        if not self.module.check_mode:
            for (kind, action), argv in zip(steps, self.commands):
                if kind == 'zonecfg':
                    self._apply_script(argv)
                else:
                    self.client.zoneadm.run_argv(argv, what='%s of zone %s' % (argv[3] if argv[3:] else action,
                                                                               self.p['name']))
                if action == 'install' and wants_files:
                    self._write_first_boot_files(plan.after if plan else config)
        result = dict(changed=changed, commands=self.commands, script=self.script,
                      reboot_required=self.reboot_required, differences=self.differences)
        after_config, after_listed = self._after(config, plan, changed)
        if after_listed is not None:
            result['ve'] = record_from_zone(after_listed, after_config, node=socket.gethostname()).to_dict()
        if self.module._diff:
            result['diff'] = {'before': self._diff_text(self.before_state, config),
                              'after': self._diff_text(self._after_state(), after_config)}
        self.module.exit_json(**result)

    def _after_state(self):
        if self.module.check_mode:
            if 'state' not in self.differences:
                return self.before_state
            return RESULT_STATE[self.target]
        listed = self.listed
        if listed is None:
            return 'absent'
        state = listed['state']
        return 'detached' if self.target == 'detached' and state == 'configured' else state

    def _after(self, config, plan, changed):
        if self.module.check_mode or not changed:
            predicted = plan.after if plan is not None and plan.script else config
            return (None if self.target == 'absent' else predicted), self.listed
        zones = dict((z['name'], z) for z in self.client.list())
        self.listed = zones.get(self.p['name'])
        if self.listed is None:
            return None, None
        if not self.script:
            return config, self.listed  # only the state changed: the configuration read before holds
        return self.client.export(self.p['name']), self.listed

    def _diff_text(self, state, config):
        if state == 'absent' or config is None:
            return '# state: absent\n'
        return '# state: %s\n%s' % (state, render_export(config, old=self.old_export))

    def _apply_script(self, argv):
        handle, path = tempfile.mkstemp(prefix='zonecfg-', suffix='.cfg', dir=self.module.tmpdir)
        try:
            with os.fdopen(handle, 'w') as out:
                out.write('\n'.join(self.script + ['commit']) + '\n')
            real = argv[:-1] + [path]
            self.client.zonecfg.run_argv(real, what='zonecfg of zone %s' % self.p['name'])
        finally:
            os.unlink(path)

    def _write_first_boot_files(self, config):
        """root's hash and sysidcfg into the new zone's root, before its first boot (never on a command line)."""
        zonepath = config.globals.get('zonepath')
        root = self.client.path_on_node(os.path.join(zonepath, 'root'))
        if self.p['sysidcfg'] is not None:
            with open(os.path.join(root, 'etc', 'sysidcfg'), 'w') as out:
                out.write(self.p['sysidcfg'].rstrip('\n') + '\n')
        if self.p['root_password'] is not None:
            shadow = os.path.join(root, 'etc', 'shadow')
            with open(shadow) as handle:
                lines = handle.read().splitlines()
            out_lines = []
            for line in lines:
                fields = line.split(':')
                if fields and fields[0] == 'root' and len(fields) > 1:
                    fields[1] = self.p['root_password']
                    line = ':'.join(fields)
                out_lines.append(line)
            with open(shadow, 'w') as out:
                out.write('\n'.join(out_lines) + '\n')


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    client = ZonesClient(ModuleExecutor(module), timeout=module.params['timeout'])
    zone = SolarisZone(module, client)
    try:
        zone.run()
    except CommandError as exc:
        fail_module(module, exc, commands=zone.commands, script=zone.script)
    except Exception as exc:  # pylint: disable=broad-except
        module.fail_json(msg='solaris_zone: unexpected error: %s' % exc, exception=traceback.format_exc(),
                         commands=zone.commands)


if __name__ == '__main__':
    main()
