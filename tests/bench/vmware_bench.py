#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Listing every VM of a vCenter three ways, against the lab vCenter: figures, never assertions.

For each inventory size (a fresh govmomi simulator per size, one at a time),
each tool lists all VMs ``--runs`` times; the script prints the median wall
time, its ratio to the minimal script, and the SOAP calls one run made (from
the simulator's per-method counters, reset before every run):

(a) ``datacenter.ve.vmware_vm_info`` through ``ansible localhost -m``;
(b) ``community.vmware.vmware_vm_info`` (from the ``ansible`` package, see
    the Makefile's compare collections) the same way, with its defaults;
(a') our read and VE records (the module's work between connect and
    exit_json) in a plain Python process, without Ansible;
(c) a minimal pyVmomi script in its own Python process: connect, container
    view, one RetrievePropertiesEx of the same VM properties our records read
    (paged if the server pages), disconnect: the limit for that information;
(d) the same script reading only four properties, for scale (pyVmomi's
    deserialisation of the answer is most of the time, and grows with the
    number of properties).

All three validate the simulator's TLS certificate against the lab CA: ours
with ``ca_path``; community.vmware has no CA option and loads OpenSSL's
default paths, so its process gets ``SSL_CERT_FILE``. Connection options come
from the VMWARE_* environment variables, which both modules read.

Usage: COMPARE_COLLECTIONS=.build/compare-collections tests/bench/vmware_bench.py [--sizes 100,1000,5000]
       [--runs 3] [--tools ours,community,ours-read,pyvmomi,pyvmomi-4]        (make bench-vmware)
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, 'tests', 'lab')
BIN = os.path.dirname(sys.executable)
OURS = os.path.join(ROOT, '.venv', 'collections')


def load_vcsim():
    """The lab's vcsim helper (tests/lab/sim is not on the import path)."""
    sys.path.insert(0, LAB)
    try:
        from sim import vcsim as module
    finally:
        sys.path.pop(0)
    return module


vcsim = load_vcsim()
USER = 'administrator@vsphere.local'
PASSWORD = 'Bench-vCenter-1!'

TOOLS = {
    'ours': ('datacenter.ve.vmware_vm_info', 'vms'),
    'community': ('community.vmware.vmware_vm_info', 'virtual_machines'),
    'ours-read': (None, None),
    'pyvmomi': (None, None),
    'pyvmomi-4': (None, None),
}
LABELS = {
    'ours': '(a) datacenter.ve.vmware_vm_info',
    'community': '(b) community.vmware.vmware_vm_info',
    'ours-read': "(a') our read + records, no Ansible",
    'pyvmomi': '(c) pyVmomi, same properties, one read',
    'pyvmomi-4': '(d) pyVmomi, four properties, one read',
}

# (c)/(d): the least a pyVmomi tool has to do to list VMs with the properties in BENCH_PROPERTIES.
MINIMAL = r'''
import json, os, ssl, sys
from pyVim.connect import SmartConnect, Disconnect
from pyVmomi import vim, vmodl

context = ssl.create_default_context(cafile=os.environ['VMWARE_CA_PATH'])
si = SmartConnect(host=os.environ['VMWARE_HOST'], port=int(os.environ['VMWARE_PORT']), user=os.environ['VMWARE_USER'],
                  pwd=os.environ['VMWARE_PASSWORD'], sslContext=context)
content = si.RetrieveContent()
view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
pc = vmodl.query.PropertyCollector
spec = pc.FilterSpec(
    objectSet=[pc.ObjectSpec(obj=view, skip=True,
                             selectSet=[pc.TraversalSpec(name='v', type=vim.view.ContainerView, path='view')])],
    propSet=[pc.PropertySpec(type=vim.VirtualMachine, pathSet=json.loads(os.environ['BENCH_PROPERTIES']))])
result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions())
vms = {}
while result is not None:
    for obj in result.objects:
        vms[obj.obj._moId] = dict((p.name, p.val) for p in obj.propSet)
    result = content.propertyCollector.ContinueRetrievePropertiesEx(result.token) if result.token else None
view.DestroyView()
Disconnect(si)
print(len(vms))
'''

# (a'): our own read and records (what vmware_vm_info does between connecting and exit_json), without Ansible.
OURS_READ = r'''
import os
from ansible_collections.datacenter.ve.plugins.module_utils import _vmware as vmw

params = dict(hostname=os.environ['VMWARE_HOST'], port=int(os.environ['VMWARE_PORT']),
              username=os.environ['VMWARE_USER'], password=os.environ['VMWARE_PASSWORD'], validate_certs=True,
              ca_path=os.environ['VMWARE_CA_PATH'], connect_timeout=30)
si = vmw.connect(params)
inventory = vmw.read_inventory(si)
records = [vmw.record(inventory, ident, vcenter=params['hostname']).to_dict() for ident, _obj in inventory.vms()]
vmw.disconnect(si)
print(len(records))
'''
FOUR = ['name', 'runtime.powerState', 'config.instanceUuid', 'runtime.host']


def record_properties():
    """The VM properties our records read (so that (c) reads exactly what (a) reads)."""
    sys.path.insert(0, OURS)
    try:
        from ansible_collections.datacenter.ve.plugins.module_utils._vmware import RECORD_PROPERTIES
    finally:
        sys.path.pop(0)
    return list(RECORD_PROPERTIES)


def environment(info, tool, compare):
    env = dict(os.environ)
    env.update({
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
        'ANSIBLE_COLLECTIONS_PATH': os.pathsep.join([OURS, compare]),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
        'ANSIBLE_DEPRECATION_WARNINGS': '0',
        'VMWARE_HOST': info['host'],
        'VMWARE_PORT': str(info['port']),
        'VMWARE_USER': USER,
        'VMWARE_PASSWORD': PASSWORD,
    })
    if tool == 'community':
        env['SSL_CERT_FILE'] = info['ca']      # it has no CA option; OpenSSL's default paths honour this
    else:
        env['VMWARE_CA_PATH'] = info['ca']
    return env


def run_once(tool, info, compare, timeout):
    """(seconds, VMs listed or None, error text or None) of one run."""
    module, key = TOOLS[tool]
    env = environment(info, tool, compare)
    if module:
        argv = [os.path.join(BIN, 'ansible'), 'localhost', '-m', module]
    elif tool == 'ours-read':
        argv = [sys.executable, '-c', OURS_READ]
        env['PYTHONPATH'] = OURS
    else:
        argv = [sys.executable, '-c', MINIMAL]
        env['BENCH_PROPERTIES'] = json.dumps(FOUR if tool == 'pyvmomi-4' else record_properties())
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return time.monotonic() - start, None, 'no answer within %d s' % timeout
    seconds = time.monotonic() - start
    if not module:
        if proc.returncode != 0:
            return seconds, None, proc.stderr.strip().splitlines()[-1:]
        return seconds, int(proc.stdout.strip()), None
    # `ansible` prints "localhost | SUCCESS => {json}" (or FAILED! =>).
    head, sep, body = proc.stdout.partition(' => ')
    try:
        result = json.loads(body) if sep else {}
    except ValueError:
        result = {}
    if proc.returncode != 0 or 'SUCCESS' not in head or key not in result:
        return seconds, None, result.get('msg') or (proc.stdout + proc.stderr).strip()[-500:]
    return seconds, len(result[key]), None


def measure(tool, info, compare, runs, timeout):
    times, calls, listed, errors = [], [], set(), []
    for _run in range(runs):
        vcsim.reset_calls(info)
        seconds, count, error = run_once(tool, info, compare, timeout)
        calls.append(vcsim.calls(info))
        if error:
            errors.append(error)
            break
        times.append(seconds)
        listed.add(count)
    return {'times': times, 'calls': calls, 'listed': sorted(listed), 'errors': errors}


def calls_text(calls):
    totals = sorted(set(c['total'] for c in calls))
    return str(totals[0]) if len(totals) == 1 else '%d-%d' % (totals[0], totals[-1])


def top_methods(calls, n=4):
    per = calls[0]['calls'] if calls else {}
    return ', '.join('%s %d' % (m, k) for m, k in sorted(per.items(), key=lambda i: (-i[1], i[0]))[:n])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='100,1000,5000', help='VM counts, comma-separated')
    parser.add_argument('--runs', type=int, default=3, help='runs per tool and size (the median is shown)')
    parser.add_argument('--tools', default='ours,community,ours-read,pyvmomi,pyvmomi-4',
                        help='any of ours, community, ours-read, pyvmomi, pyvmomi-4')
    parser.add_argument('--timeout', type=int, default=3600, help='seconds one run may take')
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',') if s.strip()]
    tools = [t.strip() for t in args.tools.split(',') if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        parser.error('unknown tools: %s' % ', '.join(unknown))
    compare = os.environ.get('COMPARE_COLLECTIONS', os.path.join(ROOT, '.build', 'compare-collections'))
    if 'community' in tools and not os.path.isdir(os.path.join(compare, 'ansible_collections', 'community', 'vmware')):
        sys.exit('community.vmware is not unpacked in %s: run `make bench-vmware` (or leave out --tools community)'
                 % compare)

    rows = []
    print('lab vCenter: govmomi simulator over TLS on 127.0.0.1; %d run(s) per tool and size, median shown'
          % args.runs)
    for size in sizes:
        state = tempfile.mkdtemp(prefix='vmware-bench-')
        try:
            started = time.monotonic()
            info = vcsim.start(state, vms=size, username=USER, password=PASSWORD)
            print('\n%d VMs: simulator up in %.1f s' % (info.get('vms', size), time.monotonic() - started))
            results = {}
            for tool in tools:
                results[tool] = measure(tool, info, compare, args.runs, args.timeout)
                r = results[tool]
                shown = '%.2f s' % statistics.median(r['times']) if r['times'] else 'failed'
                print('  %-36s %-9s SOAP calls %-7s listed %-6s %s' % (
                    LABELS[tool], shown, calls_text(r['calls']), ','.join(str(n) for n in r['listed']) or '-',
                    ('error: %s' % r['errors'][0]) if r['errors'] else '(%s)' % top_methods(r['calls'])))
            base = results.get('pyvmomi')
            base_time = statistics.median(base['times']) if base and base['times'] else None
            for tool in tools:
                r = results[tool]
                median = statistics.median(r['times']) if r['times'] and not r['errors'] else None
                rows.append((size, LABELS[tool], median,
                             median / base_time if median is not None and base_time else None,
                             calls_text(r['calls']) if not r['errors'] else '-'))
        finally:
            vcsim.stop(state)
            shutil.rmtree(state, ignore_errors=True)

    print('\n| VMs | tool | median s | ratio to (c) | SOAP calls |')
    print('|---:|---|---:|---:|---:|')
    for size, label, median, ratio, calls in rows:
        print('| %s | %s | %s | %s | %s |' % (
            '{:,}'.format(size), label, '%.2f' % median if median is not None else 'failed',
            '%.1f' % ratio if ratio is not None else '-', calls))


if __name__ == '__main__':
    main()
