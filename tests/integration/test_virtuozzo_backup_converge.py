# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""virtuozzo_backup through ansible-playbook against the prlctl simulator: local and remote backup storage."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_node import LAB

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='the prlctl simulator chroots into CTs: needs root')

SECRET = 'Tr0ub4dor&3 s3cr3t'


def writes(calls):
    return [c['argv'][1] for c in calls if c['argv'][1] not in ('backup-list', 'list')]


def converge(node, steps):
    """Run (arguments, check mode, changed, commands that write) steps; return the last result."""
    result = None
    for args, check, changed, expected in steps:
        result, calls, _out = node.ansible('virtuozzo_backup', args, check=check)
        assert not result.get('failed'), result
        assert result['changed'] is changed, (args, check, result)
        assert writes(calls) == expected, (args, check, calls)
    return result


@pytest.mark.parametrize('kind, create', [
    ('ct', {'ostemplate': 'debian-12-x86_64'}),
    ('vm', {'distribution': 'win-2022'}),
])
def test_backup_present_restored_absent(lab_node, kind, create):
    node = lab_node('virtuozzo')
    made, _calls, _out = node.ansible('virtuozzo_ve', dict(create, name='web1', type=kind, state='stopped'))
    assert not made.get('failed'), made
    nightly = {'ve': 'web1', 'description': 'nightly 2026-11-26', 'backup_type': 'full'}
    result = converge(node, [
        (nightly, True, True, []),
        (nightly, False, True, ['backup']),
        (nightly, False, False, []),
        (nightly, True, False, []),
    ])
    first = result['backup']
    assert first['type'] == 'full' and first['description'] == 'nightly 2026-11-26' and first['ve_name'] == 'web1'
    assert [b['id'] for b in result['backups']] == [first['id']]

    later = {'ve': 'web1', 'description': 'nightly 2026-11-27'}
    result = converge(node, [(later, False, True, ['backup']), (later, False, False, [])])
    assert result['backup']['type'] == 'incremental' and result['backup']['id'].startswith(first['id'] + '.')
    assert len(result['backups']) == 2

    restore = dict(nightly, state='restored', name='web1-restored')
    result = converge(node, [
        (restore, True, True, []),
        (restore, False, True, ['restore']),
        (restore, False, False, []),
        (restore, True, False, []),
    ])
    assert result['backup']['id'] == first['id']
    info, _calls, _out = node.ansible('virtuozzo_ve_info', {'name': 'web1-restored'})
    restored = info['ves'][0]
    assert restored['raw']['Type'] == kind.upper() and restored['status'] == 'stopped'

    # Deleting the full backup takes its incremental with it, and says so.
    gone = dict(nightly, state='absent')
    predicted = converge(node, [(gone, True, True, [])])
    result = converge(node, [(gone, False, True, ['backup-delete'])])
    assert predicted['deleted'] == result['deleted'] == [first['id'], first['id'] + '.2']
    assert result['backups'] == []
    result = converge(node, [(gone, False, False, [])])
    assert result['deleted'] == []


def test_backup_by_id_and_errors(lab_node):
    node = lab_node('virtuozzo')
    node.ansible('virtuozzo_ve', {'name': 'db1', 'type': 'ct', 'ostemplate': 'debian-12-x86_64', 'state': 'started'})
    result, _calls, _out = node.ansible('virtuozzo_backup', {'ve': 'db1', 'description': 'first'})
    bid = result['backup']['id']
    # A running VE cannot be restored over, but to a new name it can.
    result = converge(node, [
        ({'backup_id': bid, 'state': 'restored', 'name': 'db1-copy'}, False, True, ['restore']),
    ])
    assert result['backup']['id'] == bid
    result, calls, _out = node.ansible('virtuozzo_backup', {'ve': 'db1', 'description': 'never taken',
                                                            'state': 'restored', 'name': 'db1-other'})
    assert result['failed'] and 'no backup matches' in result['msg'] and writes(calls) == []
    result, calls, _out = node.ansible('virtuozzo_backup', {'ve': 'db1', 'state': 'present'})
    assert result['failed'] and 'needs description' in result['msg'] and calls == []
    result = converge(node, [({'backup_id': bid, 'state': 'absent'}, False, True, ['backup-delete'])])
    assert result['deleted'] == [bid]


def test_remote_storage_password_only_on_stdin(lab_node, tmp_path):
    node = lab_node('virtuozzo')
    server = str(tmp_path / 'vzbackup')   # a sibling node is reachable by its directory name
    subprocess.run([sys.executable, os.path.join(LAB, 'labctl'), 'init-node', server, '--technology', 'virtuozzo'],
                   check=True, stdout=subprocess.PIPE)
    with open(os.path.join(server, '.lab', 'backup-users.json'), 'w') as handle:
        json.dump({'backup': SECRET}, handle)
    node.ansible('virtuozzo_ve', {'name': 'web1', 'type': 'ct', 'ostemplate': 'debian-12-x86_64'})
    remote = {'ve': 'web1', 'description': 'offsite', 'storage': 'backup@vzbackup', 'storage_password': SECRET}
    seen = []
    for args, check, changed in ((remote, True, True), (remote, False, True), (remote, False, False)):
        result, calls, out = node.ansible('virtuozzo_backup', args, check=check)
        assert not result.get('failed'), result
        assert result['changed'] is changed
        seen.append(json.dumps(result) + json.dumps(calls) + out)
    assert os.listdir(os.path.join(server, 'vz', 'backups')), 'the backup was not kept on the storage server'
    assert not os.listdir(os.path.join(node.root, 'vz', 'backups'))
    assert all('-s' in c['argv'] and 'backup@vzbackup' in c['argv'] for c in calls)
    for text in seen:
        assert SECRET not in text

    result, calls, out = node.ansible('virtuozzo_backup', dict(remote, storage_password='wrong'))
    assert result['failed'] and 'Login failed' in result['stderr'] and 'wrong' not in json.dumps(calls)
    result, calls, _out = node.ansible('virtuozzo_backup', dict(remote, storage='backup:pw@vzbackup'))
    assert result['failed'] and 'never in the storage string' in result['msg'] and calls == []
