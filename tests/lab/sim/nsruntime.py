# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Namespace runtime of the lab (``VE_LAB_RUNTIME=namespaces``): a running VE is a real container.

``start`` runs ``unshare --fork --pid --mount --uts --ipc --net`` with
``sim/nsinit.py`` as the container's PID 1 (see there for what it sets up
inside), joins its network namespace to the lab bridge ``velab0`` (see
``sim.netlab``) by a veth pair (host side ``velab`` + a hash of the node and
VE, ``eth0`` inside) carrying the VE's configured addresses and default routes
via the bridge, puts the init into cgroups of its own with the VE's memory and
CPU limits (``sim.nscgroup``, best effort) and waits until the container is up.
``exec`` enters it with ``nsenter`` (the command joins the container's
cgroups); ``stop`` sends SIGTERM to its init, SIGKILL after a timeout, and
removes the veth and the cgroups.

``settings`` (see ``sim.runtime``): ``hostname``, ``ipv4``, ``ipv6``, and the
limits ``memory`` (bytes), ``cpus`` (CPUs' worth of time, may be fractional)
and ``cpu_shares`` (relative weight, 1024 = the default); None or absent: no
limit.

Where state lives: ``$VE_LAB_ROOT/.lab/run/ns/<id>.json`` holds the init's
host PID (with its start time, so a reused PID is never mistaken for it), the
``unshare`` PID, the veth, the addresses, the cgroups and which limits were
applied (``"limits": {"memory": {"bytes": N, "applied": true, "file": ...},
"cpus": {"cpus": N, "quota_us": ..., "period_us": ..., "applied": false,
"reason": "..."}, "cpu_shares": {...}}``); ``<id>.log`` beside it collects what
the container's setup printed, and one line on the limits. It is apart from the simulator's own
``.lab/run/<id>.json``, which the simulator rewrites from what it read before
calling the runtime.

Every mount is made inside the container's mount namespace and disappears with
it; nothing is mounted on the host. Needs root, util-linux ``unshare`` and
``nsenter``, and iproute2.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time

from . import netlab, nscgroup
from .common import LAB_ROOT_ENV, err, flush, write_json
from .runtime import CT_ENV, RC_NOT_FOUND, Runtime, _rc

NSINIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'nsinit.py')
# Seconds to wait for the container to come up, and for its init to end after SIGTERM before SIGKILL.
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
KILL_TIMEOUT = 5.0


def _tool(name):
    path = shutil.which(name) or os.path.join('/usr/bin', name)
    if not os.path.exists(path):
        raise OSError('%s (util-linux) is not installed on this host' % name)
    return path


def start_time(pid):
    """Start time of process ``pid`` (field 22 of /proc/PID/stat), or None if there is no such process."""
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
    except (OSError, ValueError):
        return None
    fields = text.rsplit(')', 1)[-1].split()
    # fields[0] is the state (field 3); a zombie has ended
    if not fields or fields[0] in ('Z', 'X'):
        return None
    return fields[19]


HOSTS_MARK = '# velab: the VE\'s own name'


def hosts_entry(root_dir, hostname, addresses):
    """Map the VE's hostname in its ``/etc/hosts``, as the platforms' hostname scripts do.

    (vzctl's set_hostname script, prlctl's, Solaris's nodename in /etc/inet/hosts.) Without it
    every lookup of the VE's own name (``hostname -f``, Python's ``getfqdn`` in Ansible's facts)
    waits for a DNS server the lab does not have. The line is marked and replaced at each start.
    """
    path = os.path.join(root_dir, 'etc', 'hosts')
    if not hostname or os.path.islink(path) or not os.path.isdir(os.path.dirname(path)):
        return
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            lines = [line for line in handle.read().splitlines() if not line.endswith(HOSTS_MARK)]
    except OSError:
        lines = ['127.0.0.1\tlocalhost']
    names = [hostname] + ([hostname.split('.')[0]] if '.' in hostname else [])
    address = next((str(a) for a in addresses if a.version == 4), '127.0.1.1')
    lines.append('%s\t%s\t%s' % (address, ' '.join(names), HOSTS_MARK))
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(lines) + '\n')


