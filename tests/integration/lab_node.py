# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A simulated node of the lab for integration tests: run a module task with ansible-playbook, see what it ran.

The simulator's call log (VE_LAB_LOG) tells which commands a task ran, and a
hash of the node's files tells whether anything was written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, 'tests', 'lab')
BIN = os.path.dirname(sys.executable)
# The Makefile links the checkout in as .venv/collections/ansible_collections/datacenter/ve.
COLLECTIONS = os.path.join(ROOT, '.venv', 'collections')


PLAY = """
- name: One task, as a user runs it
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The task under test
      datacenter.ve.%(module)s: "{{ task_args }}"
      register: task_result
      ignore_errors: true
    - name: Keep its result for the test
      ansible.builtin.copy:
        content: "{{ task_result | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
      check_mode: false
      diff: false
"""


LOOP_PLAY = PLAY.replace('"{{ task_args }}"', '"{{ item }}"').replace(
    'register: task_result', 'loop: "{{ task_args }}"\n      register: task_result')


def base_env():
    """The environment a user's ansible-playbook run has here: this collection, no colour, localhost quiet."""
    env = dict(os.environ)
    env.update({
        'PATH': os.pathsep.join([os.path.join(LAB, 'bin'), BIN, env.get('PATH', '')]),
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
        # the simulators' state-only runtime: module tests need no real containers (unset means namespaces as root)
        'VE_LAB_RUNTIME': 'none',
    })
    return env


class TaskRunner:
    """Runs one module task with ansible-playbook in a work directory, as a user does."""

    def __init__(self, work, env=None):
        self.work = str(work)
        os.makedirs(self.work, exist_ok=True)
        self.env = env if env is not None else base_env()

    def calls(self):
        return []

    def reset_calls(self):
        pass

    def ansible(self, module, args, check=False, diff=False, loop=False, verbosity=0):
        """Run one task with ansible-playbook; returns (module result, calls made by it, what the user saw).

        The result is the module's own (with ``diff``, which stdout callbacks
        strip), saved by a second task that neither runs in check mode nor
        calls the node's tools.
        """
        self.reset_calls()
        result_file = os.path.join(self.work, 'result.json')
        if os.path.exists(result_file):
            os.unlink(result_file)
        with open(os.path.join(self.work, 'args.json'), 'w') as handle:
            json.dump({'task_args': args, 'result_file': result_file}, handle)
        with open(os.path.join(self.work, 'play.yml'), 'w') as handle:
            handle.write((LOOP_PLAY if loop else PLAY) % {'module': module})
        argv = [os.path.join(BIN, 'ansible-playbook'), os.path.join(self.work, 'play.yml'),
                '-e', '@' + os.path.join(self.work, 'args.json')]
        if check:
            argv.append('--check')
        if diff:
            argv.append('--diff')
        if verbosity:
            argv.append('-' + 'v' * verbosity)
        proc = subprocess.run(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False)
        calls = self.calls()
        if not os.path.exists(result_file):
            raise AssertionError('the play did not run:\n%s\n%s' % (proc.stdout, proc.stderr))
        with open(result_file) as handle:
            result = json.load(handle)
        return result, calls, proc.stdout + proc.stderr


class LabNode(TaskRunner):
    """One simulated hardware node (tests/lab), driven through the ansible CLI as users drive it."""

    def __init__(self, tmp_path, technology, *init_args):
        self.root = str(tmp_path / 'node')
        self.log = str(tmp_path / 'calls.jsonl')
        self.technology = technology
        subprocess.run([sys.executable, os.path.join(LAB, 'labctl'), 'init-node', self.root, '--technology', technology]
                       + list(init_args), check=True, stdout=subprocess.PIPE)
        env = base_env()
        env.update({'VE_LAB_ROOT': self.root, 'VE_LAB_LOG': self.log})
        TaskRunner.__init__(self, str(tmp_path), env)

    def calls(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def reset_calls(self):
        if os.path.exists(self.log):
            os.unlink(self.log)

    def vzlist(self, *args):
        out = subprocess.run(['vzlist', '-a', '-j'] + list(args), env=self.env, stdout=subprocess.PIPE,
                             universal_newlines=True, check=False).stdout
        return json.loads(out) if out.strip() else []

    def ct(self, ctid):
        found = [o for o in self.vzlist() if o['ctid'] == int(ctid)]
        return found[0] if found else None

    def fingerprint(self):
        """Hash of every file (path, content, link target) under the node's root.

        Empty lock files (the simulators' own mutual exclusion, taken by reads
        too) carry no state and are left out.
        """
        digest = hashlib.sha256()
        for top, dirs, files in os.walk(self.root):
            dirs.sort()
            for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(top, d))]):
                path = os.path.join(top, name)
                if name.endswith('.lock') and os.path.isfile(path) and not os.path.getsize(path):
                    continue
                digest.update(path.encode())
                if os.path.islink(path):
                    digest.update(os.readlink(path).encode())
                elif os.path.isfile(path):
                    with open(path, 'rb') as handle:
                        digest.update(handle.read())
        return digest.hexdigest()

    def faults(self, faults):
        os.makedirs(os.path.join(self.root, '.lab'), exist_ok=True)
        with open(os.path.join(self.root, '.lab', 'faults.json'), 'w') as handle:
            json.dump(faults, handle)

    @staticmethod
    def tools(calls):
        """What a task ran, in order: 'vzlist', 'vzctl start', 'zoneadm boot', 'zonecfg export'..."""
        out = []
        for call in calls:
            argv = list(call['argv'])
            if argv[0] == 'vzlist':
                out.append('vzlist')
                continue
            if argv[1:2] == ['-z']:
                del argv[1:3]
            out.append(' '.join(argv[:2]))
        return out

    @staticmethod
    def short(commands):
        """Commands as argv lists with the program's base name (the modules report full paths)."""
        return [[os.path.basename(argv[0])] + argv[1:] for argv in commands]

    @staticmethod
    def writes(calls, reads=('vzlist',)):
        return [c for c in calls if c['argv'][0] not in reads]
