#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virtuozzo_backup
short_description: Take, restore and delete backups of Virtuozzo containers and VMs
version_added: 0.1.0
description:
  - Keeps a labelled backup of a Virtuozzo VE present (C(prlctl backup)), restores a backup to a new VE
    (C(prlctl restore -n)), or deletes backups (C(prlctl backup-delete)); the result always lists the VE's backups.
  - A backup is identified by its O(description) (a label you choose, for example V(before-upgrade) or a date) or by
    its O(backup_id). A second run with the same label takes no second backup, and a restore whose new VE already
    exists does nothing, so every state is idempotent.
  - Backups can be kept on the node itself or on a remote backup server (O(storage)). The storage password is
    passed to C(prlctl) on its standard input, as C(prlctl) reads it when the C(user@server) form has no password
    part; it never appears in the command line, the result or the logs.
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
    description:
      - Name or UUID of the container or VM whose backups are managed.
      - Required with O(state=present). With O(state=restored) or O(state=absent) it narrows the search to this VE's
        backups; it may name a VE that no longer exists (its backups are matched by the name or UUID they record).
    type: str
  state:
    description:
      - V(present) takes a backup of O(ve) unless one labelled O(description) already exists.
      - V(restored) restores a backup to a new VE called O(name), unless a VE of that name exists. The backup is
        O(backup_id), else the newest one labelled O(description), else the newest one of O(ve).
      - V(absent) deletes the backup O(backup_id), or every backup of O(ve) labelled O(description). Deleting a full
        backup also deletes the incremental backups taken on top of it (C(prlctl) removes the chain).
    type: str
    choices: [present, restored, absent]
    default: present
  description:
    description:
      - The label of the backup; given to C(prlctl backup --description) when a backup is taken.
      - Required with O(state=present); with O(state=absent) either this or O(backup_id) is required.
    type: str
    aliases: [label]
  backup_id:
    description:
      - A backup ID as printed by C(prlctl backup) or listed in RV(backups[].id), for example
        V({c0ffee00-0000-4000-8000-000000000001}) or, for an incremental backup, V({c0ffee00-...}.2).
    type: str
  backup_type:
    description:
      - Kind of backup taken with O(state=present). V(incremental) is C(prlctl)'s default and gives a full backup
        when the VE has none yet.
    type: str
    choices: [full, incremental]
    default: incremental
  name:
    description:
      - Name of the VE that O(state=restored) creates. Required with O(state=restored).
      - Restoring over an existing VE is not offered; restore to a new name, check it, then swap names.
    type: str
  dst:
    description: Directory on the node for the restored VE's files (C(prlctl restore --dst)).
    type: path
  storage:
    description:
      - Remote backup server as V(user@server) or V(user@server:port), without a password.
      - Omit to keep backups on the node itself (or on the server configured with C(prlsrvctl set --backup-storage)).
    type: str
  storage_password:
    description:
      - Password of the O(storage) user; required with a remote O(storage). Sent on C(prlctl)'s standard input.
    type: str
  timeout:
    description: Seconds each prlctl command may take; backups and restores of large VEs need long ones.
    type: int
    default: 3600
notes:
  - The list of backups comes from one C(prlctl backup-list -f) call, so a run that changes nothing costs one command.
  - The order of backups is C(prlctl)'s (oldest first); "newest" means the last one listed with that label.
seealso:
  - module: datacenter.ve.virtuozzo_ve
  - module: datacenter.ve.virtuozzo_snapshot
'''

EXAMPLES = r'''
- name: Full backup before the upgrade, once
  datacenter.ve.virtuozzo_backup:
    ve: sql1
    description: before-sql-2022-upgrade
    backup_type: full

- name: Nightly incremental backup to the backup server
  datacenter.ve.virtuozzo_backup:
    ve: web1
    description: "nightly {{ ansible_date_time.date }}"
    storage: backup@vzbackup.example.org
    storage_password: "{{ vault_vzbackup_password }}"

- name: Restore that backup beside the original, as web1-restored
  datacenter.ve.virtuozzo_backup:
    ve: web1
    description: "nightly 2026-11-26"
    state: restored
    name: web1-restored
    storage: backup@vzbackup.example.org
    storage_password: "{{ vault_vzbackup_password }}"

- name: Forget a backup
  datacenter.ve.virtuozzo_backup:
    backup_id: "{c0ffee00-0000-4000-8000-000000000001}"
    state: absent
