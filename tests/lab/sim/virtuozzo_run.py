# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""prlctl's side of the lab runtime hook (``sim.runtime``): which runtime, with which settings, for which VE.

* A CT's root is ``<home>/fs``; ``start`` gets ``settings`` from its record: the
  hostname, the addresses of its network devices (``--ipadd``: ``venet0``, or the
  ``--device-set netN`` adapters), ``memsize`` (MB) as the memory limit, ``cpus``
  (0: none), ``cpuunits`` as CPU shares (1000 = 1024 shares).
* A VM has no root file system in the lab: runtimes whose ``runs_vms`` is false
  (the namespace runtime) are never asked about VMs, so a VM's start and stop are
  the simulator's bookkeeping alone and exec in it is refused; other runtimes get
  the VM's home as its root, as before.
* Actions on another node (migrate) run with that node's ``VE_LAB_ROOT``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os

from .common import LAB_ROOT_ENV, err, flush
from .runtime import ChrootRuntime, RuntimeLoadError, load_runtime, make_settings, runs_vms, start_runtime
from .virtuozzo_state import RC_FAIL, fail

MB = 1024 * 1024
DEF_CPUUNITS = 1000


class LabRuntime(ChrootRuntime):
    """The default runtime, with messages in prlctl's words."""

    def missing(self, ctid, program, root_dir):
        err('prlctl (lab): CT %s has no %s in its root %s (placeholder template without busybox?)'
            % (ctid, program, root_dir))


def runtime():
    try:
        return load_runtime(LabRuntime)
    except RuntimeLoadError as exc:
        fail(RC_FAIL, str(exc))
    return None


@contextlib.contextmanager
def on_node(node):
    """``$VE_LAB_ROOT`` of ``node`` while the runtime acts (it keeps its state under the node's root)."""
    saved = os.environ.get(LAB_ROOT_ENV)
    os.environ[LAB_ROOT_ENV] = node.lab.root
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(LAB_ROOT_ENV, None)
        else:
            os.environ[LAB_ROOT_ENV] = saved


def root_of(node, ve):
    return node.rootfs(ve) if ve['type'] == 'CT' else node.lab.path(ve['home'])


def runtime_settings(ve):
    """``settings`` of ``start`` for ``ve`` (see the module docstring)."""
    addresses = []
    for device in ve.get('devices') or ():
        if device.get('kind') == 'net':
            addresses.extend(device.get('ips') or ())
    units = ve.get('cpuunits')
    return make_settings(ve.get('hostname'), addresses, memory=(ve.get('memsize') or 0) * MB, cpus=ve.get('cpus'),
                         cpu_shares=int(units) * 1024 // DEF_CPUUNITS if units else None)


def handled(rt, ve):
    """Whether runtime ``rt`` is asked to act for ``ve``."""
    return ve['type'] == 'CT' or runs_vms(rt)


def run_start(node, ve):
    """Start ``ve`` in the runtime; its exit code (0 when the runtime does not run this kind of VE)."""
    rt = runtime()
    if not handled(rt, ve):
        return 0
    flush()
    with on_node(node):
        return start_runtime(rt, ve['uuid'], root_of(node, ve), runtime_settings(ve))


def run_stop(node, ve):
    rt = runtime()
    if not handled(rt, ve):
        return 0
    flush()
    with on_node(node):
        return rt.stop(ve['uuid'])


def run_exec(node, ve, argv, stdin=None):
    """``argv`` in ``ve``; its exit status (the caller has checked the VE runs)."""
    rt = runtime()
    if not handled(rt, ve):
        # Lab wording: the namespace runtime has no VM to run the command in.
        fail(RC_FAIL, 'Failed to execute the command in the VM: the lab runtime %s does not run VMs.'
             % getattr(rt, 'name', type(rt).__name__))
    flush()
    with on_node(node):
        return rt.exec(ve['uuid'], root_of(node, ve), argv, stdin)
