# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_openvz parsers and planners on recorded output (reference sheet samples and the simulator's)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils import _openvz as ovz
from ansible_collections.datacenter.ve.plugins.module_utils._units import UNLIMITED
from ansible_collections.datacenter.ve.plugins.module_utils._ve import Differ

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


# openvz.md §3.4, verbatim.
@pytest.mark.parametrize('line, expected', [
    ('CTID 101 exist mounted running', ('101', True, True, True, False)),
    ('CTID 102 exist unmounted down suspended', ('102', True, False, False, True)),
    ('CTID 999 deleted unmounted down', ('999', False, False, False, False)),
    ('VEID 101 exist mounted running', ('101', True, True, True, False)),  # Virtuozzo 7 spelling
])
def test_parse_status(line, expected):
    st = ovz.parse_status(line + '\n')
    assert (st['ctid'], st['exists'], st['mounted'], st['running'], st['suspended']) == expected


def test_parse_status_refuses_garbage():
    with pytest.raises(ValueError):
        ovz.parse_status('Container is locked')


def test_parse_conf_sample():
    # openvz.md §7.1 sample keys (ve-vswap-1g.conf-sample) plus the shapes vzctl writes.
    conf = ovz.parse_conf('# comment\nPHYSPAGES="0:1G"\nSWAPPAGES="0:2G"\nDISKSPACE="2G:2.2G"\n'
                          'DISKINODES="131072:144179"\nQUOTATIME="0"\nCPUUNITS="1000"\nNETFILTER="stateless"\n'
                          'VE_ROOT="/vz/root/$VEID"\nIP_ADDRESS="10.0.0.1 2001:db8::1"\nONBOOT=yes\n'
                          'DEVNODES="net/tun:rw fuse:wr"\nnot a line\nlower="x"\n')
    assert conf['PHYSPAGES'] == '0:1G' and conf['VE_ROOT'] == '/vz/root/$VEID'
    assert conf['IP_ADDRESS'] == '10.0.0.1 2001:db8::1' and conf['ONBOOT'] == 'yes'
    assert 'lower' not in conf
    assert ovz.parse_devnodes(conf['DEVNODES']) == {'net/tun': 'rw', 'fuse': 'rw'}


def test_vzlist_json_recorded_from_the_simulator():
    cts = ovz.parse_vzlist_json(fixture('vzlist-4.11-aj.json'))
    assert [c['ctid'] for c in cts] == [101, 102]
    ve = ovz.record_from_vzlist(cts[0], node='node1')
    assert ve.to_dict(raw=False) == {
        'technology': 'openvz', 'node': 'node1', 'id': '101', 'name': 'dns1', 'status': 'running',
        'hostname': 'dns1.example.org', 'ipv4': ['192.0.2.53'], 'ipv6': ['2001:db8::53'],
        'os': 'debian-12-x86_64', 'cpus': 2, 'cpu_units': 2000, 'cpu_limit': 150, 'memory': '1G', 'swap': '512M',
        'disk': '4G', 'onboot': True,
    }
    stopped = ovz.record_from_vzlist(cts[1])
    assert stopped.status == 'stopped' and stopped.name is None and stopped.cpus is None


def test_vzlist_json_with_unescaped_strings():
    # vzlist prints strings with printf("\"%s\"") (§6.3): a quote in a description breaks JSON.
    text = fixture('vzlist-4.11-aj-unescaped.json')
    with pytest.raises(ValueError):
        json.loads(text)
    cts = ovz.parse_vzlist_json(text)
    assert cts[0]['description'] == 'the "old" web server \\ spare'


@pytest.mark.parametrize('text', ['', '[]\n', '[\n]\n'])
def test_vzlist_json_empty(text):
    assert ovz.parse_vzlist_json(text) == []


@pytest.mark.parametrize('text', ['Container(s) not found', '{"ctid": 101}', '[\n  {\n    "ctid": 1O1\n  }\n]'])
def test_vzlist_json_garbage_is_an_error(text):
    with pytest.raises(ValueError):
        ovz.parse_vzlist_json(text)


