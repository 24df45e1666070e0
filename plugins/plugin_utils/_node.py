# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reach a hardware node: run an argv on it over OpenSSH, or locally when the controller is the node.

Private to the collection; shared by the connection plugins (``vzctl``,
``prlctl``, ``zlogin``) and the inventory plugin.

``NodeShell`` holds how to reach one node (host, user, port, key, extra
OpenSSH arguments) and runs an argv there:

* over SSH, the argv is joined with POSIX shell quoting into the one command
  string ssh sends (the node's login shell splits it back into exactly that
  argv); the user's ``~/.ssh/config``, agent, keys and jump hosts apply as for
  any ``ssh``; connections are shared (``ControlMaster=auto``,
  ``ControlPersist``; ``persist=0`` leaves that to the ssh configuration), so
  only the first command to a node pays the handshake;
* locally (no node, or ``localhost``), the argv runs with ``subprocess``;
* data moves as bytes: ``run`` takes stdin as bytes or an open file and can
  write stdout straight to an open file, so large transfers stream and are
  binary-safe. Nothing is ever passed through a shell on the controller.

Exit status 255 is ssh's own failure *or* the remote command's; ``run`` tells
them apart by probing the node (``true`` over the shared connection) and
raises ``NodeUnreachable`` only when the node itself cannot be reached.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
import threading

from ansible_collections.datacenter.ve.plugins.module_utils._runner import C_LOCALE, LocalExecutor

LOCAL_NAMES = ('', 'localhost')
SSH_FAILURE = 255
CHUNK = 1 << 20


class NodeUnreachable(Exception):
    """The node cannot be reached (ssh failed before running anything)."""


class NodeTimeout(Exception):
    """The command (or ssh) did not finish within its timeout and was killed."""


def is_local(node):
    return node is None or str(node).strip() in LOCAL_NAMES


def quote_argv(argv):
    """One POSIX shell command string that a remote shell splits back into ``argv`` exactly."""
    return ' '.join(shlex.quote(str(arg)) for arg in argv)


