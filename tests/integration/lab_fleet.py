# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab for tests: whole labs brought up with ``labctl up``, single nodes under the namespace runtime.

``Fleet`` is what the ``fleet`` fixture (conftest.py) yields: the state
directory, ``labctl(...)``, ``ssh(node, command)`` with the ssh_config the lab
wrote, ``ve_commands(technology, ...)`` (the shell commands that create, start,
run inside, stop and destroy a VE of that technology on its node) and
``leftovers()`` (what of the lab is still on the machine).

``NsNode`` is one lab node (``labctl init-node``) whose VEs run in the
namespace runtime, its tools run as processes; ``NAMESPACE_MARKS`` are the
marks of a test module using it; ``running``, ``namespaces``,
``processes_in`` and ``tcp_fetch`` look at processes and daemons from the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(COLLECTION_ROOT, 'tests', 'lab')
LABCTL = os.path.join(LAB, 'labctl')
DEFAULT_STATE = os.path.join(LAB, '.state')
BIN = os.path.join(LAB, 'bin')
NODE = {'openvz': 'node1', 'virtuozzo': 'node2', 'zones': 'node3'}
TOOLS = ('sshd', 'ssh', 'debootstrap', 'unshare', 'nsenter', 'ip')


def skip_reason():
    """Why the lab cannot be brought up for a test here, or None."""
    if os.geteuid() != 0:
        return 'the lab needs root'
    if not all(shutil.which(tool) or os.path.exists('/usr/sbin/' + tool) for tool in TOOLS):
        return 'lab packages missing (make lab-deps)'
    if os.path.exists(os.path.join(DEFAULT_STATE, 'lab.json')):
        return 'a lab is up in tests/lab/.state; a test lab would take its network down'
    return None


def labctl(*args, **kwargs):
    return subprocess.run([sys.executable, LABCTL] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False, timeout=kwargs.get('timeout', 900))


