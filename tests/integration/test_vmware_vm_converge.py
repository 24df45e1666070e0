# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""vmware_vm through ansible-playbook against the lab's vCenter (govmomi's simulator over TLS)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import subprocess

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_node import BIN, TaskRunner

pyVmomi = pytest.importorskip('pyVmomi')


@pytest.fixture
def runner(tmp_path):
    return TaskRunner(tmp_path / 'work')


def base(vcenter, name, **extra):
    args = dict(vcenter.conn, name=name, datastore='LocalDS_0', cluster='DC0_C0')
    args.update(extra)
    return args


def step(runner, args, check=False, diff=True):
    result, _calls, out = runner.ansible('vmware_vm', args, check=check, diff=diff)
    return result, out


def converge(runner, args, operations, differences=None):
    """check -> apply -> apply -> check: the first two plan `operations`, the last two nothing."""
    predicted, _out = step(runner, args, check=True)
    assert not predicted.get('failed'), predicted
    assert predicted['changed'] is bool(operations) and predicted['operations'] == operations, predicted
    if differences is not None:
        assert predicted['differences'] == differences
    applied, _out = step(runner, args)
    assert not applied.get('failed'), applied
    assert applied['operations'] == operations and applied['diff'] == predicted['diff']
    for check in (False, True):
        again, _out = step(runner, args, check=check)
        assert not again.get('failed'), again
        assert again['changed'] is False and again['operations'] == [] and again['differences'] == [], again
    return applied


def test_create_converge_each_setting_and_delete(vcenter, runner):
    spec = base(vcenter, 'conv1', cpus=2, memory='2G', disks=[{'size': '2G'}], networks=[{'name': 'VM Network'}],
                state='poweredon')
    created = converge(runner, spec, ['CreateVM_Task', 'PowerOnVM_Task'])
    vm = created['vm']
    seen = (vm['technology'], vm['name'], vm['status'], vm['cpus'], vm['memory'])
    assert seen == ('vmware', 'conv1', 'running', 2, '2G')
    assert vm['raw']['folder'] == '/DC0/vm' and vm['raw']['cluster'] == 'DC0_C0'
    # Settings a running VM takes without a power cycle: one reconfiguration for all of them.
    hot = dict(annotation='owner: web team', cpu_shares='high', cpu_reservation=500, cpu_limit='2000',
               memory_shares='2000', memory_reservation='1G', memory_limit='4G')
    spec.update(hot)
    result = converge(runner, spec, ['ReconfigVM_Task'], sorted(hot, key=list(hot).index))
    assert result['reboot_required'] is False
    assert result['diff']['after']['memory_limit'] == '4G' and result['diff']['before']['memory_limit'] == 'unlimited'
    # Changing one part of an allocation keeps the others.
    spec['cpu_limit'] = 'unlimited'
    converge(runner, spec, ['ReconfigVM_Task'], ['cpu_limit'])
    # A disk grows and a second one is added while the VM runs; shrinking is refused before any change.
    spec['disks'] = [{'size': '3G'}, {'size': '1G'}]
    result = converge(runner, spec, ['ReconfigVM_Task'], ['disks'])
    assert result['diff']['before']['disks'] == ['2G'] and result['diff']['after']['disks'] == ['3G', '1G']
    shrink, _out = step(runner, dict(spec, disks=[{'size': '1G'}]))
    assert shrink['failed'] and 'only grow' in shrink['msg'] and shrink['operations'] == []
    # NICs by position: the first one disconnected, a second one added.
    spec['networks'] = [{'name': 'VM Network', 'connected': False}, {'name': 'DC0_DVPG0', 'device_type': 'e1000e'}]
    result = converge(runner, spec, ['ReconfigVM_Task'], ['networks'])
    assert [n['name'] for n in result['diff']['after']['networks']] == ['VM Network', 'DC0_DVPG0']
    # Deletion powers off first.
    converge(runner, dict(spec, state='absent'), ['PowerOffVM_Task', 'Destroy_Task'])


