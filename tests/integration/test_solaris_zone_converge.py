# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""solaris_zone and solaris_zone_info run through ansible-playbook against the zones simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import time

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_node import LabNode

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='the zones simulator chroots into zones: needs root')

tools = LabNode.tools
READS = ('zoneadm list', 'zonecfg export')


def writes(calls):
    return [t for t in tools(calls) if t not in READS]


@pytest.fixture
def node(lab_node):
    return lab_node('zones', '--release', 'illumos')


WEB = {
    'name': 'web1', 'zonepath': '/zones/web1', 'brand': 'ipkg', 'autoboot': True, 'ip_type': 'shared',
    'properties': {'cpu-shares': 20, 'max-lwps': 2000},
    'resources': {
        'capped-memory': {'physical': '1G', 'swap': '2G'},
        'net': [{'physical': 'e1000g0', 'address': '192.0.2.80/24'},
                {'physical': 'e1000g0', 'address': '2001:db8::80/64'}],
        'fs': [{'dir': '/data', 'special': '/export/web1', 'type': 'lofs', 'options': ['nodevices']}],
        'dataset': [{'name': 'tank/web1'}],
    },
    'state': 'running',
}


def export(node, name):
    return subprocess.run(['zonecfg', '-z', name, 'export'], env=node.env, stdout=subprocess.PIPE,
                          universal_newlines=True, check=True).stdout


