# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The datacenter.ve.fleet inventory plugin, run in-process as Ansible runs it, against fake nodes behind a fake ssh.

Each test writes an ``x.fleet.yml`` source and builds an ``InventoryManager``
over it; the nodes answer with canned real-format outputs of vzlist, prlctl,
zoneadm and zonecfg (see ``fake_nodes.py``). What is checked is what users
rely on: host names, ``ve_*`` variables, groups, connection variables,
warnings naming the node, and which nodes were contacted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.common.text.converters import to_text
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar, trust_as_template
from ansible.utils.display import Display
from ansible.vars.manager import VariableManager

from ansible_collections.datacenter.ve.plugins.module_utils._ve import VE
from ansible_collections.datacenter.ve.plugins.plugin_utils import _fleet
from ansible_collections.datacenter.ve.plugins.plugin_utils._fleet import source_result
from ansible_collections.datacenter.ve.tests.unit.plugins.inventory.fake_nodes import (
    FakeFleet, canned, vzlist_ct, vzlist_json)

PLUGIN = 'datacenter.ve.fleet'
RECORD = ('ve_technology', 've_node', 've_id', 've_name', 've_status', 've_hostname', 've_ipv4', 've_ipv6', 've_os',
          've_cpus', 've_cpu_units', 've_cpu_limit', 've_memory', 've_swap', 've_disk', 've_onboot', 've_ips', 've_kind')


# ---------------------------------------------------------------------------
# Harness
# ---------------------------------------------------------------------------

@pytest.fixture
def fleet(tmp_path):
    return FakeFleet(tmp_path / 'fleet')


@pytest.fixture
def warnings(monkeypatch):
    """Every warning Ansible displays while the test runs (plugin warnings and failed-source warnings)."""
    seen = []

    def warning(_self, msg, *_args, **_kwargs):
        seen.append(to_text(msg))

    def error_as_warning(_self, msg, exception, *_args, **_kwargs):
        seen.append('%s %s' % (to_text(msg), to_text(exception)))

    monkeypatch.setattr(Display, 'warning', warning)
    monkeypatch.setattr(Display, 'error_as_warning', error_as_warning)
    return seen


def write(path, text):
    """A file of the test (its directory made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding='utf-8')


def write_source(fleet, directory, name='x', **config):
    """An inventory source of the plugin reaching ``fleet`` (no shared ssh connections)."""
    data = {'plugin': PLUGIN, 'ssh_executable': fleet.ssh, 'control_persist': 0}
    data.update(config)
    path = directory / ('%s.fleet.yml' % name)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding='utf-8')
    return str(path)


def load(fleet, directory, before=(), read_cache=False, **config):
    """The inventory as ansible-inventory builds it: the sources ``before``, then the fleet source.

    ``read_cache``: what the CLI passes InventoryManager (True unless --flush-cache).
    """
    path = write_source(fleet, directory, **config)
    return InventoryManager(loader=DataLoader(), sources=[str(source) for source in before] + [path], cache=read_cache)


def parse_directly(fleet, directory, inventory=None, **config):
    """The plugin's own parse() (errors raised, not turned into warnings by InventoryManager)."""
    path = write_source(fleet, directory, **config)
    plugin = inventory_loader.get(PLUGIN)
    inventory = inventory if inventory is not None else InventoryData()
    plugin.parse(inventory, DataLoader(), path, cache=False)
    return inventory


def record(inventory, name):
    """The host's ``ve_*`` record variables."""
    hostvars = inventory.get_host(name).get_vars()
    return dict((key, hostvars[key]) for key in RECORD if key in hostvars)


