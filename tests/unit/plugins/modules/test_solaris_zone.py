# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""solaris_zone as data cases: arguments + what zoneadm/zonecfg show -> the exact script and argv planned.

Only the executor is replaced (below the module boundary): it answers the two
reads from the case and fails the test on anything else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

import pytest
import yaml

from ansible_collections.datacenter.ve.plugins.module_utils._zones import ZonesClient
from ansible_collections.datacenter.ve.plugins.modules import solaris_zone

CASES = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), 'solaris_zone_cases.yml')))

# zones.md §4.5 example (exclusive-IP lipkg zone), kept with the parser tests' fixtures.
with open(os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures',
                       'zonecfg-export-sheet-example.txt')) as _handle:
    EXPORT = _handle.read()


class ReadOnlyExecutor:
    def __init__(self, zone):
        self.zone = zone
        self.calls = []

    def execute(self, argv, data=None, timeout=None, env=None):
        self.calls.append(list(argv))
        if argv[0] == 'zoneadm' and argv[1:] == ['list', '-cp']:
            lines = ['0:global:running:/::ipkg:shared:0']
            if self.zone:
                zid = '5' if self.zone['state'] == 'running' else '-'
                lines.append('%s:web:%s:/zones/web:aaaa:lipkg:excl:' % (zid, self.zone['state']))
            return 0, '\n'.join(lines) + '\n', ''
        if argv[0] == 'zonecfg' and argv[-1] == 'export':
            return 0, EXPORT, ''
        raise AssertionError('check mode ran a command: %r' % (argv,))

    def find_binary(self, name, extra_dirs=None):
        return name


class Exit(Exception):
    def __init__(self, kwargs):
        super(Exit, self).__init__(kwargs.get('msg'))
        self.result = kwargs


def run_case(make_module, case):
    args = dict(case['args'], _ansible_check_mode=True, _ansible_diff=True)
    module = make_module(solaris_zone.ARGUMENT_SPEC, args, supports_check_mode=True)

    def finish(**kwargs):
        raise Exit(kwargs)
    module.exit_json = finish
    module.fail_json = lambda **kwargs: finish(failed=True, **kwargs)
    executor = ReadOnlyExecutor(case['zone'])
    zone = solaris_zone.SolarisZone(module, ZonesClient(executor, lab_root='/nonexistent'))
    with pytest.raises(Exit) as exc:
        zone.run()
    return exc.value.result, executor


@pytest.mark.parametrize('case', CASES, ids=[c['id'] for c in CASES])
def test_solaris_zone_case(make_module, case):
    result, executor = run_case(make_module, copy.deepcopy(case))
    assert not result.get('failed'), result
    assert result['script'] == case['script']
    assert result['commands'] == case['commands']
    assert result['changed'] == case['changed']
    assert result['differences'] == case['differences']
    if 'reboot_required' in case:
        assert result['reboot_required'] == case['reboot_required']
    reads = [c[0] + ' ' + c[-1] for c in executor.calls]
    assert reads == (['zoneadm -cp'] + (['zonecfg export'] if case['zone'] else []))
    assert result['diff']['before'].startswith('# state: ')


def test_check_mode_diff_is_export_text(make_module):
    case = [c for c in CASES if c['id'] == 'change-on-running-needs-reboot'][0]
    result, _executor = run_case(make_module, copy.deepcopy(case))
    assert result['diff']['before'] == '# state: running\n' + EXPORT
    assert result['diff']['after'] == '# state: running\n' + EXPORT.replace('set physical=1G', 'set physical=2G')


def test_root_password_never_in_result(make_module):
    secret = '$6$salt$Zm9vYmFyaGFzaA'
    result, _executor = run_case(make_module, {'args': {'name': 'web', 'zonepath': '/zones/web',
                                                        'root_password': secret}, 'zone': None})
    assert 'root_password' in result['differences']
    assert secret not in json.dumps(result)


@pytest.mark.parametrize('args, message', [
    ({'name': 'bad name'}, 'not a valid zone name'),
    ({'name': 'global'}, 'reserved'),
    ({'name': 'web', 'state': 'absent', 'autoboot': True}, 'state=absent does not take configuration'),
    ({'name': 'web', 'clone_from': 'src', 'install_options': ['-x']}, 'clone_from does not take'),
    ({'name': 'web', 'root_password': 'a:b'}, 'root_password'),
    ({'name': 'web', 'timeout': 0}, 'timeout'),
    ({'name': 'web', 'resources': {'net': [{'physical': 'x', 'address': 'nope'}]}}, 'net address'),
])
def test_bad_input_before_any_command(make_module, args, message):
    result, executor = run_case(make_module, {'args': args, 'zone': None})
    assert result.get('failed') and message in result['msg']
    assert executor.calls == []


def test_create_needs_zonepath(make_module):
    result, executor = run_case(make_module, {'args': {'name': 'web'}, 'zone': None})
    assert result.get('failed') and 'zonepath is required' in result['msg']
    assert len(executor.calls) == 1  # the list read only