def test_settings_from_vzlist_unlimited_and_units():
    running, stopped = ovz.parse_vzlist_json(fixture('vzlist-4.11-aj.json'))
    settings = ovz.settings_from_vzlist(stopped, {'DEVNODES': 'net/tun:rw'})
    assert settings['ram'] == 256 << 20 and settings['diskspace'] == (2 << 30, 2306867 << 10)
    assert settings['devnodes'] == {'net/tun': 'rw'}
    assert settings['cpulimit'] == 0 and settings['cpus'] is None
    # An unset UBC reads 0:0 on a stopped CT and LONG_MAX (unlimited) from a running one.
    assert settings['extra_params']['numproc'] == (0, 0)
    assert ovz.settings_from_vzlist(running)['extra_params']['numproc'] == (UNLIMITED, UNLIMITED)
    assert ovz.settings_from_vzlist(running)['ram'] == 1 << 30


ALL_STATUSES = ('running', 'stopped', 'mounted', 'suspended')
TARGETS = ('present', 'started', 'stopped', 'restarted', 'mounted', 'suspended', 'absent')
RESULT = {'start': 'running', 'stop': 'stopped', 'restart': 'running', 'mount': 'mounted', 'umount': 'stopped',
          'suspend': 'suspended', 'resume': 'running', 'destroy': 'absent'}
ALLOWED_FROM = {'start': ('stopped', 'mounted', 'suspended'), 'stop': ('running',), 'restart': ('running',),
                'mount': ('stopped',), 'umount': ('mounted',), 'suspend': ('running',), 'resume': ('suspended',),
                'destroy': ('stopped', 'suspended')}


@pytest.mark.parametrize('current', ALL_STATUSES)
@pytest.mark.parametrize('target', TARGETS)
def test_every_transition_reaches_its_target_with_valid_steps(current, target):
    """Walk the plan: each command must be valid where it runs (no exit 32/40/41) and end at the target."""
    status = current
    for action in ovz.plan_transitions(current, target):
        assert status in ALLOWED_FROM[action], '%s from %s (plan %s -> %s)' % (action, status, current, target)
        status = RESULT[action]
    expected = current if target == 'present' else ovz.TARGET_STATUS[target]
    assert status == expected
    if target == 'restarted':
        assert ovz.plan_transitions(current, target), 'restarted always acts'


@pytest.mark.parametrize('current', ALL_STATUSES)
@pytest.mark.parametrize('target', ('present', 'started', 'stopped', 'restarted', 'mounted'))
def test_plan_with_running_passes_through_running_and_ends_right(current, target):
    before, after = ovz.plan_with_running(current, target)
    status = current
    for action in before:
        status = RESULT[action]
    assert status == 'running'
    for action in after:
        assert status in ALLOWED_FROM[action]
        status = RESULT[action]
    assert status == (current if target == 'present' else ovz.TARGET_STATUS[target])


def test_compare_settings_for_a_new_ct_wants_everything():
    want = ovz.desired_settings({'hostname': 'a.example.org', 'ram': '1G', 'ip_addresses': ['10.0.0.1'],
                                 'features': {'nfs': True}})
    differ = Differ()
    values = ovz.compare_settings(differ, None, want)
    assert values == {'hostname': 'a.example.org', 'ram': '1G', 'ipdel': [], 'ipadd': ['10.0.0.1'],
                      'features': ['nfs:on']}
    assert differ.differences == ['hostname', 'ip_addresses', 'ram', 'features']


def test_argv_builders():
    class Exe:
        def find_binary(self, name, extra_dirs=None):
            return '/usr/sbin/' + name
    client = ovz.OpenVZClient(Exe(), lab_root='')
    assert client.list_argv('101') == ['/usr/sbin/vzlist', '-a', '-j', '101']
    assert client.list_argv(name='web 1') == ['/usr/sbin/vzlist', '-a', '-j', '-N', 'web 1']
    assert client.list_argv('101', 'web') == ['/usr/sbin/vzlist', '-a', '-j']
    assert client.set_argv('101', {'ram': '1G', 'onboot': False}) == [
        '/usr/sbin/vzctl', 'set', '101', '--onboot', 'no', '--ram', '1G', '--save']
    assert client.create_argv('101', {'ostemplate': 't', 'ipadd': ['10.0.0.1', '::1'], 'layout': 'simfs'}) == [
        '/usr/sbin/vzctl', 'create', '101', '--ostemplate', 't', '--layout', 'simfs', '--ipadd', '10.0.0.1',
        '--ipadd', '::1']
    assert client.action_argv('stop', '101', fast=True) == ['/usr/sbin/vzctl', 'stop', '101', '--fast']
