# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet inventory plugin against the whole lab: three nodes over real SSH and the lab vCenter.

The lab (``fleet`` fixture: ``labctl up``) gets VEs on each node: running and
stopped, named and nameless, dual-stack and IPv6-only, and the same name on
two nodes. ``ansible-inventory --list``/``--graph``/``--export`` run as users
run them, on fleet files that name the nodes (``technology: auto``, detected
from each node's tools) or take them from the lab's nodes.yml
(``node_groups``); a playbook then runs tasks inside a CT and a zone through
the connection variables the inventory set; caching, a node that is down
(``on_error`` warn and fail) and ``connection: ssh`` are checked on the same
lab. The VMware VMs are compared with a direct pyVmomi listing of the lab
vCenter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import ssl
import subprocess
import sys

import pytest
import yaml

from ansible_collections.datacenter.ve.tests.integration.lab_fleet import COLLECTION_ROOT, NODE

pytestmark = pytest.mark.xdist_group('lab')

BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
# technology -> [(VE, hostname, addresses, running, name set afterwards)]
VES = {
    'openvz': [('601', 'inv1.lab.example', ['198.18.0.61', 'fd00:5e1a:b::61'], True, 'web'),
               ('602', 'inv1s.lab.example', ['198.18.0.62'], False, None),
               ('603', 'inv6.lab.example', ['fd00:5e1a:b::63'], False, None)],
    'virtuozzo': [('web', 'inv2.lab.example', ['198.18.0.64'], True, None),
                  ('inv2s', 'inv2s.lab.example', ['198.18.0.65'], False, None)],
    'zones': [('inv3', 'inv3', ['198.18.0.66'], True, None)],
}


@pytest.fixture(scope='module')
def lab(fleet):
    for technology, entries in sorted(VES.items()):
        for ve, hostname, addresses, running, name in entries:
            fleet.make_ve(technology, ve, hostname, addresses, start=running)
            if name:
                fleet.ssh(NODE[technology], 'vzctl set %s --name %s --save' % (ve, name))
    with open(os.path.join(fleet.state, 'vcenter.yml')) as handle:
        fleet.vcenter = yaml.safe_load(handle)
    return fleet


def fleet_file(lab, tmp_path, name='lab.fleet.yml', nodes=None, vcenter=True, **options):
    config = {'plugin': 'datacenter.ve.fleet'}
    if nodes is None:
        nodes = [{'host': node, 'technology': 'auto', 'ssh_args': '-F %s' % lab.ssh_config}
                 for node in sorted(NODE.values())]
    if nodes:
        config['nodes'] = nodes
    if vcenter:
        config['vcenters'] = [dict((k, lab.vcenter[k]) for k in ('hostname', 'port', 'username', 'password',
                                                                 'validate_certs', 'ca_path'))]
    config.update(options)
    path = str(tmp_path / name)
    with open(path, 'w') as handle:
        yaml.safe_dump(config, handle)
    os.chmod(path, 0o600)
    return path


def run(argv, **env):
    environ = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
                   ANSIBLE_RETRY_FILES_ENABLED='False')
    environ.update(env)
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          env=environ, check=False, timeout=600)


def inventory(*sources, **kwargs):
    """``ansible-inventory -i SOURCE... --list`` -> (data, stderr)."""
    argv = [os.path.join(BIN, 'ansible-inventory')]
    for source in sources:
        argv += ['-i', source]
    argv += list(kwargs.pop('extra', ['--list']))
    proc = run(argv, **kwargs)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return (json.loads(proc.stdout) if proc.stdout.lstrip().startswith('{') else proc.stdout), proc.stderr


def plain(value):
    """Values as ansible-inventory prints unsafe ones ({"__ansible_unsafe": ...}) -> plain data."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def members(data, group):
    return set(data.get(group, {}).get('hosts', []))


def vcenter_vm_names(vcenter):
    """The lab vCenter's VM names, read directly with pyVmomi (not through our code)."""
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim
    context = ssl.create_default_context(cafile=vcenter['ca_path'])
    si = SmartConnect(host=vcenter['hostname'], port=vcenter['port'], user=vcenter['username'],
                      pwd=vcenter['password'], sslContext=context)
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        names = set(vm.name for vm in view.view if not vm.config.template)
        view.DestroyView()
        return names
    finally:
        Disconnect(si)


