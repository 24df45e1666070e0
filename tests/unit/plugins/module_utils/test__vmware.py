# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The VMware client without a vCenter: paging, local joins, filters, options, records, plain data."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import socket
import ssl

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils import _vmware
from ansible_collections.datacenter.ve.plugins.module_utils._vmware import (
    Inventory, VMwareError, connection_problems, guest_addresses, matches, read_inventory, record, retrieve,
    to_plain, vm_summary, vmware_argument_spec,
)

vim = pytest.importorskip('pyVmomi').vim
vmodl = pytest.importorskip('pyVmomi').vmodl


# ---------------------------------------------------------------------------
# retrieve(): RetrievePropertiesEx, then one ContinueRetrievePropertiesEx per token
# ---------------------------------------------------------------------------

def content(ref, **props):
    return vmodl.query.PropertyCollector.ObjectContent(
        obj=ref, propSet=[vmodl.DynamicProperty(name=k.replace('__', '.'), val=v) for k, v in props.items()])


class Page:
    def __init__(self, objects, token=None):
        self.objects = objects
        self.token = token


class PagingCollector:
    """A property collector that answers in pages: the first from RetrievePropertiesEx, the others by token."""

    def __init__(self, pages):
        self.pages = pages
        self.calls = []

    def RetrievePropertiesEx(self, specSet, options):
        self.calls.append(('RetrievePropertiesEx', options.maxObjects))
        return self.pages[0]

    def ContinueRetrievePropertiesEx(self, token):
        self.calls.append(('ContinueRetrievePropertiesEx', token))
        for index, page in enumerate(self.pages):
            if index and self.pages[index - 1].token == token:
                return page
        raise AssertionError('unknown token %r' % token)


def test_retrieve_follows_every_token_once_and_yields_each_object_once():
    vms = [vim.VirtualMachine('vm-%d' % n) for n in range(7)]
    pages = [Page([content(v, name='vm%d' % i) for i, v in enumerate(vms[:3])], token='t1'),
             Page([content(v, name='vm%d' % (i + 3)) for i, v in enumerate(vms[3:6])], token='t2'),
             Page([content(vms[6], name='vm6')])]
    collector = PagingCollector(pages)
    got = list(retrieve(collector, spec=None, page_size=3))
    assert [c.obj._moId for c in got] == ['vm-%d' % n for n in range(7)]
    assert collector.calls == [('RetrievePropertiesEx', 3), ('ContinueRetrievePropertiesEx', 't1'),
                               ('ContinueRetrievePropertiesEx', 't2')]


def test_retrieve_with_nothing_to_return():
    class Empty(PagingCollector):
        def RetrievePropertiesEx(self, specSet, options):
            self.calls.append(('RetrievePropertiesEx', options.maxObjects))
            return None
    collector = Empty([])
    assert list(retrieve(collector, spec=None)) == []
    assert collector.calls == [('RetrievePropertiesEx', _vmware.PAGE_SIZE)]


def test_retrieve_stops_at_an_empty_last_page():
    collector = PagingCollector([Page([content(vim.VirtualMachine('vm-1'), name='a')], token='t1'), Page(None)])
    assert [c.obj._moId for c in retrieve(collector, spec=None)] == ['vm-1']
    assert collector.calls[-1] == ('ContinueRetrievePropertiesEx', 't1')


# ---------------------------------------------------------------------------
# Inventory: local joins on a hand-built tree
#
#   (root folder group-d1)
#     DC0 (datacenter-2)
#       vm (group-v3) / prod (group-v10) / deep (group-v11)
#       host (group-h4) / C1 (domain-c7: esx1 host-8, esx2 host-9) ; esx-solo (domain-s20: host-21)
#     DC1 (datacenter-30)
#       vm (group-v31)
#       host (group-h32) / C1 (domain-c33: esx3 host-34)     same cluster name, other datacenter
# ---------------------------------------------------------------------------

def ref(kind, ident):
    return getattr(vim, kind)(ident)


