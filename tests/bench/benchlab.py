# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the benchmarks that bring up a lab of their own share (connection_bench.py, fleet_bench.py).

* ``lab_fleet``: the integration tests' lab helper (``Fleet``: ``labctl up/down``
  in a state directory, ``ssh`` with the lab's ssh_config);
* ``hold_lab_network()``: the machine-wide lab lock of the tests
  (/tmp/velab-tests.lock), held until the process exits; a lock already held
  by one of this process's ancestors (``flock /tmp/velab-tests.lock make
  bench-fleet``) counts as held;
* ``refuse_reason()``: why a lab of the bench's own cannot be brought up here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.join(ROOT, '.venv', 'collections')
LAB_NETWORK_LOCK = '/tmp/velab-tests.lock'


def load_lab_fleet():
    """The integration tests' lab helper, from the collection as the venv's collections path exposes it."""
    sys.path.insert(0, COLLECTIONS)
    try:
        from ansible_collections.datacenter.ve.tests.integration import lab_fleet as module
    finally:
        sys.path.pop(0)
    return module


lab_fleet = load_lab_fleet()


def _ancestors():
    pids, pid = set(), os.getppid()
    while pid > 1 and pid not in pids:
        pids.add(pid)
        try:
            with open('/proc/%d/stat' % pid) as handle:
                pid = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def held_by_ancestor(path):
    """Whether a process this one descends from holds a flock on ``path`` (``flock PATH COMMAND``)."""
    try:
        inode = os.stat(path).st_ino
        with open('/proc/locks') as handle:
            lines = handle.read().splitlines()
    except OSError:
        return False
    ancestors = _ancestors()
    for line in lines:
        fields = line.split()
        if len(fields) > 5 and fields[1] == 'FLOCK' and fields[4].isdigit():
            if int(fields[4]) in ancestors and fields[5].rsplit(':', 1)[-1] == str(inode):
                return True
    return False


def hold_lab_network():
    """The tests' machine-wide lab lock, held until this process exits (None if an ancestor holds it)."""
    handle = open(LAB_NETWORK_LOCK, 'a')
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        if held_by_ancestor(LAB_NETWORK_LOCK):
            handle.close()
            return None
        print('waiting for %s (a test run or another bench holds the lab network)' % LAB_NETWORK_LOCK, flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def refuse_reason():
    """Why this bench must not bring up a lab of its own here, or None."""
    if os.path.exists(os.path.join(lab_fleet.DEFAULT_STATE, 'lab.json')):
        return ('a lab is up in %s: this bench brings up and takes down a lab of its own, which would take that '
                "lab's network down; run `make lab-down` first" % lab_fleet.DEFAULT_STATE)
    return lab_fleet.skip_reason()
