# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugin_utils._fleet: source validation, the one-round-trip listing script, its framing, and listing in parallel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shlex
import shutil
import subprocess
import time

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils import _vmware
from ansible_collections.datacenter.ve.plugins.module_utils._openvz import record_from_vzlist
from ansible_collections.datacenter.ve.plugins.plugin_utils import _fleet
from ansible_collections.datacenter.ve.plugins.plugin_utils._fleet import (
    ConfigError, NodeSource, SourceError, VCenterSource, list_node, list_sources, list_vcenter, listing_script,
    new_mark, parse_sections, records_from_listing, source_result)
from ansible_collections.datacenter.ve.tests.unit.plugins.inventory.fake_nodes import (
    FakeFleet, canned, vzlist_ct, vzlist_json)


@pytest.fixture
def fleet(tmp_path):
    return FakeFleet(tmp_path / 'fleet')


def frame(mark, kind, body, rc=0, argument=None):
    """What the listing script prints for one command."""
    head = '%s begin %s' % (mark, kind) + (' %s' % argument if argument else '')
    return '%s\n%s\n\n%s end %d\n' % (head, body, mark, rc)


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

def test_node_entry_with_every_key():
    source = NodeSource.from_entry({'host': ' hn1.example.org ', 'name': 'hn1', 'technology': 'openvz', 'user': 'root',
                                    'port': '2222', 'private_key_file': '~/.ssh/k',
                                    'ssh_args': ['-o', 'ProxyJump=a b', '-F', '/x/cfg']}, 0)
    assert (source.host, source.name, source.technology, source.user, source.port) == (
        'hn1.example.org', 'hn1', 'openvz', 'root', 2222)
    assert shlex.split(source.ssh_args) == ['-o', 'ProxyJump=a b', '-F', '/x/cfg']
    assert source.connection() == {'host': 'hn1.example.org', 'user': 'root', 'port': 2222,
                                   'private_key_file': '~/.ssh/k', 'ssh_args': source.ssh_args}


def test_node_entry_defaults():
    source = NodeSource.from_entry({'host': 'hn1'}, 0)
    assert (source.name, source.technology, source.user, source.port, source.ssh_args) == ('hn1', 'auto', None, None, '')


def test_node_key_changes_with_how_the_node_is_reached():
    keys = [json.dumps(NodeSource.from_entry(entry, 0).key(), default=str) for entry in (
        {'host': 'hn1'}, {'host': 'hn1', 'user': 'admin'}, {'host': 'hn1', 'port': 2222}, {'host': 'hn1', 'technology': 'zones'},
        {'host': 'hn1', 'name': 'n1'}, {'host': 'hn1', 'ssh_args': '-J b'})]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize('entry, message', [
    ('hn1', 'nodes[3] must be a mapping'),
    ({'host': 'hn1', 'hostname': 'x'}, 'nodes[3]: unknown key(s) hostname (known: host, name,'),
    ({'host': '  '}, 'nodes[3]: host is required'),
    ({'host': None}, 'nodes[3]: host is required'),
    ({'host': ['hn1']}, 'nodes[3]: host must be a string'),
    ({'host': 'hn 1'}, "host 'hn 1' is not a host name or address"),
    ({'host': '-F/tmp/evil'}, "host '-F/tmp/evil' is not a host name or address"),
    ({'host': 'hn1', 'technology': 'OpenVZ'}, "node hn1: technology must be one of openvz, virtuozzo, zones, auto, not 'OpenVZ'"),
    ({'host': 'hn1', 'port': 0}, 'node hn1: port 0 is out of range'),
    ({'host': 'hn1', 'port': '22/tcp'}, "node hn1: port must be a number, not '22/tcp'"),
    ({'host': 'hn1', 'user': {'name': 'root'}}, 'node hn1: user must be a string'),
    ({'host': 'hn1', 'ssh_args': "-o 'x"}, 'node hn1: ssh_args cannot be split into arguments'),
])
def test_node_entry_errors_say_what_is_wrong(entry, message):
    with pytest.raises(ConfigError) as raised:
        NodeSource.from_entry(entry, 3)
    assert message in str(raised.value)


