#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One zone scenario with community.general.solaris_zone and with datacenter.ve.solaris_zone, side by side.

Both modules run through ansible-playbook against the same zones simulator
(tests/lab), each on a fresh simulated global zone. For every step the script
prints the task's `changed` flag, whether it failed, and the zoneadm/zonecfg
calls it made (from VE_LAB_LOG). Figures, not assertions.

community.general.solaris_zone insists on running on SunOS and reads and
writes the zone's files at the zonepath directly; so its tasks run with a
Python that reports SunOS 5.11 (sitecustomize) inside a private mount
namespace where the simulated node's /mnt is bound onto /mnt, with a `ps -z`
stand-in for its boot wait. Zonepaths are under /mnt for both modules.

Usage: COMPARE_COLLECTIONS=.build/compare-collections tests/bench/zones_compare.py   (make bench)
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, 'tests', 'lab')
BIN = os.path.dirname(sys.executable)
OURS = os.path.join(ROOT, '.venv', 'collections')

CONFIG_TEXT = 'set autoboot=%s\nset ip-type=shared\nadd net\nset physical=e1000g0\nset address=192.0.2.80/24\nend'

STEPS = [
    ('create and boot', 'running', 'true'),
    ('the same again', 'running', 'true'),
    ('stop', 'stopped', 'true'),
    ('stop again', 'stopped', 'true'),
    ('change autoboot', 'stopped', 'false'),
]

SITECUSTOMIZE = '''import platform
platform.system = lambda: 'SunOS'
platform.release = lambda: '5.11'
'''

# `ps -z ZONE -o args`, answered from the simulator, for community.general's boot wait.
PS = '''#!/bin/sh
zone=""
while [ $# -gt 0 ]; do case "$1" in -z) zone="$2"; shift 2;; *) shift;; esac; done
if zoneadm list | grep -qx "$zone"; then echo "/usr/lib/saf/ttymon -g -d /dev/console -l console"; fi
'''

WRAPPER = '''#!/bin/sh
# A Python that looks like Solaris to community.general.solaris_zone, in a mount
# namespace where the simulated node's /mnt is the real /mnt.
exec unshare --mount sh -c 'mount --bind "$VE_LAB_ROOT/mnt" /mnt && PATH="%(shim)s:$PATH" PYTHONPATH="%(shim)s" exec "%(python)s" "$@"' sh "$@"
'''


def task(module, state, autoboot):
    if module == 'community.general.solaris_zone':
        return {'name': 'web1', 'path': '/mnt/zones/web1', 'state': state, 'config': CONFIG_TEXT % autoboot,
                'timeout': 30}
    return {'name': 'web1', 'zonepath': '/mnt/zones/web1', 'state': state, 'autoboot': autoboot == 'true',
            'ip_type': 'shared', 'resources': {'net': [{'physical': 'e1000g0', 'address': '192.0.2.80/24'}]}}


