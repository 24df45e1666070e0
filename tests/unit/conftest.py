# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures: a real AnsibleModule built from given arguments."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


@pytest.fixture
def make_module(monkeypatch):
    """``make_module(argument_spec, args, supports_check_mode=True)`` -> AnsibleModule."""
    def factory(argument_spec, args=None, **kwargs):
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}})))
        monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
        return basic.AnsibleModule(argument_spec=argument_spec, **kwargs)
    return factory


@pytest.fixture
def run_main(monkeypatch):
    """``run_main(module, args, executor)`` -> the result of ``module.main()`` (exit_json or fail_json kwargs).

    The module's ModuleExecutor is replaced by ``executor`` (an object with
    ``execute`` and ``find_binary``), so no command runs.
    """
    def runner(plugin, args, executor):
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))
        monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
        monkeypatch.setattr(plugin, 'ModuleExecutor', lambda module: executor)
        results = []

        def finish(self, **kwargs):
            results.append(kwargs)
            raise SystemExit(0)
        monkeypatch.setattr(basic.AnsibleModule, 'exit_json', finish)
        monkeypatch.setattr(basic.AnsibleModule, 'fail_json', lambda self, **kw: finish(self, failed=True, **kw))
        with pytest.raises(SystemExit):
            plugin.main()
        return results[0]
    return runner
