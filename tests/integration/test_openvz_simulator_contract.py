# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract of the OpenVZ lab simulator (tests/lab/bin/vzctl, vzlist).

One test per behaviour of /work/shared/reference/openvz.md that a module may
rely on; each names its section (``§3.3`` ...). Every test gets a fresh node
(a copy of one made by ``labctl init-node`` for the session, so that the suite
stays fast) and runs the tools as processes, the way modules will: argv lists,
no shell, ``VE_LAB_ROOT``/``VE_LAB_LOG`` set.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(COLLECTION_ROOT, 'tests', 'lab')
BIN = os.path.join(LAB, 'bin')
LABCTL = os.path.join(LAB, 'labctl')
TEMPLATE = 'debian-12-x86_64'
LONG_MAX = 9223372036854775807
needs_busybox = pytest.mark.skipif(not os.path.exists('/bin/busybox'), reason='busybox-static is not installed')

# §6.3: every field of index 0, in table order.
JSON_KEYS = [
    'ctid', 'veid', 'vpsid', 'private', 'root', 'mount_opts', 'origin_sample', 'hostname', 'name',
    'smart_name', 'description', 'ostemplate', 'ip', 'nameserver', 'searchdomain', 'status', 'kmemsize',
    'lockedpages', 'privvmpages', 'shmpages', 'numproc', 'physpages', 'vmguarpages', 'oomguarpages',
    'numtcpsock', 'numflock', 'numpty', 'numsiginfo', 'tcpsndbuf', 'tcprcvbuf', 'othersockbuf',
    'dgramrcvbuf', 'numothersock', 'dcachesize', 'numfile', 'numiptent', 'swappages', 'diskspace',
    'diskinodes', 'laverage', 'uptime', 'cpulimit', 'cpuunits', 'cpus', 'ioprio', 'iolimit', 'iopslimit',
    'onboot', 'bootorder', 'layout', 'features', 'vswap', 'disabled', 'vm_overcommit', 'netfilter',
    'capability',
]
UBC_KEYS = JSON_KEYS[JSON_KEYS.index('kmemsize'):JSON_KEYS.index('swappages') + 1]


def tool_env(extra=None):
    env = dict(os.environ)
    # the launchers' "#!/usr/bin/env python" must find this interpreter
    env['PATH'] = os.pathsep.join([BIN, os.path.dirname(sys.executable), env.get('PATH', '')])
    env['VE_LAB_RUNTIME'] = 'none'  # state-only runtime, exec chrooted (unset would mean namespaces as root)
    env.update(extra or {})
    return env


