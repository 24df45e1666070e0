# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plumbing shared by the lab simulators (OpenVZ and zones now; Virtuozzo later).

Everything a simulated tool needs that is not about the tool itself:

* ``Lab``: the simulated node, rooted at ``$VE_LAB_ROOT``; real paths such as
  ``/etc/vz/vz.conf`` map to ``$VE_LAB_ROOT/etc/vz/vz.conf``, simulator-only
  bookkeeping lives under ``$VE_LAB_ROOT/.lab/``;
* ``ToolExit`` and ``run_tool``: end a tool with an exit code, time it and append
  one JSON line per invocation to ``$VE_LAB_LOG``;
* ``Faults``: injected failures and delays read from ``.lab/faults.json``;
* ``PidLock``: the per-container lock file holding the owner's PID;
* ``Console``: stdout/stderr/log-file writer with the quiet/verbose rules of the
  real tools;
* small JSON/atomic-write helpers.

Standard library only; Python 3.8+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import json
import os
import signal
import sys
import time

LAB_ROOT_ENV = 'VE_LAB_ROOT'
LAB_LOG_ENV = 'VE_LAB_LOG'
STATE_DIR = '.lab'

# Exit code used when VE_LAB_ROOT is missing (vzctl's VZ_NOCONFIG: no usable host configuration).
RC_NO_LAB = 10


class ToolExit(Exception):
    """End the simulated tool with ``rc``; whatever it had to say is already printed."""

    def __init__(self, rc):
        super(ToolExit, self).__init__(rc)
        self.rc = rc


def out(text):
    """Write one line to stdout, unconditionally."""
    sys.stdout.write(text + '\n')


def err(text):
    """Write one line to stderr, unconditionally."""
    sys.stderr.write(text + '\n')


def flush():
    """Flush both streams (before running a child that shares them)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass


class Lab:
    """One simulated node: maps real absolute paths into ``$VE_LAB_ROOT``."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    @classmethod
    def from_env(cls):
        root = os.environ.get(LAB_ROOT_ENV)
        if not root:
            err('%s is not set' % LAB_ROOT_ENV)
            raise ToolExit(RC_NO_LAB)
        return cls(root)

    def path(self, real):
        """Lab path of a real absolute path (``/vz/private/101`` -> ``$VE_LAB_ROOT/vz/private/101``)."""
        return os.path.join(self.root, real.lstrip('/'))

    def state(self, *parts):
        """Path of simulator-only bookkeeping under ``$VE_LAB_ROOT/.lab``."""
        return os.path.join(self.root, STATE_DIR, *parts)


# ---------------------------------------------------------------- files

def makedirs(path, mode=0o755):
    if not os.path.isdir(path):
        os.makedirs(path, mode)


def _create_unique(path):
    """Create ``<path>.<pid>.<n>`` exclusively; returns (fd, name) (the tempfile module is slow to import)."""
    for number in range(1000):
        name = '%s.%d.%d' % (path, os.getpid(), number)
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, 'cannot create a temporary file', path)


def atomic_write(path, data, mode=0o644):
    """Replace ``path`` with ``data`` (str or bytes) in one rename."""
    directory = os.path.dirname(path) or '.'
    makedirs(directory)
    if isinstance(data, str):
        data = data.encode('utf-8')
    fd, tmp = _create_unique(os.path.join(directory, '.' + os.path.basename(path)))
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except OSError:
        os.unlink(tmp)
        raise


def read_text(path, default=None):
    try:
        with open(path, encoding='utf-8', errors='surrogateescape') as handle:
            return handle.read()
    except (IOError, OSError):
        return default


def read_json(path, default=None):
    text = read_text(path)
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def write_json(path, obj):
    atomic_write(path, json.dumps(obj, indent=2, sort_keys=True) + '\n')


