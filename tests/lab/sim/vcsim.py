# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's vCenter: build tests/lab/vcsim/main.go once, start and stop it.

The binary is govmomi's simulator (Debian: golang-github-vmware-govmomi-dev)
behind a small main that serves it over TLS on a loopback port with a CA it
generates (``ca.pem`` in the state directory), counts SOAP calls per method
(``GET /lab/calls``, ``POST /lab/reset``) and prints one JSON line once it
serves: ``{"url", "host", "port", "ca", "vms", "pid"}``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import ssl
import subprocess
import time

from urllib.request import Request, urlopen

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(LAB_DIR, 'vcsim', 'main.go')
BINARY = os.path.join(LAB_DIR, '.cache', 'vcsim', 'vcsim-lab')
GOPATH = '/usr/share/gocode'
PACKAGES = ('golang-go', 'golang-github-vmware-govmomi-dev')


def build(report=print):
    """Build the binary when missing or older than its source; returns its path."""
    if os.path.exists(BINARY) and os.path.getmtime(BINARY) >= os.path.getmtime(SOURCE):
        return BINARY
    if not os.path.isdir(os.path.join(GOPATH, 'src', 'github.com', 'vmware', 'govmomi', 'simulator')):
        raise RuntimeError('govmomi is not installed: apt-get install %s (make lab-deps does it)' % ' '.join(PACKAGES))
    cache = os.path.join(os.path.dirname(BINARY), 'gocache')
    os.makedirs(cache, exist_ok=True)
    env = dict(os.environ, GOPATH=GOPATH, GO111MODULE='off', GOCACHE=cache, GOFLAGS='')
    report('building %s (once; about 30 s)' % BINARY)
    subprocess.run(['go', 'build', '-o', BINARY + '.tmp', '.'], cwd=os.path.dirname(SOURCE), env=env, check=True)
    os.replace(BINARY + '.tmp', BINARY)
    return BINARY


def start(state_dir, vms=2, hosts=2, clusters=1, datacenters=1, standalone_hosts=0, username='', password='',
          autostart=True, timeout=600):
    """Start a vcsim serving the given inventory; returns its JSON line as a dict (also saved as vcsim.json)."""
    binary = build()
    os.makedirs(state_dir, exist_ok=True)
    argv = [binary, '-certdir', state_dir, '-vm', str(vms), '-host', str(hosts), '-cluster', str(clusters),
            '-dc', str(datacenters), '-standalone-host', str(standalone_hosts), '-autostart=%s' % str(autostart).lower()]
    if username:
        argv += ['-username', username]
    env = dict(os.environ, VCSIM_LAB_PASSWORD=password or '')
    log = open(os.path.join(state_dir, 'vcsim.log'), 'ab')
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=env if username else None)
    log.close()
    deadline = time.time() + timeout
    line = proc.stdout.readline()
    proc.stdout.close()
    if not line:
        proc.wait(max(1, deadline - time.time()))
        raise RuntimeError('vcsim-lab exited (%s) before serving; see %s/vcsim.log' % (proc.returncode, state_dir))
    info = json.loads(line.decode('utf-8'))
    info['username'], info['password'] = username, password
    with open(os.path.join(state_dir, 'vcsim.json'), 'w') as handle:
        json.dump(info, handle)
    return info


def stop(state_dir, grace=10):
    """Stop the vcsim whose vcsim.json is in state_dir; True if one was running."""
    path = os.path.join(state_dir, 'vcsim.json')
    try:
        with open(path) as handle:
            pid = json.load(handle)['pid']
    except (IOError, OSError, ValueError, KeyError):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        os.unlink(path)
        return False
    deadline = time.time() + grace
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        try:
            os.waitpid(pid, os.WNOHANG)
        except OSError:
            pass
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
    os.unlink(path)
    return True


def _context(info):
    return ssl.create_default_context(cafile=info['ca'])


def calls(info):
    """SOAP calls served since the last reset: {'total': N, 'calls': {method: n}}."""
    url = 'https://%s:%d/lab/calls' % (info['host'], info['port'])
    return json.loads(urlopen(url, context=_context(info), timeout=30).read().decode('utf-8'))


def reset_calls(info):
    url = 'https://%s:%d/lab/reset' % (info['host'], info['port'])
    urlopen(Request(url, data=b'', method='POST'), context=_context(info), timeout=30).read()
