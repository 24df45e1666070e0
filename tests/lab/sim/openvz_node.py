# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A freshly installed OpenVZ (vzctl 4.x) node for the lab: what ``labctl init-node`` writes.

``/etc/vz/vz.conf`` with the shipped defaults of openvz.md §7.2, the vswap
sample configs, the empty directories vzctl expects and one OS template cache,
``debian-12-x86_64.tar.gz`` (a busybox placeholder root, see ``rootfs``).
Idempotent: files that exist are kept.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from .common import atomic_write, makedirs, read_json
from .rootfs import build_rootfs_tar, place_template

TECHNOLOGY = 'openvz'
MARKER = '.lab/node.json'
TEMPLATE = 'vz/template/cache/debian-12-x86_64.tar.gz'

DIRECTORIES = ('etc/vz/conf', 'etc/vz/names', 'vz/private', 'vz/root', 'vz/lock', 'vz/dump',
               'vz/template/cache', 'var/log', '.lab', '.lab/run')

VZ_CONF = """## Global parameters
VIRTUOZZO=yes
LOCKDIR=/vz/lock
DUMPDIR=/vz/dump
VE0CPUUNITS=1000
VE_STOP_MODE=suspend

## Logging parameters
LOGGING=yes
LOGFILE=/var/log/vzctl.log
LOG_LEVEL=0
VERBOSE=0

## Disk quota parameters
DISK_QUOTA=yes
VZFASTBOOT=no

# Disable module loading. If set, vz initscript does not load any modules.
#MODULES_DISABLED=yes

# The name of the device whose IP address will be used as source IP for CT.
# By default automatically assigned.
#VE_ROUTE_SRC_DEV="eth0"

# Controls which interfaces to send ARP requests and modify ARP tables on.
#NEIGHBOUR_DEVS=detect

## Fail if there is another machine in the network with the same IP
ERROR_ON_ARPFAIL="no"

## Template parameters
TEMPLATE=/vz/template

## Defaults for containers
VE_ROOT=/vz/root/$VEID
VE_PRIVATE=/vz/private/$VEID
CONFIGFILE="vswap-256m"
DEF_OSTEMPLATE="centos-6-x86"
NAMESERVER=inherit

## Filesystem layout for new CTs: either simfs or ploop
VE_LAYOUT=ploop

# User namespace configuration
LOCAL_UID=100000
LOCAL_GID=100000

## IPv4 iptables kernel modules to be enabled in CTs by default
IPTABLES_MODULES="ipt_REJECT ipt_tos ipt_limit ipt_multiport iptable_filter iptable_mangle ipt_TCPMSS ipt_tcpmss ipt_ttl ipt_length"

## Enable IPv6
IPV6="yes"
"""

SAMPLE = """# vzctl sample configuration "{name}" (lab copy).
# This config is only valid for decent VSwap-enabled kernel
# (version 042stab042 or later).

# RAM
PHYSPAGES="0:{ram}"

# Swap
SWAPPAGES="0:{swap}"

# Disk quota parameters (in form of softlimit:hardlimit)
DISKSPACE="2G:2.2G"
DISKINODES="131072:144179"
QUOTATIME="0"

# CPU fair scheduler parameter
CPUUNITS="1000"

NETFILTER="stateless"
"""
SAMPLES = (('vswap-256m', '256M', '512M'), ('vswap-512m', '512M', '1G'), ('vswap-1g', '1G', '2G'))


def is_node(directory):
    marker = read_json(os.path.join(directory, MARKER), {})
    return isinstance(marker, dict) and marker.get('technology') == TECHNOLOGY


def init_node(directory, report, cache_dir=None, os_template=None):
    """Make ``directory`` an OpenVZ node; ``report(line)`` tells what was made. Returns an exit code.

    ``cache_dir`` keeps built template archives between nodes (see ``rootfs.build_rootfs_tar``);
    ``os_template``: an OS template archive to link instead of the placeholder (see ``rootfs.place_template``).
    """
    directory = os.path.abspath(directory)
    if os.path.isdir(directory) and os.listdir(directory) and not is_node(directory):
        raise ValueError('%s is not empty and is not an %s lab node' % (directory, TECHNOLOGY))
    report('%s node at %s' % (TECHNOLOGY, directory))
    for sub in DIRECTORIES:
        path = os.path.join(directory, sub)
        if not os.path.isdir(path):
            makedirs(path)
            report('  created %s/' % sub)
    files = [('etc/vz/vz.conf', VZ_CONF)]
    files += [('etc/vz/conf/ve-%s.conf-sample' % name, SAMPLE.format(name=name, ram=ram, swap=swap))
              for name, ram, swap in SAMPLES]
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
        atomic_write(marker, json.dumps({'technology': TECHNOLOGY, 'version': 1}) + '\n')
    return 0
