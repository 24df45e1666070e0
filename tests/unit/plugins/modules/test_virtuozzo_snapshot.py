# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""virtuozzo_snapshot as data cases: the VE's snapshots -> the exact argv planned (check mode, executor replaced)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datacenter.ve.plugins.modules import virtuozzo_snapshot

A, B = '{48b0ef3d-2a0d-4233-90e6-b8c124778aaa}', '{c5a24471-2a23-4928-8009-ec2b97c323f9}'
LISTING = '%38s %c%38s\n%38s %c%38s\n' % ('', ' ', A, A, '*', B)
NAMES = {A: 'before-upgrade', B: 'after-upgrade'}


class ReadOnly:
    def __init__(self):
        self.calls = []

    def execute(self, argv, data=None, timeout=None, env=None):
        self.calls.append(list(argv))
        assert argv[1] == 'snapshot-list', 'check mode ran a command: %r' % (argv,)
        if '-i' in argv:
            return 0, 'ID: %s\nName: %s\nDescription: \n' % (argv[-1], NAMES[argv[-1]]), ''
        return 0, LISTING, ''

    def find_binary(self, name, extra_dirs=None):
        return name


@pytest.mark.parametrize('args, commands', [
    ({'name': 'before-upgrade'}, []),
    ({'name': 'new', 'description': 'd'}, [['prlctl', 'snapshot', 'web1', '-n', 'new', '-d', 'd']]),
    ({'name': 'before-upgrade', 'state': 'current'}, [['prlctl', 'snapshot-switch', 'web1', '-i', A]]),
    ({'name': 'after-upgrade', 'state': 'current'}, []),
    ({'name': 'after-upgrade', 'state': 'absent'}, [['prlctl', 'snapshot-delete', 'web1', '-i', B]]),
    ({'name': 'gone', 'state': 'absent'}, []),
])
def test_case(run_main, args, commands):
    result = run_main(virtuozzo_snapshot, dict(args, ve='web1', _ansible_check_mode=True), ReadOnly())
    assert not result.get('failed'), result
    assert result['commands'] == commands and result['changed'] is bool(commands)
    assert [s['name'] for s in result['snapshots']] == ['before-upgrade', 'after-upgrade']
