# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The namespace runtime (tests/lab/sim/nsruntime.py) through prlctl and the zone tools, its cgroups, and two nodes.

* a Virtuozzo CT (``prlctl create --vmtype ct``) runs as a container with its
  hostname and addresses: exec passes status and streams through, a daemon in it
  is reached from the host, it is isolated, restart/--userpasswd work, and a VM
  on the same node stays bookkeeping only;
* a zone (``zonecfg``/``zoneadm install``/``boot``/``zlogin``) the same way, its
  addresses from ``net``/``anet``, its hostname from the install profile;
* the limits of a VE (memory, CPUs, CPU shares) are recorded and really set on
  the container's cgroups, hold for what runs inside, and the cgroups go at stop;
* two nodes both start CT 101 at once without a veth clash.

Every test ends by checking that nothing is left: no container process, no
``velab`` link or lab route (after ``teardown_network()``), no cgroup. Needs root;
skipped otherwise. The tools run as processes, the way modules run them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_fleet import (
    NAMESPACE_MARKS, NsNode as Node, lab_module, namespaces, processes_in, running, tcp_fetch,
)

TEMPLATE = 'debian-12-x86_64'
PORT = 7001
MB = 1024 * 1024


def fetch(address):
    """What the test's daemon at ``address`` sends first (see ``tcp_fetch``)."""
    return tcp_fetch(address, PORT)


pytestmark = NAMESPACE_MARKS


def cgroup_of(pid, controller):
    """Path of process ``pid``'s cgroup in the v1 hierarchy of ``controller``."""
    with open('/proc/%d/cgroup' % pid, encoding='utf-8') as handle:
        for line in handle:
            number, controllers, path = line.rstrip('\n').split(':', 2)
            if controller in controllers.split(','):
                return path
    return None


def read(path):
    with open(path, encoding='ascii') as handle:
        return handle.read().strip()


def velab_cgroups():
    """Every lab container cgroup on this machine (``.../velab/<name>`` in any hierarchy)."""
    found = []
    for parent, dirs, files in os.walk('/sys/fs/cgroup'):
        if os.path.basename(parent) == 'velab':
            found.extend(os.path.join(parent, d) for d in dirs)
            dirs[:] = []
    return found


def nsinit_processes():
    """Host PIDs of live lab container inits (nsinit.py)."""
    found = []
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open('/proc/%s/cmdline' % name, 'rb') as handle:
                    if b'nsinit.py' in handle.read() and running(int(name)):
                        found.append(int(name))
            except OSError:
                pass
    return found


@pytest.fixture
def lab_network():
    """The lab network is torn down after the test, and nothing of the runtime is left anywhere."""
    before, cgroups_before = set(nsinit_processes()), set(velab_cgroups())
    yield
    net = lab_module('netlab')
    net.teardown_network()
    assert net.lab_links() == [] and net.unreachable_routes() == []
    for family in ('-4', '-6'):
        routes = subprocess.run(['ip', family, 'route', 'show', 'table', 'all'], stdout=subprocess.PIPE,
                                universal_newlines=True, check=True).stdout
        assert '198.18.0.' not in routes and 'fd00:5e1a:b:' not in routes
    assert set(nsinit_processes()) - before == set()
    assert set(velab_cgroups()) - cgroups_before == set()


def check_gone(node, states):
    """After stop: the containers of ``states`` (recorded while they ran) have left nothing behind."""
    net = lab_module('netlab')
    for state in states:
        assert not running(state['pid']) and not running(state['unshare_pid'])
        assert not os.path.exists('/sys/class/net/%s' % state['veth'])
        for directory in state['cgroups'].values():
            assert not os.path.exists(directory)
    assert node.recorded() == []
    assert [name for name in net.lab_links() if name != net.BRIDGE] == []
    with open('/proc/mounts', encoding='utf-8', errors='replace') as handle:
        assert [line for line in handle if node.root in line] == []


# ---------------------------------------------------------------- prlctl

