# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the connection plugins vzctl, prlctl and zlogin share: a VE reached through its hardware node.

``VEConnection`` is a ``ConnectionBase`` that runs every command inside one
VE: it reaches the VE's node with ``_node.NodeShell`` (OpenSSH with
connection sharing, or locally) and wraps the command in the platform's
"run this inside" argv, built by the backend client of ``module_utils``
(``vzctl exec2 CTID CMD``, ``prlctl exec NAME CMD``, ``zlogin ZONE CMD``: each
hands CMD to a shell inside the VE, exactly as Ansible's command strings
expect). A subclass says which tool (``exec_argv``) and how to read the VE's
state when something fails (``read_state``, through the same client).

* Files move as byte streams over the same channel: ``put_file`` streams the
  local file into ``cat > PATH`` inside the VE, ``fetch_file`` streams
  ``cat PATH`` out of it. The data is never part of a command line; the path
  is quoted for the VE's shell. Writes happen *inside* the VE (its mount
  namespace, its root), so a symbolic link planted in the VE cannot redirect a
  write to the node's own files.
* A failure whose exit status the tool also uses for "VE not running" or "no
  such VE" is checked with one state read, so a command's own exit status is
  returned unchanged and a stopped or missing VE raises
  ``AnsibleConnectionFailure`` naming the node and the VE.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shlex

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandError
from ansible_collections.datacenter.ve.plugins.plugin_utils._node import NodeShell, NodeUnreachable

display = Display()

RUNNING, STOPPED, MISSING, UNKNOWN = 'running', 'stopped', 'missing', 'unknown'


class VEConnection(ConnectionBase):
    """Base of the VE connection plugins; subclasses set the class attributes and the argv methods."""

    has_pipelining = True
    default_user = 'root'
    # Set by subclasses: the plugin's short name (option/var prefix), its VE option and what it calls a VE.
    plugin = None
    ve_option = None
    ve_kind = 'VE'
    # Exit statuses with which the tool (not the command) may report a stopped or missing VE.
    suspect_rcs = ()

    def __init__(self, *args, **kwargs):
        super(VEConnection, self).__init__(*args, **kwargs)
        self._node = None
        self._client = None

    # ------------------------------------------------------------ to override
    def make_client(self, executor):
        """The backend client of module_utils bound to ``executor`` (argv builders)."""
        raise NotImplementedError

    def exec_argv(self, ve, command):
        """argv on the node that runs the shell command string ``command`` inside ``ve``."""
        raise NotImplementedError

    def read_state(self, ve):
        """RUNNING, STOPPED, MISSING or UNKNOWN, read with the client (may raise CommandError)."""
        raise NotImplementedError

    # ------------------------------------------------------------ plumbing
    @property
    def ve(self):
        value = self.get_option(self.ve_option)
        if value in (None, ''):
            raise AnsibleError('%s connection: no %s given (set ansible_%s_%s)'
                               % (self.plugin, self.ve_kind, self.plugin, self.ve_option))
        return to_text(value)

    def _where(self):
        return '%s %s on node %s' % (self.ve_kind, self.ve, self._node.label if self._node else '?')

    def _connect(self):
        if not self._connected:
            self._node = NodeShell(
                node=self.get_option('node'), user=self.get_option('node_user'), port=self.get_option('node_port'),
                private_key_file=self.get_option('node_private_key_file'),
                ssh_args=self.get_option('node_ssh_args') or '', ssh_executable=self.get_option('ssh_executable'),
                connect_timeout=self.get_option('timeout'))
            self._client = self.make_client(self._node)
            display.vvv('%s: %s' % (self.plugin, self._where()), host=self._play_context.remote_addr)
            self._connected = True
        return self

    def _run(self, argv, stdin=None, stdout=None, what='command'):
        try:
            rc, out, err = self._node.run(argv, stdin=stdin, stdout=stdout)
        except NodeUnreachable as exc:
            raise AnsibleConnectionFailure('%s (%s %s)' % (exc, self.ve_kind, self.ve))
        if rc in self.suspect_rcs:
            state = self._state()
            if state == MISSING:
                raise AnsibleConnectionFailure('%s does not exist' % self._where())
            if state == STOPPED:
                raise AnsibleConnectionFailure('%s is not running' % self._where())
        return rc, out, err

    def _state(self):
        try:
            return self.read_state(self.ve)
        except (NodeUnreachable, CommandError):
            return UNKNOWN

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super(VEConnection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        display.vvv('EXEC %s' % cmd, host=self._play_context.remote_addr)
        return self._run(self.exec_argv(self.ve, to_text(cmd)), stdin=in_data if in_data else None)

    def put_file(self, in_path, out_path):
        super(VEConnection, self).put_file(in_path, out_path)
        display.vvv('PUT %s TO %s' % (in_path, out_path), host=self._play_context.remote_addr)
        if not os.path.exists(to_bytes(in_path, errors='surrogate_or_strict')):
            raise AnsibleFileNotFound('file or module does not exist: %s' % in_path)
        command = 'cat > %s' % shlex.quote(to_text(out_path))
        with open(to_bytes(in_path, errors='surrogate_or_strict'), 'rb') as source:
            rc, dummy, err = self._run(self.exec_argv(self.ve, command), stdin=source)
        if rc != 0:
            raise AnsibleError('failed to transfer %s to %s in %s: %s' % (
                in_path, out_path, self._where(), to_text(err, errors='surrogate_or_replace').strip()))

    def fetch_file(self, in_path, out_path):
        super(VEConnection, self).fetch_file(in_path, out_path)
        display.vvv('FETCH %s TO %s' % (in_path, out_path), host=self._play_context.remote_addr)
        command = 'cat %s' % shlex.quote(to_text(in_path))
        local = to_bytes(out_path, errors='surrogate_or_strict')
        try:
            with open(local, 'wb') as sink:
                rc, dummy, err = self._run(self.exec_argv(self.ve, command), stdout=sink)
        except AnsibleError:
            os.unlink(local)
            raise
        if rc != 0:
            os.unlink(local)
            raise AnsibleError('failed to fetch %s from %s: %s' % (
                in_path, self._where(), to_text(err, errors='surrogate_or_replace').strip()))

    def reset(self):
        self.close()

    def close(self):
        self._connected = False
