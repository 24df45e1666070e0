# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: task_timer
type: aggregate
short_description: Record the wall time of each task per host as JSON (benchmarks)
description:
  - Measures, for each task and host, the wall time from the start of the task to its result (ok, failed or
    unreachable), and writes the list to the file named by the environment variable E(TASK_TIMER_OUT) when the
    playbook ends.
  - Used by the connection benchmark of this collection (tests/bench/connection_bench.py); not shipped with it.
author: datacenter.ve contributors
requirements:
  - enable in configuration (ANSIBLE_CALLBACKS_ENABLED=task_timer)
options:
  output:
    description: The JSON file the timings are written to. Nothing is written when it is not set.
    type: path
    env:
      - name: TASK_TIMER_OUT
"""

import json
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._started = {}
        self._records = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = (task.get_name(), time.monotonic())

    def _record(self, result, status):
        task = result._task
        name, started = self._started.get(task._uuid, (task.get_name(), None))
        if started is None:
            return
        self._records.append({'task': name, 'host': result._host.get_name(), 'status': status,
                              'seconds': time.monotonic() - started})

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        path = self.get_option('output')
        if path:
            with open(path, 'w') as handle:
                json.dump(self._records, handle, indent=1)
