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
``VE_LAB_STATE`` tells the scenarios where the lab's ssh_config is.
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


@pytest.mark.parametrize('role', SCENARIOS)
def test_molecule_scenario(fleet, role, tmp_path):
    env = dict(os.environ, VE_LAB_STATE=fleet.state, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
               PATH=BIN + os.pathsep + os.environ.get('PATH', ''), MOLECULE_EPHEMERAL_DIRECTORY=str(tmp_path / 'eph'),
               ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', PY_COLORS='0', NO_COLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'molecule'), 'test'], cwd=os.path.join(ROLES, role), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False,
                          timeout=1800)
    assert proc.returncode == 0, proc.stdout[-8000:]
    # The sequence really ran its idempotence step (molecule fails the run when a second converge changes anything).
    assert 'idempotence' in proc.stdout.lower(), proc.stdout[-8000:]