class Node:
    """A lab node in tmp_path and helpers to run the simulated tools against it."""

    def __init__(self, root, log):
        self.root = str(root)
        self.log = str(log)

    def run(self, tool, *args, **kwargs):
        env = tool_env({'VE_LAB_ROOT': self.root, 'VE_LAB_LOG': self.log})
        env.update(kwargs.pop('env', {}))
        return subprocess.run([os.path.join(BIN, tool)] + [str(a) for a in args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              check=False, timeout=60, **kwargs)

    def vzctl(self, *args, **kwargs):
        return self.run('vzctl', *args, **kwargs)

    def vzlist(self, *args, **kwargs):
        return self.run('vzlist', *args, **kwargs)

    def ok(self, *args, **kwargs):
        proc = self.vzctl(*args, **kwargs)
        assert proc.returncode == 0, (args, proc.returncode, proc.stdout, proc.stderr)
        return proc

    def path(self, real):
        return os.path.join(self.root, real.lstrip('/'))

    def conf(self, ctid=101):
        with open(self.path('/etc/vz/conf/%d.conf' % ctid), encoding='utf-8') as handle:
            return handle.read()

    def conf_lines(self, ctid=101):
        return self.conf(ctid).splitlines()

    def json(self, *args):
        proc = self.vzlist('-j', *args)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def write(self, real, text):
        with open(self.path(real), 'w', encoding='utf-8') as handle:
            handle.write(text)


def labctl_init(directory):
    proc = subprocess.run([LABCTL, 'init-node', str(directory), '--technology', 'openvz'], env=tool_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope='session')
def golden(tmp_path_factory):
    """Nodes made once per session and copied for each test: fresh from labctl, and with CT 101 created."""
    base = tmp_path_factory.mktemp('golden')
    labctl_init(base / 'node')
    shutil.copytree(str(base / 'node'), str(base / 'ct'), symlinks=True)
    Node(base / 'ct', base / 'ct.jsonl').ok('create', 101, '--ostemplate', TEMPLATE)
    return base


@pytest.fixture
def node(tmp_path, golden):
    shutil.copytree(str(golden / 'node'), str(tmp_path / 'node'), symlinks=True)
    return Node(tmp_path / 'node', tmp_path / 'calls.jsonl')


@pytest.fixture
def ct(tmp_path, golden):
    """A node where ``vzctl create 101 --ostemplate debian-12-x86_64`` has run."""
    shutil.copytree(str(golden / 'ct'), str(tmp_path / 'node'), symlinks=True)
    return Node(tmp_path / 'node', tmp_path / 'calls.jsonl')


@pytest.fixture
def running(ct):
    ct.ok('start', 101)
    return ct


# ---------------------------------------------------------------- §3.1 create

def test_create_prints_the_sheet_lines_and_saves_the_config(node):  # openvz.md §3.1, §7.1
    proc = node.vzctl('create', 101, '--ostemplate', TEMPLATE, '--ipadd', '10.0.0.1', '--hostname', 'ct101')
    assert proc.returncode == 0 and proc.stderr == ''
    assert proc.stdout.splitlines() == [
        'Creating container private area (%s)' % TEMPLATE,
        'Performing postcreate actions',
        'CT configuration saved to /etc/vz/conf/101.conf',
        'Container private area was created',
    ]
    lines = node.conf_lines()
    assert 'PHYSPAGES="0:256M"' in lines     # the vswap-256m sample, kept as written
    for line in ('IP_ADDRESS="10.0.0.1"', 'HOSTNAME="ct101"', 'VE_ROOT="/vz/root/$VEID"',
                 'VE_PRIVATE="/vz/private/$VEID"', 'VE_LAYOUT="ploop"', 'OSTEMPLATE="%s"' % TEMPLATE,
                 'ORIGIN_SAMPLE="vswap-256m"'):
        assert line in lines
    assert os.path.isfile(node.path('/vz/private/101/etc/os-release'))
    assert node.vzctl('status', 101).stdout == 'CTID 101 exist unmounted down\n'   # not started


def test_create_twice_is_refused_with_44(ct):  # openvz.md §3.1
    proc = ct.vzctl('create', 101, '--ostemplate', TEMPLATE)
    assert proc.returncode == 44
    assert 'Private area already exists in /vz/private/101' in proc.stderr
    assert 'Creation of container private area failed' in proc.stderr
    assert 'Warning: CT config file already exists, not applying a default config sample.' in proc.stdout


def test_create_with_a_missing_template_fails_91_and_rolls_back(node):  # openvz.md §3.1
    proc = node.vzctl('create', 101, '--ostemplate', 'nosuch-1-x86')
    assert proc.returncode == 91
    assert proc.stderr.splitlines() == [
        'Cached OS template /vz/template/cache/nosuch-1-x86.tar[.gz|.bz2|.xz] not found',
        'Creation of container private area failed',
    ]
    assert not os.path.exists(node.path('/etc/vz/conf/101.conf'))
    assert not os.path.exists(node.path('/vz/private/101'))


def test_create_default_template_is_def_ostemplate(node):  # openvz.md §3.1, §7.2
    proc = node.vzctl('create', 101)
    assert proc.returncode == 91
    assert 'Cached OS template /vz/template/cache/centos-6-x86.tar[.gz|.bz2|.xz] not found' in proc.stderr


def test_create_config_option_with_existing_config_is_82(node):  # openvz.md §3.1
    node.vzctl('set', 105, '--onboot', 'yes', '--save')
    proc = node.vzctl('create', 105, '--ostemplate', TEMPLATE, '--config', 'vswap-1g')
    assert proc.returncode == 82
    assert ('Error: container config file /etc/vz/conf/105.conf already exists, can not use --config option'
            in proc.stderr)
    proc = node.vzctl('create', 106, '--config', 'nosuch')
    assert proc.returncode == 82 and 'Sample config /etc/vz/conf/ve-nosuch.conf-sample not found' in proc.stderr


def test_create_of_an_existing_config_warns_and_proceeds(node):  # openvz.md §3.1
    node.vzctl('set', 105, '--onboot', 'yes', '--save')
    proc = node.vzctl('create', 105, '--ostemplate', TEMPLATE)
    assert proc.returncode == 63        # no sample applied, so no DISKSPACE for ploop
    node.vzctl('set', 105, '--diskspace', '1G', '--save')
    proc = node.vzctl('create', 105, '--ostemplate', TEMPLATE)
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[:2] == [
        'Warning: CT config file already exists, not applying a default config sample.',
        'It might lead to incomplete CT configuration, you can use --applyconfig to fix.',
    ]
    assert 'ONBOOT="yes"' in node.conf_lines(105) and 'PHYSPAGES="0:256M"' not in node.conf_lines(105)


def test_create_ploop_needs_diskspace_63(node):  # openvz.md §3.1
    node.write('/etc/vz/conf/ve-nodisk.conf-sample', 'PHYSPAGES="0:256M"\n')
    proc = node.vzctl('create', 101, '--ostemplate', TEMPLATE, '--config', 'nodisk')
    assert proc.returncode == 63
    assert 'Error: diskspace not set (required for ploop)' in proc.stderr
    assert not os.path.exists(node.path('/etc/vz/conf/101.conf'))
    node.ok('create', 101, '--ostemplate', TEMPLATE, '--config', 'nodisk', '--layout', 'simfs')
    assert 'VE_LAYOUT="simfs"' in node.conf_lines()
    node.ok('create', 102, '--ostemplate', TEMPLATE, '--config', 'nodisk', '--diskspace', '1G')
    assert 'DISKSPACE="1048576:1048576"' in node.conf_lines(102)


def test_create_with_name_and_reserved_ids(node):  # openvz.md §1, §3.1
    proc = node.ok('create', 101, '--ostemplate', TEMPLATE, '--name', 'web')
    assert 'Name web assigned' in proc.stdout and 'NAME="web"' in node.conf_lines()
    assert os.readlink(node.path('/etc/vz/names/web')).endswith('101.conf')
    assert node.vzctl('create', 100, '--ostemplate', TEMPLATE).returncode == 21


# ---------------------------------------------------------------- §1, §2 general rules

@pytest.mark.parametrize('args,rc,stderr', [
    (['start'], 21, 'CT ID missing\n'),
    (['start', 'nosuch'], 21, 'Bad CT ID nosuch\n'),
    (['start', '0'], 21, 'Only set actions are allowed for CT0\n'),
    (['frobnicate', '101'], 20, 'Bad command: frobnicate\n'),
    (['destroy', '101', 'extra'], 20, 'Invalid options: extra \n'),
], ids=['ctid-missing', 'bad-ctid', 'ct0', 'bad-command', 'stray-args'])
def test_general_argument_errors(ct, args, rc, stderr):  # openvz.md §1, §2
    proc = ct.vzctl(*args)
    assert (proc.returncode, proc.stderr) == (rc, stderr)


@pytest.mark.parametrize('command', ['start', 'stop', 'destroy', 'mount', 'umount', 'restart', 'suspend'])
def test_missing_config_is_14(node, command):  # openvz.md §2
    proc = node.vzctl(command, 999)
    assert proc.returncode == 14
    assert proc.stderr == 'Container config file does not exist\n'


def test_unknown_option_of_set(ct):  # openvz.md §4 (exit code per vzctl-actions.c parse_opt)
    proc = ct.vzctl('set', 101, '--bogus', '1', '--save')
    assert proc.returncode == 21
    assert "vzctl: unrecognized option '--bogus'" in proc.stderr


def test_lock_held_by_a_live_process_is_9(ct):  # openvz.md §2
    ct.write('/vz/lock/101.lck', '%d\n' % os.getpid())
    proc = ct.vzctl('start', 101)
    assert (proc.returncode, proc.stderr) == (9, 'Container already locked\n')
    assert ct.vzctl('status', 101).returncode == 0           # status does not lock
    assert ct.vzctl('--skiplock', 'start', 101).returncode == 0
    assert ct.vzctl('exec2', 101, 'true').returncode != 9     # neither does exec
    ct.write('/vz/lock/101.lck', '999999999\n')                # stale: no such process
    assert ct.vzctl('stop', 101).returncode == 0
    assert not os.path.exists(ct.path('/vz/lock/101.lck'))


def test_names_work_wherever_a_ctid_does(ct):  # openvz.md §1, §3.4, §6
    ct.ok('set', 101, '--name', 'web1', '--save')
    assert ct.vzctl('status', 'web1').stdout == 'CTID 101 exist unmounted down\n'
    ct.ok('start', 'web1')
    proc = ct.vzlist('-H', '-o', 'ctid,name', 'web1')
    assert proc.stdout == '       101 web1\n'


def test_vzctl_log_file(running):  # openvz.md §2
    with open(running.path('/var/log/vzctl.log'), encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    assert any(line.endswith(' vzctl : CT 101 : Container start in progress...') for line in lines)


def test_version_and_missing_lab_root(node):  # openvz.md §2; lab convention
    assert node.vzctl('--version').stdout == 'vzctl version 4.11.1\n'
    proc = subprocess.run([os.path.join(BIN, 'vzctl'), 'status', '101'], env=tool_env({'VE_LAB_ROOT': ''}),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert (proc.returncode, proc.stderr) == (10, 'VE_LAB_ROOT is not set\n')


# ---------------------------------------------------------------- §3.2 start, §3.3 stop/restart/destroy

def test_start_output_and_second_start_is_32(ct):  # openvz.md §3.2
    ct.ok('set', 101, '--ipadd', '10.0.0.1', '--save')
    proc = ct.vzctl('start', 101)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        'Starting container...',
        'Container is mounted',
        'Adding IP address(es): 10.0.0.1',
        'Setting CPU units: 1000',
        'Container start in progress...',
    ]
    proc = ct.vzctl('start', 101)
    assert (proc.returncode, proc.stderr) == (32, 'Container is already running\n')


def test_start_wait_disabled_and_missing_private(ct):  # openvz.md §3.2
    lines = ct.ok('start', 101, '--wait').stdout.splitlines()
    assert lines[-2:] == ['Container start in progress, waiting ...', 'Container started successfully']
    ct.ok('stop', 101)
    ct.ok('set', 101, '--disabled', 'yes', '--save')
    proc = ct.vzctl('start', 101)
    assert (proc.returncode, proc.stderr) == (105, 'Container start disabled\n')
    ct.ok('start', 101, '--force')
    ct.ok('stop', 101)
    os.rename(ct.path('/vz/private/101'), ct.path('/vz/private/101.away'))
    proc = ct.vzctl('start', 101, '--force')
    assert (proc.returncode, proc.stderr) == (43, 'Container private area /vz/private/101 does not exist\n')


def test_stop_of_a_stopped_ct_is_0_with_stderr(running):  # openvz.md §3.3
    proc = running.vzctl('stop', 101)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ['Stopping container ...', 'Container was stopped', 'Container is unmounted']
    proc = running.vzctl('stop', 101)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', 'Unable to stop: container is not running\n')


def test_stop_fast_and_restart(running):  # openvz.md §3.3
    proc = running.ok('restart', 101)
    assert proc.stdout.splitlines()[:4] == ['Restarting container', 'Stopping container ...',
                                            'Container was stopped', 'Container is unmounted']
    assert 'Starting container...' in proc.stdout
    assert running.ok('stop', 101, '--fast').stdout.splitlines()[0] == 'Killing container ...'


def test_destroy_refusals_go_to_stdout(running):  # openvz.md §3.3
    proc = running.vzctl('destroy', 101)
    assert (proc.returncode, proc.stdout, proc.stderr) == (32, 'Container is currently running. Stop it first.\n', '')
    running.ok('stop', 101)
    running.ok('mount', 101)
    proc = running.vzctl('delete', 101)
    assert (proc.returncode, proc.stdout, proc.stderr) == (41, 'Container is currently mounted (umount first)\n', '')


def test_destroy_renames_config_and_removes_names_and_dump(running):  # openvz.md §3.3
    running.ok('set', 101, '--name', 'web1', '--save')
    running.ok('suspend', 101)
    proc = running.vzctl('destroy', 101)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ['Destroying container private area: /vz/private/101',
                                        'Container private area was destroyed']
    assert os.path.isfile(running.path('/etc/vz/conf/101.conf.destroyed'))
    assert not os.path.exists(running.path('/etc/vz/conf/101.conf'))
    assert not os.path.lexists(running.path('/etc/vz/names/web1'))
    assert not os.path.exists(running.path('/vz/dump/Dump.101'))
    assert not os.path.exists(running.path('/vz/private/101'))
    assert running.vzctl('destroy', 101).returncode == 14      # not idempotent
    assert running.vzctl('status', 101).stdout == 'CTID 101 deleted unmounted down\n'


# ---------------------------------------------------------------- §3.4 status, §3.5 mount, §3.7 suspend

@pytest.mark.parametrize('setup,line', [
    ([('start',)], 'CTID 101 exist mounted running'),
    ([], 'CTID 101 exist unmounted down'),
    ([('mount',)], 'CTID 101 exist mounted down'),
    ([('start',), ('suspend',)], 'CTID 101 exist unmounted down suspended'),
], ids=['running', 'stopped', 'mounted', 'suspended'])
def test_status_lines(ct, setup, line):  # openvz.md §3.4
    for step in setup:
        ct.ok(step[0], 101)
    proc = ct.vzctl('status', 101)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, line + '\n', '')


def test_status_of_a_nonexistent_ct(node):  # openvz.md §3.4
    proc = node.vzctl('status', 999)
    assert (proc.returncode, proc.stdout) == (0, 'CTID 999 deleted unmounted down\n')


def test_mount_and_umount(ct):  # openvz.md §3.5
    proc = ct.vzctl('umount', 101)
    assert (proc.returncode, proc.stderr) == (40, 'CT is not mounted\n')
    assert ct.ok('mount', 101).stdout == 'Container is mounted\n'
    proc = ct.vzctl('mount', 101)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', 'Container is already mounted\n')
    assert ct.ok('umount', 101).stdout == 'Container is unmounted\n'
    ct.ok('start', 101)
    proc = ct.vzctl('umount', 101)
    assert (proc.returncode, proc.stderr) == (32, 'Container is running -- stop it first\n')


def test_suspend_and_resume(running):  # openvz.md §3.7
    running.ok('set', 101, '--ipadd', '10.0.0.1', '--save')
    proc = running.vzctl('suspend', 101)
    assert proc.returncode == 0 and proc.stdout.splitlines()[-2:] == [
        'Checkpointing completed successfully', 'Container is unmounted']
    assert os.path.isfile(running.path('/vz/dump/Dump.101'))
    assert running.json('-a', '-o', 'status')[0]['status'] == 'suspended'
    proc = running.vzctl('suspend', 101)
    assert proc.returncode == 31
    proc = running.ok('resume', 101)
    assert proc.stdout.splitlines()[-1] == 'Restoring completed successfully'
    assert running.vzctl('status', 101).stdout == 'CTID 101 exist mounted running\n'
    assert running.json('-o', 'ip')[0]['ip'] == ['10.0.0.1']
    assert running.vzctl('resume', 101).returncode == 32


def test_start_restores_a_suspended_ct(running):  # openvz.md §3.2, §3.7
    running.ok('suspend', 101)
    proc = running.ok('start', 101)
    assert proc.stdout.splitlines()[0] == 'Dump file /vz/dump/Dump.101 exists, trying to restore from it'
    assert not os.path.exists(running.path('/vz/dump/Dump.101'))


# ---------------------------------------------------------------- §3.6 exec

def test_exec_collapses_failures_to_8(ct):  # openvz.md §3.6
    proc = ct.vzctl('exec', 101, 'true')
    assert (proc.returncode, proc.stderr) == (8, 'Container is not running\n')
    proc = ct.vzctl('exec2', 101, 'true')
    assert (proc.returncode, proc.stderr) == (31, 'Container is not running\n')


@needs_busybox
def test_exec_codes_and_joined_arguments(running):  # openvz.md §3.6
    assert running.vzctl('exec', 101, 'exit 3').returncode == 8
    assert running.vzctl('exec2', 101, 'exit 3').returncode == 3
    assert running.vzctl('exec', 101, 'true').returncode == 0
    proc = running.vzctl('exec2', 101, 'echo', 'a   b', '|', 'cat')     # quoting is lost, the shell re-splits
    assert proc.stdout == 'a b\n'


@needs_busybox
def test_exec_runs_inside_the_template(running):  # lab convention: exec chroots into the private area
    proc = running.vzctl('exec2', 101, 'cat', '/etc/os-release')
    assert proc.returncode == 0 and 'ID=debian' in proc.stdout and 'VERSION_ID="12"' in proc.stdout


def _fingerprint(path):
    try:
        with open(path, 'rb') as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (IOError, OSError):
        info = os.stat(path)
        return (info.st_mtime_ns, info.st_size)


@needs_busybox
def test_chpasswd_in_the_ct_changes_only_the_ct_shadow(running):  # lab convention: template chpasswd
    host = _fingerprint('/etc/shadow')
    proc = running.vzctl('exec2', 101, 'chpasswd', input='root:secret\n')
    assert proc.returncode == 0, proc.stderr
    with open(running.path('/vz/private/101/etc/shadow'), encoding='utf-8') as handle:
        root = [line for line in handle.read().splitlines() if line.startswith('root:')][0]
    assert root.split(':')[1].startswith('$6$')
    assert _fingerprint('/etc/shadow') == host


@needs_busybox
def test_userpasswd_on_a_stopped_ct(ct):  # openvz.md §4 (--userpasswd: temporary start, not saved)
    proc = ct.ok('set', 101, '--userpasswd', 'root:secret', '--save')
    assert proc.stdout.splitlines() == [
        'Starting container...', 'Container is mounted', 'Container start in progress...',
        'Killing container ...', 'Container was stopped', 'Container is unmounted',
        'No changes in CT configuration, not saving',
    ]
    assert 'secret' not in ct.conf()
    assert ct.vzctl('status', 101).stdout == 'CTID 101 exist unmounted down\n'


# ---------------------------------------------------------------- §4 set

@pytest.mark.parametrize('args,line', [
    (['--ram', '1G'], 'PHYSPAGES="0:262144"'),
    (['--swap', '2G'], 'SWAPPAGES="0:524288"'),
    (['--diskspace', '2G:3G'], 'DISKSPACE="2097152:3145728"'),
    (['--diskspace', '500000'], 'DISKSPACE="500000:500000"'),
    (['--diskinodes', '200000'], 'DISKINODES="200000:200000"'),
    (['--numproc', '100:200'], 'NUMPROC="100:200"'),
    (['--numproc', '150'], 'NUMPROC="150"'),
    (['--kmemsize', 'unlimited'], 'KMEMSIZE="unlimited"'),
    (['--privvmpages', '1G:unlimited'], 'PRIVVMPAGES="262144:unlimited"'),
    (['--kmemsize', '64M'], 'KMEMSIZE="67108864"'),
    (['--cpuunits', '2000'], 'CPUUNITS="2000"'),
    (['--cpulimit', '50'], 'CPULIMIT="50"'),
    (['--onboot', 'yes'], 'ONBOOT="yes"'),
    (['--ioprio', '7'], 'IOPRIO="7"'),
    (['--description', 'web server'], 'DESCRIPTION="web server"'),
], ids=lambda value: ' '.join(value) if isinstance(value, list) else None)
def test_set_save_value_formats(ct, args, line):  # openvz.md §4 "Value formats", §7.1
    proc = ct.vzctl('set', 101, '--save', *args)
    assert (proc.returncode, proc.stdout.splitlines()[-1]) == (0, 'CT configuration saved to /etc/vz/conf/101.conf')
    assert line in ct.conf_lines()
    if args[0] == '--diskinodes':       # the CT is ploop-based
        assert proc.stdout.splitlines()[0] == 'Warning: --diskinodes is ignored for ploop-based container'


def test_set_replaces_in_place_and_keeps_other_lines(ct):  # openvz.md §4 "Value formats"
    ct.write('/etc/vz/conf/101.conf', ct.conf() + 'CUSTOM_KEY="kept"\n')
    before = ct.conf_lines()
    ct.ok('set', 101, '--ram', '512M', '--bootorder', '5', '--save')
    after = ct.conf_lines()
    index = before.index('PHYSPAGES="0:256M"')
    assert after[index] == 'PHYSPAGES="0:131072"'
    assert after[:index] + after[index + 1:len(before)] == before[:index] + before[index + 1:]
    assert after[len(before):] == ['BOOTORDER="5"']


def test_set_without_changes_does_not_save(ct):  # openvz.md §4
    ct.ok('set', 101, '--cpuunits', '1500', '--save')
    stamp = os.stat(ct.path('/etc/vz/conf/101.conf')).st_mtime_ns
    proc = ct.vzctl('set', 101, '--cpuunits', '1500', '--save')
    assert (proc.returncode, proc.stdout) == (0, 'No changes in CT configuration, not saving\n')
    assert os.stat(ct.path('/etc/vz/conf/101.conf')).st_mtime_ns == stamp


@pytest.mark.parametrize('args,message', [
    (['--cpuunits', '2000'], 'Unable to apply CPU parameters: container is not running'),
    (['--numproc', '100'], 'Unable to apply UBC parameters: container is not running'),
    (['--ram', '1G'], 'Unable to apply UBC parameters: container is not running'),
    (['--ipadd', '10.0.0.9'], 'Unable to apply network parameters: container is not running'),
])
def test_set_runtime_parameters_on_a_stopped_ct_without_save_is_31(ct, args, message):  # openvz.md §4
    before = ct.conf()
    proc = ct.vzctl('set', 101, *args)
    assert proc.returncode == 31
    assert proc.stderr == message + '\n'
    assert proc.stdout == 'WARNING: Settings were not saved to config (use --save flag)\n'
    assert ct.conf() == before


def test_set_config_only_parameter_without_save(ct):  # openvz.md §4
    proc = ct.vzctl('set', 101, '--onboot', 'yes')
    assert (proc.returncode, proc.stdout) == (0, 'WARNING: Settings were not saved to config (use --save flag)\n')


def test_set_on_a_running_ct_without_save(running):  # openvz.md §4
    before = running.conf()
    proc = running.vzctl('set', 101, '--cpuunits', '2500')
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        'Setting CPU units: 2500',
        'WARNING: Settings were not saved to config and will be lost after CT restart (use --save flag)',
    ]
    assert running.conf() == before
    assert running.json('-o', 'cpuunits')[0]['cpuunits'] == 2500     # live value from the "kernel"


