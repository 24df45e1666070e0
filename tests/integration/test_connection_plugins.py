# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection plugins vzctl, prlctl and zlogin against running VEs of the lab, through real SSH.

The lab (``fleet`` fixture: ``labctl up``, three nodes reached with OpenSSH)
gets one running VE per technology. For each plugin, ``ansible-playbook`` runs
the shared connection playbook (tests/integration/files/connection_playbook.yml:
facts, raw, quoting and unicode, a shell pipeline, become to another user,
copy of small, binary, 100 MB and oddly named files, fetch, template, apt,
a service started with its init script and reached from the controller) with
pipelining on and without become, then with pipelining off and with become.
Then the error cases: a stopped VE, a missing VE, a node that is down; each
must fail as unreachable with a message naming the node and the VE.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import subprocess
import sys

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_fleet import COLLECTION_ROOT, NODE

pytestmark = pytest.mark.xdist_group('lab')

BIN = os.path.dirname(sys.executable)
PLAYBOOK = os.path.join(COLLECTION_ROOT, 'tests', 'integration', 'files', 'connection_playbook.yml')
# plugin -> (technology, VE, hostname, address, its VE option)
PLUGINS = {
    'vzctl': ('openvz', '401', 'conn1.lab.example', '198.18.0.51', 'ctid'),
    'prlctl': ('virtuozzo', 'conn2', 'conn2.lab.example', '198.18.0.52', 'name'),
    'zlogin': ('zones', 'conn3', 'conn3', '198.18.0.53', 'zone'),
}
BIG = 100 * 1000 * 1000


def sha1(path):
    digest = hashlib.sha1()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    work = tmp_path_factory.mktemp('connection-files')
    with open(str(work / 'big.bin'), 'wb') as handle:
        for dummy in range(BIG // (1 << 20)):
            handle.write(os.urandom(1 << 20))
        handle.write(os.urandom(BIG % (1 << 20)))
    (work / 'binary.bin').write_bytes(bytes(range(256)) * 300 + b'\0\r\n\xff')
    (work / 'page.j2').write_text('page of {{ ansible_facts.fqdn }}\n')
    return {'work_dir': str(work), 'big_checksum': sha1(str(work / 'big.bin')),
            'binary_checksum': sha1(str(work / 'binary.bin'))}


@pytest.fixture(scope='module')
def ves(fleet):
    """One running VE per plugin, and one stopped VE per plugin ("<ve>s")."""
    for plugin, (technology, ve, hostname, address, dummy) in sorted(PLUGINS.items()):
        fleet.make_ve(technology, ve, hostname, [address])
        stopped_address = address.rsplit('.', 1)[0] + '.%d' % (int(address.rsplit('.', 1)[1]) + 10)
        fleet.make_ve(technology, stopped(ve), 'stopped-' + hostname, [stopped_address], start=False)
    return fleet


def stopped(ve):
    return str(int(ve) + 1) if ve.isdigit() else ve + 's'


def inventory(fleet, tmp_path, plugin, **overrides):
    technology, ve, dummy, dummy2, option = PLUGINS[plugin]
    host = {
        'ansible_connection': 'datacenter.ve.%s' % plugin,
        'ansible_%s_%s' % (plugin, option): ve,
        'ansible_%s_node' % plugin: NODE[technology],
        'ansible_%s_node_ssh_args' % plugin: '-F %s' % fleet.ssh_config,
        'ansible_python_interpreter': '/usr/bin/python3',
    }
    host.update(('ansible_%s_%s' % (plugin, key), value) for key, value in overrides.items())
    path = str(tmp_path / ('%s-inventory.json' % plugin))
    with open(path, 'w') as handle:
        json.dump({'all': {'hosts': {'ve': host}}}, handle)
    return path


def run(argv, pipelining):
    env = dict(os.environ, ANSIBLE_PIPELINING=str(pipelining), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_HOST_KEY_CHECKING='True', ANSIBLE_RETRY_FILES_ENABLED='False')
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          env=env, check=False, timeout=1200)


@pytest.mark.parametrize('plugin', sorted(PLUGINS))
@pytest.mark.parametrize('pipelining,become', [(True, False), (False, True)], ids=['pipelining', 'become'])
def test_connection_playbook(ves, files, tmp_path, plugin, pipelining, become):
    technology, ve, hostname, address, dummy = PLUGINS[plugin]
    extra = dict(files, use_become=become, expected_hostname=hostname, ve_address=address)
    proc = run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory(ves, tmp_path, plugin), PLAYBOOK,
                '-e', json.dumps(extra)], pipelining)
    assert proc.returncode == 0, proc.stdout[-6000:]
    recap = [line for line in proc.stdout.splitlines() if line.startswith('ve ')]
    assert recap and 'failed=0' in recap[0] and 'unreachable=0' in recap[0], proc.stdout[-3000:]


def ad_hoc(inventory_path):
    proc = run([os.path.join(BIN, 'ansible'), '-i', inventory_path, 've', '-m', 'ansible.builtin.raw', '-a', 'true'],
               False)
    return proc.returncode, proc.stdout


@pytest.mark.parametrize('plugin', sorted(PLUGINS))
def test_errors_name_the_node_and_the_ve(ves, tmp_path, plugin):
    technology, ve, dummy, dummy2, option = PLUGINS[plugin]
    node = NODE[technology]
    kind = {'vzctl': 'CT', 'prlctl': 'VE', 'zlogin': 'zone'}[plugin]
    rc, out = ad_hoc(inventory(ves, tmp_path, plugin, **{option: stopped(ve)}))
    assert rc == 4 and 'UNREACHABLE' in out, out
    assert '%s %s on node %s is not running' % (kind, stopped(ve), node) in out, out
    for missing in (['999', 'nosuch9'] if plugin == 'vzctl' else ['nosuch9']):
        rc, out = ad_hoc(inventory(ves, tmp_path, plugin, **{option: missing}))
        assert rc == 4 and '%s %s on node %s does not exist' % (kind, missing, node) in out, out
    # a node nobody listens on: ssh fails, and the message says so (not "VE missing")
    rc, out = ad_hoc(inventory(ves, tmp_path, plugin, node='127.0.1.250', node_ssh_args='-o ConnectTimeout=3'))
    assert rc == 4 and 'cannot reach node 127.0.1.250' in out and '%s %s' % (kind, ve) in out, out
