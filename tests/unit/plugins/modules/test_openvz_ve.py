# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openvz_ve as data cases: arguments + what vzlist shows -> the exact argv planned.

Only the executor is replaced (below the module boundary): it answers the
vzlist read from the case and refuses anything else, so a case that would
run a write in check mode fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

import pytest
import yaml

from ansible_collections.datacenter.ve.plugins.module_utils._openvz import OpenVZClient
from ansible_collections.datacenter.ve.plugins.modules import openvz_ve

CASES = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), 'openvz_ve_cases.yml')))
LONG_MAX = 9223372036854775807


def ubc(barrier, limit):
    return {'held': 0, 'maxheld': 0, 'barrier': barrier, 'limit': limit, 'failcnt': 0}


def vzlist_object(overrides):
    """A CT 101 as `vzlist -a -j` shows it (openvz.md §6.3), with case overrides."""
    o = dict(overrides)
    obj = {
        'ctid': 101, 'veid': 101, 'vpsid': 101, 'private': '/vz/private/101', 'root': '/vz/root/101',
        'mount_opts': None, 'origin_sample': 'vswap-256m', 'hostname': o.pop('hostname', None),
        'name': o.pop('name', None), 'smart_name': 101, 'description': o.pop('description', None),
        'ostemplate': 'debian-12-x86_64', 'ip': o.pop('ip', []), 'nameserver': o.pop('nameserver', []),
        'searchdomain': o.pop('searchdomain', []), 'status': o.pop('status', 'stopped'),
    }
    for name in ('kmemsize', 'lockedpages', 'privvmpages', 'shmpages', 'numproc', 'vmguarpages', 'oomguarpages',
                 'numtcpsock', 'numflock', 'numpty', 'numsiginfo', 'tcpsndbuf', 'tcprcvbuf', 'othersockbuf',
                 'dgramrcvbuf', 'numothersock', 'dcachesize', 'numfile', 'numiptent'):
        pair = o.pop(name, [LONG_MAX, LONG_MAX])
        obj[name] = ubc(pair[0], pair[1])
    obj['physpages'] = ubc(0, o.pop('physpages_limit', 65536))
    obj['swappages'] = ubc(0, o.pop('swappages_limit', 131072))
    disk = o.pop('diskspace', [2097152, 2306867])
    obj['diskspace'] = {'usage': 0, 'softlimit': disk[0], 'hardlimit': disk[1]}
    obj['diskinodes'] = {'usage': 0, 'softlimit': 131072, 'hardlimit': 144179}
    obj.update({'laverage': None, 'uptime': 0.0, 'cpulimit': o.pop('cpulimit', None),
                'cpuunits': o.pop('cpuunits', 1000), 'cpus': o.pop('cpus', 0), 'ioprio': 4, 'iolimit': 0,
                'iopslimit': 0, 'onboot': o.pop('onboot', None), 'bootorder': None, 'layout': 'ploop',
                'features': o.pop('features', None), 'vswap': True, 'disabled': False, 'vm_overcommit': 0,
                'netfilter': o.pop('netfilter', 'stateless'), 'capability': o.pop('capability', None)})
    assert not o, 'unknown override keys %s' % sorted(o)
    return obj


class ReadOnlyExecutor:
    """Answers vzlist from the case; any other command is a test failure."""

    def __init__(self, objs):
        self.objs = objs
        self.calls = []

    def execute(self, argv, data=None, timeout=None, env=None):
        self.calls.append(list(argv))
        assert argv[0] == 'vzlist', 'check mode ran a command: %r' % (argv,)
        wanted = [a for a in argv[1:] if a.isdigit()]
        objs = [o for o in self.objs if not wanted or '%s' % o['ctid'] in wanted]
        if '-N' in argv:
            objs = [o for o in objs if o.get('name') == argv[argv.index('-N') + 1]]
        return (1 if wanted and not objs else 0), json.dumps(objs, indent=2), ''

    def find_binary(self, name, extra_dirs=None):
        return name


class Exit(Exception):
    def __init__(self, kwargs):
        super(Exit, self).__init__(kwargs.get('msg'))
        self.result = kwargs