def test_set_name_rules(node):  # openvz.md §1, §4
    node.ok('create', 101, '--ostemplate', TEMPLATE)
    node.ok('create', 102, '--ostemplate', TEMPLATE, '--name', 'taken')
    proc = node.vzctl('set', 101, '--name', 'web1')
    assert (proc.returncode, proc.stdout, proc.stderr) == (131, '', 'Error: unable to use --name option without --save\n')
    proc = node.vzctl('set', 101, '--name', 'bad/name', '--save')
    assert (proc.returncode, proc.stderr) == (131, 'Error: invalid name bad/name\n')
    proc = node.vzctl('set', 101, '--name', 'taken', '--save')
    assert (proc.returncode, proc.stderr) == (131, 'Conflict: name taken already used by container 102\n')
    proc = node.ok('set', 101, '--name', 'web 1.a+b_c-d', '--save')
    assert proc.stdout.splitlines() == ['Name web 1.a+b_c-d assigned', 'CT configuration saved to /etc/vz/conf/101.conf']


def test_ipadd_is_additive_and_ipdel_all_clears(ct):  # openvz.md §4, §10
    ct.ok('set', 101, '--ipadd', '10.0.0.1', '--save')
    ct.ok('set', 101, '--ipadd', '10.0.0.2/24', '--ipadd', '2001:DB8::1', '--save')
    assert 'IP_ADDRESS="10.0.0.1 10.0.0.2/24 2001:db8::1"' in ct.conf_lines()
    ct.ok('set', 101, '--ipdel', '10.0.0.1', '--save')
    assert 'IP_ADDRESS="10.0.0.2/24 2001:db8::1"' in ct.conf_lines()
    ct.ok('set', 101, '--ipdel', 'all', '--save')
    assert 'IP_ADDRESS=""' in ct.conf_lines()


