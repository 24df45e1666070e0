#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The vzctl connection plugin against plain SSH into the same VE, in a lab of its own: figures, never assertions.

Brings up a lab (``labctl up`` in a temporary state directory), creates and
starts CT 501 on node1 (OpenVZ) with 198.18.0.61, installs and starts sshd
inside it, and runs two playbooks against that one VE through two inventories:

ours    ``datacenter.ve.vzctl`` (ssh node1, ``vzctl exec2 501 ...``);
direct  Ansible's ``ssh`` connection to root@198.18.0.61.

Both with pipelining, ``/usr/bin/python3``, no facts, OpenSSH ControlPersist.
Playbook A is 50 ``command: /bin/true`` tasks, playbook B one ``copy`` of a
100 MB random file (after a task that removes the destination; only the copy
counts). Each playbook runs once per connection as a warm-up, then 3 times per
connection, interleaved. Task times come from the callback plugin
tests/bench/callback_plugins/task_timer.py. The script prints the median time
per command task, the median copy time and throughput, the ratios ours/direct
against the targets (per task <= 1.2x, throughput >= 0.8x), and the cost of
the lab's simulated ``vzctl`` (Python, where the real one is C) measured in
the same run.

The lab network is machine-wide: the script holds the tests' lock
(/tmp/velab-tests.lock) for its whole run, refuses to run while a lab is up in
tests/lab/.state, and always takes its own lab down.

Usage: tests/bench/connection_bench.py [--runs 3] [--tasks 50] [--copy-mb 100]   (make bench-connection; root)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from benchlab import BIN, COLLECTIONS, ROOT, hold_lab_network, lab_fleet, refuse_reason

CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
NODE = lab_fleet.NODE

CTID = '501'
ADDRESS = '198.18.0.61'
TARGET_TASK = 1.2       # ours/direct per-task time: at most
TARGET_COPY = 0.8       # ours/direct copy throughput: at least
SIM_CALLS = 20

COMMANDS = '''- name: {n} command tasks
  hosts: ve
  gather_facts: false
  tasks:
{tasks}'''
COMMAND_TASK = '''    - name: true {i:02d}
      ansible.builtin.command: /bin/true
      changed_when: false
'''
COPY = '''- name: Copy {mb} MB into the VE
  hosts: ve
  gather_facts: false
  tasks:
    - name: remove the destination
      ansible.builtin.file:
        path: /var/tmp/big.bin
        state: absent
    - name: copy
      ansible.builtin.copy:
        src: {src}
        dest: /var/tmp/big.bin
        mode: "0644"
        force: true
'''


def inside(fleet, command, timeout=900):
    """Run a shell command (no single quotes) inside the CT, through node1's vzctl exec2."""
    template = fleet.ve_commands('openvz', CTID, '', [])[2]
    return fleet.ssh(NODE['openvz'], template % command, timeout=timeout)


