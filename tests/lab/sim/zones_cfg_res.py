# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""zonecfg resource commands: add, cancel, end, select, remove, clear (zones.md §4.3, §4.4)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pwd
import re
import sys

from .zones_cfg_base import (
    ALIAS_DISALLOW_TEXT, AUTHS, CLEAR_DISALLOW, DUPLICATE_KEYS, GZ_INVALID_PROPS, GZ_INVALID_RESOURCES,
    INSUFFICIENT_SPEC, NO_ENTRY_TEXT, NO_PROPERTY_ID, NO_PROPERTY_TYPE, NO_RESOURCE_ID, NO_RESOURCE_TYPE, REQUIRED,
    RESOURCE_PROPS, SINGLETONS, WARN_GZ_MCAP, WARN_GZ_RCTL, SessionBase,
)
from .zones_conf import ALIAS_DISALLOW, GLOBAL_ALIASES, NO_ENTRY, OK, Resource, valid_uint
from .zones_lang import HELP_PROPS, HELP_RESOURCES, Complex, Simple


class ResourceSession(SessionBase):
    """The resource-scope commands of zonecfg.c."""

    # ------------------------------------------------------------ add / cancel / end

    def do_add(self, cmd):
        if self.parse_opts(cmd, '?', 'add') is None or self.read_only() or not self.initialize():
            return
        if not self.global_scope:
            self.add_property(cmd)
            return
        if self.global_zone and cmd.res_type in GZ_INVALID_RESOURCES:
            self.error('Cannot add a %s resource to the global zone.' % cmd.res_type)
            return
        self.global_scope, self.resource_scope, self.end_op = False, cmd.res_type, 'add'
        if not self.add_resource(cmd.res_type):
            self.global_scope, self.end_op = True, None

    def add_resource(self, rtype):
        handle = self.handle
        if rtype is None:
            self.long_usage('add')
            return False
        if rtype == 'inherit-pkg-dir' and self.state_atleast('installed'):
            self.zerr('Zone %s already installed; add inherit-pkg-dir not allowed.' % self.zone)
            return False
        if rtype == 'dedicated-cpu':
            if handle.first('dedicated-cpu') is not None or handle.get_alias('cpu-cap')[0] != NO_ENTRY:
                self.zerr('The %s resource already exists.' % ('dedicated-cpu' if handle.first('dedicated-cpu')
                                                               else 'capped-cpu'))
                return False
            if handle.get('pool'):
                self.zerr('The pool property is already set.  A persistent pool is incompatible with\nthe '
                          'dedicated-cpu resource.')
                return False
        elif rtype == 'capped-cpu':
            if handle.first('dedicated-cpu') is not None:
                self.zerr('The dedicated-cpu resource already exists.')
                return False
            status = handle.get_alias('cpu-cap')[0]
            if status == ALIAS_DISALLOW:
                self.zone_perror('capped-cpu', ALIAS_DISALLOW_TEXT, False)
                return False
            if status == OK:
                self.zerr('The capped-cpu resource already exists.')
                return False
        elif rtype == 'capped-memory':
            if handle.first('capped-memory') is not None or handle.get_alias('max-swap')[0] == OK or \
                    handle.get_alias('max-locked-memory')[0] == OK:
                self.zerr('The capped-memory resource or a related resource control already exists.')
                return False
            if self.global_zone:
                self.zerr(WARN_GZ_MCAP)
        elif rtype == 'security-flags' and handle.first(rtype) is not None:
            # UNCONFIRMED: security-flags is a single resource like dedicated-cpu.
            self.zerr('The security-flags resource already exists.')
            return False
        elif rtype == 'rctl' and self.global_zone:
            self.zerr(WARN_GZ_RCTL)
        self.in_progress, self.old = Resource(rtype), None
        return True

    def add_property(self, cmd):
        rtype = self.resource_scope
        if rtype is None or not cmd.props:
            self.long_usage('add')
            return
        prop, value = cmd.props[0]
        if rtype == 'fs':
            if prop != 'options':
                self.no_property(prop, 'add')
            elif isinstance(value, Complex):
                self.error('A simple or list value was expected here.')
            else:
                items = [value] if isinstance(value, Simple) else value.items
                for item in items:
                    if not isinstance(item, Simple):
                        break
                    self.in_progress.options.append(item.value)
        elif rtype == 'rctl':
            if prop != 'value':
                self.no_property(prop, 'add')
            elif isinstance(value, Simple):
                self.error('A complex or list value was expected here.')
            else:
                for item in [value] if isinstance(value, Complex) else value.items:
                    self.add_rctl_value(item.pairs if isinstance(item, Complex) else [])
        else:
            self.zone_perror(rtype, NO_RESOURCE_TYPE)
            self.long_usage('add')
            self.usage(False, HELP_RESOURCES)

    def add_rctl_value(self, pairs):
        value = {}
        for name, text in pairs:
            if name not in ('priv', 'limit', 'action'):
                self.no_property('value', 'add')
                return
            if name in value:
                self.zerr('%s already specified' % name)
                return
            value[name] = text
        missing = [n for n in ('priv', 'limit', 'action') if n not in value]
        for name in missing:
            self.zerr('%s not specified' % name)
        if missing:
            return
        action = value['action']
        if value['priv'] != 'privileged' or valid_uint(value['limit']) is None or \
                not (action in ('none', 'deny') or action.startswith('signal=')):
            self.zerr('Invalid rctl value specification')
            return
        self.in_progress.values.append(value)

    def do_cancel(self, cmd):
        if self.parse_opts(cmd, '?', 'cancel') is None:
            return
        if self.global_scope:
            self.error('The cancel command only makes sense in the resource scope.')
        self.global_scope, self.in_progress, self.old = True, None, None

    def do_end(self, cmd):
        if self.parse_opts(cmd, '?', 'end') is None:
            return
        if self.global_scope:
            self.error('The end command only makes sense in the resource scope.')
            return
        rtype, res = self.resource_scope, self.in_progress
        checker = getattr(self, 'end_' + rtype.replace('-', '_'), self.end_generic)
        if checker(res):
            self.need_to_commit, self.global_scope, self.end_op = True, True, None
        else:
            self.saw_error = True

    def end_required(self, res):
        ok = True
        for prop in REQUIRED.get(res.rtype, ()):
            if not res.get(prop):
                self.zerr('%s not specified' % prop)
                ok = False
        return ok

    def end_duplicate(self, res, key):
        if self.end_op != 'add' or not key:
            return False
        if any(other.get(key) == res.get(key) for other in self.handle.of_type(res.rtype)):
            article = 'An' if res.rtype == 'attr' else 'A'
            self.zerr("%s %s resource with the %s '%s' already exists." % (article, res.rtype, key, res.get(key)))
            return True
        return False

    def store(self, res):
        """zonecfg_add_* (append) or zonecfg_modify_* (delete the selected one, append the new one)."""
        if self.end_op != 'add' and self.old is not None:
            self.handle.remove(self.old)
        elif res.rtype in SINGLETONS:
            for other in self.handle.of_type(res.rtype):
                self.handle.remove(other)
        self.handle.resources.append(res)
        self.in_progress, self.old = None, None

    def end_generic(self, res):
        if not self.end_required(res) or self.end_duplicate(res, DUPLICATE_KEYS.get(res.rtype, '')):
            return False
        self.store(res)
        return True

    def end_fs(self, res):
        ok = True
        if not res.get('dir'):
            self.zerr('dir not specified')
            ok = False
        elif not res.get('dir').startswith('/'):
            self.zerr('dir %s is not an absolute path.' % res.get('dir'))
            ok = False
        if not res.get('special'):
            self.zerr('special not specified')
            ok = False
        if res.get('raw') and not res.get('raw').startswith('/'):
            self.zerr('raw %s is not an absolute path.' % res.get('raw'))
            ok = False
        if not res.get('type'):
            self.zerr('type not specified')
            ok = False
        if not ok or self.end_duplicate(res, 'dir'):
            return False
        self.store(res)
        return True

    def end_net(self, res):
        if not self.end_required(res):
            return False
        if self.end_op == 'add':
            keys = [k for k in ('physical', 'address', 'allowed-address') if res.get(k)]
            if any(all(other.get(k) == res.get(k) for k in keys) for other in self.handle.of_type('net')):
                if res.get('address'):
                    self.zerr("A net resource with the physical '%s', and address '%s' already exists."
                              % (res.get('physical'), res.get('address')))
                else:
                    self.zerr("A net resource with the physical '%s', and allowed-address '%s' already exists."
                              % (res.get('physical'), res.get('allowed-address')))
                return False
        self.store(res)
        return True

    def end_rctl(self, res):
        ok = self.end_required(res)
        if not res.get('name'):
            self.zerr('name not specified')
            ok = False
        if not res.values:
            self.zerr('no value specified')
            ok = False
        if not ok or self.end_duplicate(res, 'name'):
            return False
        self.store(res)
        return True

    def end_attr(self, res):
        ok = self.end_required(res)
        ok = self.validate_attr_name(res.get('name')) and ok
        ok = self.validate_attr_type_val(res) and ok
        if not ok or self.end_duplicate(res, 'name'):
            return False
        self.store(res)
        return True

    def end_dataset(self, res):
        if not res.get('name'):
            self.zerr('name not specified')
            return False
        if self.end_duplicate(res, 'name'):
            return False
        self.store(res)
        return True

    def end_admin(self, res):
        ok = True
        if not res.get('user'):
            self.zerr('user not specified')
            ok = False
        elif not self.valid_user(res.get('user')):
            self.zerr('user %s is not a valid username' % res.get('user'))
            ok = False
        if not res.get('auths'):
            self.zerr('auths not specified')
            ok = False
        elif not self.valid_auths(res.get('auths')):
            ok = False
        if not ok or self.end_duplicate(res, 'user'):
            return False
        self.store(res)
        return True

    def end_dedicated_cpu(self, res):
        if not res.get('ncpu_min'):
            self.zerr('ncpus not specified')
            return False
        self.store(res)
        return True

    def end_capped_cpu(self, res):
        if self.handle.get_alias('cpu-cap')[0] != OK:
            self.zerr('ncpus not specified')
            return False
        self.in_progress = None
        return True

    def end_capped_memory(self, res):
        physical = res.get('physical')
        swap = self.handle.get_alias('max-swap')
        locked = self.handle.get_alias('max-locked-memory')
        if not physical and swap[0] != OK and locked[0] != OK:
            self.zerr('No property was specified.  One of physical, swap or locked is required.')
            return False
        if physical and locked[0] == OK and int(physical) < locked[1]:
            self.zerr('The locked cap must be less than or equal to the physical cap.')
            return False
        if physical:
            self.store(res)
        else:
            for mcap in self.handle.of_type('capped-memory'):
                if self.end_op != 'add':
                    self.handle.remove(mcap)
            self.in_progress = None
        return True

    def valid_user(self, user):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return False
        return True

    def valid_auths(self, auths):
        ok = True
        for right in auths.split(','):
            if right and right not in AUTHS:
                sys.stderr.write("zone '%s': '%s' is not a valid authorization\n" % (self.zone, right))
                ok = False
        return ok

    def validate_attr_name(self, name):
        if not name:
            return True
        if not name[0].isalnum():
            self.zerr('Invalid attr name %s: must start with an alpha-numeric character.' % name)
            return False
        if not all(c.isalnum() or c in '-.' for c in name[1:]):
            self.zerr("Invalid attr name %s: can only contain alpha-numeric characters, plus '-' and '.'." % name)
            return False
        return True

    def validate_attr_type_val(self, res):
        kind, value = res.get('type'), res.get('value')
        checks = {'boolean': value in ('true', 'false'), 'int': re.match(r'\s*[+-]?\d+\Z', value) is not None,
                  'string': True, 'uint': valid_uint(value) is not None and value != ''}
        if kind not in checks:
            self.zerr("invalid attr type '%s'" % kind)
            return False
        if not checks[kind]:
            self.zerr('invalid attr value for type=%s' % kind)
            return False
        return True

    # ------------------------------------------------------------ select / remove / clear

    def lookup(self, rtype, props):
        """fill_in_*tab + zonecfg_lookup_*: (resource, None) or (None, error text)."""
        wanted = {}
        for prop, value in props:
            if not isinstance(value, Simple):
                self.error('A simple value was expected here.')
                return None, INSUFFICIENT_SPEC
            if prop not in RESOURCE_PROPS.get(rtype, ()):
                self.zone_perror(prop, NO_PROPERTY_TYPE)
                return None, INSUFFICIENT_SPEC
            wanted[prop] = value.value
        found = [r for r in self.handle.of_type(rtype) if self.matches(r, wanted)]
        if not found:
            return None, NO_RESOURCE_ID
        if len(found) > 1:
            return None, INSUFFICIENT_SPEC
        return found[0], None

    @staticmethod
    def matches(res, wanted):
        for prop, value in wanted.items():
            if not value:
                continue
            have = res.get(prop)
            if prop == 'address':
                # UNCONFIRMED: zonecfg_same_net_address is modelled as "same address, prefix ignored".
                have, value = have.split('/')[0], value.split('/')[0]
            if have != value:
                return False
        return True

    def do_select(self, cmd):
        if self.read_only():
            return
        if not self.global_scope:
            self.error('The select command only makes sense in the global scope.')
            return
        rtype = cmd.res_type
        self.global_scope, self.resource_scope, self.end_op = False, rtype, 'select'
        if not self.initialize():
            return
        handle = self.handle
        if rtype == 'dedicated-cpu':
            found = handle.first(rtype)
            failure = None if found is not None else NO_ENTRY_TEXT
        elif rtype == 'capped-cpu':
            status = handle.get_alias('cpu-cap')[0]
            found = Resource(rtype)
            failure = {OK: None, NO_ENTRY: NO_ENTRY_TEXT}.get(status, ALIAS_DISALLOW_TEXT)
        elif rtype == 'capped-memory':
            found = handle.first(rtype)
            failure = None if found is not None or handle.get_alias('max-swap')[0] == OK or \
                handle.get_alias('max-locked-memory')[0] == OK else NO_RESOURCE_TYPE
            found = found or Resource(rtype)
        else:
            found, failure = self.lookup(rtype, cmd.props)
        if failure is not None:
            self.rt_perror('select', rtype, failure)
            self.global_scope = True
            return
        self.old, self.in_progress = found, found.copy()

    def do_remove(self, cmd):
        if self.read_only():
            return
        if not self.global_scope:
            self.remove_property(cmd)
            return
        rtype = cmd.res_type
        if self.global_zone and rtype in GZ_INVALID_RESOURCES:
            self.error('%s is not a valid resource for the global zone.' % rtype)
            return
        if rtype is None:
            self.long_usage('remove')
            return
        opts = self.parse_opts(cmd, '?F', 'remove', allowed_extra=True)
        if opts is None or not self.initialize():
            return
        handler = {'dedicated-cpu': self.remove_pset, 'capped-cpu': self.remove_pcap,
                   'capped-memory': self.remove_mcap}.get(rtype)
        if handler is not None:
            handler()
        elif cmd.props:
            found, failure = self.lookup(rtype, cmd.props)
            if failure is not None:
                self.rt_perror('remove', rtype, failure)
            else:
                self.handle.remove(found)
                self.need_to_commit = True
        else:
            self.remove_all(rtype, 'F' in opts)

    def remove_all(self, rtype, force):
        count = len(self.handle.of_type(rtype))
        if count == 0:
            if not force:
                self.rt_perror('remove', rtype, NO_ENTRY_TEXT)
            # zones.md §4.3: -F means no error when there is nothing to remove (the cited zonecfg.c still
            # prints "No such entry"; the sheet's behaviour is kept).
            return
        if count > 1 and not force:
            if not self.interactive_mode:
                self.error('There are multiple instances of this resource.  Either qualify the resource to\nremove a '
                           'single instance or use the -F option to remove all instances.')
                return
            answer = self.ask_yesno(False, "Are you sure you want to remove ALL '%s' resources" % rtype)
            if answer == -1:
                self.zerr('Resource incomplete.')
            if answer != 1:
                return
        for res in self.handle.of_type(rtype):
            self.handle.remove(res)
        self.need_to_commit = True

    def remove_pset(self):
        found = self.handle.first('dedicated-cpu')
        if found is None:
            self.rt_perror('remove', 'dedicated-cpu', NO_ENTRY_TEXT)
            return
        self.handle.remove(found)
        self.need_to_commit = True

    def remove_pcap(self):
        if self.handle.get_alias('cpu-cap')[0] != OK:
            self.rt_perror('remove', 'capped-cpu', NO_RESOURCE_TYPE)
            return
        self.handle.rm_alias('cpu-cap')
        self.need_to_commit = True

    def remove_mcap(self):
        handle = self.handle
        mcap = handle.first('capped-memory')
        aliases = [a for a in ('max-swap', 'max-locked-memory') if handle.get_alias(a)[0] == OK]
        if mcap is None and not aliases:
            self.rt_perror('remove', 'capped-memory', NO_RESOURCE_TYPE)
            return
        if mcap is not None:
            handle.remove(mcap)
        for alias in aliases:
            handle.rm_alias(alias)
        self.need_to_commit = True

    def remove_property(self, cmd):
        rtype = self.resource_scope
        if not cmd.props:
            self.long_usage('remove')
            return
        prop, value = cmd.props[0]
        if not self.initialize():
            return
        res = self.in_progress
        if rtype == 'fs' and prop == 'options':
            if isinstance(value, Complex):
                self.error('A simple or list value was expected here.')
                return
            for item in [value] if isinstance(value, Simple) else value.items:
                if not isinstance(item, Simple):
                    break
                if item.value in res.options:
                    res.options.remove(item.value)
                else:
                    self.zone_perror('options', NO_PROPERTY_ID)
        elif rtype == 'rctl' and prop == 'value':
            if not isinstance(value, Complex):
                self.error('A complex value was expected here.')
                return
            wanted = dict(value.pairs)
            for index, have in enumerate(res.values):
                if all(have.get(k) == wanted.get(k, '') for k in ('priv', 'limit', 'action')):
                    del res.values[index]
                    return
            self.zone_perror('value', NO_PROPERTY_ID)
        elif rtype == 'net' and prop == 'defrouter':
            res.props.pop('defrouter', None)
        elif rtype in ('fs', 'rctl', 'net'):
            self.zone_perror(prop, NO_PROPERTY_TYPE)
            self.long_usage('remove')
            self.usage(False, HELP_PROPS)
        else:
            self.zone_perror(rtype, NO_RESOURCE_TYPE)
            self.long_usage('remove')
            self.usage(False, HELP_RESOURCES)

    def do_clear(self, cmd):
        if self.read_only():
            return
        prop = cmd.props[0][0]
        if self.global_scope and self.global_zone and prop in GZ_INVALID_PROPS:
            self.error('%s is not a valid property for the global zone.' % prop)
            return
        if not self.initialize():
            return
        if self.global_scope:
            self.clear_global(prop)
        else:
            self.clear_property(prop)

    def clear_global(self, prop):
        handle = self.handle
        if prop in ('zonename', 'zonepath', 'brand'):
            self.zone_perror(prop, CLEAR_DISALLOW)
        elif prop in ('autoboot', 'ip-type'):
            handle.set(prop, 'false' if prop == 'autoboot' else 'shared')
            self.need_to_commit = True
        elif prop in ('pool', 'limitpriv', 'bootargs', 'scheduling-class', 'hostid', 'fs-allowed') or \
                (prop == 'file-mac-profile' and self.release == 's11'):
            handle.set(prop, None)
            self.need_to_commit = True
        elif prop in GLOBAL_ALIASES:
            self.remove_aliased_rctl(prop, prop)
        else:
            self.no_property(prop, 'clear')

    def remove_aliased_rctl(self, prop, alias):
        status = self.handle.get_alias(alias)[0]
        if status != OK:
            self.error('clear %s: %s' % (prop, NO_ENTRY_TEXT if status == NO_ENTRY else ALIAS_DISALLOW_TEXT))
            return
        self.handle.rm_alias(alias)
        self.need_to_commit = True

    def clear_property(self, prop):
        rtype, res = self.resource_scope, self.in_progress
        if (rtype, prop) in (('fs', 'raw'), ('dedicated-cpu', 'importance'), ('capped-memory', 'physical')):
            res.props.pop(prop, None)
            self.need_to_commit = True
        elif rtype == 'capped-memory' and prop in ('swap', 'locked'):
            self.remove_aliased_rctl(prop, 'max-swap' if prop == 'swap' else 'max-locked-memory')
        else:
            self.zone_perror(prop, CLEAR_DISALLOW)