def test_nameserver_and_searchdomain_replace_the_list(ct):  # openvz.md §4, §10
    ct.ok('set', 101, '--nameserver', '8.8.8.8', '--nameserver', '8.8.4.4', '--searchdomain', 'a.example', '--save')
    ct.ok('set', 101, '--nameserver', '1.1.1.1', '--save')
    lines = ct.conf_lines()
    assert 'NAMESERVER="1.1.1.1"' in lines and 'SEARCHDOMAIN="a.example"' in lines
    ct.ok('set', 101, '--nameserver', 'inherit', '--save')
    assert 'NAMESERVER="inherit"' in ct.conf_lines()


def test_ip_changes_on_a_running_ct(running):  # openvz.md §4
    proc = running.ok('set', 101, '--ipadd', '10.0.0.1', '--ipadd', '10.0.0.2', '--save')
    assert proc.stdout.splitlines()[0] == 'Adding IP address(es): 10.0.0.1 10.0.0.2'
    proc = running.ok('set', 101, '--ipdel', 'all', '--save')
    assert proc.stdout.splitlines()[0] == 'Deleting all IP address(es): 10.0.0.1 10.0.0.2'
    assert running.json('-o', 'ip')[0]['ip'] == []


def test_capabilities_on_a_running_ct_warn_and_save(running):  # openvz.md §4
    proc = running.vzctl('set', 101, '--capability', 'net_admin:on', '--features', 'nfs:on', '--save')
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == [
        'Unable to set capability on a running container',
        'Unable to set features on a running container',
        'WARNING: Some of the parameters could not be applied to a running container.',
        '\tPlease consider using --setmode option',
    ]
    assert proc.stdout == 'CT configuration saved to /etc/vz/conf/101.conf\n'
    assert 'CAPABILITY="NET_ADMIN:on"' in running.conf_lines() and 'FEATURES="nfs:on"' in running.conf_lines()


