# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles' molecule scenarios, run as a role author runs them: ``molecule test`` in the role's directory.

Each scenario (roles/<role>/molecule/default) creates its instance VE on a
node of the lab (``fleet`` fixture) with the collection's own role
``datacenter.ve.ve`` (tests/molecule/create.yml), converges the role inside it
through the VE's connection plugin, checks that a second converge changes
nothing, verifies the service from outside the VE, and destroys the VE.
``VE_LAB_STATE`` tells the scenarios where the lab's ssh_config is. The three scenarios run at the same time
(each on its own node), one test per role reporting its own run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible_collections.datacenter.ve.tests.integration.lab_fleet import COLLECTION_ROOT

pytestmark = pytest.mark.xdist_group('lab')

BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
ROLES = os.path.join(COLLECTION_ROOT, 'roles')
SCENARIOS = sorted(role for role in os.listdir(ROLES)
                   if os.path.exists(os.path.join(ROLES, role, 'molecule', 'default', 'molecule.yml')))


@pytest.fixture(scope='module')
def scenario_runs(fleet, tmp_path_factory):
    """``molecule test`` of every scenario, started at once: each has its own node, VE and addresses, and most
    of a run is spent waiting for packages and SSH. -> {role: Popen}, output in a file per role."""
    runs = {}
    for role in SCENARIOS:
        work = tmp_path_factory.mktemp('molecule-%s' % role)
        env = dict(os.environ, VE_LAB_STATE=fleet.state, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
                   PATH=BIN + os.pathsep + os.environ.get('PATH', ''), MOLECULE_EPHEMERAL_DIRECTORY=str(work / 'eph'),
                   ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', PY_COLORS='0', NO_COLOR='1')
        output = open(str(work / 'output.txt'), 'w+')
        runs[role] = (subprocess.Popen([os.path.join(BIN, 'molecule'), 'test'], cwd=os.path.join(ROLES, role),
                                       env=env, stdout=output, stderr=subprocess.STDOUT), output)
    yield runs
    for proc, output in runs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        output.close()


@pytest.mark.parametrize('role', SCENARIOS)
def test_molecule_scenario(scenario_runs, role):
    proc, output = scenario_runs[role]
    try:
        returncode = proc.wait(timeout=1800)
    except subprocess.TimeoutExpired:
        proc.kill()
        returncode = proc.wait()
    output.seek(0)
    text = output.read()
    assert returncode == 0, text[-8000:]
    # The sequence really ran its idempotence step (molecule fails the run when a second converge changes anything).
    assert 'idempotence' in text.lower(), text[-8000:]