def members(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def effective_vars(inventory, name):
    """What a play sees for the host: inventory, group_vars/host_vars files and all, in Ansible's precedence."""
    manager = VariableManager(loader=DataLoader(), inventory=inventory)
    return manager.get_vars(host=inventory.get_host(name))


def fleet_warnings(warnings):
    return [text for text in warnings if 'datacenter.ve.fleet' in text]


# ---------------------------------------------------------------------------
# 1. Each technology
# ---------------------------------------------------------------------------

def test_openvz_node_lists_every_ct_with_its_record(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1', 'technology': 'openvz'}])
    assert sorted(inventory.hosts) == ['102', 'dns1']
    assert record(inventory, 'dns1') == {
        've_technology': 'openvz', 've_node': 'hn1', 've_id': '101', 've_name': 'dns1', 've_status': 'running',
        've_hostname': 'dns1.example.org', 've_ipv4': ['192.0.2.53'], 've_ipv6': ['2001:db8::53'],
        've_os': 'debian-12-x86_64', 've_cpus': 2, 've_cpu_units': 2000, 've_cpu_limit': 150, 've_memory': '1G',
        've_swap': '512M', 've_disk': '4G', 've_onboot': True, 've_ips': ['192.0.2.53', '2001:db8::53'],
        've_kind': 'container'}
    stopped = record(inventory, '102')
    assert (stopped['ve_id'], stopped['ve_name'], stopped['ve_status'], stopped['ve_ips']) == ('102', None, 'stopped', [])
    assert 've_raw' not in inventory.get_host('dns1').get_vars()
    assert fleet.node('hn1').tool_calls() == ['vzlist -a -j']
    assert len(fleet.calls('hn1')) == 1 and warnings == []


def test_virtuozzo_node_lists_cts_and_vms_and_leaves_templates_out(fleet, tmp_path, warnings):
    fleet.virtuozzo('hn2')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn2', 'technology': 'virtuozzo'}], include_raw=True)
    assert sorted(inventory.hosts) == ['iis1', 'web1']   # tmpl-debian is a template
    ct, vm = record(inventory, 'web1'), record(inventory, 'iis1')
    assert (ct['ve_kind'], ct['ve_technology'], ct['ve_status']) == ('container', 'virtuozzo', 'running')
    assert (ct['ve_hostname'], ct['ve_ipv4'], ct['ve_ipv6']) == ('web1.example.org', ['192.0.2.80'], ['2001:db8::80'])
    assert (ct['ve_cpus'], ct['ve_memory'], ct['ve_disk'], ct['ve_onboot']) == (2, '2G', '20G', True)
    assert (vm['ve_kind'], vm['ve_os'], vm['ve_ipv4'], vm['ve_memory']) == ('vm', 'win-2019', ['192.0.2.90'], '8G')
    assert vm['ve_id'] == '66a6c8b6-2cd9-4d33-a159-c5edd0e0dbd9'
    assert inventory.get_host('iis1').get_vars()['ve_raw']['Type'] == 'VM'
    assert fleet.node('hn2').tool_calls() == ['prlctl list -a -i -j -f']
    assert warnings == []


ZONE_BRANDS = {'s10': 'native', 's11': 'solaris', 'illumos': 'ipkg'}


@pytest.mark.parametrize('release', sorted(ZONE_BRANDS))
def test_zones_node_leaves_the_global_zone_out_and_reads_each_zone_config(fleet, tmp_path, warnings, release):
    node = fleet.zones('hn3', listing=canned('zoneadm-list-cp-%s.txt' % release),
                       configs={'web': canned('zonecfg-export-%s.txt' % release)})
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn3', 'technology': 'zones'}])
    assert sorted(inventory.hosts) == ['odd', 'web']
    assert record(inventory, 'web') == {
        've_technology': 'zones', 've_node': 'hn3', 've_id': 'web', 've_name': 'web', 've_status': 'running',
        've_hostname': None, 've_ipv4': ['192.0.2.80/24'], 've_ipv6': [], 've_os': ZONE_BRANDS[release],
        've_cpus': None, 've_cpu_units': 20, 've_cpu_limit': None, 've_memory': '1G', 've_swap': '2G',
        've_disk': None, 've_onboot': False, 've_ips': ['192.0.2.80/24'], 've_kind': 'zone'}
    # odd has no configuration to export (zonecfg fails for it): it keeps what its list line shows
    odd = record(inventory, 'odd')
    assert (odd['ve_status'], odd['ve_os'], odd['ve_ipv4'], odd['ve_memory']) == ('configured', ZONE_BRANDS[release], [], None)
    assert sorted(node.tool_calls()) == ['zoneadm list -cp', 'zonecfg -z odd export', 'zonecfg -z web export']
    assert warnings == []


def test_zone_memory_cpu_cap_and_exclusive_ip_addresses(fleet, tmp_path):
    listing = ('0:global:running:/::solaris:shared:-:none\n'
               '-:db:installed:/zones/db:1bd2bb43-6b5e-4ac4-8c1e-5f2c6c4b1e2a:solaris:excl:-:\n')
    export = ('create -b\nset zonepath=/zones/db\nset brand=solaris\nset autoboot=true\nset ip-type=exclusive\n'
              'add anet\nset linkname=net0\nset allowed-address=2001:db8::db/64\nend\n'
              'add capped-cpu\nset ncpus=1.5\nend\nadd capped-memory\nset physical=512M\nend\n')
    fleet.zones('hn3', listing=listing, configs={'db': export})
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn3'}])
    db = record(inventory, 'db')
    assert (db['ve_status'], db['ve_ipv4'], db['ve_ipv6']) == ('stopped', [], ['2001:db8::db/64'])
    assert (db['ve_cpu_limit'], db['ve_memory'], db['ve_onboot']) == (150, '512M', True)


@pytest.mark.parametrize('technology, tools, listed', [
    ('openvz', ('vzlist',), ['vzlist -a -j']),
    ('virtuozzo', ('prlctl', 'vzlist'), ['prlctl list -a -i -j -f']),   # prlctl wins; vzlist is never run
    ('zones', ('zoneadm',), ['zoneadm list -cp', 'zonecfg -z web export']),
])
def test_auto_detects_the_technology_from_the_tools_present(fleet, tmp_path, warnings, technology, tools, listed):
    outputs = {'vzlist': vzlist_json(vzlist_ct(101, 'web')), 'zoneadm': '0:global:running:/::ipkg:shared\n1:web:running:/zones/web::ipkg:shared\n',
               'prlctl': '[{"ID": "{0c3d}", "Name": "web", "Type": "CT", "State": "running", "Template": "no"}]'}
    node = fleet.node('hn1')
    for tool in tools:
        node.tool(tool, out=outputs[tool])
    node.zone_config('web', 'create -b\nset zonepath=/zones/web\n')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}])   # technology: auto is the default
    assert sorted(inventory.hosts) == ['web']
    assert record(inventory, 'web')['ve_technology'] == technology
    assert members(inventory, 've_' + technology) == ['web']
    assert sorted(node.tool_calls()) == listed
    assert warnings == []


def test_auto_on_a_node_without_any_listing_tool_warns_naming_it(fleet, tmp_path, warnings):
    fleet.node('bare')
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'bare'}, {'host': 'hn1'}])
    assert sorted(inventory.hosts) == ['102', 'dns1']
    [warning] = fleet_warnings(warnings)
    assert 'node bare' in warning and 'prlctl, zoneadm or vzlist' in warning


