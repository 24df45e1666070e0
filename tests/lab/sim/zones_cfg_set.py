# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""zonecfg ``set`` and the value checks behind it (zones.md §4.4)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
import socket

from .zones_cfg_base import (
    ALIAS_DISALLOW_TEXT, BAD_ZONE_STATE, BOGUS_ZONE_NAME, FILE_MAC_PROFILES, FLOAT_RE, GLOBAL_SETTABLE,
    GZ_INVALID_PROPS, INVALID_PROPERTY, LINKNAME_RE, NAME_IN_USE, ONE_MB, RESOURCE_SETTABLE,
    SCALE_NONNEG, SCALE_POS, SHARED_IFNAME_RE, WARN_GZ_RCTL, getopt,
)
from .zones_cfg_res import ResourceSession
from .zones_conf import ALIASES, GLOBAL_ALIASES, _f32, bytes_to_units, str_to_bytes, valid_uint, valid_zonename
from .zones_lang import HELP_NETADDR, HELP_SYNTAX, Complex, ListValue, Simple


class SetSession(ResourceSession):
    """``set`` in the global and in each resource scope."""

    # ------------------------------------------------------------ set

    def do_set(self, cmd):
        if self.read_only():
            return
        opts, _optind = getopt(cmd.argv, 'F')
        if any(letter == '?' for letter, _arg in opts):
            self.short_usage('set')
            return
        force_set = ('F', None) in opts
        prop, value = cmd.props[0]
        if self.global_scope:
            if self.global_zone and prop in GZ_INVALID_PROPS:
                self.error('%s is not a valid property for the global zone.' % prop)
                return
            if prop not in GLOBAL_SETTABLE and not (prop == 'file-mac-profile' and self.release == 's11'):
                self.error('Cannot set a resource-specific property from the global scope.')
                return
            rtype = None
        else:
            rtype = self.resource_scope
        if force_set:
            self.error('Only zonepath setting can be forced.' if rtype is not None or prop != 'zonepath'
                       else 'Zonepath is changeable only in an alternate root.')
            return
        if not ((rtype, prop) in (('fs', 'options'), ('rctl', 'value')) or isinstance(value, Simple)):
            self.error('A simple value was expected here.')
            return
        if rtype is None and prop == 'zonename' and not self.got_handle and \
                not self.node.state_atleast(self.zone, 'configured'):
            if not valid_zonename(value.value):
                self.zone_perror(value.value, BOGUS_ZONE_NAME)
                self.usage(False, HELP_SYNTAX)
                return
            self.zone = value.value
            return
        if not self.initialize():
            return
        if rtype is None:
            self.set_global(prop, value.value)
        else:
            self.set_resource(rtype, prop, value)

    def set_global(self, prop, text):
        handle = self.handle
        setter = getattr(self, 'set_' + prop.replace('-', '_'), None)
        if prop in GLOBAL_ALIASES:
            self.set_aliased_rctl(prop, prop, text)
        elif setter is not None:
            setter(text)
        else:                       # limitpriv, bootargs, scheduling-class, fs-allowed, file-mac-profile
            handle.set(prop, text)
            self.need_to_commit = True

    def set_zonename(self, text):
        if self.node.state_atleast(self.zone, 'installed'):
            self.zone_perror(text, BAD_ZONE_STATE)
        elif not valid_zonename(text):
            self.zone_perror(text, BOGUS_ZONE_NAME)
        elif text != self.zone and self.node.entry(text) is not None:
            self.zone_perror(text, NAME_IN_USE)
        else:
            self.handle.name = self.zone = text
            self.need_to_commit = True
            return
        self.usage(False, HELP_SYNTAX)

    def set_zonepath(self, text):
        if self.state_atleast('installed'):
            self.zerr('Zone %s already installed; set zonepath not allowed.' % self.zone)
        elif not text.startswith('/'):
            self.error('%s is not an absolute path.' % text)
        elif text.strip('/') == '':
            self.error('/ is not allowed as a zonepath.')
        else:
            self.handle.set('zonepath', text)
            self.need_to_commit = True

    def set_brand(self, text):
        if self.state_atleast('installed'):
            self.zerr('Zone %s already installed; set brand not allowed.' % self.zone)
            return
        self.handle.set('brand', text)
        self.need_to_commit = True

    def set_autoboot(self, text):
        if text not in ('true', 'false'):
            self.error("autoboot value must be 'true' or 'false'.")
            return
        self.handle.set('autoboot', text)
        self.need_to_commit = True

    def set_ip_type(self, text):
        if text not in ('shared', 'exclusive'):
            self.error("ip-type value must be 'shared' or 'exclusive'.")
            return
        self.handle.set('ip-type', text)
        self.need_to_commit = True

    def set_pool(self, text):
        if text.startswith('SUNW'):
            self.error('pool names starting with SUNW are reserved.')
        elif self.handle.first('dedicated-cpu') is not None:
            self.error('The dedicated-cpu resource already exists.  A persistent pool is incompatible\nwith the '
                       'dedicated-cpu resource.')
        else:
            self.handle.set('pool', text)
            self.need_to_commit = True

    def set_hostid(self, text):
        if len(text) > 11:
            self.error('hostid string is too large: %s' % text)
            return
        digits = text[2:] if text.lower().startswith('0x') else text
        if not re.match(r'[0-9A-Fa-f]+\Z', digits) or int(digits, 16) > 0xfffffffe:
            self.zone_perror('hostid', INVALID_PROPERTY)
            return
        self.handle.set('hostid', text)
        self.need_to_commit = True

    def set_file_mac_profile(self, text):
        # UNCONFIRMED: the values Solaris 11 accepts and its message for others.
        if text not in FILE_MAC_PROFILES:
            self.zone_perror('file-mac-profile', INVALID_PROPERTY)
            return
        self.handle.set('file-mac-profile', text)
        self.need_to_commit = True

    def set_aliased_rctl(self, prop, alias, text):
        handle = self.handle
        if self.global_zone and alias != 'cpu-shares':
            self.zerr(WARN_GZ_RCTL)
        if alias == 'max-shm-memory':
            limit = str_to_bytes(text)
            if limit is None:
                self.error(SCALE_NONNEG)
                return
            text = '%d' % limit
        limit = valid_uint(text)
        if not handle.alias_ok(alias):
            self.zone_perror(prop, ALIAS_DISALLOW_TEXT, False)
            self.saw_error = True
        elif limit is None or limit < ALIASES[alias].low:
            self.error('%s property is out of range.' % prop)
        else:
            handle.set_alias(alias, limit)
            self.need_to_commit = True

    # resource scope

    def set_resource(self, rtype, prop, value):
        res = self.in_progress
        method = getattr(self, 'rset_%s_%s' % (rtype.replace('-', '_'), prop.replace('-', '_')), None)
        if method is not None:
            method(res, value)
        elif prop in RESOURCE_SETTABLE.get(rtype, ()):
            res.props[prop] = value.value
        else:
            self.no_property(prop, 'set')

    def rset_fs_type(self, res, value):
        text = value.value
        if '/' in text or text in ('', '.', '..') or len(text) + 1 > 256:
            self.error('"%s" is not a valid type.' % text)
            return
        res.props['type'] = text

    def rset_fs_options(self, res, value):
        if isinstance(value, Complex):
            self.error('A simple or list value was expected here.')
            return
        res.options = []
        if not (isinstance(value, ListValue) and not value.items):
            for item in [value] if isinstance(value, Simple) else value.items:
                if not isinstance(item, Simple):
                    break
                res.options.append(item.value)

    def rset_net_address(self, res, value, prop='address'):
        if self.validate_net_address(value.value, False):
            res.props[prop] = value.value
        else:
            self.saw_error = True

    def rset_net_allowed_address(self, res, value):
        self.rset_net_address(res, value, 'allowed-address')

    def rset_net_defrouter(self, res, value):
        if self.validate_net_address(value.value, True):
            res.props['defrouter'] = value.value
        else:
            self.saw_error = True

    def rset_net_physical(self, res, value):
        if self.validate_physical(value.value):
            res.props['physical'] = value.value
        else:
            self.saw_error = True

    def rset_rctl_name(self, res, value):
        if not value.value.startswith('zone.'):
            self.zerr("'%s' is not a valid zone rctl name." % value.value)
            return
        res.props['name'] = value.value

    def rset_rctl_value(self, res, value):
        if isinstance(value, Simple):
            self.error('A complex or list value was expected here.')
            return
        res.values = []
        for item in [value] if isinstance(value, Complex) else value.items:
            self.add_rctl_value(item.pairs if isinstance(item, Complex) else [])

    def rset_dedicated_cpu_ncpus(self, res, value):
        low, _sep, high = value.value.partition('-')
        high = high if _sep else low
        low_n, high_n = valid_uint(low), valid_uint(high)
        if low_n is None or high_n is None or low_n < 1 or low_n > high_n:
            self.error('ncpus property is out of range.')
            return
        res.props['ncpu_min'], res.props['ncpu_max'] = low, high

    def rset_dedicated_cpu_importance(self, res, value):
        if valid_uint(value.value) is None:
            self.error('importance property is out of range.')
            return
        res.props['importance'] = value.value

    def rset_capped_cpu_ncpus(self, res, value):
        text = value.value
        cap = _f32(float(text)) if FLOAT_RE.match(text) else 0.0
        if cap <= 0 or int(_f32(cap * 100)) < 1:
            self.error('ncpus property is out of range.')
            return
        self.handle.set_alias('cpu-cap', int(_f32(cap * 100)))
        self.need_to_commit = True

    def rset_capped_memory_physical(self, res, value):
        limit = str_to_bytes(value.value)
        if limit is None:
            self.error(SCALE_POS)
        elif limit < ONE_MB:
            self.error('physical value is too small.  It must be at least 1M.')
        else:
            res.props['physical'] = '%d' % limit

    def rset_capped_memory_swap(self, res, value):
        if not self.handle.alias_ok('max-swap'):
            self.zone_perror('max-swap', ALIAS_DISALLOW_TEXT, False)
            self.saw_error = True
            return
        minimum = ONE_MB * (100 if self.global_zone else 50)
        limit = str_to_bytes(value.value)
        if limit is None:
            self.error(SCALE_POS)
        elif limit < minimum:
            self.error('swap value is too small.  It must be at least %s.' % bytes_to_units(minimum))
        else:
            self.handle.set_alias('max-swap', limit)
            self.need_to_commit = True

    def rset_capped_memory_locked(self, res, value):
        if not self.handle.alias_ok('max-locked-memory'):
            self.zone_perror('locked', ALIAS_DISALLOW_TEXT, False)
            self.saw_error = True
            return
        limit = str_to_bytes(value.value)
        if limit is None:
            self.error(SCALE_NONNEG)
            return
        self.handle.set_alias('max-locked-memory', limit)
        self.need_to_commit = True

    # ------------------------------------------------------------ network syntax (zonecfg.c)

    def validate_net_address(self, address, ishost):
        part1, slash, rest = address.partition('/')
        match = re.match(r'\s*[+-]?\d+', rest)
        prefix = int(match.group(0)) if match else 0
        if ishost and slash:
            self.zerr('Warning: prefix length in %s is not required and will be ignored. The default host-prefix '
                      'length will be used' % address)
        try:
            ipaddress.IPv6Address(part1)
            is_v6 = ':' in part1
        except ValueError:
            is_v6 = False
        if is_v6:
            if not ishost and not slash:
                self.zerr('%s: IPv6 addresses require /prefix-length suffix.' % address)
                return False
            if not ishost and not 0 <= prefix <= 128:
                self.zerr('%s: IPv6 address prefix lengths must be 0 - 128.' % address)
                return False
            return True
        if not ishost and slash and not 0 <= prefix <= 32:
            self.zerr('%s: IPv4 address prefix lengths must be 0 - 32.' % address)
            return False
        try:
            socket.inet_pton(socket.AF_INET, part1)
            return True
        except (OSError, ValueError):
            pass
        if not part1[:1].isalnum() or not all(c.isalnum() or c in '-.' for c in part1):
            self.error('%s: bogus host name or network address syntax' % part1)
            self.usage(False, HELP_NETADDR)
            return False
        return True

    def validate_physical(self, ifname):
        if self.handle.get('ip-type') == 'exclusive':
            if len(ifname) < 32 and LINKNAME_RE.match(ifname):
                return True
            if ':' in ifname:
                self.zerr('%s: physical interface name required; logical interface name not allowed' % ifname)
            else:
                self.zerr('%s: invalid physical interface name' % ifname)
            return False
        match = SHARED_IFNAME_RE.match(ifname)
        if match is None:
            self.zerr('%s: invalid physical interface name' % ifname)
            return False
        if match.group(1) is not None:
            self.zerr('%s: LUNs not allowed in physical interface names' % ifname)
            return False
        return True