def zone_state(node, name):
    out = subprocess.run(['zoneadm', 'list', '-cp'], env=node.env, stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    for line in out.splitlines():
        fields = line.split(':')
        if fields[1] == name:
            return fields[2]
    return None


def test_check_apply_apply_check(node):
    before = node.fingerprint()
    result, calls, _out = node.ansible('solaris_zone', WEB, check=True, diff=True)
    assert result['changed'] is True
    assert writes(calls) == [] and node.fingerprint() == before
    predicted_script, predicted_commands = result['script'], result['commands']
    predicted_after = result['diff']['after']

    result, calls, _out = node.ansible('solaris_zone', WEB, diff=True)
    assert result['changed'] is True, result
    assert result['script'] == predicted_script and result['commands'] == predicted_commands
    assert writes(calls) == ['zonecfg -f', 'zoneadm install', 'zoneadm boot']
    assert result['diff']['after'] == predicted_after, 'check mode predicted another configuration'
    assert zone_state(node, 'web1') == 'running'
    ve = result['ve']
    assert (ve['name'], ve['status'], ve['memory'], ve['swap'], ve['cpu_units'], ve['onboot']) == \
        ('web1', 'running', '1G', '2G', 20, True)
    assert ve['ipv4'] == ['192.0.2.80/24'] and ve['ipv6'] == ['2001:db8::80/64']

    for mode in (False, True):
        result, calls, _out = node.ansible('solaris_zone', WEB, check=mode, diff=True)
        assert result['changed'] is False, result
        assert result['script'] == [] and result['commands'] == []
        assert tools(calls) == ['zoneadm list', 'zonecfg export'], 'an unchanged zone costs two reads'


def test_change_on_running_zone_is_saved_and_needs_reboot(node):
    node.ansible('solaris_zone', WEB)
    change = dict(WEB, resources=dict(WEB['resources'], **{'capped-memory': {'physical': '2048M', 'swap': '2G'}}))
    before = node.fingerprint()
    result, calls, out = node.ansible('solaris_zone', change, check=True, diff=True)
    assert result['changed'] is True and result['reboot_required'] is True
    assert result['script'] == ['select capped-memory', 'set physical=2G', 'end']
    assert writes(calls) == [] and node.fingerprint() == before
    assert '-set physical=1G' in out and '+set physical=2G' in out

    result, calls, _out = node.ansible('solaris_zone', change, diff=True)
    assert result['changed'] is True and result['reboot_required'] is True
    assert writes(calls) == ['zonecfg -f'], 'one zonecfg call for the whole change'
    assert 'set physical=2G' in export(node, 'web1')
    assert zone_state(node, 'web1') == 'running'

    again = dict(change, properties={'cpu-shares': 30}, reboot_on_change=True)
    result, calls, _out = node.ansible('solaris_zone', again)
    assert result['changed'] is True and result['reboot_required'] is False
    assert writes(calls) == ['zonecfg -f', 'zoneadm reboot']


def test_every_state(node):
    base = {'name': 'web1', 'zonepath': '/zones/web1', 'ip_type': 'shared'}
    steps = [
        ('configured', True, ['zonecfg -f'], 'configured'),
        ('installed', True, ['zoneadm install'], 'installed'),
        ('running', True, ['zoneadm boot'], 'running'),
        ('running', False, [], 'running'),
        ('stopped', True, ['zoneadm halt'], 'installed'),
        ('stopped', False, [], 'installed'),
        ('detached', True, ['zoneadm detach'], 'configured'),
        ('detached', False, [], 'configured'),
        ('attached', True, ['zoneadm attach'], 'installed'),
        ('running', True, ['zoneadm boot'], 'running'),
        ('configured', True, ['zoneadm halt', 'zoneadm uninstall'], 'configured'),
        ('absent', True, ['zonecfg delete'], None),
        ('absent', False, [], None),
    ]
    for state, changed, commands, zstate in steps:
        args = dict(base, state=state) if state != 'absent' else {'name': 'web1', 'state': 'absent'}
        result, calls, _out = node.ansible('solaris_zone', args)
        assert result['changed'] is changed, (state, result)
        assert writes(calls) == commands, state
        assert zone_state(node, 'web1') == zstate, state


def test_clone(node):
    node.ansible('solaris_zone', dict(WEB, state='stopped'))
    clone = {'name': 'web2', 'zonepath': '/zones/web2', 'brand': 'ipkg', 'ip_type': 'shared',
             'clone_from': 'web1', 'clone_method': 'copy', 'state': 'running'}
    result, calls, _out = node.ansible('solaris_zone', clone)
    assert result['changed'] is True
    assert writes(calls) == ['zonecfg -f', 'zoneadm clone', 'zoneadm boot']
    assert os.path.isfile(os.path.join(node.root, 'zones/web2/root/etc/os-release'))
    result, _calls, _out = node.ansible('solaris_zone', clone)
    assert result['changed'] is False


def test_root_password_set_before_first_boot_and_never_shown(node):
    secret = '$6$labsalt$cGFzc3dvcmRoYXNoZm9ydGVzdHM'
    args = {'name': 'db1', 'zonepath': '/zones/db1', 'ip_type': 'shared', 'root_password': secret,
            'state': 'running'}
    result, _calls, out = node.ansible('solaris_zone', args, diff=True)
    assert result['changed'] is True
    with open(os.path.join(node.root, 'zones/db1/root/etc/shadow')) as handle:
        assert handle.read().startswith('root:%s:' % secret)
    assert secret not in out


BAD_INPUT = [
    ({'name': 'bad name'}, 'not a valid zone name'),
    ({'name': '-web'}, 'not a valid zone name'),
    ({'name': 'x' * 64}, 'not a valid zone name'),
    ({'name': 'global'}, 'reserved'),
    ({'name': 'SUNWtest'}, 'reserved'),
    ({'name': 'w', 'zonepath': 'relative/path'}, 'absolute path'),
    ({'name': 'w', 'ip_type': 'both'}, 'value of ip_type must be one of'),
    ({'name': 'w', 'hostid': 'zz'}, 'hostid'),
    ({'name': 'w', 'properties': {'cpu-shares': 'many'}}, 'cpu-shares'),
    ({'name': 'w', 'properties': {'brand': 'x'}, 'brand': 'y'}, 'given twice'),
    ({'name': 'w', 'resources': {'capped-memory': {'physical': 'lots'}}}, 'physical'),
    ({'name': 'w', 'resources': {'capped-cpu': {'ncpus': 'two'}}}, 'ncpus'),
    ({'name': 'w', 'resources': {'net': [{'physical': 'e0', 'address': '192.0.2.999'}]}}, 'net address'),
    ({'name': 'w', 'resources': {'net': [{'physical': 'e0', 'address': '2001:db8::1/129'}]}}, 'prefix length'),
    ({'name': 'w', 'resources': {'fs': [{'special': '/x'}]}}, 'each entry needs dir'),
    ({'name': 'w', 'resources': {'fs': {'dir': '/x'}}}, 'list of mappings'),
    ({'name': 'w', 'resources': {'warp': []}}, 'unknown resource type'),
    ({'name': 'w', 'ip_type': 'exclusive', 'resources': {'net': [{'physical': 'v', 'address': '192.0.2.1'}]}},
     'exclusive IP type'),
    ({'name': 'w', 'state': 'absent', 'zonepath': '/z'}, 'state=absent does not take configuration'),
    ({'name': 'w', 'clone_from': 'bad name'}, 'not a valid zone name'),
    ({'name': 'w', 'timeout': 0}, 'timeout'),
]


def test_bad_input_fails_before_any_command(node):
    before = node.fingerprint()
    result, calls, _out = node.ansible('solaris_zone', [args for args, _m in BAD_INPUT], loop=True)
    assert calls == [] and node.fingerprint() == before
    assert len(result['results']) == len(BAD_INPUT) >= 15
    for (args, message), item in zip(BAD_INPUT, result['results']):
        assert item.get('failed') is True, args
        assert message in item['msg'], (args, item['msg'])


def test_half_done_install_is_finished_by_the_next_run(node):
    node.faults([{'tool': 'zoneadm', 'command': 'boot', 'rc': 1, 'times': 1,
                  'stderr': "zoneadm: zone 'web1': call to zoneadmd failed\n"}])
    result, _calls, _out = node.ansible('solaris_zone', WEB)
    assert result['failed'] is True
    assert result['msg'] == 'boot of zone web1 failed'
    assert result['rc'] == 1 and 'zoneadmd' in result['stderr'] and result['cmd'][-1] == 'boot'
    assert zone_state(node, 'web1') == 'installed'
    result, calls, _out = node.ansible('solaris_zone', WEB)
    assert result['changed'] is True and writes(calls) == ['zoneadm boot']
    assert zone_state(node, 'web1') == 'running'


def test_hung_command_times_out(node):
    node.ansible('solaris_zone', dict(WEB, state='stopped'))
    node.faults([{'tool': 'zoneadm', 'command': 'boot', 'hang': 60}])
    started = time.monotonic()
    result, _calls, _out = node.ansible('solaris_zone', dict(WEB, timeout=2))
    assert time.monotonic() - started < 50
    assert result['failed'] is True and result['msg'] == 'boot of zone web1: timed out after 2s'


def test_info(node):
    node.ansible('solaris_zone', WEB)
    node.ansible('solaris_zone', {'name': 'spare', 'zonepath': '/zones/spare', 'state': 'configured'})
    result, calls, _out = node.ansible('solaris_zone_info', {})
    assert result['changed'] is False
    assert [(v['name'], v['status']) for v in result['ves']] == [('web1', 'running'), ('spare', 'configured')]
    assert writes(calls) == []
    web = result['ves'][0]
    assert web['raw']['config']['resources']['capped-memory']['physical'] == '1G'
    result, _calls, _out = node.ansible('solaris_zone_info', {'state': ['configured'], 'config': False})
    assert [v['name'] for v in result['ves']] == ['spare']


@pytest.mark.parametrize('release', ['s10', 's11', 'illumos'])
def test_check_mode_predicts_the_export_on_every_release(lab_node, release):
    """A new zone without a brand: the prediction fills in what each release's blank configuration holds."""
    node = lab_node('zones', '--release', release)
    args = {'name': 'z1', 'zonepath': '/zones/z1', 'resources': {'dataset': [{'name': 'tank/z1'}]},
            'state': 'configured'}
    predicted, _calls, _out = node.ansible('solaris_zone', args, check=True, diff=True)
    applied, _calls, _out = node.ansible('solaris_zone', args, diff=True)
    assert predicted['diff']['after'] == applied['diff']['after']
    assert applied['diff']['after'] == '# state: configured\n' + export(node, 'z1')


@pytest.mark.parametrize('release', ['s10', 's11', 'illumos'])
def test_check_mode_predicts_a_change_on_every_release(lab_node, release):
    """Changing the first of two nets and the memory cap: predicted export == the export zonecfg then prints."""
    node = lab_node('zones', '--release', release)
    first = {'name': 'z1', 'zonepath': '/zones/z1', 'ip_type': 'shared', 'state': 'installed',
             'properties': {'max-lwps': 500},
             'resources': {'net': [{'physical': 'e0', 'address': '192.0.2.1/24'},
                                   {'physical': 'e0', 'address': '192.0.2.2/24'}],
                           'capped-memory': {'physical': '1G'}}}
    node.ansible('solaris_zone', first)
    second = dict(first, resources={'net': [{'address': '192.0.2.1/24', 'defrouter': '192.0.2.254'}],
                                    'capped-memory': {'physical': '2G', 'locked': '512M'}})
    predicted, _calls, _out = node.ansible('solaris_zone', second, check=True, diff=True)
    applied, calls, _out = node.ansible('solaris_zone', second, diff=True)
    assert writes(calls) == ['zonecfg -f']
    assert predicted['diff']['after'] == applied['diff']['after'] == '# state: installed\n' + export(node, 'z1')