def test_vcenter_vms_get_their_vcenter_vars_and_an_address(fleet, tmp_path, monkeypatch, warnings):
    """The vCenter read itself is pyVmomi's (tested with the lab vCenter); here its records become hosts."""
    def read(source, raw=False):
        vm = VE('vmware', id='4210aa4b-0000-4000-8000-00000000000a', node='esx1.example.org', name='app1', status='running',
                ipv4=['192.0.2.10'], ipv6=['2001:db8::10'], raw={'folder': '/dc1/vm/prod', 'datacenter': 'dc1', 'cluster': 'c1'})
        return source_result(source, 'vmware', [vm], raw)
    monkeypatch.setattr(_fleet, 'list_vcenter', read)
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}],
                     vcenters=[{'hostname': 'vc1.example.org', 'name': 'vc1', 'username': 'u', 'password': 'p'}])
    assert sorted(inventory.hosts) == ['102', 'app1', 'dns1']
    hostvars = inventory.get_host('app1').get_vars()
    assert (hostvars['ve_kind'], hostvars['ve_vcenter'], hostvars['ve_folder'], hostvars['ve_datacenter'],
            hostvars['ve_cluster']) == ('vm', 'vc1', '/dc1/vm/prod', 'dc1', 'c1')
    assert hostvars['ansible_host'] == '192.0.2.10' and 'ansible_connection' not in effective_vars(inventory, 'app1')
    assert members(inventory, 've_vmware') == ['app1'] and members(inventory, 've_node_esx1_example_org') == ['app1']
    assert warnings == []


# ---------------------------------------------------------------------------
# 2. A node down
# ---------------------------------------------------------------------------

def test_node_down_warns_naming_it_and_the_other_nodes_are_listed(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    fleet.virtuozzo('hn2').down()
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}])
    assert sorted(inventory.hosts) == ['102', 'dns1']
    assert 've_node_hn2' not in inventory.groups
    [warning] = fleet_warnings(warnings)
    assert 'hn2' in warning and 'Connection refused' in warning and 'hn1' not in warning
    # the listing, then the probe that tells ssh's own 255 from the command's
    assert sorted(argv[-1] == 'true' for argv in fleet.calls('hn2')) == [False, True]


def test_node_down_warning_names_the_node_as_the_inventory_knows_it(fleet, tmp_path, warnings):
    fleet.openvz('10.1.1.1').down()
    load(fleet, tmp_path, nodes=[{'host': '10.1.1.1', 'name': 'east'}])
    [warning] = fleet_warnings(warnings)
    assert 'east' in warning


def test_node_down_with_on_error_fail_fails_the_source_naming_the_node(fleet, tmp_path):
    fleet.openvz('hn1')
    fleet.openvz('hn2').down()
    with pytest.raises(AnsibleParserError) as raised:
        parse_directly(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}], on_error='fail')
    assert 'hn2' in str(raised.value) and 'Connection refused' in str(raised.value)


def test_on_error_fail_stops_ansible_when_unparsed_sources_are_fatal(fleet, tmp_path, warnings, monkeypatch):
    """As AWX runs an inventory update (one source, inventory_unparsed_failed): the run stops."""
    fleet.openvz('hn1')
    fleet.openvz('hn2').down()
    monkeypatch.setattr(C, 'INVENTORY_UNPARSED_IS_FAILED', True)
    with pytest.raises(AnsibleError, match='No inventory was parsed'):
        load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}], on_error='fail')
    assert any('hn2' in text and 'cannot list' in text for text in warnings)


def test_with_another_source_only_any_unparsed_is_failed_stops_the_run(fleet, tmp_path, warnings, monkeypatch):
    """inventory_unparsed_failed stops only when no source parsed: beside nodes.yml, a failed fleet is a warning."""
    fleet.openvz('hn1').down()
    write(tmp_path / 'nodes.yml', 'openvz_nodes:\n  hosts:\n    hn1:\n')
    monkeypatch.setattr(C, 'INVENTORY_UNPARSED_IS_FAILED', True)
    inventory = load(fleet, tmp_path, before=[tmp_path / 'nodes.yml'], node_groups=['openvz_nodes'], on_error='fail')
    assert sorted(inventory.hosts) == ['hn1'] and any('cannot list' in text for text in warnings)
    monkeypatch.setattr(C, 'INVENTORY_ANY_UNPARSED_IS_FAILED', True)
    with pytest.raises(AnsibleError, match='Completely failed to parse'):
        load(fleet, tmp_path, before=[tmp_path / 'nodes.yml'], node_groups=['openvz_nodes'], on_error='fail')


def test_on_error_fail_leaves_no_partial_inventory(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    fleet.openvz('hn2').down()
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}], on_error='fail')
    assert sorted(inventory.hosts) == []
    assert any('hn2' in text for text in warnings)


# ---------------------------------------------------------------------------
# 3. A node printing garbage
# ---------------------------------------------------------------------------

GARBAGE = {
    'not-json': (lambda node: node.tool('vzlist', out='<html>502 Bad Gateway</html>\n'), 'not JSON'),
    'vzlist-fails': (lambda node: node.tool('vzlist', err='vzlist: Unable to open /proc/vz/veinfo\n', rc=1),
                     'vzlist -a -j exited 1: vzlist: Unable to open /proc/vz/veinfo'),
    'prints-nothing': (lambda node: node.tool('vzlist', out='[]').respond(''), 'printed no listing'),
    'cut-off': (lambda node: node.tool('vzlist', out=canned('vzlist-4.11-aj.json')).cut_after(400), 'cut off'),
    'prlctl-not-objects': (lambda node: node.tool('prlctl', out='["web1", "web2"]'), 'other than a list of objects'),
    'zoneadm-short-line': (lambda node: node.tool('zoneadm', out='0:global:running\n'), 'too few fields'),
}


@pytest.mark.parametrize('case', sorted(GARBAGE))
def test_node_printing_garbage_warns_naming_it_and_the_others_are_listed(fleet, tmp_path, warnings, case):
    make, message = GARBAGE[case]
    make(fleet.node('bad'))
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'bad'}, {'host': 'hn1'}])
    assert sorted(inventory.hosts) == ['102', 'dns1']
    [warning] = fleet_warnings(warnings)
    assert 'node bad' in warning and message in warning, warning
    assert 'its VEs are left out' in warning