def build_inventory():
    inv = Inventory()
    tree = [
        ('Folder', 'group-d1', 'Datacenters', None),
        ('Datacenter', 'datacenter-2', 'DC0', ('Folder', 'group-d1')),
        ('Folder', 'group-v3', 'vm', ('Datacenter', 'datacenter-2')),
        ('Folder', 'group-v10', 'prod', ('Folder', 'group-v3')),
        ('Folder', 'group-v11', 'deep', ('Folder', 'group-v10')),
        ('Folder', 'group-v12', 'production', ('Folder', 'group-v3')),
        ('Folder', 'group-h4', 'host', ('Datacenter', 'datacenter-2')),
        ('ClusterComputeResource', 'domain-c7', 'C1', ('Folder', 'group-h4')),
        ('HostSystem', 'host-8', 'esx1', ('ClusterComputeResource', 'domain-c7')),
        ('HostSystem', 'host-9', 'esx2', ('ClusterComputeResource', 'domain-c7')),
        ('ComputeResource', 'domain-s20', 'esx-solo', ('Folder', 'group-h4')),
        ('HostSystem', 'host-21', 'esx-solo', ('ComputeResource', 'domain-s20')),
        ('ResourcePool', 'resgroup-22', 'Resources', ('ClusterComputeResource', 'domain-c7')),
        ('Datacenter', 'datacenter-30', 'DC1', ('Folder', 'group-d1')),
        ('Folder', 'group-v31', 'vm', ('Datacenter', 'datacenter-30')),
        ('Folder', 'group-h32', 'host', ('Datacenter', 'datacenter-30')),
        ('ClusterComputeResource', 'domain-c33', 'C1', ('Folder', 'group-h32')),
        ('HostSystem', 'host-34', 'esx3', ('ClusterComputeResource', 'domain-c33')),
    ]
    for kind, ident, name, parent in tree:
        inv.add(kind, ident, {'name': name, 'parent': ref(*parent) if parent else None}, ref(kind, ident))

    def vm(ident, name, folder, host, power, template=False):
        props = {'name': name, 'parent': ref('Folder', folder), 'runtime.powerState': power,
                 'runtime.host': ref('HostSystem', host) if host else None, 'config.template': template,
                 'resourcePool': ref('ResourcePool', 'resgroup-22')}
        inv.add('VirtualMachine', ident, props, ref('VirtualMachine', ident))
    vm('vm-100', 'web1', 'group-v10', 'host-8', 'poweredOn')
    vm('vm-101', 'web2', 'group-v11', 'host-9', 'poweredOff')
    vm('vm-102', 'db1', 'group-v3', 'host-21', 'suspended')
    vm('vm-103', 'Web3', 'group-v12', 'host-8', 'poweredOn')
    vm('vm-104', 'tpl-debian', 'group-v3', None, 'poweredOff', template=True)
    vm('vm-105', 'web1', 'group-v31', 'host-34', 'poweredOn')
    return inv


def test_paths_leave_the_root_folder_out_and_follow_nested_folders():
    inv = build_inventory()
    assert inv.path('vm-100') == '/DC0/vm/prod'
    assert inv.path('vm-101') == '/DC0/vm/prod/deep'
    assert inv.path('vm-102') == '/DC0/vm'
    assert inv.path('vm-105') == '/DC1/vm'
    assert inv.path('group-v10') == '/DC0/vm'


def test_datacenter_of_a_vm_is_its_nearest_datacenter_ancestor():
    inv = build_inventory()
    assert inv.name(inv.datacenter('vm-101')) == 'DC0'
    assert inv.name(inv.datacenter('vm-105')) == 'DC1'
    assert inv.datacenter('group-d1') is None


def test_host_and_cluster_join_through_the_host_parent():
    inv = build_inventory()
    assert inv.host_and_cluster(inv.props('vm-100')) == ('esx1', 'C1')
    assert inv.host_and_cluster(inv.props('vm-102')) == ('esx-solo', None)   # standalone host: no cluster
    assert inv.host_and_cluster(inv.props('vm-104')) == (None, None)         # template: no host


def test_ancestors_stop_at_a_cycle_or_an_unknown_parent():
    inv = Inventory()
    inv.add('Folder', 'a', {'name': 'a', 'parent': ref('Folder', 'b')})
    inv.add('Folder', 'b', {'name': 'b', 'parent': ref('Folder', 'a')})
    inv.add('VirtualMachine', 'vm-1', {'name': 'x', 'parent': ref('Folder', 'a')})
    inv.add('VirtualMachine', 'vm-2', {'name': 'y', 'parent': ref('Folder', 'gone')})
    assert inv.ancestors('vm-1') == ['a', 'b']
    assert inv.ancestors('vm-2') == []
    assert inv.path('vm-2') == '/'


