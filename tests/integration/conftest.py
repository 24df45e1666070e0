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
