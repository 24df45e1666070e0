#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet inventory plugin against the sequential way, in a lab of its own: figures, never assertions.

Brings up a lab of ``--nodes`` hardware nodes (``labctl up --no-vcenter
--technologies openvz,virtuozzo``: OpenVZ and Virtuozzo nodes in turn; zones
are left out because listing them costs one ``zonecfg export`` per zone and
every call of the lab's Python simulators costs ~150 ms), puts ``--ves`` VEs
on each (``labctl populate``: state only, every 4th stopped, nothing started
as a container), and lists all of them (``--nodes`` x ``--ves``, default
5,000) with each tool ``--runs`` times (default 3). Rows:

(a)   ours, cold: ``ansible-inventory -i lab.fleet.yml --list`` (wall time of
      the CLI), the plugin's cache off, and no SSH connection left from
      before: each run gets a new ``XDG_RUNTIME_DIR``, where the plugin keeps
      its ControlMaster sockets (``datacenter-ve-<uid>/``), and the masters a
      run leaves are closed after it (``ssh -O exit``);
(a2)  ours, SSH connections kept: the same, all runs with one
      ``XDG_RUNTIME_DIR`` after a first run (not counted) opened the masters
      (``control_persist: 60``): what the next ``ansible-playbook`` within a
      minute pays;
(b)   ours, warm cache: ``cache: true`` with ``ansible.builtin.jsonfile``,
      filled once before the counted runs (no node is asked);
(c)   the sequential baseline, as Ansible's old contrib ``openvz.py``
      inventory script did it: one plain ``ssh -F ssh_config nodeN COMMAND``
      (no ControlMaster) per node, one node after the other, each running that
      node's listing command (OpenVZ ``vzlist -a -j``, Virtuozzo ``prlctl
      list -a -i -j -f``), the JSON parsed in Python and an inventory JSON
      printed; in a Python process of its own, timed like (a).
