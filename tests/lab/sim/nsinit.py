# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Init of a lab container (``sim.nsruntime``): PID 1 of the namespaces unshare(1) made.

Run as ``python -I -S nsinit.py READY_FD GO_FD`` by
``unshare --fork --pid --mount --uts --ipc --net``. It talks to the runtime
that started it over two pipes (the root and hostname come that way too, so
that the container's ``ps`` does not show host paths in its PID 1):

1. writes ``pid N`` on READY_FD, N being its PID on the host (read from the
   host's ``/proc``, still mounted at this point), so that the runtime can move
   a veth into its network namespace;
2. waits for one JSON line on GO_FD, ``{"root": ..., "hostname": ...}``, sent
   once the network is configured (end of file instead: it exits);
3. sets the container up: every mount private, ``ROOT/proc`` (a procfs of the
   new PID namespace), ``ROOT/dev`` (a small tmpfs with null, zero, full,
   random, urandom, tty and the fd links), the hostname; then chroots to ROOT;
4. writes ``up`` (or ``error TEXT``) on READY_FD and becomes init: it reaps
   every child, and on SIGTERM/SIGINT sends SIGTERM to every process of the
   container, SIGKILL to those left after a grace period, and exits.

The mounts exist only in the container's mount namespace, so they go away
with its last process and are never seen in the host's ``/proc/mounts``.
Standard library only; everything is imported before the chroot.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ctypes
import ctypes.util
import json
import os
import signal
import socket
import sys
import time

MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REC = 0x4000
MS_PRIVATE = 0x40000
# name, major, minor (mode 0666, character devices)
DEVICES = (('null', 1, 3), ('zero', 1, 5), ('full', 1, 7), ('random', 1, 8), ('urandom', 1, 9), ('tty', 5, 0))
DEV_LINKS = (('fd', '/proc/self/fd'), ('stdin', '/proc/self/fd/0'), ('stdout', '/proc/self/fd/1'),
             ('stderr', '/proc/self/fd/2'))
# Seconds the processes of the container get between SIGTERM and SIGKILL when it stops.
GRACE = 5.0
SIGNALS = (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT)

_libc = ctypes.CDLL(ctypes.util.find_library('c') or None, use_errno=True)
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)


def mount(source, target, fstype, flags=0, data=None):
    """mount(2); raises OSError naming the target."""
    def enc(value):
        return value.encode('utf-8') if value is not None else None
    if _libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, 'mount %s on %s: %s' % (fstype or source, target, os.strerror(code)))


def mount_point(root, name):
    """``ROOT/name`` as a real directory of the root (a symlink there could point out of it)."""
    path = os.path.join(root, name)
    if os.path.islink(path):
        raise OSError(0, '%s is a symbolic link; refusing to mount on it' % path)
    if not os.path.isdir(path):
        os.makedirs(path, 0o755)
    return path


def setup(root, hostname):
    """Mounts, device nodes and hostname of the container, then chroot into ``root``."""
    # unshare(1) already made the copy private; repeated because nothing may propagate to the host.
    mount(None, '/', None, MS_REC | MS_PRIVATE)
    mount('proc', mount_point(root, 'proc'), 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC)
    dev = mount_point(root, 'dev')
    mount('velab-dev', dev, 'tmpfs', MS_NOSUID | MS_NOEXEC, 'mode=755,size=1024k')
    old_umask = os.umask(0)
    try:
        for name, major, minor in DEVICES:
            os.mknod(os.path.join(dev, name), 0o666 | 0o020000, os.makedev(major, minor))
        for name in ('pts', 'shm'):
            os.mkdir(os.path.join(dev, name), 0o1777 if name == 'shm' else 0o755)
    finally:
        os.umask(old_umask)
    for name, target in DEV_LINKS:
        os.symlink(target, os.path.join(dev, name))
    socket.sethostname(hostname)
    os.chroot(root)
    os.chdir('/')


def reap():
    """Collect every child that has ended."""
    while True:
        try:
            pid, dummy = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def others_left():
    """Whether any process other than this one is left in the container."""
    try:
        return any(name.isdigit() and name != '1' for name in os.listdir('/proc'))
    except OSError:
        return False


def shutdown():
    """SIGTERM to every process of the container, SIGKILL after ``GRACE`` seconds to what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(-1, sig)  # from PID 1: every process of this PID namespace but itself
        except ProcessLookupError:
            return
        deadline = time.monotonic() + (GRACE if sig == signal.SIGTERM else 2.0)
        while time.monotonic() < deadline:
            reap()
            if not others_left():
                return
            time.sleep(0.05)


def serve():
    """Init's loop: reap children until SIGTERM or SIGINT, then shut the container down."""
    for sig in SIGNALS:
        # A handler must exist: the kernel drops signals to a namespace's init that it does not handle.
        signal.signal(sig, lambda signum, frame: None)
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    while True:
        info = signal.sigtimedwait(SIGNALS, 1.0)
        reap()
        if info is not None and info.si_signo in (signal.SIGTERM, signal.SIGINT):
            break
    shutdown()
    return 0


def main(argv):
    ready = os.fdopen(int(argv[1]), 'w', buffering=1, encoding='utf-8')
    # The host's procfs is still mounted at /proc: "self" there is our PID on the host.
    ready.write('pid %s\n' % os.readlink('/proc/self'))
    with os.fdopen(int(argv[2]), 'r', encoding='utf-8') as go:
        line = go.readline()
    if not line.strip():
        return 1
    orders = json.loads(line)
    try:
        setup(orders['root'], orders['hostname'])
    except OSError as exc:
        ready.write('error %s\n' % (exc.strerror or exc))
        return 1
    ready.write('up\n')
    ready.close()
    null = os.open('/dev/null', os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return serve()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