class Fleet:
    def __init__(self, state):
        self.state = state
        self.ssh_config = os.path.join(state, 'ssh_config')
        self.up_output = ''

    def up(self):
        proc = labctl('up', '--state', self.state)
        assert proc.returncode == 0, proc.stdout
        self.up_output = proc.stdout

    def down(self):
        return labctl('down', '--state', self.state)

    def labctl(self, *args):
        return labctl(*(list(args) + ['--state', self.state]))

    def ssh(self, node, command, check=True, timeout=300):
        """``ssh -F STATE/ssh_config NODE COMMAND`` -> CompletedProcess (text)."""
        proc = subprocess.run(['ssh', '-F', self.ssh_config, node, command], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, check=False, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        if check:
            assert proc.returncode == 0, '%s: %s -> %d\n%s%s' % (node, command, proc.returncode, proc.stdout,
                                                                 proc.stderr)
        return proc

    @staticmethod
    def ve_commands(technology, ve, hostname, addresses):
        """Shell commands on the node: (create list, start, inside-template with %s, stop, destroy)."""
        if technology == 'openvz':
            return (['vzctl create %s --ostemplate debian-12-x86_64 --hostname %s' % (ve, hostname),
                     'vzctl set %s %s --save' % (ve, ' '.join('--ipadd %s' % a for a in addresses))],
                    'vzctl start %s' % ve, "vzctl exec2 %s '%%s'" % ve, 'vzctl stop %s' % ve, 'vzctl destroy %s' % ve)
        if technology == 'virtuozzo':
            return (['prlctl create %s --vmtype ct --ostemplate debian-12-x86_64' % ve,
                     'prlctl set %s --hostname %s %s' % (ve, hostname, ' '.join('--ipadd %s' % a for a in addresses))],
                    'prlctl start %s' % ve, "prlctl exec %s '%%s'" % ve, 'prlctl stop %s' % ve,
                    'prlctl delete %s' % ve)
        net = ''.join('add net; set physical=velab0; set address=%s/24; end; ' % a for a in addresses)
        return (["zonecfg -z %s 'create; set zonepath=/zones/%s; %scommit'" % (ve, ve, net),
                 'zoneadm -z %s install' % ve],
                'zoneadm -z %s boot' % ve, "zlogin %s '%%s'" % ve,
                'zoneadm -z %s halt' % ve, 'zoneadm -z %s uninstall -F && zonecfg -z %s delete -F' % (ve, ve))

    def make_ve(self, technology, ve, hostname, addresses, start=True):
        create, start_command = self.ve_commands(technology, ve, hostname, addresses)[:2]
        for command in create + ([start_command] if start else []):
            self.ssh(NODE[technology], command)

    def leftovers(self):
        """What of the lab is still on the machine: links, routes, processes, mounts, cgroups."""
        found = []
        links = subprocess.run(['ip', '-o', 'link', 'show'], stdout=subprocess.PIPE, universal_newlines=True,
                               check=True).stdout
        found += [line.split(':')[1].strip() for line in links.splitlines() if 'velab' in line]
        for family in ('-4', '-6'):
            routes = subprocess.run(['ip', family, 'route', 'show', 'table', 'all'], stdout=subprocess.PIPE,
                                    universal_newlines=True, check=True).stdout
            found += ['route ' + r for r in routes.splitlines() if '198.18.0.' in r or 'fd00:5e1a:b:' in r]
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                    cmdline = handle.read().decode('utf-8', 'replace').replace('\0', ' ')
            except OSError:
                continue
            if self.state in cmdline or 'nsinit.py' in cmdline or 'aptproxy.py' in cmdline:
                found.append('process %s: %s' % (pid, cmdline))
        with open('/proc/mounts') as handle:
            found += ['mount ' + line for line in handle if self.state in line or 'velab' in line]
        for controller in ('memory', 'cpu', 'unified'):
            for base, dirs, dummy in os.walk(os.path.join('/sys/fs/cgroup', controller)):
                found += [os.path.join(base, d) for d in dirs if d.startswith('velab')]
        return found


# ---------------------------------------------------------------- single nodes under the namespace runtime

NAMESPACE_MARKS = [
    pytest.mark.skipif(os.geteuid() != 0, reason='the namespace runtime needs root'),
    pytest.mark.skipif(not os.path.exists('/bin/busybox'), reason='busybox-static is not installed'),
    pytest.mark.skipif(not all(shutil.which(tool) for tool in ('unshare', 'nsenter', 'ip')),
                       reason='util-linux unshare/nsenter or iproute2 ip is missing'),
    # One lab bridge per machine: such modules take turns (lab_network_turn in conftest.py).
    pytest.mark.xdist_group('lab'),
]


def lab_module(name):
    """A module of tests/lab/sim (netlab, nscgroup)."""
    if LAB not in sys.path:
        sys.path.insert(0, LAB)
    return importlib.import_module('sim.%s' % name)


class NsNode:
    """A lab node of one technology whose VEs run in the namespace runtime; runs its tools as processes."""

    def __init__(self, root, technology, *init_args):
        self.root = str(root)
        subprocess.run([sys.executable, LABCTL, 'init-node', self.root, '--technology', technology] + list(init_args),
                       check=True, stdout=subprocess.DEVNULL)
        self.env = dict(os.environ)
        # the launchers' "#!/usr/bin/env python" must find this interpreter
        self.env['PATH'] = os.pathsep.join([BIN, os.path.dirname(sys.executable), self.env.get('PATH', '')])
        self.env.update({'VE_LAB_ROOT': self.root, 'VE_LAB_RUNTIME': 'namespaces'})
        for name in ('VE_LAB_LOG', 'VE_LAB_ZONES_RELEASE', 'VE_LAB_PRLCTL_DEPRECATION'):
            self.env.pop(name, None)

    def run(self, *argv, **kwargs):
        """``argv`` -> CompletedProcess (text); ``input``: text for its stdin."""
        return subprocess.run([str(a) for a in argv], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False, timeout=60, input=kwargs.get('input'),
                              stdin=None if 'input' in kwargs else subprocess.DEVNULL)

    def ok(self, *argv, **kwargs):
        proc = self.run(*argv, **kwargs)
        assert proc.returncode == 0, '%s -> %d\n%s%s' % (' '.join(map(str, argv)), proc.returncode, proc.stdout,
                                                         proc.stderr)
        return proc.stdout

    def ns_dir(self):
        return os.path.join(self.root, '.lab', 'run', 'ns')

    def runtime_state(self, ve):
        """What the runtime recorded for a running VE (init PID, veth, cgroups, limits ...)."""
        with open(os.path.join(self.ns_dir(), '%s.json' % ve), encoding='utf-8') as handle:
            return json.load(handle)

    def recorded(self):
        """IDs of the VEs the runtime has state for."""
        names = os.listdir(self.ns_dir()) if os.path.isdir(self.ns_dir()) else []
        return sorted(name[:-len('.json')] for name in names if name.endswith('.json'))


def running(pid):
    """Whether process ``pid`` exists and has not ended (a zombie waits for the host's init to reap it)."""
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8', errors='replace') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except (OSError, IndexError):
        return False


def namespaces(pid):
    """Namespace identities of process ``pid``: {'pid': 'pid:[...]', 'mnt': ..., ...}."""
    return dict((kind, os.readlink('/proc/%d/ns/%s' % (pid, kind))) for kind in ('mnt', 'uts', 'ipc', 'net', 'pid'))


def processes_in(pid_ns):
    """Host PIDs of every live process in the PID namespace ``pid_ns`` ('pid:[N]')."""
    found = []
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                if os.readlink('/proc/%s/ns/pid' % name) == pid_ns and running(int(name)):
                    found.append(int(name))
            except OSError:
                pass
    return found


def tcp_fetch(address, port, timeout=5.0):
    """What a TCP server at ``address:port`` sends first, retrying while it is not listening yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((address, port), timeout=2) as conn:
                return conn.recv(100)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