def test_setmode_restart_restarts(running):  # openvz.md §4
    proc = running.ok('set', 101, '--netfilter', 'full', '--setmode', 'restart', '--save')
    lines = proc.stdout.splitlines()
    assert lines[0] == 'Restarting container' and 'Starting container...' in lines
    assert lines[-1] == 'CT configuration saved to /etc/vz/conf/101.conf'
    assert proc.stderr == ''
    proc = running.vzctl('set', 101, '--setmode', 'restart', '--onboot', 'yes')
    assert proc.returncode == 20


def test_features_capabilities_devnodes_merge(ct):  # openvz.md §4
    ct.ok('set', 101, '--features', 'nfs:on,sysfs:off', '--capability', 'sys_time:on', '--save')
    ct.ok('set', 101, '--features', 'ppp:on', '--capability', 'net_admin:off,sys_time:off', '--save')
    lines = ct.conf_lines()
    assert 'FEATURES="sysfs:off nfs:on ppp:on"' in lines
    assert 'CAPABILITY="NET_ADMIN:off SYS_TIME:off"' in lines
    ct.ok('set', 101, '--devnodes', 'null:rw', '--devnodes', 'zero:r', '--save')
    assert 'DEVNODES="null:rw zero:r "' in ct.conf_lines()
    ct.ok('set', 101, '--devnodes', 'null:none', '--save')
    assert 'DEVNODES="zero:r "' in ct.conf_lines()
    assert ct.json('-a', '-o', 'features')[0]['features'] == {'sysfs': False, 'nfs': True, 'ppp': True}