def control_dir():
    """Directory for ControlMaster sockets: private to the user, short enough for a socket path.

    Without ``XDG_RUNTIME_DIR`` (cron, AWX, sudo) it is under /tmp, where anyone could create it first: a
    directory that is a link, not the user's own, or open to others is refused (NodeUnreachable), since its
    sockets carry every command sent to the nodes.
    """
    base = os.environ.get('XDG_RUNTIME_DIR') or tempfile.gettempdir()
    path = os.path.join(base, 'datacenter-ve-%d' % os.getuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise NodeUnreachable('cannot make the SSH control directory %s: %s' % (path, exc))
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        detail = (path, os.getuid(), info.st_uid, stat.S_IMODE(info.st_mode))
        raise NodeUnreachable('the SSH control directory %s is not a directory private to uid %d (owner %d, mode %o);'
                              ' remove it or set XDG_RUNTIME_DIR' % detail)
    return path


class NodeShell:
    """How to reach one node, and running argvs there."""

    def __init__(self, node=None, user=None, port=None, private_key_file=None, ssh_args='', ssh_executable='ssh',
                 connect_timeout=10, persist=60, env=None):
        self.node = None if is_local(node) else str(node).strip()
        self.user = user or None
        self.port = int(port) if port else None
        self.private_key_file = os.path.expanduser(private_key_file) if private_key_file else None
        self.ssh_args = shlex.split(ssh_args) if isinstance(ssh_args, str) else list(ssh_args or [])
        self.ssh_executable = ssh_executable or 'ssh'
        self.connect_timeout = connect_timeout
        self.persist = persist
        self.env = env

    @property
    def local(self):
        return self.node is None

    @property
    def label(self):
        """The node as errors name it."""
        if self.local:
            return 'localhost (the controller)'
        where = self.node if not self.user else '%s@%s' % (self.user, self.node)
        return where if not self.port else '%s:%s' % (where, self.port)

    def ssh_argv(self):
        """The ssh command line up to (not including) the remote command."""
        key = hashlib.sha1(repr((self.node, self.user, self.port, self.private_key_file,
                                 self.ssh_args)).encode('utf-8')).hexdigest()[:16]
        argv = [self.ssh_executable, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=%d' % self.connect_timeout]
        if self.persist:
            argv += ['-o', 'ControlMaster=auto', '-o', 'ControlPersist=%ds' % self.persist,
                     '-o', 'ControlPath=%s' % os.path.join(control_dir(), key)]
        if self.user:
            argv += ['-l', self.user]
        if self.port:
            argv += ['-p', str(self.port)]
        if self.private_key_file:
            argv += ['-i', self.private_key_file]
        return argv + self.ssh_args + ['--', self.node]

    def argv(self, remote_argv):
        """The full local argv that runs ``remote_argv`` on the node."""
        if self.local:
            return [str(a) for a in remote_argv]
        return self.ssh_argv() + [quote_argv(remote_argv)]

    def _environ(self):
        environ = dict(os.environ)
        environ.update(C_LOCALE)
        environ.update(self.env or {})
        return environ

    def run(self, remote_argv, stdin=None, stdout=None, timeout=None):
        """Run ``remote_argv`` on the node -> ``(rc, stdout bytes, stderr bytes)``.

        ``stdin``: bytes, an open binary file, or None (nothing); ``stdout``: an
        open binary file to stream into (the returned stdout is then b''), or
        None to collect it. Raises ``NodeUnreachable`` when ssh itself failed,
        ``NodeTimeout`` when ``timeout`` seconds passed first (the process is killed).
        """
        argv = self.argv(remote_argv)
        if not self.local:
            found = shutil.which(self.ssh_executable)
            if not found:
                raise NodeUnreachable('cannot reach node %s: %s is not installed on the controller'
                                      % (self.label, self.ssh_executable))
        try:
            # With a timeout, a session of its own: the timeout kills the whole process group, so a tool started
            # by a local shell cannot keep the pipes open after its shell was killed. Without one, the process
            # stays in Ansible's group and gets its Ctrl-C.
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self._environ(),
                                    close_fds=True, start_new_session=bool(timeout))
        except OSError as exc:
            if self.local:
                return 127, b'', ('%s: %s' % (remote_argv[0], exc)).encode('utf-8')
            raise NodeUnreachable('cannot reach node %s: %s' % (self.label, exc))
        expired = []
        timer = None
        if timeout:
            def expire():
                expired.append(True)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    proc.kill()
            timer = threading.Timer(timeout, expire)
            timer.daemon = True
            timer.start()
        try:
            out, err = self._communicate(proc, stdin, stdout, timeout)
        finally:
            if timer is not None:
                timer.cancel()
        if expired:
            raise NodeTimeout('%s did not finish within %s s on node %s' % (remote_argv[0], timeout, self.label))
        if proc.returncode == SSH_FAILURE and not self.local and not self.reachable():
            raise NodeUnreachable('cannot reach node %s: %s' % (
                self.label, err.decode('utf-8', 'replace').strip() or 'ssh exited 255'))
        return proc.returncode, out, err

    @staticmethod
    def _communicate(proc, stdin, stdout, timeout):
        """Feed stdin and drain stdout/stderr concurrently (no deadlock on big streams)."""
        errors = []
        chunks = []

        def drain_err():
            errors.append(proc.stderr.read())

        def feed():
            try:
                if isinstance(stdin, (bytes, bytearray)):
                    proc.stdin.write(stdin)
                else:
                    shutil.copyfileobj(stdin, proc.stdin, CHUNK)
            except (BrokenPipeError, OSError):
                pass
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        threads = [threading.Thread(target=drain_err)]
        if stdin is not None:
            threads.append(threading.Thread(target=feed))
        for thread in threads:
            thread.daemon = True
            thread.start()
        if stdout is None:
            chunks.append(proc.stdout.read())
        else:
            shutil.copyfileobj(proc.stdout, stdout, CHUNK)
        for thread in threads:
            thread.join(timeout)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return b''.join(chunks), b''.join(e for e in errors if e)

    def reachable(self):
        """Whether ``true`` runs on the node (over the shared connection)."""
        if self.local:
            return True
        try:
            proc = subprocess.run(self.ssh_argv() + ['true'], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, env=self._environ(), timeout=self.connect_timeout + 5,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return proc.returncode == 0

    # The executor interface of module_utils._runner (text in, text out), for the backend clients.
    def execute(self, argv, data=None, timeout=None, env=None):
        if env:
            argv = ['env'] + ['%s=%s' % item for item in sorted(env.items())] + list(argv)
        payload = data.encode('utf-8') if isinstance(data, str) else data
        try:
            rc, out, err = self.run(argv, stdin=payload, timeout=timeout)
        except NodeTimeout:
            return None, '', ''   # as LocalExecutor: the Runner raises CommandTimeout
        return rc, out.decode('utf-8', 'surrogateescape'), err.decode('utf-8', 'surrogateescape')

    def find_binary(self, name, extra_dirs=None):
        """Locally as ``LocalExecutor`` finds it; on a remote node the name is resolved there, by its PATH."""
        if self.local:
            return LocalExecutor().find_binary(name, extra_dirs)
        return name
