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
process or cgroup of it is left. Needs root; builds the Debian template once
(about a minute; cached in /var/cache/datacenter-ve-lab) and reaches Debian's
mirror through the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(COLLECTION_ROOT, 'tests', 'lab')
LABCTL = os.path.join(LAB, 'labctl')
DEFAULT_STATE = os.path.join(LAB, '.state')
BIN = os.path.dirname(sys.executable)

pytestmark = [
    pytest.mark.xdist_group('lab'),
    pytest.mark.skipif(os.geteuid() != 0, reason='the lab needs root'),
    pytest.mark.skipif(not all(shutil.which(tool) or os.path.exists('/usr/sbin/' + tool)
                               for tool in ('sshd', 'ssh', 'debootstrap', 'unshare', 'nsenter', 'ip')),
                       reason='lab packages missing (make lab-deps)'),
    pytest.mark.skipif(os.path.exists(os.path.join(DEFAULT_STATE, 'lab.json')),
                       reason='a lab is up in tests/lab/.state; this test would take its network down'),
]

# technology -> (VE, hostname, addresses)
VES = {
    'openvz': ('301', 'web1.lab.example', ['198.18.0.31', 'fd00:5e1a:b::31']),
    'virtuozzo': ('web2', 'web2.lab.example', ['198.18.0.32', 'fd00:5e1a:b::32']),
    'zones': ('web3', 'web3', ['198.18.0.33']),
}
NODE = {'openvz': 'node1', 'virtuozzo': 'node2', 'zones': 'node3'}
INSTALL = ('apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends lighttpd'
           ' && echo served-by-$(hostname) > /var/www/html/index.html && service lighttpd start')


def labctl(*args, **kwargs):
    return subprocess.run([sys.executable, LABCTL] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False, timeout=kwargs.get('timeout', 900))


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    state = str(tmp_path_factory.mktemp('lab') / 'state')
    proc = labctl('up', '--state', state)
    assert proc.returncode == 0, proc.stdout
    yield {'state': state, 'up': proc.stdout, 'ssh_config': os.path.join(state, 'ssh_config')}
    if os.path.exists(os.path.join(state, 'lab.json')):  # the last test normally took it down
        labctl('down', '--state', state)


