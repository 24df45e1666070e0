# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract of the Virtuozzo lab simulator (tests/lab/bin/prlctl).

One test per behaviour of /work/shared/reference/virtuozzo.md that a module may
rely on; each names its section (``§2.2`` ...). Every test gets a fresh node (a
copy of one made by ``labctl init-node --technology virtuozzo`` for the
session, with CT ``web1`` and VM ``win1`` created) and runs prlctl as a
process: argv lists, no shell, ``VE_LAB_ROOT``/``VE_LAB_LOG`` set.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
DEPRECATION = ('WARNING: You are using a deprecated CLI component that will be dropped in the next major release. '
               'Please use virsh instead\n')
needs_busybox = pytest.mark.skipif(not os.path.exists('/bin/busybox'), reason='busybox-static is not installed')


def tool_env(extra=None):
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join([BIN, os.path.dirname(sys.executable), env.get('PATH', '')])
    env.pop('VE_LAB_PRLCTL_DEPRECATION', None)
    env['VE_LAB_RUNTIME'] = 'none'  # state-only runtime, exec chrooted (unset would mean namespaces as root)
    env.update(extra or {})
    return env


class Node:
    def __init__(self, root, log):
        self.root = str(root)
        self.log = str(log)

    def prlctl(self, *args, **kwargs):
        env = tool_env({'VE_LAB_ROOT': self.root, 'VE_LAB_LOG': self.log})
        env.update(kwargs.pop('env', {}))
        return subprocess.run([os.path.join(BIN, 'prlctl')] + [str(a) for a in args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              check=False, timeout=60, **kwargs)

    def ok(self, *args, **kwargs):
        proc = self.prlctl(*args, **kwargs)
        assert proc.returncode == 0, (args, proc.returncode, proc.stdout, proc.stderr)
        return proc

    def info(self, name):
        data = json.loads(self.ok('list', '-i', '-j', name).stdout)
        assert isinstance(data, list) and len(data) == 1
        return data[0]

    def path(self, real):
        return os.path.join(self.root, real.lstrip('/'))

    def write(self, real, text):
        with open(self.path(real), 'w', encoding='utf-8') as handle:
            handle.write(text)


def labctl_init(directory):
    proc = subprocess.run([LABCTL, 'init-node', str(directory), '--technology', 'virtuozzo'], env=tool_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope='session')
def golden(tmp_path_factory):
    base = tmp_path_factory.mktemp('vzgolden')
    labctl_init(base / 'node1')
    node = Node(base / 'node1', base / 'golden.jsonl')
    node.ok('create', 'web1', '--vmtype', 'ct', '--ostemplate', TEMPLATE)
    node.ok('create', 'win1', '--vmtype', 'vm', '--distribution', 'win-2019')
    labctl_init(base / 'node2')
    return base


@pytest.fixture
def node(tmp_path, golden):
    for name in ('node1', 'node2'):
        shutil.copytree(str(golden / name), str(tmp_path / name), symlinks=True)
    return Node(tmp_path / 'node1', tmp_path / 'calls.jsonl')


@pytest.fixture
def running(node):
    node.ok('start', 'web1')
    return node


# ---------------------------------------------------------------- §2 list

def test_list_all_json_shape(node):  # §2.2, §2.3, §10.1
    proc = node.ok('list', '-a', '-j')
    assert proc.stderr == ''
    data = json.loads(proc.stdout)
    assert proc.stdout.startswith('[\n\t{\n\t\t"uuid": ')
    assert [list(obj) for obj in data] == [['uuid', 'status', 'ip_configured', 'type', 'name']] * 2
    assert [(o['name'], o['type'], o['status'], o['ip_configured']) for o in data] == [
        ('web1', 'CT', 'stopped', '-'), ('win1', 'VM', 'stopped', '-')]
    for obj in data:
        assert all(isinstance(v, str) for v in obj.values())
        assert len(obj['uuid']) == 36 and not obj['uuid'].startswith('{')


def test_default_list_shows_running_only_and_empty_json(node):  # §2, §2.2
    assert node.ok('list', '-j').stdout == '[\n\n]\n'
    node.ok('start', 'web1')
    assert [o['name'] for o in json.loads(node.ok('list', '-j').stdout)] == ['web1']
    assert [o['name'] for o in json.loads(node.ok('list', '-S', '-j').stdout)] == ['win1']


def test_list_plain_header_and_braces(node):  # §2.1
    lines = node.ok('list', '-a').stdout.splitlines()
    assert lines[0] == 'UUID                                    STATUS       IP_ADDR         T  NAME'
    assert lines[1].startswith('{') and lines[1].endswith('CT web1')
    assert node.ok('list', '-a', '-H', '-o', 'name').stdout == 'web1\nwin1\n'


def test_list_output_fields_sort_and_vmtype(node):  # §2, §2.1
    node.ok('set', 'web1', '--ipadd', '10.0.0.5', '--ipadd', '10.0.0.6', '--ha-prio', '7')
    data = json.loads(node.ok('list', '-a', '-j', '-o', 'name,ha_enable,ha_prio,ip_configured').stdout)
    assert data[0] == {'name': 'web1', 'ha_enable': 'yes', 'ha_prio': '7', 'ip_configured': '10.0.0.5 10.0.0.6  '}
    data = json.loads(node.ok('list', '-a', '-j', '--vmtype', 'vm', '-o', 'name,type').stdout)
    assert data == [{'name': 'win1', 'type': 'VM'}]
    assert [o['name'] for o in json.loads(node.ok('list', '-a', '-j', '--vmtype', 'ct').stdout)] == ['web1']
    proc = node.prlctl('list', '-o', 'bogus')
    assert (proc.returncode, proc.stderr) == (1, 'Unknown field: bogus\n')
    proc = node.prlctl('list', '-s', 'bogus')
    assert (proc.returncode, proc.stderr) == (1, 'bogus is an invalid field name in this query.\n')


def test_list_info_json_ct(node):  # §2.4
    info = node.info('web1')
    assert list(info)[:6] == ['ID', 'EnvID', 'Name', 'Description', 'Type', 'State']
    assert (info['Name'], info['Type'], info['State'], info['Description']) == ('web1', 'CT', 'stopped', '-')
    assert info['EnvID'] == info['ID'] and len(info['ID']) == 36
    assert info['Hardware']['memory']['size'].endswith('Mb')
    assert 'NUMA nodes:' in info['Hardware']
    assert info['Hardware']['hdd0']['size'] == '10240Mb'
    assert info['Home'] == '/vz/private/%s' % info['ID']
    assert os.path.isdir(node.path(info['Home'] + '/fs/etc'))


def test_list_info_json_vm_and_plain(node):  # §2.4
    info = node.info('win1')
    assert (info['Type'], info['OS'], info['GuestTools'], info['Hardware']['memory']['size']) == (
        'VM', 'win-2019', {'state': 'not_installed'}, '2048Mb')
    assert info['Hardware']['net0']['type'] == 'bridged'
    plain = node.ok('list', '-i', 'win1').stdout.splitlines()
    assert plain[0] == 'INFO' and 'Name: win1' in plain


def test_missing_ve(node):  # §1.2
    for args in (('start', 'nope'), ('list', '-i', '-j', 'nope'), ('status', 'nope'), ('set', 'nope', '--cpus', '1')):
        proc = node.prlctl(*args)
        assert proc.returncode == 255
        assert proc.stderr.startswith('Failed to get VM config: ')


# ---------------------------------------------------------------- §3 create

def test_create_default_is_vm_and_uuid_lookup(node):  # §3, §10.5
    proc = node.ok('create', 'vm2')
    assert proc.stdout == 'Creating the virtual machine...\nThe VM has been successfully created.\n'
    info = node.info('vm2')
    assert info['Type'] == 'VM' and info['State'] == 'stopped'
    assert node.info('{%s}' % info['ID'])['Name'] == 'vm2'
    assert node.info(info['ID'])['Name'] == 'vm2'


def test_create_ct_texts_config_dst_and_duplicate(node):  # §3
    proc = node.ok('create', 'ct2', '--vmtype', 'ct', '--ostemplate', TEMPLATE, '--config', 'vswap.512MB',
                   '--dst', '/vz/other')
    assert proc.stdout == 'Creating the Container...\nThe Container has been successfully created.\n'
    info = node.info('ct2')
    assert info['Hardware']['memory']['size'] == '512Mb'
    assert info['Home'] == '/vz/other/%s' % info['ID']
    assert node.info('ct2')['State'] == 'stopped'
    proc = node.prlctl('create', 'ct2', '--vmtype', 'ct', '--ostemplate', TEMPLATE)
    assert proc.returncode == 255


# ---------------------------------------------------------------- §1, §3 lifecycle

def test_start_stop_texts_and_codes(node):  # §1, §1.1, §3
    assert node.ok('start', 'web1').stdout == 'Starting the CT...\nThe CT has been successfully started.\n'
    proc = node.prlctl('start', 'web1')
    assert proc.returncode == 255 and proc.stderr.startswith('Failed to start the CT: ')
    assert node.ok('status', 'web1').stdout == 'CT web1 exist running\n'
    assert node.ok('stop', 'web1').stdout == 'Stopping the CT...\nThe CT has been successfully stopped.\n'
    proc = node.prlctl('stop', 'web1')
    assert proc.returncode == 0 and proc.stderr.startswith('Failed to stop the CT: ')
    node.ok('start', 'web1')
    assert node.ok('stop', 'web1', '--kill').stdout == 'Stopping the CT...\nThe CT has been forcibly stopped\n'


def test_restart_suspend_resume(running):  # §1, §2.3
    assert running.ok('restart', 'web1').stdout == 'Restarting the CT...\nThe CT has been successfully restarted.\n'
    assert running.ok('suspend', 'web1').stdout == 'Suspending the CT...\nThe CT has been successfully suspended.\n'
    assert running.info('web1')['State'] == 'suspended'
    assert running.ok('list', '-j').stdout == '[\n\n]\n'
    assert running.ok('resume', 'web1').stdout == 'Resuming the CT...\nThe CT has been successfully resumed.\n'
    assert running.ok('status', 'web1').stdout == 'CT web1 exist running\n'
    assert running.prlctl('resume', 'web1').returncode == 255


def test_vm_lifecycle_words(node):  # §1 "CT"/"VM" from the VE type
    assert node.ok('start', 'win1').stdout == 'Starting the VM...\nThe VM has been successfully started.\n'
    assert node.ok('status', 'win1').stdout == 'VM win1 exist running\n'


def test_delete(running):  # §3
    proc = running.prlctl('delete', 'web1')
    assert proc.returncode == 255 and proc.stderr.startswith('Failed to remove the CT: ')
    uuid = running.info('web1')['ID']
    proc = running.ok('delete', 'web1', '--force')
    assert proc.stdout.splitlines()[0] == 'Removing the CT...'
    assert proc.stdout.splitlines()[-1] == 'The CT has been successfully removed.'
    assert not os.path.exists(running.path('/vz/private/' + uuid))
    assert os.path.exists(running.path('/etc/vz/conf/%s.conf.destroyed' % uuid))
    assert running.prlctl('status', 'web1').returncode == 255


@needs_busybox
def test_exec_status_stdin_and_stopped(node):  # §1.1, §3 exec
    proc = node.prlctl('exec', 'web1', 'true')
    assert proc.returncode == 255
    node.ok('start', 'web1')
    proc = node.prlctl('exec', 'web1', 'cat /etc/os-release; exit 7')
    assert proc.returncode == 7 and 'Debian' in proc.stdout
    proc = node.prlctl('exec', 'web1', 'cat', input='from stdin\n')
    assert (proc.returncode, proc.stdout) == (0, 'from stdin\n')
    proc = node.prlctl('exec', 'web1', '--without-shell', '/bin/echo', 'a;b')
    assert proc.stdout == 'a;b\n'
    assert node.prlctl('exec', 'web1').returncode == 255


def test_vm_exec_needs_guest_tools(node):  # §3 exec
    node.ok('start', 'win1')
    proc = node.prlctl('exec', 'win1', 'dir')
    assert proc.returncode == 255 and 'guest tools' in proc.stderr


# ---------------------------------------------------------------- §4 set

def test_set_resources_and_effect_on_info(node):  # §4
    proc = node.ok('set', 'web1', '--cpus', '2', '--cpuunits', '2000', '--cpulimit', '50', '--memsize', '2G',
                   '--swappages', '512M', '--ioprio', '6', '--iolimit', '10', '--description', 'web server',
                   '--onboot', 'yes', '--ha-enable', 'no', '--ha-prio', '3')
    assert proc.stdout.splitlines() == [
        'set cpus(16): 2', 'set cpuunits 2000', 'set cpulimit 50%', 'set ioprio 6', 'Set up iolimit: 10485760',
        'Set the memsize parameter to 2048Mb.', 'Set swappages 131072', '', 'The CT has been successfully configured.']
    info = node.info('web1')
    cpu = info['Hardware']['cpu']
    assert (cpu['cpus'], cpu['cpuunits'], cpu['cpulimit'], cpu['ioprio'], cpu['iolimit']) == (2, 2000, '50%', 6, '10485760')
    assert info['Hardware']['memory']['size'] == '2048Mb'
    assert (info['Description'], info['Autostart']) == ('web server', 'on')
    full = json.loads(node.ok('list', '-i', '-f', '-j', 'web1').stdout)[0]
    assert full['High Availability'] == {'enabled': 'no', 'prio': 3}
    with open(node.path('/etc/vz/conf/%s.conf' % info['ID']), encoding='utf-8') as handle:
        assert 'SWAPPAGES="0:131072"\n' in handle.read()
    proc = node.prlctl('set', 'web1', '--memsize', '0')
    assert (proc.returncode, proc.stderr) == (1, 'An incorrect value for --memsize is specified: 0\n')
    assert node.prlctl('set', 'web1', '--cpus', '64').returncode == 255


def test_set_network_ct_venet0(node):  # §4, §10.8
    node.ok('set', 'web1', '--hostname', 'web1.example.com', '--ipadd', '10.0.0.5/24', '--ipadd', '2001:db8::5',
            '--nameserver', '8.8.8.8 1.1.1.1', '--searchdomain', 'example.com')
    info = node.info('web1')
    assert info['Hardware']['venet0']['type'] == 'routed'
    assert info['Hardware']['venet0']['ips'] == '10.0.0.5/255.255.255.0 2001:db8::5/64 '
    assert (info['Hostname'], info['DNS Servers'], info['Search Domains']) == (
        'web1.example.com', '8.8.8.8 1.1.1.1', 'example.com')
    node.ok('set', 'web1', '--ipdel', '10.0.0.5')
    assert node.info('web1')['Hardware']['venet0']['ips'] == '2001:db8::5/64 '
    node.ok('set', 'web1', '--ipdel', 'all')
    assert 'ips' not in node.info('web1')['Hardware']['venet0']


def test_set_network_vm_nic(node):  # §4 (VM NICs; real IPs need guest tools)
    node.ok('set', 'win1', '--device-set', 'net0', '--ipadd', '192.168.1.10')
    assert node.info('win1')['Hardware']['net0']['ips'] == '192.168.1.10/255.255.255.0 '
    node.ok('start', 'win1')
    data = json.loads(node.ok('list', '-j', '-o', 'name,ip,ip_configured').stdout)
    assert data == [{'name': 'win1', 'ip': '-', 'ip_configured': '192.168.1.10  '}]


def test_set_features_capability(node):  # §4
    proc = node.ok('set', 'web1', '--features', 'nfs:on,ppp:off', '--capability', 'sys_time:on')
    assert 'set features: nfs:on ppp:off' in proc.stdout.splitlines()
    assert node.info('web1')['Features'] == 'nfs:on ppp:off'
    assert node.prlctl('set', 'win1', '--features', 'nfs:on').returncode == 255
    node.ok('start', 'web1')
    proc = node.prlctl('set', 'web1', '--capability', 'net_admin:on')
    assert proc.returncode == 255 and 'Unable to set the capability for the running Container.' in proc.stderr
    proc = node.prlctl('set', 'web1', '--swappages', '1000')
    assert proc.returncode == 255


def test_device_set_grow_and_refused_shrink(node):  # §4 disk
    proc = node.ok('set', 'web1', '--device-set', 'hdd0', '--size', '20G')
    assert proc.stdout.splitlines()[0].startswith('Configured hdd0 ')
    assert proc.stdout.endswith('\nThe CT has been successfully configured.\n')
    assert node.info('web1')['Hardware']['hdd0']['size'] == '20480Mb'
    proc = node.prlctl('set', 'web1', '--device-set', 'hdd0', '--size', '1024')
    assert proc.returncode == 255 and proc.stderr.endswith('Failed to configure the virtual machine.\n')
    assert node.info('web1')['Hardware']['hdd0']['size'] == '20480Mb'
    proc = node.prlctl('set', 'web1', '--device-set', 'hdd5', '--size', '30G')
    assert (proc.returncode, proc.stderr) == (1, 'The hdd5 device does not exist.\n')


def test_one_device_action_per_call(node):  # §4 (man prlctl)
    proc = node.prlctl('set', 'web1', '--device-set', 'hdd0', '--size', '30G', '--device-add', 'hdd')
    assert proc.returncode == 1
    assert node.info('web1')['Hardware']['hdd0']['size'] == '10240Mb'


@needs_busybox
def test_userpasswd_changes_ct_shadow_only(node):  # §4 --userpasswd
    with open('/etc/shadow', 'rb') as handle:
        host_before = handle.read()
    uuid = node.info('web1')['ID']
    proc = node.ok('set', 'web1', '--userpasswd', 'root:s3cret')
    assert proc.stdout == 'Authentication tokens updated successfully.\n'
    with open(node.path('/vz/private/%s/fs/etc/shadow' % uuid), encoding='utf-8') as handle:
        assert handle.read().startswith('root:$6$')
    with open('/etc/shadow', 'rb') as handle:
        assert handle.read() == host_before
    with open(node.log, encoding='utf-8') as handle:
        assert 's3cret' in handle.read()   # argv of prlctl itself is logged; chpasswd gets it on stdin only


# ---------------------------------------------------------------- §5 snapshots

def test_snapshots(node):  # §5
    proc = node.ok('snapshot', 'web1', '--name', 's1', '--description', 'first')
    first = proc.stdout.splitlines()[1].split()[4]
    assert proc.stdout == 'Creating the snapshot...\nThe snapshot with id %s has been successfully created.\n' % first
    node.ok('set', 'web1', '--memsize', '4096')
    second = node.ok('snapshot', 'web1').stdout.splitlines()[1].split()[4]
    lines = node.ok('snapshot-list', 'web1').stdout.splitlines()
    assert lines == ['PARENT_SNAPSHOT_ID                      SNAPSHOT_ID', '%38s  %38s' % ('', first),
                     '%38s *%38s' % (first, second)]
    proc = node.ok('snapshot-switch', 'web1', '-i', first)
    assert proc.stdout.splitlines()[-1] == 'The CT has been successfully switched.'
    assert node.info('web1')['Hardware']['memory']['size'] == '1024Mb'
    assert node.ok('snapshot-delete', 'web1', '-i', second).stdout == (
        'Delete the snapshot...\nThe snapshot has been successfully deleted.\n')
    assert node.ok('snapshot-list', 'web1', '-H').stdout == '%38s *%38s\n' % ('', first)
    assert node.prlctl('snapshot-delete', 'web1', '-i', second).returncode == 255


# ---------------------------------------------------------------- §6 backup

def test_backup_list_restore_to_new_name(node):  # §6
    proc = node.ok('backup', 'web1')
    bid = proc.stdout.splitlines()[-1].split()[-1].rstrip('.')
    assert proc.stdout == ('Backing up the CT web1\n'
                           'The CT has been successfully backed up with backup id %s.\n' % bid)
    lines = node.ok('backup-list').stdout.splitlines()
    assert lines[0] == '%38s %-38s %-20s %-20s %4s %10s' % ('ID', 'Backup_ID', 'Node', 'Date', 'Type', 'Size')
    assert lines[1].split()[:3] == ['{%s}' % node.info('web1')['ID'], bid, 'node1']
    proc = node.ok('restore', '-t', bid, '-n', 'web2')
    assert proc.stdout.splitlines()[-1] == 'The VM has been restored.'   # type word unknown without an ID
    info = node.info('web2')
    assert info['Type'] == 'CT' and info['ID'] != node.info('web1')['ID']
    assert os.path.isdir(node.path(info['Home'] + '/fs/etc'))
    node.ok('start', 'web1')
    assert node.prlctl('restore', 'web1').returncode == 255   # only stopped VEs


def test_backup_full_list_and_remote_storage(node):  # §6; storage login as in PrlSrv::login -> read_passwd
    node.ok('backup', 'web1', '--full', '--description', 'first one')
    node.ok('backup', 'web1', '--description', 'second')
    blocks = node.ok('backup-list', '-f').stdout.split('\n\n')
    assert blocks[-1] == ''   # every block ends with a blank line
    keys = [line.split(':')[0] for line in blocks[0].splitlines()]
    assert keys == ['VM_UUID', 'Name', 'Host', 'Owner', 'Backup_ID', 'Date', 'Type', 'Size', 'Description',
                    'ServerUuid', 'DiskList', '\tName', '\tOriginalPath', '\tSize']
    full, incremental = [dict(line.split(': ', 1) for line in b.splitlines() if ': ' in line) for b in blocks[:2]]
    assert (full['Type'], full['Description'], incremental['Type']) == ('f', 'first one', 'i')
    assert incremental['Backup_ID'].startswith(full['Backup_ID'] + '.')
    # A remote storage server: the password is the first line of stdin when the user@server form has none.
    node.write('/../node2/.lab/backup-users.json', json.dumps({'backup': 'p w'}))
    remote = ('-s', 'backup@node2')
    assert node.prlctl('backup', 'web1', *remote, input='wrong\n').returncode == 255
    node.ok('backup', 'web1', '--description', 'offsite', *remote, input='p w\n')
    node.ok('backup', 'web1', '--description', 'inline', '-s', 'backup:p w@node2')
    listed = node.ok('backup-list', '-f', *remote, input='p w\n').stdout
    assert 'Description: offsite' in listed and 'Description: inline' in listed and 'first one' not in listed
    assert 'Description: offsite' not in node.ok('backup-list', '-f').stdout
    assert node.prlctl('backup-list', '-s', 'backup@nowhere', input='p w\n').returncode == 253
    local = node.ok('backup-list', '-f', '-s', 'root@localhost', stdin=subprocess.DEVNULL).stdout
    assert 'first one' in local   # localhost needs no password


# ---------------------------------------------------------------- §3 clone, §7 migrate

def test_clone(node):  # §3
    proc = node.ok('clone', 'web1', '--name', 'web9')
    assert proc.stdout == 'Clone the web1 CT to CT web9...\n\nThe CT has been successfully cloned.\n'
    assert node.info('web9')['ID'] != node.info('web1')['ID']
    proc = node.prlctl('clone', 'web1')
    assert proc.returncode == 1 and 'the --name option is not specified' in proc.stderr


def test_migrate_between_nodes(tmp_path, node):  # §7
    other = Node(tmp_path / 'node2', tmp_path / 'calls2.jsonl')
    uuid = node.info('web1')['ID']
    node.ok('start', 'web1')
    proc = node.ok('migrate', 'web1', 'root@node2')
    assert proc.stdout.endswith('\n\nThe CT has been successfully migrated.\n')
    assert node.prlctl('status', 'web1').returncode == 255
    info = other.info('web1')
    assert (info['ID'], info['State']) == (uuid, 'running')
    assert os.path.isdir(other.path('/vz/private/%s/fs/etc' % uuid))
    node.write('/.lab/hosts.json', json.dumps({'back': other.root}))
    other.write('/.lab/hosts.json', json.dumps({'back': node.root}))
    other.ok('migrate', 'web1', 'back', '--clone')
    assert other.info('web1')['ID'] == uuid and node.info('web1')['ID'] != uuid
    proc = node.prlctl('migrate', 'win1', 'nowhere')
    assert proc.returncode == 253


# ---------------------------------------------------------------- lab conventions

def test_log_faults_and_deprecation(node):  # lab conventions; §1 deprecation banner
    node.prlctl('list', '-a')
    with open(node.log, encoding='utf-8') as handle:
        entry = json.loads(handle.read().splitlines()[-1])
    assert entry['argv'] == ['prlctl', 'list', '-a'] and entry['rc'] == 0
    faults = [{'tool': 'prlctl', 'command': 'start', 'ctid': 'web1', 'rc': 255, 'stderr': 'boom\n', 'times': 1},
              {'tool': 'prlctl', 'command': 'list', 've': 'win1', 'hang': 1, 'times': 1}]
    node.write('/.lab/faults.json', json.dumps(faults))
    proc = node.prlctl('start', 'web1')
    assert (proc.returncode, proc.stdout, proc.stderr) == (255, '', 'boom\n')
    assert node.info('web1')['State'] == 'stopped'
    started = time.monotonic()
    node.ok('list', '-i', 'win1')
    assert time.monotonic() - started >= 1
    node.ok('start', 'web1')
    env = {'VE_LAB_PRLCTL_DEPRECATION': '1'}
    assert node.prlctl('status', 'web1', env=env).stderr == DEPRECATION
    assert node.prlctl('list', env=env).stderr == ''
    assert node.prlctl('status', 'web1').stderr == ''
    with open(node.path('/.lab/node.json'), encoding='utf-8') as handle:
        settings = json.load(handle)
    settings['prlctl_deprecation'] = True
    node.write('/.lab/node.json', json.dumps(settings))
    assert node.prlctl('stop', 'web1').stderr == DEPRECATION


def test_no_lab_root():  # lab convention: same as vzctl
    env = tool_env()
    env.pop('VE_LAB_ROOT', None)
    proc = subprocess.run([os.path.join(BIN, 'prlctl'), 'list'], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert (proc.returncode, proc.stderr) == (10, 'VE_LAB_ROOT is not set\n')


def test_labctl_node_layout(tmp_path):  # lab convention: labctl init-node
    proc = labctl_init(tmp_path / 'fresh')
    assert 'created vz/template/cache/debian-12-x86_64.tar.gz' in proc.stdout
    for real in ('etc/vz/vz.conf', 'vz/private', 'vz/vmprivate', 'etc/vz/conf', '.lab/node.json'):
        assert os.path.exists(os.path.join(str(tmp_path / 'fresh'), real))
    assert 'kept' in labctl_init(tmp_path / 'fresh').stdout
