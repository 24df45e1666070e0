# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""virtuozzo_ve and virtuozzo_ve_info through ansible-playbook against the prlctl simulator, for a CT and a VM."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import time

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_node import LabNode

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='the prlctl simulator chroots into CTs: needs root')

GIB = 1 << 30


def tools(calls):
    return [' '.join(c['argv'][:2]) if c['argv'][1:2] != ['list'] else 'prlctl list' for c in calls]


def writes(calls):
    return [t for t in tools(calls) if t != 'prlctl list']


@pytest.fixture
def node(lab_node):
    return lab_node('virtuozzo')


def info(node, name):
    out = subprocess.run(['prlctl', 'list', '-i', '-j', '-f', name], env=node.env, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, universal_newlines=True, check=False)
    return json.loads(out.stdout)[0] if out.returncode == 0 else None


CT = {'name': 'web1', 'type': 'ct', 'ostemplate': 'debian-12-x86_64', 'hostname': 'web1.example.org',
      'ip_addresses': ['192.0.2.80/24', '2001:db8::80/64'], 'nameservers': ['192.0.2.1'], 'cpus': 2,
      'memsize': '2G', 'swap': '512M', 'disk_size': '20G', 'onboot': True, 'features': {'nfs': True},
      'ha_prio': 5, 'state': 'started'}
VM = {'name': 'iis1', 'type': 'vm', 'distribution': 'win-2019', 'cpus': 4, 'memsize': '8G', 'disk_size': '100G',
      'ip_addresses': ['192.0.2.90/24'], 'state': 'started'}


@pytest.mark.parametrize('spec, writes_expected', [
    (CT, ['prlctl create', 'prlctl set', 'prlctl set', 'prlctl start']),
    (VM, ['prlctl create', 'prlctl set', 'prlctl set', 'prlctl set', 'prlctl start']),
], ids=['ct', 'vm'])
def test_check_apply_apply_check(node, spec, writes_expected):
    before = node.fingerprint()
    result, calls, _out = node.ansible('virtuozzo_ve', spec, check=True, diff=True)
    assert result['changed'] is True and writes(calls) == [] and node.fingerprint() == before
    predicted = result['commands']
    result, calls, _out = node.ansible('virtuozzo_ve', spec, diff=True)
    assert result['changed'] is True, result
    assert result['commands'] == predicted
    assert writes(calls) == writes_expected
    ve = result['ve']
    assert ve['status'] == 'running' and ve['memory'] == spec['memsize'] and ve['disk'] == spec['disk_size']
    for mode in (False, True):
        result, calls, _out = node.ansible('virtuozzo_ve', spec, check=mode, diff=True)
        assert result['changed'] is False, result
        assert tools(calls) == ['prlctl list'], 'an unchanged VE costs one read'


def test_change_and_exact_diff(node):
    node.ansible('virtuozzo_ve', CT)
    change = dict(CT, memsize='4096M', ip_addresses=['192.0.2.81/24', '2001:db8::80/64'], cpus=4)
    result, calls, out = node.ansible('virtuozzo_ve', change, check=True, diff=True)
    assert result['changed'] and writes(calls) == []
    assert LabNode.short(result['commands']) == [
        ['prlctl', 'set', 'web1', '--cpus', '4', '--memsize', '4096M', '--ipdel', '192.0.2.80', '--ipadd',
         '192.0.2.81/24']]
    assert '-    "memsize": "2G"' in out and '+    "memsize": "4G"' in out
    result, calls, _out = node.ansible('virtuozzo_ve', change)
    assert writes(calls) == ['prlctl set'], 'all settings in one prlctl set'
    hw = info(node, 'web1')['Hardware']
    assert hw['memory']['size'] == '4096Mb' and hw['cpu']['cpus'] == 4
    result, calls, _out = node.ansible('virtuozzo_ve', change)
    assert result['changed'] is False


def test_lifecycle(node):
    node.ansible('virtuozzo_ve', CT)
    steps = [('stopped', True, ['prlctl stop'], 'stopped'), ('stopped', False, [], 'stopped'),
             ('started', True, ['prlctl start'], 'running'), ('restarted', True, ['prlctl restart'], 'running'),
             ('suspended', True, ['prlctl suspend'], 'suspended'), ('started', True, ['prlctl resume'], 'running'),
             ('absent', True, ['prlctl stop', 'prlctl delete'], None), ('absent', False, [], None)]
    for state, changed, commands, status in steps:
        result, calls, _out = node.ansible('virtuozzo_ve', {'name': 'web1', 'state': state})
        assert result['changed'] is changed, (state, result)
        assert writes(calls) == commands, state
        found = info(node, 'web1')
        assert (found['State'] if found else None) == status, state


def test_disk_shrink_and_running_swap_are_refused_before_any_write(node):
    node.ansible('virtuozzo_ve', CT)
    result, calls, _out = node.ansible('virtuozzo_ve', {'name': 'web1', 'disk_size': '10G'})
    assert result['failed'] and 'shrinking a disk is refused' in result['msg'] and writes(calls) == []
    result, calls, _out = node.ansible('virtuozzo_ve', {'name': 'web1', 'swap': '1G'})
    assert result['failed'] and 'only while it is stopped' in result['msg'] and writes(calls) == []
    result, calls, _out = node.ansible('virtuozzo_ve', {'name': 'web1', 'swap': '1G', 'state': 'stopped'})
    assert result['changed'] and writes(calls) == ['prlctl stop', 'prlctl set']


