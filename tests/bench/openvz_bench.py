#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark of openvz_ve against the vzctl simulator: figures, never assertions.

Prints
1. CLI calls per task, from the simulator's call log (VE_LAB_LOG): a no-op
   converge, a settings change, a create+start;
2. wall time of one playbook converging N CTs on one node (first run, then the
   no-op second run), side by side with the way sites script vzctl today
   (ansible.builtin.command tasks: create guarded by `creates`, `vzctl set
   --save` and `vzctl start` every run), in one run of this script.

Usage: tests/bench/openvz_bench.py [--cts N]   (make bench)
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, 'tests', 'lab')
BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.join(ROOT, '.venv', 'collections')

OURS = '''
- name: Converge the CTs with datacenter.ve.openvz_ve
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: CTs
      datacenter.ve.openvz_ve:
        ctid: "{{ 1000 + item }}"
        ostemplate: debian-12-x86_64
        hostname: "ct{{ item }}.example.org"
        ip_addresses: ["10.{{ 10 + item // 250 }}.{{ item % 250 }}.10", "2001:db8::{{ '%x' % (4096 + item) }}"]
        ram: 512M
        diskspace: 4G
        cpuunits: 1000
        state: started
      loop: "{{ range(__N__) | list }}"
'''

SCRIPTED = '''
- name: Converge the CTs with command tasks (how sites script vzctl today)
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Create
      ansible.builtin.command:
        argv: [vzctl, create, "{{ 2000 + item }}", --ostemplate, debian-12-x86_64]
        creates: "{{ lookup('env', 'VE_LAB_ROOT') }}/etc/vz/conf/{{ 2000 + item }}.conf"
      loop: "{{ range(__N__) | list }}"
    - name: Settings
      ansible.builtin.command:
        argv: [vzctl, set, "{{ 2000 + item }}", --hostname, "ct{{ item }}.example.org",
               --ipadd, "10.{{ 20 + item // 250 }}.{{ item % 250 }}.10", --ram, 512M, --diskspace, 4G,
               --cpuunits, "1000", --save]
      loop: "{{ range(__N__) | list }}"
      changed_when: "'not saving' not in result.stdout"
      register: result
    - name: Start
      ansible.builtin.command:
        argv: [vzctl, start, "{{ 2000 + item }}"]
      loop: "{{ range(__N__) | list }}"
      register: start
      changed_when: start.rc == 0
      failed_when: start.rc not in [0, 32]
'''


def count_calls(log):
    if not os.path.exists(log):
        return []
    with open(log) as handle:
        calls = [json.loads(line) for line in handle if line.strip()]
    os.unlink(log)
    return calls


def describe(calls):
    reads = sum(1 for c in calls if c['argv'][0] == 'vzlist')
    return '%d (%d read, %d write: %s)' % (len(calls), reads, len(calls) - reads,
                                           ', '.join(' '.join(c['argv'][:2]) for c in calls if c['argv'][0] != 'vzlist') or '-')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--cts', type=int, default=100, help='CTs in the playbook benchmark (default 100)')
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='openvz-bench-')
    node = os.path.join(work, 'node')
    log = os.path.join(work, 'calls.jsonl')
    subprocess.run([sys.executable, os.path.join(LAB, 'labctl'), 'init-node', node, '--technology', 'openvz'],
                   check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, VE_LAB_ROOT=node, VE_LAB_LOG=log, VE_LAB_RUNTIME='none', ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
               ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
               PATH=os.pathsep.join([os.path.join(LAB, 'bin'), BIN, os.environ.get('PATH', '')]))

    def adhoc(task_args):
        subprocess.run([os.path.join(BIN, 'ansible'), 'localhost', '-m', 'datacenter.ve.openvz_ve',
                        '-a', json.dumps(task_args)], env=env, check=True, stdout=subprocess.DEVNULL)
        return count_calls(log)

    ct = {'ctid': '101', 'ostemplate': 'debian-12-x86_64', 'hostname': 'a.example.org', 'ram': '1G',
          'ip_addresses': ['192.0.2.10', '2001:db8::10'], 'state': 'started'}
    print('== CLI calls per openvz_ve task (from VE_LAB_LOG)')
    print('create + start      : %s' % describe(adhoc(ct)))
    print('no-op converge      : %s' % describe(adhoc(ct)))
    print('settings change     : %s' % describe(adhoc(dict(ct, ram='2G', cpuunits=2000, hostname='b.example.org'))))
    print('stop                : %s' % describe(adhoc({'ctid': '101', 'state': 'stopped'})))
    print('destroy             : %s' % describe(adhoc({'ctid': '101', 'state': 'absent'})))

    print('\n== playbook converging %d CTs on one node (wall seconds)' % args.cts)
    rows = []
    for label, text in (('datacenter.ve.openvz_ve', OURS), ('command tasks (scripted vzctl)', SCRIPTED)):
        path = os.path.join(work, 'play.yml')
        with open(path, 'w') as handle:
            handle.write(text.replace('__N__', str(args.cts)))
        times, changed = [], []
        for _run in (1, 2):
            start = time.monotonic()
            proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), path], env=env, stdout=subprocess.PIPE,
                                  universal_newlines=True, check=False)
            times.append(time.monotonic() - start)
            recap = [line for line in proc.stdout.splitlines() if line.startswith('localhost')]
            changed.append(recap[-1].split('changed=')[1].split()[0] if recap else '?')
            if proc.returncode:
                print(proc.stdout[-3000:])
                raise SystemExit('%s: ansible-playbook failed' % label)
        calls = count_calls(log)
        rows.append((label, times, changed, len(calls)))
    print('%-32s %10s %10s %14s %14s %8s' % ('approach', 'first', 'second', 'changed 1st', 'changed 2nd', 'calls'))
    for label, times, changed, calls in rows:
        print('%-32s %10.1f %10.1f %14s %14s %8d' % (label, times[0], times[1], changed[0], changed[1], calls))
    ours, theirs = rows
    print('\nsecond run / first run: openvz_ve %.2f, command tasks %.2f'
          % (ours[1][1] / ours[1][0], theirs[1][1] / theirs[1][0]))
    print('openvz_ve / command tasks: first run %.2f, second run %.2f'
          % (ours[1][0] / theirs[1][0], ours[1][1] / theirs[1][1]))
    print('(command tasks are skipped in check mode and show no diff; "changed" counts tasks in the play recap)')
    shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