def test_vcenter_entry_aliases_environment_and_key_without_password():
    environ = {'VMWARE_PASSWORD': 'from-env', 'VMWARE_VALIDATE_CERTS': 'no', 'VMWARE_PORT': '8443'}
    source = VCenterSource.from_entry({'hostname': 'vc1', 'user': 'admin@vsphere.local', 'name': 'prod'}, 0, environ)
    assert source.name == 'prod'
    assert source.params['username'] == 'admin@vsphere.local' and source.params['password'] == 'from-env'
    assert (source.params['port'], source.params['validate_certs'], source.params['connect_timeout']) == (8443, False, 30)
    assert 'from-env' not in json.dumps(source.key())
    assert VCenterSource.from_entry({'hostname': 'vc1', 'user': 'u', 'pwd': 'p'}, 0, {}).name == 'vc1'


@pytest.mark.parametrize('entry, message', [
    ({'hostname': 'vc1', 'username': 'u'}, 'vCenter vc1: password is required (or the VMWARE_PASSWORD environment variable)'),
    ({'username': 'u', 'password': 'p'}, 'vcenters[0]: hostname is required'),
    ({'hostname': 'vc1', 'username': 'u', 'password': 'p', 'validate_certs': 'maybe'}, 'validate_certs must be true or false'),
    ({'hostname': 'vc1', 'username': 'u', 'password': 'p', 'port': 'https'}, 'vCenter vc1: port must be a number'),
    ({'hostname': 'vc1', 'username': 'u', 'password': 'p', 'connect_timeout': 'soon'}, 'connect_timeout must be a number'),
    ({'hostname': 'vc1', 'username': 'u', 'password': 'p', 'datacenter': 'dc1'}, 'vcenters[0]: unknown key datacenter'),
    (['vc1'], 'vcenters[0] must be a mapping'),
])
def test_vcenter_entry_errors_say_what_is_wrong(entry, message):
    with pytest.raises(ConfigError) as raised:
        VCenterSource.from_entry(entry, 0, {})
    assert message in str(raised.value)
    assert 'p' not in re.findall(r"'(\w+)'", str(raised.value))   # the password is never shown


# ---------------------------------------------------------------------------
# The listing script and its frames
# ---------------------------------------------------------------------------

def test_marks_are_random_and_cannot_be_guessed():
    marks = set(new_mark() for dummy in range(50))
    assert len(marks) == 50
    assert all(re.match(r'^@@datacenter\.ve\.fleet\.[0-9a-f]{16}$', mark) for mark in marks)


SHELLS = [shell for shell in (['dash', '-n'], ['bash', '--posix', '-n'], ['busybox', 'sh', '-n']) if shutil.which(shell[0])]


