# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Control groups of lab containers (``sim.nsruntime``): memory and CPU limits, best effort.

For each controller (``memory``, ``cpu``) the container gets a cgroup of its own,
``.../velab/<name>``:

* cgroup v1 (a ``cgroup`` mount with that controller, e.g. ``/sys/fs/cgroup/memory``):
  under the cgroup the starting process is in (``/proc/self/cgroup``), so a container
  stays inside whatever its caller is accounted and limited under (a CI job, a
  service); from a root shell that is the hierarchy's top, ``<mount>/velab/<name>``.
  Limits: ``memory.limit_in_bytes``; ``cpu.cfs_period_us`` = 100000 and
  ``cpu.cfs_quota_us`` = cpus x period; ``cpu.shares``.
* cgroup v2 (only when no v1 hierarchy has the controller): ``<mount>/velab/<name>``
  at the top of the hierarchy, because v2 does not hand controllers to children of
  a cgroup that has processes; ``memory.max``, ``cpu.max``, ``cpu.weight``.
* neither usable (not root, read-only, controller missing): nothing is made and the
  record says why.

``make()`` creates the cgroups and writes the limits, before anything runs in them;
``join()`` moves a process in (the container's init, and every ``exec``, so that what
runs inside is counted); ``remove()`` deletes them once their processes are gone.
Everything is recorded as plain data (``limits``, ``cgroups``) for the runtime's state
file. Nothing here prints.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import re
import signal
import time

PARENT = 'velab'
PERIOD_US = 100000
MIN_QUOTA_US = 1000
CONTROLLERS = ('memory', 'cpu')
# cgroup v1 cpu.shares bounds (kernel), and the v2 weight range.
MIN_SHARES, MAX_SHARES = 2, 262144
MOUNTINFO = '/proc/self/mountinfo'
SELF_CGROUP = '/proc/self/cgroup'


def _read(path):
    with open(path, encoding='ascii', errors='replace') as handle:
        return handle.read().strip()


def _write(path, value):
    with open(path, 'w', encoding='ascii') as handle:
        handle.write('%s\n' % value)


def _why(exc):
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def cgroup_mounts(mountinfo=MOUNTINFO):
    """[(version, mount point, root inside the hierarchy, controllers)] of the cgroup file systems mounted here."""
    found = []
    try:
        text = _read(mountinfo)
    except OSError:
        return found
    for line in text.splitlines():
        left, sep, right = line.partition(' - ')
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 5 or len(tail) < 3:
            continue
        fstype, options = tail[0], tail[2].split(',')
        point = fields[4].replace('\\040', ' ')
        if fstype == 'cgroup':
            found.append((1, point, fields[3], [o for o in options if o in CONTROLLERS]))
        elif fstype == 'cgroup2':
            try:
                controllers = _read(os.path.join(point, 'cgroup.controllers')).split()
            except OSError:
                controllers = []
            found.append((2, point, fields[3], controllers))
    return found


def own_cgroups(path=SELF_CGROUP):
    """{controller: path} of this process's v1 cgroups, with key '' for its v2 cgroup."""
    result = {}
    try:
        text = _read(path)
    except OSError:
        return result
    for line in text.splitlines():
        parts = line.split(':', 2)
        if len(parts) != 3:
            continue
        if parts[0] == '0' and parts[1] == '':
            result[''] = parts[2]
        for name in parts[1].split(','):
            if name:
                result[name] = parts[2]
    return result


def safe_name(text):
    return re.sub(r'[^A-Za-z0-9_.-]', '_', str(text)) or '_'


def _relative(own, mount_root):
    """The process's cgroup path relative to the mount's root (they differ inside a cgroup namespace)."""
    own = own or '/'
    if mount_root not in ('', '/') and (own == mount_root or own.startswith(mount_root + '/')):
        own = own[len(mount_root):] or '/'
    return own.strip('/')


def locate(controller, mounts=None, own=None):
    """(version, parent directory for the lab's cgroups) for ``controller``, or (None, reason)."""
    mounts = cgroup_mounts() if mounts is None else mounts
    own = own_cgroups() if own is None else own
    for version, point, root, controllers in mounts:
        if version == 1 and controller in controllers:
            return 1, os.path.join(point, _relative(own.get(controller), root), PARENT)
    for version, point, root, controllers in mounts:
        if version == 2 and controller in controllers:
            return 2, os.path.join(point, PARENT)
    return None, 'no cgroup hierarchy with the %s controller is mounted' % controller


def shares_to_weight(shares):
    """cgroup v1 cpu.shares -> v2 cpu.weight (the usual linear map of 2..262144 onto 1..10000)."""
    return 1 + ((shares - MIN_SHARES) * 9999) // (MAX_SHARES - MIN_SHARES)


def _mkdir_v2(parent_dir, directory, controller):
    """v2: enable ``controller`` for the children of the top, of ``velab``, then make ``directory``."""
    top = os.path.dirname(parent_dir)
    for where in (top, parent_dir):
        if where == parent_dir and not os.path.isdir(parent_dir):
            os.mkdir(parent_dir)
        if controller not in _read(os.path.join(where, 'cgroup.subtree_control')).split():
            _write(os.path.join(where, 'cgroup.subtree_control'), '+%s' % controller)
    os.mkdir(directory)


