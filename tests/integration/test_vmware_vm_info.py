# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""vmware_vm_info through ansible-playbook against the lab vCenter (govmomi's simulator over TLS).

What the module returns is checked against what pyVmomi itself sees in the
same vCenter (a plain container view, not the collection's code). Failures
(TLS, login, unreachable, silent vCenter) must be clear and never show the
password. One run's SOAP calls must not grow with the number of VMs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import threading

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_node import TaskRunner, base_env

pyVmomi = pytest.importorskip('pyVmomi')
vim = pyVmomi.vim


@pytest.fixture
def runner(tmp_path):
    return TaskRunner(tmp_path / 'work')


def seen_by_pyvmomi(vcenter):
    """{name: (power state, template)} of every VM, read with pyVmomi directly."""
    from pyVim.connect import Disconnect
    si = vcenter.si()
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        try:
            return dict((vm.name, (vm.runtime.powerState, bool(vm.config.template))) for vm in view.view)
        finally:
            view.DestroyView()
    finally:
        Disconnect(si)


def names(result):
    assert not result.get('failed'), result.get('msg')
    return [vm['name'] for vm in result['vms']]


# ---------------------------------------------------------------------------
# Listing, with and without certificate validation
# ---------------------------------------------------------------------------

def test_lists_every_vm_with_certificates_validated_against_the_lab_ca(vcenter, runner):
    expected = seen_by_pyvmomi(vcenter)
    result, _calls, out = runner.ansible('vmware_vm_info', vcenter.conn)
    assert result['changed'] is False
    assert names(result) == sorted(expected)
    for vm in result['vms']:
        assert vm['technology'] == 'vmware'
        assert vm['status'] == {'poweredOn': 'running', 'poweredOff': 'stopped',
                                'suspended': 'suspended'}[expected[vm['name']][0]]
        raw = vm['raw']
        assert raw['moid'].startswith('vm-') and raw['vcenter'] == vcenter.info['host']
        assert raw['folder'].startswith('/DC0/vm') and raw['datacenter'] == 'DC0'
        assert vm['node'] == raw['esxi_host'] and raw['esxi_host']
        assert vm['cpus'] == raw['num_cpus'] and vm['memory'] is not None
        assert 'properties' not in raw
    assert len(set(vm['id'] for vm in result['vms'])) == len(expected)
    assert 'ok=2' in out and 'failed=0' in out


def test_lists_every_vm_without_certificate_validation(vcenter, runner):
    conn = dict(vcenter.conn, validate_certs=False)
    del conn['ca_path']
    result, _calls, _out = runner.ansible('vmware_vm_info', conn)
    assert names(result) == sorted(seen_by_pyvmomi(vcenter))


def test_check_mode_reads_the_same(vcenter, runner):
    normal, _calls, _out = runner.ansible('vmware_vm_info', vcenter.conn)
    checked, _calls, _out = runner.ansible('vmware_vm_info', vcenter.conn, check=True)
    assert checked['changed'] is False
    assert checked['vms'] == normal['vms']


def test_connection_options_from_the_environment(vcenter, tmp_path):
    conn = vcenter.conn
    env = base_env()
    env.update({'VMWARE_HOST': conn['hostname'], 'VMWARE_PORT': str(conn['port']), 'VMWARE_USER': conn['username'],
                'VMWARE_PASSWORD': conn['password'], 'VMWARE_CA_PATH': conn['ca_path']})
    result, _calls, out = TaskRunner(tmp_path / 'env', env=env).ansible('vmware_vm_info', {})
    assert names(result) == sorted(seen_by_pyvmomi(vcenter))
    assert conn['password'] not in out


# ---------------------------------------------------------------------------
# Filters and extra properties, on a vCenter of its own that the tests shape:
# 2 datacenters, each with a cluster (2 VMs) and a standalone host (2 VMs);
# DC0_C0_RP0_VM0 moved to /DC0/vm/prod, DC0_C0_RP0_VM1 powered off,
# DC0_H0_VM1 a template; an empty /DC0/vm/production next to prod.
# ---------------------------------------------------------------------------

@pytest.fixture(scope='module')
def shaped(vcenter_factory):
    from pyVim.connect import Disconnect
    from pyVim.task import WaitForTask
    vc = vcenter_factory(vms=2, hosts=2, standalone_hosts=1, datacenters=2)
    si = vc.si()
    try:
        content = si.RetrieveContent()
        dc0 = [dc for dc in content.rootFolder.childEntity if dc.name == 'DC0'][0]
        prod = dc0.vmFolder.CreateFolder('prod')
        dc0.vmFolder.CreateFolder('production')
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        vms = dict((vm.name, vm) for vm in view.view)
        view.DestroyView()
        WaitForTask(prod.MoveIntoFolder_Task([vms['DC0_C0_RP0_VM0']]))
        WaitForTask(vms['DC0_C0_RP0_VM1'].PowerOffVM_Task())
        WaitForTask(vms['DC0_H0_VM1'].PowerOffVM_Task())
        vms['DC0_H0_VM1'].MarkAsTemplate()
    finally:
        Disconnect(si)
    return vc


ALL = ['DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1', 'DC0_H0_VM0', 'DC0_H0_VM1',
       'DC1_C0_RP0_VM0', 'DC1_C0_RP0_VM1', 'DC1_H0_VM0', 'DC1_H0_VM1']


@pytest.mark.parametrize('filters, expected', [
    ({}, ALL),
    ({'names': ['DC1_*']}, ['DC1_C0_RP0_VM0', 'DC1_C0_RP0_VM1', 'DC1_H0_VM0', 'DC1_H0_VM1']),
    ({'names': ['*_VM0', 'DC0_H0_VM?']}, ['DC0_C0_RP0_VM0', 'DC0_H0_VM0', 'DC0_H0_VM1', 'DC1_C0_RP0_VM0',
                                          'DC1_H0_VM0']),
    ({'names': ['dc0_*']}, []),
    ({'folder': '/DC0/vm/prod'}, ['DC0_C0_RP0_VM0']),
    ({'folder': '/DC0/vm/pro'}, []),
    ({'folder': '/DC0/vm/production'}, []),
    ({'folder': '/DC0/vm'}, ['DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1', 'DC0_H0_VM0', 'DC0_H0_VM1']),
    ({'cluster': 'DC0_C0'}, ['DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1']),
    ({'datacenter': 'DC1'}, ['DC1_C0_RP0_VM0', 'DC1_C0_RP0_VM1', 'DC1_H0_VM0', 'DC1_H0_VM1']),
    ({'power_states': ['poweredOff']}, ['DC0_C0_RP0_VM1', 'DC0_H0_VM1']),
    ({'power_states': ['poweredOff'], 'include_templates': False}, ['DC0_C0_RP0_VM1']),
    ({'include_templates': False}, [n for n in ALL if n != 'DC0_H0_VM1']),
    ({'datacenter': 'DC0', 'power_states': ['poweredOn'], 'names': ['*_VM0']}, ['DC0_C0_RP0_VM0', 'DC0_H0_VM0']),
])
def test_filters(shaped, runner, filters, expected):
    result, _calls, _out = runner.ansible('vmware_vm_info', dict(shaped.conn, **filters))
    assert names(result) == expected


def test_the_shaped_vcenter_is_what_the_filters_expect(shaped):
    seen = seen_by_pyvmomi(shaped)
    assert sorted(seen) == ALL
    assert seen['DC0_H0_VM1'] == ('poweredOff', True)
    assert seen['DC0_C0_RP0_VM1'] == ('poweredOff', False)


def test_records_carry_folder_cluster_host_and_template(shaped, runner):
    result, _calls, _out = runner.ansible('vmware_vm_info', shaped.conn)
    by_name = dict((vm['name'], vm) for vm in result['vms'])
    moved = by_name['DC0_C0_RP0_VM0']['raw']
    assert (moved['folder'], moved['cluster'], moved['datacenter']) == ('/DC0/vm/prod', 'DC0_C0', 'DC0')
    standalone = by_name['DC1_H0_VM0']
    assert (standalone['raw']['cluster'], standalone['node']) == (None, 'DC1_H0')
    template = by_name['DC0_H0_VM1']
    assert template['raw']['template'] is True and template['status'] == 'stopped'
    assert by_name['DC0_C0_RP0_VM1']['status'] == 'stopped'


def test_extra_properties_come_back_as_plain_data(shaped, runner):
    props = ['config.hardware.device', 'summary.quickStats', 'runtime.host', 'config.hardware.numCPU']
    result, _calls, _out = runner.ansible('vmware_vm_info', dict(shaped.conn, names=['DC0_C0_RP0_VM0'], properties=props))
    assert names(result) == ['DC0_C0_RP0_VM0']
    got = result['vms'][0]['raw']['properties']
    assert sorted(got) == sorted(props)
    devices = got['config.hardware.device']
    assert isinstance(devices, list) and all('_type' in d and isinstance(d['key'], int) for d in devices)
    assert 'VirtualMachineVideoCard' in [d['_type'] for d in devices]
    assert got['summary.quickStats']['_type'] == 'VirtualMachineQuickStats'
    assert got['runtime.host'].startswith('host-')
    assert got['config.hardware.numCPU'] == result['vms'][0]['cpus']


def test_a_malformed_property_path_fails_before_any_traffic(shaped, runner):
    shaped.reset_calls()
    result, _calls, _out = runner.ansible('vmware_vm_info', dict(shaped.conn, properties=['config hardware']))
    assert result['failed'] and "'config hardware' is not a property path" in result['msg']
    assert shaped.calls()['total'] == 0


# ---------------------------------------------------------------------------
# Failures: clear, early, and without the password
# ---------------------------------------------------------------------------

def test_missing_password_fails_before_any_traffic(vcenter, runner):
    conn = dict(vcenter.conn)
    del conn['password']
    vcenter.reset_calls()
    env = dict(base_env())
    env.pop('VMWARE_PASSWORD', None)
    result, _calls, _out = TaskRunner(runner.work, env=env).ansible('vmware_vm_info', conn)
    assert result['failed']
    assert result['msg'] == 'password is required (or the VMWARE_PASSWORD environment variable)'
    assert vcenter.calls()['total'] == 0


def test_validating_certificates_without_the_lab_ca_fails_on_tls(vcenter, runner):
    conn = dict(vcenter.conn)
    del conn['ca_path']
    result, _calls, _out = runner.ansible('vmware_vm_info', conn)
    assert result['failed']
    where = '%s:%s' % (vcenter.info['host'], vcenter.info['port'])
    assert result['msg'].startswith('TLS with vCenter %s failed: CERTIFICATE_VERIFY_FAILED' % where), result['msg']
    assert 'set ca_path' in result['msg']


def test_wrong_password_fails_clearly_and_never_shows_it(vcenter, runner):
    wrong = 'Not-The-Lab-Password-7d41'
    result, _calls, out = runner.ansible('vmware_vm_info', dict(vcenter.conn, password=wrong), verbosity=4)
    assert result['failed']
    where = '%s:%s' % (vcenter.info['host'], vcenter.info['port'])
    assert result['msg'].startswith('cannot log in to vCenter %s as %s: ' % (where, vcenter.conn['username']))
    assert result.get('fault') == 'InvalidLogin'
    assert 'ESTABLISH LOCAL CONNECTION' in out      # verbosity 4 really was on
    assert wrong not in out and wrong not in json.dumps(result)


def free_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_unreachable_vcenter_fails_clearly(runner):
    port = free_port()
    conn = {'hostname': '127.0.0.1', 'port': port, 'username': 'u', 'password': 'Unused-Secret-1', 'connect_timeout': 5}
    result, _calls, _out = runner.ansible('vmware_vm_info', conn)
    assert result['failed']
    assert result['msg'].startswith('cannot reach vCenter 127.0.0.1:%d: ' % port)
    assert 'Connection refused' in result['msg']


def test_a_vcenter_that_never_answers_fails_after_connect_timeout(runner):
    """A listener that accepts TCP (the kernel does) but never speaks TLS: only connect_timeout ends the wait.

    Should the timeout not apply, the listener is closed after two minutes
    and the task fails with another message, so the test fails, not hangs.
    """
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    guard = threading.Timer(120, listener.close)
    guard.start()
    try:
        conn = {'hostname': '127.0.0.1', 'port': port, 'username': 'u', 'password': 'Unused-Secret-2',
                'validate_certs': False, 'connect_timeout': 3}
        result, _calls, _out = runner.ansible('vmware_vm_info', conn)
    finally:
        guard.cancel()
        listener.close()
    assert result['failed']
    assert result['msg'].startswith('vCenter 127.0.0.1:%d did not answer within 3 s (connect_timeout)' % port), \
        result['msg']


# ---------------------------------------------------------------------------
# Cost: SOAP calls of one run do not grow with the number of VMs
# ---------------------------------------------------------------------------

def test_soap_calls_of_one_run_do_not_grow_with_the_number_of_vms(vcenter_factory, runner):
    counts = {}
    for size in (10, 200):
        vc = vcenter_factory(vms=size)
        vc.reset_calls()
        result, _calls, _out = runner.ansible('vmware_vm_info', vc.conn)
        assert len(names(result)) == size
        counts[size] = vc.calls()
    print('SOAP calls of one vmware_vm_info run: %s' % json.dumps(counts, sort_keys=True))
    assert counts[10]['total'] == counts[200]['total'], counts
    assert counts[10]['calls'] == counts[200]['calls'], counts
    assert counts[200]['calls'].get('RetrievePropertiesEx') == 1, counts
