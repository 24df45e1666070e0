# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_virtuozzo parsers and planners on output recorded from the prlctl simulator, and exact argv."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils import _virtuozzo as vz
from ansible_collections.datacenter.ve.plugins.module_utils._ve import Differ

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')
GIB = 1 << 30


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_list_all_strings_and_dash():
    ves = vz.parse_list_json(fixture('prlctl-list-a-j.json'))
    assert [(v['name'], v['type'], v['status']) for v in ves] == [('iis1', 'VM', 'running'), ('web1', 'CT', 'running')]
    assert all(isinstance(value, str) for v in ves for value in v.values())
    assert vz.parse_list_json('[\n\n]\n') == []


def test_ct_info_record_and_settings():
    info = vz.parse_list_json(fixture('prlctl-list-i-j-f-ct.json'))[0]
    ve = vz.record_from_info(info, node='n1').to_dict(raw=False)
    assert (ve['technology'], ve['name'], ve['status'], ve['hostname'], ve['memory'], ve['disk'], ve['cpus'],
            ve['onboot']) == ('virtuozzo', 'web1', 'running', 'web1.example.org', '2G', '20G', 2, True)
    assert ve['ipv4'] == ['192.0.2.80'] and ve['ipv6'] == ['2001:db8::80']
    settings = vz.settings_from_info(info, {'SWAPPAGES': '0:131072', 'CAPABILITY': 'NET_ADMIN:on'})
    assert settings['swap'] == 512 << 20 and settings['capabilities'] == {'net_admin': True}
    assert settings['features'] == {'nfs': True} and settings['nameservers'] == ['192.0.2.1']
    assert settings['ha_enable'] is True and settings['ha_prio'] == 5


def test_vm_info_record():
    info = vz.parse_list_json(fixture('prlctl-list-i-j-f-vm.json'))[0]
    ve = vz.record_from_info(info)
    expected = ('iis1', 'win-2019', 4, 8 * GIB, 100 * GIB, ['192.0.2.90'])
    assert (ve.name, ve.os, ve.cpus, ve.memory, ve.disk, ve.ipv4) == expected


def test_set_calls_one_device_action_each():
    want = vz.desired_settings({'cpus': 2, 'memsize': '2048', 'disk_size': '20G', 'ip_addresses': ['10.0.0.1/24'],
                                'nameservers': ['10.0.0.53']}, 'vm')
    calls = vz.compare_settings(Differ(), None, want, 'vm')
    assert calls == [{'cpus': 2, 'memsize': 2 * GIB},
                     {'ipdel': [], 'ipadd': ['10.0.0.1/24'], 'nameservers': ['10.0.0.53'], 'device_set': 'net0'},
                     {'size': 20 * GIB, 'device_set': 'hdd0'}]

    class Exe:
        def find_binary(self, name, extra_dirs=None):
            return name
    client = vz.VirtuozzoClient(Exe(), lab_root='')
    assert [client.set_argv('v', c) for c in calls] == [
        ['prlctl', 'set', 'v', '--cpus', '2', '--memsize', '2048M'],
        ['prlctl', 'set', 'v', '--device-set', 'net0', '--ipadd', '10.0.0.1/24', '--nameserver', '10.0.0.53'],
        ['prlctl', 'set', 'v', '--device-set', 'hdd0', '--size', '20480M']]
    ct_calls = vz.compare_settings(Differ(), None, want, 'ct')
    assert len(ct_calls) == 2 and 'device_set' not in ct_calls[0]


@pytest.mark.parametrize('params, vtype, message', [
    ({'swap': '1G'}, 'vm', 'only containers'),
    ({'features': {'nfs': True}}, 'vm', 'only containers'),
    ({'memsize': '0'}, 'ct', 'below 1M'),
    ({'memsize': 'lots'}, 'ct', 'memsize'),
    ({'cpuunits': 5}, 'ct', 'cpuunits'),
    ({'ip_addresses': ['1.2.3.400']}, 'ct', 'ip_addresses'),
    ({'nameservers': ['dns.example.org']}, 'ct', 'nameservers'),
    ({'features': {'warp': True}}, 'ct', 'unknown name'),
    ({'ioprio': 9}, 'ct', 'ioprio'),
])
def test_desired_settings_refuses(params, vtype, message):
    with pytest.raises(vz.VirtuozzoInputError) as exc:
        vz.desired_settings(params, vtype)
    assert message in str(exc.value)


STATES = ('running', 'stopped', 'suspended', 'paused', 'mounted')
RESULT = {'start': 'running', 'stop': 'stopped', 'restart': 'running', 'suspend': 'suspended',
          'resume': 'running', 'umount': 'stopped', 'delete': 'absent'}
ALLOWED = {'start': ('stopped', 'mounted'), 'stop': ('running', 'paused'), 'restart': ('running',),
           'suspend': ('running',), 'resume': ('suspended', 'paused'), 'umount': ('mounted',),
           'delete': ('stopped',)}