'''

RETURN = r'''
backup:
  description:
    - The backup taken, matched, restored or (with O(state=absent), the first one) deleted; in check mode a backup
      that would be taken has no C(id). Absent when no backup matched.
  returned: when a backup was taken, matched or restored
  type: dict
  sample: {id: '{8a3c1f0e-2b7d-4e55-9a61-0c2f3b4d5e6f}', ve_uuid: 8b1cc35e-7a0d-4f1e-bb8c-1d2e3f405162,
           ve_name: web1, host: node1, date: '2026-11-27 02:00:01', type: full, size: 1073741824,
           description: nightly 2026-11-27, disks: [{name: hdd0, size: 1073741824}]}
backups:
  description: The backups of O(ve) (all backups when O(ve) is not given) after the task (in check mode, before it).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Backup ID; an incremental backup's is its full backup's ID followed by C(.N).
      type: str
      sample: '{8a3c1f0e-2b7d-4e55-9a61-0c2f3b4d5e6f}.2'
    ve_uuid:
      description: UUID of the VE that was backed up, without braces.
      type: str
    ve_name:
      description: Name of that VE when it was backed up.
      type: str
    host:
      description: The node the VE was on.
      type: str
    date:
      description: When the backup was taken, as prlctl prints it.
      type: str
    type:
      description: V(full) or V(incremental).
      type: str
    size:
      description: Size in bytes.
      type: int
    description:
      description: The backup's label (empty when none was given).
      type: str
    disks:
      description: The backed-up disks, each with C(name), C(originalpath) and C(size).
      type: list
      elements: dict
deleted:
  description: IDs of the backups deleted (or that would be).
  returned: when O(state=absent)
  type: list
  elements: str
commands:
  description: The commands run (in check mode, that would run). The storage password is not part of them.
  returned: always
  type: list
  elements: list