@pytest.mark.parametrize('technology', ['openvz', 'virtuozzo', 'zones', 'auto'])
@pytest.mark.parametrize('shell', SHELLS, ids=[shell[0] for shell in SHELLS])
def test_listing_script_is_valid_posix_sh(technology, shell):
    script = listing_script(technology, new_mark())
    proc = subprocess.run(shell, input=script.encode('utf-8'), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize('technology, commands', [
    ('openvz', ['vzlist -a -j']),
    ('virtuozzo', ['prlctl list -a -i -j -f']),
    ('zones', ['zoneadm list -cp', 'zonecfg -z "$z" export']),
    ('auto', ['has prlctl', 'vzlist -a -j', 'prlctl list -a -i -j -f', 'zoneadm list -cp']),
])
def test_listing_script_runs_the_listing_commands(technology, commands):
    script = listing_script(technology, '@@m')
    assert all(command in script for command in commands)
    assert script.splitlines()[0].startswith('PATH="$PATH:/usr/sbin')   # the tools' directory on real nodes


def test_parse_sections_ignores_lines_outside_frames():
    mark = new_mark()
    text = ('Welcome!\n%s technology zones\n' % mark + frame(mark, 'zoneadm', '0:global:running:/::ipkg:shared')
            + 'motd in between\n' + frame(mark, 'zonecfg', 'create -b', rc=1, argument='web') + 'bye\n')
    technology, sections = parse_sections(text, mark)
    assert technology == 'zones'
    assert sections == [('zoneadm', '', 0, '0:global:running:/::ipkg:shared'), ('zonecfg', 'web', 1, 'create -b')]


def test_parse_sections_body_without_final_newline_is_kept_whole():
    mark = new_mark()
    text = '%s technology openvz\n%s begin vzlist\n[]\n%s end 0\n' % (mark, mark, mark)
    assert parse_sections(text, mark) == ('openvz', [('vzlist', '', 0, '[]')])


def test_a_marker_with_another_token_is_just_text():
    mark, forged = new_mark(), new_mark()
    body = 'line 1\n%s end 0\n%s begin vzlist\n%s technology zones\nline 2' % (forged, forged, forged)
    text = '%s technology openvz\n' % mark + frame(mark, 'vzlist', body)
    assert parse_sections(text, mark) == ('openvz', [('vzlist', '', 0, body)])
    # nor is the real token without the space that ends it
    assert parse_sections(frame(mark, 'vzlist', '%sx end 0' % mark), mark)[1][0][3] == '%sx end 0' % mark


@pytest.mark.parametrize('text, message', [
    ('{m} technology openvz\n{m} begin vzlist\n[{{"ctid": 1', 'the output of vzlist was cut off'),
    ('{m} begin zoneadm\nx\n{m} begin zonecfg web\n', 'the output of zoneadm was cut off'),
    ('{m} begin vzlist\n[]\n{m} end zero\n', 'malformed end of the output of vzlist'),
    ('{m} technology openvz\n{m} something else\n', 'malformed listing frame'),
])
def test_parse_sections_refuses_broken_frames(text, message):
    mark = new_mark()
    with pytest.raises(ValueError, match=message):
        parse_sections(text.format(m=mark), mark)


def test_records_from_listing_of_each_technology():
    mark = new_mark()
    openvz = '%s technology openvz\n' % mark + frame(mark, 'vzlist', canned('vzlist-4.11-aj.json'))
    technology, records = records_from_listing(openvz, mark, 'hn1')
    assert technology == 'openvz' and [(ve.id, ve.name, ve.node) for ve in records] == [('101', 'dns1', 'hn1'), ('102', None, 'hn1')]
    infos = json.loads(canned('prlctl-list-i-j-f-ct.json')) + [dict(json.loads(canned('prlctl-list-i-j-f-vm.json'))[0], Template='yes')]
    virtuozzo = '%s technology virtuozzo\n' % mark + frame(mark, 'prlctl', json.dumps(infos))
    assert [ve.name for ve in records_from_listing(virtuozzo, mark, 'hn2')[1]] == ['web1']


def test_zone_whose_export_fails_keeps_what_its_list_line_shows():
    mark = new_mark()
    text = ('%s technology zones\n' % mark + frame(mark, 'zoneadm', canned('zoneadm-list-cp-s11.txt').strip())
            + frame(mark, 'zonecfg', canned('zonecfg-export-s11.txt'), argument='web')
            + frame(mark, 'zonecfg', 'odd: No such zone configured', rc=1, argument='odd'))
    technology, records = records_from_listing(text, mark, 'hn3')
    assert technology == 'zones'
    web, odd = records
    assert (web.name, web.memory, web.cpu_units, web.ipv4) == ('web', 1 << 30, 20, ['192.0.2.80/24'])
    assert (odd.name, odd.status, odd.os, odd.memory, odd.ipv4) == ('odd', 'configured', 'solaris', None, [])
    assert 'config' not in odd.raw and odd.raw['list']['zonepath'] == '/zones/a:b'


@pytest.mark.parametrize('text, stderr, message', [
    ('', 'sh: 1: Syntax error', "it printed no listing (stdout: ''; stderr: 'sh: 1: Syntax error')"),
    ('{m} technology none\n', '', 'none of prlctl, zoneadm or vzlist is on its PATH'),
    ('{m} technology lxc\n', '', "unknown technology 'lxc'"),
    ('{m} technology openvz\n', 'killed', "its listing printed nothing (stderr: 'killed')"),
    ('{m} technology openvz\n{m} begin vzlist\n\n{m} end 127\n', 'sh: vzlist: not found',
     'vzlist -a -j exited 127: sh: vzlist: not found'),
    ('{m} technology zones\n{m} begin zoneadm\nzoneadm: permission denied\n{m} end 1\n', '',
     'zoneadm list -cp; zonecfg -z ZONE export (each zone) exited 1: zoneadm: permission denied'),
])
def test_records_from_listing_errors(text, stderr, message):
    mark = new_mark()
    with pytest.raises(ValueError) as raised:
        records_from_listing(text.format(m=mark), mark, 'hn1', stderr)
    assert message in str(raised.value)


# ---------------------------------------------------------------------------
# One node over the fake ssh
# ---------------------------------------------------------------------------

def test_list_node_sends_one_ssh_command_carrying_the_whole_script(fleet):
    fleet.openvz('hn1')
    source = NodeSource.from_entry({'host': 'hn1', 'name': 'node1', 'user': 'admin', 'port': 2222,
                                    'private_key_file': '/k/id', 'ssh_args': '-o ProxyJump=b'}, 0)
    result = list_node(source, ssh_executable=fleet.ssh, timeout=30, persist=0, mark='@@m.0')
    [argv] = fleet.calls()
    assert argv[:4] == ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'] and 'ControlMaster=auto' not in argv
    assert argv[argv.index('-l'):-1] == ['-l', 'admin', '-p', '2222', '-i', '/k/id', '-o', 'ProxyJump=b', '--', 'hn1']
    assert shlex.split(argv[-1]) == ['sh', '-c', listing_script('auto', '@@m.0')]
    assert (result['kind'], result['name'], result['technology']) == ('node', 'node1', 'openvz')
    assert [ve['name'] for ve in result['ves']] == ['dns1', None]
    assert all(ve['node'] == 'node1' for ve in result['ves'])
    assert json.loads(json.dumps(result)) == result   # plain data: the inventory cache keeps it


def test_list_node_shares_the_connection_unless_persist_is_0(fleet):
    fleet.openvz('hn1')
    list_node(NodeSource('hn1'), ssh_executable=fleet.ssh, timeout=5, persist=90)
    [argv] = fleet.calls()
    assert 'ControlMaster=auto' in argv and 'ControlPersist=90s' in argv and 'ConnectTimeout=5' in argv


def test_list_node_down_names_the_node(fleet):
    fleet.openvz('hn1').down()
    with pytest.raises(SourceError, match='cannot reach node admin@hn1: ssh: connect to host hn1 port 22: Connection refused'):
        list_node(NodeSource('hn1', user='admin'), ssh_executable=fleet.ssh, persist=0)


def test_list_node_cut_off_names_the_node_and_the_exit_status(fleet):
    fleet.openvz('hn1').cut_after(300)
    with pytest.raises(SourceError) as raised:
        list_node(NodeSource('hn1', technology='openvz'), ssh_executable=fleet.ssh, persist=0)
    assert str(raised.value) == ('node hn1 (openvz): cannot list its VEs: exit status 255, '
                                 'the output of vzlist was cut off')


def test_list_node_bytes_that_are_not_utf8_do_not_break_the_listing(fleet):
    node = fleet.openvz('hn1', out='')
    (node.data / 'vzlist.out').write_bytes(b'[{"ctid": 101, "name": "caf\xe9", "status": "running"}]\n')
    result = list_node(NodeSource('hn1'), ssh_executable=fleet.ssh, persist=0)
    assert result['ves'][0]['name'] == 'caf\ufffd'


def local_tools(fleet, monkeypatch, **kwargs):
    """A fake node whose tools are on the controller's own PATH (host localhost: no ssh)."""
    node = fleet.openvz('localhost', **kwargs)
    monkeypatch.setenv('PATH', '%s:%s' % (node.bin, os.environ['PATH']))
    return node


def test_localhost_is_listed_without_ssh(fleet, monkeypatch):
    node = local_tools(fleet, monkeypatch)
    result = list_node(NodeSource('localhost'), ssh_executable=fleet.ssh, persist=0)
    assert [ve['name'] for ve in result['ves']] == ['dns1', None]
    assert result['connection']['host'] == 'localhost'
    assert fleet.calls() == [] and node.tool_calls() == ['vzlist -a -j']


def test_localhost_timeout_does_not_wait_for_the_tool(fleet, monkeypatch):
    sleep = 1.6
    local_tools(fleet, monkeypatch, sleep=sleep)
    started = time.monotonic()
    with pytest.raises(SourceError, match='timeout'):
        list_node(NodeSource('localhost'), timeout=1, persist=0)
    assert time.monotonic() - started < sleep - 0.2


# ---------------------------------------------------------------------------
# Every source
# ---------------------------------------------------------------------------

def test_list_sources_keeps_the_order_and_reports_each_failure(fleet):
    fleet.openvz('hn1')
    fleet.virtuozzo('hn2').down()
    fleet.zones('hn3')
    fleet.node('hn4').tool('vzlist', out='nonsense')
    sources = [NodeSource(host) for host in ('hn1', 'hn2', 'hn3', 'hn4')]
    results, errors = list_sources(sources, max_workers=2, ssh_executable=fleet.ssh, persist=0)
    assert [(result['name'], result['technology']) for result in results] == [('hn1', 'openvz'), ('hn3', 'zones')]
    assert [source.host for source, dummy in errors] == ['hn2', 'hn4']
    assert 'hn2' in errors[0][1] and 'node hn4 (auto): cannot list its VEs' in errors[1][1]


def test_list_sources_of_nothing():
    assert list_sources([]) == ([], [])


def test_an_unexpected_exception_becomes_an_error_naming_its_source(fleet, monkeypatch):
    fleet.openvz('hn1')
    real = _fleet.list_node

    def flaky(source, *args, **kwargs):
        if source.host == 'hn2':
            raise KeyError('Hardware')
        return real(source, *args, **kwargs)
    monkeypatch.setattr(_fleet, 'list_node', flaky)
    results, errors = list_sources([NodeSource('hn1'), NodeSource('hn2')], ssh_executable=fleet.ssh, persist=0)
    assert [result['name'] for result in results] == ['hn1']
    assert errors[0][1] == "node hn2: KeyError: 'Hardware'"


# Each node's vzlist waits until every node has started its listing: only a parallel listing finishes at once.
BARRIER = r"""#!/bin/sh
touch "%(dir)s/$(basename "$(dirname "$(dirname "$0")")")"
i=0
while [ "$(ls "%(dir)s" | wc -l)" -lt %(count)d ]; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "alone" >&2; exit 1; }
    sleep 0.02
done
echo '[]'
"""


def test_nodes_are_listed_in_parallel(fleet, tmp_path):
    barrier = tmp_path / 'barrier'
    barrier.mkdir()
    hosts = ['hn%d' % i for i in range(4)]
    for host in hosts:
        node = fleet.openvz(host)
        (node.bin / 'vzlist').write_text(BARRIER % {'dir': barrier, 'count': len(hosts)}, encoding='utf-8')
    results, errors = list_sources([NodeSource(host) for host in hosts], max_workers=4, ssh_executable=fleet.ssh, persist=0)
    assert errors == [] and [result['name'] for result in results] == hosts


def test_vcenter_that_cannot_be_reached_names_it_and_never_the_password():
    source = VCenterSource.from_entry({'hostname': '127.0.0.1', 'port': 1, 'username': 'u', 'password': 'hunter2-secret',
                                       'connect_timeout': 2}, 0, {})
    with pytest.raises(SourceError) as raised:
        list_vcenter(source)
    assert 'vCenter 127.0.0.1:1' in str(raised.value) and 'hunter2' not in str(raised.value)


def test_vcenter_without_pyvmomi_says_so(monkeypatch):
    monkeypatch.setattr(_vmware, 'HAS_PYVMOMI', False)
    source = VCenterSource.from_entry({'hostname': 'vc1', 'username': 'u', 'password': 'p'}, 0, {})
    with pytest.raises(SourceError, match='vCenter vc1: the pyVmomi Python library is required'):
        list_vcenter(source)


def test_source_result_of_a_node_carries_how_it_is_reached():
    source = NodeSource('hn1', name='n1', user='root')
    records = [record_from_vzlist(vzlist_ct(7, 'x'), node='n1')]
    result = source_result(source, 'openvz', records)
    assert result['connection'] == {'host': 'hn1', 'user': 'root', 'port': None, 'private_key_file': None, 'ssh_args': ''}
    assert result['ves'][0]['id'] == '7' and result['ves'][0]['kind'] == 'container'
    # The tools' own data (most of a cached listing's size) is kept only when asked for.
    assert 'raw' not in result['ves'][0]
    assert source_result(source, 'openvz', records, raw=True)['ves'][0]['raw']['name'] == 'x'
    assert json.loads(vzlist_json(vzlist_ct(7, 'x')))[0]['ctid'] == 7
