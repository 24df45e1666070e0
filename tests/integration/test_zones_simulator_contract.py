# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract of the zones lab simulator (tests/lab/bin/zoneadm, zonecfg, zlogin).

One test per behaviour of /work/shared/reference/zones.md that a module may
rely on; each names its section (``§3`` ...). Every test gets a fresh node (a
copy of one made by ``labctl init-node --technology zones`` for the session)
and runs the tools as processes, the way modules will: argv lists, no shell,
``VE_LAB_ROOT``/``VE_LAB_LOG`` set. ``VE_LAB_ZONES_RELEASE`` switches release
for the tests of §6.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(COLLECTION_ROOT, 'tests', 'lab')
BIN = os.path.join(LAB, 'bin')
LABCTL = os.path.join(LAB, 'labctl')
UUID_RE = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
needs_busybox = pytest.mark.skipif(not os.path.exists('/bin/busybox'), reason='busybox-static is not installed')
WEB = ['create', ';', 'set', 'zonepath=/zones/web', ';', 'add', 'net', ';', 'set', 'physical=e1000g0', ';',
       'set', 'address=10.0.0.5/24', ';', 'end']


def tool_env(extra=None):
    env = dict(os.environ)
    # the launchers' "#!/usr/bin/env python" must find this interpreter
    env['PATH'] = os.pathsep.join([BIN, os.path.dirname(sys.executable), env.get('PATH', '')])
    env.pop('VE_LAB_ZONES_RELEASE', None)
    env['VE_LAB_RUNTIME'] = 'none'  # state-only runtime, exec chrooted (unset would mean namespaces as root)
    env.update(extra or {})
    return env


