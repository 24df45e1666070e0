# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's network: one bridge on the host that running VEs are joined to.

* ``ensure_network()`` first adds an ``unreachable`` route covering each whole
  lab range (IPv4 ``198.18.0.0/24``, IPv6 ``fd00:5e1a:b::/64``), so that no lab
  packet can follow the default route off the machine, then brings up the
  bridge ``velab0`` with the host's lab addresses (``198.18.0.1/24``,
  ``fd00:5e1a:b::1/64``). Idempotent.
* ``teardown_network()`` removes every ``velab*`` link (bridge and veths) and
  the unreachable routes.
* ``veth_name()`` names a VE's host-side veth from its node and ID.
* ``lab_addresses()`` checks a VE's configured addresses: an address outside
  the lab ranges (or one the lab reserves) raises ``NetworkError`` and is never
  configured anywhere.

Everything made here is named with the ``velab`` prefix. Only ``ip`` (iproute2)
is used; nothing touches the host's other interfaces or routes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import os
import shutil
import subprocess

PREFIX = 'velab'
BRIDGE = 'velab0'
LAB_IPV4 = ipaddress.ip_network('198.18.0.0/24')
LAB_IPV6 = ipaddress.ip_network('fd00:5e1a:b::/64')
BRIDGE_IPV4 = ipaddress.ip_address('198.18.0.1')
BRIDGE_IPV6 = ipaddress.ip_address('fd00:5e1a:b::1')
# The unreachable routes have the same prefix as the bridge's connected routes; with equal metrics the
# IPv4 one added first would win and cut the bridge off. The highest metric makes them the fallback that
# only applies while the bridge (and so its connected route) is absent or down.
UNREACHABLE_METRIC = 4294967295
IFNAMSIZ = 15


class NetworkError(Exception):
    """The lab network cannot be set up, or an address is not one the lab may use."""


def ip_command():
    """Path of iproute2's ``ip``."""
    path = shutil.which('ip') or '/usr/sbin/ip'
    if not os.path.exists(path):
        raise NetworkError('ip (iproute2) is not installed on this host')
    return path


def ip(*args, **kwargs):
    """Run ``ip ARGS``; returns its stdout, raises ``NetworkError`` on failure unless ``check=False``."""
    check = kwargs.pop('check', True)
    proc = subprocess.run([ip_command()] + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={'LC_ALL': 'C', 'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'}, check=False)
    if check and proc.returncode != 0:
        reason = proc.stderr.decode('utf-8', 'replace').strip() or 'exit %d' % proc.returncode
        raise NetworkError('ip %s: %s' % (' '.join(str(a) for a in args), reason))
    return proc.stdout.decode('utf-8', 'replace')


def lab_address(text):
    """The ``ipaddress`` address of a configured VE address (``A``, ``A/len`` or ``A/mask``), checked.

    Raises ``NetworkError`` if it is not a host address of the lab ranges, or is the bridge's own.
    """
    value = str(text).strip()
    try:
        address = ipaddress.ip_address(value.split('/', 1)[0])
    except ValueError:
        raise NetworkError('%r is not an IP address' % value)
    network = LAB_IPV4 if address.version == 4 else LAB_IPV6
    if address not in network:
        raise NetworkError('address %s is outside the lab range %s; the lab configures only lab addresses'
                           % (address, network))
    reserved = (network.network_address, BRIDGE_IPV4 if address.version == 4 else BRIDGE_IPV6)
    if address in reserved or (address.version == 4 and address == network.broadcast_address):
        raise NetworkError('address %s is reserved in the lab range %s' % (address, network))
    return address


def lab_addresses(addresses):
    """``lab_address()`` of each, in order, without duplicates."""
    result = []
    for text in addresses or ():
        address = lab_address(text)
        if address not in result:
            result.append(address)
    return result