def test_list_every_ve_of_every_node_and_the_vcenter(lab, tmp_path):
    data, stderr = inventory(fleet_file(lab, tmp_path))
    assert 'WARNING' not in stderr, stderr
    hostvars = plain(data['_meta']['hostvars'])
    # The same name on two nodes is made unique by node; unique names stay bare; nameless CTs by CTID.
    assert {'web@node1', 'web@node2', '602', '603', 'inv2s', 'inv3'} <= set(hostvars)
    assert 'web' not in hostvars
    assert members(data, 've_openvz') == {'web@node1', '602', '603'}
    assert members(data, 've_virtuozzo') == {'web@node2', 'inv2s'}
    assert members(data, 've_zones') == {'inv3'}
    assert members(data, 've_node_node3') == {'inv3'}
    assert {'web@node1', 'web@node2', 'inv3'} <= members(data, 've_running')
    assert {'602', '603', 'inv2s'} <= members(data, 've_stopped')
    ct = hostvars['web@node1']
    assert (ct['ve_technology'], ct['ve_node'], ct['ve_id'], ct['ve_name'], ct['ve_status']) == \
        ('openvz', 'node1', '601', 'web', 'running')
    assert ct['ve_hostname'] == 'inv1.lab.example' and ct['ve_kind'] == 'container'
    assert ct['ve_ipv4'] == ['198.18.0.61'] and ct['ve_ipv6'] == ['fd00:5e1a:b::61']
    assert ct['ve_os'] == 'debian-12-x86_64' and ct['ve_memory'] and ct['ve_disk']
    assert hostvars['603']['ve_ipv4'] == [] and hostvars['603']['ve_ipv6'] == ['fd00:5e1a:b::63']
    assert hostvars['web@node2']['ve_ipv4'] == ['198.18.0.64'] and hostvars['web@node2']['ve_kind'] == 'container'
    # zonecfg keeps the prefix length it was given
    assert hostvars['inv3']['ve_ipv4'] == ['198.18.0.66/24'] and hostvars['inv3']['ve_kind'] == 'zone'
    # Connection variables: the matching plugin, pointed at the VE's node and ID.
    assert (ct['ansible_connection'], ct['ansible_vzctl_ctid'], ct['ansible_vzctl_node']) == \
        ('datacenter.ve.vzctl', '601', 'node1')
    assert ct['ansible_vzctl_node_ssh_args'] == '-F %s' % lab.ssh_config
    assert (hostvars['web@node2']['ansible_connection'], hostvars['web@node2']['ansible_prlctl_name']) == \
        ('datacenter.ve.prlctl', 'web')
    assert (hostvars['inv3']['ansible_connection'], hostvars['inv3']['ansible_zlogin_zone']) == \
        ('datacenter.ve.zlogin', 'inv3')
    # Every VM of the vCenter, and only those, in the vmware group.
    vms = members(data, 've_vmware')
    assert vms == vcenter_vm_names(lab.vcenter) and vms
    vm = hostvars[sorted(vms)[0]]
    assert vm['ve_vcenter'] == lab.vcenter['hostname'] and vm['ve_kind'] == 'vm'
    assert vm['ve_status'] in ('running', 'stopped', 'suspended')


def test_graph_and_export(lab, tmp_path):
    path = fleet_file(lab, tmp_path)
    graph, dummy = inventory(path, extra=['--graph'])
    for line in ('@ve_openvz:', '@ve_virtuozzo:', '@ve_zones:', '@ve_vmware:', '@ve_node_node1:', '@ve_running:',
                 '|--web@node1', '|--inv3'):
        assert line in graph, graph
    # AWX imports with --export: node-wide connection variables stay on the node's group, the VE's ID on the host.
    data, dummy = inventory(path, extra=['--list', '--export'])
    node_group = plain(data['ve_node_node1']['vars'])
    assert node_group['ansible_connection'] == 'datacenter.ve.vzctl' and node_group['ansible_vzctl_node'] == 'node1'
    host = plain(data['_meta']['hostvars']['web@node1'])
    assert host['ansible_vzctl_ctid'] == '601' and 'ansible_connection' not in host


def test_nodes_from_an_inventory_group(lab, tmp_path):
    nodes_yml = os.path.join(lab.state, 'nodes.yml')
    path = fleet_file(lab, tmp_path, name='groups.fleet.yml', nodes=[], vcenter=False,
                      node_groups=['openvz_nodes', 'virtuozzo_nodes', 'zones_nodes'])
    data, stderr = inventory(nodes_yml, path)
    assert 'WARNING' not in stderr, stderr
    hostvars = plain(data['_meta']['hostvars'])
    assert {'web@node1', 'web@node2', '602', 'inv3'} <= set(hostvars)
    # nodes.yml reaches node1 as 127.0.1.1 with -F ssh_config; the connection variables say the same.
    assert hostvars['web@node1']['ansible_vzctl_node'] in ('node1', '127.0.1.1')
    assert '-F %s' % lab.ssh_config in hostvars['web@node1']['ansible_vzctl_node_ssh_args']


