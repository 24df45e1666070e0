# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection plugins with the node "local" and fake tools on PATH: argv, exit status, files, errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat

import pytest

from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

# A fake tool: records its argv, runs the last argument with sh (as the real ones run the command through a
# shell inside the VE), and fakes "VE not running" with the tool's status when $FAKE_STATE says so.
FAKE_TOOL = r"""#!/bin/sh
printf '%s\n' "$0" "$@" >> "$FAKE_LOG"
case "$(basename "$0")" in
vzlist) cat "$FAKE_DIR/vzlist.json"; exit 0 ;;
zoneadm) cat "$FAKE_DIR/zones.txt"; exit 0 ;;
esac
if [ "$(basename "$0") $1" = "prlctl list" ]; then cat "$FAKE_DIR/prlctl.json"; exit 0; fi
if [ "$FAKE_STATE" != running ]; then echo "not running" >&2; exit "$FAKE_RC"; fi
for last; do :; done
exec sh -c "$last"
"""

PLUGINS = {
    'vzctl': ('ctid', '101', 31, ['vzctl', 'exec2', '101']),
    'prlctl': ('name', 'web', 255, ['prlctl', 'exec', 'web']),
    'zlogin': ('zone', 'z1', 1, ['zlogin', 'z1']),
}


@pytest.fixture
def tools(tmp_path, monkeypatch):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for name in ('vzctl', 'vzlist', 'prlctl', 'zlogin', 'zoneadm'):
        path = bin_dir / name
        path.write_text(FAKE_TOOL)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / 'calls.log'
    monkeypatch.setenv('PATH', '%s:%s' % (bin_dir, os.environ['PATH']))
    monkeypatch.setenv('FAKE_LOG', str(log))
    monkeypatch.setenv('FAKE_DIR', str(tmp_path))
    monkeypatch.setenv('FAKE_STATE', 'running')
    (tmp_path / 'vzlist.json').write_text('[]')
    (tmp_path / 'prlctl.json').write_text('[]')
    (tmp_path / 'zones.txt').write_text('0:global:running:/::ipkg:shared\n3:z1:running:/zones/z1::ipkg:shared\n')
    return tmp_path


def connection(plugin, **options):
    conn = connection_loader.get('datacenter.ve.%s' % plugin, PlayContext(), None)
    conn.set_options(direct=options)
    return conn


def calls(tools):
    text = (tools / 'calls.log').read_text() if (tools / 'calls.log').exists() else ''
    return text


@pytest.mark.parametrize('plugin', sorted(PLUGINS))
def test_command_runs_inside_with_its_exit_status_and_streams(tools, plugin):
    option, ve, dummy, head = PLUGINS[plugin]
    conn = connection(plugin, **{option: ve})
    rc, out, err = conn.exec_command("/bin/sh -c 'echo out; echo err >&2; exit 3'")
    assert (rc, out, err) == (3, b'out\n', b'err\n')
    logged = calls(tools).splitlines()
    assert [os.path.basename(logged[0])] + logged[1:len(head)] == head
    assert logged[len(head)] == "/bin/sh -c 'echo out; echo err >&2; exit 3'"


@pytest.mark.parametrize('plugin', sorted(PLUGINS))
def test_pipelined_stdin(tools, plugin):
    option, ve, dummy, dummy2 = PLUGINS[plugin]
    rc, out, dummy3 = connection(plugin, **{option: ve}).exec_command('cat', in_data=b'module \x00 source')
    assert (rc, out) == (0, b'module \x00 source')


@pytest.mark.parametrize('plugin', sorted(PLUGINS))
def test_files_both_ways_binary_and_odd_names(tools, plugin):
    option, ve, dummy, dummy2 = PLUGINS[plugin]
    conn = connection(plugin, **{option: ve})
    data = os.urandom(3 << 20) + b'\0\r\n'
    source = tools / 'src.bin'
    source.write_bytes(data)
    odd = str(tools / "in ve ünï 'q' \"d\" $x;.bin")
    conn.put_file(str(source), odd)
    with open(odd, 'rb') as handle:
        assert handle.read() == data
    back = tools / 'back.bin'
    conn.fetch_file(odd, str(back))
    assert back.read_bytes() == data
    with pytest.raises(AnsibleError, match='failed to fetch'):
        conn.fetch_file(str(tools / 'nope'), str(tools / 'nope.out'))
    assert not (tools / 'nope.out').exists()


@pytest.mark.parametrize('plugin', sorted(PLUGINS))
def test_missing_ve_is_a_connection_failure_naming_it(tools, monkeypatch, plugin):
    option, ve, rc, dummy = PLUGINS[plugin]
    monkeypatch.setenv('FAKE_STATE', 'missing')
    monkeypatch.setenv('FAKE_RC', str(rc))
    (tools / 'zones.txt').write_text('0:global:running:/::ipkg:shared\n')
    with pytest.raises(AnsibleConnectionFailure) as raised:
        connection(plugin, **{option: ve}).exec_command('true')
    assert '%s on node localhost (the controller) does not exist' % ve in str(raised.value)


def test_stopped_ve_is_a_connection_failure(tools, monkeypatch):
    monkeypatch.setenv('FAKE_STATE', 'stopped')
    monkeypatch.setenv('FAKE_RC', '31')
    (tools / 'vzlist.json').write_text(json.dumps([{'ctid': 101, 'status': 'stopped'}]))
    with pytest.raises(AnsibleConnectionFailure, match='CT 101 on node localhost .* is not running'):
        connection('vzctl', ctid='101').exec_command('true')


def test_own_exit_status_that_looks_like_the_tools_is_returned(tools):
    # zlogin exits 1 for a stopped zone, but a command may exit 1 too: the zone is running, so 1 is returned
    rc, dummy, dummy2 = connection('zlogin', zone='z1').exec_command('exit 1')
    assert rc == 1


def test_no_ve_given_is_an_error(tools):
    with pytest.raises(AnsibleError, match='no CT given'):
        connection('vzctl').exec_command('true')
