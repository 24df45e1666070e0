# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The whole lab as a user brings it up: ``labctl up``, real SSH to its nodes, ``labctl down``.

One lab (three nodes: OpenVZ, Virtuozzo, zones, and the lab vCenter) is brought
up in a temporary state directory for this module. On each node, over real
OpenSSH with the ``ssh_config`` the lab wrote, a VE is created from the Debian
12 template, started, gets a package installed with apt (through the lab's
package proxy), runs that package's daemon from its init script, is reached
from the host at its lab addresses, then stopped and destroyed. The last test
takes the lab down and checks that no namespace, veth, bridge, route, mount,
process or cgroup of it is left. Needs root (the ``fleet`` fixture skips
otherwise); builds the Debian template once (about a minute; cached in
/var/cache/datacenter-ve-lab) and reaches Debian's mirror through the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_fleet import LAB, NODE

BIN = os.path.dirname(sys.executable)

pytestmark = pytest.mark.xdist_group('lab')

# technology -> (VE, hostname, addresses)
VES = {
    'openvz': ('301', 'web1.lab.example', ['198.18.0.31', 'fd00:5e1a:b::31']),
    'virtuozzo': ('web2', 'web2.lab.example', ['198.18.0.32', 'fd00:5e1a:b::32']),
    'zones': ('web3', 'web3', ['198.18.0.33']),
}
INSTALL = ('apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends lighttpd'
           ' && echo served-by-$(hostname) > /var/www/html/index.html && service lighttpd start')


def fetch(address, timeout=10.0):
    """Body of http://ADDRESS/ (the VE's lighttpd), retried while the daemon comes up."""
    url = 'http://[%s]/' % address if ':' in address else 'http://%s/' % address
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy from the environment
    deadline = time.monotonic() + timeout
    while True:
        try:
            return opener.open(url, timeout=3).read().decode('utf-8').strip()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_up_writes_what_users_need(fleet):
    state = fleet.state
    for name in ('ssh_config', 'nodes.yml', 'vcenter.yml', 'lab.json'):
        assert os.path.isfile(os.path.join(state, name)), name
    # real OpenSSH to every node, each with its own state and only its own technology's simulators on PATH
    tools = {'openvz': ('vzctl', 'vzlist'), 'virtuozzo': ('prlctl',), 'zones': ('zoneadm', 'zonecfg', 'zlogin')}
    everything = sorted(name for names in tools.values() for name in names)
    for technology, node in NODE.items():
        proc = fleet.ssh(node, 'echo $VE_LAB_ROOT; for t in %s; do command -v $t; done; true' % ' '.join(everything))
        root, found = proc.stdout.split()[0], proc.stdout.split()[1:]
        assert root == os.path.join(state, 'nodes', node)
        assert sorted(os.path.basename(tool) for tool in found) == sorted(tools[technology]), found
        for tool in found:
            assert os.path.realpath(tool) == os.path.realpath(os.path.join(LAB, 'bin', os.path.basename(tool)))
    assert json.loads(fleet.ssh('node1', 'vzlist -a -j').stdout) == []
    # the inventory of the nodes, as Ansible reads it
    proc = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', os.path.join(state, 'nodes.yml'), '--list'],
                          stdout=subprocess.PIPE, universal_newlines=True, check=True)
    inventory = json.loads(proc.stdout)
    hostvars = inventory['_meta']['hostvars']
    assert {h: v['technology'] for h, v in hostvars.items()} == {'node1': 'openvz', 'node2': 'virtuozzo', 'node3': 'zones'}
    assert inventory['openvz_nodes']['hosts'] == ['node1']
    # Ansible reaches a node with those variables
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING='True', ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'ansible'), '-i', os.path.join(state, 'nodes.yml'), 'node2', '-m',
                           'ansible.builtin.command', '-a', 'prlctl list -a'], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False, env=env, timeout=120)
    assert proc.returncode == 0 and 'node2 | CHANGED | rc=0' in proc.stdout, proc.stdout
    # the lab vCenter answers over TLS with the CA it wrote
    with open(os.path.join(state, 'vcenter.yml')) as handle:
        vcenter = dict(line.split(': ', 1) for line in handle.read().splitlines()
                       if ': ' in line and not line.startswith('#'))
    context = ssl.create_default_context(cafile=vcenter['ca_path'])
    with socket.create_connection((vcenter['hostname'], int(vcenter['port'])), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname=vcenter['hostname']) as tls:
            assert tls.version()
    assert json.loads(vcenter['password']) not in fleet.up_output


def test_up_again_keeps_what_runs(fleet):
    def sshd_pids():
        return sorted(open(os.path.join(fleet.state, 'ssh', n, 'sshd.pid')).read() for n in NODE.values())
    pids = sshd_pids()
    proc = fleet.labctl('up')
    assert proc.returncode == 0, proc.stdout
    assert 'package proxy: running' in proc.stdout and 'vcenter: running' in proc.stdout
    assert sshd_pids() == pids
    proc = fleet.labctl('up', '--nodes', '4')
    assert proc.returncode == 1 and 'labctl down first' in proc.stdout


@pytest.mark.parametrize('technology', ['openvz', 'virtuozzo', 'zones'])
def test_ve_over_ssh_runs_a_service_reached_from_the_host(fleet, technology):
    node = NODE[technology]
    ve, hostname, addresses = VES[technology]
    dummy, start, inside, stop, destroy = fleet.ve_commands(technology, ve, hostname, addresses)
    fleet.make_ve(technology, ve, hostname, addresses)
    try:
        assert fleet.ssh(node, inside % 'hostname').stdout.strip() == hostname
        assert fleet.ssh(node, inside % 'exit 7', check=False).returncode == 7
        fleet.ssh(node, inside % INSTALL)
        for address in addresses:
            assert fetch(address) == 'served-by-%s' % hostname
        # inside sees only its own processes: its init, lighttpd and the ps itself
        processes = fleet.ssh(node, inside % 'ps -e -o comm=').stdout.split()
        assert 'lighttpd' in processes and 'sshd' not in processes and 'vcsim-lab' not in processes
        status = json.loads(fleet.labctl('status', '--json').stdout)
        listed = [v for n in status['nodes'] if n['name'] == node for v in n['ves']]
        assert [(v['status'], v['addresses']) for v in listed] == [('running', addresses)]
    finally:
        fleet.ssh(node, stop)
    with pytest.raises(OSError):
        fetch(addresses[0], timeout=0)
    fleet.ssh(node, destroy)
    assert fleet.ssh(node, {'openvz': 'vzlist -a -H', 'virtuozzo': 'prlctl list -a -H',
                            'zones': 'zoneadm list -c | grep -v global || true'}[technology]).stdout.strip() == ''


def test_status_table(fleet):
    text = fleet.labctl('status').stdout
    assert 'lab: up' in text
    for node, technology in (('node1', 'openvz'), ('node2', 'virtuozzo'), ('node3', 'zones')):
        assert any(line.split()[:2] == [node, technology] for line in text.splitlines()), text


def test_down_leaves_nothing(fleet):
    # a VE left running on purpose, with limits (so it has cgroups): down must stop and remove it all
    fleet.make_ve('virtuozzo', 'left', 'left.lab.example', ['198.18.0.39'], start=False)
    fleet.ssh('node2', 'prlctl set left --memsize 128M --cpus 1 && prlctl start left')
    proc = fleet.down()
    assert proc.returncode == 0, proc.stdout
    assert 'containers stopped: 1' in proc.stdout
    assert not os.path.exists(fleet.state)
    assert fleet.leftovers() == []
    # and down again is harmless
    assert fleet.down().returncode == 0
