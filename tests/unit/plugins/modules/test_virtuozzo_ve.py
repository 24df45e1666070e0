# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""virtuozzo_ve as data cases: arguments + the recorded VE -> the exact argv planned (check mode, executor replaced)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils._virtuozzo import VirtuozzoClient
from ansible_collections.datacenter.ve.plugins.modules import virtuozzo_ve

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures')


def recorded(kind):
    with open(os.path.join(FIXTURES, 'prlctl-list-i-j-f-%s.json' % kind)) as handle:
        return json.load(handle)[0]


class ReadOnlyExecutor:
    def __init__(self, info):
        self.info = info
        self.calls = []

    def execute(self, argv, data=None, timeout=None, env=None):
        self.calls.append(list(argv))
        assert argv[1] == 'list', 'check mode ran a command: %r' % (argv,)
        if '-i' in argv:
            return (0, json.dumps([self.info]), '') if self.info else (255, '', 'Failed to get VM config\n')
        return 0, json.dumps([]), ''

    def find_binary(self, name, extra_dirs=None):
        return name


class Exit(Exception):
    def __init__(self, kwargs):
        super(Exit, self).__init__(kwargs.get('msg'))
        self.result = kwargs


def run(make_module, args, info):
    module = make_module(virtuozzo_ve.ARGUMENT_SPEC, dict(args, _ansible_check_mode=True, _ansible_diff=True),
                         supports_check_mode=True)

    def finish(**kwargs):
        raise Exit(kwargs)
    module.exit_json = finish
    module.fail_json = lambda **kwargs: finish(failed=True, **kwargs)
    executor = ReadOnlyExecutor(info)
    with pytest.raises(Exit) as exc:
        virtuozzo_ve.VirtuozzoVE(module, VirtuozzoClient(executor, lab_root='/nonexistent')).run()
    return exc.value.result, executor


CASES = [
    ('create-ct', {'name': 'web1', 'type': 'ct', 'ostemplate': 'debian-12-x86_64', 'memsize': '1G',
                   'state': 'started'}, None,
     [['prlctl', 'create', 'web1', '--vmtype', 'ct', '--ostemplate', 'debian-12-x86_64'],
      ['prlctl', 'set', 'web1', '--memsize', '1024M'], ['prlctl', 'start', 'web1']]),
    ('create-vm-windows', {'name': 'iis1', 'type': 'vm', 'distribution': 'win-2019', 'disk_size': '100G'}, None,
     [['prlctl', 'create', 'iis1', '--vmtype', 'vm', '--distribution', 'win-2019'],
      ['prlctl', 'set', 'iis1', '--device-set', 'hdd0', '--size', '102400M']]),
    ('noop-ct', {'name': 'web1', 'memsize': '2048M', 'cpus': 2, 'hostname': 'web1.example.org',
                 'ip_addresses': ['192.0.2.80/24', '2001:db8::80/64'], 'onboot': True, 'features': {'nfs': True},
                 'ha_enable': True, 'ha_prio': 5, 'state': 'started'}, 'ct', []),
    ('vm-network-on-net0', {'name': 'iis1', 'ip_addresses': ['192.0.2.91/24'], 'nameservers': ['192.0.2.1'],
                            'cpus': 8}, 'vm',
     [['prlctl', 'set', 'iis1', '--cpus', '8'],
      ['prlctl', 'set', 'iis1', '--device-set', 'net0', '--ipdel', '192.0.2.90', '--ipadd', '192.0.2.91/24',
       '--nameserver', '192.0.2.1']]),
    ('stop-running', {'name': 'web1', 'state': 'stopped'}, 'ct', [['prlctl', 'stop', 'web1']]),
    ('absent-running', {'name': 'iis1', 'state': 'absent'}, 'vm',
     [['prlctl', 'stop', 'iis1'], ['prlctl', 'delete', 'iis1']]),
    ('password-on-create', {'name': 'db1', 'type': 'ct', 'userpasswd': 'root:pw'}, None,
     [['prlctl', 'create', 'db1', '--vmtype', 'ct'], ['prlctl', 'start', 'db1'], ['prlctl', 'exec', 'db1', 'chpasswd'],
      ['prlctl', 'stop', 'db1']]),
]


@pytest.mark.parametrize('name, args, kind, commands', CASES, ids=[c[0] for c in CASES])
def test_case(make_module, name, args, kind, commands):
    result, executor = run(make_module, args, recorded(kind) if kind else None)
    assert not result.get('failed'), result
    assert result['commands'] == commands
    assert result['changed'] is bool(commands)
    assert all(c[1] == 'list' for c in executor.calls)
    assert 'pw' not in json.dumps(result['commands'])


def test_type_mismatch_and_shrink(make_module):
    result, _executor = run(make_module, {'name': 'web1', 'type': 'vm'}, recorded('ct'))
    assert result['failed'] and 'is a ct, not a vm' in result['msg']
    result, _executor = run(make_module, {'name': 'iis1', 'disk_size': '50G'}, recorded('vm'))
    assert result['failed'] and 'shrinking a disk is refused' in result['msg']