def test_changes_that_need_power_off(vcenter, runner):
    spec = base(vcenter, 'cold1', cpus=1, memory='1G', state='poweredon')
    converge(runner, spec, ['CreateVM_Task', 'PowerOnVM_Task'])
    more = dict(spec, memory='2G', cores_per_socket=1, cpus=2)
    for check in (True, False, False):
        result, out = step(runner, more, check=check)
        assert result['changed'] is False and result['operations'] == []
        assert result['reboot_required'] is True and result['pending_changes'] == ['cpus', 'memory']
        assert result['diff']['after']['memory'] == '1G'   # nothing pending is shown as done
        assert 'only when it is powered off' in out
    forced = converge(runner, dict(more, force_reconfigure=True), ['PowerOffVM_Task', 'ReconfigVM_Task',
                                                                   'PowerOnVM_Task'])
    assert forced['vm']['memory'] == '2G' and forced['vm']['cpus'] == 2 and forced['vm']['status'] == 'running'
    # Powering off anyway: the cold change rides along, no force needed.
    converge(runner, dict(more, state='poweredoff', cpus=4, cores_per_socket=2),
             ['PowerOffVM_Task', 'ReconfigVM_Task'])
    # With hot add on, more CPUs and memory go in while it runs.
    hot = dict(more, cpus=4, cores_per_socket=2, cpu_hot_add=True, memory_hot_add=True, state='poweredon')
    converge(runner, hot, ['ReconfigVM_Task', 'PowerOnVM_Task'])
    converge(runner, dict(hot, cpus=6, memory='3G'), ['ReconfigVM_Task'])
    converge(runner, dict(hot, state='absent'), ['PowerOffVM_Task', 'Destroy_Task'])


def test_power_states(vcenter, runner):
    spec = base(vcenter, 'power1')
    converge(runner, spec, ['CreateVM_Task'])
    transitions = [
        ('poweredon', ['PowerOnVM_Task'], 'running'),
        ('suspended', ['SuspendVM_Task'], 'suspended'),
        ('poweredon', ['PowerOnVM_Task'], 'running'),
        ('shutdownguest', ['ShutdownGuest'], 'stopped'),
        ('suspended', ['PowerOnVM_Task', 'SuspendVM_Task'], 'suspended'),
        ('poweredoff', ['PowerOffVM_Task'], 'stopped'),
    ]
    for state, operations, status in transitions:
        result = converge(runner, dict(spec, state=state), operations, ['power_state'])
        assert result['vm']['status'] == status, state
    for state, operations in (('restarted', ['PowerOnVM_Task']), ('restarted', ['ResetVM_Task'])):
        for check in (True, False):
            result, _out = step(runner, dict(spec, state=state), check=check)
            assert result['changed'] is True and result['operations'] == operations
    # The simulator has no RebootGuest: the error names the operation and the VM and carries the fault.
    result, _out = step(runner, dict(spec, state='rebootguest'))
    assert result['failed'] and 'power1' in result['msg'] and result.get('fault')
    result, _out = step(runner, dict(spec, state='poweredoff'))
    result, _out = step(runner, dict(spec, state='rebootguest'))
    assert result['failed'] and 'needs it powered on' in result['msg'] and result['operations'] == []
    converge(runner, dict(spec, state='absent'), ['Destroy_Task'])


def test_clone_from_template_and_ambiguous_names(vcenter, runner):
    from pyVmomi import vim
    si = vcenter.si()
    content = si.RetrieveContent()
    datacenter = content.rootFolder.childEntity[0]
    for folder in ('teamA', 'teamB'):
        if not any(child.name == folder for child in datacenter.vmFolder.childEntity):
            datacenter.vmFolder.CreateFolder(folder)
    made, _out = step(runner, base(vcenter, 'tmpl1', cpus=2, memory='1G', disks=[{'size': '4G'}]))
    assert not made.get('failed'), made
    template = [vm for vm in content.viewManager.CreateContainerView(
        content.rootFolder, [vim.VirtualMachine], True).view if vm.name == 'tmpl1'][0]
    template.MarkAsTemplate()
    clone = base(vcenter, 'twin', template='tmpl1', folder='teamA', memory='2G', state='poweredon')
    result = converge(runner, clone, ['CloneVM_Task', 'ReconfigVM_Task', 'PowerOnVM_Task'])
    assert result['vm']['raw']['folder'] == '/DC0/vm/teamA' and result['vm']['memory'] == '2G'
    assert result['vm']['cpus'] == 2   # from the template
    other = base(vcenter, 'twin', folder='/DC0/vm/teamB', cpus=1, memory='1G')
    converge(runner, other, ['CreateVM_Task'])
    ambiguous, _out = step(runner, dict(vcenter.conn, name='twin', memory='1G'))
    assert ambiguous['failed'] and '2 VMs are named twin' in ambiguous['msg']
    assert '/DC0/vm/teamA/twin' in ambiguous['msg'] and '/DC0/vm/teamB/twin' in ambiguous['msg']
    by_uuid = dict(vcenter.conn, uuid=result['vm']['id'], memory='2G')
    converge(runner, by_uuid, [])
    by_moid = dict(vcenter.conn, moid=result['vm']['raw']['moid'], state='absent')
    converge(runner, by_moid, ['PowerOffVM_Task', 'Destroy_Task'])
    converge(runner, dict(other, state='absent'), ['Destroy_Task'])
    result, _out = step(runner, dict(vcenter.conn, name='tmpl1', state='poweredon'))
    assert result['failed'] and 'is a template' in result['msg']


