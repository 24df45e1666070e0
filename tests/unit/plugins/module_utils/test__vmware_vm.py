# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_vmware_vm: desired settings, comparison with a live VM (by position), power planning."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils import _vmware_vm as vv

GIB = 1 << 30
MIB = 1 << 20


def live(**overrides):
    current = {'guest_id': 'otherGuest64', 'cpus': 2, 'cores_per_socket': 1, 'memory': 2 * GIB,
               'cpu_hot_add': False, 'memory_hot_add': False, 'annotation': '', 'cpu_shares': 'normal',
               'cpu_reservation': 0, 'cpu_limit': 'unlimited', 'memory_shares': 'normal', 'memory_reservation': 0,
               'memory_limit': 'unlimited',
               'disks': [{'size': 10 * GIB, 'key': 2000, 'file': '[ds1] a/a.vmdk', 'label': 'Hard disk 1'}],
               'networks': [{'name': 'VM Network', 'device_type': 'vmxnet3', 'connected': True,
                             'start_connected': True, 'mac': '00:50:56:00:00:01', 'key': 4000,
                             'label': 'Network adapter 1'}],
               'devices': {}}
    current.update(overrides)
    return current


def test_desired_settings_canonical():
    want = vv.desired_settings({'memory': '4096', 'memory_limit': 'unlimited', 'memory_reservation': '1G',
                                'cpu_shares': 'HIGH', 'memory_shares': '1500', 'cpu_limit': '-1', 'cpus': 4,
                                'cores_per_socket': 2, 'disks': [{'size': '40G'}],
                                'networks': [{'name': 'VLAN 12', 'connected': False}]})
    assert want['memory'] == 4 * GIB and want['memory_limit'] == 'unlimited' and want['memory_reservation'] == GIB
    assert (want['cpu_shares'], want['memory_shares'], want['cpu_limit']) == ('high', 1500, 'unlimited')
    assert want['disks'] == [{'size': 40 * GIB, 'datastore': None, 'type': 'thin'}]
    assert want['networks'] == [{'name': 'VLAN 12', 'device_type': 'vmxnet3', 'connected': False,
                                 'start_connected': True}]
    assert vv.desired_settings({}) == {}


@pytest.mark.parametrize('params, words', [
    ({'memory': '6M'}, 'whole number of 4M'),
    ({'cpus': 6, 'cores_per_socket': 4}, 'multiple of cores_per_socket'),
    ({'disks': [{'size': '1G', 'label': 'x'}]}, 'unknown keys label'),
    ({'networks': [{'name': 'n', 'device_type': 'vlance'}]}, 'is not one of'),
    ({'networks': [{'name': 'n', 'connected': 'yes'}]}, 'is not true or false'),
    ({'memory_limit': '1G', 'memory_reservation': '2G'}, 'memory_reservation is above memory_limit'),
])
def test_desired_settings_rejects(params, words):
    with pytest.raises(vv.VMInputError, match=words):
        vv.desired_settings(params)


def test_compare_nothing_to_do():
    current = live()
    differ, changes = vv.compare(current, vv.desired_settings({'cpus': 2, 'memory': '2G', 'disks': [{'size': '10G'}],
                                                               'networks': [{'name': 'VM Network'}]}), 'poweredOn')
    assert not differ.changed and changes == []


def test_compare_hot_and_cold_on_a_running_vm():
    want = vv.desired_settings({'cpus': 4, 'memory': '4G', 'cpu_shares': 'high', 'cores_per_socket': 2,
                                'disks': [{'size': '20G'}, {'size': '5G'}],
                                'networks': [{'name': 'VM Network', 'device_type': 'e1000e'}, {'name': 'Backup'}]})
    differ, changes = vv.compare(live(), want, 'poweredOn')
    assert differ.differences == ['cpus', 'cores_per_socket', 'memory', 'cpu_shares', 'disks', 'networks']
    kinds = [(c.key, c.cold, sorted(k for k in c.detail if k in ('add', 'grow', 'replace', 'edit'))
              if isinstance(c.detail, dict) else []) for c in changes]
    assert kinds == [('cpus', True, []), ('cores_per_socket', True, []), ('memory', True, []),
                     ('cpu_shares', False, []), ('disks', False, ['grow']), ('disks', False, ['add']),
                     ('networks', True, ['replace']), ('networks', False, ['add'])]
    assert differ.diff['after']['disks'] == ['20G', '5G'] and differ.diff['after']['memory'] == '4G'


def test_compare_hot_add_and_powered_off():
    want = vv.desired_settings({'cpus': 4, 'memory': '4G'})
    _differ, changes = vv.compare(live(cpu_hot_add=True, memory_hot_add=True), want, 'poweredOn')
    assert [c.cold for c in changes] == [False, False]
    _differ, changes = vv.compare(live(cpu_hot_add=True), vv.desired_settings({'cpus': 1}), 'poweredOn')
    assert [c.cold for c in changes] == [True]   # removing CPUs always needs power off
    _differ, changes = vv.compare(live(), vv.desired_settings({'cores_per_socket': 2}), 'poweredOff')
    assert [c.cold for c in changes] == [False]


def test_compare_refuses_to_shrink_and_keeps_unlisted_devices():
    with pytest.raises(vv.VMInputError, match='only grow'):
        vv.compare(live(), vv.desired_settings({'disks': [{'size': '5G'}]}), 'poweredOff')
    two = live(disks=live()['disks'] + [{'size': GIB, 'key': 2001, 'file': None, 'label': 'Hard disk 2'}])
    differ, changes = vv.compare(two, vv.desired_settings({'disks': [{'size': '10G'}]}), 'poweredOff')
    assert not differ.changed and changes == []


@pytest.mark.parametrize('current, state, cold, force, expected', [
    ('poweredOff', 'present', False, False, ([], [], False)),
    ('poweredOn', 'present', True, False, ([], [], True)),
    ('poweredOn', 'present', True, True, (['PowerOffVM_Task'], ['PowerOnVM_Task'], False)),
    ('poweredOn', 'poweredoff', True, False, (['PowerOffVM_Task'], [], False)),
    ('poweredOff', 'poweredon', True, False, ([], ['PowerOnVM_Task'], False)),
    ('poweredOn', 'suspended', False, False, ([], ['SuspendVM_Task'], False)),
    ('poweredOff', 'suspended', False, False, ([], ['PowerOnVM_Task', 'SuspendVM_Task'], False)),
    ('poweredOn', 'suspended', True, True, (['PowerOffVM_Task'], ['PowerOnVM_Task', 'SuspendVM_Task'], False)),
    ('poweredOn', 'restarted', False, False, ([], ['ResetVM_Task'], False)),
    ('poweredOn', 'restarted', True, True, (['PowerOffVM_Task'], ['PowerOnVM_Task'], False)),
    ('poweredOff', 'restarted', False, False, ([], ['PowerOnVM_Task'], False)),
    ('poweredOn', 'shutdownguest', True, False, (['ShutdownGuest'], [], False)),
    ('poweredOn', 'rebootguest', False, False, ([], ['RebootGuest'], False)),
    ('suspended', 'poweredon', False, False, ([], ['PowerOnVM_Task'], False)),
])
def test_power_plan(current, state, cold, force, expected):
    assert vv.power_plan(current, state, cold, force) == expected