def test_prlctl_ct_runs_as_a_container_and_a_vm_stays_bookkeeping(tmp_path, lab_network):
    node = Node(tmp_path / 'vz', 'virtuozzo')

    def prlctl(*args, **kwargs):
        return node.run('prlctl', *args, **kwargs)

    node.ok('prlctl', 'create', 'ct1', '--vmtype', 'ct', '--ostemplate', TEMPLATE)
    node.ok('prlctl', 'set', 'ct1', '--hostname', 'ct1.lab.example', '--ipadd', '198.18.0.31/24',
            '--ipadd', 'fd00:5e1a:b::31', '--memsize', '256M', '--cpus', '1')
    node.ok('prlctl', 'create', 'vm1', '--distribution', 'debian')
    try:
        node.ok('prlctl', 'start', 'ct1')
        [uuid] = node.recorded()
        state = node.runtime_state(uuid)
        assert (state['hostname'], state['addresses']) == ('ct1.lab.example', ['198.18.0.31', 'fd00:5e1a:b::31'])
        assert state['veth'] == lab_module('netlab').veth_name(uuid, node.root)
        assert state['limits']['memory'] == dict(state['limits']['memory'], bytes=256 * MB, applied=True)
        assert state['limits']['cpus']['applied'] and state['limits']['cpus']['cpus'] == 1

        # exec: status, streams, --without-shell
        assert node.ok('prlctl', 'exec', 'ct1', 'hostname') == 'ct1.lab.example\n'
        proc = prlctl('exec', 'ct1', 'echo out; echo err >&2; exit 7')
        assert (proc.returncode, proc.stdout, proc.stderr) == (7, 'out\n', 'err\n')
        proc = prlctl('exec', 'ct1', 'tr a-z A-Z', input='piped in\n')
        assert (proc.returncode, proc.stdout) == (0, 'PIPED IN\n')
        assert node.ok('prlctl', 'exec', 'ct1', '--without-shell', '/bin/echo', 'a;b') == 'a;b\n'
        shown = node.ok('prlctl', 'exec', 'ct1', 'ip -o addr show dev eth0')
        assert ' 198.18.0.31/24 ' in shown and ' fd00:5e1a:b::31/64 ' in shown

        # a daemon reached from the host at both addresses
        node.ok('prlctl', 'exec', 'ct1', 'nc -ll -p %d -e echo hello </dev/null >/dev/null 2>&1 &' % PORT)
        assert fetch('198.18.0.31') == b'hello\n'
        assert fetch('fd00:5e1a:b::31') == b'hello\n'

        # isolation: own namespaces, own PID 1, the host's processes and files unseen
        own, inside = namespaces(os.getpid()), namespaces(state['pid'])
        assert all(own[kind] != inside[kind] for kind in own)
        listing = node.ok('prlctl', 'exec', 'ct1', 'ps')
        assert 'nsinit.py' in listing.splitlines()[1] and '-m pytest' not in listing and node.root not in listing
        assert prlctl('exec', 'ct1', 'test -e /proc/%d' % os.getpid()).returncode == 1
        assert prlctl('exec', 'ct1', 'test -e %s' % node.root).returncode == 1

        # --userpasswd runs chpasswd inside the container; restart gives a new init with the same settings
        node.ok('prlctl', 'set', 'ct1', '--userpasswd', 'root:lab-secret')
        node.ok('prlctl', 'restart', 'ct1')
        restarted = node.runtime_state(uuid)
        assert restarted['pid'] != state['pid'] and not running(state['pid'])
        assert node.ok('prlctl', 'exec', 'ct1', 'hostname') == 'ct1.lab.example\n'

        # a VM: start/stop are bookkeeping, the runtime is not asked (no container), exec is refused
        node.ok('prlctl', 'start', 'vm1')
        assert node.recorded() == [uuid]
        assert 'running' in node.ok('prlctl', 'status', 'vm1')
        node.ok('prlctl', 'installtools', 'vm1')
        proc = prlctl('exec', 'vm1', 'true')
        assert proc.returncode == 255 and 'does not run VMs' in proc.stderr
        node.ok('prlctl', 'stop', 'vm1')

        pid_ns = namespaces(restarted['pid'])['pid']
        node.ok('prlctl', 'stop', 'ct1')
        assert processes_in(pid_ns) == []
        node.ok('prlctl', 'delete', 'ct1')
        node.ok('prlctl', 'delete', 'vm1')
        check_gone(node, [state, restarted])
    finally:
        prlctl('delete', 'ct1', '--force')