def test_login_banner_and_forged_markers_around_the_frames_are_ignored(fleet, tmp_path, warnings):
    node = fleet.openvz('hn1')
    node.banner('Welcome to hn1!\n@@datacenter.ve.fleet.0000000000000000 begin vzlist\n[{"ctid": 666}]\n'
                '@@datacenter.ve.fleet.0000000000000000 end 0\nLast login: yesterday\n')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}])
    assert sorted(inventory.hosts) == ['102', 'dns1']
    assert warnings == []


# ---------------------------------------------------------------------------
# 4. A slow node
# ---------------------------------------------------------------------------

def test_slow_node_times_out_with_a_warning_and_the_others_are_listed(fleet, tmp_path, warnings):
    sleep = 5
    fleet.openvz('slow', sleep=sleep)
    fleet.virtuozzo('hn2')
    started = time.monotonic()
    inventory = load(fleet, tmp_path, nodes=[{'host': 'slow'}, {'host': 'hn2'}], timeout=1)
    elapsed = time.monotonic() - started
    assert elapsed < sleep - 1, 'the listing waited for the slow node (%.1f s)' % elapsed
    assert sorted(inventory.hosts) == ['iis1', 'web1']
    [warning] = fleet_warnings(warnings)
    assert 'node slow' in warning and 'within 1 s (timeout)' in warning


# ---------------------------------------------------------------------------
# 5. Names
# ---------------------------------------------------------------------------

def test_colliding_names_get_their_node_and_unique_names_stay_bare(fleet, tmp_path, warnings):
    fleet.openvz('hn1', out=vzlist_json(vzlist_ct(101, 'web'), vzlist_ct(102, 'db')))
    fleet.openvz('hn2', out=vzlist_json(vzlist_ct(101, 'web'), vzlist_ct(103, 'mail')))
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}])
    assert sorted(inventory.hosts) == ['db', 'mail', 'web@hn1', 'web@hn2']
    assert record(inventory, 'web@hn1')['ve_node'] == 'hn1' and record(inventory, 'web@hn2')['ve_node'] == 'hn2'
    assert members(inventory, 've_node_hn2') == ['mail', 'web@hn2']
    assert warnings == []


def test_collisions_use_the_node_name_not_its_address(fleet, tmp_path):
    fleet.openvz('10.0.0.1', out=vzlist_json(vzlist_ct(101, 'web')))
    fleet.openvz('10.0.0.2', out=vzlist_json(vzlist_ct(101, 'web')))
    inventory = load(fleet, tmp_path, nodes=[{'host': '10.0.0.1', 'name': 'east'}, {'host': '10.0.0.2', 'name': 'west'}])
    assert sorted(inventory.hosts) == ['web@east', 'web@west']
    assert inventory.groups['ve_node_east'].get_vars()['ansible_vzctl_node'] == '10.0.0.1'


def test_hostname_template_names_each_host(fleet, tmp_path):
    fleet.openvz('hn1', out=vzlist_json(vzlist_ct(101, 'web'), vzlist_ct(102)))
    fleet.openvz('hn2', out=vzlist_json(vzlist_ct(101, 'web')))
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}],
                     hostname_template='{{ ve_name | default(ve_id, true) }}-{{ ve_node }}')
    assert sorted(inventory.hosts) == ['102-hn1', 'web-hn1', 'web-hn2']


def test_hostname_template_collisions_are_made_unique_by_node(fleet, tmp_path):
    fleet.openvz('hn1', out=vzlist_json(vzlist_ct(101, 'web', hostname='www.example.org')))
    fleet.openvz('hn2', out=vzlist_json(vzlist_ct(101, 'web2', hostname='www.example.org')))
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}], hostname_template='{{ ve_hostname }}')
    assert sorted(inventory.hosts) == ['www.example.org@hn1', 'www.example.org@hn2']


def test_nameless_openvz_cts_are_named_by_ctid(fleet, tmp_path):
    fleet.openvz('hn1', out=vzlist_json(vzlist_ct(101), vzlist_ct(102, 'named')))
    fleet.openvz('hn2', out=vzlist_json(vzlist_ct(101)))
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}])
    assert sorted(inventory.hosts) == ['101@hn1', '101@hn2', 'named']
    assert inventory.get_host('101@hn1').get_vars()['ansible_vzctl_ctid'] == '101'


# ---------------------------------------------------------------------------
# 6. Unicode, quotes and template text from the nodes
# ---------------------------------------------------------------------------

# vzlist prints strings without escaping them (quotes and backslashes as they are): not valid JSON
UNESCAPED = '''[
  {
    "ctid": 104,
    "name": "wéb-☃",
    "hostname": "wéb.example.org",
    "description": "the "old" web server \\ spare",
    "ip": ["192.0.2.104"],
    "status": "running"
  }
]
'''


def test_unicode_names_and_unescaped_quotes_come_through(fleet, tmp_path, warnings):
    fleet.openvz('hn1', out=UNESCAPED)
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}], include_raw=True)
    assert sorted(inventory.hosts) == ['wéb-☃']
    hostvars = inventory.get_host('wéb-☃').get_vars()
    assert (hostvars['ve_name'], hostvars['ve_hostname']) == ('wéb-☃', 'wéb.example.org')
    assert hostvars['ve_raw']['description'] == 'the "old" web server \\ spare'
    assert warnings == []


