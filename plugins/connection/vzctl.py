# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: vzctl
short_description: Run tasks inside an OpenVZ container through its hardware node
version_added: 0.1.0
author:
  - datacenter.ve developers (@datacenter-ve)
description:
  - Runs every command of a task inside an OpenVZ container with C(vzctl exec2) on the container's hardware node,
    which it reaches over OpenSSH (honouring the user's ssh configuration, keys and jump hosts, with connection
    sharing) or runs locally when the controller is the node. The container needs no sshd of its own.
  - Exit status, stdout and stderr are the command's own. Files are streamed both ways through the same channel,
    inside the container (binary-safe, any size, any name).
  - A stopped or missing container, and a node that cannot be reached, fail the task with an error naming the node
    and the container.
  - Whoever can use this plugin runs commands as root on the node; see the collection's docs/reaching-ves.md.
extends_documentation_fragment:
  - connection_pipelining
options:
  ctid:
    description:
      - ID (or name) of the container on its node.
    type: str
    vars:
      - name: inventory_hostname
      - name: ansible_vzctl_ctid
  node:
    description:
      - The hardware node, as ssh reaches it (host name, address or a C(Host) of the ssh configuration).
      - Absent, empty or C(localhost) runs C(vzctl) on the controller itself.
    type: str
    vars:
      - name: ansible_vzctl_node
    env:
      - name: ANSIBLE_VZCTL_NODE
    ini:
      - section: vzctl_connection
        key: node
  node_user:
    description:
      - User to log in to the node as (default from the ssh configuration). It must be allowed to run C(vzctl).
    type: str
    vars:
      - name: ansible_vzctl_node_user
    env:
      - name: ANSIBLE_VZCTL_NODE_USER
    ini:
      - section: vzctl_connection
        key: node_user
  node_port:
    description:
      - SSH port of the node (default from the ssh configuration).
    type: int
    vars:
      - name: ansible_vzctl_node_port
    env:
      - name: ANSIBLE_VZCTL_NODE_PORT
    ini:
      - section: vzctl_connection
        key: node_port
  node_private_key_file:
    description:
      - Private key to log in to the node with (default from the ssh configuration and agent).
    type: path
    vars:
      - name: ansible_vzctl_node_private_key_file
    env:
      - name: ANSIBLE_VZCTL_NODE_PRIVATE_KEY_FILE
    ini:
      - section: vzctl_connection
        key: node_private_key_file
  node_ssh_args:
    description:
      - Extra OpenSSH arguments, split like a shell would, for example C(-F tests/lab/.state/ssh_config) or
        C(-J bastion.example.org).
    type: str
    default: ''
    vars:
      - name: ansible_vzctl_node_ssh_args
    env:
      - name: ANSIBLE_VZCTL_NODE_SSH_ARGS
    ini:
      - section: vzctl_connection
        key: node_ssh_args
  ssh_executable:
    description:
      - The OpenSSH client to run.
    type: str
    default: ssh
    vars:
      - name: ansible_vzctl_ssh_executable
    env:
      - name: ANSIBLE_VZCTL_SSH_EXECUTABLE
    ini:
      - section: vzctl_connection
        key: ssh_executable
  timeout:
    description:
      - Seconds to wait for the SSH connection to the node.
    type: int
    default: 10
    vars:
      - name: ansible_vzctl_timeout
    env:
      - name: ANSIBLE_VZCTL_TIMEOUT
    ini:
      - section: vzctl_connection
        key: timeout
notes:
  - Commands run as root inside the container; use C(become) for another user (C(sudo) must be in the container).
  - The C(vzctl) client of the node is run as C(vzctl exec2), which returns the command's own exit status.
seealso:
  - plugin: datacenter.ve.prlctl
    plugin_type: connection
  - plugin: datacenter.ve.zlogin
    plugin_type: connection
"""

EXAMPLES = r"""
# Inventory: a container 101 on the node hn1.example.org
# [containers]
# web1 ansible_connection=datacenter.ve.vzctl ansible_vzctl_ctid=101 ansible_vzctl_node=hn1.example.org

- name: Configure inside the container, without an sshd in it
  hosts: containers
  tasks:
    - name: Install nginx
      ansible.builtin.apt:
        name: nginx
        update_cache: true

# Ad hoc, on the node itself:
#   ansible -i '101,' -c datacenter.ve.vzctl all -m ansible.builtin.ping
"""

from ansible_collections.datacenter.ve.plugins.module_utils._openvz import OpenVZClient
from ansible_collections.datacenter.ve.plugins.plugin_utils._ve_connection import (
    MISSING, RUNNING, STOPPED, VEConnection,
)


class Connection(VEConnection):
    """Tasks inside an OpenVZ container, through ``vzctl exec2`` on its node."""

    transport = 'datacenter.ve.vzctl'
    plugin = 'vzctl'
    ve_option = 'ctid'
    ve_kind = 'CT'
    # vzctl exec2: 31 when the CT is not running (also for an unknown CT ID), 14 when its config is missing,
    # 21 for a name no CT has ("Bad CT ID").
    suspect_rcs = (14, 21, 31)

    def make_client(self, executor):
        return OpenVZClient(executor)

    def exec_argv(self, ve, command):
        return self._client.exec2_argv(ve, [command])

    def read_state(self, ve):
        found = self._client.list(ctid=ve) if ve.isdigit() else self._client.list(name=ve)
        if not found:
            return MISSING
        return RUNNING if found[0].get('status') == 'running' else STOPPED
