# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's real OS template: a Debian 12 root filesystem made with debootstrap.

``ensure_debian_template(cache_dir, report)`` returns the path of
``debian-12-x86_64.tar.gz`` (the name of OpenVZ's template cache) in
``cache_dir``, building it first if it is not there (or ``rebuild=True``):

* ``debootstrap --variant=minbase --include=python3,sudo,...`` of bookworm from
  the host's Debian mirror (the first ``deb.debian.org``-style URI of its apt
  sources, ``$VE_LAB_DEBIAN_MIRROR`` to override), so that Ansible modules run
  inside a VE and ``become`` works;
* apt inside points at the same mirror and reaches it through the lab's
  package proxy on the bridge (``sim.aptproxy``): a VE has no other way out;
* packed with numeric owners into a temporary file, renamed into place.

The cache is outside the repository (``default_cache_dir()``:
``$VE_LAB_CACHE`` or ``/var/cache/datacenter-ve-lab``) and reused by every run
and every checkout on the machine; a lock file keeps two builds from racing.
Needs root and Debian's ``debootstrap``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time

from . import netlab

CACHE_ENV = 'VE_LAB_CACHE'
MIRROR_ENV = 'VE_LAB_DEBIAN_MIRROR'
DEFAULT_CACHE = '/var/cache/datacenter-ve-lab'
DEFAULT_MIRROR = 'http://deb.debian.org/debian'
NAME = 'debian-12-x86_64.tar.gz'
SUITE = 'bookworm'
# python3: Ansible modules run inside; sudo: become; procps: ps/pgrep for init scripts and the service module;
# iproute2: `ip`, which Ansible's fact gathering uses for network facts.
PACKAGES = ('python3', 'sudo', 'procps', 'iproute2')
PROXY_PORT = 3142
PROXY_URL = 'http://%s:%d' % (netlab.BRIDGE_IPV4, PROXY_PORT)

APT_PROXY_CONF = """// The lab's package proxy on the lab bridge (tests/lab/sim/aptproxy.py):
// a lab VE has no route to anything else.
Acquire::http::Proxy "%s";
""" % PROXY_URL
# No nameserver: glibc then asks 127.0.0.1, which refuses at once, instead of waiting for the host's resolver
# (unreachable from the lab bridge). Names a VE needs are in its /etc/hosts; apt goes through the proxy.
RESOLV_CONF = "# The lab has no DNS server for VEs (tests/lab/sim/template.py).\n"
HOSTS = """127.0.0.1\tlocalhost
::1\t\tlocalhost ip6-localhost ip6-loopback
"""


def default_cache_dir():
    return os.environ.get(CACHE_ENV) or DEFAULT_CACHE


def host_mirror(sources_dir='/etc/apt'):
    """The Debian mirror the host's apt uses (``$VE_LAB_DEBIAN_MIRROR`` first), else deb.debian.org."""
    if os.environ.get(MIRROR_ENV):
        return os.environ[MIRROR_ENV].rstrip('/')
    candidates = [os.path.join(sources_dir, 'sources.list')]
    parts = os.path.join(sources_dir, 'sources.list.d')
    if os.path.isdir(parts):
        candidates += [os.path.join(parts, name) for name in sorted(os.listdir(parts))
                       if name.endswith(('.list', '.sources'))]
    for path in candidates:
        try:
            with open(path, encoding='utf-8', errors='replace') as handle:
                text = handle.read()
        except OSError:
            continue
        for match in re.finditer(r'(?m)^\s*(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(http://\S+/debian)/?\s', text + '\n'):
            return match.group(1)
    return DEFAULT_MIRROR


def sources_list(mirror):
    security = mirror[:-len('/debian')] + '/debian-security' if mirror.endswith('/debian') else mirror + '-security'
    return ('deb %(m)s %(s)s main\ndeb %(m)s %(s)s-updates main\ndeb %(sec)s %(s)s-security main\n'
            % {'m': mirror, 's': SUITE, 'sec': security})


def mirror_hosts(mirror):
    """Host names apt inside the template fetches from (the proxy allows only these)."""
    match = re.match(r'http://([^/:]+)', mirror)
    return [match.group(1)] if match else []


def _write(path, text, mode=0o644):
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path, mode)


def configure_root(root, mirror):
    """What the template holds besides debootstrap's files: apt sources and proxy, hostname, hosts, no caches."""
    _write(os.path.join(root, 'etc', 'apt', 'sources.list'), sources_list(mirror))
    _write(os.path.join(root, 'etc', 'apt', 'apt.conf.d', '00velab-proxy'), APT_PROXY_CONF)
    _write(os.path.join(root, 'etc', 'hostname'), 'localhost\n')
    _write(os.path.join(root, 'etc', 'hosts'), HOSTS)
    _write(os.path.join(root, 'etc', 'resolv.conf'), RESOLV_CONF)
    # Package lists go stale in a cached template; a VE runs `apt-get update` first, as on a real one.
    for sub in ('var/lib/apt/lists', 'var/cache/apt/archives'):
        path = os.path.join(root, sub)
        if os.path.isdir(path):
            for name in os.listdir(path):
                full = os.path.join(path, name)
                if os.path.isfile(full) and name not in ('lock',):
                    os.unlink(full)


def ensure_debian_template(cache_dir=None, report=print, rebuild=False, mirror=None):
    """Path of the cached Debian 12 template archive; built first when missing (or ``rebuild``)."""
    cache_dir = os.path.abspath(cache_dir or default_cache_dir())
    os.makedirs(cache_dir, exist_ok=True)
    target = os.path.join(cache_dir, NAME)
    with open(os.path.join(cache_dir, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(target) and not rebuild:
            return target
        debootstrap = shutil.which('debootstrap') or '/usr/sbin/debootstrap'
        if not os.path.exists(debootstrap):
            raise OSError('debootstrap is not installed (apt-get install debootstrap, or make lab-deps)')
        mirror = mirror or host_mirror()
        work = tempfile.mkdtemp(prefix='build-', dir=cache_dir)
        try:
            root = os.path.join(work, 'root')
            started = time.monotonic()
            report('building %s with debootstrap from %s (once; cached in %s)' % (NAME, mirror, cache_dir))
            proc = subprocess.run([debootstrap, '--variant=minbase', '--include=' + ','.join(PACKAGES), SUITE, root, mirror],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
            if proc.returncode:
                tail = proc.stdout.decode('utf-8', 'replace').strip().splitlines()[-15:]
                raise OSError('debootstrap failed (exit %d):\n%s' % (proc.returncode, '\n'.join(tail)))
            configure_root(root, mirror)
            partial = os.path.join(work, NAME)
            subprocess.run(['tar', '-C', root, '--numeric-owner', '-czf', partial, '.'], check=True)
            os.rename(partial, target)
            report('built %s (%.1f MB) in %.0f s' % (target, os.path.getsize(target) / 1e6, time.monotonic() - started))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target