def test_template_text_from_a_node_is_never_templated(fleet, tmp_path):
    pwned = tmp_path / 'pwned'
    evil = "{{ lookup('pipe', 'touch %s') }}" % pwned
    fleet.openvz('hn1', out=vzlist_json(vzlist_ct(101, evil, hostname=evil, description=evil)))
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}], include_raw=True,
                     hostname_template='{{ ve_name }}.{{ ve_node }}',
                     compose={'label': 've_hostname ~ "!"'}, groups={'everything': 've_name is string'},
                     filters=['ve_hostname | length > 0'])
    name = evil + '.hn1'
    assert sorted(inventory.hosts) == [name]
    assert members(inventory, 'everything') == [name]
    variables = effective_vars(inventory, name)
    templar = Templar(loader=DataLoader(), variables=variables)
    assert templar.template(trust_as_template('{{ ve_hostname }}')) == evil
    assert templar.template(variables['ve_hostname']) == evil   # untrusted: a value, never a template
    assert templar.template(variables['ve_raw']['description']) == evil
    assert templar.template(trust_as_template('{{ label }}')) == evil + '!'
    assert templar.template(trust_as_template('{{ inventory_hostname }}')) == name
    assert not pwned.exists()


# ---------------------------------------------------------------------------
# 7. Addresses
# ---------------------------------------------------------------------------

V6_ONLY_PRLCTL = ('[{"ID": "{6}", "Name": "v6only", "Type": "CT", "State": "running", "Template": "no",'
                  ' "Hardware": {"venet0": {"type": "routed", "ips": "2001:DB8:0:0::6/64 "}}}]')
V6_ONLY_ZONE = ('create -b\nset zonepath=/zones/v6only\nset ip-type=exclusive\n'
                'add anet\nset linkname=net0\nset allowed-address=2001:DB8:0:0::6/64\nend\n')


@pytest.mark.parametrize('technology, ipv6', [('virtuozzo', '2001:db8::6'), ('zones', '2001:db8::6/64')])
def test_ipv6_only_ve_gets_its_ipv6_address_as_ansible_host(fleet, tmp_path, technology, ipv6):
    if technology == 'virtuozzo':
        fleet.virtuozzo('hn1', out=V6_ONLY_PRLCTL)
    else:
        fleet.zones('hn1', listing='1:v6only:running:/zones/v6only::solaris:excl:-:\n', configs={'v6only': V6_ONLY_ZONE})
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}], connection='ssh', address_family='ipv4')
    hostvars = inventory.get_host('v6only').get_vars()
    assert (hostvars['ve_ipv4'], hostvars['ve_ipv6']) == ([], [ipv6])
    assert hostvars['ansible_host'] == '2001:db8::6'   # without its prefix length
    assert 'ansible_connection' not in effective_vars(inventory, 'v6only')


@pytest.mark.parametrize('family, address', [('ipv4', '192.0.2.53'), ('ipv6', '2001:db8::53')])
def test_dual_stack_ve_gets_the_address_of_the_family_asked(fleet, tmp_path, family, address):
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}], connection='ssh', address_family=family)
    assert inventory.get_host('dns1').get_vars()['ansible_host'] == address
    assert 'ansible_host' not in inventory.get_host('102').get_vars()   # no address at all: nothing to set


def test_zone_address_with_prefix_length_becomes_a_bare_ansible_host(fleet, tmp_path):
    fleet.zones('hn3')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn3'}], connection='ssh')
    assert inventory.get_host('web').get_vars()['ansible_host'] == '192.0.2.80'


# ---------------------------------------------------------------------------
# 8. Connection variables
# ---------------------------------------------------------------------------

CONNECTIONS = [
    ('openvz', 'dns1', 'datacenter.ve.vzctl', 'vzctl', 'ansible_vzctl_ctid', '101'),
    ('virtuozzo', 'web1', 'datacenter.ve.prlctl', 'prlctl', 'ansible_prlctl_name', 'web1'),
    ('zones', 'web', 'datacenter.ve.zlogin', 'zlogin', 'ansible_zlogin_zone', 'web'),
]


@pytest.mark.parametrize('technology, host, plugin, short, ident_var, ident', CONNECTIONS)
def test_node_connection_vars_are_on_the_node_group_and_the_ve_on_the_host(fleet, tmp_path, technology, host, plugin,
                                                                           short, ident_var, ident):
    getattr(fleet, technology)('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1', 'name': 'node1', 'user': 'admin', 'port': 2222,
                                              'private_key_file': '~/.ssh/fleet', 'ssh_args': '-o ProxyJump=bastion'}])
    assert inventory.groups['ve_node_node1'].get_vars() == {
        'ansible_connection': plugin, 'ansible_%s_node' % short: 'hn1', 'ansible_%s_node_user' % short: 'admin',
        'ansible_%s_node_port' % short: 2222, 'ansible_%s_node_private_key_file' % short: '~/.ssh/fleet',
        'ansible_%s_node_ssh_args' % short: '-o ProxyJump=bastion'}
    hostvars = inventory.get_host(host).get_vars()
    assert hostvars[ident_var] == ident and 'ansible_connection' not in hostvars
    play = effective_vars(inventory, host)
    assert play['ansible_connection'] == plugin and play['ansible_%s_node' % short] == 'hn1'
    # the node was reached as configured
    [argv] = fleet.calls('hn1')
    assert argv[argv.index('-l') + 1] == 'admin' and argv[argv.index('-p') + 1] == '2222'
    assert argv[argv.index('-i') + 1].endswith('/.ssh/fleet') and '-o' in argv and 'ProxyJump=bastion' in argv


def test_node_connection_without_ssh_settings_sets_only_the_node(fleet, tmp_path):
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}])
    assert inventory.groups['ve_node_hn1'].get_vars() == {'ansible_connection': 'datacenter.ve.vzctl',
                                                          'ansible_vzctl_node': 'hn1'}


def test_connection_none_sets_no_connection_vars(fleet, tmp_path):
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}], connection='none')
    assert inventory.groups['ve_node_hn1'].get_vars() == {}
    hostvars = inventory.get_host('dns1').get_vars()
    assert not [key for key in hostvars if key.startswith('ansible_')]
    assert 'ansible_connection' not in effective_vars(inventory, 'dns1')