class Node:
    """A zones lab node in tmp_path and helpers to run the simulated tools against it."""

    def __init__(self, root, log, release=None):
        self.root = str(root)
        self.log = str(log)
        self.release = release

    def run(self, tool, *args, **kwargs):
        env = tool_env({'VE_LAB_ROOT': self.root, 'VE_LAB_LOG': self.log})
        if self.release:
            env['VE_LAB_ZONES_RELEASE'] = self.release
        env.update(kwargs.pop('env', {}))
        kwargs.setdefault('stdin', subprocess.DEVNULL if 'input' not in kwargs else None)
        if kwargs['stdin'] is None:
            del kwargs['stdin']
        return subprocess.run([os.path.join(BIN, tool)] + [str(a) for a in args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              check=False, timeout=60, **kwargs)

    def zoneadm(self, *args, **kwargs):
        return self.run('zoneadm', *args, **kwargs)

    def zonecfg(self, *args, **kwargs):
        return self.run('zonecfg', *args, **kwargs)

    def zlogin(self, *args, **kwargs):
        return self.run('zlogin', *args, **kwargs)

    def ok(self, tool, *args, **kwargs):
        proc = self.run(tool, *args, **kwargs)
        assert proc.returncode == 0, (tool, args, proc.returncode, proc.stdout, proc.stderr)
        return proc

    def cfg(self, zone, *commands):
        """zonecfg -z ZONE "<commands joined by ;>" that must succeed."""
        return self.ok('zonecfg', '-z', zone, '; '.join(commands))

    def adm(self, zone, *args):
        return self.ok('zoneadm', '-z', zone, *args)

    def path(self, real):
        return os.path.join(self.root, real.lstrip('/'))

    def read(self, real):
        with open(self.path(real), encoding='utf-8') as handle:
            return handle.read()

    def write(self, real, text):
        os.makedirs(os.path.dirname(self.path(real)), exist_ok=True)
        with open(self.path(real), 'w', encoding='utf-8') as handle:
            handle.write(text)

    def index(self):
        return [line for line in self.read('/etc/zones/index').splitlines() if not line.startswith('#')]

    def listp(self):
        return self.ok('zoneadm', 'list', '-cp').stdout.splitlines()

    def state(self, zone):
        for line in self.listp():
            fields = re.split(r'(?<!\\):', line)
            if fields[1] == zone:
                return fields[2]
        return None

    def calls(self):
        with open(self.log, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle]


def labctl(directory, *args):
    return subprocess.run([LABCTL, 'init-node', str(directory), '--technology', 'zones'] + list(args), env=tool_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)


def copy_node(golden, name, tmp_path, release=None):
    shutil.copytree(str(golden / name), str(tmp_path / 'node'), symlinks=True)
    return Node(tmp_path / 'node', tmp_path / 'calls.jsonl', release)


@pytest.fixture(scope='session')
def golden(tmp_path_factory):
    """Nodes made once per session and copied for each test: fresh (three releases), web configured, installed."""
    base = tmp_path_factory.mktemp('zones-golden')
    for release in ('illumos', 's10', 's11'):
        proc = labctl(base / release, '--release', release)
        assert proc.returncode == 0, proc.stderr
    shutil.copytree(str(base / 'illumos'), str(base / 'configured'), symlinks=True)
    Node(base / 'configured', base / 'g.jsonl').ok('zonecfg', '-z', 'web', *WEB)
    shutil.copytree(str(base / 'configured'), str(base / 'installed'), symlinks=True)
    Node(base / 'installed', base / 'g.jsonl').ok('zoneadm', '-z', 'web', 'install')
    return base


@pytest.fixture
def node(tmp_path, golden):
    return copy_node(golden, 'illumos', tmp_path)


@pytest.fixture
def configured(tmp_path, golden):
    """illumos node with zone web configured (zonepath /zones/web, shared-IP net e1000g0 10.0.0.5/24)."""
    return copy_node(golden, 'configured', tmp_path)


@pytest.fixture
def installed(tmp_path, golden):
    return copy_node(golden, 'installed', tmp_path)


@pytest.fixture
def running(installed):
    installed.adm('web', 'boot')
    return installed


def release_node(golden, tmp_path, release):
    return copy_node(golden, release, tmp_path, release)


# ---------------------------------------------------------------- §1 states and transitions

def test_zonecfg_commit_makes_a_configured_zone(node):  # zones.md §1 (zonecfg create ... commit), §4.1
    proc = node.zonecfg('-z', 'web', *WEB)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert node.index()[0] == 'global:installed:/'
    assert re.match(r'web:configured:/zones/web:%s\Z' % UUID_RE, node.index()[1])
    assert os.path.isfile(node.path('/etc/zones/web.xml'))
    assert not os.path.exists(node.path('/zones/web'))     # nothing laid down yet


def test_install_lays_down_the_zone(configured):  # zones.md §1 install, §3 (zonepath mode 700)
    proc = configured.zoneadm('-z', 'web', 'install')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == '       Image: Preparing at /zones/web/root.'
    assert proc.stdout.splitlines()[-1].startswith('        Done: Installation completed in ')
    assert configured.state('web') == 'installed'
    assert stat.S_IMODE(os.stat(configured.path('/zones/web')).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(configured.path('/zones/web/root')).st_mode) == 0o755
    assert 'OmniOS' in configured.read('/zones/web/root/etc/release')
    assert re.match(r'web:installed:/zones/web:%s\Z' % UUID_RE, configured.index()[1])


def test_install_not_complete_goes_back_to_configured(configured, tmp_path):  # zones.md §1 (install "not complete")
    proc = configured.zoneadm('-z', 'web', 'install', '-a', str(tmp_path / 'missing.tar.gz'))
    assert proc.returncode == 1
    assert configured.state('web') == 'configured'
    assert not os.path.exists(configured.path('/zones/web'))


def test_install_brand_options(configured, tmp_path):  # zones.md §3 (install passes options to the brand)
    archive = tmp_path / 'image.tar.gz'
    marker = tmp_path / 'tree'
    (marker / 'etc').mkdir(parents=True)
    (marker / 'etc' / 'marker').write_text('from the archive\n')
    with tarfile.open(str(archive), 'w:gz') as tar:
        tar.add(str(marker / 'etc'), 'etc')
    profile = tmp_path / 'sc.xml'
    profile.write_text('<profile/>\n')
    configured.adm('web', 'install', '-x', 'nodataset', '-a', archive, '-c', profile)
    assert configured.read('/zones/web/root/etc/marker') == 'from the archive\n'
    assert configured.read('/zones/web/root/etc/svc/profile/sc/sc_profile.xml') == '<profile/>\n'


@pytest.mark.parametrize('setup,message', [
    ([('install',)], "zoneadm: zone 'web': is already installed.\n"),
    ([('install',), ('mark', 'incomplete')], "zoneadm: zone 'web': zone is incomplete; uninstall required.\n"),
    ([('install',), ('boot',)], "zoneadm: zone 'web': install operation is invalid for running zones.\n"),
    ([('install',), ('ready',)], "zoneadm: zone 'web': install operation is invalid for ready zones.\n"),
], ids=['installed', 'incomplete', 'running', 'ready'])
def test_install_refusals(configured, setup, message):  # zones.md §3 table (install)
    for step in setup:
        configured.adm('web', *step)
    proc = configured.zoneadm('-z', 'web', 'install')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', message)


def test_uninstall(installed):  # zones.md §1 uninstall, §3 table
    proc = installed.zoneadm('-z', 'web', 'uninstall')
    assert (proc.returncode, proc.stderr) == (
        1, "zoneadm: zone 'web': Input not from terminal and -F not specified: uninstall not done.\n")
    assert installed.state('web') == 'installed'
    proc = installed.zoneadm('-z', 'web', 'uninstall', '-F')
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert installed.state('web') == 'configured'
    assert not os.path.exists(installed.path('/zones/web'))
    proc = installed.zoneadm('-z', 'web', 'uninstall', '-F')          # not idempotent
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': is already in state 'configured'.\n")


def test_uninstall_keeps_user_data_and_refuses_running_zones(running):  # zones.md §3 table (uninstall)
    proc = running.zoneadm('-z', 'web', 'uninstall', '-F')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': uninstall operation is invalid for running zones.\n")
    running.adm('web', 'halt')
    running.write('/zones/web/userdata', 'keep me\n')
    proc = running.zoneadm('-z', 'web', 'uninstall', '-F')
    assert proc.returncode == 0
    assert proc.stderr == ('WARNING: Unable to completely remove /zones/web\nbecause it contains additional user data.  '
                           'Only the standard directory\nentries have been removed.\n')
    assert sorted(os.listdir(running.path('/zones/web'))) == ['userdata']


def test_ready_boot_halt_reboot_and_zone_ids(installed):  # zones.md §1 ready/boot/halt/reboot, §2 (IDs)
    installed.adm('web', 'ready')
    assert installed.listp()[1].startswith('1:web:ready:/zones/web:')
    installed.adm('web', 'boot')
    assert installed.listp()[1].startswith('1:web:running:')          # ready -> running keeps the ID
    installed.adm('web', 'halt')
    assert installed.listp()[1].startswith('-:web:installed:')
    installed.adm('web', 'boot')
    assert installed.listp()[1].startswith('2:web:running:')
    installed.adm('web', 'reboot')
    assert installed.listp()[1].startswith('3:web:running:')
    installed.adm('web', 'ready')                                      # ready on a running zone: halt + ready
    assert installed.listp()[1].startswith('4:web:ready:')
    installed.adm('web', 'halt')
    assert installed.state('web') == 'installed'
    assert installed.index()[1].startswith('web:installed:')           # the index never says running


@pytest.mark.parametrize('setup,args,message', [
    ([('boot',)], ['boot'], "zone 'web': zone is already booted\n"),
    ([], ['halt'], "zone 'web': zone is already halted\n"),
    ([('ready',)], ['ready'], "zone 'web': zone is already ready\n"),
], ids=['boot-running', 'halt-installed', 'ready-ready'])
def test_idempotent_zoneadmd_answers_exit_0(installed, setup, args, message):  # zones.md §3 zoneadmd, §7.5
    for step in setup:
        installed.adm('web', *step)
    proc = installed.zoneadm('-z', 'web', *args)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', message)


@pytest.mark.parametrize('args,message', [
    (['boot'], "zoneadm: zone 'web': must be installed before boot.\n"),
    (['ready'], "zoneadm: zone 'web': must be installed before ready.\n"),
    (['halt'], "zone 'web': halt operation is invalid for zones in state 'configured'\n"),
    (['reboot'], "zoneadm: zone 'web': not running\n"),
    (['detach'], "zoneadm: zone 'web': must be installed before detach.\n"),
    (['move', '/zones/elsewhere'], "zoneadm: zone 'web': must be installed before move.\n"),
], ids=['boot', 'ready', 'halt', 'reboot', 'detach', 'move'])
def test_commands_on_a_configured_zone(configured, args, message):  # zones.md §3 table, zoneadmd
    proc = configured.zoneadm('-z', 'web', *args)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', message)


def test_reboot_and_shutdown_need_a_running_zone(installed):  # zones.md §3 (reboot; shutdown follows zoneadm.c)
    for command in ('reboot', 'shutdown'):
        proc = installed.zoneadm('-z', 'web', command)
        assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': not running\n")


def test_shutdown(running):  # zones.md §1 shutdown [-r]
    running.adm('web', 'shutdown', '-r')
    assert running.listp()[1].startswith('2:web:running:')
    proc = running.zoneadm('-z', 'web', 'shutdown')
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert running.state('web') == 'installed'


def test_detach_and_attach(installed):  # zones.md §1 detach/attach, §3 table
    installed.adm('web', 'detach')
    assert installed.state('web') == 'configured'
    assert os.path.isfile(installed.path('/zones/web/SUNWdetached.xml'))
    assert os.path.isdir(installed.path('/zones/web/root'))            # the zonepath stays
    proc = installed.zoneadm('-z', 'web', 'install')
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[:2] == ['Cannot install detached zone.', 'Use attach or remove /zones/web directory.']
    installed.adm('web', 'attach')
    assert installed.state('web') == 'installed'
    assert not os.path.exists(installed.path('/zones/web/SUNWdetached.xml'))
    proc = installed.zoneadm('-z', 'web', 'attach')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': is already installed.\n")
    installed.adm('web', 'boot')
    proc = installed.zoneadm('-z', 'web', 'detach')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': detach operation is invalid for running zones.\n")


def test_attach_needs_a_zone_image(configured):  # zones.md §3 (attach); messages UNCONFIRMED in the simulator
    proc = configured.zoneadm('-z', 'web', 'attach')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': ERROR: no zone image found at /zones/web/root\n")
    proc = configured.zoneadm('-z', 'web', 'attach', '-F')
    assert proc.returncode == 1
    assert proc.stderr == ('zoneadm: /zones/web: No such file or directory\n'
                           'could not verify zonepath /zones/web because of the above errors.\n')
    assert configured.state('web') == 'configured'


def test_clone(installed):  # zones.md §1 clone, §3 table
    installed.write('/zones/web/root/etc/motd', 'cloned\n')
    installed.cfg('web2', 'create', 'set zonepath=/zones/web2')
    proc = installed.zoneadm('-z', 'web2', 'clone', 'web')
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, 'Copying /zones/web...\n', '')
    assert installed.state('web2') == 'installed'
    assert installed.read('/zones/web2/root/etc/motd') == 'cloned\n'
    assert stat.S_IMODE(os.stat(installed.path('/zones/web2')).st_mode) == 0o700
    proc = installed.zoneadm('-z', 'web2', 'clone', 'web')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web2': is already installed.\n")


