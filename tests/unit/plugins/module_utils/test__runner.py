# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_runner: argv building, executors (real processes), timeouts, error contents."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils._runner import (
    ArgSpec, CommandError, CommandTimeout, Fmt, LocalExecutor, ModuleExecutor, Runner, fail_module,
)

SPEC = ArgSpec(
    name=Fmt.opt('--name'),
    ipadd=Fmt.repeat('--ipadd'),
    onboot=Fmt.yes_no('--onboot'),
    save=Fmt.flag('--save'),
    layout=Fmt.choice('--layout', {'simple': 'simfs', 'image': 'ploop'}),
    features=Fmt.joined('--features'),
    timeout=Fmt.opt_eq('--timeout'),
    ctid=Fmt.positional(),
    force=Fmt.fixed('--force', '--skip-fsck'),
)


@pytest.fixture
def module(make_module):
    """A real AnsibleModule (no mocks): run_command starts real processes."""
    return make_module({})


@pytest.mark.parametrize('order, values, expected', [
    (['ctid', 'name', 'save'], {'ctid': 101, 'name': 'web 1', 'save': True},
     ['vzctl', 'set', '101', '--name', 'web 1', '--save']),
    (['ipadd'], {'ipadd': ['10.0.0.1', '2001:db8::1']},
     ['vzctl', 'set', '--ipadd', '10.0.0.1', '--ipadd', '2001:db8::1']),
    (['onboot', 'save'], {'onboot': False, 'save': False}, ['vzctl', 'set', '--onboot', 'no']),
    (['layout'], {'layout': 'image'}, ['vzctl', 'set', '--layout', 'ploop']),
    (['features'], {'features': ['nfs:on', 'ppp:off']}, ['vzctl', 'set', '--features', 'nfs:on,ppp:off']),
    (['features'], {'features': []}, ['vzctl', 'set']),
    (['timeout'], {'timeout': 30}, ['vzctl', 'set', '--timeout=30']),
    (['force'], {'force': True}, ['vzctl', 'set', '--force', '--skip-fsck']),
    (['name', 'ipadd'], {'name': None, 'ipadd': None}, ['vzctl', 'set']),
    (['name', 'ctid'], {'ctid': 101}, ['vzctl', 'set', '101']),
])
def test_argspec_build(order, values, expected):
    assert SPEC.build(['vzctl', 'set'], order, values) == expected


def test_build_all_follows_declaration_order():
    assert SPEC.build_all(['x'], {'save': True, 'name': 'a'}) == ['x', '--name', 'a', '--save']


def test_argspec_refuses_unknown_options_and_values():
    with pytest.raises(KeyError, match='bogus'):
        SPEC.build([], ['name'], {'bogus': 1})
    with pytest.raises(KeyError, match='missing'):
        SPEC.build([], ['missing'], {})
    with pytest.raises(ValueError, match='--layout'):
        SPEC.build([], ['layout'], {'layout': 'zfs'})
    with pytest.raises(TypeError, match='boolean'):
        SPEC.build([], ['name'], {'name': True})


HOSTILE = ['; touch /tmp/pwned', '$(id)', '`id`', '$HOME', '~root', "it's \"quoted\"", '*', 'a\nb', '']


@pytest.mark.parametrize('executor_kind', ['module', 'local'])
def test_values_reach_the_program_literally(module, executor_kind, tmp_path):
    """No shell anywhere: metacharacters, variables and ~ arrive untouched."""
    executor = ModuleExecutor(module) if executor_kind == 'module' else LocalExecutor()
    runner = Runner(executor, 'python3', ArgSpec(args=Fmt.repeat('-c')))
    # python3 -c CODE arg... ; the program echoes its argv as JSON.
    code = 'import json,sys; print(json.dumps(sys.argv[1:]))'
    argv = runner.argv(['-c', code]) + HOSTILE
    result = runner.run_argv(argv)
    assert json.loads(result.stdout) == HOSTILE
    assert result.rc == 0
    assert result.cmd == argv


@pytest.mark.parametrize('executor_kind', ['module', 'local'])
def test_c_locale_is_forced(module, executor_kind, monkeypatch):
    monkeypatch.setenv('LC_ALL', 'de_DE.UTF-8')
    executor = ModuleExecutor(module) if executor_kind == 'module' else LocalExecutor()
    out = Runner(executor, 'env').run().stdout.splitlines()
    assert 'LC_ALL=C' in out
    assert 'LANG=C' in out


@pytest.mark.parametrize('executor_kind', ['module', 'local'])
def test_stdin_carries_data_exactly(module, executor_kind):
    executor = ModuleExecutor(module) if executor_kind == 'module' else LocalExecutor()
    secret = 's3cret pass\nword'
    result = Runner(executor, 'cat').run(data=secret)
    assert result.stdout == secret
    assert secret not in ' '.join(result.cmd)


@pytest.mark.parametrize('executor_kind', ['module', 'local'])
def test_error_carries_cmd_rc_stdout_stderr(module, executor_kind):
    executor = ModuleExecutor(module) if executor_kind == 'module' else LocalExecutor()
    runner = Runner(executor, 'sh')
    argv = runner.argv(['-c', 'echo out; echo err >&2; exit 32', 'x'])
    with pytest.raises(CommandError) as exc:
        runner.run_argv(argv, what='vzctl start 101')
    err = exc.value
    assert (err.cmd, err.rc, err.stdout, err.stderr) == (argv, 32, 'out\n', 'err\n')
    assert err.as_dict() == {'msg': 'vzctl start 101 failed', 'cmd': argv, 'rc': 32,
                             'stdout': 'out\n', 'stderr': 'err\n'}
    assert str(err) == 'vzctl start 101 failed (rc=32): err'


def test_ok_rcs_and_check_false(module):
    runner = Runner(ModuleExecutor(module), 'sh')
    assert runner.run(['-c', 'exit 32'], ok_rcs=(0, 32)).rc == 32
    assert runner.run(['-c', 'exit 7'], check=False).rc == 7


@pytest.mark.parametrize('executor_kind', ['module', 'local'])
def test_timeout_kills_and_raises(module, executor_kind):
    executor = ModuleExecutor(module) if executor_kind == 'module' else LocalExecutor()
    runner = Runner(executor, 'sleep', timeout=1)
    with pytest.raises(CommandTimeout) as exc:
        runner.run(['30'], what='vzctl stop 101')
    assert exc.value.cmd == [runner.binary, '30']
    assert 'timed out after 1s' in str(exc.value)


def test_per_call_timeout_overrides_default(module):
    runner = Runner(ModuleExecutor(module), 'sleep', timeout=1)
    assert runner.run(['1.5'], timeout=10).rc == 0


def test_missing_binary_is_a_clear_error(module):
    runner = Runner(ModuleExecutor(module), 'no-such-tool-here')
    assert runner.argv(['list']) == ['no-such-tool-here', 'list']
    with pytest.raises(CommandError, match="command 'no-such-tool-here' not found"):
        runner.run(['list'])


def test_local_executor_missing_program():
    rc, out, err = LocalExecutor().execute(['/nonexistent/tool'])
    assert rc == 127 and 'nonexistent' in err


def test_fail_module_passes_everything(module):
    captured = {}

    def fake_fail(**kwargs):
        captured.update(kwargs)
    module.fail_json = fake_fail
    fail_module(module, CommandError('prlctl set web failed', cmd=['prlctl'], rc=255, stderr='no'), ve='web')
    assert captured == {'msg': 'prlctl set web failed', 'cmd': ['prlctl'], 'rc': 255,
                        'stdout': '', 'stderr': 'no', 've': 'web'}