class FileLock:
    """``flock`` on a side file, for read-modify-write of small shared files."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        makedirs(os.path.dirname(self.path))
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None


# ---------------------------------------------------------------- invocation log

def log_invocation(tool, args, rc, elapsed_ms):
    """Append ``{"argv": [...], "rc": N, "ms": N}`` to ``$VE_LAB_LOG`` (one write, under flock)."""
    path = os.environ.get(LAB_LOG_ENV)
    if not path:
        return
    line = json.dumps({'argv': [tool] + list(args), 'rc': rc, 'ms': int(elapsed_ms)}) + '\n'
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode('utf-8'))
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _terminated(signum, _frame):
    raise ToolExit(128 + signum)


def run_tool(tool, main, args):
    """Run ``main(args)`` as the simulated ``tool``; return its exit code, logging the call.

    SIGTERM (a caller's timeout) ends the tool with 143 through the same path, so the call is
    still logged and locks are released.
    """
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _terminated)
    rc = 1
    try:
        rc = main(args) or 0
    except ToolExit as exc:
        rc = exc.rc
    except KeyboardInterrupt:
        rc = 130
    finally:
        flush()
        log_invocation(tool, args, rc, (time.monotonic() - started) * 1000)
    return rc


# ---------------------------------------------------------------- faults

class Faults:
    """Injected failures: ``$VE_LAB_ROOT/.lab/faults.json``, a JSON list of objects.

    ``{"tool": "vzctl", "command": "start", "ctid": "101", "rc": 50, "stdout": "...",
    "stderr": "...", "hang": 30, "times": 1}``: ``tool`` and ``command`` select the
    call (``command`` is optional for tools without sub-commands), ``ctid`` (or
    its synonyms ``zone`` and ``ve``) is optional. The first match wins; ``times`` (default: unlimited) is decremented
    and the fault dropped at 0, rewriting the file atomically.
    """

    def __init__(self, lab):
        self.path = lab.state('faults.json')
        self.lock_path = lab.state('faults.lock')

    @staticmethod
    def _matches(fault, tool, commands, ctids):
        if not isinstance(fault, dict):
            return False
        if fault.get('tool', tool) != tool:
            return False
        if 'command' in fault and fault['command'] not in commands:
            return False
        for key in ('ctid', 'zone', 've'):    # 'zone'/'ve': the zones/prlctl simulators' spellings of the same selector
            if key in fault and str(fault[key]) not in ctids:
                return False
        return True

    def take(self, tool, commands=(), ctids=()):
        """Return (and consume one use of) the first matching fault, or None."""
        if not os.path.exists(self.path):
            return None
        ctids = set(str(c) for c in ctids)
        with FileLock(self.lock_path):
            faults = read_json(self.path, [])
            if not isinstance(faults, list):
                return None
            for index, fault in enumerate(faults):
                if not self._matches(fault, tool, commands, ctids):
                    continue
                if 'times' in fault:
                    fault = dict(fault)
                    fault['times'] = int(fault['times']) - 1
                    if fault['times'] <= 0:
                        del faults[index]
                    else:
                        faults[index] = fault
                    atomic_write(self.path, json.dumps(faults, indent=2) + '\n')
                return fault
        return None

    @staticmethod
    def apply(fault):
        """Sleep for ``hang``; then, if the fault has ``rc``, print its output and end the tool."""
        if fault.get('hang'):
            time.sleep(float(fault['hang']))
        if 'rc' in fault:
            sys.stdout.write(fault.get('stdout', ''))
            sys.stderr.write(fault.get('stderr', ''))
            raise ToolExit(int(fault['rc']))


# ---------------------------------------------------------------- locking

def pid_alive(pid):
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PidLock:
    """A lock file holding the owner's PID; a file naming a dead process is stale and taken over."""

    def __init__(self, path):
        self.path = path
        self.held = False

    def _owner(self):
        text = read_text(self.path, '')
        try:
            return int(text.split()[0])
        except (IndexError, ValueError):
            return 0

    def acquire(self):
        """Take the lock; False if another live process holds it."""
        makedirs(os.path.dirname(self.path))
        me = os.getpid()
        for dummy in range(20):
            fd, tmp = _create_unique(self.path + '.new')
            try:
                os.write(fd, ('%d\n' % me).encode('ascii'))
                os.close(fd)
                try:
                    os.link(tmp, self.path)
                    self.held = True
                    return True
                except OSError as exc:
                    if exc.errno != errno.EEXIST:
                        raise
            finally:
                os.unlink(tmp)
            owner = self._owner()
            if owner != me and pid_alive(owner):
                return False
            try:
                os.unlink(self.path)
            except OSError:
                pass
        return False

    def release(self):
        if self.held and self._owner() == os.getpid():
            try:
                os.unlink(self.path)
            except OSError:
                pass
        self.held = False


# ---------------------------------------------------------------- console and log file

class Console:
    """Messages the way vzctl's logger prints them.

    Level < 0 (errors) goes to stderr, level 0 (information) to stdout, higher
    levels only with ``--verbose``; ``--quiet`` silences the console but not the
    log file. ``logfile`` (a lab path) receives ``<prefix><message>`` lines for
    messages up to ``log_level``.
    """

    def __init__(self, quiet=False, verbose=0):
        self.quiet = quiet
        self.verbose = verbose
        self.logfile = None
        self.log_level = 0
        self.prefix = None

    def set_logfile(self, path, log_level, prefix):
        """``prefix`` is a callable returning the line prefix (date, program, CT)."""
        self.logfile = path
        self.log_level = log_level
        self.prefix = prefix

    def _log(self, level, text):
        if self.logfile is None or level > self.log_level:
            return
        lines = ''.join('%s%s\n' % (self.prefix(), line) for line in text.split('\n'))
        try:
            makedirs(os.path.dirname(self.logfile))
            with open(self.logfile, 'a', encoding='utf-8') as handle:
                handle.write(lines)
        except (IOError, OSError):
            pass

    def info(self, text, level=0):
        if not self.quiet and level <= self.verbose:
            out(text)
        self._log(level, text)

    def error(self, text):
        if not self.quiet:
            err(text)
        self._log(-1, text)
