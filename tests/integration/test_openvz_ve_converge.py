# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openvz_ve and openvz_ve_info run as users run them (`ansible -m ...`) against the vzctl simulator.

Each test gets a freshly initialised node (`labctl init-node`); the simulator's
call log (VE_LAB_LOG) tells which commands a task ran, and a hash of the
node's files tells whether anything was written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_node import LabNode

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='the OpenVZ simulator chroots into CTs: needs root')


@pytest.fixture
def node(lab_node):
    return lab_node('openvz')


tools = LabNode.tools
short = LabNode.short
writes = LabNode.writes


CT = {'ctid': '101', 'name': 'dns1', 'ostemplate': 'debian-12-x86_64', 'hostname': 'dns1.example.org',
      'ip_addresses': ['192.0.2.53', '2001:db8::53'], 'nameservers': ['192.0.2.1'], 'ram': '1G', 'swap': '512M',
      'diskspace': '4G', 'cpus': 2, 'cpulimit': '150%', 'cpuunits': 2000, 'onboot': True, 'state': 'started'}


def test_check_apply_apply_check(node):
    before = node.fingerprint()
    result, calls, _out = node.ansible('openvz_ve', CT, check=True, diff=True)
    assert result['changed'] is True
    assert tools(calls) == ['vzlist'], 'check mode may only read'
    assert node.fingerprint() == before, 'check mode wrote to the node'
    predicted = result['commands']

    result, calls, _out = node.ansible('openvz_ve', CT, diff=True)
    assert result['changed'] is True, result
    assert result['commands'] == predicted, 'check mode predicted other commands than were run'
    assert tools(calls) == ['vzlist', 'vzctl create', 'vzctl set', 'vzctl start', 'vzlist']
    ve = result['ve']
    assert (ve['id'], ve['name'], ve['status'], ve['hostname']) == ('101', 'dns1', 'running', 'dns1.example.org')
    assert ve['ipv4'] == ['192.0.2.53'] and ve['ipv6'] == ['2001:db8::53']
    assert (ve['memory'], ve['swap'], ve['disk'], ve['cpus'], ve['cpu_limit'], ve['cpu_units']) == \
        ('1G', '512M', '4G', 2, 150, 2000)
    assert ve['onboot'] is True

    for mode in (False, True):
        result, calls, _out = node.ansible('openvz_ve', CT, check=mode, diff=True)
        assert result['changed'] is False, result
        assert result['commands'] == [] and result['differences'] == []
        assert tools(calls) == ['vzlist'], 'an unchanged CT costs one read'


def test_change_reports_exact_diff_and_check_mode_writes_nothing(node):
    node.ansible('openvz_ve', CT)
    change = dict(CT, ram='2048M', ip_addresses=['192.0.2.54', '2001:db8::53'])

    before = node.fingerprint()
    result, calls, out = node.ansible('openvz_ve', change, check=True, diff=True)
    assert result['changed'] is True
    assert result['differences'] == ['ip_addresses', 'ram']
    assert short(result['commands']) == [
        ['vzctl', 'set', '101', '--ipdel', '192.0.2.53', '--ipadd', '192.0.2.54', '--ram', '2G', '--save']]
    assert writes(calls) == [] and node.fingerprint() == before
    assert '-    "ram": "1G"' in out and '+    "ram": "2G"' in out  # what --diff shows the user

    result, calls, _out = node.ansible('openvz_ve', change, diff=True)
    assert result['changed'] is True
    assert [c['argv'][1] for c in writes(calls)] == ['set'], 'all settings in one vzctl set'
    assert result['diff']['before']['ram'] == '1G' and result['diff']['after']['ram'] == '2G'
    assert result['diff']['before']['ip_addresses'] == ['192.0.2.53', '2001:db8::53']
    assert result['diff']['after']['ip_addresses'] == ['192.0.2.54', '2001:db8::53']
    ct = node.ct(101)
    assert ct['physpages']['limit'] == 524288 and sorted(ct['ip']) == ['192.0.2.54', '2001:db8::53']

    result, calls, _out = node.ansible('openvz_ve', change)
    assert result['changed'] is False and tools(calls) == ['vzlist']


