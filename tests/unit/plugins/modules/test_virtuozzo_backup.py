# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""virtuozzo_backup as data cases: the recorded backup list -> the exact argv planned, the stdin given."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.datacenter.ve.plugins.modules import virtuozzo_backup

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'module_utils', 'fixtures',
                       'prlctl-backup-list-f.txt')
FULL = '{5b0a64c2-61c4-4a8b-9a4c-0b7e1d2c3f40}'
SQL = '{77d3e1f0-2a4b-4c6d-9e8f-0a1b2c3d4e5f}'
SECRET = 'pa ss:w@rd'


class ReadOnly:
    """Answers the reads (backup-list, list -i of a restore target); any other command fails the test."""

    def __init__(self, existing=()):
        self.calls = []
        self.existing = existing

    def execute(self, argv, data=None, timeout=None, env=None):
        self.calls.append((list(argv), data))
        if argv[1] == 'backup-list':
            with open(FIXTURE) as handle:
                return 0, handle.read(), ''
        if argv[1:4] == ['list', '-i', '-j']:
            if argv[-1] in self.existing:
                return 0, '[{"ID": "1d0c", "Name": "%s", "Type": "CT", "State": "stopped"}]' % argv[-1], ''
            return 255, '', 'The virtual machine could not be found.'
        if argv[1] == 'list':
            return 0, '[]', ''
        raise AssertionError('check mode ran a command: %r' % (argv,))

    def find_binary(self, name, extra_dirs=None):
        return name


@pytest.mark.parametrize('args, commands', [
    ({'ve': 'web1', 'description': 'nightly 2026-11-26'}, []),
    ({'ve': 'web1', 'description': 'new', 'backup_type': 'full'},
     [['prlctl', 'backup', 'web1', '--full', '--description', 'new']]),
    ({'ve': 'web1', 'description': 'before-sql-2022-upgrade'},      # another VE's label does not count
     [['prlctl', 'backup', 'web1', '--incremental', '--description', 'before-sql-2022-upgrade']]),
    ({'ve': '{3E9D2B1A-4c5f-4e6d-8a7b-1c2d3e4f5a6b}', 'description': 'before-sql-2022-upgrade'}, []),
    ({'ve': 'web1', 'state': 'restored', 'name': 'web1-old'},
     [['prlctl', 'restore', '-t', FULL + '.2', '-n', 'web1-old']]),
    ({'ve': 'web1', 'description': 'nightly 2026-11-26', 'state': 'restored', 'name': 'web1-old',
      'dst': '/vz/restored'}, [['prlctl', 'restore', '-t', FULL, '-n', 'web1-old', '--dst', '/vz/restored']]),
    ({'backup_id': SQL.strip('{}'), 'state': 'restored', 'name': 'sql1-copy'},
     [['prlctl', 'restore', '-t', SQL, '-n', 'sql1-copy']]),
    ({'backup_id': SQL, 'state': 'restored', 'name': 'exists'}, []),
    ({'backup_id': FULL, 'state': 'absent'}, [['prlctl', 'backup-delete', '-t', FULL]]),
    ({'backup_id': FULL + '.2', 'state': 'absent'}, [['prlctl', 'backup-delete', '-t', FULL + '.2']]),
    ({'ve': 'web1', 'description': 'nightly 2026-11-26', 'state': 'absent'},
     [['prlctl', 'backup-delete', '-t', FULL]]),
    ({'ve': 'web1', 'description': 'no such label', 'state': 'absent'}, []),
])
def test_case(run_main, args, commands):
    executor = ReadOnly(existing=('exists',))
    result = run_main(virtuozzo_backup, dict(args, _ansible_check_mode=True), executor)
    assert not result.get('failed'), result
    assert result['commands'] == commands and result['changed'] is bool(commands)
    assert all(data is None for _argv, data in executor.calls)


def test_deleting_a_full_backup_reports_its_chain(run_main):
    result = run_main(virtuozzo_backup, {'backup_id': FULL, 'state': 'absent', '_ansible_check_mode': True},
                      ReadOnly())
    assert result['deleted'] == [FULL, FULL + '.2']


@pytest.mark.parametrize('storage, stdin', [
    ('backup@vzbackup.example.org:64000', SECRET + '\n'),
    ('root@localhost', None),   # prlctl logs in locally without a password
])
def test_storage_password_goes_on_stdin_only(run_main, storage, stdin):
    executor = ReadOnly()
    args = {'ve': 'web1', 'description': 'offsite', 'storage': storage, '_ansible_check_mode': True}
    if stdin:
        args['storage_password'] = SECRET
    result = run_main(virtuozzo_backup, args, executor)
    assert result['commands'] == [['prlctl', 'backup', 'web1', '--incremental', '--description', 'offsite',
                                   '-s', storage]]
    assert executor.calls == [(['prlctl', 'backup-list', '-f', '-s', storage], stdin)]
    assert SECRET not in repr(result)


@pytest.mark.parametrize('args, words', [
    ({'description': 'x'}, 'needs ve'),
    ({'ve': 'web1'}, 'needs description'),
    ({'ve': 'web1', 'description': ''}, 'description must be one non-empty line'),
    ({'ve': 'web1', 'description': 'a\nb'}, 'description must be one non-empty line'),
    ({'ve': ' ', 'description': 'x'}, 've must be one non-empty line'),
    ({'ve': 'web1', 'description': 'x', 'backup_id': FULL}, 'cannot be given with state=present'),
    ({'ve': 'web1', 'state': 'restored'}, 'needs name'),
    ({'name': 'n', 'state': 'restored'}, 'needs backup_id, or ve'),
    ({'backup_id': FULL, 'state': 'restored', 'name': 'bad/name'}, 'not a valid VE name'),
    ({'backup_id': FULL, 'state': 'restored', 'name': FULL.strip('{}')}, 'looks like a UUID'),
    ({'backup_id': 'latest', 'state': 'absent'}, 'is not a backup ID'),
    ({'ve': 'web1', 'state': 'absent'}, 'needs backup_id, or ve and description'),
    ({'ve': 'web1', 'description': 'x', 'name': 'n'}, 'only used with state=restored'),
    ({'ve': 'web1', 'description': 'x', 'storage': 'backup:pw@srv'}, 'never in the storage string'),
    ({'ve': 'web1', 'description': 'x', 'storage': 'srv'}, 'is not user@server'),
    ({'ve': 'web1', 'description': 'x', 'storage': 'backup@srv'}, 'needs storage_password'),
    ({'ve': 'web1', 'description': 'x', 'storage_password': 'pw'}, 'only used with storage'),
    ({'ve': 'web1', 'description': 'x', 'storage': 'b@srv', 'storage_password': 'a\nb'}, 'line break'),
])
def test_bad_input_runs_nothing(run_main, args, words):
    executor = ReadOnly()
    result = run_main(virtuozzo_backup, args, executor)
    assert result.get('failed') and words in result['msg'], result
    assert executor.calls == []