def test_clone_source_checks(installed):  # zones.md §3 table (clone)
    installed.cfg('web2', 'create', 'set zonepath=/zones/web2')
    installed.cfg('lx1', 'create', 'set zonepath=/zones/lx1', 'set brand=lipkg')
    proc = installed.zoneadm('-z', 'lx1', 'clone', 'web')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: Zones 'web' and 'lx1' have different brand types.\n")
    proc = installed.zoneadm('-z', 'web2', 'clone', 'lx1')
    assert (proc.returncode, proc.stderr) == (1, 'zoneadm: zone lx1 is configured; installed is required.\n')
    installed.adm('web', 'boot')
    proc = installed.zoneadm('-z', 'web2', 'clone', 'web')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web2': clone operation is invalid for running zones.\n")
    proc = installed.zoneadm('-z', 'web2', 'clone')
    assert proc.returncode == 2 and proc.stderr.startswith('usage:\tclone [-m method]')


def test_move(installed):  # zones.md §3 (move PATH)
    installed.write('/zones/web/root/etc/motd', 'moved\n')
    proc = installed.zoneadm('-z', 'web', 'move', '/zones/new')
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert not os.path.exists(installed.path('/zones/web'))
    assert installed.read('/zones/new/root/etc/motd') == 'moved\n'
    assert installed.listp()[1].split(':')[:4] == ['-', 'web', 'installed', '/zones/new']
    assert 'set zonepath=/zones/new' in installed.cfg('web', 'export').stdout.splitlines()
    installed.adm('web', 'boot')


def test_mark_incomplete(installed):  # zones.md §1 mark incomplete
    installed.adm('web', 'mark', 'incomplete')
    assert installed.state('web') == 'incomplete'
    proc = installed.zoneadm('-z', 'web', 'boot')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': must be installed before boot.\n")
    proc = installed.zoneadm('-z', 'web', 'verify')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': zone is incomplete; uninstall required.\n")
    assert installed.zoneadm('-z', 'web', 'mark', 'installed').returncode == 2     # only with -F
    installed.adm('web', 'uninstall', '-F')
    assert installed.state('web') == 'configured'


# ---------------------------------------------------------------- §3 verify, locking, usage

def test_verify(configured):  # zones.md §3 (verify)
    proc = configured.zoneadm('-z', 'web', 'verify')
    assert proc.returncode == 0
    assert proc.stderr.splitlines()[0] == 'WARNING: /zones/web does not exist, so it could not be verified.'
    os.makedirs(configured.path('/zones/web'), 0o755)
    os.chmod(configured.path('/zones/web'), 0o755)
    proc = configured.zoneadm('-z', 'web', 'verify')
    assert (proc.returncode, proc.stdout) == (1, '')
    assert proc.stderr.splitlines() == [
        '/zones/web must not be group readable.', '/zones/web must not be group executable.',
        '/zones/web must not be world readable.', '/zones/web must not be world executable.',
        'could not verify zonepath /zones/web because of the above errors.', 'zoneadm: zone web failed to verify']
    os.chmod(configured.path('/zones/web'), 0o700)
    assert configured.zoneadm('-z', 'web', 'verify').returncode == 0


def test_boot_of_a_zone_whose_zonepath_vanished(installed):  # zones.md §3 (verify before boot)
    shutil.rmtree(installed.path('/zones/web'))
    proc = installed.zoneadm('-z', 'web', 'boot')
    assert (proc.returncode, proc.stderr) == (1, 'zoneadm: /zones/web: No such file or directory\n'
                                                 'could not verify zonepath /zones/web because of the above errors.\n'
                                                 'zoneadm: zone web failed to verify\n')


def test_lock_held_by_a_live_process(configured):  # zones.md §3 (install/uninstall lock)
    configured.write('/var/run/zones/web.zoneadm.lock', '%d\n' % os.getpid())
    proc = configured.zoneadm('-z', 'web', 'install')
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, '', "zoneadm: zone 'web': another zoneadm may have an operation in progress.\n")
    assert configured.state('web') == 'configured'
    configured.write('/var/run/zones/web.zoneadm.lock', '999999999\n')          # stale: taken over
    configured.adm('web', 'install')
    assert not os.path.exists(configured.path('/var/run/zones/web.zoneadm.lock'))


@pytest.mark.parametrize('args,rc,start', [
    ([], 2, 'usage:\tzoneadm help\n\tzoneadm [-z <zone>] [-u <uuid-match>] list\n'),
    (['-z', 'web', 'frobnicate'], 2, 'usage:\tzoneadm help\n'),
    (['-z', 'web', 'boot', '-x'], 2, 'usage:\tboot [-- boot_arguments]\n\tActivates (boots) specified zone.'),
    (['-z', 'web', 'halt', 'extra'], 2, 'usage:\thalt\n'),
    (['-z', 'nosuch', 'install'], 1, 'zoneadm: nosuch: No such zone configured\n'),
    (['boot'], 1, 'zoneadm: no zone specified\n'),
    (['-z', 'global', 'boot'], 1, 'zoneadm: zone \'global\': boot operation is invalid for the global zone.\n'),
    (['install'], 2, 'usage:\tinstall [brand-specific args]\n'),
], ids=['no-args', 'bad-subcommand', 'bad-option', 'extra-operand', 'unknown-zone', 'no-zone', 'global', 'install-no-zone'])
def test_zoneadm_usage_and_general_errors(configured, args, rc, start):  # zones.md §3 general, §7.10
    proc = configured.zoneadm(*args)
    assert proc.returncode == rc
    assert proc.stderr.startswith(start) and proc.stdout == ''


def test_zoneadm_help(node):  # zones.md §3 (subcommands; usage on stdout when asked for)
    proc = node.zoneadm('help')
    assert proc.returncode == 0 and proc.stderr == ''
    lines = proc.stdout.splitlines()
    assert 'shutdown [-r [-- boot_arguments]]' in lines and 'mark incomplete' in lines


# ---------------------------------------------------------------- §2 zoneadm list

@pytest.mark.parametrize('release,global_line,web_fields', [
    ('illumos', '0:global:running:/::ipkg:shared:0', 8),
    ('s10', '0:global:running:/::native:shared', 7),
    ('s11', '0:global:running:/::solaris:shared:-:none', 9),
])
def test_list_p_per_release(golden, tmp_path, release, global_line, web_fields):  # zones.md §2.3, §6
    node = release_node(golden, tmp_path, release)
    node.cfg('web', 'create', 'set zonepath=/zones/a:b')
    lines = node.listp()
    assert lines[0] == global_line
    fields = re.split(r'(?<!\\):', lines[1])
    assert len(fields) == web_fields
    assert fields[:4] == ['-', 'web', 'configured', '/zones/a\\:b']       # escaped colon, '-' for no zone ID
    assert re.match(UUID_RE + r'\Z', fields[4])
    assert fields[6] == ('excl' if release == 's11' else 'shared')
    if release == 'illumos':
        assert fields[7] == ''                       # no debug ID before the zone first boots
    if release == 's11':
        assert fields[7:] == ['-', '']


