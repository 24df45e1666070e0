# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: prlctl
short_description: Run tasks inside a Virtuozzo container or VM through its hardware node
version_added: 0.1.0
author:
  - datacenter.ve developers (@datacenter-ve)
description:
  - Runs every command of a task inside a Virtuozzo 7 container, or a VM with guest tools, with C(prlctl exec) on its
    hardware node,
    which it reaches over OpenSSH (honouring the user's ssh configuration, keys and jump hosts, with connection
    sharing) or runs locally when the controller is the node. The VE needs no sshd of its own.
  - Exit status, stdout and stderr are the command's own. Files are streamed both ways through the same channel,
    inside the VE (binary-safe, any size, any name).
  - A stopped or missing VE, and a node that cannot be reached, fail the task with an error naming the node
    and the VE.
  - Whoever can use this plugin runs commands as root on the node; see the collection's docs/reaching-ves.md.
extends_documentation_fragment:
  - connection_pipelining
options:
  name:
    description:
      - Name or UUID of the container or VM on its node.
    type: str
    vars:
      - name: inventory_hostname
      - name: ansible_prlctl_name
  node:
    description:
      - The hardware node, as ssh reaches it (host name, address or a C(Host) of the ssh configuration).
      - Absent, empty or C(localhost) runs C(prlctl) on the controller itself.
    type: str
    vars:
      - name: ansible_prlctl_node
    env:
      - name: ANSIBLE_PRLCTL_NODE
    ini:
      - section: prlctl_connection
        key: node
  node_user:
    description:
      - User to log in to the node as (default from the ssh configuration). It must be allowed to run C(prlctl).
    type: str
    vars:
      - name: ansible_prlctl_node_user
    env:
      - name: ANSIBLE_PRLCTL_NODE_USER
    ini:
      - section: prlctl_connection
        key: node_user
  node_port:
    description:
      - SSH port of the node (default from the ssh configuration).
    type: int
    vars:
      - name: ansible_prlctl_node_port
    env:
      - name: ANSIBLE_PRLCTL_NODE_PORT
    ini:
      - section: prlctl_connection
        key: node_port
  node_private_key_file:
    description:
      - Private key to log in to the node with (default from the ssh configuration and agent).
    type: path
    vars:
      - name: ansible_prlctl_node_private_key_file
    env:
      - name: ANSIBLE_PRLCTL_NODE_PRIVATE_KEY_FILE
    ini:
      - section: prlctl_connection
        key: node_private_key_file
  node_ssh_args:
    description:
      - Extra OpenSSH arguments, split like a shell would, for example C(-F tests/lab/.state/ssh_config) or
        C(-J bastion.example.org).
    type: str
    default: ''
    vars:
      - name: ansible_prlctl_node_ssh_args
    env:
      - name: ANSIBLE_PRLCTL_NODE_SSH_ARGS
    ini:
      - section: prlctl_connection
        key: node_ssh_args
  ssh_executable:
    description:
      - The OpenSSH client to run.
    type: str
    default: ssh
    vars:
      - name: ansible_prlctl_ssh_executable
    env:
      - name: ANSIBLE_PRLCTL_SSH_EXECUTABLE
    ini:
      - section: prlctl_connection
        key: ssh_executable
  timeout:
    description:
      - Seconds to wait for the SSH connection to the node.
    type: int
    default: 10
    vars:
      - name: ansible_prlctl_timeout
    env:
      - name: ANSIBLE_PRLCTL_TIMEOUT
    ini:
      - section: prlctl_connection
        key: timeout
notes:
  - Commands run as root inside the VE, through its shell (C(prlctl exec) without C(--without-shell)); use C(become)
    for another user (C(sudo) must be in the VE).
  - A VM needs the Virtuozzo guest tools for C(prlctl exec).
seealso:
  - plugin: datacenter.ve.vzctl
    plugin_type: connection
  - plugin: datacenter.ve.zlogin
    plugin_type: connection
"""

EXAMPLES = r"""
# Inventory: a container "mail1" on the Virtuozzo node vz2.example.org
# [mail]
# mail1 ansible_connection=datacenter.ve.prlctl ansible_prlctl_node=vz2.example.org

- name: Configure inside the container
  hosts: mail
  tasks:
    - name: Install postfix
      ansible.builtin.apt:
        name: postfix
        update_cache: true
"""

from ansible_collections.datacenter.ve.plugins.module_utils._virtuozzo import VirtuozzoClient
from ansible_collections.datacenter.ve.plugins.plugin_utils._ve_connection import (
    MISSING, RUNNING, STOPPED, VEConnection,
)


class Connection(VEConnection):
    """Tasks inside a Virtuozzo container or VM, through ``prlctl exec`` on its node."""

    transport = 'datacenter.ve.prlctl'
    plugin = 'prlctl'
    ve_option = 'name'
    ve_kind = 'VE'
    # prlctl exec reports any failure of its own (VE stopped, unknown, no guest tools) with 255.
    suspect_rcs = (255,)

    def make_client(self, executor):
        return VirtuozzoClient(executor)

    def exec_argv(self, ve, command):
        return self._client.exec_argv(ve, [command])

    def read_state(self, ve):
        info = self._client.info(ve)
        if info is None:
            return MISSING
        return RUNNING if str(info.get('State', '')).lower() == 'running' else STOPPED