(a') (a2') (b')  the plugin alone, in-process: a Python process that imports
      Ansible, then times only ``InventoryManager(loader=DataLoader(),
      sources=[file])`` (the plugin's parse), without the ansible-inventory
      CLI's start-up and JSON output; cold, connections kept, warm cache as
      above. The "cached run under 0.5 s" target is judged on (b').

Then, unless ``--skip-vmware``, the lab vCenter simulator (govmomi's, as in
``vmware_bench.py``) with ``--vms`` VMs (default 5,000):

(d)   ours with only a ``vcenters:`` entry, through ``ansible-inventory``;
(d')  the same in-process;
(e)   ``vmware_bench.py``'s minimal pyVmomi script: connect, container view,
      one property-collector read of the same properties our records read
      (``RECORD_PROPERTIES``), disconnect: the limit for that information.

Each run's hosts are checked as it ends, before its time is shown: every node
tool must find exactly the VE names made (``ct-nodeK-n``, ``--nodes`` x
``--ves`` of them), every VMware tool the vCenter's VM count (and (d), (d')
the same VM names); otherwise the script stops with an error and no figures.
Ratios are to (c) for the node rows and to (e) for the VMware rows. The
section "where the time goes" times one SSH login and each node listing
command alone. Mind that the lab's nodes (their sshds and Python simulators)
share this machine's CPUs with the controller, where a real fleet's nodes each
have their own: listing nodes in parallel gains at most about the number of
CPUs here (the script prints it).

The lab network is machine-wide: the script holds the tests' lock
(/tmp/velab-tests.lock, or runs under an ancestor's ``flock`` of it), refuses
to run while a lab is up in tests/lab/.state, and always takes its lab (and
vCenter) down, also on errors and Ctrl-C.

Usage: tests/bench/fleet_bench.py [--nodes 50] [--ves 100] [--runs 3] [--vms 5000] [--skip-vmware]
       [--max-workers N]      (make bench-fleet; root)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import concurrent.futures
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlab import BIN, COLLECTIONS, ROOT, hold_lab_network, lab_fleet, refuse_reason

LABCTL = os.path.join(ROOT, 'tests', 'lab', 'labctl')
TECHNOLOGIES = ('openvz', 'virtuozzo')
LISTING = {'openvz': 'vzlist -a -j', 'virtuozzo': 'prlctl list -a -i -j -f'}
CACHED_TARGET = 0.5
RUN_TIMEOUT = 1800

# (c): the sequential way. Nodes one after the other, one plain ssh each (no shared connection), the node's
# listing JSON parsed, one inventory printed: hosts by VE name, a group per node and per technology.
BASELINE = r'''
import json, os, subprocess, sys

nodes = json.loads(os.environ['BENCH_NODES'])
inventory = {'_meta': {'hostvars': {}}, 'all': {'children': []}}
for node in nodes:
    argv = ['ssh', '-F', os.environ['BENCH_SSH_CONFIG'], '-o', 'ControlMaster=no', '-o', 'ControlPath=none',
            node['name'], node['command']]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, check=True)
    group = inventory.setdefault(node['name'], {'hosts': []})
    inventory.setdefault(node['technology'], {'hosts': []})
    for ve in json.loads(proc.stdout.decode('utf-8')):
        if node['technology'] == 'openvz':
            name = ve.get('name') or str(ve['ctid'])
            hostvars = {'ve_id': str(ve['ctid']), 've_status': ve.get('status'), 've_hostname': ve.get('hostname'),
                        've_ips': ve.get('ip') or []}
        else:
            name = ve.get('Name') or ve['ID']
            ips = []
            for device, settings in (ve.get('Hardware') or {}).items():
                if isinstance(settings, dict) and settings.get('ips') not in (None, '-'):
                    ips += settings['ips'].split()
            hostvars = {'ve_id': ve['ID'], 've_status': ve.get('State'), 've_hostname': ve.get('Hostname'),
                        've_ips': ips}
        hostvars.update({'ve_node': node['name'], 've_technology': node['technology']})
        inventory['_meta']['hostvars'][name] = hostvars
        group['hosts'].append(name)
        inventory[node['technology']]['hosts'].append(name)
inventory['all']['children'] = sorted(k for k in inventory if k not in ('_meta', 'all'))
json.dump(inventory, sys.stdout)
'''

# (a') (a2') (b') (d'): the plugin alone. Ansible is imported first; only the InventoryManager's parse is timed.
IN_PROCESS = r'''
import json, sys, time

started = time.monotonic()
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()   # the collection loader over ANSIBLE_COLLECTIONS_PATH, as the CLIs set it up
imported = time.monotonic()
inventory = InventoryManager(loader=DataLoader(), sources=[sys.argv[1]])
parsed = time.monotonic()
json.dump({'import': imported - started, 'parse': parsed - imported,
           'hosts': sorted(host.name for host in inventory.get_hosts())}, sys.stdout)
'''

NODE_LABELS = [
    ('a', '(a)   ours, ansible-inventory, cold'),
    ('a2', '(a2)  ours, ansible-inventory, SSH connections kept'),
    ('b', '(b)   ours, ansible-inventory, warm cache'),
    ('c', '(c)   sequential plain ssh, one node after another'),
    ("a'", "(a')  ours in-process, cold"),
    ("a2'", "(a2') ours in-process, SSH connections kept"),
    ("b'", "(b')  ours in-process, warm cache"),
]
VMWARE_LABELS = [
    ('d', '(d)   ours (vcenters only), ansible-inventory'),
    ("d'", "(d')  ours (vcenters only), in-process"),
    ('e', '(e)   minimal pyVmomi script, same properties'),
]


class BenchError(Exception):
    """A tool failed or the tools disagree: no figures."""


def load_vmware_bench():
    """vmware_bench.py beside this script (its vcsim helper, credentials, minimal pyVmomi script)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    try:
        import vmware_bench as module
    finally:
        sys.path.pop(0)
    return module


# ---------------------------------------------------------------- the lab

def bring_up(fleet, nodes, ves):
    """Lab of ``nodes`` nodes, ``ves`` VEs on each -> [{name, technology, address}] of the nodes."""
    started = time.monotonic()
    proc = lab_fleet.labctl('up', '--state', fleet.state, '--nodes', str(nodes), '--no-vcenter',
                            '--technologies', ','.join(TECHNOLOGIES), timeout=RUN_TIMEOUT)
    if proc.returncode != 0:
        raise BenchError('labctl up failed:\n%s' % proc.stdout[-3000:])
    with open(os.path.join(fleet.state, 'lab.json')) as handle:
        listed = json.load(handle)['nodes']
    print('lab: %d nodes up in %.0f s' % (len(listed), time.monotonic() - started), flush=True)
    started = time.monotonic()

    def populate(node):
        return subprocess.run([sys.executable, LABCTL, 'populate', os.path.join(fleet.state, 'nodes', node['name']),
                               '--count', str(ves)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, check=False, timeout=RUN_TIMEOUT)

    with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        for node, proc in zip(listed, pool.map(populate, listed)):
            if proc.returncode != 0:
                raise BenchError('labctl populate of %s failed:\n%s' % (node['name'], proc.stdout[-2000:]))
    print('lab: %d VEs made (labctl populate, state only) in %.0f s' % (len(listed) * ves, time.monotonic() - started),
          flush=True)
    return listed


def expected_names(nodes, ves):
    return set('ct-%s-%d' % (node['name'], n) for node in nodes for n in range(1, ves + 1))


def write_fleet_files(work, fleet, nodes, max_workers):
    """lab.fleet.yml without cache (cold/) and with a jsonfile cache (cached/) -> {kind: path}."""
    lines = ['plugin: datacenter.ve.fleet', 'nodes:']
    for node in nodes:
        lines += ['  - host: %s' % node['name'], '    technology: %s' % node['technology'], '    user: root',
                  '    ssh_args: -F %s' % fleet.ssh_config]
    if max_workers:
        lines.append('max_workers: %d' % max_workers)
    lines += ['timeout: 60', 'control_persist: 60']
    paths = {}
    for kind, extra in (('cold', ['cache: false']),
                        ('cached', ['cache: true', 'cache_plugin: ansible.builtin.jsonfile',
                                    'cache_connection: %s' % os.path.join(work, 'cache'), 'cache_timeout: 86400'])):
        os.makedirs(os.path.join(work, kind), exist_ok=True)
        paths[kind] = os.path.join(work, kind, 'lab.fleet.yml')
        with open(paths[kind], 'w') as handle:
            handle.write('\n'.join(lines + extra) + '\n')
    return paths


def write_vcenter_file(work, info, user, password):
    os.makedirs(os.path.join(work, 'vmware'), exist_ok=True)
    path = os.path.join(work, 'vmware', 'lab.fleet.yml')
    with open(path, 'w') as handle:
        handle.write('plugin: datacenter.ve.fleet\nvcenters:\n  - hostname: %s\n    port: %d\n    username: %s\n'
                     '    password: %s\n    validate_certs: true\n    ca_path: %s\ncache: false\n'
                     % (info['host'], info['port'], user, json.dumps(password), info['ca']))
    return path


# ---------------------------------------------------------------- one run of each tool

def environment(runtime_dir):
    env = dict(os.environ)
    env.update({
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS,
        'XDG_RUNTIME_DIR': runtime_dir,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_DEPRECATION_WARNINGS': '0',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        # a source the plugin cannot parse is an error here, not a warning and an empty inventory
        'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'True',
        'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': 'True',
    })
    return env


def _run(argv, env, what):
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BenchError('%s: no answer within %d s' % (what, RUN_TIMEOUT))
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise BenchError('%s failed (exit %d):\n%s' % (what, proc.returncode, (proc.stderr or proc.stdout)[-3000:]))
    return seconds, proc


def inventory_hosts(data):
    """Every host of an ``ansible-inventory --list`` JSON."""
    hosts = set((data.get('_meta') or {}).get('hostvars') or {})
    for name, group in data.items():
        if name != '_meta' and isinstance(group, dict):
            hosts.update(group.get('hosts') or [])
    return hosts


def cli_run(path, runtime_dir):
    """(seconds, host names, warnings) of ``ansible-inventory -i PATH --list``."""
    seconds, proc = _run([os.path.join(BIN, 'ansible-inventory'), '-i', path, '--list'], environment(runtime_dir),
                         'ansible-inventory -i %s --list' % path)
    return seconds, inventory_hosts(json.loads(proc.stdout)), proc.stderr.strip()


def in_process_run(path, runtime_dir):
    """(parse seconds, host names, warnings, import seconds) of the in-process harness."""
    dummy, proc = _run([sys.executable, '-c', IN_PROCESS, path], environment(runtime_dir),
                       'InventoryManager(sources=[%s])' % path)
    result = json.loads(proc.stdout)
    return result['parse'], set(result['hosts']), proc.stderr.strip(), result['import']


def baseline_run(nodes, ssh_config, runtime_dir):
    env = environment(runtime_dir)
    env.update({'BENCH_SSH_CONFIG': ssh_config,
                'BENCH_NODES': json.dumps([dict(node, command=LISTING[node['technology']]) for node in nodes])})
    seconds, proc = _run([sys.executable, '-c', BASELINE], env, 'the sequential baseline')
    return seconds, inventory_hosts(json.loads(proc.stdout)), proc.stderr.strip()


def close_masters(runtime_dir):
    """Close the ControlMasters the plugin left under ``runtime_dir`` (``ssh -O exit`` on each socket)."""
    for socket_path in glob.glob(os.path.join(runtime_dir, 'datacenter-ve-*', '*')):
        subprocess.run(['ssh', '-o', 'ControlPath=%s' % socket_path, '-O', 'exit', 'lab-node'], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=30)


# ---------------------------------------------------------------- series

class Series:
    """Runs of one tool: seconds, hosts found (names, or only a count), warnings, extras (import time, SOAP calls).

    ``wanted``: the host names every run must find (or ``wanted_count``: how many); a run that finds others is a
    BenchError at once, before its time is shown.
    """

    def __init__(self, key, label, wanted=None, wanted_count=None):
        self.key, self.label, self.wanted = key, label, wanted
        self.wanted_count = len(wanted) if wanted is not None else wanted_count
        self.times, self.names, self.counts, self.warnings, self.extra = [], [], [], [], []

    def add(self, seconds, names=None, count=None, warnings=None, extra=None):
        count = len(names) if names is not None else count
        if (self.wanted is not None and names != self.wanted) or count != self.wanted_count:
            found = 'hosts'
            if self.wanted is not None and names is not None:
                found = 'hosts; missing %s; unexpected %s' % (sorted(self.wanted - names)[:5], sorted(names - self.wanted)[:5])
            raise BenchError('%s, run %d: %s %s, expected %d%s' % (
                self.label.strip(), len(self.times) + 1, count, found, self.wanted_count,
                ('\n    its warnings: %s' % warnings[-1500:]) if warnings else ''))
        self.times.append(seconds)
        if names is not None:
            self.names.append(names)
        self.counts.append(count)
        if warnings:
            self.warnings.append(warnings)
        if extra is not None:
            self.extra.append(extra)
        print('  %-5s run %d: %7.2f s  %d hosts' % (self.key, len(self.times), seconds, count), flush=True)

    def add_result(self, result):
        """A ``cli_run``/``in_process_run``/``baseline_run`` result."""
        self.add(result[0], names=result[1], warnings=result[2], extra=result[3] if len(result) > 3 else None)

    @property
    def median(self):
        return statistics.median(self.times)


def fresh_dir(work, prefix):
    return tempfile.mkdtemp(prefix=prefix, dir=work)


def measure_nodes(args, work, fleet, nodes, paths):
    wanted = expected_names(nodes, args.ves)
    results = dict((key, Series(key, label, wanted=wanted)) for key, label in NODE_LABELS)
    print('\n== %d nodes x %d VEs, %d runs per tool' % (len(nodes), args.ves, args.runs), flush=True)
    # (a) and (a'): cold, a new runtime directory every run, its masters closed afterwards
    for key, runner in (('a', cli_run), ("a'", in_process_run)):
        for dummy in range(args.runs):
            runtime_dir = fresh_dir(work, 'xdg-')
            try:
                result = runner(paths['cold'], runtime_dir)
            finally:
                close_masters(runtime_dir)
            results[key].add_result(result)
    # (a2)/(a2'): one runtime directory, a first run (not counted) opens the masters;
    # (b)/(b'): the cache filled once by a first run
    for keys, config, prefix in ((('a2', "a2'"), 'cold', 'xdg-kept-'), (('b', "b'"), 'cached', 'xdg-cache-')):
        runtime_dir = fresh_dir(work, prefix)
        try:
            cli_run(paths[config], runtime_dir)
            for key, runner in zip(keys, (cli_run, in_process_run)):
                for dummy in range(args.runs):
                    results[key].add_result(runner(paths[config], runtime_dir))
        finally:
            close_masters(runtime_dir)
    # (c): the sequential baseline
    for dummy in range(args.runs):
        results['c'].add_result(baseline_run(nodes, fleet.ssh_config, fresh_dir(work, 'xdg-')))
    return results


def where_time_goes(fleet, nodes, runs):
    """Median seconds of: one plain ssh login running ``true``, and each technology's listing command over ssh."""
    figures = []
    base = ['ssh', '-F', fleet.ssh_config, '-o', 'ControlMaster=no', '-o', 'ControlPath=none']
    probes = [('ssh %s true (login only)' % nodes[0]['name'], base + [nodes[0]['name'], 'true'])]
    for technology in TECHNOLOGIES:
        node = next((n for n in nodes if n['technology'] == technology), None)
        if node:
            probes.append(('ssh %s %s' % (node['name'], LISTING[technology]), base + [node['name'], LISTING[technology]]))
    for label, argv in probes:
        times = []
        for dummy in range(max(runs, 3)):
            start = time.monotonic()
            subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True, timeout=300)
            times.append(time.monotonic() - start)
        figures.append((label, statistics.median(times)))
    return figures


def measure_vmware(args, work, vmware_bench):
    vcsim = vmware_bench.vcsim
    state = fresh_dir(work, 'vcsim-')
    try:
        started = time.monotonic()
        info = vcsim.start(state, vms=args.vms, username=vmware_bench.USER, password=vmware_bench.PASSWORD)
        results = dict((key, Series(key, label, wanted_count=info.get('vms', args.vms))) for key, label in VMWARE_LABELS)
        print('\n== lab vCenter (govmomi simulator) with %d VMs, up in %.0f s; %d runs per tool'
              % (info.get('vms', args.vms), time.monotonic() - started, args.runs), flush=True)
        path = write_vcenter_file(work, info, vmware_bench.USER, vmware_bench.PASSWORD)
        for key, runner in (('d', cli_run), ("d'", in_process_run)):
            for dummy in range(args.runs):
                vcsim.reset_calls(info)
                result = runner(path, fresh_dir(work, 'xdg-'))
                results[key].add(result[0], names=result[1], warnings=result[2], extra=vcsim.calls(info)['total'])
        for dummy in range(args.runs):
            vcsim.reset_calls(info)
            seconds, count, error = vmware_bench.run_once('pyvmomi', info, '', RUN_TIMEOUT)
            if error:
                raise BenchError('the minimal pyVmomi script failed: %s' % error)
            results['e'].add(seconds, count=count, extra=vcsim.calls(info)['total'])
        return results, info.get('vms', args.vms)
    finally:
        vcsim.stop(state)


# ---------------------------------------------------------------- checks and report

def check_vmware(results):
    """Every run already found the wanted count; ours must also list the same VM names in every run."""
    ours = [names for key in ('d', "d'") for names in results[key].names]
    if any(names != ours[0] for names in ours):
        raise BenchError("(d) and (d') list different VM names")


def table(results, labels, base_key):
    print('%-52s %9s %8s %8s %7s %9s' % ('tool', 'median s', 'min s', 'max s', 'hosts', 'ratio'))
    base = results[base_key].median
    for key, label in labels:
        series = results[key]
        print('%-52s %9.2f %8.2f %8.2f %7s %9s' % (
            label, series.median, min(series.times), max(series.times),
            ','.join(str(n) for n in sorted(set(series.counts))), '%.2fx' % (series.median / base) if base else '-'))


def report(args, nodes, node_results, sim_figures, vmware_results, vms):
    shape = (len(nodes), ', '.join(TECHNOLOGIES), args.ves, len(nodes) * args.ves, args.runs, os.cpu_count() or 0)
    print('\n== %d nodes (%s in turn) x %d VEs = %d hosts; median of %d runs each; ratio: to (c); %d CPUs for'
          ' the controller and all nodes' % shape)
    table(node_results, NODE_LABELS, 'c')
    imports = [x for key in ("a'", "a2'", "b'") for x in node_results[key].extra]
    print("(in-process: the InventoryManager parse alone; importing Ansible before it took %.2f s (median), not counted;"
          " ansible-inventory's start-up and JSON output, (a) - (a'): %.2f s)"
          % (statistics.median(imports), node_results['a'].median - node_results["a'"].median))
    for key in ('b', "b'"):
        median = node_results[key].median
        verdict = 'met' if median < CACHED_TARGET else 'NOT met'
        print('cached run %-4s %.2f s: target < %.1f s %s' % (key, median, CACHED_TARGET, verdict))
    print("sequential (c) against ours cold: (c)/(a) = %.1fx, (c)/(a') = %.1fx"
          % (node_results['c'].median / node_results['a'].median, node_results['c'].median / node_results["a'"].median))
    print('\n== where the time goes (median of %d calls each; plain ssh, no ControlMaster)' % max(args.runs, 3))
    for label, seconds in sim_figures:
        print('  %7.3f s  %s' % (seconds, label))
    listings = [seconds for dummy, seconds in sim_figures[1:]]
    print('  %d nodes one after another at that cost: %.1f s (what (c) pays)'
          % (len(nodes), statistics.mean(listings) * len(nodes)))
    if vmware_results:
        print('\n== lab vCenter with %d VMs; median of %d runs each; ratio: to (e)' % (vms, args.runs))
        table(vmware_results, VMWARE_LABELS, 'e')
        print('SOAP calls per run: %s' % ', '.join(
            '%s %s' % (key, ','.join(str(c) for c in sorted(set(vmware_results[key].extra)))) for key, dummy in VMWARE_LABELS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--nodes', type=int, default=50, help='hardware nodes, OpenVZ and Virtuozzo in turn (default 50)')
    parser.add_argument('--ves', type=int, default=100, help='VEs per node (default 100, at most 254)')
    parser.add_argument('--runs', type=int, default=3, help='counted runs per tool (default 3; the median is shown)')
    parser.add_argument('--vms', type=int, default=5000, help='VMs of the lab vCenter (default 5000)')
    parser.add_argument('--skip-vmware', action='store_true', help='leave out the vCenter rows')
    parser.add_argument('--max-workers', type=int, help="the plugin's max_workers (default: the plugin's default)")
    args = parser.parse_args()
    if args.runs < 1 or args.nodes < 1 or not 1 <= args.ves <= 254:
        parser.error('--runs and --nodes must be at least 1, --ves between 1 and 254')
    reason = refuse_reason()
    if reason:
        sys.exit('fleet bench: not running: %s' % reason)
    vmware_bench = None if args.skip_vmware else load_vmware_bench()
    lock = hold_lab_network()
    reason = refuse_reason()
    if reason:
        sys.exit('fleet bench: not running: %s' % reason)
    work = tempfile.mkdtemp(prefix='fleet-bench-')
    fleet = lab_fleet.Fleet(os.path.join(work, 'lab'))
    rc = 0
    try:
        started = time.monotonic()
        print('lab up in %s ...' % fleet.state, flush=True)
        nodes = bring_up(fleet, args.nodes, args.ves)
        paths = write_fleet_files(work, fleet, nodes, args.max_workers)
        node_results = measure_nodes(args, work, fleet, nodes, paths)
        sim_figures = where_time_goes(fleet, nodes, args.runs)
        down = fleet.down()
        if down.returncode != 0:
            raise BenchError('labctl down failed:\n%s' % down.stdout[-3000:])
        vmware_results, vms = (None, 0)
        if vmware_bench is not None:
            vmware_results, vms = measure_vmware(args, work, vmware_bench)
            check_vmware(vmware_results)
        report(args, nodes, node_results, sim_figures, vmware_results, vms)
        print('\n(whole bench: %.0f s)' % (time.monotonic() - started))
    except BenchError as exc:
        rc = 1
        print('\nfleet bench: ERROR: %s' % exc, file=sys.stderr)
    except KeyboardInterrupt:
        rc = 130
        print('\nfleet bench: interrupted; taking the lab down', file=sys.stderr)
    finally:
        if os.path.exists(os.path.join(fleet.state, 'lab.json')):
            down = fleet.down()
            if down.returncode != 0:
                rc = rc or 1
                print(down.stdout[-3000:])
                print('labctl down failed: the lab is still up; run: %s %s down --state %s'
                      % (sys.executable, LABCTL, fleet.state))
        if not os.path.exists(os.path.join(fleet.state, 'lab.json')):
            shutil.rmtree(work, ignore_errors=True)
        if lock is not None:
            lock.close()
    return rc


if __name__ == '__main__':
    sys.exit(main())