def test_list_p_debug_id_and_excl(installed):  # zones.md §2.3 (illumos debug ID, ip-type spelling)
    installed.cfg('web', 'set ip-type=exclusive', 'remove net', 'add net', 'set physical=vnic0', 'end')
    installed.adm('web', 'boot')
    assert installed.ok('zoneadm', '-z', 'web', 'list', '-p').stdout == \
        '1:web:running:/zones/web:%s:ipkg:excl:1\n' % installed.index()[1].split(':')[3]


def test_list_v_layout(installed):  # zones.md §2.2
    installed.cfg('a-very-long-zone-name-indeed', 'create', 'set zonepath=/zones/long/path/that/is/longer/than/thirty')
    installed.adm('web', 'boot')
    proc = installed.ok('zoneadm', 'list', '-cv')
    assert proc.stdout == (
        '  ID NAME             STATUS     PATH                           BRAND    IP    \n'
        '   0 global           running    /                              ipkg     shared\n'
        '   1 web              running    /zones/web                     ipkg     shared\n'
        '   - a-very-long-zone-name-indeed configured /zones/long/path/that/is/longer/than/thirty ipkg     shared\n')


def test_list_order_and_filters(node):  # zones.md §2 (flags, line order)
    for name in ('c', 'b', 'a', 'd'):
        node.cfg(name, 'create', 'set zonepath=/zones/%s' % name)
    for name in ('b', 'a', 'd'):
        node.adm(name, 'install')
    node.adm('d', 'boot')
    node.adm('a', 'boot')
    assert node.ok('zoneadm', 'list').stdout == 'global\nd\na\n'
    assert node.ok('zoneadm', 'list', '-i').stdout == 'global\nd\na\nb\n'
    assert node.ok('zoneadm', 'list', '-c').stdout == 'global\nd\na\nc\nb\n'
    assert node.ok('zoneadm', 'list', '-ic').stdout == 'global\nd\na\nc\nb\n'


def test_list_p_and_v_are_exclusive(configured):  # zones.md §2
    proc = configured.zoneadm('list', '-pv')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', 'zoneadm: list -p and -v are mutually exclusive.\n')
    proc = configured.zoneadm('-z', 'web', 'list', '-p', '-v')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': list -p and -v are mutually exclusive.\n")


def test_list_of_one_zone(configured):  # zones.md §2 (-z NAME)
    assert configured.ok('zoneadm', '-z', 'web', 'list').stdout == 'web\n'
    assert configured.ok('zoneadm', '-z', 'web', 'list', '-p').stdout.startswith('-:web:configured:/zones/web:')
    proc = configured.zoneadm('-z', 'nosuch', 'list', '-p')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', 'zoneadm: nosuch: No such zone configured\n')
    proc = configured.zoneadm('-z', 'web', 'list', '-c')
    assert proc.returncode == 2 and proc.stderr.startswith('usage:\tlist [-cipv]\n\tLists the current zones')
    assert configured.ok('zoneadm', '-z', 'global', 'list', '-p').stdout == '0:global:running:/::ipkg:shared:0\n'


def test_uuid_selects_the_zone(configured):  # zones.md §2 synopsis (-u uuid)
    uuid = configured.index()[1].split(':')[3]
    assert configured.ok('zoneadm', '-u', uuid, 'list').stdout == 'web\n'
    proc = configured.zoneadm('-u', 'not-a-uuid', 'list')
    assert (proc.returncode, proc.stderr) == (1, 'zoneadm: illegal UUID value specified\n')


# ---------------------------------------------------------------- §4.1-4.3 zonecfg invocation and commands

def test_one_shot_auto_commit(configured):  # zones.md §4.1 (one-shot joins argv, commits at the end)
    proc = configured.zonecfg('-z', 'web', 'set', 'autoboot=true;', 'set', 'bootargs="-m', 'verbose"')
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert configured.ok('zonecfg', '-z', 'web', 'info', 'autoboot').stdout == 'autoboot: true\n'
    assert configured.ok('zonecfg', '-z', 'web', 'info', 'bootargs').stdout == 'bootargs: -m verbose\n'


def test_one_shot_incomplete_resource_is_not_saved(configured):  # zones.md §4.1, zonecfg.c cleanup
    proc = configured.zonecfg('-z', 'web', 'add net; set physical=e1000g1; set address=10.0.0.6')
    assert (proc.returncode, proc.stderr) == (1, 'Resource incomplete.\n')
    assert 'e1000g1' not in configured.ok('zonecfg', '-z', 'web', 'export').stdout


def test_command_file(node, tmp_path):  # zones.md §4.1 (-f FILE), §7.8
    script = tmp_path / 'web.cfg'
    script.write_text('create -b\nset zonepath=/zones/web\nset brand=lipkg\nset ip-type=exclusive\n'
                      '# a comment\nadd net\nset physical=web0\nset allowed-address=192.168.1.10/24\n'
                      'set defrouter=192.168.1.1\nend\ncommit\n')
    proc = node.zonecfg('-z', 'web', '-f', script)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert node.state('web') == 'configured'
    proc = node.zonecfg('-z', 'web2', '-f', '-', input=script.read_text().replace('/zones/web', '/zones/web2'))
    assert proc.returncode == 0 and node.state('web2') == 'configured'


def test_command_file_stops_at_the_first_error(node, tmp_path):  # zones.md §4.1 (first error stops -f)
    script = tmp_path / 'bad.cfg'
    script.write_text('create -b\nset zonepath=/zones/web\nset autoboot=maybe\nset pool=web\n')
    proc = node.zonecfg('-z', 'web', '-f', script)
    assert proc.returncode == 1
    assert proc.stderr == "On line 3 of %s:\nautoboot value must be 'true' or 'false'.\n" % script
    # what came before the error is committed on the way out (zonecfg.c cleanup); what came after is not run
    export = node.ok('zonecfg', '-z', 'web', 'export').stdout
    assert 'set zonepath=/zones/web' in export and 'set pool=web' not in export


def test_syntax_errors(node, tmp_path):  # zones.md §4.1 (syntax error texts), zonecfg_lex.l yyerror
    script = tmp_path / 'syntax.cfg'
    script.write_text('create -b\nset zonepath=/zones/web\ncreate -x\nset pool=web\n')
    proc = node.zonecfg('-z', 'web', '-f', script)
    assert proc.returncode == 1
    assert proc.stderr == 'syntax error on line 3 of %s\nusage:\ncreate [-F] [ -a <path> | -b | -t <template> ]\n' % script
    script.write_text('create -b\nfrobnicate\n')
    proc = node.zonecfg('-z', 'other', '-f', script)
    assert proc.returncode == 1
    assert proc.stderr.startswith("syntax error on line 2 at 'f'\nCommands:\n\nadd <resource-type>\n")
    proc = node.zonecfg('-z', 'web', 'set zonepath')
    assert proc.returncode == 1 and proc.stderr.startswith("syntax error at '\\n'\nCommands:\n")