def test_compose_overrides_the_connection(fleet, tmp_path):
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}],
                     compose={'ansible_connection': "'ssh'", 'ansible_host': 've_ipv4[0] | default(omit)'})
    play = effective_vars(inventory, 'dns1')
    assert (play['ansible_connection'], play['ansible_host']) == ('ssh', '192.0.2.53')


@pytest.mark.parametrize('group_file', ['all', 've_node_hn1'])
def test_group_vars_files_override_the_connection(fleet, tmp_path, group_file):
    fleet.openvz('hn1')
    write(tmp_path / 'group_vars' / ('%s.yml' % group_file), 'ansible_connection: ssh\nansible_vzctl_node: other\n')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}])
    play = effective_vars(inventory, 'dns1')
    assert (play['ansible_connection'], play['ansible_vzctl_node']) == ('ssh', 'other')
    assert play['ansible_vzctl_ctid'] == '101'


def test_host_vars_file_overrides_the_ve_id(fleet, tmp_path):
    fleet.openvz('hn1')
    write(tmp_path / 'host_vars' / 'dns1.yml', 'ansible_vzctl_ctid: "999"\n')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}])
    assert effective_vars(inventory, 'dns1')['ansible_vzctl_ctid'] == '999'


# ---------------------------------------------------------------------------
# 9. Groups, constructed options, filters
# ---------------------------------------------------------------------------

def test_groups_by_technology_node_and_status(fleet, tmp_path):
    fleet.openvz('10.0.0.1')
    fleet.virtuozzo('hn-2.example.org')
    inventory = load(fleet, tmp_path, nodes=[{'host': '10.0.0.1'}, {'host': 'hn-2.example.org'}])
    assert members(inventory, 've_openvz') == ['102', 'dns1']
    assert members(inventory, 've_virtuozzo') == ['iis1', 'web1']
    assert members(inventory, 've_node_10_0_0_1') == ['102', 'dns1']
    assert members(inventory, 've_node_hn_2_example_org') == ['iis1', 'web1']
    assert members(inventory, 've_running') == ['dns1', 'iis1', 'web1']
    assert members(inventory, 've_stopped') == ['102']
    assert inventory.groups['ve_node_10_0_0_1'].get_vars()['ansible_vzctl_node'] == '10.0.0.1'


def test_group_prefix(fleet, tmp_path):
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}], group_prefix='fleet_')
    assert members(inventory, 'fleet_openvz') == ['102', 'dns1']
    assert members(inventory, 'fleet_node_hn1') == ['102', 'dns1']
    assert members(inventory, 'fleet_running') == ['dns1']
    assert not [group for group in inventory.groups if group.startswith('ve_')]


def test_keyed_groups_groups_and_compose(fleet, tmp_path):
    fleet.openvz('hn1')
    fleet.virtuozzo('hn2')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}],
                     keyed_groups=[{'key': 've_os', 'prefix': 'os'}, {'key': 've_kind', 'prefix': 'kind'}],
                     groups={'big': "ve_memory in ['2G', '8G']", 'via_prlctl': "ansible_connection == 'datacenter.ve.prlctl'"},
                     compose={'short_name': "(ve_hostname or ve_id).split('.')[0]"})
    assert members(inventory, 'os_debian_12_x86_64') == ['102', 'dns1']
    assert members(inventory, 'os_win_2019') == ['iis1']
    assert members(inventory, 'kind_vm') == ['iis1']
    assert members(inventory, 'big') == ['iis1', 'web1']
    assert members(inventory, 'via_prlctl') == ['iis1', 'web1']
    assert inventory.get_host('dns1').get_vars()['short_name'] == 'dns1'
    assert inventory.get_host('102').get_vars()['short_name'] == '102'


def test_include_stopped_false_keeps_only_running_ves(fleet, tmp_path):
    fleet.openvz('hn1')
    fleet.zones('hn3')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn3'}], include_stopped=False)
    assert sorted(inventory.hosts) == ['dns1', 'web']
    assert 've_stopped' not in inventory.groups and 've_configured' not in inventory.groups


def test_filters_keep_only_matching_ves(fleet, tmp_path):
    fleet.openvz('hn1', out=vzlist_json(vzlist_ct(101, 'web1'), vzlist_ct(102, 'test-web'), vzlist_ct(103, 'db1', status='stopped')))
    fleet.openvz('hn2', out=vzlist_json(vzlist_ct(101, 'test-only')))
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}, {'host': 'hn2'}],
                     filters=["ve_name is not match('test-')", "ve_node == 'hn1'"])
    assert sorted(inventory.hosts) == ['db1', 'web1']
    assert 've_node_hn2' not in inventory.groups   # no VE of hn2 passed: no empty node group


def test_failing_filter_drops_the_ve_unless_strict(fleet, tmp_path):
    fleet.openvz('hn1')
    config = {'nodes': [{'host': 'hn1'}], 'filters': ["ve_hostname.endswith('.org')"]}   # None for CT 102
    assert sorted(load(fleet, tmp_path, **config).hosts) == ['dns1']
    with pytest.raises(AnsibleError, match='filter .* failed for VE 102 on hn1'):
        parse_directly(fleet, tmp_path, strict=True, **config)


# ---------------------------------------------------------------------------
# 10. Cache
# ---------------------------------------------------------------------------

def cache_config(tmp_path, *hosts):
    return {'nodes': [{'host': host} for host in hosts], 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile',
            'cache_connection': str(tmp_path / 'cache')}


def snapshot(inventory):
    return (dict((name, host.get_vars()) for name, host in inventory.hosts.items()),
            dict((name, (sorted(h.name for h in group.get_hosts()), group.get_vars()))
                 for name, group in inventory.groups.items()))