def test_inventory_from_object_contents_keys_by_moid_and_type():
    inv = Inventory([content(ref('VirtualMachine', 'vm-7'), name='a', runtime__powerState='poweredOn'),
                     content(ref('Folder', 'group-v3'), name='vm')])
    assert inv.objects['vm-7']['type'] == 'VirtualMachine'
    assert inv.props('vm-7') == {'name': 'a', 'runtime.powerState': 'poweredOn'}
    assert [ident for ident, _obj in inv.vms()] == ['vm-7']
    assert inv.props('vm-404') == {}


# ---------------------------------------------------------------------------
# matches(): the filters of vmware_vm_info
# ---------------------------------------------------------------------------

def selected(inv, **filters):
    return sorted(ident for ident, _obj in inv.vms() if matches(inv, ident, **filters))


def test_no_filter_keeps_everything():
    inv = build_inventory()
    assert selected(inv) == ['vm-100', 'vm-101', 'vm-102', 'vm-103', 'vm-104', 'vm-105']


def test_names_are_case_sensitive_shell_patterns():
    inv = build_inventory()
    assert selected(inv, names=['web*']) == ['vm-100', 'vm-101', 'vm-105']
    assert selected(inv, names=['[Ww]eb?']) == ['vm-100', 'vm-101', 'vm-103', 'vm-105']
    assert selected(inv, names=['db1', 'tpl-*']) == ['vm-102', 'vm-104']
    assert selected(inv, names=['nothing']) == []


def test_folder_is_a_path_prefix_on_whole_components():
    inv = build_inventory()
    assert selected(inv, folder='/DC0/vm/prod') == ['vm-100', 'vm-101']
    assert selected(inv, folder='/DC0/vm/prod/') == ['vm-100', 'vm-101']
    assert selected(inv, folder='/DC0/vm/pro') == []             # not a prefix of 'production' either
    assert selected(inv, folder='/DC0/vm') == ['vm-100', 'vm-101', 'vm-102', 'vm-103', 'vm-104']
    assert selected(inv, folder='/DC0/vm/prod/deep') == ['vm-101']


def test_cluster_datacenter_and_power_state_filters():
    inv = build_inventory()
    assert selected(inv, cluster='C1') == ['vm-100', 'vm-101', 'vm-103', 'vm-105']
    assert selected(inv, cluster='C1', datacenter='DC0') == ['vm-100', 'vm-101', 'vm-103']
    assert selected(inv, datacenter='DC1') == ['vm-105']
    assert selected(inv, datacenter='DC9') == []
    assert selected(inv, power_states=['poweredOff', 'suspended']) == ['vm-101', 'vm-102', 'vm-104']
    assert selected(inv, names=['web*'], power_states=['poweredOn'], datacenter='DC0') == ['vm-100']


# ---------------------------------------------------------------------------
# read_inventory(): one view, one read, templates dropped on request, the view always destroyed
# ---------------------------------------------------------------------------

class FakeView(vim.view.ContainerView):
    destroyed = 0

    def DestroyView(self):
        FakeView.destroyed += 1


class FakeSI:
    def __init__(self, collector):
        self.view_args = None
        outer = self

        class ViewManager:
            def CreateContainerView(self, container, types, recursive):
                outer.view_args = (container, types, recursive)
                return FakeView('session[52]view-1')

        class Content:
            rootFolder = ref('Folder', 'group-d1')
            viewManager = ViewManager()
            propertyCollector = collector
        self.content = Content()

    def RetrieveContent(self):
        return self.content


def test_read_inventory_drops_templates_on_request_and_destroys_the_view():
    pages = [Page([content(ref('VirtualMachine', 'vm-1'), name='a', config__template=False),
                   content(ref('VirtualMachine', 'vm-2'), name='t', config__template=True),
                   content(ref('Folder', 'group-v3'), name='vm')])]
    FakeView.destroyed = 0
    si = FakeSI(PagingCollector(pages))
    inv = read_inventory(si, include_templates=False)
    assert [ident for ident, _obj in inv.vms()] == ['vm-1']
    assert 'group-v3' in inv.objects
    assert FakeView.destroyed == 1
    container, types, recursive = si.view_args
    assert container._moId == 'group-d1' and recursive is True
    assert vim.VirtualMachine in types and vim.ClusterComputeResource in types
    assert len(si.content.propertyCollector.calls) == 1