@pytest.mark.parametrize('name,rc', [('web-1_a.b', 0), ('9lives', 0), ('bad/name', 2), ('-lead', 2), ('x' * 64, 2),
                                     ('x' * 63, 0)], ids=['punctuation', 'digit', 'slash', 'dash', '64', '63'])
def test_zone_name_rules(node, name, rc):  # zones.md §4.1 (zone names)
    proc = node.zonecfg('-z', name, 'create; set zonepath=/zones/x')
    assert proc.returncode == rc
    if rc == 2:
        # UNCONFIRMED text in the sheet: libzonecfg's "Bogus zone name" and the syntax help of zonecfg.c
        assert proc.stderr == ('%s: Bogus zone name\n\n<zone> := [A-Za-z0-9][A-Za-z0-9_.-]*\n\t(except the reserved '
                               "words 'global' and anything starting with 'SUNW')\n\tName must be less than 64 "
                               'characters.\n' % name)


def test_sunw_zones_are_read_only(node):  # zones.md §4.1 (SUNW* read-only)
    proc = node.zonecfg('-z', 'SUNWfoo', 'create')
    assert (proc.returncode, proc.stderr) == (1, 'SUNWfoo: zones beginning with SUNW are read-only.\n')
    assert node.ok('zonecfg', '-z', 'SUNWdefault', 'info', 'brand').stdout == 'brand: ipkg\n'


def test_unknown_zone(node):  # zones.md §4.2
    proc = node.zonecfg('-z', 'nosuch', 'info')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', 'nosuch: No such zone configured\n')
    proc = node.zonecfg('-z', 'nosuch', input='info\n')                  # interactive mode adds the hint
    assert proc.returncode == 1
    assert proc.stdout == "Use 'create' to begin configuring a new zone.\n" * 2


def test_create_on_existing_zones(installed):  # zones.md §4.2 (create)
    installed.cfg('other', 'create', 'set zonepath=/zones/other')
    proc = installed.zonecfg('-z', 'other', 'create')
    assert (proc.returncode, proc.stderr) == (1, 'Zone exists, input not from terminal and -F not specified:\n'
                                                 'create command ignored, exiting.\n')
    proc = installed.zonecfg('-z', 'other', 'create -F; set zonepath=/zones/other2')
    assert (proc.returncode, proc.stdout) == (0, 'Zone other already exists; overwriting.\n')
    proc = installed.zonecfg('-z', 'web', 'create')
    # zonecfg.c prints this refusal without counting it as an error: exit 0
    assert (proc.returncode, proc.stderr) == (0, 'Zone web already installed; create not allowed.\n')


def test_delete(installed):  # zones.md §4.2 (delete), §7.5
    installed.cfg('other', 'create', 'set zonepath=/zones/other')
    proc = installed.zonecfg('-z', 'other', 'delete')
    assert (proc.returncode, proc.stderr) == (1, 'Input not from terminal and -F not specified:\n'
                                                 'delete command ignored, exiting.\n')
    proc = installed.zonecfg('-z', 'other', 'delete', '-F')
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', '')
    assert installed.state('other') is None and not os.path.exists(installed.path('/etc/zones/other.xml'))
    proc = installed.zonecfg('-z', 'other', 'delete', '-F')               # not idempotent
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', 'other: No such zone configured\n')
    proc = installed.zonecfg('-z', 'web', 'delete', '-F')                 # UNCONFIRMED text for installed zones
    assert (proc.returncode, proc.stderr) == (1, 'web: Zone state is invalid for the requested operation\n')
    assert installed.state('web') == 'installed'


def test_revert_exit_and_cancel(configured):  # zones.md §4.2 (revert, exit), §4.3
    proc = configured.zonecfg('-z', 'web', 'revert')
    assert (proc.returncode, proc.stderr) == (1, 'No changes to revert.\n')
    proc = configured.zonecfg('-z', 'web', 'set autoboot=true; revert -F; info autoboot')
    assert (proc.returncode, proc.stdout) == (0, 'autoboot: false\n')
    proc = configured.zonecfg('-z', 'web', 'add fs; exit')
    assert (proc.returncode, proc.stderr) == (1, 'Resource incomplete, input not from terminal and -F not specified:\n'
                                                 'exit command ignored, but exiting anyway.\n')
    proc = configured.zonecfg('-z', 'web', 'add fs; set dir=/x; cancel; info fs')
    assert (proc.returncode, proc.stdout) == (0, '')
    proc = configured.zonecfg('-z', 'web', 'end')
    assert (proc.returncode, proc.stderr) == (1, 'The end command only makes sense in the resource scope.\n')


# ---------------------------------------------------------------- §4.4 validation

@pytest.mark.parametrize('commands,stderr', [
    (['add net', 'set physical=e1000g1', 'end'],
     'net: address not specified\nZone web failed to verify\nweb: Required property missing\nConfiguration not saved.\n'),
    (['add net', 'set physical=e1000g1', 'set address=10.0.0.9', 'set allowed-address=10.0.0.10', 'end'],
     'net: allowed-address cannot be specified for a shared IP type\nZone web failed to verify\nweb: Invalid argument\n'
     'Configuration not saved.\n'),
    (['set ip-type=exclusive'],
     'net: address cannot be specified for an exclusive IP type\nZone web failed to verify\nweb: Invalid argument\n'
     'Configuration not saved.\n'),
    (['add net', 'set physical=e1000g0', 'set address=10.0.0.5/24', 'end'],
     "A net resource with the physical 'e1000g0', and address '10.0.0.5/24' already exists.\nResource incomplete.\n"),
    (['add fs', 'set dir=data', 'set special=/x', 'end'],
     'dir data is not an absolute path.\ntype not specified\nResource incomplete.\n'),
    (['set autoboot=yes'], "autoboot value must be 'true' or 'false'.\n"),
    (['set ip-type=excl'], "ip-type value must be 'shared' or 'exclusive'.\n"),
    (['set zonepath=zones/web'], 'zones/web is not an absolute path.\n'),
    (['set max-lwps=50'], 'max-lwps property is out of range.\n'),
    (['add capped-memory', 'set physical=512K'], 'physical value is too small.  It must be at least 1M.\n'
                                                 'Resource incomplete.\n'),
    (['add capped-memory', 'set swap=10M'], 'swap value is too small.  It must be at least 50M.\nResource incomplete.\n'),
    (['add rctl', 'set name=zone.max-lwps', 'end'], 'no value specified\nResource incomplete.\n'),
    (['add attr', 'set name=-x', 'set type=int', 'set value=abc', 'end'],
     'Invalid attr name -x: must start with an alpha-numeric character.\ninvalid attr value for type=int\n'
     'Resource incomplete.\n'),
    (['set cpu-shares=10', 'add dedicated-cpu', 'set ncpus=2', 'end'],
     'rctl zone.cpu-shares and dedicated-cpu are incompatible.\nZone web failed to verify\nweb: Incompatible settings\n'
     'Configuration not saved.\n'),
    (['set dir=/x'], 'Cannot set a resource-specific property from the global scope.\n'),
], ids=['shared-needs-address', 'shared-no-allowed-address', 'exclusive-no-address', 'duplicate-net', 'fs-required',
        'autoboot', 'ip-type', 'zonepath-relative', 'alias-range', 'physical-min', 'swap-min', 'rctl-value',
        'attr-checks', 'shares-vs-pset', 'global-scope'])