def node_key(node_root, ctid):
    """Short hex key of VE ``ctid`` on the lab node rooted at ``node_root`` (unique per node and VE)."""
    text = '%s\0%s' % (os.path.abspath(str(node_root)), ctid)
    return hashlib.sha1(text.encode('utf-8')).hexdigest()


def veth_name(ctid, node_root=None):
    """Host-side veth name of VE ``ctid`` of the node at ``node_root`` (default ``$VE_LAB_ROOT``).

    ``velab`` and 10 hex digits of a hash of both, so that nodes starting the same CT ID, UUIDs and
    zone names all fit IFNAMSIZ; never ``velab0`` (the bridge).
    """
    if node_root is None:
        node_root = os.environ.get('VE_LAB_ROOT') or '/'
    return PREFIX + node_key(node_root, ctid)[:IFNAMSIZ - len(PREFIX)]


def lab_links():
    """Names of the host's links whose name starts with ``velab``."""
    names = []
    for line in ip('-o', 'link', 'show').splitlines():
        fields = line.split(':', 2)
        if len(fields) < 3:
            continue
        name = fields[1].strip().split('@', 1)[0]
        if name.startswith(PREFIX):
            names.append(name)
    return names


def link_exists(name):
    return os.path.exists('/sys/class/net/%s' % name)


def unreachable_routes():
    """The lab's unreachable routes present now, as ``ip route show`` lines (IPv4 then IPv6)."""
    lines = []
    for family, network in (('-4', LAB_IPV4), ('-6', LAB_IPV6)):
        out = ip(family, 'route', 'show', 'type', 'unreachable', 'exact', network, check=False)
        lines.extend(line for line in out.splitlines() if line.strip())
    return lines


def _write_sysctl(path, value):
    try:
        with open(path, 'w', encoding='ascii') as handle:
            handle.write(value)
    except OSError:
        pass


def ensure_network():
    """Unreachable routes for both lab ranges, then the bridge up with the host's lab addresses. Idempotent."""
    if os.geteuid() != 0:
        raise NetworkError('the lab network needs root')
    # First, so that nothing configured below can ever route lab traffic elsewhere.
    for family, network in (('-4', LAB_IPV4), ('-6', LAB_IPV6)):
        ip(family, 'route', 'replace', 'unreachable', network, 'metric', UNREACHABLE_METRIC)
    if not link_exists(BRIDGE):
        try:
            ip('link', 'add', BRIDGE, 'type', 'bridge')
        except NetworkError:
            if not link_exists(BRIDGE):  # else another start made it meanwhile
                raise
    # The host never forwards for the lab (global forwarding is off on these machines; this keeps it off
    # for packets arriving from the bridge even if someone turns it on).
    _write_sysctl('/proc/sys/net/ipv4/conf/%s/forwarding' % BRIDGE, '0')
    _write_sysctl('/proc/sys/net/ipv6/conf/%s/accept_ra' % BRIDGE, '0')
    ip('-4', 'addr', 'replace', '%s/%d' % (BRIDGE_IPV4, LAB_IPV4.prefixlen), 'dev', BRIDGE)
    ip('-6', 'addr', 'replace', '%s/%d' % (BRIDGE_IPV6, LAB_IPV6.prefixlen), 'dev', BRIDGE, 'nodad')
    ip('link', 'set', BRIDGE, 'up')


def teardown_network():
    """Remove every ``velab*`` link (veths first, then the bridge) and the lab's unreachable routes."""
    links = lab_links()
    for name in sorted(links, key=lambda n: n == BRIDGE):
        ip('link', 'del', name, check=False)
    for family, network in (('-4', LAB_IPV4), ('-6', LAB_IPV6)):
        # Each line is one route (whatever its metric); delete until none is left.
        for dummy in range(16):
            if not ip(family, 'route', 'show', 'type', 'unreachable', 'exact', network, check=False).strip():
                break
            ip(family, 'route', 'del', 'unreachable', network, check=False)
    left = list(lab_links()) + unreachable_routes()
    if left:
        raise NetworkError('lab network teardown left: %s' % ', '.join(left))