@pytest.mark.parametrize('args', [['--cpuunits', '5'], ['--cpuunits', '500001'], ['--ioprio', '8'],
                                  ['--ram', 'lots'], ['--ipadd', '10.0.0'], ['--onboot', 'maybe']])
def test_bad_values_are_21(ct, args):  # openvz.md §4, §5
    proc = ct.vzctl('set', 101, '--save', *args)
    assert proc.returncode == 21
    assert proc.stderr.endswith('Bad parameter for %s: %s\n' % tuple(args))


# ---------------------------------------------------------------- §6 vzlist

def test_vzlist_text_layout_matches_the_sheet(node):  # openvz.md §6.1
    node.ok('create', 101, '--ostemplate', TEMPLATE, '--ipadd', '10.0.0.101', '--hostname', 'ct101.example.com')
    node.ok('create', 102, '--ostemplate', TEMPLATE, '--ipadd', '10.0.0.102')
    node.ok('start', 101)
    proc = node.vzlist('-a')
    assert (proc.returncode, proc.stderr) == (0, '')
    assert proc.stdout == (
        '      CTID      NPROC STATUS    IP_ADDR         HOSTNAME\n'
        '       101         18 running   10.0.0.101      ct101.example.com\n'
        '       102          - stopped   10.0.0.102      -\n')
    assert node.vzlist().stdout.splitlines()[1:] == ['       101         18 running   10.0.0.101      ct101.example.com']
    assert node.vzlist('-S', '-H').stdout == '       102          - stopped   10.0.0.102      -\n'