def _mkdirs(version, parent_dir, directory, controller):
    for attempt in range(3):
        try:
            if version == 2:
                _mkdir_v2(parent_dir, directory, controller)
            else:
                os.makedirs(directory)
            return
        except FileExistsError:
            return
        except FileNotFoundError:
            # another container's stop removed the empty parent meanwhile; make it again
            if attempt == 2:
                raise


def _limit_files(version, limits):
    """[(limit key, controller, file, value)] to write for the requested ``limits``."""
    writes = []
    memory = limits.get('memory')
    if memory:
        writes.append(('memory', 'memory', 'memory.limit_in_bytes' if version['memory'] == 1 else 'memory.max', memory))
    cpus = limits.get('cpus')
    if cpus:
        quota = max(MIN_QUOTA_US, int(round(cpus * PERIOD_US)))
        if version['cpu'] == 1:
            writes.append(('cpus', 'cpu', 'cpu.cfs_period_us', PERIOD_US))
            writes.append(('cpus', 'cpu', 'cpu.cfs_quota_us', quota))
        else:
            writes.append(('cpus', 'cpu', 'cpu.max', '%d %d' % (quota, PERIOD_US)))
    shares = limits.get('cpu_shares')
    if shares:
        shares = min(MAX_SHARES, max(MIN_SHARES, int(shares)))
        if version['cpu'] == 1:
            writes.append(('cpu_shares', 'cpu', 'cpu.shares', shares))
        else:
            writes.append(('cpu_shares', 'cpu', 'cpu.weight', shares_to_weight(shares)))
    return writes


def _record(limits):
    """The ``limits`` record before anything is tried: every limit, requested or not."""
    record = {}
    for key, unit in (('memory', 'bytes'), ('cpus', 'cpus'), ('cpu_shares', 'shares')):
        value = limits.get(key) or None
        record[key] = {unit: value, 'applied': False}
        if value is None:
            record[key]['reason'] = 'not configured'
    if record['cpus']['cpus']:
        record['cpus'].update(period_us=PERIOD_US, quota_us=max(MIN_QUOTA_US, int(round(record['cpus']['cpus'] * PERIOD_US))))
    return record


def make(name, limits, mounts=None, own=None):
    """Make the cgroups of container ``name`` and write ``limits`` ({'memory': bytes, 'cpus': n, 'cpu_shares': n}).

    Returns (``cgroups``: {controller: directory} of those made, ``record``: per limit
    {value, 'applied': bool, 'reason' when not, 'file' when applied}); never raises.
    """
    record = _record(limits)
    cgroups, version, failed = {}, {}, {}
    if os.geteuid() != 0:
        failed = dict((c, 'cgroups need root') for c in CONTROLLERS)
    for controller in CONTROLLERS:
        if controller in failed:
            continue
        found, where = locate(controller, mounts, own)
        if found is None:
            failed[controller] = where
            continue
        directory = os.path.join(where, safe_name(name))
        try:
            _mkdirs(found, where, directory, controller)
        except OSError as exc:
            failed[controller] = 'cannot make cgroup %s (%s)' % (directory, _why(exc))
            continue
        cgroups[controller], version[controller] = directory, found
    for key, controller, filename, value in _limit_files(dict((c, version.get(c, 1)) for c in CONTROLLERS), limits):
        entry = record[key]
        if controller in failed:
            entry['reason'] = failed[controller]
            continue
        if entry.get('reason'):
            continue  # an earlier file of this limit failed
        path = os.path.join(cgroups[controller], filename)
        try:
            _write(path, value)
            entry.update(applied=True, file=path)
        except OSError as exc:
            entry.update(applied=False, reason='cannot write %s (%s)' % (path, _why(exc)))
    for entry in record.values():
        if entry['applied']:
            entry.pop('reason', None)
    return cgroups, record


def join(cgroups, pid):
    """Move process ``pid`` into each of ``cgroups``; returns {controller: reason} for those that failed."""
    failed = {}
    for controller, directory in sorted((cgroups or {}).items()):
        try:
            _write(os.path.join(directory, 'cgroup.procs'), pid)
        except OSError as exc:
            failed[controller] = 'cannot move PID %s into %s (%s)' % (pid, directory, _why(exc))
    return failed


def join_self(cgroups):
    """``join()`` for the calling process, errors ignored (used between fork and exec)."""
    join(cgroups, os.getpid())


def members(directory):
    try:
        return [int(p) for p in _read(os.path.join(directory, 'cgroup.procs')).split()]
    except (OSError, ValueError):
        return []


def remove(cgroups, timeout=5.0):
    """Delete ``cgroups`` (SIGKILL to any process still in them), then their ``velab`` parents if empty.

    Returns the directories that could not be removed.
    """
    left = []
    for directory in sorted(set((cgroups or {}).values())):
        deadline = time.monotonic() + timeout
        while os.path.isdir(directory):
            try:
                os.rmdir(directory)
                break
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    break
                if exc.errno != errno.EBUSY or time.monotonic() >= deadline:
                    left.append(directory)
                    break
            for pid in members(directory):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        try:
            os.rmdir(os.path.dirname(directory))  # the velab parent, if no other container uses it
        except OSError:
            pass
    return left