def test_validation_messages(configured, commands, stderr):  # zones.md §4.4 (validation at end/verify/commit)
    before = configured.ok('zonecfg', '-z', 'web', 'export').stdout
    proc = configured.zonecfg('-z', 'web', '; '.join(commands))
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', stderr)
    assert configured.ok('zonecfg', '-z', 'web', 'export').stdout == before


def test_verify_and_commit_of_an_empty_zonepath(node):  # zones.md §4.4 (zonepath required; zonecfg.c wording)
    proc = node.zonecfg('-z', 'web', 'create; verify')
    assert proc.returncode == 1
    assert proc.stderr == ('zonepath cannot be empty.\nweb: Required resource missing\nzonepath cannot be empty.\n'
                           'Zone web failed to verify\nweb: Required resource missing\nConfiguration not saved.\n')
    assert node.state('web') is None


# ---------------------------------------------------------------- §4.5 export, §4.6 info

FULL = ['create', 'set zonepath=/zones/web', 'set autoboot=true', 'set bootargs="-m verbose"', 'set limitpriv=default,dtrace_proc',
        'set scheduling-class=FSS', 'set hostid=0x1234abcd', 'set cpu-shares=10', 'set max-lwps=2000',
        'add fs', 'set dir=/data', 'set special=/tank/data', 'set type=lofs', 'add options [ro,nodevices]',
        'add options "retry=5"', 'end',
        'add net', 'set physical=e1000g0', 'set address=10.0.0.5/24', 'set defrouter=10.0.0.1', 'end',
        'add device', 'set match=/dev/zvol/rdsk/tank/v1', 'end',
        'add capped-memory', 'set physical=1536M', 'set swap=2G', 'set locked=512M', 'end',
        'add capped-cpu', 'set ncpus=1.5', 'end',
        'add attr', 'set name=comment', 'set type=string', 'set value="hello world"', 'end',
        'add dataset', 'set name=tank/web', 'end',
        'add admin', 'set user=root', 'set auths=login,manage', 'end']
FULL_EXPORT = """create -b
set zonepath=/zones/web
set brand=ipkg
set autoboot=true
set bootargs=-m verbose
set limitpriv=default,dtrace_proc
set scheduling-class=FSS
set ip-type=shared
set hostid=0x1234abcd
add fs
set dir=/data
set special=/tank/data
set type=lofs
add options ro
add options nodevices
add options "retry=5"
end
add net
set address=10.0.0.5/24
set physical=e1000g0
set defrouter=10.0.0.1
end
add device
set match=/dev/zvol/rdsk/tank/v1
end
add capped-memory
set physical=1.5G
end
add rctl
set name=zone.cpu-shares
add value (priv=privileged,limit=10,action=none)
end
add rctl
set name=zone.max-lwps
add value (priv=privileged,limit=2000,action=deny)
end
add rctl
set name=zone.max-swap
add value (priv=privileged,limit=2147483648,action=deny)
end
add rctl
set name=zone.max-locked-memory
add value (priv=privileged,limit=536870912,action=deny)
end
add rctl
set name=zone.cpu-cap
add value (priv=privileged,limit=150,action=deny)
end
add attr
set name=comment
set type=string
set value="hello world"
end
add dataset
set name=tank/web
end
add admin
set user=root
set auths=login,manage
end
"""
FULL_INFO = """zonename: web
zonepath: /zones/web
brand: ipkg
autoboot: true
bootargs: -m verbose
pool:\x20
limitpriv: default,dtrace_proc
scheduling-class: FSS
ip-type: shared
hostid: 0x1234abcd
fs-allowed:\x20
[max-lwps: 2000]
[cpu-shares: 10]
fs:
\tdir: /data
\tspecial: /tank/data
\traw not specified
\ttype: lofs
\toptions: [ro,nodevices,"retry=5"]
net:
\taddress: 10.0.0.5/24
\tallowed-address not specified
\tphysical: e1000g0
\tdefrouter: 10.0.0.1
device:
\tmatch: /dev/zvol/rdsk/tank/v1
capped-cpu:
\t[ncpus: 1.50]
capped-memory:
\tphysical: 1.5G
\t[swap: 2G]
\t[locked: 512M]
attr:
\tname: comment
\ttype: string
\tvalue: "hello world"
dataset:
\tname: tank/web
admin:
\tuser: root
\tauths: login,manage
rctl:
\tname: zone.cpu-shares
\tvalue: (priv=privileged,limit=10,action=none)
rctl:
\tname: zone.max-lwps
\tvalue: (priv=privileged,limit=2000,action=deny)
rctl:
\tname: zone.max-swap
\tvalue: (priv=privileged,limit=2147483648,action=deny)
rctl:
\tname: zone.max-locked-memory
\tvalue: (priv=privileged,limit=536870912,action=deny)
rctl:
\tname: zone.cpu-cap
\tvalue: (priv=privileged,limit=150,action=deny)
"""
EXCL = ['create -b', 'set zonepath=/zones/excl', 'set brand=lipkg', 'set ip-type=exclusive',
        'add net', 'set physical=excl0', 'set allowed-address=192.168.1.10/24', 'set defrouter=192.168.1.1', 'end',
        'add dedicated-cpu', 'set ncpus=1-4', 'set importance=10', 'end', 'set max-shm-memory=1.5G']
EXCL_EXPORT = """create -b
set zonepath=/zones/excl
set brand=lipkg
set autoboot=false
set ip-type=exclusive
add net
set allowed-address=192.168.1.10/24
set physical=excl0
set defrouter=192.168.1.1
end
add rctl
set name=zone.max-shm-memory
add value (priv=privileged,limit=1610612736,action=deny)
end
add dedicated-cpu
set ncpus=1-4
set importance=10
end
"""
SHEET_EXAMPLE = """create -b
set zonepath=/zones/web
set brand=lipkg
set autoboot=true
set ip-type=exclusive
add net
set allowed-address=192.168.1.10/24
set physical=web0
set defrouter=192.168.1.1
end
add capped-memory
set physical=1G
end
add rctl
set name=zone.max-swap
add value (priv=privileged,limit=2147483648,action=deny)
end
"""


def test_export_of_a_full_shared_ip_zone(node):  # zones.md §4.5 (order, quoting, scaling, aliases as rctls)
    node.cfg('web', *FULL)
    assert node.ok('zonecfg', '-z', 'web', 'export').stdout == FULL_EXPORT


def test_export_of_an_exclusive_ip_zone(node):  # zones.md §4.5 (exclusive net, dedicated-cpu, scaled alias)
    node.cfg('excl', *EXCL)
    assert node.ok('zonecfg', '-z', 'excl', 'export').stdout == EXCL_EXPORT
    assert node.ok('zonecfg', '-z', 'excl', 'info', 'max-shm-memory').stdout == '[max-shm-memory: 1.5G]\n'


def test_export_reproduces_the_sheet_example(node, tmp_path):  # zones.md §4.5 example
    script = tmp_path / 'sheet.cfg'
    script.write_text(SHEET_EXAMPLE.replace('add rctl\nset name=zone.max-swap\nadd value '
                                            '(priv=privileged,limit=2147483648,action=deny)\nend\n', '')
                      .replace('set physical=1G\n', 'set physical=1G\nset swap=2G\n'))
    node.ok('zonecfg', '-z', 'web', '-f', script)
    assert node.ok('zonecfg', '-z', 'web', 'export').stdout == SHEET_EXAMPLE