def test_vzlist_trimming(ct):  # openvz.md §6.1
    ct.ok('set', 101, '--hostname', 'h' * 40, '--ipadd', '10.0.0.1', '--ipadd', '10.0.0.2', '--save')
    trimmed = ct.vzlist('-a', '-H', '-o', 'hostname,ip,ctid').stdout
    assert trimmed == '%s %-15s        101\n' % ('h' * 32, '10.0.0.1')
    assert ct.vzlist('-a', '-H', '-o', 'ctid,ip').stdout == '       101 10.0.0.1 10.0.0.2\n'
    assert ct.vzlist('-a', '-H', '-t', '-o', 'hostname,ctid').stdout == '%s        101\n' % ('h' * 40)


def test_vzlist_one_is_right_aligned_width_10(ct):  # openvz.md §6.1, §10
    assert ct.vzlist('-1', '-a').stdout == '       101\n'


def test_vzlist_json_has_every_field_in_table_order(running):  # openvz.md §6.3
    running.ok('set', 101, '--ipadd', '10.0.0.1', '--hostname', 'ct101', '--onboot', 'yes', '--save')
    running.ok('create', 102, '--ostemplate', TEMPLATE)
    proc = running.vzlist('-a', '-j')
    assert proc.stdout.startswith('[\n  {\n    "ctid": 101,\n    "veid": 101,')
    assert proc.stdout.endswith('\n  }\n]\n')
    first, second = json.loads(proc.stdout)
    assert list(first) == JSON_KEYS and list(second) == JSON_KEYS
    assert first['smart_name'] == 101 and first['status'] == 'running' and first['ip'] == ['10.0.0.1']
    assert first['hostname'] == 'ct101' and first['onboot'] is True and second['onboot'] is None
    assert first['private'] == '/vz/private/101' and first['mount_opts'] is None
    for key in UBC_KEYS:
        assert list(first[key]) == ['held', 'maxheld', 'barrier', 'limit', 'failcnt']
        assert second[key]['held'] == second[key]['maxheld'] == second[key]['failcnt'] == 0
    assert first['physpages']['limit'] == 65536 and first['physpages']['barrier'] == 0  # "0:256M" from the sample
    assert first['kmemsize']['limit'] == LONG_MAX
    assert first['numproc']['held'] > 0
    assert list(first['diskspace']) == ['usage', 'softlimit', 'hardlimit']
    assert first['diskspace']['softlimit'] == 2097152 and first['diskinodes']['hardlimit'] == 144179
    assert isinstance(first['laverage'], list) and second['laverage'] is None
    assert isinstance(first['uptime'], float) and second['uptime'] == 0
    assert proc.stdout.count('"uptime": 0.000') == 1
    assert first['cpuunits'] == 1000 and second['cpuunits'] == 1000 and first['cpulimit'] == 0
    assert first['cpus'] == 0 and first['ioprio'] == 0 and first['iolimit'] == 0
    assert first['layout'] == 'ploop' and first['vswap'] is True and first['disabled'] is False
    assert first['vm_overcommit'] == 0 and first['netfilter'] == 'stateless'
    assert first['features'] is None and first['capability'] is None


def test_vzlist_json_selected_fields(ct):  # openvz.md §6.3
    ct.ok('set', 101, '--name', 'web1', '--save')
    proc = ct.vzlist('-a', '-j', '-o', 'ctid,name')
    assert proc.stdout == '[\n  {\n    "ctid": 101,\n    "name": "web1"\n  }\n]\n'
    assert json.loads(ct.vzlist('-a', '-j', '-o', 'smart_name').stdout) == [{'smart_name': 'web1'}]


def test_vzlist_json_rejects_suffixed_fields(ct):  # openvz.md §6.3
    proc = ct.vzlist('-a', '-j', '-o', 'ctid,numproc.l')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', "Field `numproc.l' is not available in JSON output\n")


def test_vzlist_field_errors(ct):  # openvz.md §6
    assert ct.vzlist('-o', 'bogus').stderr == 'Unknown field: bogus\n'
    proc = ct.vzlist('-s', 'bogus')
    assert (proc.returncode, proc.stderr) == (1, 'Invalid sort field name: bogus\n')
    proc = ct.vzlist('no-such-name')
    assert (proc.returncode, proc.stderr) == (1, 'CT ID no-such-name is invalid.\n')
    assert 'numproc.l       NPROC.L        ' in ct.vzlist('-L').stdout.splitlines()


def test_vzlist_nothing_to_show(node):  # openvz.md §6, §10
    proc = node.vzlist()
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', 'Container(s) not found\n')
    proc = node.vzlist('-a', '-j')
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '[]\n', '')
    proc = node.vzlist('101')
    assert (proc.returncode, proc.stderr) == (1, 'Container(s) not found\n')
    proc = node.vzlist('-j', '101')
    assert (proc.returncode, proc.stdout) == (1, '[]\n')


