# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run-time hook of the lab simulators: what "running a container" does.

The simulators keep all state themselves (running/mounted, addresses, limits);
a runtime only makes the run-time actions real. It is chosen by
``$VE_LAB_RUNTIME``:

* ``none``: the tool's state-only runtime (``ChrootRuntime`` or its subclass
  wording errors for that tool) -- start/stop do nothing more than the
  simulator's bookkeeping, exec runs the command with ``chroot <root_dir> ...``
  (the root is the unpacked template, so this is safe; the lab runs as root);
* ``namespaces``: ``sim.nsruntime:NamespaceRuntime`` -- every VE runs as a real
  container (own mount, UTS, PID, IPC and network namespaces, cgroups with its
  limits, see there);
* unset or empty: ``namespaces`` when running as root (effective UID 0), else
  ``none``. Whatever runs the simulators for module tests sets ``none``;
* ``package.module:Class``: that class (importable with ``tests/lab`` on
  ``sys.path``), instantiated without arguments, with the methods of ``Runtime``;
* a path to an executable: called as ``EXE start CTID ROOT_DIR``,
  ``EXE stop CTID`` and ``EXE exec CTID ROOT_DIR -- ARGV...`` (stdin, stdout and
  stderr passed through); its exit code is the result.

Every method returns an exit code, 0 for success.

``start`` may take a keyword argument ``settings``: a dict with the VE's
``hostname`` (str or None), its ``ipv4`` and ``ipv6`` address lists (addresses
without prefix) and its limits ``memory`` (bytes), ``cpus`` (number of CPUs,
may be fractional) and ``cpu_shares`` (relative CPU weight, 1024 = default),
each None when not configured; ``make_settings()`` builds it. Simulators call
``start`` through ``start_runtime()``, which passes ``settings`` only to
runtimes whose ``start`` accepts it, so that runtimes written for
``start(ctid, root_dir)`` keep working.

A runtime whose ``runs_vms`` attribute is false (the namespace runtime: a VM
has no root file system to run) is only asked to start, stop and exec
containers; for VMs the simulator keeps its bookkeeping alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import inspect
import os

from .common import err, flush

RUNTIME_ENV = 'VE_LAB_RUNTIME'
# The environment a command gets inside a container (vzctl's ENV_PATH plus HOME and TERM).
CT_ENV = {
    'PATH': '/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin:/usr/local/sbin',
    'HOME': '/',
    'TERM': 'linux',
}
RC_NOT_FOUND = 127
NONE = 'none'
NAMESPACES = 'namespaces'
# Short values of $VE_LAB_RUNTIME -> module:Class.
ALIASES = {
    NAMESPACES: 'sim.nsruntime:NamespaceRuntime',
}


def _rc(returncode):
    """Shell convention for a child killed by a signal."""
    return 128 - returncode if returncode < 0 else returncode


def make_settings(hostname=None, addresses=(), memory=None, cpus=None, cpu_shares=None):
    """``settings`` for ``start``: ``addresses`` (``A``, ``A/len`` or ``A/mask``) split into ipv4/ipv6 without prefix.

    Limits that are not positive numbers count as not configured (None).
    """
    plain = []
    for address in addresses or ():
        value = str(address).strip().split('/', 1)[0]
        if value and value not in plain:
            plain.append(value)

    def positive(value, kind):
        try:
            number = kind(value)
        except (TypeError, ValueError):
            return None
        return number if number > 0 else None
    return {'hostname': hostname or None,
            'ipv4': [a for a in plain if ':' not in a],
            'ipv6': [a for a in plain if ':' in a],
            'memory': positive(memory, int),
            'cpus': positive(cpus, float),
            'cpu_shares': positive(cpu_shares, int)}


class Runtime:
    """Base runtime: start and stop succeed without doing anything; exec is not available."""

    # Whether VMs (no root file system) are started/stopped/exec'd through this runtime too.
    runs_vms = True

    def start(self, ctid, root_dir, settings=None):
        """Make CT ``ctid`` (root ``root_dir``) run; ``settings``: see the module docstring."""
        return 0

    def stop(self, ctid):
        return 0

    def exec(self, ctid, root_dir, argv, stdin=None):
        """Run ``argv`` inside the container; ``stdin`` is bytes to feed, or None to pass ours through."""
        err('The lab runtime %s cannot run commands in CT %s' % (type(self).__name__, ctid))
        return RC_NOT_FOUND