'''

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError, ModuleExecutor, fail_module
from ansible_collections.datacenter.ve.plugins.module_utils._virtuozzo import (
    VirtuozzoClient, VirtuozzoInputError, parse_backup_id, parse_backup_list_full, storage_is_local, validate_name,
    validate_storage,
)


def check_input(p):
    """Every problem with the parameters, before any command runs."""
    problems = []
    for key in ('ve', 'description', 'backup_id', 'name', 'dst'):
        value = p[key]
        if value is not None and (not value.strip() or '\n' in value or '\r' in value):
            problems.append('%s must be one non-empty line' % key)
    if p['state'] == 'present':
        if not p['ve']:
            problems.append('state=present needs ve, the VE to back up')
        if not p['description']:
            problems.append('state=present needs description: the label is what makes a second run take no '
                            'second backup')
        if p['backup_id']:
            problems.append('backup_id is chosen by prlctl; it cannot be given with state=present')
    if p['state'] == 'restored':
        if not p['name']:
            problems.append('state=restored needs name, the new VE to restore into')
        if not (p['ve'] or p['backup_id']):
            problems.append('state=restored needs backup_id, or ve (with or without description)')
    elif p['name'] or p['dst']:
        problems.append('name and dst are only used with state=restored')
    if p['state'] == 'absent' and not (p['backup_id'] or (p['ve'] and p['description'])):
        problems.append('state=absent needs backup_id, or ve and description')
    if p['backup_id'] and not re.match(r'^\{?[0-9A-Fa-f-]{36}\}?(\.\d+)?$', p['backup_id']):
        problems.append('backup_id %r is not a backup ID ({uuid} or {uuid}.N)' % p['backup_id'])
    if p['name']:
        try:
            validate_name(p['name'])
        except VirtuozzoInputError as exc:
            problems.append(str(exc))
    if p['storage']:
        try:
            validate_storage(p['storage'])
        except VirtuozzoInputError as exc:
            problems.append(str(exc))
        else:
            if not storage_is_local(p['storage']) and p['storage_password'] is None:
                problems.append('storage %s needs storage_password (prlctl would otherwise wait for it on its '
                                'terminal)' % p['storage'])
    elif p['storage_password'] is not None:
        problems.append('storage_password is only used with storage')
    if p['storage_password'] and ('\n' in p['storage_password'] or '\r' in p['storage_password']):
        problems.append('storage_password cannot contain a line break (prlctl reads one line)')
    return problems


class Backups:
    """The backup commands for one storage, with the password on stdin when the storage is remote."""

    def __init__(self, client, storage, password):
        self.client = client
        self.storage = ['-s', storage] if storage else []
        self.stdin = (password + '\n') if storage and not storage_is_local(storage) else None

    def run(self, argv, what):
        return self.client.run(argv, what=what, data=self.stdin)

    def list(self):
        result = self.run([self.client.bin, 'backup-list', '-f'] + self.storage, 'prlctl backup-list')
        try:
            return parse_backup_list_full(result.stdout)
        except ValueError as exc:
            raise CommandError('prlctl backup-list printed something unexpected: %s' % exc, cmd=result.cmd,
                               rc=result.rc, stdout=result.stdout, stderr=result.stderr)

    def backup_argv(self, ve, description, kind):
        return [self.client.bin, 'backup', ve, '--full' if kind == 'full' else '--incremental',
                '--description', description] + self.storage

    def restore_argv(self, backup_id, name, dst):
        return [self.client.bin, 'restore', '-t', backup_id, '-n', name] + (['--dst', dst] if dst else []) \
            + self.storage

    def delete_argv(self, backup_id):
        return [self.client.bin, 'backup-delete', '-t', backup_id] + self.storage


def same_id(left, right):
    return left.strip('{}').lower() == right.strip('{}').lower()


def of_ve(backups, ve):
    """Backups of a VE given by name or UUID (the VE may be gone: the listing records both)."""
    if not ve:
        return list(backups)
    bare = ve.strip('{}').lower()
    return [b for b in backups if b.get('ve_name') == ve or b.get('ve_uuid') == bare]


def choose(backups, p):
    """The backups the task is about, newest last."""
    chosen = of_ve(backups, p['ve'])
    if p['backup_id']:
        chosen = [b for b in chosen if same_id(b['id'], p['backup_id'])]
    if p['description'] is not None:
        chosen = [b for b in chosen if b.get('description') == p['description']]
    return chosen


def plan(store, client, backups, p):
    """(commands, backup, deleted) to reach the state; reads the node only to look up a restore target."""
    chosen = choose(backups, p)
    if p['state'] == 'present':
        if chosen:
            return [], chosen[-1], None
        return [store.backup_argv(p['ve'], p['description'], p['backup_type'])], \
            {'ve_name': p['ve'], 'description': p['description'], 'type': p['backup_type']}, None
    if p['state'] == 'absent':
        doomed = [b for b in chosen if not any(b['id'].startswith(o['id'] + '.') for o in chosen)]
        # prlctl removes the incremental backups taken on top of a deleted one: report them too.
        gone = [b['id'] for b in backups if any(b['id'] == d['id'] or b['id'].startswith(d['id'] + '.')
                                                for d in doomed)]
        return [store.delete_argv(b['id']) for b in doomed], (chosen[0] if chosen else None), gone
    if client.info(p['name']) is not None:
        return [], (chosen[-1] if chosen else None), None
    if not chosen:
        wanted = ', '.join('%s %s' % (k, p[k]) for k in ('ve', 'description', 'backup_id') if p[k])
        raise LookupError('no backup matches %s, so VE %s cannot be restored' % (wanted, p['name']))
    return [store.restore_argv(chosen[-1]['id'], p['name'], p['dst'])], chosen[-1], None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ve=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'restored', 'absent']),
            description=dict(type='str', aliases=['label']),
            backup_id=dict(type='str'),
            backup_type=dict(type='str', default='incremental', choices=['full', 'incremental']),
            name=dict(type='str'),
            dst=dict(type='path'),
            storage=dict(type='str'),
            storage_password=dict(type='str', no_log=True),
            timeout=dict(type='int', default=3600),
        ),
        supports_check_mode=True,
    )
    p = module.params
    problems = check_input(p)
    if problems:
        module.fail_json(msg='virtuozzo_backup: invalid input: ' + '; '.join(problems))
    client = VirtuozzoClient(ModuleExecutor(module), timeout=p['timeout'])
    store = Backups(client, p['storage'], p['storage_password'])
    commands = []
    result = {}
    try:
        backups = store.list()
        try:
            commands, backup, deleted = plan(store, client, backups, p)
        except LookupError as exc:
            module.fail_json(msg='virtuozzo_backup: %s' % exc, backups=of_ve(backups, p['ve']), commands=[])
        if deleted is not None:
            result['deleted'] = deleted
        if commands and not module.check_mode:
            for argv in commands:
                done = store.run(argv, what='%s for VE %s' % (argv[1], p['ve'] or p['name'] or p['backup_id']))
                if argv[1] == 'backup':
                    new_id = parse_backup_id(done.stdout)
                    backup = dict(backup, id=new_id)
            backups = store.list()
            if p['state'] == 'present' and backup.get('id'):
                backup = next((b for b in backups if same_id(b['id'], backup['id'])), backup)
        if backup is not None:
            result['backup'] = backup
    except CommandError as exc:
        fail_module(module, exc, commands=commands)
    module.exit_json(changed=bool(commands), commands=commands, backups=of_ve(backups, p['ve']), **result)


if __name__ == '__main__':
    main()
