# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The ``attributes`` block every datacenter.ve module states.

    Use ``datacenter.ve.attributes`` and one of ``.platform_node`` /
    ``.platform_vcenter``, then give each attribute its ``support`` in the
    module's own DOCUMENTATION; ``_info`` modules use ``.info_module``.
    """

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
'''

    PLATFORM_NODE = r'''
options: {}
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
'''

    PLATFORM_VCENTER = r'''
options: {}
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: vcenter
    details:
      - Talks to a vCenter Server (or an ESXi host) over the vSphere API with pyVmomi; runs wherever pyVmomi is
        installed, usually on the controller (delegate the task to C(localhost)).
'''
