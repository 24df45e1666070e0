# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Many VEs on one lab node at once, state only: ``labctl populate NODE_DIR --count N``.

For inventories at scale (the fleet benchmark lists 5,000 VEs on 50 nodes):
every VE is made by the node's own tool code, called in this process exactly as
its command line would call it, so that ``vzlist -a -j`` and ``prlctl list -a
-i -j -f`` show it as if it had been made with the tools:

* OpenVZ: ``vzctl create CTID --ostemplate debian-12-x86_64 --name NAME
  --hostname HOST --ipadd IPV4 --ipadd IPV6 --diskspace D``, ``vzctl set CTID
  --ram M --swap S --cpus C --save``, ``vzctl start CTID``;
* Virtuozzo: ``prlctl create NAME --vmtype ct --ostemplate debian-12-x86_64``,
  ``prlctl set NAME --hostname HOST --ipadd IPV4 --ipadd IPV6 --memsize M
  --cpus C``, ``prlctl set NAME --device-set hdd0 --size D``, ``prlctl start
  NAME``.

Two things differ from running the tools one by one, both for speed: the OS
template is not unpacked (the private area gets an empty ``etc/`` only: the
lab's Debian template is 70 MB, 5,000 copies would not fit; nothing in a
listing reads the root), and the runtime is ``none`` whatever the node's
sessions use, so "running" is the simulators' run state alone: no container is
started, no address is configured anywhere. ``vzlist`` and ``prlctl list``
report such a VE as running under either runtime (both read the run state,
never the runtime).

Names and addresses (``plan()``), for VE n (1-based) of node number K
(``nodeK``; ``--node-number`` for another directory name):

* name ``ct-nodeK-n``, hostname ``ct-nodeK-n.fleet.lab.example``, OpenVZ CT ID
  ``100 + n``;
* IPv4 ``198.18.K.n`` and IPv6 ``fd00:5e1a:b::K:n`` (K and n written in
  decimal digits). The lab network (``sim.netlab``) is ``198.18.0.0/24`` and
  ``fd00:5e1a:b::/64``; a /24 holds 253 VE addresses, too few for thousands, so
  the IPv4 addresses come from the rest of the RFC 2544 benchmarking block
  ``198.18.0.0/15`` the lab's /24 belongs to: never routed on the Internet,
  unique per VE, and outside the lab's own /24, so they cannot clash with a VE
  the lab really starts (and the namespace runtime would refuse to configure
  them: they are configuration only). Hence at most 254 VEs per node and node
  numbers 1 to 255;
* every ``stopped_every``-th VE (default 4th) stopped, the others running;
  memory 256M/512M/1G/2G, CPUs 1/2/4, disks 10G/20G/40G, in turn.

Zones nodes are not supported (listing zones costs one ``zonecfg export`` per
zone; make them with the zone tools).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import os
import re

from .common import LAB_LOG_ENV, LAB_ROOT_ENV, makedirs, read_json

TEMPLATE = 'debian-12-x86_64'
MEMORY_MB = (256, 512, 1024, 2048)
CPUS = (1, 2, 4)
DISK_GB = (10, 20, 40)
FIRST_CTID = 100
MAX_PER_NODE = 254
TECHNOLOGIES = ('openvz', 'virtuozzo')


class PopulateError(Exception):
    """A VE could not be made (the tool's exit code and what it printed)."""


def node_number(directory):
    """K of a node directory named ``nodeK`` (or ending in digits), else None."""
    match = re.search(r'(\d+)$', os.path.basename(os.path.abspath(directory).rstrip('/')))
    return int(match.group(1)) if match else None


def plan(node_name, number, count, stopped_every=4):
    """[{n, ctid, name, hostname, ipv4, ipv6, memory_mb, cpus, disk_gb, running}] of the VEs of one node."""
    if not 1 <= count <= MAX_PER_NODE:
        raise PopulateError('--count must be between 1 and %d (one 198.18.K.0/24 per node)' % MAX_PER_NODE)
    if not 1 <= number <= 255:
        raise PopulateError('the node number must be between 1 and 255 (198.18.K.n)')
    ves = []
    for n in range(1, count + 1):
        name = 'ct-%s-%d' % (node_name, n)
        ves.append({
            'n': n, 'ctid': FIRST_CTID + n, 'name': name, 'hostname': '%s.fleet.lab.example' % name,
            'ipv4': '198.18.%d.%d' % (number, n), 'ipv6': 'fd00:5e1a:b::%d:%d' % (number, n),
            'memory_mb': MEMORY_MB[(n - 1) % len(MEMORY_MB)], 'cpus': CPUS[(n - 1) % len(CPUS)],
            'disk_gb': DISK_GB[(n - 1) % len(DISK_GB)],
            'running': not (stopped_every and n % stopped_every == 0),
        })
    return ves