def test_password_inside_and_never_shown(node):
    secret = 'Vz-s3cret-pass'
    args = {'name': 'db1', 'type': 'ct', 'ostemplate': 'debian-12-x86_64', 'userpasswd': 'root:' + secret}
    result, calls, out = node.ansible('virtuozzo_ve', args, diff=True)
    assert result['changed'] and writes(calls) == ['prlctl create', 'prlctl start', 'prlctl exec', 'prlctl stop']
    assert secret not in out and secret not in json.dumps(result)
    with open(node.log) as handle:
        assert secret not in handle.read()
    home = info(node, 'db1')['Home']
    # The simulator keeps a CT's root filesystem in fs/ under its private area (Home).
    with open(os.path.join(node.root, home.lstrip('/'), 'fs', 'etc', 'shadow')) as handle:
        assert handle.read().split(':')[1].startswith('$6$')


BAD_INPUT = [
    ({}, 'one of name or uuid is required'),
    ({'name': '-bad'}, 'not a valid VE name'),
    ({'name': 'a/b'}, 'not a valid VE name'),
    ({'name': '4e0de459-c28f-440b-b9b3-c94afea7da9a'}, 'looks like a UUID'),
    ({'uuid': 'not-a-uuid'}, 'is not a UUID'),
    ({'name': 'x', 'type': 'vm', 'swap': '1G'}, 'only containers'),
    ({'name': 'x', 'type': 'vm', 'ostemplate': 'debian-12-x86_64'}, 'a VM takes distribution'),
    ({'name': 'x', 'type': 'ct', 'distribution': 'win-2019'}, 'a container takes ostemplate'),
    ({'name': 'x', 'memsize': 'much'}, 'memsize'),
    ({'name': 'x', 'memsize': '0'}, 'below 1M'),
    ({'name': 'x', 'disk_size': '-5G'}, 'disk_size'),
    ({'name': 'x', 'cpus': 0}, 'cpus'),
    ({'name': 'x', 'cpuunits': 1}, 'cpuunits'),
    ({'name': 'x', 'cpulimit': 'fast'}, 'cpulimit'),
    ({'name': 'x', 'ip_addresses': ['2001:db8::zz']}, 'ip_addresses'),
    ({'name': 'x', 'hostname': 'bad host'}, 'hostname'),
    ({'name': 'x', 'features': {'nfs': 'yes'}}, 'must be true or false'),
    ({'name': 'x', 'ioprio': 8}, 'ioprio'),
    ({'name': 'x', 'userpasswd': 'nopass'}, 'userpasswd'),
    ({'name': 'x', 'state': 'absent', 'cpus': 2}, 'state=absent does not take settings'),
    ({'name': 'x', 'timeout': 0}, 'timeout'),
]


def test_bad_input_fails_before_any_command(node):
    before = node.fingerprint()
    result, calls, _out = node.ansible('virtuozzo_ve', [args for args, _m in BAD_INPUT], loop=True)
    assert calls == [] and node.fingerprint() == before
    assert len(result['results']) == len(BAD_INPUT) >= 15
    for (args, message), item in zip(BAD_INPUT, result['results']):
        assert item.get('failed') is True, args
        assert message in item['msg'], (args, item['msg'])


def test_half_done_then_converging_rerun(node):
    node.faults([{'tool': 'prlctl', 'command': 'start', 'rc': 255, 'times': 1,
                  'stderr': 'Failed to start the CT: Unable to start the Container\n'}])
    result, _calls, _out = node.ansible('virtuozzo_ve', CT)
    assert result['failed'] and result['msg'] == 'start VE web1 failed' and result['rc'] == 255
    assert info(node, 'web1')['State'] == 'stopped'
    result, calls, _out = node.ansible('virtuozzo_ve', CT)
    assert result['changed'] and writes(calls) == ['prlctl start']


def test_hung_command_times_out(node):
    node.ansible('virtuozzo_ve', dict(CT, state='stopped'))
    node.faults([{'tool': 'prlctl', 'command': 'start', 'hang': 60}])
    started = time.monotonic()
    result, _calls, _out = node.ansible('virtuozzo_ve', dict(CT, timeout=2))
    assert time.monotonic() - started < 50
    assert result['failed'] and result['msg'] == 'start VE web1: timed out after 2s'


def test_deprecation_warning_on_for_a_whole_run(node):
    node.env['VE_LAB_PRLCTL_DEPRECATION'] = '1'
    result, calls, _out = node.ansible('virtuozzo_ve', CT)
    assert result['changed'] is True and not result.get('failed')
    assert 'WARNING: You are using a deprecated CLI component' in subprocess.run(
        ['prlctl', 'status', 'web1'], env=node.env, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
        universal_newlines=True, check=False).stderr
    result, calls, _out = node.ansible('virtuozzo_ve', CT)
    assert result['changed'] is False and tools(calls) == ['prlctl list']
    result, _calls, _out = node.ansible('virtuozzo_ve', {'name': 'web1', 'state': 'stopped'})
    assert result['changed'] is True and not result.get('failed')


def test_info(node):
    node.ansible('virtuozzo_ve', CT)
    node.ansible('virtuozzo_ve', dict(VM, state='stopped'))
    result, calls, _out = node.ansible('virtuozzo_ve_info', {})
    assert result['changed'] is False and writes(calls) == []
    assert sorted((v['name'], v['status']) for v in result['ves']) == [('iis1', 'stopped'), ('web1', 'running')]
    result, _calls, _out = node.ansible('virtuozzo_ve_info', {'type': 'vm'})
    assert [v['name'] for v in result['ves']] == ['iis1'] and result['ves'][0]['raw']['OS'] == 'win-2019'
