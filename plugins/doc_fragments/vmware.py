# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of every VMware module (the spec is ``_vmware.vmware_argument_spec``)."""

    DOCUMENTATION = r'''
options:
  hostname:
    description:
      - Name or address of the vCenter Server (or ESXi host).
      - If not set, the E(VMWARE_HOST) environment variable is used.
    type: str
  username:
    description:
      - User to log in as.
      - If not set, the E(VMWARE_USER) environment variable is used.
    type: str
    aliases: [user, admin]
  password:
    description:
      - Password of O(username). Never shown in results or logs.
      - If not set, the E(VMWARE_PASSWORD) environment variable is used.
    type: str
    aliases: [pass, pwd]
  port:
    description:
      - HTTPS port of the vSphere API.
      - If not set, the E(VMWARE_PORT) environment variable is used.
    type: int
    default: 443
  validate_certs:
    description:
      - Whether the vCenter's TLS certificate must be valid for O(hostname).
      - Set to V(false) only for labs; prefer O(ca_path) for a vCenter signed by your own CA.
      - If not set, the E(VMWARE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificates to trust instead of the system's (for example the VMCA root of the vCenter).
      - If not set, the E(VMWARE_CA_PATH) environment variable is used.
    type: path
  proxy_host:
    description:
      - HTTP proxy to reach the vCenter through (CONNECT).
      - If not set, the E(VMWARE_PROXY_HOST) environment variable is used.
    type: str
  proxy_port:
    description:
      - Port of O(proxy_host).
      - If not set, the E(VMWARE_PROXY_PORT) environment variable is used.
    type: int
  connect_timeout:
    description:
      - Seconds to wait for the vCenter to accept the connection and to answer each request; an unreachable or
        silent vCenter fails after this long. Raise it for very large inventories on a slow vCenter.
      - If not set, the E(VMWARE_CONNECT_TIMEOUT) environment variable is used.
    type: int
    default: 30
requirements:
  - pyVmomi >= 8.0.1 (on the host that runs the module, usually the controller)
'''
