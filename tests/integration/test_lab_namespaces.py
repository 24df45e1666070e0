# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's namespace runtime (tests/lab/sim/nsruntime.py) driven through the OpenVZ simulator.

Two CTs on one node made by ``labctl init-node --technology openvz`` run as real
containers (``VE_LAB_RUNTIME=namespaces``): a daemon in one is reached from the
host and from the other at its lab address, neither sees the other's or the
host's processes and files, ``vzctl exec2`` passes exit codes through, and
stop/destroy plus ``teardown_network()`` leave no process, veth, bridge, route
or mount behind. Needs root (namespaces, veths, the lab bridge); skipped
otherwise. The tools run as processes, the way modules run them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import subprocess

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_fleet import (
    NAMESPACE_MARKS, NsNode, lab_module, namespaces, processes_in, running, tcp_fetch,
)

TEMPLATE = 'debian-12-x86_64'
PORT = 7000


def fetch(address):
    """What the test's daemon at ``address`` sends first (see ``tcp_fetch``)."""
    return tcp_fetch(address, PORT)


# ctid, hostname, addresses
CT_A = (201, 'ct-a.lab.example', ['198.18.0.21', 'fd00:5e1a:b::21'])
CT_B = (202, 'ct-b.lab.example', ['198.18.0.22'])

pytestmark = NAMESPACE_MARKS


class Node(NsNode):
    """An OpenVZ lab node whose CTs run in the namespace runtime; runs vzctl as a process."""

    def vzctl(self, *args, **kwargs):
        """``vzctl ARGS`` -> CompletedProcess (text); ``input``: text for its stdin."""
        return self.run('vzctl', *args, **kwargs)

    def ok(self, *args, **kwargs):
        return NsNode.ok(self, 'vzctl', *args, **kwargs)

    def sh(self, ctid, script):
        """stdout of ``script`` run by ``vzctl exec2`` in CT ``ctid`` (which must succeed)."""
        return self.ok('exec2', ctid, script)


def make_node(tmp_path):
    return Node(tmp_path / 'node', 'openvz')


@pytest.fixture
def node(tmp_path):
    """A fresh OpenVZ lab node; whatever CT_A and CT_B left is stopped and destroyed, the network torn down."""
    lab = make_node(tmp_path)
    try:
        yield lab
    finally:
        for ctid in (CT_A[0], CT_B[0]):
            lab.vzctl('stop', ctid)
            lab.vzctl('destroy', ctid)
        lab_module('netlab').teardown_network()


def create_and_start(node):
    for ctid, hostname, addresses in (CT_A, CT_B):
        ipadd = []
        for address in addresses:
            ipadd += ['--ipadd', address]
        node.ok('create', ctid, '--ostemplate', TEMPLATE, '--hostname', hostname, *ipadd)
        node.ok('start', ctid)


def check_hostnames_and_addresses(node):
    host_name = socket.gethostname()
    for ctid, hostname, addresses in (CT_A, CT_B):
        assert node.sh(ctid, 'hostname').strip() == hostname
        shown = node.sh(ctid, 'ip -o addr show dev eth0')
        for address in addresses:
            assert ' %s/' % address in shown
        assert ' 192.0.2.' not in shown
    assert socket.gethostname() == host_name


def check_daemon_reached_from_host_and_other_ct(node):
    node.sh(CT_A[0], 'nc -ll -p %d -e echo hello </dev/null >/dev/null 2>&1 &' % PORT)
    for address in CT_A[2]:  # IPv4 and IPv6
        assert fetch(address) == b'hello\n', address
    assert node.sh(CT_B[0], 'nc -w 2 %s %d </dev/null' % (CT_A[2][0], PORT)) == 'hello\n'


