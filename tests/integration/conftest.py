# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for tests that run the collection the way users do (CLI tools, real processes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
# Held (flock) by each test module marked xdist_group('lab') while it runs: they share the machine's one lab bridge.
LAB_NETWORK_LOCK = '/tmp/velab-tests.lock'


@pytest.fixture(scope='module', autouse=True)
def lab_network_turn(request):
    """Test modules marked ``xdist_group('lab')`` (``pytestmark``) run one at a time machine-wide.

    Module-scoped, and autouse so that it is set up before the module's other module fixtures (a lab brought up
    once for the module is inside the turn, and taken down before the turn ends). ``--dist loadgroup`` was
    meant to put them on one worker, but pytest-xdist 3.8 under pytest 9 does not group (it renames
    ``item._nodeid``, which pytest 9 no longer reads); a lock also holds between separate pytest runs.
    """
    marks = [m.args[0] if m.args else m.kwargs.get('name') for m in request.node.iter_markers('xdist_group')]
    if 'lab' not in marks:
        yield
        return
    import fcntl
    with open(LAB_NETWORK_LOCK, 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(argv, env=None, check=True, **kwargs):
    """Run an Ansible CLI from the venv; returns CompletedProcess with text output."""
    environ = dict(os.environ)
    environ['PATH'] = BIN + os.pathsep + environ.get('PATH', '')
    environ.update(env or {})
    proc = subprocess.run(argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError('%s exited %d\nstdout:\n%s\nstderr:\n%s'
                             % (' '.join(argv), proc.returncode, proc.stdout, proc.stderr))
    return proc


@pytest.fixture(scope='session')
def cli():
    """``cli(argv, env=None, check=True)``: run an Ansible command as a user would."""
    return run


@pytest.fixture(scope='session')
def installed_collection(tmp_path_factory):
    """Build the tarball from the checkout and install it into a fresh collections path."""
    work = tmp_path_factory.mktemp('galaxy')
    dist = work / 'dist'
    run(['ansible-galaxy', 'collection', 'build', '--output-path', str(dist), COLLECTION_ROOT])
    tarballs = list(dist.glob('datacenter-ve-*.tar.gz'))
    assert len(tarballs) == 1, tarballs
    path = work / 'collections'
    run(['ansible-galaxy', 'collection', 'install', '--offline', '--force', '-p', str(path), str(tarballs[0])])
    return {'tarball': tarballs[0], 'path': path,
            'root': path / 'ansible_collections' / 'datacenter' / 've'}


@pytest.fixture
def lab_node(tmp_path):
    """``lab_node(technology, *labctl_args)`` -> a fresh simulated node (tests/lab) as a LabNode."""
    from ansible_collections.datacenter.ve.tests.integration.lab_node import LabNode

    def factory(technology, *init_args):
        return LabNode(tmp_path, technology, *init_args)
    return factory


VCSIM_USER = 'administrator@vsphere.local'
VCSIM_PASSWORD = 'Lab-vCenter-9!'


class VCenter:
    """A running lab vCenter (govmomi's simulator over TLS): its JSON line, connection arguments, call counts."""

    def __init__(self, info):
        self.info = info

    @property
    def conn(self):
        """Module arguments that reach it with certificate validation against the lab's CA."""
        return {'hostname': self.info['host'], 'port': self.info['port'], 'username': VCSIM_USER,
                'password': VCSIM_PASSWORD, 'validate_certs': True, 'ca_path': self.info['ca']}

    def si(self):
        from ansible_collections.datacenter.ve.plugins.module_utils import _vmware
        return _vmware.connect(self.conn)

    def calls(self):
        return self._vcsim().calls(self.info)

    def reset_calls(self):
        self._vcsim().reset_calls(self.info)

    @staticmethod
    def _vcsim():
        sys.path.insert(0, os.path.join(COLLECTION_ROOT, 'tests', 'lab'))
        try:
            from sim import vcsim
        finally:
            sys.path.pop(0)
        return vcsim


@pytest.fixture(scope='session')
def vcenter_factory(tmp_path_factory):
    """``vcenter_factory(vms=2, hosts=2, ...)`` -> a VCenter started for this session (stopped at its end)."""
    vcsim = VCenter._vcsim()
    started = []

    def factory(**sizes):
        state = str(tmp_path_factory.mktemp('vcsim'))
        info = vcsim.start(state, username=VCSIM_USER, password=VCSIM_PASSWORD, **sizes)
        started.append(state)
        return VCenter(info)
    yield factory
    for state in started:
        vcsim.stop(state)


@pytest.fixture(scope='session')
def vcenter(vcenter_factory):
    """One lab vCenter shared by a session's VMware tests: 1 datacenter, 1 cluster of 2 hosts, 4 VMs."""
    return vcenter_factory(vms=4, hosts=2)


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    """The whole lab (``labctl up``: three nodes over SSH, vcenter) in a private state directory, for one module.

    Skips where the lab cannot run (not root, packages missing, or a user's lab is up). Taken down at the end
    unless a test already did. Modules using it must be marked ``xdist_group('lab')`` (see ``lab_network_turn``).
    """
    from ansible_collections.datacenter.ve.tests.integration.lab_fleet import Fleet, skip_reason
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    lab = Fleet(str(tmp_path_factory.mktemp('lab') / 'state'))
    lab.up()
    yield lab
    if os.path.exists(os.path.join(lab.state, 'lab.json')):
        lab.down()