# ---------------------------------------------------------------- zones

def zone_node(tmp_path, name, release):
    return Node(tmp_path / name, 'zones', '--release', release)


def test_zone_boots_as_a_container_and_halts_leaving_nothing(tmp_path, lab_network):
    node = zone_node(tmp_path, 'z', 'illumos')
    node.ok('zonecfg', '-z', 'web', 'create; set zonepath=/zones/web; add net; set physical=e1000g0; '
            'set address=198.18.0.51/24; end; add capped-memory; set physical=128m; end; '
            'add capped-cpu; set ncpus=1.5; end; set cpu-shares=2')
    node.ok('zoneadm', '-z', 'web', 'install')
    try:
        node.ok('zoneadm', '-z', 'web', 'boot')
        state = node.runtime_state('web')
        assert (state['hostname'], state['addresses']) == ('web', ['198.18.0.51'])
        limits = state['limits']
        assert (limits['memory']['bytes'], limits['memory']['applied']) == (128 * MB, True)
        assert (limits['cpus']['cpus'], limits['cpus']['quota_us'], limits['cpus']['applied']) == (1.5, 150000, True)
        assert (limits['cpu_shares']['shares'], limits['cpu_shares']['applied']) == (2048, True)

        assert node.ok('zlogin', 'web', 'hostname') == 'web\n'
        proc = node.run('zlogin', 'web', 'echo out; echo err >&2; exit 3')
        assert (proc.returncode, proc.stdout, proc.stderr) == (3, 'out\n', 'err\n')
        assert node.ok('zlogin', 'web', 'cat', input='zone stdin\n') == 'zone stdin\n'
        assert node.run('zlogin', '-n', 'web', 'cat').stdout == ''
        node.ok('zlogin', 'web', 'nc -ll -p %d -e echo zone </dev/null >/dev/null 2>&1 &' % PORT)
        assert fetch('198.18.0.51') == b'zone\n'
        assert node.run('zlogin', 'web', 'test -e /proc/%d' % os.getpid()).returncode == 1
        assert 'nsinit.py' in node.ok('zlogin', 'web', 'ps').splitlines()[1]

        node.ok('zoneadm', '-z', 'web', 'reboot')
        rebooted = node.runtime_state('web')
        assert rebooted['pid'] != state['pid'] and not running(state['pid'])
        node.ok('zoneadm', '-z', 'web', 'halt')
        assert 'installed' in node.ok('zoneadm', '-z', 'web', 'list', '-p')
        node.ok('zoneadm', '-z', 'web', 'uninstall', '-F')
        node.ok('zonecfg', '-z', 'web', 'delete', '-F')
        check_gone(node, [state, rebooted])
    finally:
        node.run('zoneadm', '-z', 'web', 'halt')


def test_exclusive_ip_zone_uses_allowed_address_and_profile_hostname(tmp_path, lab_network):
    node = zone_node(tmp_path, 'z11', 's11')
    profile = tmp_path / 'sc_profile.xml'
    profile.write_text('<?xml version="1.0"?>\n<service_bundle type="profile" name="sysconfig">\n'
                       '<service version="1" type="service" name="system/identity"><instance enabled="true" name="node">'
                       '<property_group type="application" name="config">'
                       '<propval type="astring" name="nodename" value="db.lab.example"/>'
                       '</property_group></instance></service></service_bundle>\n')
    node.ok('zonecfg', '-z', 'db', 'create; set zonepath=/zones/db; select anet linkname=net0; '
            'set allowed-address=198.18.0.53/24,fd00:5e1a:b::53/64; end; add dedicated-cpu; set ncpus=1-2; end')
    node.ok('zoneadm', '-z', 'db', 'install', '-c', str(profile))
    # a second zone whose address is outside the lab ranges: refused, nothing made
    node.ok('zonecfg', '-z', 'out', 'create; set zonepath=/zones/out; select anet linkname=net0; '
            'set allowed-address=192.0.2.9/24; end')
    node.ok('zoneadm', '-z', 'out', 'install')
    try:
        node.ok('zoneadm', '-z', 'db', 'boot')
        state = node.runtime_state('db')
        assert (state['hostname'], state['addresses']) == ('db.lab.example', ['198.18.0.53', 'fd00:5e1a:b::53'])
        assert (state['limits']['cpus']['cpus'], state['limits']['memory']['bytes']) == (2, None)
        assert node.ok('zlogin', 'db', 'hostname') == 'db.lab.example\n'
        proc = node.run('zoneadm', '-z', 'out', 'boot')
        assert proc.returncode == 1 and 'address 192.0.2.9 is outside the lab range' in proc.stderr
        assert node.recorded() == ['db']
        assert 'installed' in node.ok('zoneadm', '-z', 'out', 'list', '-p')
        node.ok('zoneadm', '-z', 'db', 'halt')
        check_gone(node, [state])
    finally:
        node.run('zoneadm', '-z', 'db', 'halt')