BAD_INPUT = [
    ({'memory': '1.5K'}, 'not a whole number'),
    ({'memory': 'lots'}, 'is not a size'),
    ({'memory': '0'}, 'below the minimum'),
    ({'cpus': 0}, 'not a positive whole number'),
    ({'cpus': 3, 'cores_per_socket': 2}, 'multiple of cores_per_socket'),
    ({'cpu_shares': 'max'}, 'not low, normal, high'),
    ({'memory_shares': '-5'}, 'not low, normal, high'),
    ({'cpu_limit': 'fast'}, 'not a number of MHz'),
    ({'cpu_reservation': 3000, 'cpu_limit': '2000'}, 'cpu_reservation is above cpu_limit'),
    ({'memory': '1G', 'memory_reservation': '2G'}, 'memory_reservation is above memory'),
    ({'memory_limit': 'none'}, 'is not a size'),
    ({'disks': [{'size': 'big'}]}, 'disks[0].size'),
    ({'disks': [{'size': '0'}]}, 'below the minimum'),
    ({'networks': [{'name': ''}]}, 'networks[0]'),
    ({'name': 'x' * 81}, 'longer than the 80 characters'),
    ({'name': ' '}, 'name must be one non-empty line'),
    ({'folder': 'a\nb'}, 'folder must be one non-empty line'),
    ({'wait_timeout': 0}, 'wait_timeout must be positive'),
    ({'port': 70000}, 'port 70000 is out of range'),
    ({'password': ''}, 'password is required'),
    ({'validate_certs': False}, 'ca_path is only used with validate_certs=true'),
]


@pytest.mark.parametrize('extra, words', BAD_INPUT)
def test_bad_input_fails_before_any_vsphere_call(vcenter, runner, extra, words):
    args = dict(base(vcenter, 'never'), **extra)
    vcenter.reset_calls()
    result, _out = step(runner, args)
    assert result['failed'] and words in result['msg'], result
    assert vcenter.calls()['total'] == 0


def test_unknown_network_or_datastore_fails_before_any_change(vcenter, runner):
    for extra, words in (({'networks': [{'name': 'nowhere'}]}, 'network nowhere not found'),
                         ({'datastore': 'nods'}, 'datastore nods not found'),
                         ({'folder': 'nofolder'}, 'folder /DC0/vm/nofolder not found')):
        vcenter.reset_calls()
        result, _out = step(runner, base(vcenter, 'never2', **extra))
        assert result['failed'] and words in result['msg'], result
        calls = vcenter.calls()['calls']
        assert not [m for m in calls if m.endswith('_Task')], calls


def test_bad_credentials_and_unreachable_vcenter(vcenter, runner):
    secret = 'Wr0ng-But-S3cret-Pass'
    result, _calls, out = runner.ansible('vmware_vm', base(vcenter, 'x', password=secret), verbosity=4)
    assert result['failed'] and 'cannot log in to vCenter' in result['msg'] and result['fault'] == 'InvalidLogin'
    assert secret not in out and secret not in json.dumps(result)
    free = socket.socket()
    free.bind(('127.0.0.1', 0))
    port = free.getsockname()[1]
    free.close()
    result, out = step(runner, base(vcenter, 'x', port=port, connect_timeout=5))
    assert result['failed'] and 'cannot reach vCenter 127.0.0.1:%d' % port in result['msg']
    result, out = step(runner, dict(base(vcenter, 'x'), ca_path=None))
    assert result['failed'] and 'TLS with vCenter' in result['msg'] and 'ca_path' in result['msg']
    result, out = step(runner, dict(base(vcenter, 'conv-insecure'), ca_path=None, validate_certs=False), check=True)
    assert not result.get('failed') and result['operations'] == ['CreateVM_Task']


def test_module_defaults_group_carries_the_connection(vcenter, runner, tmp_path):
    """The action group `datacenter.ve.vmware` lets a play give the connection once."""
    conn = dict(vcenter.conn)
    playbook = tmp_path / 'group.yml'
    playbook.write_text(
        '- hosts: localhost\n'
        '  gather_facts: false\n'
        '  module_defaults:\n'
        '    group/datacenter.ve.vmware: %s\n'
        '  tasks:\n'
        '    - name: Read\n'
        '      datacenter.ve.vmware_vm_info:\n'
        '        names: [DC0_*]\n'
        '      register: info\n'
        '    - name: Plan a VM\n'
        '      datacenter.ve.vmware_vm: {name: grouped, datastore: LocalDS_0, cluster: DC0_C0}\n'
        '      check_mode: true\n'
        '      register: planned\n'
        '    - name: Show\n'
        '      ansible.builtin.assert:\n'
        '        that: [info.vms | length > 0, "planned.operations == [\'CreateVM_Task\']"]\n' % json.dumps(conn))
    proc = subprocess.run([BIN + '/ansible-playbook', str(playbook)], env=runner.env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout
    assert 'ok=3' in proc.stdout