def test_read_inventory_destroys_the_view_when_the_read_fails():
    class Failing(PagingCollector):
        def RetrievePropertiesEx(self, specSet, options):
            raise vmodl.query.InvalidProperty(name='config.nope')
    FakeView.destroyed = 0
    with pytest.raises(vmodl.query.InvalidProperty):
        read_inventory(FakeSI(Failing([])), vm_properties=['name', 'config.nope'])
    assert FakeView.destroyed == 1


def test_read_inventory_asks_for_the_given_vm_properties():
    seen = []

    class Spy(PagingCollector):
        def RetrievePropertiesEx(self, specSet, options):
            seen.extend(specSet)
            return Page([])
    read_inventory(FakeSI(Spy([])), vm_properties=['name', 'summary.quickStats'])
    by_type = dict((p.type, list(p.pathSet)) for p in seen[0].propSet)
    assert by_type[vim.VirtualMachine] == ['name', 'summary.quickStats']
    assert by_type[vim.Datacenter] == ['name', 'parent', 'vmFolder']


# ---------------------------------------------------------------------------
# Connection options
# ---------------------------------------------------------------------------

GOOD = {'hostname': 'vc.example.org', 'username': 'u', 'password': 'secret', 'port': 443, 'validate_certs': True,
        'ca_path': None, 'connect_timeout': 30}


def test_good_connection_options_have_no_problems():
    assert connection_problems(GOOD) == []


def test_missing_connection_options_name_their_environment_variables():
    problems = connection_problems(dict(GOOD, hostname=None, username='', password=None))
    assert problems == ['hostname is required (or the VMWARE_HOST environment variable)',
                        'username is required (or the VMWARE_USER environment variable)',
                        'password is required (or the VMWARE_PASSWORD environment variable)']


@pytest.mark.parametrize('change, words', [
    ({'port': 0}, 'port 0 is out of range'),
    ({'port': 65536}, 'port 65536 is out of range'),
    ({'connect_timeout': 0}, 'connect_timeout must be positive'),
    ({'validate_certs': False, 'ca_path': '/tmp/ca.pem'}, 'ca_path is only used with validate_certs=true'),
])
def test_wrong_connection_options(change, words):
    assert connection_problems(dict(GOOD, **change)) == [words]


def test_argument_spec_hides_the_password_and_falls_back_to_the_environment():
    spec = vmware_argument_spec()
    assert spec['password']['no_log'] is True
    assert not any(o.get('no_log') for k, o in spec.items() if k != 'password')
    envs = dict((k, o['fallback'][1]) for k, o in spec.items())
    assert envs == {'hostname': ['VMWARE_HOST'], 'username': ['VMWARE_USER'], 'password': ['VMWARE_PASSWORD'],
                    'port': ['VMWARE_PORT'], 'validate_certs': ['VMWARE_VALIDATE_CERTS'],
                    'ca_path': ['VMWARE_CA_PATH'], 'proxy_host': ['VMWARE_PROXY_HOST'],
                    'proxy_port': ['VMWARE_PROXY_PORT'], 'connect_timeout': ['VMWARE_CONNECT_TIMEOUT']}
    assert spec['validate_certs']['default'] is True


def test_argument_spec_takes_values_from_the_environment(make_module, monkeypatch):
    monkeypatch.setenv('VMWARE_HOST', 'vc.example.org')
    monkeypatch.setenv('VMWARE_USER', 'svc')
    monkeypatch.setenv('VMWARE_PASSWORD', 'from-env')
    monkeypatch.setenv('VMWARE_PORT', '8443')
    monkeypatch.setenv('VMWARE_VALIDATE_CERTS', 'no')
    module = make_module(vmware_argument_spec(), {'username': 'given'})
    p = module.params
    assert (p['hostname'], p['username'], p['password'], p['port'], p['validate_certs']) == \
        ('vc.example.org', 'given', 'from-env', 8443, False)
    assert 'from-env' in module.no_log_values