# ---------------------------------------------------------------- cgroups

def test_limits_are_set_on_the_container_cgroups_and_hold_then_go_at_stop(tmp_path, lab_network):
    node = Node(tmp_path / 'ovz', 'openvz')
    node.ok('vzctl', 'create', 111, '--ostemplate', TEMPLATE, '--ipadd', '198.18.0.71')
    node.ok('vzctl', 'set', 111, '--ram', '64M', '--cpus', '1', '--cpuunits', '2000', '--save')
    try:
        node.ok('vzctl', 'start', 111)
        state = node.runtime_state(111)
        limits = state['limits']
        assert limits['memory'] == {'bytes': 64 * MB, 'applied': True, 'file': limits['memory']['file']}
        assert (limits['cpus']['cpus'], limits['cpus']['applied']) == (1, True)
        assert (limits['cpu_shares']['shares'], limits['cpu_shares']['applied']) == (2048, True)
        memory, cpu = state['cgroups']['memory'], state['cgroups']['cpu']
        assert os.path.basename(os.path.dirname(memory)) == 'velab'
        # really set on the cgroups
        assert int(read(os.path.join(memory, 'memory.limit_in_bytes'))) == 64 * MB
        assert (int(read(os.path.join(cpu, 'cpu.cfs_quota_us'))), int(read(os.path.join(cpu, 'cpu.cfs_period_us')))) \
            == (100000, 100000)
        assert int(read(os.path.join(cpu, 'cpu.shares'))) == 2048
        # the init and what runs inside are in them
        assert memory.endswith(cgroup_of(state['pid'], 'memory'))
        node.ok('vzctl', 'exec2', 111, 'sleep 4242 </dev/null >/dev/null 2>&1 &')
        sleeper = [pid for pid in processes_in(namespaces(state['pid'])['pid'])
                   if b'4242' in open('/proc/%d/cmdline' % pid, 'rb').read()]
        assert len(sleeper) == 1 and memory.endswith(cgroup_of(sleeper[0], 'memory'))
        assert cpu.endswith(cgroup_of(sleeper[0], 'cpu'))
        # the limit holds: 100 MB in one buffer does not fit in 64 MB (no swap here: the kernel kills it)
        proc = node.run('vzctl', 'exec2', 111, 'dd if=/dev/zero of=/dev/null bs=100M count=1')
        assert proc.returncode != 0, proc.stderr
        assert int(read(os.path.join(memory, 'memory.failcnt'))) > 0
        assert int(read(os.path.join(memory, 'memory.max_usage_in_bytes'))) <= 64 * MB
        node.ok('vzctl', 'stop', 111)
        check_gone(node, [state])
    finally:
        node.run('vzctl', 'stop', 111)
        node.run('vzctl', 'destroy', 111)


