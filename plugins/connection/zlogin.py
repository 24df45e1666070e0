# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: zlogin
short_description: Run tasks inside a Solaris or illumos zone through its global zone
version_added: 0.1.0
author:
  - datacenter.ve developers (@datacenter-ve)
description:
  - Runs every command of a task inside a non-global zone with C(zlogin) (non-interactive mode) in its global zone,
    which it reaches over OpenSSH (honouring the user's ssh configuration, keys and jump hosts, with connection
    sharing) or runs locally when the controller is the node. The zone needs no sshd of its own.
  - Exit status, stdout and stderr are the command's own. Files are streamed both ways through the same channel,
    inside the zone (binary-safe, any size, any name).
  - A stopped or missing zone, and a node that cannot be reached, fail the task with an error naming the node
    and the zone.
  - Whoever can use this plugin runs commands as root on the node; see the collection's docs/reaching-ves.md.
extends_documentation_fragment:
  - connection_pipelining
options:
  zone:
    description:
      - Name of the zone.
    type: str
    vars:
      - name: inventory_hostname
      - name: ansible_zlogin_zone
  node:
    description:
      - The hardware node, as ssh reaches it (host name, address or a C(Host) of the ssh configuration).
      - Absent, empty or C(localhost) runs C(zlogin) on the controller itself.
    type: str
    vars:
      - name: ansible_zlogin_node
    env:
      - name: ANSIBLE_ZLOGIN_NODE
    ini:
      - section: zlogin_connection
        key: node
  node_user:
    description:
      - User to log in to the node as (default from the ssh configuration). It must be allowed to run C(zlogin).
    type: str
    vars:
      - name: ansible_zlogin_node_user
    env:
      - name: ANSIBLE_ZLOGIN_NODE_USER
    ini:
      - section: zlogin_connection
        key: node_user
  node_port:
    description:
      - SSH port of the node (default from the ssh configuration).
    type: int
    vars:
      - name: ansible_zlogin_node_port
    env:
      - name: ANSIBLE_ZLOGIN_NODE_PORT
    ini:
      - section: zlogin_connection
        key: node_port
  node_private_key_file:
    description:
      - Private key to log in to the node with (default from the ssh configuration and agent).
    type: path
    vars:
      - name: ansible_zlogin_node_private_key_file
    env:
      - name: ANSIBLE_ZLOGIN_NODE_PRIVATE_KEY_FILE
    ini:
      - section: zlogin_connection
        key: node_private_key_file
  node_ssh_args:
    description:
      - Extra OpenSSH arguments, split like a shell would, for example C(-F tests/lab/.state/ssh_config) or
        C(-J bastion.example.org).
    type: str
    default: ''
    vars:
      - name: ansible_zlogin_node_ssh_args
    env:
      - name: ANSIBLE_ZLOGIN_NODE_SSH_ARGS
    ini:
      - section: zlogin_connection
        key: node_ssh_args
  ssh_executable:
    description:
      - The OpenSSH client to run.
    type: str
    default: ssh
    vars:
      - name: ansible_zlogin_ssh_executable
    env:
      - name: ANSIBLE_ZLOGIN_SSH_EXECUTABLE
    ini:
      - section: zlogin_connection
        key: ssh_executable
  timeout:
    description:
      - Seconds to wait for the SSH connection to the node.
    type: int
    default: 10
    vars:
      - name: ansible_zlogin_timeout
    env:
      - name: ANSIBLE_ZLOGIN_TIMEOUT
    ini:
      - section: zlogin_connection
        key: timeout
notes:
  - Commands run as root inside the zone, through its shell (C(zlogin ZONE command)); use C(become) for another user.
  - Only the global zone's superuser may use C(zlogin); I(node_user) must be root or have the C(zlogin) right.
seealso:
  - plugin: datacenter.ve.vzctl
    plugin_type: connection
  - plugin: datacenter.ve.prlctl
    plugin_type: connection
"""

EXAMPLES = r"""
# Inventory: the zone "ldap1" on the global zone gz3.example.org
# [ldap]
# ldap1 ansible_connection=datacenter.ve.zlogin ansible_zlogin_node=gz3.example.org

- name: Configure inside the zone
  hosts: ldap
  tasks:
    - name: Check the zone's release
      ansible.builtin.command: cat /etc/release
      changed_when: false
"""

from ansible_collections.datacenter.ve.plugins.module_utils._zones import ZonesClient
from ansible_collections.datacenter.ve.plugins.plugin_utils._ve_connection import (
    MISSING, RUNNING, STOPPED, VEConnection,
)


class Connection(VEConnection):
    """Tasks inside a Solaris or illumos zone, through ``zlogin`` in its global zone."""

    transport = 'datacenter.ve.zlogin'
    plugin = 'zlogin'
    ve_option = 'zone'
    ve_kind = 'zone'
    # zlogin exits 1 when the zone is not running or does not exist.
    suspect_rcs = (1,)

    def make_client(self, executor):
        return ZonesClient(executor)

    def exec_argv(self, ve, command):
        return self._client.zlogin_argv(ve, [command])

    def read_state(self, ve):
        zone = next((z for z in self._client.list() if z['name'] == ve), None)
        if zone is None:
            return MISSING
        return RUNNING if zone['state'] == 'running' else STOPPED