def test_vzlist_explicit_ids_include_stopped_and_skip_missing(node):  # openvz.md §6
    node.ok('create', 101, '--ostemplate', TEMPLATE)
    proc = node.vzlist('-H', '-o', 'ctid,status', '101', '999')
    assert (proc.returncode, proc.stdout) == (0, '       101 stopped\n')


def test_vzlist_hides_cts_without_private_area(ct):  # openvz.md §6
    ct.ok('set', 102, '--onboot', 'yes', '--save')       # a config without a private area
    assert ct.vzlist('-a', '-H', '-o', 'ctid').stdout == '       101\n'


def test_vzlist_json_strings_are_not_escaped(ct):  # openvz.md §6.3, §10
    ct.ok('set', 101, '--description', 'say "hi"', '--save')
    proc = ct.vzlist('-a', '-j', '-o', 'ctid,description')
    assert '"description": "say "hi""' in proc.stdout
    with pytest.raises(ValueError):
        json.loads(proc.stdout)


def test_vzlist_status_values_sort_and_filters(node):  # openvz.md §6
    for ctid, host in ((101, 'b.example'), (102, 'a.example'), (103, 'c.other')):
        node.ok('create', ctid, '--ostemplate', TEMPLATE, '--hostname', host)
    node.ok('start', 101)
    node.ok('mount', 102)
    proc = node.vzlist('-a', '-H', '-o', 'ctid,status')
    assert proc.stdout.split() == ['101', 'running', '102', 'mounted', '103', 'stopped']
    assert node.vzlist('-a', '-H', '-o', 'ctid', '-s', 'hostname').stdout.split() == ['102', '101', '103']
    assert node.vzlist('-a', '-H', '-o', 'ctid', '-s', '-hostname').stdout.split() == ['103', '101', '102']
    assert node.vzlist('-a', '-H', '-o', 'ctid', '-h', '*.example').stdout.split() == ['101', '102']


# ---------------------------------------------------------------- lab conventions: call log, faults, labctl

def test_every_call_is_logged_once(ct):  # lab convention: VE_LAB_LOG
    ct.vzctl('status', 101)
    ct.vzlist('-a', '-j')
    ct.vzctl('start', 'nosuch')
    proc = subprocess.run([os.path.join(BIN, 'vzctl'), 'status', '101'], env=tool_env({'VE_LAB_LOG': ct.log}),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert proc.returncode == 10        # VE_LAB_ROOT unset: still logged
    with open(ct.log, encoding='utf-8') as handle:
        calls = [json.loads(line) for line in handle]
    assert [c['argv'] for c in calls] == [['vzctl', 'status', '101'], ['vzlist', '-a', '-j'],
                                          ['vzctl', 'start', 'nosuch'], ['vzctl', 'status', '101']]
    assert [c['rc'] for c in calls] == [0, 0, 21, 10]
    assert all(isinstance(c['ms'], int) and c['ms'] >= 0 for c in calls)


def test_fault_with_rc_is_consumed(ct):  # lab convention: .lab/faults.json
    faults = [{'tool': 'vzctl', 'command': 'start', 'ctid': '101', 'rc': 50, 'stdout': 'out\n',
               'stderr': 'injected\n', 'times': 1}]
    ct.write('/.lab/faults.json', json.dumps(faults))
    proc = ct.vzctl('start', 101)
    assert (proc.returncode, proc.stdout, proc.stderr) == (50, 'out\n', 'injected\n')
    assert ct.vzctl('status', 101).stdout == 'CTID 101 exist unmounted down\n'   # no state change
    with open(ct.path('/.lab/faults.json'), encoding='utf-8') as handle:
        assert json.load(handle) == []
    assert ct.vzctl('start', 101).returncode == 0


def test_fault_with_hang_delays_and_then_proceeds(ct):  # lab convention: .lab/faults.json
    ct.write('/.lab/faults.json', json.dumps([{'tool': 'vzlist', 'hang': 1, 'times': 2}]))
    started = time.monotonic()
    proc = ct.vzlist('-a', '-H', '-o', 'ctid')
    assert time.monotonic() - started >= 1
    assert (proc.returncode, proc.stdout) == (0, '       101\n')
    with open(ct.path('/.lab/faults.json'), encoding='utf-8') as handle:
        assert json.load(handle)[0]['times'] == 1


def test_labctl_is_idempotent_and_knows_its_limits(node, tmp_path):  # lab convention: labctl
    proc = labctl_init(tmp_path / 'fresh')
    assert 'created vz/template/cache/debian-12-x86_64.tar.gz' in proc.stdout
    assert sorted(os.listdir(str(tmp_path / 'fresh'))) == ['.lab', 'etc', 'var', 'vz']
    assert 'kept    etc/vz/vz.conf' in labctl_init(node.root).stdout
    proc = subprocess.run([LABCTL, 'init-node', str(tmp_path), '--technology', 'openvz'], env=tool_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 1 and 'is not empty' in proc.stderr
    proc = subprocess.run([LABCTL, 'init-node', str(tmp_path / 'z'), '--technology', 'lxc'], env=tool_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 2 and 'lxc' in proc.stderr
    with open(node.path('/etc/vz/vz.conf'), encoding='utf-8') as handle:
        text = handle.read()
    for line in ('DEF_OSTEMPLATE="centos-6-x86"', 'CONFIGFILE="vswap-256m"', 'VE_LAYOUT=ploop'):
        assert line in text.splitlines()