def test_cached_inventory_does_not_contact_the_nodes_again(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    fleet.virtuozzo('hn2')
    first = load(fleet, tmp_path, read_cache=True, **cache_config(tmp_path, 'hn1', 'hn2'))
    assert len(fleet.calls()) == 2
    fleet.node('hn1').down()
    fleet.node('hn2').down()
    second = load(fleet, tmp_path, read_cache=True, **cache_config(tmp_path, 'hn1', 'hn2'))
    assert len(fleet.calls()) == 2
    assert snapshot(second) == snapshot(first)
    assert sorted(second.hosts) == ['102', 'dns1', 'iis1', 'web1']
    assert warnings == []


def test_flush_cache_lists_the_nodes_again(fleet, tmp_path):
    fleet.openvz('hn1')
    load(fleet, tmp_path, read_cache=True, **cache_config(tmp_path, 'hn1'))
    load(fleet, tmp_path, read_cache=False, **cache_config(tmp_path, 'hn1'))   # ansible-inventory --flush-cache
    assert len(fleet.calls('hn1')) == 2


def test_a_listing_with_a_failed_node_is_not_cached(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    fleet.virtuozzo('hn2').down()
    partial = load(fleet, tmp_path, read_cache=True, **cache_config(tmp_path, 'hn1', 'hn2'))
    assert sorted(partial.hosts) == ['102', 'dns1'] and len(fleet_warnings(warnings)) == 1
    fleet.node('hn2').down(False)
    fleet.reset_calls()
    complete = load(fleet, tmp_path, read_cache=True, **cache_config(tmp_path, 'hn1', 'hn2'))
    assert sorted(complete.hosts) == ['102', 'dns1', 'iis1', 'web1']
    assert len(fleet.calls('hn1')) == 1 and len(fleet.calls('hn2')) == 1


def test_changing_the_node_list_invalidates_the_cache(fleet, tmp_path):
    fleet.openvz('hn1')
    fleet.virtuozzo('hn2')
    load(fleet, tmp_path, read_cache=True, **cache_config(tmp_path, 'hn1'))
    inventory = load(fleet, tmp_path, read_cache=True, **cache_config(tmp_path, 'hn1', 'hn2'))
    assert sorted(inventory.hosts) == ['102', 'dns1', 'iis1', 'web1']
    assert len(fleet.calls('hn1')) == 2 and len(fleet.calls('hn2')) == 1
    changed = cache_config(tmp_path, 'hn1', 'hn2')
    changed['nodes'][0]['user'] = 'admin'   # how a node is reached is part of the source too
    load(fleet, tmp_path, read_cache=True, **changed)
    assert len(fleet.calls('hn1')) == 3


# ---------------------------------------------------------------------------
# 11. Bad input, found before any connection
# ---------------------------------------------------------------------------

BAD_INPUT = [
    ('unknown-key', {'nodes': [{'host': 'hn1', 'colour': 'red'}]}, 'nodes[0]: unknown key(s) colour'),
    ('missing-host', {'nodes': [{'host': 'hn1'}, {'name': 'hn2'}]}, 'nodes[1]: host is required'),
    ('not-a-mapping', {'nodes': ['hn1']}, 'nodes[0] must be a mapping'),
    ('bad-technology', {'nodes': [{'host': 'hn1', 'technology': 'lxc'}]}, "node hn1: technology must be one of"),
    ('port-not-a-number', {'nodes': [{'host': 'hn1', 'port': 'ssh'}]}, "node hn1: port must be a number, not 'ssh'"),
    ('port-out-of-range', {'nodes': [{'host': 'hn1', 'port': 70000}]}, 'node hn1: port 70000 is out of range'),
    ('host-like-an-option', {'nodes': [{'host': '-oProxyCommand=touch /tmp/x'}]}, 'is not a host name or address'),
    ('ssh-args-unbalanced', {'nodes': [{'host': 'hn1', 'ssh_args': '-o "ProxyJump=x'}]}, 'ssh_args cannot be split'),
    ('same-node-group', {'nodes': [{'host': 'hn-1'}, {'host': 'hn_1'}]}, 'nodes hn-1 and hn_1 would share one node group'),
    ('same-node-twice', {'nodes': [{'host': 'hn1'}, {'host': 'hn1'}]}, 'would share one node group'),
    ('vcenter-without-password', {'nodes': [{'host': 'hn1'}], 'vcenters': [{'hostname': 'vc1', 'username': 'u'}]},
     'vCenter vc1: password is required (or the VMWARE_PASSWORD environment variable)'),
    ('vcenter-unknown-key', {'vcenters': [{'hostname': 'vc1', 'username': 'u', 'password': 'p', 'colour': 'x'}]},
     'vcenters[0]: unknown key colour'),
    ('node-groups-missing', {'node_groups': ['openvz_nodes']}, 'node_groups: no group openvz_nodes'),
    ('max-workers', {'nodes': [{'host': 'hn1'}], 'max_workers': 0}, 'max_workers must be at least 1'),
    ('timeout', {'nodes': [{'host': 'hn1'}], 'timeout': 0}, 'timeout must be at least 1 second'),
]


@pytest.mark.parametrize('config, message', [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_fails_before_any_connection(fleet, tmp_path, monkeypatch, config, message):
    for variable in ('VMWARE_HOST', 'VMWARE_USER', 'VMWARE_PASSWORD'):
        monkeypatch.delenv(variable, raising=False)
    fleet.openvz('hn1')
    with pytest.raises(AnsibleParserError) as raised:
        parse_directly(fleet, tmp_path, **config)
    assert message in str(raised.value)
    assert str(tmp_path / 'x.fleet.yml') in str(raised.value)
    assert fleet.calls() == []


def test_bad_input_through_ansible_is_a_warning_naming_the_problem_and_no_host(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1', 'prot': 22}])
    assert sorted(inventory.hosts) == []
    assert any('unknown key(s) prot' in text for text in warnings)
    assert fleet.calls() == []


def test_vcenter_password_from_the_environment_is_accepted_and_never_shown(fleet, tmp_path, warnings, monkeypatch):
    monkeypatch.setenv('VMWARE_PASSWORD', 's3cret-from-env')
    fleet.openvz('hn1')
    # nothing listens on port 1: the vCenter fails fast, the node is still listed
    inventory = load(fleet, tmp_path, nodes=[{'host': 'hn1'}],
                     vcenters=[{'hostname': '127.0.0.1', 'port': 1, 'username': 'u', 'name': 'vc-lab', 'connect_timeout': 2}])
    assert sorted(inventory.hosts) == ['102', 'dns1']
    [warning] = fleet_warnings(warnings)
    assert '127.0.0.1:1' in warning and 's3cret' not in warning


# ---------------------------------------------------------------------------
# 12. Nodes from another inventory source
# ---------------------------------------------------------------------------

NODES_YML = '''
all:
  children:
    openvz_nodes:
      vars:
        technology: openvz
        ansible_user: admin
      hosts:
        node-a:
          ansible_host: hn1
          ansible_port: 2222
          ansible_ssh_common_args: -o ProxyJump=bastion.example.org
          ansible_ssh_extra_args: -o Compression=yes
          ansible_ssh_private_key_file: /keys/fleet
        hn2:
    virtuozzo_nodes:
      hosts:
        hn3:
          technology: virtuozzo
'''


def test_node_groups_list_the_nodes_of_a_source_parsed_first_with_their_ssh_settings(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    fleet.openvz('hn2', out=vzlist_json(vzlist_ct(201, 'mail')))
    fleet.virtuozzo('hn3')
    nodes = tmp_path / 'nodes.yml'
    write(nodes, NODES_YML)
    inventory = load(fleet, tmp_path, before=[nodes], node_groups=['openvz_nodes', 'virtuozzo_nodes'])
    assert sorted(host for host in inventory.hosts if host not in ('node-a', 'hn2', 'hn3')) == [
        '102', 'dns1', 'iis1', 'mail', 'web1']
    assert record(inventory, 'dns1')['ve_node'] == 'node-a'
    assert inventory.groups['ve_node_node_a'].get_vars() == {
        'ansible_connection': 'datacenter.ve.vzctl', 'ansible_vzctl_node': 'hn1', 'ansible_vzctl_node_user': 'admin',
        'ansible_vzctl_node_port': 2222, 'ansible_vzctl_node_private_key_file': '/keys/fleet',
        'ansible_vzctl_node_ssh_args': '-o ProxyJump=bastion.example.org -o Compression=yes'}
    [argv] = fleet.calls('hn1')
    assert argv[argv.index('-l') + 1] == 'admin' and argv[argv.index('-p') + 1] == '2222'
    assert argv[argv.index('-i') + 1] == '/keys/fleet'
    assert argv[-7:-1] == ['-o', 'ProxyJump=bastion.example.org', '-o', 'Compression=yes', '--', 'hn1']
    assert 'technology openvz' in argv[-1]   # the group's technology: no detection
    [argv] = fleet.calls('hn2')
    assert argv[argv.index('-l') + 1] == 'admin' and '-p' not in argv
    assert record(inventory, 'web1')['ve_node'] == 'hn3'
    # the nodes themselves are untouched
    assert 'ansible_connection' not in effective_vars(inventory, 'node-a')
    assert warnings == []


def test_node_groups_see_the_group_vars_files_of_the_nodes(fleet, tmp_path):
    fleet.openvz('hn1')
    write(tmp_path / 'nodes.yml', 'openvz_nodes:\n  hosts:\n    hn1:\n')
    write(tmp_path / 'group_vars' / 'openvz_nodes.yml', 'ansible_user: admin\n')
    load(fleet, tmp_path, before=[tmp_path / 'nodes.yml'], node_groups=['openvz_nodes'])
    [argv] = fleet.calls('hn1')
    assert '-l' in argv and argv[argv.index('-l') + 1] == 'admin'


def test_a_node_in_two_node_groups_is_listed_once(fleet, tmp_path, warnings):
    fleet.openvz('hn1')
    write(tmp_path / 'nodes.yml', 'openvz_nodes:\n  hosts:\n    hn1:\ndc1:\n  hosts:\n    hn1:\n')
    inventory = load(fleet, tmp_path, before=[tmp_path / 'nodes.yml'], node_groups=['openvz_nodes', 'dc1'])
    assert warnings == []
    assert '102' in inventory.hosts and len(fleet.calls('hn1')) == 1


def test_node_groups_hosts_with_templated_vars_are_reached_at_the_rendered_address(fleet, tmp_path, warnings):
    fleet.openvz('hn1.mgmt.example.org')
    write(tmp_path / 'nodes.yml', 'openvz_nodes:\n  vars:\n    ansible_host: "{{ inventory_hostname }}.mgmt.example.org"\n'
          '  hosts:\n    hn1:\n')
    inventory = load(fleet, tmp_path, before=[tmp_path / 'nodes.yml'], node_groups=['openvz_nodes'])
    assert fleet_warnings(warnings) == [] and '102' in inventory.hosts


def test_a_ve_named_like_a_node_of_another_source_does_not_take_it_over(fleet, tmp_path):
    fleet.openvz('hn1', out=vzlist_json(vzlist_ct(101, 'hn2')))
    fleet.openvz('hn2', out=vzlist_json(vzlist_ct(101, 'web')))
    write(tmp_path / 'nodes.yml', 'openvz_nodes:\n  hosts:\n    hn1:\n    hn2:\n')
    inventory = load(fleet, tmp_path, before=[tmp_path / 'nodes.yml'], node_groups=['openvz_nodes'])
    node = effective_vars(inventory, 'hn2')
    assert node.get('ansible_connection') != 'datacenter.ve.vzctl' and 'ansible_vzctl_ctid' not in node