def check_isolation(node):
    node.sh(CT_B[0], 'sleep 4242 </dev/null >/dev/null 2>&1 & echo secret > /root/only-in-b')
    ps_b = node.sh(CT_B[0], 'ps')
    assert 'sleep 4242' in ps_b  # the marker is there to be seen
    ps_a = node.sh(CT_A[0], 'ps')
    assert 'sleep 4242' not in ps_a
    for listing in (ps_a, ps_b):
        assert '-m pytest' not in listing and 'process_api' not in listing and node.root not in listing
        assert 'nsinit.py' in listing.splitlines()[1]  # PID 1 is the container's own init
    for ctid, dummy, dummy in (CT_A, CT_B):
        # PIDs inside are the container's: the host's pytest PID does not exist there
        assert node.vzctl('exec2', ctid, 'test -e /proc/%d' % os.getpid()).returncode == 1
        assert node.vzctl('exec2', ctid, 'test -e %s' % node.root).returncode == 1
    assert node.vzctl('exec2', CT_A[0], 'test -e /root/only-in-b').returncode == 1
    assert node.sh(CT_B[0], 'cat /root/only-in-b') == 'secret\n'
    # Each container has its own namespaces, none of them the host's.
    own = namespaces(os.getpid())
    ns_a = namespaces(node.runtime_state(CT_A[0])['pid'])
    ns_b = namespaces(node.runtime_state(CT_B[0])['pid'])
    for kind in own:
        assert len({own[kind], ns_a[kind], ns_b[kind]}) == 3, kind


def check_exec_status_and_stdin(node):
    assert node.vzctl('exec2', CT_A[0], 'exit 7').returncode == 7
    assert node.vzctl('exec', CT_A[0], 'exit 7').returncode == 8  # vzctl exec: VZ_COMMAND_EXECUTION_ERROR
    assert node.vzctl('exec', CT_A[0], 'true').returncode == 0
    proc = node.vzctl('exec2', CT_A[0], 'tr a-z A-Z', input='piped in\n')
    assert (proc.returncode, proc.stdout) == (0, 'PIPED IN\n')


def check_stop_and_destroy_leave_nothing(node):
    started = {}
    for ctid, dummy, dummy in (CT_A, CT_B):
        state = node.runtime_state(ctid)
        started[ctid] = (state, namespaces(state['pid'])['pid'])
        assert processes_in(started[ctid][1])
    for ctid in started:
        node.ok('stop', ctid)
        node.ok('destroy', ctid)
    for ctid, (state, pid_ns) in started.items():
        assert processes_in(pid_ns) == [], ctid
        for pid in (state['pid'], state['unshare_pid']):
            assert not running(pid)
        assert not os.path.exists(os.path.join(node.root, '.lab', 'run', 'ns', '%s.json' % ctid))
    with open('/proc/mounts', encoding='utf-8', errors='replace') as handle:
        assert [line for line in handle if node.root in line] == []
    net = lab_module('netlab')
    assert [name for name in net.lab_links() if name != net.BRIDGE] == []
    net.teardown_network()
    assert net.lab_links() == []
    assert net.unreachable_routes() == []
    routes = subprocess.run(['ip', 'route', 'show', 'table', 'all'], stdout=subprocess.PIPE,
                            universal_newlines=True, check=True).stdout
    assert '198.18.0.' not in routes
    assert 'fd00:5e1a:b:' not in subprocess.run(['ip', '-6', 'route', 'show', 'table', 'all'], stdout=subprocess.PIPE,
                                                universal_newlines=True, check=True).stdout


def test_two_cts_run_as_isolated_containers_and_leave_nothing(node):
    # One test, not one per check: the lab network is one per machine, and test workers running these
    # checks side by side would share (and tear down) each other's bridge.
    create_and_start(node)
    check_hostnames_and_addresses(node)
    check_daemon_reached_from_host_and_other_ct(node)
    check_isolation(node)
    check_exec_status_and_stdin(node)
    check_stop_and_destroy_leave_nothing(node)


def test_address_outside_the_lab_ranges_is_refused(tmp_path):
    node = make_node(tmp_path)
    node.ok('create', 203, '--ostemplate', TEMPLATE, '--ipadd', '192.0.2.50', '--ipadd', '198.18.0.23')
    proc = node.vzctl('start', 203)
    assert proc.returncode == 7, proc.stderr  # VZ_ENVCREATE_ERROR
    assert 'address 192.0.2.50 is outside the lab range 198.18.0.0/24' in proc.stderr
    # Refused before anything is made: no veth, no runtime state, the address nowhere on the host.
    assert not os.path.exists('/sys/class/net/%s' % lab_module('netlab').veth_name(203, node.root))
    assert not os.path.exists(os.path.join(node.root, '.lab', 'run', 'ns', '203.json'))
    assert '192.0.2.50' not in subprocess.run(['ip', '-o', 'addr'], stdout=subprocess.PIPE,
                                              universal_newlines=True, check=True).stdout
    assert 'running' not in node.ok('status', 203)
    node.ok('destroy', 203)