class ChrootRuntime(Runtime):
    """Default runtime: exec is ``chroot ROOT_DIR ARGV...`` with a container-like environment."""

    def missing(self, ctid, program, root_dir):
        """Report that ``program`` is not in the root (subclasses word it for their tool)."""
        err('vzctl (lab): CT %s has no %s in its private area %s (placeholder template without busybox?)'
            % (ctid, program, root_dir))

    def exec(self, ctid, root_dir, argv, stdin=None):
        program = argv[0]
        if program.startswith('/') and not os.path.lexists(os.path.join(root_dir, program.lstrip('/'))):
            self.missing(ctid, program, root_dir)
            return RC_NOT_FOUND
        import shutil
        chroot = shutil.which('chroot') or '/usr/sbin/chroot'
        if not os.path.exists(chroot):
            err('vzctl (lab): chroot(8) not found on this host')
            return RC_NOT_FOUND
        flush()
        # imported here: most calls never run a process
        import subprocess
        if stdin is None:
            proc = subprocess.run([chroot, root_dir] + list(argv), env=dict(CT_ENV), check=False)
        else:
            proc = subprocess.run([chroot, root_dir] + list(argv), env=dict(CT_ENV), input=stdin, check=False)
        return _rc(proc.returncode)


class ExecutableRuntime(Runtime):
    """Delegates every action to an external program (see the module docstring)."""

    def __init__(self, program):
        self.program = program

    def _call(self, args, stdin=None):
        flush()
        import subprocess
        if stdin is None:
            proc = subprocess.run([self.program] + args, check=False)
        else:
            proc = subprocess.run([self.program] + args, input=stdin, check=False)
        return _rc(proc.returncode)

    def start(self, ctid, root_dir, settings=None):
        return self._call(['start', str(ctid), root_dir])

    def stop(self, ctid):
        return self._call(['stop', str(ctid)])

    def exec(self, ctid, root_dir, argv, stdin=None):
        return self._call(['exec', str(ctid), root_dir, '--'] + list(argv), stdin)


class RuntimeLoadError(Exception):
    """``$VE_LAB_RUNTIME`` names nothing usable."""


def runtime_spec():
    """``$VE_LAB_RUNTIME``, with the default applied: unset or empty is ``namespaces`` as root, else ``none``."""
    spec = os.environ.get(RUNTIME_ENV, '').strip()
    if not spec:
        spec = NAMESPACES if os.geteuid() == 0 else NONE
    return spec


def load_runtime(default=ChrootRuntime):
    """The runtime selected by ``$VE_LAB_RUNTIME`` (``none``: ``default()``); raises ``RuntimeLoadError`` if it cannot be loaded."""
    spec = runtime_spec()
    if spec == NONE:
        return default()
    spec = ALIASES.get(spec, spec)
    if os.sep in spec and os.path.isfile(spec):
        if not os.access(spec, os.X_OK):
            raise RuntimeLoadError('%s=%s is not executable' % (RUNTIME_ENV, spec))
        return ExecutableRuntime(spec)
    if ':' in spec:
        module_name, class_name = spec.split(':', 1)
        try:
            module = importlib.import_module(module_name)
            return getattr(module, class_name)()
        except (ImportError, AttributeError) as exc:
            raise RuntimeLoadError('%s=%s: %s' % (RUNTIME_ENV, spec, exc))
    raise RuntimeLoadError('%s=%s: expected none, namespaces, an executable path or module:Class' % (RUNTIME_ENV, spec))


def runs_vms(runtime):
    """Whether ``runtime`` is asked to start/stop/exec VMs as well as CTs (see ``Runtime.runs_vms``)."""
    return bool(getattr(runtime, 'runs_vms', True))


def start_runtime(runtime, ctid, root_dir, settings=None):
    """``runtime.start(ctid, root_dir)``, with ``settings=`` when that runtime's ``start`` takes it."""
    if settings is not None:
        try:
            accepts = 'settings' in inspect.signature(runtime.start).parameters
        except (TypeError, ValueError):
            accepts = False
        if accepts:
            return runtime.start(ctid, root_dir, settings=settings)
    return runtime.start(ctid, root_dir)