def test_unset_limits_are_recorded_as_not_applied(tmp_path, lab_network):
    node = Node(tmp_path / 'vz', 'virtuozzo')
    node.ok('prlctl', 'create', 'ct0', '--vmtype', 'ct', '--ostemplate', TEMPLATE)
    try:
        node.ok('prlctl', 'start', 'ct0')
        [uuid] = node.recorded()
        limits = node.runtime_state(uuid)['limits']
        assert limits['cpus'] == {'cpus': None, 'applied': False, 'reason': 'not configured'}   # cpus 0: unlimited
        assert (limits['memory']['bytes'], limits['memory']['applied']) == (1024 * MB, True)    # the 1024 MB default
        with open(os.path.join(node.ns_dir(), '%s.log' % uuid), encoding='utf-8') as handle:
            assert 'lab runtime: limits: memory 1073741824 applied; cpu_shares 1024 applied' in handle.read()
        node.ok('prlctl', 'stop', 'ct0')
        assert node.recorded() == []
    finally:
        node.run('prlctl', 'delete', 'ct0', '--force')


# ---------------------------------------------------------------- two nodes

def test_two_nodes_start_ct_101_at_once_without_a_veth_clash(tmp_path, lab_network):
    nodes = [Node(tmp_path / name, 'openvz') for name in ('node-a', 'node-b')]
    addresses = ['198.18.0.81', '198.18.0.82']
    for node, address in zip(nodes, addresses):
        node.ok('vzctl', 'create', 101, '--ostemplate', TEMPLATE, '--ipadd', address, '--hostname',
                os.path.basename(node.root))
    try:
        starts = [subprocess.Popen(['vzctl', 'start', '101'], env=node.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, universal_newlines=True) for node in nodes]
        for proc in starts:
            out, errors = proc.communicate(timeout=60)
            assert proc.returncode == 0, out + errors
        states = [node.runtime_state(101) for node in nodes]
        assert states[0]['veth'] != states[1]['veth']
        assert all(len(s['veth']) <= 15 and os.path.exists('/sys/class/net/%s' % s['veth']) for s in states)
        assert states[0]['cgroups']['memory'] != states[1]['cgroups']['memory']
        for node in nodes:
            assert node.ok('vzctl', 'exec2', 101, 'hostname') == os.path.basename(node.root) + '\n'
        # each reaches the other over the bridge
        nodes[1].ok('vzctl', 'exec2', 101, 'nc -ll -p %d -e echo node-b </dev/null >/dev/null 2>&1 &' % PORT)
        assert fetch(addresses[1]) == b'node-b\n'
        assert nodes[0].ok('vzctl', 'exec2', 101, 'nc -w 2 %s %d </dev/null' % (addresses[1], PORT)) == 'node-b\n'
        for node in nodes:
            node.ok('vzctl', 'stop', 101)
        for node, state in zip(nodes, states):
            check_gone(node, [state])
    finally:
        for node in nodes:
            node.run('vzctl', 'stop', 101)
            node.run('vzctl', 'destroy', 101)


def test_default_runtime_is_namespaces_as_root_and_none_keeps_state_only(tmp_path, lab_network):
    node = Node(tmp_path / 'ovz', 'openvz')
    node.ok('vzctl', 'create', 121, '--ostemplate', TEMPLATE, '--ipadd', '198.18.0.91')
    try:
        node.env['VE_LAB_RUNTIME'] = 'none'
        node.ok('vzctl', 'start', 121)
        assert node.recorded() == []                       # state only: no container
        assert node.ok('vzctl', 'exec2', 121, 'echo chrooted') == 'chrooted\n'
        node.ok('vzctl', 'stop', 121)
        node.env.pop('VE_LAB_RUNTIME')                     # unset, and we are root: namespaces
        node.ok('vzctl', 'start', 121)
        assert node.recorded() == ['121']
        state = node.runtime_state(121)
        node.ok('vzctl', 'stop', 121)
        check_gone(node, [state])
    finally:
        node.run('vzctl', 'stop', 121)
        node.run('vzctl', 'destroy', 121)


def test_veth_name_depends_on_node_and_id():
    net = lab_module('netlab')
    names = {net.veth_name(ctid, root) for ctid in ('101', '7f3c9c1e-0000-4000-8000-000000000001', 'web')
             for root in ('/lab/a', '/lab/b')}
    assert len(names) == 6
    assert all(name.startswith('velab') and len(name) == 15 and name != net.BRIDGE for name in names)
    assert net.veth_name('101', '/lab/a') == net.veth_name('101', '/lab/a/')
