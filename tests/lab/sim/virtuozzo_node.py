# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A freshly installed Virtuozzo 7 node for the lab: what ``labctl init-node --technology virtuozzo`` writes.

``/etc/vz/vz.conf`` (VZ7 defaults: ``DEF_OSTEMPLATE``, ``CONFIGFILE``), CT
sample configs, the directories prlctl/vzctl use (``/vz/private``,
``/vz/vmprivate``, ``/vz/root``, ``/vz/lock``, ``/vz/backups``,
``/vz/template/cache``) and the CT template cache ``debian-12-x86_64.tar.gz``
(a busybox placeholder root, see ``rootfs``). ``.lab/node.json`` records the
technology, the host name used by migrate/backup-list (the directory's base
name), the VM distributions the node knows and ``prlctl_deprecation`` (false).
Idempotent: files that exist are kept.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import uuid

from .common import atomic_write, makedirs, read_json
from .rootfs import build_rootfs_tar, place_template
from .virtuozzo_state import DISTRIBUTIONS, HOST_CPUS, MARKER, TECHNOLOGY

TEMPLATE = 'vz/template/cache/debian-12-x86_64.tar.gz'
DIRECTORIES = ('etc/vz/conf', 'vz/private', 'vz/vmprivate', 'vz/root', 'vz/lock', 'vz/backups', 'vz/dump',
               'vz/template/cache', 'var/log', '.lab', '.lab/prlctl/ves')

VZ_CONF = """## Global parameters
VIRTUOZZO=yes
LOCKDIR=/vz/lock
DUMPDIR=/vz/dump
VE0CPUUNITS=1000

## Logging parameters
LOGGING=yes
LOGFILE=/var/log/vzctl.log
LOG_LEVEL=0
VERBOSE=0

## Template parameters
TEMPLATE=/vz/template

## Defaults for containers
VE_ROOT=/vz/root/$VEID
VE_PRIVATE=/vz/private/$VEID
CONFIGFILE="vswap.1024MB"
DEF_OSTEMPLATE="centos-7"
VE_LAYOUT=ploop
"""

SAMPLE = """# Virtuozzo sample configuration "{name}" (lab copy)
PHYSPAGES="0:{ram}"
SWAPPAGES="0:{swap}"
DISKSPACE="{disk}:{disk}"
CPUUNITS="1000"
"""
# name -> (RAM pages, swap pages, disk KiB)
SAMPLES = (('vswap.512MB', 131072, 131072, 10485760), ('vswap.1024MB', 262144, 131072, 10485760),
           ('vswap.2048MB', 524288, 262144, 20971520))


def is_node(directory):
    marker = read_json(os.path.join(directory, MARKER), {})
    return isinstance(marker, dict) and marker.get('technology') == TECHNOLOGY


def init_node(directory, report, cache_dir=None, os_template=None):
    """Make ``directory`` a Virtuozzo node; ``report(line)`` tells what was made. Returns an exit code.

    ``os_template``: an OS template archive to link instead of the placeholder (see ``rootfs.place_template``).
    """
    directory = os.path.abspath(directory)
    if os.path.isdir(directory) and os.listdir(directory) and not is_node(directory):
        raise ValueError('%s is not empty and is not a %s lab node' % (directory, TECHNOLOGY))
    report('%s node at %s' % (TECHNOLOGY, directory))
    for sub in DIRECTORIES:
        path = os.path.join(directory, sub)
        if not os.path.isdir(path):
            makedirs(path)
            report('  created %s/' % sub)
    files = [('etc/vz/vz.conf', VZ_CONF)]
    files += [('etc/vz/conf/ve-%s.conf-sample' % name, SAMPLE.format(name=name, ram=ram, swap=swap, disk=disk))
              for name, ram, swap, disk in SAMPLES]
    for sub, text in files:
        path = os.path.join(directory, sub)
        if os.path.exists(path):
            report('  kept    %s' % sub)
        else:
            atomic_write(path, text)
            report('  created %s' % sub)
    place_template(os.path.join(directory, TEMPLATE), TEMPLATE, report,
                   lambda path: build_rootfs_tar(path, cache_dir=cache_dir), os_template)
    marker = os.path.join(directory, MARKER)
    if not os.path.exists(marker):
        settings = {'technology': TECHNOLOGY, 'version': 1, 'hostname': os.path.basename(directory),
                    'uuid': str(uuid.uuid4()), 'cpus': HOST_CPUS, 'distributions': sorted(DISTRIBUTIONS),
                    'prlctl_deprecation': False}
        atomic_write(marker, json.dumps(settings, indent=2, sort_keys=True) + '\n')
    return 0