ROUND_TRIP = [c for c in FULL if not c.startswith('set bootargs')]


@pytest.mark.parametrize('commands,zone', [(ROUND_TRIP, 'web'), (EXCL, 'excl')], ids=['shared', 'exclusive'])
def test_export_round_trip(node, tmp_path, commands, zone):  # zones.md §4.5, §7.6 (export -> -f is stable)
    # (not with spaces in global properties: `set bootargs=-m verbose` comes out unquoted, as zonecfg writes it)
    node.cfg(zone, *commands)
    exported = tmp_path / 'export.cfg'
    node.ok('zonecfg', '-z', zone, 'export', '-f', exported)
    first = exported.read_text()
    node.ok('zonecfg', '-z', zone, 'delete', '-F')
    node.ok('zonecfg', '-z', zone, '-f', exported)
    assert node.ok('zonecfg', '-z', zone, 'export').stdout == first


def test_info_layout(node):  # zones.md §4.6 (trailing spaces, not specified, bracketed aliases)
    node.cfg('web', *FULL)
    assert node.ok('zonecfg', '-z', 'web', 'info').stdout == FULL_INFO


def test_info_of_parts(configured):  # zones.md §4.6 (info rtype [prop=value])
    configured.cfg('web', 'add fs', 'set dir=/a', 'set special=/a', 'set type=lofs', 'end')
    assert configured.ok('zonecfg', '-z', 'web', 'info', 'pool').stdout == 'pool: \n'
    assert configured.ok('zonecfg', '-z', 'web', 'info', 'fs', 'dir=/a').stdout.startswith('fs:\n\tdir: /a\n')
    proc = configured.ok('zonecfg', '-z', 'web', 'info', 'fs', 'dir=/nope')
    assert (proc.stdout, proc.stderr) == ('No such fs resource.\n', '')
    assert configured.ok('zonecfg', '-z', 'web', 'info', 'capped-memory').stdout == ''
    proc = configured.zonecfg('-z', 'web', 'add fs; set dir=/b; info')       # resource scope: the one in progress
    assert (proc.returncode, proc.stderr) == (1, 'Resource incomplete.\n')
    assert proc.stdout == 'fs:\n\tdir: /b\n\tspecial not specified\n\traw not specified\n\ttype not specified\n\toptions: []\n'


def test_select_modify_moves_the_resource_last(configured):  # zones.md §4.3 (select); libzonecfg modify
    configured.cfg('web', 'add fs', 'set dir=/a', 'set special=/a', 'set type=lofs', 'end',
                   'add fs', 'set dir=/b', 'set special=/b', 'set type=lofs', 'end')
    configured.cfg('web', 'select fs dir=/a', 'set special=/aa', 'add options ro', 'end')
    export = configured.ok('zonecfg', '-z', 'web', 'export').stdout
    assert export.index('set dir=/b') < export.index('set dir=/a')
    assert 'set special=/aa\nset type=lofs\nadd options ro\nend\n' in export
    proc = configured.zonecfg('-z', 'web', 'select fs dir=/nope')
    assert (proc.returncode, proc.stderr) == (1, 'select fs: No such resource with that id\n')
    proc = configured.zonecfg('-z', 'web', 'select fs type=lofs')
    assert (proc.returncode, proc.stderr) == (1, 'select fs: Insufficient specification\n')
    configured.cfg('web', 'select fs dir=/a', 'remove options ro', 'clear raw', 'end')
    assert 'add options ro' not in configured.ok('zonecfg', '-z', 'web', 'export').stdout


def test_remove(configured):  # zones.md §4.3 (remove [-F] rtype [prop=value])
    configured.cfg('web', 'add net', 'set physical=e1000g1', 'set address=10.0.0.6', 'end')
    proc = configured.zonecfg('-z', 'web', 'remove net')
    assert (proc.returncode, proc.stderr) == (
        1, 'There are multiple instances of this resource.  Either qualify the resource to\nremove a single instance or '
           'use the -F option to remove all instances.\n')
    configured.cfg('web', 'remove net physical=e1000g1')
    assert 'e1000g1' not in configured.ok('zonecfg', '-z', 'web', 'export').stdout
    configured.cfg('web', 'remove -F net')
    assert 'add net' not in configured.ok('zonecfg', '-z', 'web', 'export').stdout
    proc = configured.zonecfg('-z', 'web', 'remove net')
    assert (proc.returncode, proc.stderr) == (1, 'remove net: No such entry\n')
    configured.cfg('web', 'remove -F net')          # zones.md: -F = no error if none
    configured.cfg('web', 'set cpu-shares=5', 'add capped-memory', 'set physical=1G', 'set swap=1G', 'end')
    configured.cfg('web', 'remove capped-memory', 'clear cpu-shares')
    assert 'add rctl' not in configured.ok('zonecfg', '-z', 'web', 'export').stdout
    proc = configured.zonecfg('-z', 'web', 'clear cpu-shares')
    assert (proc.returncode, proc.stderr) == (1, 'clear cpu-shares: No such entry\n')


def test_sizes_and_alias_values(configured):  # zones.md §4.4-4.5 (scale suffixes, bytes_to_units)
    configured.cfg('web', 'add capped-memory', 'set physical=512m', 'set locked=1536', 'end')
    info = configured.ok('zonecfg', '-z', 'web', 'info', 'capped-memory').stdout
    assert info == 'capped-memory:\n\tphysical: 512M\n\t[locked: 1.5K]\n'
    configured.cfg('web', 'select capped-memory', 'set physical=3G', 'clear locked', 'end')
    assert configured.ok('zonecfg', '-z', 'web', 'info', 'capped-memory').stdout == 'capped-memory:\n\tphysical: 3G\n'


# ---------------------------------------------------------------- §5 zlogin

@needs_busybox
def test_zlogin_runs_in_the_zone_and_passes_the_exit_status(running):  # zones.md §5, §7.9
    proc = running.zlogin('web', 'cat /etc/release; exit 3')
    assert proc.returncode == 3 and 'OmniOS v11' in proc.stdout
    proc = running.zlogin('web', 'echo', 'a   b', '|', 'cat')                 # argv re-joined for the zone's shell
    assert (proc.returncode, proc.stdout) == (0, 'a b\n')
    proc = running.zlogin('web', 'cat', input='through stdin\n')
    assert (proc.returncode, proc.stdout) == (0, 'through stdin\n')
    proc = running.zlogin('web', 'echo oops >&2; false')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', 'oops\n')


@pytest.mark.parametrize('setup,zone,message', [
    ([], 'web', "zlogin: login allowed only to running zones (web is 'installed').\n"),
    ([('mark', 'incomplete')], 'web', "zlogin: cannot login to a zone which is 'incomplete'\n"),
    ([], 'nosuch', "zlogin: zone 'nosuch' unknown\n"),
    ([], 'global', "zlogin: 'zlogin' not applicable to the global zone\n"),
], ids=['installed', 'incomplete', 'unknown', 'global'])
def test_zlogin_refusals(installed, setup, zone, message):  # zones.md §5
    for step in setup:
        installed.adm('web', *step)
    proc = installed.zlogin(zone, 'true')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', message)


def test_zlogin_usage(installed):  # zones.md §5 (synopsis)
    proc = installed.zlogin()
    assert (proc.returncode, proc.stderr) == (
        2, 'usage: zlogin [ -nQCES ] [ -e cmdchar ] [-l user] zonename [command [args ...] ]\n')


