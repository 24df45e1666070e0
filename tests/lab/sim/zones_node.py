# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A freshly installed global zone for the lab: what ``labctl init-node --technology zones`` writes.

``/etc/zones/index`` holding only the global zone, the system templates
(``SUNWdefault.xml``/``SUNWblank.xml``, on Solaris 11 ``SYSdefault.xml``/``SYSblank.xml``),
the release record in ``.lab/node.json`` and the OS image ``zoneadm install``
unpacks (a busybox placeholder root, see ``rootfs``). Idempotent: files that
exist are kept.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from .common import atomic_write, makedirs, read_json
from .rootfs import build_rootfs_tar, place_template
from .zones_state import INDEX, INDEX_HEADER, IndexEntry
from .zones_conf import DEFAULT_RELEASE, GLOBAL, RELEASES, TEMPLATE_NAMES, template, to_xml

TECHNOLOGY = 'zones'
MARKER = '.lab/node.json'
OS_IMAGE = '.lab/templates/zone-root.tar.gz'
DIRECTORIES = ('etc/zones', 'var/run/zones', 'var/log/zones', '.lab', '.lab/templates')

# /etc/os-release and /etc/release of the image each release installs (placeholders: busybox inside).
OS_RELEASE = {
    'illumos': ('NAME="OmniOS"\nPRETTY_NAME="OmniOS Community Edition v11 r151046"\n'
                'CPE_NAME="cpe:/o:omniosce:omnios:11:151046:0"\nID=omnios\nVERSION=r151046\nVERSION_ID=r151046\n'
                'HOME_URL="https://omnios.org/"\n',
                '  OmniOS v11 r151046\n  Copyright (c) 2012-2017 OmniTI Computer Consulting, Inc.\n'
                '  Copyright (c) 2017-2023 OmniOS Community Edition (OmniOSce) Association.\n'
                '  All rights reserved. Use is subject to licence terms.\n'),
    's11': ('NAME="Oracle Solaris"\nPRETTY_NAME="Oracle Solaris 11.4"\nCPE_NAME="cpe:/o:oracle:solaris:11:4"\n'
            'ID=solaris\nVERSION=11.4\nVERSION_ID=11.4\nHOME_URL="https://www.oracle.com/solaris/"\n',
            '                             Oracle Solaris 11.4 X86\n'
            '  Copyright (c) 1983, 2018, Oracle and/or its affiliates.  All rights reserved.\n'),
    's10': ('NAME="Solaris"\nPRETTY_NAME="Oracle Solaris 10 1/13"\nID=solaris\nVERSION=10\nVERSION_ID=10\n',
            '                    Oracle Solaris 10 1/13 s10x_u11wos_24a X86\n'
            '  Copyright (c) 1983, 2013, Oracle and/or its affiliates. All rights reserved.\n'),
}


def is_node(directory):
    marker = read_json(os.path.join(directory, MARKER), {})
    return isinstance(marker, dict) and marker.get('technology') == TECHNOLOGY


def template_files(release):
    """(file under etc/zones, XML text) of the release's system templates."""
    files = []
    for name, (kind, releases) in sorted(TEMPLATE_NAMES.items()):
        if release not in releases:
            continue
        cfg = template(release, kind, name)
        if release == 's11' and kind == 'default':
            cfg.set('zonepath', '/system/zones/%{zonename}')
        files.append(('etc/zones/%s.xml' % name, to_xml(cfg)))
    return files


def init_node(directory, report, cache_dir=None, release=DEFAULT_RELEASE, os_template=None):
    """Make ``directory`` a global zone of ``release``; ``report(line)`` tells what was made. Returns an exit code.

    ``os_template``: a root archive for ``zoneadm install`` to link instead of the placeholder (``rootfs.place_template``).
    """
    directory = os.path.abspath(directory)
    if release not in RELEASES:
        raise ValueError('unknown release %s (expected one of %s)' % (release, ', '.join(sorted(RELEASES))))
    if os.path.isdir(directory) and os.listdir(directory) and not is_node(directory):
        raise ValueError('%s is not empty and is not a %s lab node' % (directory, TECHNOLOGY))
    recorded = read_json(os.path.join(directory, MARKER), {}).get('release') if is_node(directory) else None
    if recorded not in (None, release):
        raise ValueError('%s is a %s lab node of release %s, not %s' % (directory, TECHNOLOGY, recorded, release))
    report('%s node (%s) at %s' % (TECHNOLOGY, release, directory))
    for sub in DIRECTORIES:
        path = os.path.join(directory, sub)
        if not os.path.isdir(path):
            makedirs(path)
            report('  created %s/' % sub)
    index = INDEX_HEADER + IndexEntry(GLOBAL, 'installed', '/').line() + '\n'
    for sub, text in [(INDEX.lstrip('/'), index)] + template_files(release):
        path = os.path.join(directory, sub)
        if os.path.exists(path):
            report('  kept    %s' % sub)
        else:
            atomic_write(path, text)
            report('  created %s' % sub)
    os_release, etc_release = OS_RELEASE[release]
    place_template(os.path.join(directory, OS_IMAGE), OS_IMAGE, report,
                   lambda path: build_rootfs_tar(path, os_release, cache_dir=cache_dir,
                                                 extra_files=[('etc/release', etc_release, 0o444)]), os_template)
    marker = os.path.join(directory, MARKER)
    if not os.path.exists(marker):
        atomic_write(marker, json.dumps({'technology': TECHNOLOGY, 'release': release, 'version': 1}) + '\n')
    return 0