PLAYBOOK = """
- name: Inside the running VEs of the fleet, through their nodes
  hosts: ve_running:!ve_vmware
  gather_facts: false
  tasks:
    - name: Read the hostname inside the VE
      ansible.builtin.command: hostname
      register: inside
      changed_when: false
    - name: Write a file inside the VE
      ansible.builtin.copy:
        dest: /root/from-inventory.txt
        content: "{{ inventory_hostname }} {{ ve_node }}\\n"
        mode: "0644"
    - name: Report
      ansible.builtin.debug:
        msg: "INSIDE {{ inventory_hostname }} {{ inside.stdout }}"
"""


def test_playbook_reaches_inside_the_ves_through_the_inventory(lab, tmp_path):
    path = fleet_file(lab, tmp_path, vcenter=False,
                      compose={'ansible_python_interpreter': "'/usr/bin/python3'"})
    playbook = tmp_path / 'inside.yml'
    playbook.write_text(PLAYBOOK)
    proc = run([os.path.join(BIN, 'ansible-playbook'), '-i', path, str(playbook)])
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    for host, hostname in (('web@node1', 'inv1'), ('web@node2', 'inv2'), ('inv3', 'inv3')):
        assert 'INSIDE %s %s' % (host, hostname) in proc.stdout, proc.stdout[-5000:]
    assert lab.ssh('node1', "vzctl exec2 601 'cat /root/from-inventory.txt'").stdout == 'web@node1 node1\n'
    assert lab.ssh('node3', "zlogin inv3 'cat /root/from-inventory.txt'").stdout == 'inv3 node3\n'
    # A second run changes nothing.
    again = run([os.path.join(BIN, 'ansible-playbook'), '-i', path, str(playbook)])
    recap = [line for line in again.stdout.splitlines() if ' : ok=' in line]
    assert again.returncode == 0 and len(recap) == 3, again.stdout[-3000:]
    assert all('changed=0' in line for line in recap), again.stdout[-3000:]


def test_cache_is_used_until_flushed(lab, tmp_path):
    cache_dir = tmp_path / 'cache'
    path = fleet_file(lab, tmp_path, vcenter=False, cache=True, cache_plugin='ansible.builtin.jsonfile',
                      cache_connection=str(cache_dir), cache_timeout=3600)
    first, dummy = inventory(path)
    assert os.listdir(str(cache_dir))
    lab.ssh('node1', 'vzctl create 609 --ostemplate debian-12-x86_64 --hostname late.lab.example')
    try:
        cached, dummy = inventory(path)
        assert cached == first and '609' not in cached['_meta']['hostvars']
        fresh, dummy = inventory(path, extra=['--list', '--flush-cache'])
        assert '609' in fresh['_meta']['hostvars']
        off, dummy = inventory(fleet_file(lab, tmp_path, name='nocache.fleet.yml', vcenter=False))
        assert '609' in off['_meta']['hostvars']
    finally:
        lab.ssh('node1', 'vzctl destroy 609')


def test_a_node_that_is_down(lab, tmp_path):
    nodes = [{'host': node, 'technology': 'auto', 'ssh_args': '-F %s' % lab.ssh_config}
             for node in sorted(NODE.values())]
    nodes.append({'host': '127.0.1.250', 'technology': 'openvz', 'ssh_args': '-o ConnectTimeout=3'})
    path = fleet_file(lab, tmp_path, nodes=nodes, vcenter=False)
    data, stderr = inventory(path)
    assert '127.0.1.250' in stderr and 'left out' in stderr, stderr
    assert {'web@node1', 'web@node2', 'inv3'} <= set(data['_meta']['hostvars'])
    failing = fleet_file(lab, tmp_path, name='fail.fleet.yml', nodes=nodes, vcenter=False, on_error='fail')
    proc = run([os.path.join(BIN, 'ansible-inventory'), '-i', failing, '--list'],
               ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    assert proc.returncode != 0 and '127.0.1.250' in proc.stderr, proc.stderr


def test_connection_ssh_points_at_the_ve_address(lab, tmp_path):
    data, dummy = inventory(fleet_file(lab, tmp_path, vcenter=False, connection='ssh'))
    hostvars = plain(data['_meta']['hostvars'])
    assert hostvars['web@node1']['ansible_host'] == '198.18.0.61'
    assert hostvars['603']['ansible_host'] == 'fd00:5e1a:b::63'
    assert 'ansible_connection' not in hostvars['web@node1']
    data, dummy = inventory(fleet_file(lab, tmp_path, name='v6.fleet.yml', vcenter=False, connection='ssh',
                                       address_family='ipv6'))
    assert plain(data['_meta']['hostvars']['web@node1']['ansible_host']) == 'fd00:5e1a:b::61'