def test_ssl_context_per_option(tmp_path):
    off = _vmware.ssl_context({'validate_certs': False})
    assert off.verify_mode == ssl.CERT_NONE and not off.check_hostname
    on = _vmware.ssl_context({'validate_certs': True})
    assert on.verify_mode == ssl.CERT_REQUIRED and on.check_hostname
    with pytest.raises((IOError, OSError, ssl.SSLError)):
        _vmware.ssl_context({'validate_certs': True, 'ca_path': str(tmp_path / 'missing.pem')})


@pytest.mark.parametrize('raised, words', [
    (lambda: vim.fault.InvalidLogin(msg='Cannot complete login due to an incorrect user name or password.'),
     'cannot log in to vCenter vc.example.org:443 as u: Cannot complete login'),
    (lambda: ssl.SSLCertVerificationError(1, 'certificate verify failed'),
     'TLS with vCenter vc.example.org:443 failed'),
    (lambda: socket.timeout('timed out'), 'vCenter vc.example.org:443 did not answer within 30 s (connect_timeout)'),
    (lambda: ConnectionRefusedError(111, 'Connection refused'), 'cannot reach vCenter vc.example.org:443'),
])
def test_connect_failures_are_clear_and_never_show_the_password(monkeypatch, raised, words):
    def smart_connect(**kwargs):
        assert kwargs['pwd'] == 'secret'
        raise raised()
    monkeypatch.setattr(_vmware, 'SmartConnect', smart_connect)
    with pytest.raises(VMwareError) as info:
        _vmware.connect(GOOD)
    assert words in info.value.msg
    assert 'secret' not in json.dumps(info.value.result())


def test_connect_timeout_covers_sockets_opened_without_one_and_is_restored(monkeypatch):
    seen = []

    def smart_connect(**kwargs):
        seen.append((kwargs['httpConnectionTimeout'], socket.getdefaulttimeout()))
        raise socket.timeout('timed out')
    monkeypatch.setattr(_vmware, 'SmartConnect', smart_connect)
    before = socket.getdefaulttimeout()
    with pytest.raises(VMwareError, match='within 7 s'):
        _vmware.connect(dict(GOOD, connect_timeout=7))
    assert seen == [(7, 7)]
    assert socket.getdefaulttimeout() == before


def test_unreadable_ca_path_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(_vmware, 'SmartConnect', lambda **kwargs: pytest.fail('connected without a CA'))
    missing = str(tmp_path / 'missing.pem')
    with pytest.raises(VMwareError, match='cannot use ca_path %s' % missing):
        _vmware.connect(dict(GOOD, ca_path=missing))


def test_tls_failure_hints_at_ca_path_only_when_validating(monkeypatch):
    def smart_connect(**kwargs):
        raise ssl.SSLError(1, 'wrong version number')
    monkeypatch.setattr(_vmware, 'SmartConnect', smart_connect)
    with pytest.raises(VMwareError) as info:
        _vmware.connect(GOOD)
    assert 'ca_path' in info.value.msg
    with pytest.raises(VMwareError) as info:
        _vmware.connect(dict(GOOD, validate_certs=False))
    assert 'ca_path' not in info.value.msg


# ---------------------------------------------------------------------------
# Guest addresses and VE records
# ---------------------------------------------------------------------------

def nic(*addresses):
    return vim.vm.GuestInfo.NicInfo(ipAddress=list(addresses))


def test_guest_addresses_primary_first_link_local_left_out_normalized():
    props = {'guest.ipAddress': '10.0.0.5',
             'guest.net': [nic('192.0.2.7', '10.0.0.5', 'FE80::1', '2001:DB8::0001'), nic('2001:db8::1', '10.0.0.6')]}
    assert guest_addresses(props) == (['10.0.0.5', '192.0.2.7', '10.0.0.6'], ['2001:db8::1'])


def test_guest_addresses_without_tools():
    assert guest_addresses({}) == ([], [])
    assert guest_addresses({'guest.net': [vim.vm.GuestInfo.NicInfo()]}) == ([], [])


def test_guest_addresses_keep_what_they_cannot_parse():
    v4, v6 = guest_addresses({'guest.ipAddress': '10.0.0.5', 'guest.net': [nic('not-an-ip', '2001:db8::9')]})
    assert v4 == ['10.0.0.5', 'not-an-ip'] and v6 == ['2001:db8::9']


