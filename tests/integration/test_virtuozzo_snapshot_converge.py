# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""virtuozzo_snapshot through ansible-playbook against the prlctl simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='the prlctl simulator chroots into CTs: needs root')


def writes(calls):
    return [c['argv'][1] for c in calls if c['argv'][1] != 'snapshot-list']


@pytest.mark.parametrize('kind, create', [
    ('ct', {'ostemplate': 'debian-12-x86_64'}),
    ('vm', {'distribution': 'win-2022'}),
])
def test_snapshot_present_current_absent(lab_node, kind, create):
    node = lab_node('virtuozzo')
    made, _calls, _out = node.ansible('virtuozzo_ve', dict(create, name='web1', type=kind, state='started'))
    assert not made.get('failed'), made
    first = {'ve': 'web1', 'name': 'before-upgrade', 'description': 'before the upgrade'}
    # (arguments, check mode, changed, commands that write)
    steps = [
        (first, True, True, []),
        (first, False, True, ['snapshot']),
        (first, False, False, []),
        ({'ve': 'web1', 'name': 'after-upgrade'}, False, True, ['snapshot']),
        (dict(first, state='current'), True, True, []),
        (dict(first, state='current'), False, True, ['snapshot-switch']),
        (dict(first, state='current'), False, False, []),
        (dict(first, state='absent'), False, True, ['snapshot-delete']),
        (dict(first, state='absent'), False, False, []),
    ]
    for args, check, changed, expected in steps:
        result, calls, _out = node.ansible('virtuozzo_snapshot', args, check=check)
        assert not result.get('failed'), result
        assert result['changed'] is changed, (args, check, result)
        assert writes(calls) == expected, (args, check)
    names = [(s['name'], s['current']) for s in result['snapshots']]
    assert names == [('after-upgrade', False)]
    result, calls, _out = node.ansible('virtuozzo_snapshot', {'ve': 'web1', 'name': 'nope', 'state': 'current'})
    assert result['failed'] and 'no snapshot named' in result['msg'] and writes(calls) == []