def _skeleton(archive, target):
    """Instead of unpacking ``archive``: an empty root with ``etc/`` (where start writes the hostname)."""
    makedirs(os.path.join(target, 'etc'))


@contextlib.contextmanager
def _as_tool(root, modules):
    """This process as a tool call on node ``root``: its environment, runtime none, templates not unpacked."""
    keys = (LAB_ROOT_ENV, LAB_LOG_ENV, 'VE_LAB_RUNTIME', 'VE_LAB_PRLCTL_DEPRECATION')
    saved_env = dict((key, os.environ.get(key)) for key in keys)
    saved_unpack = [(module, module.unpack) for module in modules]
    os.environ.update({LAB_ROOT_ENV: root, 'VE_LAB_RUNTIME': 'none', 'VE_LAB_PRLCTL_DEPRECATION': '0'})
    os.environ.pop(LAB_LOG_ENV, None)
    for module, dummy in saved_unpack:
        module.unpack = _skeleton
    try:
        yield
    finally:
        for module, function in saved_unpack:
            module.unpack = function
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _call(main, argv):
    """``main(argv)`` (a tool's entry point) with its output captured; raises PopulateError unless it exits 0."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(argv)
    if rc:
        raise PopulateError('%s -> exit %d: %s' % (' '.join(argv), rc, (stdout.getvalue() + stderr.getvalue()).strip()))


def _openvz(root, ves):
    from . import openvz
    made = 0
    with _as_tool(root, [openvz]):
        for ve in ves:
            ctid = str(ve['ctid'])
            if os.path.exists(os.path.join(root, 'etc', 'vz', 'conf', '%s.conf' % ctid)):
                continue
            _call(openvz.vzctl_main, ['create', ctid, '--ostemplate', TEMPLATE, '--name', ve['name'],
                                      '--hostname', ve['hostname'], '--ipadd', ve['ipv4'], '--ipadd', ve['ipv6'],
                                      '--diskspace', '%dG:%dG' % (ve['disk_gb'], ve['disk_gb'] + ve['disk_gb'] // 10)])
            _call(openvz.vzctl_main, ['set', ctid, '--ram', '%dM' % ve['memory_mb'], '--swap', '%dM' % (ve['memory_mb'] // 2),
                                      '--cpus', str(ve['cpus']), '--save'])
            if ve['running']:
                _call(openvz.vzctl_main, ['start', ctid])
            made += 1
    return made


def _virtuozzo(root, ves):
    from . import virtuozzo
    records = os.path.join(root, '.lab', 'prlctl', 'ves')
    existing = set()
    for entry in os.listdir(records) if os.path.isdir(records) else ():
        record = read_json(os.path.join(records, entry), None)
        if isinstance(record, dict):
            existing.add(record.get('name'))
    made = 0
    with _as_tool(root, [virtuozzo]):
        for ve in ves:
            if ve['name'] in existing:
                continue
            _call(virtuozzo.prlctl_main, ['create', ve['name'], '--vmtype', 'ct', '--ostemplate', TEMPLATE])
            _call(virtuozzo.prlctl_main, ['set', ve['name'], '--hostname', ve['hostname'], '--ipadd', ve['ipv4'],
                                          '--ipadd', ve['ipv6'], '--memsize', '%dM' % ve['memory_mb'],
                                          '--cpus', str(ve['cpus'])])
            _call(virtuozzo.prlctl_main, ['set', ve['name'], '--device-set', 'hdd0', '--size', '%dG' % ve['disk_gb']])
            if ve['running']:
                _call(virtuozzo.prlctl_main, ['start', ve['name']])
            made += 1
    return made


def populate(root, count, number=None, node_name=None, stopped_every=4):
    """Make ``count`` VEs on the lab node at ``root`` (idempotent: VEs already there are kept); returns how many
    were made. ``number``/``node_name`` default to the directory's name (``nodeK``)."""
    root = os.path.abspath(root)
    marker = read_json(os.path.join(root, '.lab', 'node.json'), None)
    technology = marker.get('technology') if isinstance(marker, dict) else None
    if technology not in TECHNOLOGIES:
        raise PopulateError('%s is not an OpenVZ or Virtuozzo lab node (technology: %s)' % (root, technology))
    number = number if number is not None else node_number(root)
    if number is None:
        raise PopulateError('cannot tell the node number from %s: give --node-number' % root)
    node_name = node_name or os.path.basename(root.rstrip('/'))
    ves = plan(node_name, number, count, stopped_every)
    return (_openvz if technology == 'openvz' else _virtuozzo)(root, ves)