def test_record_of_a_vm():
    inv = build_inventory()
    inv.props('vm-100').update({'config.instanceUuid': '5003a1b2-0000-4000-8000-000000000001',
                                'config.hardware.numCPU': 2, 'config.hardware.memoryMB': 4096,
                                'config.guestFullName': 'Debian GNU/Linux 12 (64-bit)',
                                'summary.storage.committed': 10 << 30, 'summary.storage.uncommitted': 30 << 30,
                                'guest.hostName': 'web1.example.org', 'guest.ipAddress': '10.0.0.5'})
    d = record(inv, 'vm-100', vcenter='vc.example.org').to_dict()
    assert (d['technology'], d['id'], d['node'], d['name'], d['status']) == \
        ('vmware', '5003a1b2-0000-4000-8000-000000000001', 'esx1', 'web1', 'running')
    assert (d['memory'], d['disk'], d['cpus'], d['ipv4']) == ('4G', '40G', 2, ['10.0.0.5'])
    assert d['os'] == 'Debian GNU/Linux 12 (64-bit)' and d['hostname'] == 'web1.example.org'
    raw = d['raw']
    assert (raw['folder'], raw['datacenter'], raw['cluster'], raw['esxi_host'], raw['resource_pool']) == \
        ('/DC0/vm/prod', 'DC0', 'C1', 'esx1', 'Resources')
    assert raw['moid'] == 'vm-100' and raw['vcenter'] == 'vc.example.org' and raw['template'] is False


def test_record_of_a_bare_template_falls_back_to_moid_and_vcenter():
    inv = build_inventory()
    d = record(inv, 'vm-104', vcenter='vc.example.org').to_dict()
    assert (d['id'], d['node'], d['status'], d['memory'], d['disk']) == \
        ('vm-104', 'vc.example.org', 'stopped', None, None)
    assert vm_summary(inv, 'vm-104')['template'] is True


def test_suspended_and_unknown_power_states():
    inv = build_inventory()
    assert record(inv, 'vm-102').status == 'suspended'
    inv.props('vm-102')['runtime.powerState'] = None
    assert record(inv, 'vm-102').status == 'unknown'


# ---------------------------------------------------------------------------
# to_plain(): pyVmomi values -> JSON-able data
# ---------------------------------------------------------------------------

def test_to_plain_data_objects_arrays_references_and_enums():
    disk = vim.vm.device.VirtualDisk(
        key=2000, controllerKey=1000, unitNumber=0, capacityInKB=4096,
        deviceInfo=vim.Description(label='Hard disk 1', summary='4,096 KB'),
        backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(fileName='[ds1] web1/web1.vmdk', diskMode='persistent',
                                                              datastore=ref('Datastore', 'datastore-11')))
    plain = to_plain(vim.vm.device.VirtualDevice.Array([disk]))
    assert json.loads(json.dumps(plain)) == plain
    assert plain[0]['_type'] == 'VirtualDisk'
    assert plain[0]['capacityInKB'] == 4096 and plain[0]['deviceInfo']['label'] == 'Hard disk 1'
    assert plain[0]['backing']['datastore'] == 'datastore-11'
    assert plain[0]['backing']['_type'] == 'VirtualDiskFlatVer2BackingInfo'
    assert 'dynamicProperty' not in plain[0] and 'dynamicType' not in plain[0]
    assert 'connectable' not in plain[0]      # unset properties are left out
    assert to_plain(vim.VirtualMachinePowerState.poweredOn) == 'poweredOn'
    assert to_plain(vim.VirtualMachinePowerState.poweredOn).__class__ is str   # not the enum subclass
    assert to_plain(ref('HostSystem', 'host-8')) == 'host-8'


def test_to_plain_scalars():
    when = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
    assert to_plain(when) == '2024-05-01T12:30:00+00:00'
    assert to_plain(b'\x00\x01') == 'AAE='
    assert to_plain(vim.VirtualMachine) == 'VirtualMachine'
    assert to_plain(None) is None and to_plain(True) is True and to_plain(3.5) == 3.5
    assert to_plain({'a': (1, 2)}) == {'a': [1, 2]}
    quick = vim.vm.Summary.QuickStats(overallCpuUsage=120, guestHeartbeatStatus='green')
    assert to_plain(quick) == {'_type': 'VirtualMachineQuickStats', 'overallCpuUsage': 120,
                               'guestHeartbeatStatus': 'green', 'memoryTierStats': []}
