# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils._units import UNLIMITED
from ansible_collections.datacenter.ve.plugins.module_utils._ve import (
    VE, AddressError, Differ, list_delta, normalize_address, split_addresses,
)

GIB = 1 << 30


def test_record_to_dict_is_canonical():
    ve = VE('openvz', id='101', node='node1', name='dns1', status='running', hostname='dns1.example.org',
            ipv4=['10.0.0.1'], ipv6=['2001:db8::1'], os='debian-12-x86_64', cpus=2, cpu_units=1000,
            cpu_limit=150, memory=GIB, swap=512 << 20, disk=UNLIMITED, onboot=True, raw={'VEID': '101'})
    d = ve.to_dict()
    assert d['memory'] == '1G' and d['swap'] == '512M' and d['disk'] == 'unlimited'
    assert ve.addresses == ['10.0.0.1', '2001:db8::1']
    assert d['raw'] == {'VEID': '101'}
    assert 'raw' not in ve.to_dict(raw=False)
    assert set(d) == {'technology', 'node', 'id', 'name', 'status', 'hostname', 'ipv4', 'ipv6', 'os',
                      'cpus', 'cpu_units', 'cpu_limit', 'memory', 'swap', 'disk', 'onboot', 'raw'}


def test_record_refuses_unknown_words():
    with pytest.raises(ValueError, match='technology'):
        VE('lxc')
    with pytest.raises(ValueError, match='status'):
        VE('zones', status='booting')


def test_absent_record():
    assert not VE('openvz', id='999', status='absent').exists


@pytest.mark.parametrize('text, canonical', [
    ('10.0.0.1', '10.0.0.1'),
    (' 10.0.0.1/24 ', '10.0.0.1/24'),
    ('2001:DB8:0:0::0001', '2001:db8::1'),
    ('2001:db8::1/64', '2001:db8::1/64'),
])
def test_normalize_address(text, canonical):
    assert normalize_address(text) == canonical


@pytest.mark.parametrize('bad', ['10.0.0.256', 'example.org', '10.0.0.1/33', '2001:db8::1/129', '10.0.0.1/x'])
def test_bad_addresses(bad):
    with pytest.raises(AddressError):
        normalize_address(bad)


def test_split_addresses_keeps_order_and_drops_duplicates():
    assert split_addresses(['10.0.0.2', '2001:DB8::1', '10.0.0.1', '10.0.0.2']) == (
        ['10.0.0.2', '10.0.0.1'], ['2001:db8::1'])


def test_list_delta():
    assert list_delta(['a', 'b'], ['b', 'c']) == (['c'], ['a'])
    assert list_delta(None, ['a']) == (['a'], [])


def test_differ_no_change():
    d = Differ()
    assert not d.compare('hostname', 'a', 'a')
    assert not d.size('memory', GIB, GIB)
    assert not d.compare('ipv4', ['1', '2'], ['2', '1'], kind='set')
    assert not d.changed
    assert d.differences == []
    assert d.diff == {'before': {'hostname': 'a', 'memory': '1G', 'ipv4': ['1', '2']},
                      'after': {'hostname': 'a', 'memory': '1G', 'ipv4': ['1', '2']}}


def test_differ_records_changes_in_order():
    d = Differ()
    assert d.compare('state', 'stopped', 'running')
    assert not d.compare('hostname', 'a', None)  # not managed: not recorded
    assert d.size('memory', GIB, 2 * GIB)
    assert not d.compare('onboot', True, True)
    assert d.compare('ipv4', ['1', '2'], ['2', '1'], kind='list')
    assert d.changed
    assert d.differences == ['state', 'memory', 'ipv4']
    assert list(d.diff['before']) == ['state', 'memory', 'onboot', 'ipv4']
    assert d.diff['before']['memory'] == '1G' and d.diff['after']['memory'] == '2G'
    assert d.differs('memory') and not d.differs('onboot') and not d.differs('hostname')
    assert d.after('state') == 'running'


def test_differ_from_nothing():
    d = Differ()
    d.compare('state', 'absent', 'present')
    d.size('disk', None, UNLIMITED)
    assert d.diff == {'before': {'state': 'absent', 'disk': None},
                      'after': {'state': 'present', 'disk': 'unlimited'}}


def test_differ_recompare_replaces():
    d = Differ()
    d.compare('status', 'stopped', 'running')
    d.compare('status', 'running', 'running')
    assert not d.changed and d.differences == []


def test_differ_unknown_kind():
    with pytest.raises(ValueError):
        Differ().compare('x', 1, 2, kind='fuzzy')