@pytest.mark.parametrize('current', STATES)
@pytest.mark.parametrize('target', ('present', 'started', 'stopped', 'restarted', 'suspended', 'absent'))
def test_every_transition_is_legal_and_arrives(current, target):
    status = current
    for action in vz.plan_transitions(current, target):
        assert status in ALLOWED[action], (action, status, current, target)
        status = RESULT[action]
    assert status == (current if target == 'present' else vz.TARGET_STATUS[target])


# Recorded from the simulator: `prlctl snapshot-list web1` after two snapshots (virtuozzo.md §5: %38s %c%38s).
SNAPSHOT_LIST = '''PARENT_SNAPSHOT_ID                      SNAPSHOT_ID
                                        {48b0ef3d-2a0d-4233-90e6-b8c124778aaa}
{48b0ef3d-2a0d-4233-90e6-b8c124778aaa} *{c5a24471-2a23-4928-8009-ec2b97c323f9}
'''


def test_snapshot_list_and_info():
    assert vz.parse_snapshot_list(SNAPSHOT_LIST) == [
        {'id': '{48b0ef3d-2a0d-4233-90e6-b8c124778aaa}', 'parent': None, 'current': False},
        {'id': '{c5a24471-2a23-4928-8009-ec2b97c323f9}', 'parent': '{48b0ef3d-2a0d-4233-90e6-b8c124778aaa}',
         'current': True}]
    info = vz.parse_snapshot_info('ID: {c5a2}\nName: second\nDate: 2026-11-27 10:58:23\nCurrent: yes\n'
                                  'State: power on\nDescription: \n')
    assert info['name'] == 'second' and info['description'] == '' and info['current'] == 'yes'
    assert vz.snapshot_argv('prlctl', 'snapshot', 'web1', name='a b', description='d') == [
        'prlctl', 'snapshot', 'web1', '-n', 'a b', '-d', 'd']
    switch = vz.snapshot_argv('prlctl', 'snapshot-switch', 'web1', '{x}')
    assert switch == ['prlctl', 'snapshot-switch', 'web1', '-i', '{x}']


# ---------------------------------------------------------------- backups (§6)

def test_parse_backup_list_full_recorded():
    backups = vz.parse_backup_list_full(fixture('prlctl-backup-list-f.txt'))
    assert [(b['ve_name'], b['id'], b['type'], b['description']) for b in backups] == [
        ('web1', '{5b0a64c2-61c4-4a8b-9a4c-0b7e1d2c3f40}', 'full', 'nightly 2026-11-26'),
        ('web1', '{5b0a64c2-61c4-4a8b-9a4c-0b7e1d2c3f40}.2', 'incremental', ''),
        ('sql1', '{77d3e1f0-2a4b-4c6d-9e8f-0a1b2c3d4e5f}', 'full', 'before-sql-2022-upgrade'),
    ]
    first, _incremental, sql = backups
    assert first['ve_uuid'] == '8b1cc35e-7a0d-4f1e-bb8c-1d2e3f405162' and first['size'] == 1073741824
    assert first['date'] == '2026-11-26 02:00:03' and first['host'] == 'node1.example.org'
    assert [(d['name'], d['size']) for d in sql['disks']] == [('hdd0', 64424509440), ('hdd1', 4294967296)]


@pytest.mark.parametrize('text', ['', '\n\n'])
def test_parse_backup_list_full_empty(text):
    assert vz.parse_backup_list_full(text) == []


@pytest.mark.parametrize('text', ['garbage line\n', 'VM_UUID: {x}\nName: a\n', '\tName: hdd0\n'])
def test_parse_backup_list_full_rejects(text):
    with pytest.raises(ValueError):
        vz.parse_backup_list_full(text)


def test_parse_backup_id():
    line = 'Backing up the CT web1\nThe CT has been successfully backed up with backup id {ab-c}.2.\n'
    assert vz.parse_backup_id(line) == '{ab-c}.2'
    assert vz.parse_backup_id('The VM has been successfully backed up with backup id {x}.') == '{x}'
    assert vz.parse_backup_id('Failed to backup the CT: no space') is None


@pytest.mark.parametrize('storage', ['backup@vzbackup', 'backup@vzbackup.example.org:64000', 'root@10.0.0.5',
                                     'root@[2001:db8::5]:64000'])
def test_validate_storage_accepts(storage):
    assert vz.validate_storage(storage) == storage


@pytest.mark.parametrize('storage, words', [
    ('backup:secret@vzbackup', 'never in the storage string'),
    ('vzbackup', 'is not user@server'),
    ('backup@vz backup', 'is not user@server'),
    ('backup@vzbackup:70000', 'out of range'),
    ('backup@vzbackup; rm -rf /', 'is not user@server'),
])
def test_validate_storage_rejects(storage, words):
    with pytest.raises(vz.VirtuozzoInputError, match=words):
        vz.validate_storage(storage)