# ---------------------------------------------------------------- §6 releases

def test_s10_differences(golden, tmp_path):  # zones.md §6 (Solaris 10)
    node = release_node(golden, tmp_path, 's10')
    node.cfg('s', 'create', 'set zonepath=/zones/s')
    assert node.ok('zonecfg', '-z', 's', 'export').stdout == (
        'create -b\nset zonepath=/zones/s\nset autoboot=false\nset ip-type=shared\n' +
        ''.join('add inherit-pkg-dir\nset dir=%s\nend\n' % d for d in ('/lib', '/platform', '/sbin', '/usr')))
    node.adm('s', 'install')
    node.adm('s', 'boot')
    proc = node.zoneadm('-z', 's', 'shutdown')
    assert proc.returncode == 2 and 'shutdown' not in proc.stderr and proc.stderr.startswith('usage:\tzoneadm help\n')
    proc = node.zoneadm('-z', 's', 'install')
    assert proc.returncode == 1


def test_s11_differences(golden, tmp_path):  # zones.md §6, §4.4 (Solaris 11 defaults, anet, unavailable)
    node = release_node(golden, tmp_path, 's11')
    proc = node.zonecfg('-z', 'k', 'create')
    assert (proc.returncode, proc.stdout) == (0, "create: Using system default template 'SYSdefault'\n")
    assert node.ok('zonecfg', '-z', 'k', 'export').stdout == (
        'create -b\nset zonepath=/system/zones/k\nset brand=solaris\nset autoboot=false\nset ip-type=exclusive\n'
        'add anet\nset linkname=net0\nset lower-link=auto\nend\n')
    node.adm('k', 'install')
    node.adm('k', 'mark', 'unavailable')
    assert node.listp()[1].split(':')[:3] == ['-', 'k', 'unavailable']
    assert node.ok('zoneadm', 'list', '-i').stdout == 'global\n'
    node.adm('k', 'attach')
    assert node.state('k') == 'installed'


def test_anet_is_solaris_11_only(node):  # zones.md §6 (anet)
    proc = node.zonecfg('-z', 'web', 'create; add anet')
    assert proc.returncode == 1
    assert proc.stderr.startswith('usage:\nadd <resource-type>\n')


# ---------------------------------------------------------------- lab conventions

def test_every_call_is_logged_once(installed):  # lab convention: VE_LAB_LOG
    installed.zoneadm('list', '-cp')
    installed.zonecfg('-z', 'web', 'info', 'brand')
    installed.zlogin('web', 'true')
    proc = subprocess.run([os.path.join(BIN, 'zoneadm'), 'list'], env=tool_env({'VE_LAB_LOG': installed.log}),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert (proc.returncode, proc.stderr) == (10, 'VE_LAB_ROOT is not set\n')
    calls = installed.calls()
    assert [c['argv'] for c in calls] == [['zoneadm', 'list', '-cp'], ['zonecfg', '-z', 'web', 'info', 'brand'],
                                          ['zlogin', 'web', 'true'], ['zoneadm', 'list']]
    assert [c['rc'] for c in calls] == [0, 0, 1, 10]
    assert all(isinstance(c['ms'], int) and c['ms'] >= 0 for c in calls)


def test_fault_with_rc_is_consumed(configured):  # lab convention: .lab/faults.json (zone or ctid selects)
    faults = [{'tool': 'zoneadm', 'command': 'install', 'zone': 'web', 'rc': 1, 'stdout': '',
               'stderr': 'injected\n', 'times': 1},
              {'tool': 'zonecfg', 'command': 'set', 'ctid': 'web', 'rc': 1, 'stderr': 'cfg fault\n'}]
    configured.write('/.lab/faults.json', json.dumps(faults))
    proc = configured.zoneadm('-z', 'web', 'install')
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '', 'injected\n')
    assert configured.state('web') == 'configured'
    proc = configured.zonecfg('-z', 'web', 'set autoboot=true')
    assert (proc.returncode, proc.stderr) == (1, 'cfg fault\n')
    assert configured.ok('zonecfg', '-z', 'web', 'info', 'autoboot').stdout == 'autoboot: false\n'
    assert [f['tool'] for f in json.loads(configured.read('/.lab/faults.json'))] == ['zonecfg']
    configured.adm('web', 'install')


def test_fault_with_hang_holds_the_zone_lock(configured):  # lab convention: .lab/faults.json, §3 lock
    fault = {'tool': 'zoneadm', 'command': 'install', 'hang': 1, 'times': 1}
    configured.write('/.lab/faults.json', json.dumps([fault]))
    env = tool_env({'VE_LAB_ROOT': configured.root, 'VE_LAB_LOG': configured.log})
    started = time.monotonic()
    slow = subprocess.Popen([os.path.join(BIN, 'zoneadm'), '-z', 'web', 'install'], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    deadline = time.monotonic() + 10
    while not os.path.exists(configured.path('/var/run/zones/web.zoneadm.lock')) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc = configured.zoneadm('-z', 'web', 'install')
    assert (proc.returncode, proc.stderr) == (1, "zoneadm: zone 'web': another zoneadm may have an operation in progress.\n")
    out, _err = slow.communicate(timeout=30)
    assert slow.returncode == 0 and time.monotonic() - started >= 1
    assert out.startswith('       Image: Preparing at /zones/web/root.\n')
    assert json.loads(configured.read('/.lab/faults.json')) == []


def test_runtime_hook(installed, tmp_path):  # lab convention: boot/halt/zlogin go through VE_LAB_RUNTIME
    record = tmp_path / 'runtime.log'
    hook = tmp_path / 'hook'
    hook.write_text('#!/bin/sh\necho "$@" >> %s\nexit 0\n' % record)
    hook.chmod(0o755)
    env = {'VE_LAB_RUNTIME': str(hook)}
    installed.ok('zoneadm', '-z', 'web', 'boot', env=env)
    installed.ok('zlogin', 'web', 'uname', '-a', env=env)
    installed.ok('zoneadm', '-z', 'web', 'halt', env=env)
    root = installed.path('/zones/web/root')
    assert record.read_text().splitlines() == ['start web %s' % root, 'exec web %s -- /bin/sh -c uname -a' % root,
                                               'stop web']
    hook.write_text('#!/bin/sh\nexit 7\n')
    proc = installed.zoneadm('-z', 'web', 'boot', env=env)
    assert proc.returncode == 1 and installed.state('web') == 'installed'


def test_labctl_zones_node(node, tmp_path):  # lab convention: labctl init-node --technology zones
    proc = labctl(tmp_path / 'fresh', '--release', 's11')
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(str(tmp_path / 'fresh' / 'etc' / 'zones'))) == ['SYSblank.xml', 'SYSdefault.xml', 'index']
    marker = json.loads((tmp_path / 'fresh' / '.lab' / 'node.json').read_text())
    assert (marker['technology'], marker['release']) == ('zones', 's11')
    proc = labctl(node.root)                                  # idempotent, default release illumos
    assert proc.returncode == 0 and '  kept    etc/zones/index' in proc.stdout
    proc = labctl(node.root, '--release', 's10')
    assert proc.returncode == 1 and 'of release illumos, not s10' in proc.stderr
    proc = labctl(tmp_path / 'other', '--release', 's9')
    assert proc.returncode == 2