def prepare_ve(fleet):
    fleet.make_ve('openvz', CTID, 'bench.lab.example', [ADDRESS])
    with open(os.path.join(fleet.state, 'ssh', 'id_ed25519.pub')) as handle:
        public_key = handle.read().strip()
    inside(fleet, 'apt-get update -q')
    inside(fleet, 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server')
    inside(fleet, 'mkdir -p /root/.ssh && chmod 700 /root/.ssh && echo "%s" > /root/.ssh/authorized_keys'
                  ' && chmod 600 /root/.ssh/authorized_keys' % public_key)
    if inside(fleet, 'service ssh start', timeout=120).returncode != 0 or not wait_for_port(ADDRESS, 22, 15):
        inside(fleet, 'mkdir -p /run/sshd && /usr/sbin/sshd')
        if not wait_for_port(ADDRESS, 22, 60):
            raise RuntimeError('sshd in CT %s does not answer on %s:22' % (CTID, ADDRESS))


def wait_for_port(host, port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=2).close()
            return True
        except OSError:
            time.sleep(0.5)
    return False


def write_inventories(fleet, work):
    common = {'ansible_python_interpreter': '/usr/bin/python3'}
    hosts = {
        'ours': dict(common, ansible_connection='datacenter.ve.vzctl', ansible_vzctl_ctid=CTID,
                     ansible_vzctl_node=NODE['openvz'], ansible_vzctl_node_ssh_args='-F %s' % fleet.ssh_config),
        'direct': dict(common, ansible_connection='ssh', ansible_host=ADDRESS, ansible_user='root',
                       ansible_ssh_private_key_file=os.path.join(fleet.state, 'ssh', 'id_ed25519'),
                       ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'),
    }
    paths = {}
    for label, host in hosts.items():
        paths[label] = os.path.join(work, '%s-inventory.json' % label)
        with open(paths[label], 'w') as handle:
            json.dump({'all': {'hosts': {'ve': host}}}, handle, indent=1)
    return paths


def write_playbooks(work, tasks, copy_bytes):
    source = os.path.join(work, 'big.bin')
    with open(source, 'wb') as handle:
        left = copy_bytes
        while left:
            block = os.urandom(min(left, 1 << 20))
            handle.write(block)
            left -= len(block)
    commands = os.path.join(work, 'commands.yml')
    with open(commands, 'w') as handle:
        handle.write(COMMANDS.format(n=tasks, tasks=''.join(COMMAND_TASK.format(i=i) for i in range(1, tasks + 1))))
    copy = os.path.join(work, 'copy.yml')
    with open(copy, 'w') as handle:
        handle.write(COPY.format(mb=copy_bytes // 1000000, src=source))
    return commands, copy


def play(work, inventory, playbook):
    """One ansible-playbook run -> (wall seconds, [task records of the task_timer callback])."""
    out = os.path.join(work, 'timings.json')
    if os.path.exists(out):
        os.unlink(out)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_PIPELINING='True',
               ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='task_timer', TASK_TIMER_OUT=out,
               ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='False',
               PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    start = time.monotonic()
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, playbook], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False,
                          timeout=1800)
    seconds = time.monotonic() - start
    if proc.returncode != 0 or not os.path.exists(out):
        print(proc.stdout[-4000:])
        raise RuntimeError('ansible-playbook -i %s %s failed (rc %d)' % (inventory, playbook, proc.returncode))
    with open(out) as handle:
        records = json.load(handle)
    failed = [r for r in records if r['status'] != 'ok']
    if failed:
        raise RuntimeError('tasks did not succeed: %s' % failed)
    return seconds, records


def measure(work, inventories, playbook, runs, keep):
    """Warm-up run per connection, then ``runs`` interleaved runs -> {label: (walls, task seconds)}."""
    results = {label: ([], []) for label in inventories}
    for label in inventories:
        play(work, inventories[label], playbook)
    for dummy in range(runs):
        for label in inventories:
            seconds, records = play(work, inventories[label], playbook)
            results[label][0].append(seconds)
            results[label][1].extend(r['seconds'] for r in records if keep(r['task']))
    return results


def simulator_cost(fleet, work):
    """Median seconds of one ssh call over an open ControlMaster, per command -> [(shown command, seconds)].

    On node1: `vzctl exec2 CTID /bin/true` and `/bin/true` (the difference is the lab's vzctl); for reference,
    `/bin/true` in the CT through its own sshd (what the direct connection pays per SSH session).
    """
    master = ['-o', 'ControlMaster=auto', '-o', 'ControlPersist=60', '-o', 'ControlPath=%s' % os.path.join(work, 'cm-%C')]
    node = ['ssh', '-F', fleet.ssh_config] + master + [NODE['openvz']]
    direct = (['ssh', '-i', os.path.join(fleet.state, 'ssh', 'id_ed25519'), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
               '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'] + master + ['root@%s' % ADDRESS])
    calls = [node + ['vzctl exec2 %s /bin/true' % CTID], node + ['/bin/true'], direct + ['/bin/true']]
    times = [[] for dummy in calls]
    try:
        for argv in (node, direct):
            subprocess.run(argv + ['/bin/true'], check=True, stdin=subprocess.DEVNULL, timeout=60)   # opens the master
        for dummy in range(SIM_CALLS):
            for index, argv in enumerate(calls):
                start = time.monotonic()
                subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, timeout=60)
                times[index].append(time.monotonic() - start)
    finally:
        for argv in (node, direct):
            subprocess.run(argv[:-1] + ['-O', 'exit', argv[-1]], check=False, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return [(' '.join(argv[:-1] + ["'%s'" % argv[-1]]), statistics.median(seconds)) for argv, seconds in zip(calls, times)]


def verdict(ratio, target, at_most):
    met = ratio <= target if at_most else ratio >= target
    return '%.2fx  (target %s %.1fx: %s)' % (ratio, '<=' if at_most else '>=', target, 'met' if met else 'NOT met')


def report(args, commands, copies, copy_bytes, sim):
    mb = copy_bytes / 1e6
    print('\n== %d command tasks x %d runs per connection (after 1 warm-up run each), and a %d MB copy x %d runs'
          % (args.tasks, args.runs, mb, args.runs))
    row = '%-34s %14s %14s %12s %12s %14s'
    print(row % ('connection', 'per task (ms)', 'play A (s)', 'copy (s)', 'copy MB/s', 'play B (s)'))
    figures = {}
    for label, name in (('ours', 'ours: datacenter.ve.vzctl'), ('direct', 'direct: ssh root@%s' % ADDRESS)):
        walls_a, task_seconds = commands[label]
        walls_b, copy_seconds = copies[label]
        per_task = statistics.median(task_seconds)
        copy = statistics.median(copy_seconds)
        figures[label] = (per_task, mb / copy)
        print(row % (name, '%.1f' % (per_task * 1000), '%.2f' % statistics.median(walls_a), '%.2f' % copy,
                     '%.1f' % (mb / copy), '%.2f' % statistics.median(walls_b)))
    print('(per task: median over the %d command tasks of all %d runs; copy: median of the copy task alone; '
          'play: median wall time of ansible-playbook)' % (args.tasks * args.runs, args.runs))
    print('\nours/direct per-task time  : %s' % verdict(figures['ours'][0] / figures['direct'][0], TARGET_TASK, True))
    print('ours/direct copy throughput: %s' % verdict(figures['ours'][1] / figures['direct'][1], TARGET_COPY, False))
    print("\n== the lab's simulated vzctl (Python; the real vzctl is a C program): median of %d calls each, over an"
          " open ControlMaster" % SIM_CALLS)
    for command, seconds in sim:
        print('  %6.1f ms  %s' % (seconds * 1000, command))
    print('  vzctl exec2 costs %.1f ms more than the bare command on the node, per call; every task of ours makes at'
          ' least one such call' % ((sim[0][1] - sim[1][1]) * 1000))
    print('  (third line, for reference: one SSH session straight into the CT, the unit the direct connection pays)')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--runs', type=int, default=3, help='counted runs per playbook and connection (default 3)')
    parser.add_argument('--tasks', type=int, default=50, help='command tasks in playbook A (default 50)')
    parser.add_argument('--copy-mb', type=int, default=100, help='size of the copied file in MB (default 100)')
    args = parser.parse_args()
    reason = refuse_reason()
    if reason:
        sys.exit('connection bench: not running: %s' % reason)
    lock = hold_lab_network()
    reason = refuse_reason()
    if reason:
        sys.exit('connection bench: not running: %s' % reason)
    work = tempfile.mkdtemp(prefix='connection-bench-')
    fleet = lab_fleet.Fleet(os.path.join(work, 'lab'))
    copy_bytes = args.copy_mb * 1000 * 1000
    try:
        started = time.monotonic()
        print('lab up in %s ...' % fleet.state, flush=True)
        fleet.up()
        prepare_ve(fleet)
        print('lab, CT %s on %s and sshd in it (%s:22) ready in %.0f s'
              % (CTID, NODE['openvz'], ADDRESS, time.monotonic() - started), flush=True)
        inventories = write_inventories(fleet, work)
        commands_yml, copy_yml = write_playbooks(work, args.tasks, copy_bytes)
        commands = measure(work, inventories, commands_yml, args.runs, lambda task: task.startswith('true '))
        copies = measure(work, inventories, copy_yml, args.runs, lambda task: task == 'copy')
        sim = simulator_cost(fleet, work)
        report(args, commands, copies, copy_bytes, sim)
    finally:
        down = fleet.down()
        if down.returncode != 0:
            print(down.stdout[-3000:])
            print('labctl down failed: the lab is still up; run: %s %s down --state %s'
                  % (sys.executable, os.path.join(ROOT, 'tests', 'lab', 'labctl'), fleet.state))
        else:
            shutil.rmtree(work, ignore_errors=True)
        if lock is not None:
            lock.close()


if __name__ == '__main__':
    main()
