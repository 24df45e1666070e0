# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugin_utils._node: argv to reach a node, quoting, byte streams, ssh's 255 told apart from the command's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import shlex
import stat
import time

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils._runner import CommandTimeout, Runner
from ansible_collections.datacenter.ve.plugins.plugin_utils._node import NodeShell, NodeTimeout, NodeUnreachable, quote_argv

ODD = ['vzctl', 'exec2', '101', "/bin/sh -c 'echo \"$HOME\" ; ls *'", 'ünï ☃', '', 'a\nb', '$(reboot)', '`id`', '-x']


def test_quote_argv_round_trips_through_a_posix_shell_split():
    assert shlex.split(quote_argv(ODD)) == ODD


def test_remote_argv():
    shell = NodeShell('hn1.example.org', user='admin', port=2222, private_key_file='/k/id', ssh_args='-F /x/cfg -J bastion')
    argv = shell.argv(ODD)
    assert argv[0] == 'ssh'
    options = dict(argv[i + 1].split('=', 1) for i, a in enumerate(argv) if a == '-o')
    assert options['BatchMode'] == 'yes' and options['ControlMaster'] == 'auto'
    assert options['ControlPersist'] == '60s' and options['ControlPath'].startswith(os.sep)
    assert argv[argv.index('-l') + 1] == 'admin' and argv[argv.index('-p') + 1] == '2222'
    assert argv[argv.index('-i') + 1] == '/k/id'
    assert argv[-7:-3] == ['-F', '/x/cfg', '-J', 'bastion']
    assert argv[-3:-1] == ['--', 'hn1.example.org']
    assert shlex.split(argv[-1]) == ODD
    assert shell.label == 'admin@hn1.example.org:2222'


@pytest.mark.parametrize('node', [None, '', 'localhost', ' localhost '])
def test_local_node_runs_the_argv_itself(node):
    shell = NodeShell(node)
    assert shell.local and shell.argv(ODD) == ODD
    assert 'controller' in shell.label


def test_bytes_in_and_out_locally(tmp_path):
    data = bytes(range(256)) * 4096 + b'\0\r\n'
    shell = NodeShell(None)
    rc, out, err = shell.run(['cat'], stdin=data)
    assert (rc, out, err) == (0, data, b'')
    sink = io.BytesIO()
    rc, out, err = shell.run(['cat'], stdin=io.BytesIO(data), stdout=sink)
    assert (rc, out, sink.getvalue()) == (0, b'', data)
    rc, out, err = shell.run(['sh', '-c', 'echo to-err >&2; exit 7'])
    assert (rc, out, err) == (7, b'', b'to-err\n')


def test_executor_interface_for_the_backend_clients():
    shell = NodeShell(None)
    rc, out, err = shell.execute(['sh', '-c', 'echo "$X"; cat'], data='in ✓', env={'X': 'set'})
    assert (rc, out, err) == (0, 'set\nin ✓', '')
    assert shell.find_binary('sh')
    assert NodeShell('hn1').find_binary('vzctl') == 'vzctl'


def fake_ssh(tmp_path, probe_rc):
    """An 'ssh' that fails the command with 255 and answers the `true` probe with ``probe_rc``."""
    path = tmp_path / 'ssh'
    path.write_text('#!/bin/sh\nfor last; do :; done\n'
                    'if [ "$last" = true ]; then exit %d; fi\n'
                    'echo "ssh: connect to host hn1 port 22: Connection refused" >&2\nexit 255\n' % probe_rc)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_ssh_failure_is_node_unreachable(tmp_path):
    shell = NodeShell('hn1', ssh_executable=fake_ssh(tmp_path, probe_rc=255))
    with pytest.raises(NodeUnreachable) as raised:
        shell.run(['vzctl', 'exec2', '101', 'true'])
    assert 'cannot reach node hn1' in str(raised.value) and 'Connection refused' in str(raised.value)


def test_255_of_the_command_itself_is_returned(tmp_path):
    shell = NodeShell('hn1', ssh_executable=fake_ssh(tmp_path, probe_rc=0))
    rc, dummy, err = shell.run(['prlctl', 'exec', 'web', 'exit 255'])
    assert rc == 255 and b'Connection refused' in err


def test_missing_ssh_client_is_node_unreachable():
    with pytest.raises(NodeUnreachable) as raised:
        NodeShell('hn1', ssh_executable='/nonexistent/ssh').run(['true'])
    assert 'not installed on the controller' in str(raised.value)


def test_a_command_past_its_timeout_is_killed():
    shell = NodeShell(None)
    started = time.monotonic()
    with pytest.raises(NodeTimeout, match='did not finish within 0.5 s'):
        shell.run(['sleep', '30'], timeout=0.5)
    assert time.monotonic() - started < 20
    # Through the Runner executor interface, as LocalExecutor does: no status, so the Runner raises CommandTimeout.
    assert shell.execute(['sleep', '30'], timeout=0.5) == (None, '', '')
    with pytest.raises(CommandTimeout):
        Runner(shell, 'sleep', timeout=0.5).run_argv(['sleep', '30'])
    assert shell.run(['true'], timeout=5) == (0, b'', b'')


def test_no_shared_connection_without_persist():
    argv = NodeShell('hn1', persist=0).argv(['true'])
    assert not any(a.startswith(('ControlMaster', 'ControlPersist', 'ControlPath')) for a in argv)


@pytest.mark.parametrize('make', ['open_to_others', 'link', 'other_owner'])
def test_a_control_directory_others_could_use_is_refused(tmp_path, monkeypatch, make):
    monkeypatch.setenv('XDG_RUNTIME_DIR', str(tmp_path))
    path = tmp_path / ('datacenter-ve-%d' % os.getuid())
    if make == 'link':
        (tmp_path / 'elsewhere').mkdir(mode=0o700)
        path.symlink_to(tmp_path / 'elsewhere')
    else:
        path.mkdir(mode=0o700)
        if make == 'open_to_others':
            path.chmod(0o777)
        else:
            if os.geteuid() != 0:
                pytest.skip('changing the owner needs root')
            os.chown(str(path), 65534, 65534)
    with pytest.raises(NodeUnreachable, match='not a directory private to uid'):
        NodeShell('hn1').argv(['true'])


def test_the_control_directory_is_made_private(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_RUNTIME_DIR', str(tmp_path))
    argv = NodeShell('hn1').argv(['true'])
    path = tmp_path / ('datacenter-ve-%d' % os.getuid())
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert any(a.startswith('ControlPath=%s' % path) for a in argv)