def ssh(lab, node, command, check=True, timeout=300):
    """``ssh -F STATE/ssh_config NODE COMMAND`` -> CompletedProcess."""
    proc = subprocess.run(['ssh', '-F', lab['ssh_config'], node, command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False, timeout=timeout, stdin=subprocess.DEVNULL)
    if check:
        assert proc.returncode == 0, '%s: %s -> %d\n%s%s' % (node, command, proc.returncode, proc.stdout, proc.stderr)
    return proc


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


def test_up_writes_what_users_need(lab):
    state = lab['state']
    for name in ('ssh_config', 'nodes.yml', 'vcenter.yml', 'lab.json'):
        assert os.path.isfile(os.path.join(state, name)), name
    # real OpenSSH to every node, each with its own state and the simulators on PATH
    for technology, node in NODE.items():
        proc = ssh(lab, node, 'echo $VE_LAB_ROOT; command -v %s' % {'openvz': 'vzctl', 'virtuozzo': 'prlctl',
                                                                        'zones': 'zoneadm'}[technology])
        root, tool = proc.stdout.split()
        assert root == os.path.join(state, 'nodes', node)
        assert tool == os.path.join(LAB, 'bin', os.path.basename(tool))
    assert json.loads(ssh(lab, 'node1', 'vzlist -a -j').stdout) == []
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
    vcenter = dict(line.split(': ', 1) for line in open(os.path.join(state, 'vcenter.yml')).read().splitlines()
                   if ': ' in line and not line.startswith('#'))
    context = ssl.create_default_context(cafile=vcenter['ca_path'])
    with socket.create_connection((vcenter['hostname'], int(vcenter['port'])), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname=vcenter['hostname']) as tls:
            assert tls.version()
    assert json.loads(vcenter['password']) not in lab['up']


def test_up_again_keeps_what_runs(lab):
    pids = sorted(open(os.path.join(lab['state'], 'ssh', n, 'sshd.pid')).read() for n in NODE.values())
    proc = labctl('up', '--state', lab['state'])
    assert proc.returncode == 0, proc.stdout
    assert 'package proxy: running' in proc.stdout and 'vcenter: running' in proc.stdout
    assert sorted(open(os.path.join(lab['state'], 'ssh', n, 'sshd.pid')).read() for n in NODE.values()) == pids
    proc = labctl('up', '--state', lab['state'], '--nodes', '4')
    assert proc.returncode == 1 and 'labctl down first' in proc.stdout


def lifecycle(technology):
    """Shell commands run on the node: (create, start, exec PREFIX, stop, destroy) for that technology."""
    ve, hostname, addresses = VES[technology]
    if technology == 'openvz':
        return (['vzctl create %s --ostemplate debian-12-x86_64 --hostname %s' % (ve, hostname),
                 'vzctl set %s %s --save' % (ve, ' '.join('--ipadd %s' % a for a in addresses))],
                'vzctl start %s' % ve, "vzctl exec2 %s '%%s'" % ve,
                'vzctl stop %s' % ve, 'vzctl destroy %s' % ve)
    if technology == 'virtuozzo':
        return (['prlctl create %s --vmtype ct --ostemplate debian-12-x86_64' % ve,
                 'prlctl set %s --hostname %s %s' % (ve, hostname, ' '.join('--ipadd %s' % a for a in addresses))],
                'prlctl start %s' % ve, "prlctl exec %s sh -c '%%s'" % ve,
                'prlctl stop %s' % ve, 'prlctl delete %s' % ve)
    net = ''.join('add net; set physical=velab0; set address=%s/24; end; ' % a for a in addresses)
    return (["zonecfg -z %s 'create; set zonepath=/zones/%s; %scommit'" % (ve, ve, net),
             'zoneadm -z %s install' % ve],
            'zoneadm -z %s boot' % ve, "zlogin %s '%%s'" % ve,
            'zoneadm -z %s halt' % ve, 'zoneadm -z %s uninstall -F && zonecfg -z %s delete -F' % (ve, ve))


@pytest.mark.parametrize('technology', ['openvz', 'virtuozzo', 'zones'])
def test_ve_over_ssh_runs_a_service_reached_from_the_host(lab, technology):
    node = NODE[technology]
    ve, hostname, addresses = VES[technology]
    create, start, inside, stop, destroy = lifecycle(technology)
    for command in create:
        ssh(lab, node, command)
    ssh(lab, node, start)
    try:
        assert ssh(lab, node, inside % 'hostname').stdout.strip() == hostname
        assert ssh(lab, node, inside % 'exit 7', check=False).returncode == 7
        ssh(lab, node, inside % INSTALL)
        for address in addresses:
            assert fetch(address) == 'served-by-%s' % hostname
        # inside sees only its own processes: its init, lighttpd and the ps itself
        processes = ssh(lab, node, inside % 'ps -e -o comm=').stdout.split()
        assert 'lighttpd' in processes and 'sshd' not in processes and 'vcsim-lab' not in processes
        status = json.loads(labctl('status', '--json', '--state', lab['state']).stdout)
        listed = [v for n in status['nodes'] if n['name'] == node for v in n['ves']]
        assert [v['status'] for v in listed] == ['running']
    finally:
        ssh(lab, node, stop)
    with pytest.raises(OSError):
        fetch(addresses[0], timeout=0)
    ssh(lab, node, destroy)
    assert ssh(lab, node, {'openvz': 'vzlist -a -H', 'virtuozzo': 'prlctl list -a -H',
                           'zones': 'zoneadm list -c | grep -v global || true'}[technology]).stdout.strip() == ''


def test_status_table(lab):
    text = labctl('status', '--state', lab['state']).stdout
    assert 'lab: up' in text
    for node, technology in (('node1', 'openvz'), ('node2', 'virtuozzo'), ('node3', 'zones')):
        assert any(line.split()[:2] == [node, technology] for line in text.splitlines()), text


def leftovers(state):
    """What of the lab is still on the machine: links, routes, processes, mounts, cgroups."""
    found = []
    links = subprocess.run(['ip', '-o', 'link', 'show'], stdout=subprocess.PIPE, universal_newlines=True).stdout
    found += [line.split(':')[1].strip() for line in links.splitlines() if 'velab' in line]
    for family in ('-4', '-6'):
        routes = subprocess.run(['ip', family, 'route', 'show', 'table', 'all'], stdout=subprocess.PIPE,
                                universal_newlines=True).stdout
        found += ['route ' + r for r in routes.splitlines() if '198.18.0.' in r or 'fd00:5e1a:b:' in r]
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            cmdline = open('/proc/%s/cmdline' % pid, 'rb').read().decode('utf-8', 'replace').replace('\0', ' ')
        except OSError:
            continue
        if state in cmdline or 'nsinit.py' in cmdline or 'aptproxy.py' in cmdline:
            found.append('process %s: %s' % (pid, cmdline))
    with open('/proc/mounts') as handle:
        found += ['mount ' + line for line in handle if state in line or 'velab' in line]
    for base, dirs, dummy in os.walk('/sys/fs/cgroup'):
        found += [os.path.join(base, d) for d in dirs if d.startswith('velab')]
        dirs[:] = [d for d in dirs if base == '/sys/fs/cgroup']  # controllers' top level only
    return found


def test_down_leaves_nothing(lab):
    # a VE left running on purpose: down must stop it too
    create, start = lifecycle('openvz')[:2]
    for command in create + [start]:
        ssh(lab, 'node1', command)
    proc = labctl('down', '--state', lab['state'])
    assert proc.returncode == 0, proc.stdout
    assert 'containers stopped: 1' in proc.stdout
    assert not os.path.exists(lab['state'])
    assert leftovers(lab['state']) == []
    # and down again is harmless
    assert labctl('down', '--state', lab['state']).returncode == 0