def run_scenario(module, work, collections, interpreter=None):
    node = os.path.join(work, 'node')
    log = os.path.join(work, 'calls.jsonl')
    subprocess.run([sys.executable, os.path.join(LAB, 'labctl'), 'init-node', node, '--technology', 'zones',
                    '--release', 's11'], check=True, stdout=subprocess.DEVNULL)
    os.makedirs(os.path.join(node, 'mnt', 'zones'), exist_ok=True)
    env = dict(os.environ, VE_LAB_ROOT=node, VE_LAB_LOG=log, VE_LAB_RUNTIME='none', ANSIBLE_COLLECTIONS_PATH=collections,
               ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
               PATH=os.pathsep.join([os.path.join(LAB, 'bin'), BIN, os.environ.get('PATH', '')]))
    rows = []
    for label, state, autoboot in STEPS:
        play = os.path.join(work, 'play.yml')
        result_file = os.path.join(work, 'result.json')
        with open(play, 'w') as handle:
            handle.write('''
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: step
      %s: %s
      register: r
      ignore_errors: true
    - name: keep
      ansible.builtin.copy: {content: "{{ r | to_json }}", dest: "%s"}
      vars: {ansible_python_interpreter: "%s"}
''' % (module, json.dumps(task(module, state, autoboot)), result_file, sys.executable))
        argv = [os.path.join(BIN, 'ansible-playbook'), play]
        if interpreter:
            argv += ['-e', 'ansible_python_interpreter=%s' % interpreter]
        if os.path.exists(log):
            os.unlink(log)
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        with open(result_file) as handle:
            result = json.load(handle)
        calls = []
        if os.path.exists(log):
            with open(log) as handle:
                calls = [json.loads(line)['argv'] for line in handle if line.strip()]
            os.unlink(log)
        # What the zone really is now (these two reads are not counted above).
        listing = subprocess.run(['zoneadm', 'list', '-cp'], env=env, stdout=subprocess.PIPE,
                                 universal_newlines=True, check=False).stdout
        states = [line.split(':')[2] for line in listing.splitlines() if line.split(':')[1:2] == ['web1']]
        exported = subprocess.run(['zonecfg', '-z', 'web1', 'export'], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, universal_newlines=True, check=False).stdout
        autoboot = [line.split('=')[1] for line in exported.splitlines() if line.startswith('set autoboot=')]
        seen = '%s, autoboot=%s' % (states[0] if states else 'absent', autoboot[0] if autoboot else '-')
        rows.append((label, result.get('changed'), bool(result.get('failed')), calls, result.get('msg', ''), seen))
    return rows


def describe(calls):
    words = []
    for argv in calls:
        argv = list(argv)
        if argv[1:2] == ['-z']:
            del argv[1:3]
        words.append(' '.join(argv[:2]))
    return '%d: %s' % (len(calls), ', '.join(words) or '-')


def main():
    compare = os.environ.get('COMPARE_COLLECTIONS')
    if not compare or not os.path.isdir(os.path.join(compare, 'ansible_collections', 'community', 'general')):
        raise SystemExit('COMPARE_COLLECTIONS must name a collections path holding community.general (make bench)')
    work = tempfile.mkdtemp(prefix='zones-compare-')
    shim = os.path.join(work, 'shim')
    os.makedirs(shim)
    with open(os.path.join(shim, 'sitecustomize.py'), 'w') as handle:
        handle.write(SITECUSTOMIZE)
    for name, text in (('ps', PS), ('python-sunos', WRAPPER % {'shim': shim, 'python': sys.executable})):
        path = os.path.join(shim, name)
        with open(path, 'w') as handle:
            handle.write(text)
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    theirs_dir, ours_dir = os.path.join(work, 'cg'), os.path.join(work, 'ours')
    os.makedirs(theirs_dir)
    os.makedirs(ours_dir)
    theirs = run_scenario('community.general.solaris_zone', theirs_dir, compare,
                          interpreter=os.path.join(shim, 'python-sunos'))
    ours = run_scenario('datacenter.ve.solaris_zone', ours_dir, OURS)
    print('== one zone, five steps, against the zones simulator (Solaris 11 release)')
    print('(wanted: running+autoboot=true, the same, stopped, stopped, autoboot=false)')
    for name, rows in (('community.general.solaris_zone', theirs), ('datacenter.ve.solaris_zone', ours)):
        print('\n%s' % name)
        print('  %-16s %-10s %-24s %s' % ('step', 'reported', 'zone afterwards', 'zoneadm/zonecfg calls'))
        for label, changed, failed, calls, msg, seen in rows:
            flag = 'FAILED' if failed else ('changed' if changed else 'unchanged')
            print('  %-16s %-10s %-24s %s' % (label, flag, seen, describe(calls)))
            if failed:
                print('  %-16s   %s' % ('', ' '.join(msg.split())[:150]))
    total1 = sum(len(r[3]) for r in theirs)
    total2 = sum(len(r[3]) for r in ours)
    print('total calls: community.general %d, datacenter.ve %d' % (total1, total2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