class NamespaceRuntime(Runtime):
    """Runs each VE as a container in its own mount, UTS, PID, IPC and network namespaces."""

    name = 'namespaces'
    # A VM has no root file system here: prlctl keeps VM start/stop as bookkeeping only.
    runs_vms = False

    # ------------------------------------------------------------ state

    def state_dir(self):
        root = os.environ.get(LAB_ROOT_ENV)
        if not root:
            raise OSError('%s is not set' % LAB_ROOT_ENV)
        return os.path.join(os.path.abspath(root), '.lab', 'run', 'ns')

    def state_path(self, ctid, suffix='.json'):
        return os.path.join(self.state_dir(), '%s%s' % (ctid, suffix))

    def load(self, ctid):
        """The recorded state of ``ctid``, or None."""
        try:
            with open(self.state_path(ctid), encoding='utf-8') as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def alive(self, state):
        """Whether the init recorded in ``state`` is still that process."""
        if not state or not isinstance(state.get('pid'), int) or state['pid'] <= 1 or not state.get('starttime'):
            return False
        return start_time(state['pid']) == state['starttime']

    def init_pid(self, ctid):
        """Host PID of the running container's init, or None."""
        state = self.load(ctid)
        return state['pid'] if self.alive(state) else None

    # ------------------------------------------------------------ start

    def start(self, ctid, root_dir, settings=None):
        settings = settings or {}
        try:
            addresses = netlab.lab_addresses(list(settings.get('ipv4') or ()) + list(settings.get('ipv6') or ()))
        except netlab.NetworkError as exc:
            err('lab runtime: CT %s not started: %s' % (ctid, exc))
            return 1
        hostname = settings.get('hostname') or self._template_hostname(root_dir)
        limits = dict((key, settings.get(key)) for key in ('memory', 'cpus', 'cpu_shares'))
        if self.load(ctid) is not None:
            self.stop(ctid)  # left over from a run that ended without stop
        try:
            netlab.ensure_network()
            hosts_entry(root_dir, hostname, addresses)
            self._start(ctid, os.path.abspath(root_dir), hostname, addresses, limits)
        except (OSError, netlab.NetworkError) as exc:
            err('lab runtime: CT %s not started: %s' % (ctid, exc))
            self.stop(ctid)
            return 1
        return 0

    @staticmethod
    def _template_hostname(root_dir):
        try:
            with open(os.path.join(root_dir, 'etc', 'hostname'), encoding='utf-8', errors='replace') as handle:
                return handle.read().strip() or 'localhost'
        except OSError:
            return 'localhost'

    def node_root(self):
        return os.path.abspath(os.environ.get(LAB_ROOT_ENV) or '/')

    def cgroup_name(self, ctid):
        """Name of the container's cgroups: its ID and the node's key (two nodes may both run CT 101)."""
        return '%s-%s' % (nscgroup.safe_name(ctid), netlab.node_key(self.node_root(), ctid)[:10])

    def _start(self, ctid, root_dir, hostname, addresses, limits):
        if not os.path.isdir(root_dir):
            raise OSError('root %s is not a directory' % root_dir)
        os.makedirs(self.state_dir(), exist_ok=True)
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        argv = [_tool('unshare'), '--fork', '--pid', '--mount', '--uts', '--ipc', '--net', '--propagation', 'private',
                sys.executable, '-I', '-S', '-B', NSINIT, str(ready_w), str(go_r)]
        flush()
        try:
            with open(self.state_path(ctid, '.log'), 'ab') as log:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        pass_fds=(ready_w, go_r), start_new_session=True,
                                        env={'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'})
        except OSError:
            for fd in (ready_r, go_w):
                os.close(fd)
            raise
        finally:
            # the container's ends; ours are ready_r and go_w
            os.close(ready_w)
            os.close(go_r)
        veth = netlab.veth_name(ctid, self.node_root())
        state = {'ctid': str(ctid), 'unshare_pid': proc.pid, 'pid': None, 'starttime': None, 'veth': veth,
                 'root': root_dir, 'hostname': hostname, 'addresses': [str(a) for a in addresses],
                 'cgroups': {}, 'limits': {}}
        # Recorded at once, so that a failure below still finds what to clean up.
        write_json(self.state_path(ctid), state)
        with os.fdopen(ready_r, 'r', encoding='utf-8') as ready, os.fdopen(go_w, 'w', encoding='utf-8') as go:
            line = self._read_line(ready, proc)
            if not line.startswith('pid '):
                raise OSError('the container did not start (see %s)' % self.state_path(ctid, '.log'))
            pid = int(line.split()[1])
            state.update(pid=pid, starttime=start_time(pid))
            write_json(self.state_path(ctid), state)
            self._cgroups(ctid, pid, limits, state)
            write_json(self.state_path(ctid), state)
            self._network(pid, veth, addresses)
            go.write(json.dumps({'root': root_dir, 'hostname': hostname}) + '\n')
            go.flush()
            line = self._read_line(ready, proc)
            if line != 'up':
                why = line[len('error '):] if line.startswith('error ') else 'see %s' % self.state_path(ctid, '.log')
                raise OSError('container setup failed: %s' % why)

    def _cgroups(self, ctid, pid, limits, state):
        """Cgroups for the container with ``limits``, its init moved in before it runs anything (best effort)."""
        cgroups, record = nscgroup.make(self.cgroup_name(ctid), limits)
        for controller, reason in nscgroup.join(cgroups, pid).items():
            for key in ('memory',) if controller == 'memory' else ('cpus', 'cpu_shares'):
                if record[key]['applied']:
                    record[key].update(applied=False, reason=reason)
                    record[key].pop('file', None)
        state.update(cgroups=cgroups, limits=record)
        words = []
        for key, unit in (('memory', 'bytes'), ('cpus', 'cpus'), ('cpu_shares', 'shares')):
            entry = record[key]
            if entry[unit] is not None:
                words.append('%s %s %s' % (key, entry[unit], 'applied' if entry['applied'] else 'not applied: ' + entry['reason']))
        try:
            with open(self.state_path(ctid, '.log'), 'a', encoding='utf-8') as log:
                log.write('lab runtime: limits: %s\n' % ('; '.join(words) or 'none configured'))
        except OSError:
            pass

    @staticmethod
    def _read_line(stream, proc):
        """Next line the container's init reports, '' if it ends or says nothing within ``START_TIMEOUT``."""
        ready, dummy, dummy = select.select([stream], [], [], START_TIMEOUT)
        if not ready:
            return ''
        return stream.readline().strip()

    @staticmethod
    def _network(pid, veth, addresses):
        """veth pair: ``veth`` on the bridge, ``eth0`` in the container with ``addresses`` and default routes."""
        netlab.ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pid)
        netlab.ip('link', 'set', veth, 'master', netlab.BRIDGE, 'up')
        inside = [_tool('nsenter'), '--target', str(pid), '--net', netlab.ip_command()]
        commands = [['link', 'set', 'lo', 'up'], ['link', 'set', 'eth0', 'up']]
        for address in addresses:
            if address.version == 4:
                commands.append(['-4', 'addr', 'add', '%s/%d' % (address, netlab.LAB_IPV4.prefixlen), 'dev', 'eth0'])
            else:
                commands.append(['-6', 'addr', 'add', '%s/%d' % (address, netlab.LAB_IPV6.prefixlen), 'dev', 'eth0',
                                 'nodad'])
        if any(a.version == 4 for a in addresses):
            commands.append(['-4', 'route', 'add', 'default', 'via', str(netlab.BRIDGE_IPV4), 'dev', 'eth0'])
        if any(a.version == 6 for a in addresses):
            commands.append(['-6', 'route', 'add', 'default', 'via', str(netlab.BRIDGE_IPV6), 'dev', 'eth0'])
        for args in commands:
            proc = subprocess.run(inside + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
                                  env={'LC_ALL': 'C', 'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'})
            if proc.returncode:
                raise netlab.NetworkError('in the container: ip %s: %s' % (
                    ' '.join(args), proc.stderr.decode('utf-8', 'replace').strip()))

    # ------------------------------------------------------------ stop

    def stop(self, ctid):
        state = self.load(ctid)
        if state is None:
            return 0
        rc = 0
        if self.alive(state):
            rc = self._end(state['pid'])
        unshare_pid = state.get('unshare_pid')
        if unshare_pid and start_time(unshare_pid) is not None:
            # unshare(1) only waits for the init; it ends with it (it may also be all there is after a failed start).
            if not self._wait_gone(unshare_pid, 2.0):
                self._signal(unshare_pid, signal.SIGKILL)
                self._wait_gone(unshare_pid, KILL_TIMEOUT)
        veth = state.get('veth') or netlab.veth_name(ctid, self.node_root())
        if netlab.link_exists(veth):
            # Normally gone with the network namespace; this covers a start that failed half-way.
            netlab.ip('link', 'del', veth, check=False)
        if rc == 0:
            left = nscgroup.remove(state.get('cgroups'))
            if left:
                err('lab runtime: CT %s stopped, but its cgroups could not be removed: %s' % (ctid, ', '.join(left)))
        if rc == 0:
            for suffix in ('.json', '.log'):
                try:
                    os.unlink(self.state_path(ctid, suffix))
                except OSError:
                    pass
        else:
            err('lab runtime: the init (PID %s) of CT %s did not end' % (state['pid'], ctid))
        return rc

    @staticmethod
    def _signal(pid, sig):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    @staticmethod
    def _wait_gone(pid, timeout):
        deadline = time.monotonic() + timeout
        while start_time(pid) is not None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def _end(self, pid):
        """SIGTERM to the container's init, SIGKILL after ``STOP_TIMEOUT``; 0 once it has ended."""
        self._signal(pid, signal.SIGTERM)
        if self._wait_gone(pid, STOP_TIMEOUT):
            return 0
        self._signal(pid, signal.SIGKILL)
        return 0 if self._wait_gone(pid, KILL_TIMEOUT) else 1

    # ------------------------------------------------------------ exec

    def exec(self, ctid, root_dir, argv, stdin=None):
        pid = self.init_pid(ctid)
        if pid is None:
            err('lab runtime: CT %s has no running container (started with another VE_LAB_RUNTIME?)' % ctid)
            return 1
        program = argv[0]
        if program.startswith('/') and not os.path.lexists(os.path.join(root_dir, program.lstrip('/'))):
            err('vzctl (lab): CT %s has no %s in its private area %s' % (ctid, program, root_dir))
            return RC_NOT_FOUND
        # --root/--wd without a value: the init's root (the VE's root) and working directory (its /).
        command = [_tool('nsenter'), '--target', str(pid), '--mount', '--uts', '--ipc', '--net', '--pid',
                   '--root', '--wd', '--'] + list(argv)
        cgroups = (self.load(ctid) or {}).get('cgroups') or {}
        flush()
        # The command joins the container's cgroups before nsenter runs, so its limits hold for it too.
        kwargs = {'env': dict(CT_ENV), 'check': False, 'preexec_fn': lambda: nscgroup.join_self(cgroups)}
        if stdin is not None:
            kwargs['input'] = stdin
        proc = subprocess.run(command, **kwargs)  # pylint: disable=subprocess-run-check
        return _rc(proc.returncode)