def run_case(make_module, case, tmp_path):
    args = dict(case['args'], _ansible_check_mode=True, _ansible_diff=True)
    module = make_module(openvz_ve.ARGUMENT_SPEC, args, supports_check_mode=True)

    def finish(**kwargs):
        raise Exit(kwargs)
    module.exit_json = finish
    module.fail_json = lambda **kwargs: finish(failed=True, **kwargs)
    objs = [vzlist_object(case['ct'])] if case['ct'] is not None else []
    executor = ReadOnlyExecutor(objs)
    lab_root = ''
    if case.get('conf'):
        conf_dir = tmp_path / 'etc' / 'vz' / 'conf'
        conf_dir.mkdir(parents=True)
        (conf_dir / '101.conf').write_text(case['conf'] + '\n')
        lab_root = str(tmp_path)
    client = OpenVZClient(executor, lab_root=lab_root)
    ve = openvz_ve.OpenVZVE(module, client)
    with pytest.raises(Exit) as exc:
        ve.run()
    return exc.value.result, executor, ve


@pytest.mark.parametrize('case', CASES, ids=[c['id'] for c in CASES])
def test_openvz_ve_case(make_module, case, tmp_path):
    result, executor, _ve = run_case(make_module, copy.deepcopy(case), tmp_path)
    assert not result.get('failed'), result
    assert result['commands'] == case['commands']
    assert result['changed'] == case['changed']
    assert result['differences'] == case['differences']
    # Reading costs exactly one call, whatever the case.
    assert len(executor.calls) == 1 and executor.calls[0][0] == 'vzlist'
    assert set(result['diff']['before']) == set(result['diff']['after'])
    # The secret is never in argv or in what the module returns.
    secret = (case['args'].get('userpasswd') or ':').split(':', 1)[1]
    if secret:
        assert secret not in json.dumps(result)


def test_password_goes_on_stdin(make_module, tmp_path):
    case = [c for c in CASES if c['id'] == 'password-at-create-stays-stopped'][0]
    _result, _executor, ve = run_case(make_module, copy.deepcopy(case), tmp_path)
    steps = ve.plan(None)
    assert [s[2] for s in steps] == [None, None, 'root:s3cret\n', None]


def test_diff_shows_canonical_before_and_after(make_module, tmp_path):
    case = {'args': {'ctid': '101', 'ram': '2048M', 'diskspace': '10G', 'ip_addresses': ['10.0.0.2']},
            'ct': {'physpages_limit': 262144, 'ip': ['10.0.0.1']}}
    result, _executor, _ve = run_case(make_module, case, tmp_path)
    assert result['diff'] == {
        'before': {'ip_addresses': ['10.0.0.1'], 'ram': '1G', 'diskspace': '2G:2306867K'},
        'after': {'ip_addresses': ['10.0.0.2'], 'ram': '2G', 'diskspace': '10G'},
    }


@pytest.mark.parametrize('args, message', [
    ({'ctid': '100'}, 'ctid: 100 is reserved'),
    ({'ctid': 'abc'}, 'ctid: '),
    ({}, 'one of ctid or name is required'),
    ({'ctid': '101', 'name': 'bad/name'}, 'not a valid vzctl name'),
    ({'ctid': '101', 'name': '123'}, 'all digits'),
    ({'ctid': '101', 'ip_addresses': ['10.0.0.300']}, 'ip_addresses'),
    ({'ctid': '101', 'ram': 'lots'}, 'ram'),
    ({'ctid': '101', 'diskspace': '2G:1G'}, 'diskspace: barrier 2G is above limit 1G'),
    ({'ctid': '101', 'cpuunits': 1}, 'cpuunits: 1 is outside 8..500000'),
    ({'ctid': '101', 'cpulimit': 'fast'}, 'cpulimit'),
    ({'ctid': '101', 'ioprio': 9}, 'ioprio'),
    ({'ctid': '101', 'features': {'warp': True}}, 'features: unknown name'),
    ({'ctid': '101', 'devnodes': ['tun']}, 'devnodes'),
    ({'ctid': '101', 'extra_params': {'physpages': '1G'}}, 'extra_params'),
    ({'ctid': '101', 'userpasswd': 'nopassword'}, 'userpasswd'),
    ({'ctid': '101', 'state': 'absent', 'ram': '1G'}, 'state=absent does not take settings'),
    ({'ctid': '101', 'hostname': 'bad_host!'}, 'hostname'),
    ({'ctid': '101', 'nameservers': []}, 'nameservers'),
])
def test_bad_input_fails_before_any_command(make_module, tmp_path, args, message):
    result, executor, _ve = run_case(make_module, {'args': args, 'ct': None}, tmp_path)
    assert result.get('failed')
    assert message in result['msg']
    assert executor.calls == []
