# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The built tarball installs, holds what users need and nothing of the developer's, and its docs render."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tarfile

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


PLUGIN_DIRS = {'modules': 'module', 'inventory': 'inventory', 'connection': 'connection'}


def _plugins_in_checkout():
    found = []
    for folder, kind in PLUGIN_DIRS.items():
        path = os.path.join(COLLECTION_ROOT, 'plugins', folder)
        for name in sorted(os.listdir(path)) if os.path.isdir(path) else ():
            if name.endswith('.py') and not name.startswith('_'):
                found.append((kind, 'datacenter.ve.' + name[:-3]))
    return found


def test_tarball_content(installed_collection):
    with tarfile.open(str(installed_collection['tarball'])) as tar:
        names = tar.getnames()
    assert 'MANIFEST.json' in names and 'FILES.json' in names
    for needed in ('plugins/module_utils/_runner.py', 'plugins/module_utils/_units.py',
                   'plugins/module_utils/_ve.py', 'plugins/doc_fragments/attributes.py',
                   'meta/runtime.yml', 'README.md', 'docs/architecture.md'):
        assert needed in names, needed
    for name in names:
        top = name.split('/')[0]
        assert top not in ('.venv', '.build', '.git', 'collections', '.ci', '.hypothesis'), name
        assert not name.startswith('tests/output'), name
        assert not name.startswith('tests/lab/.state'), name
        assert '__pycache__' not in name, name


def test_installed_collection_is_found(installed_collection, cli):
    proc = cli(['ansible-galaxy', 'collection', 'list', '--format', 'json', 'datacenter.ve',
                '-p', str(installed_collection['path'])],
               env={'ANSIBLE_COLLECTIONS_PATH': str(installed_collection['path'])})
    listing = json.loads(proc.stdout)
    versions = [v for coll in listing.values() for k, v in coll.items() if k == 'datacenter.ve']
    assert versions and versions[0]['version']


@pytest.mark.parametrize('kind, name', _plugins_in_checkout() or [pytest.param(None, None, marks=pytest.mark.skip(
    reason='no modules or plugins in the collection yet'))])
def test_docs_render_from_the_installed_tarball(installed_collection, cli, kind, name):
    env = {'ANSIBLE_COLLECTIONS_PATH': str(installed_collection['path'])}
    proc = cli(['ansible-doc', '--type', kind, '--json', name], env=env)
    doc = json.loads(proc.stdout)[name]['doc']
    assert doc['short_description'] and doc['description']
    text = cli(['ansible-doc', '--type', kind, name], env=env).stdout
    assert name in text