def test_stop_start_restart_destroy(node):
    node.ansible('openvz_ve', CT)
    steps = [
        ({'state': 'stopped'}, True, ['vzctl stop'], 'stopped'),
        ({'state': 'stopped'}, False, [], 'stopped'),
        ({'state': 'started'}, True, ['vzctl start'], 'running'),
        ({'state': 'restarted'}, True, ['vzctl restart'], 'running'),
        ({'state': 'mounted'}, True, ['vzctl stop', 'vzctl mount'], 'mounted'),
        ({'state': 'suspended'}, True, ['vzctl start', 'vzctl suspend'], 'suspended'),
        ({'state': 'started'}, True, ['vzctl start'], 'running'),
        ({'state': 'absent'}, True, ['vzctl stop', 'vzctl destroy'], None),
        ({'state': 'absent'}, False, [], None),
    ]
    for args, changed, commands, status in steps:
        result, calls, _out = node.ansible('openvz_ve', dict(args, ctid='101'))
        assert result['changed'] is changed, (args, result)
        assert [t for t in tools(calls) if t != 'vzlist'] == commands, args
        ct = node.ct(101)
        assert (ct['status'] if ct else None) == status, args
    assert os.path.exists(os.path.join(node.root, 'etc/vz/conf/101.conf.destroyed'))


@pytest.mark.parametrize('addresses, v4, v6', [
    (['2001:db8::10'], [], ['2001:db8::10']),
    (['2001:db8::10', '2001:db8::11', '198.51.100.7'], ['198.51.100.7'], ['2001:db8::10', '2001:db8::11']),
])
def test_ipv6_only_and_dual_stack(node, addresses, v4, v6):
    args = {'ctid': '102', 'ostemplate': 'debian-12-x86_64', 'ip_addresses': addresses, 'state': 'started'}
    result, _calls, _out = node.ansible('openvz_ve', args)
    assert result['changed'] is True
    assert result['ve']['ipv4'] == v4 and sorted(result['ve']['ipv6']) == sorted(v6)
    result, calls, _out = node.ansible('openvz_ve', args)
    assert result['changed'] is False and tools(calls) == ['vzlist']
    # Down to a single IPv6 address: the others are removed in the same vzctl set.
    result, calls, _out = node.ansible('openvz_ve', dict(args, ip_addresses=['2001:db8::10']))
    assert result['changed'] is (len(addresses) > 1)
    assert node.ct(102)['ip'] == ['2001:db8::10']


BAD_INPUT = [
    ({'ctid': '100'}, 'ctid: 100 is reserved'),
    ({'ctid': '12x'}, 'is not a number'),
    ({}, 'one of ctid or name is required'),
    ({'ctid': '101', 'name': 'web/1'}, 'not a valid vzctl name'),
    ({'ctid': '101', 'name': '4242'}, 'all digits'),
    ({'ctid': '101', 'ip_addresses': ['192.0.2.300']}, "'192.0.2.300' is not an IPv4 or IPv6 address"),
    ({'ctid': '101', 'ip_addresses': ['2001:db8::1/200']}, 'invalid prefix length'),
    ({'ctid': '101', 'ram': 'a lot'}, "ram: 'a lot' is not a size"),
    ({'ctid': '101', 'swap': '-1G'}, 'swap'),
    ({'ctid': '101', 'diskspace': '10G:5G'}, 'diskspace: barrier 10G is above limit 5G'),
    ({'ctid': '101', 'diskinodes': '1.5'}, 'diskinodes'),
    ({'ctid': '101', 'cpuunits': 600000}, 'cpuunits: 600000 is outside 8..500000'),
    ({'ctid': '101', 'cpulimit': 'half'}, 'cpulimit'),
    ({'ctid': '101', 'cpus': 0}, 'cpus: 0 must be 1 or more'),
    ({'ctid': '101', 'ioprio': 8}, 'ioprio: 8 is outside 0..7'),
    ({'ctid': '101', 'hostname': 'no spaces allowed'}, 'hostname'),
    ({'ctid': '101', 'nameservers': ['dns.example.org']}, 'nameservers'),
    ({'ctid': '101', 'features': {'hyperdrive': True}}, 'features: unknown name'),
    ({'ctid': '101', 'features': {'nfs': 'maybe'}}, 'must be true or false'),
    ({'ctid': '101', 'devnodes': ['net/tun:x']}, 'devnodes'),
    ({'ctid': '101', 'extra_params': {'rootpassword': 'x'}}, "extra_params: 'rootpassword'"),
    ({'ctid': '101', 'extra_params': {'numproc': '10:5'}}, 'barrier 10 is above limit 5'),
    ({'ctid': '101', 'userpasswd': 'root'}, "userpasswd must be 'user:password'"),
    ({'ctid': '101', 'state': 'absent', 'hostname': 'x.example.org'}, 'state=absent does not take settings'),
    ({'ctid': '101', 'state': 'rebooted'}, 'value of state must be one of'),
    ({'ctid': '101', 'timeout': 0}, 'timeout must be at least 1 second'),
]


def test_bad_input_fails_before_any_command(node):
    """Every case fails with a clear message, and not one command runs (all cases in one play, looped)."""
    before = node.fingerprint()
    result, calls, _out = node.ansible('openvz_ve', [args for args, _message in BAD_INPUT], loop=True)
    assert calls == [], 'bad input must fail before any command runs'
    assert node.fingerprint() == before
    assert len(result['results']) == len(BAD_INPUT) >= 15
    for (args, message), item in zip(BAD_INPUT, result['results']):
        assert item.get('failed') is True, args
        assert message in item['msg'], (args, item['msg'])


def test_half_done_create_is_finished_by_the_next_run(node):
    node.faults([{'tool': 'vzctl', 'command': 'start', 'rc': 50,
                  'stderr': 'Container start failed (try to check kernel messages, e.g. "dmesg | tail")\n',
                  'times': 1}])
    result, _calls, _out = node.ansible('openvz_ve', CT)
    assert result['failed'] is True
    assert result['msg'] == 'start CT 101 failed'
    assert result['rc'] == 50 and short([result['cmd']]) == [['vzctl', 'start', '101']] and 'dmesg' in result['stderr']
    assert node.ct(101)['status'] == 'stopped'

    result, calls, _out = node.ansible('openvz_ve', CT)
    assert result['changed'] is True
    assert [t for t in tools(calls) if t != 'vzlist'] == ['vzctl start']
    assert node.ct(101)['status'] == 'running'
    result, calls, _out = node.ansible('openvz_ve', CT)
    assert result['changed'] is False


def test_hung_command_times_out(node):
    node.ansible('openvz_ve', dict(CT, state='stopped'))
    node.faults([{'tool': 'vzctl', 'command': 'start', 'hang': 60}])
    started = time.monotonic()
    result, _calls, _out = node.ansible('openvz_ve', {'ctid': '101', 'state': 'started', 'timeout': 2})
    assert time.monotonic() - started < 50
    assert result['failed'] is True
    assert result['msg'] == 'start CT 101: timed out after 2s'
    assert short([result['cmd']]) == [['vzctl', 'start', '101']]


def test_password_is_set_inside_and_never_shown(node):
    secret = 'Sup3r-s3cret-pw'
    args = {'ctid': '103', 'ostemplate': 'debian-12-x86_64', 'userpasswd': 'root:' + secret}
    result, calls, out = node.ansible('openvz_ve', args, diff=True)
    assert result['changed'] is True
    assert [t for t in tools(calls) if t != 'vzlist'] == ['vzctl create', 'vzctl start', 'vzctl exec2', 'vzctl stop']
    with open(os.path.join(node.root, 'vz/private/103/etc/shadow')) as handle:
        root_hash = handle.read().split('\n')[0].split(':')[1]
    assert root_hash.startswith('$6$')
    assert secret not in out and secret not in json.dumps(result)
    with open(node.log) as handle:
        assert secret not in handle.read()
    # on_create: not again
    result, calls, _out = node.ansible('openvz_ve', args)
    assert result['changed'] is False and tools(calls) == ['vzlist']


def test_found_mounted_or_suspended_is_handled(node):
    node.ansible('openvz_ve', dict(CT, state='mounted'))
    result, _calls, _out = node.ansible('openvz_ve', dict(CT, state='stopped'))
    assert result['changed'] is True and node.ct(101)['status'] == 'stopped'
    node.ansible('openvz_ve', dict(CT, state='suspended'))
    assert node.ct(101)['status'] == 'suspended'
    result, calls, _out = node.ansible('openvz_ve', {'name': 'dns1', 'state': 'absent'})
    assert result['changed'] is True and node.ct(101) is None
    assert [t for t in tools(calls) if t != 'vzlist'] == ['vzctl destroy']


def test_info_lists_and_filters(node):
    node.ansible('openvz_ve', CT)
    node.ansible('openvz_ve', {'ctid': '102', 'name': 'mail1', 'ostemplate': 'debian-12-x86_64'})
    result, calls, _out = node.ansible('openvz_ve_info', {})
    assert result['changed'] is False and tools(calls) == ['vzlist']
    assert [(v['id'], v['name'], v['status']) for v in result['ves']] == [
        ('101', 'dns1', 'running'), ('102', 'mail1', 'stopped')]
    assert result['ves'][0]['raw']['physpages']['limit'] == 262144
    result, _calls, _out = node.ansible('openvz_ve_info', {'status': ['stopped']})
    assert [v['id'] for v in result['ves']] == ['102']
    result, _calls, _out = node.ansible('openvz_ve_info', {'name': ['dns1']}, check=True)
    assert [v['id'] for v in result['ves']] == ['101']
