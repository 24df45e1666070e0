# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""zonecfg's common ground: texts and tables of zonecfg.c/libzonecfg, messages, the configuration handle.

``SessionBase`` holds the globals of zonecfg.c (handle, scope, resource in
progress, ``need_to_commit``, ``saw_error``) and the message helpers (zerr,
zone_perror, short/long usage) with their streams and "counts as an error"
rules; ``zones_cfg_res``, ``zones_cfg_set`` and ``zones_cfg`` add the commands.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import sys

from .common import flush
from .zones_conf import ANET_PROPS, GLOBAL, GLOBAL_ALIASES, TEMPLATE_NAMES, template
from .zones_lang import HELP_PROPS, HELP_RES_PROPS, LONG_HELP, SHORT_USAGE, usage_text

# libzonecfg zonecfg_strerror() texts
NO_ZONE = 'No such zone configured'
NO_RESOURCE_TYPE = 'No such resource type'
NO_RESOURCE_ID = 'No such resource with that id'
NO_PROPERTY_TYPE = 'No such property type'
NO_PROPERTY_ID = 'No such property with that id'
NO_ENTRY_TEXT = 'No such entry'
BOGUS_ZONE_NAME = 'Bogus zone name'
BAD_ZONE_STATE = 'Zone state is invalid for the requested operation'
INSUFFICIENT_SPEC = 'Insufficient specification'
REQD_RESOURCE_MISSING = 'Required resource missing'
REQD_PROPERTY_MISSING = 'Required property missing'
INVAL = 'Invalid argument'
INCOMPATIBLE = 'Incompatible settings'
ALIAS_DISALLOW_TEXT = 'An incompatible rctl already exists for this property'
CLEAR_DISALLOW = 'Clearing this property is not allowed'
NAME_IN_USE = 'Zone name already in use'
INVALID_PROPERTY = 'Specified property is invalid'
INVALID_DOCUMENT = 'Invalid document'
BAD_PROPERTY = 'Bad document property'

# Help flags of each command (zonecfg.c helptab) for longer_usage().
HELP_FLAGS = {'add': HELP_RES_PROPS, 'clear': HELP_PROPS, 'info': HELP_RES_PROPS, 'remove': HELP_RES_PROPS,
              'select': HELP_RES_PROPS, 'set': HELP_PROPS}
# Properties `set` takes in the global scope.
GLOBAL_SETTABLE = ('zonename', 'zonepath', 'autoboot', 'brand', 'pool', 'limitpriv', 'bootargs', 'scheduling-class',
                   'ip-type', 'hostid', 'fs-allowed') + GLOBAL_ALIASES
# What the global zone's configuration may not have (zonecfg.c gz_invalid_*).
GZ_INVALID_RESOURCES = ('fs', 'net', 'device', 'attr', 'dataset')
GZ_INVALID_PROPS = ('zonename', 'zonepath', 'autoboot', 'limitpriv', 'bootargs', 'brand', 'scheduling-class',
                    'ip-type', 'hostid', 'fs-allowed')
# Properties of each resource type (fill_in_*tab: a selector naming another property is an error).
RESOURCE_PROPS = {
    'fs': ('dir', 'special', 'raw', 'type'), 'inherit-pkg-dir': ('dir',),
    'net': ('address', 'allowed-address', 'physical', 'defrouter'), 'device': ('match',), 'rctl': ('name',),
    'attr': ('name', 'type', 'value'), 'dataset': ('name',), 'admin': ('user', 'auths'),
    'security-flags': ('lower', 'default', 'upper'),
    'anet': ('linkname', 'lower-link', 'allowed-address', 'defrouter', 'mac-address', 'vlan-id'),
}
# Simple properties `set` takes in each resource scope (validated ones are handled by methods).
RESOURCE_SETTABLE = {
    'fs': ('dir', 'special', 'raw'), 'inherit-pkg-dir': ('dir',), 'device': ('match',), 'dataset': ('name',),
    'attr': ('name', 'type', 'value'), 'admin': ('user', 'auths'),
    'security-flags': ('lower', 'default', 'upper'), 'anet': ANET_PROPS,
}
# `end`: "A <rtype> resource with the <prop> '<value>' already exists." (An for attr).
DUPLICATE_KEYS = {'fs': 'dir', 'inherit-pkg-dir': 'dir', 'device': 'match', 'rctl': 'name', 'attr': 'name',
                  'dataset': 'name', 'admin': 'user', 'anet': 'linkname'}
REQUIRED = {'fs': ('dir', 'special', 'type'), 'inherit-pkg-dir': ('dir',), 'net': ('physical',), 'device': ('match',),
            'attr': ('name', 'type', 'value'), 'admin': ('user', 'auths'), 'anet': ('linkname',)}
AUTHS = ('login', 'manage', 'clonefrom')
FILE_MAC_PROFILES = ('none', 'strict', 'fixed-configuration', 'flexible-configuration', 'dynamic-zones')
SINGLETONS = ('dedicated-cpu', 'capped-cpu', 'capped-memory', 'security-flags')
ONE_MB = 1048576
WARN_GZ_RCTL = ('WARNING: Setting a global zone resource control too low could deny\nservice to even the root user; '
                'this could render the system impossible\nto administer.  Please use caution.')
WARN_GZ_MCAP = ('WARNING: Setting a global zone memory cap too low could deny\nservice to even the root user; '
                'this could render the system impossible\nto administer.  Please use caution.')
SCALE_NONNEG = 'A non-negative number with a required scale suffix (K, M, G or T) was expected\nhere.'
SCALE_POS = 'A positive number with a required scale suffix (K, M, G or T) was expected here.'
FLOAT_RE = re.compile(r'\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z')
SHARED_IFNAME_RE = re.compile(r'[A-Za-z][A-Za-z0-9_.]*?\d+(?::(\d+))?\Z')
LINKNAME_RE = re.compile(r'[A-Za-z][A-Za-z0-9_.]*\d\Z')
ZFS_NAME_RE = re.compile(r'[A-Za-z][A-Za-z0-9_.:-]*(?:/[A-Za-z0-9_.: -]+)*\Z')
DETACHED = 'SUNWdetached.xml'


class Exit(Exception):
    """exit(status) from inside a command."""

    def __init__(self, status):
        super(Exit, self).__init__(status)
        self.status = status


def getopt(argv, optstring):
    """POSIX getopt over all of ``argv`` (zonecfg starts at argv[0]): ([(letter, arg)], optind); '?' has arg=optopt."""
    found, index = [], 0
    while index < len(argv):
        arg = argv[index]
        if arg == '--':
            return found, index + 1
        if not arg.startswith('-') or arg == '-':
            break
        index += 1
        pos = 1
        while pos < len(arg):
            letter = arg[pos]
            pos += 1
            spec = optstring.find(letter)
            if letter == '?' or letter == ':' or spec < 0:
                found.append(('?', letter))
                continue
            if optstring[spec + 1:spec + 2] == ':':
                if pos < len(arg):
                    found.append((letter, arg[pos:]))
                elif index < len(argv):
                    found.append((letter, argv[index]))
                    index += 1
                else:
                    found.append(('?', letter))
                pos = len(arg)
            else:
                found.append((letter, None))
    return found, index


def isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class SessionBase:
    """One zonecfg invocation (the globals of zonecfg.c): messages, the handle."""

    def __init__(self, node, zone, global_zone):
        self.node = node
        self.release = node.release
        self.zone = zone
        self.revert_zone = zone
        self.global_zone = global_zone
        self.handle = None
        self.got_handle = False
        self.need_to_commit = False
        self.saw_error = False
        self.global_scope = True
        self.resource_scope = None
        self.end_op = None
        self.in_progress = None
        self.old = None
        self.time_to_exit = False
        self.force_exit = False
        self.cmd_file_mode = False
        self.cmd_file_name = None
        self.interactive_mode = False
        self.ok_to_prompt = isatty(sys.stdin)
        self.lexer = None
        self.last_lineno = 0

    # ------------------------------------------------------------ messages

    def lineno(self):
        return self.lexer.lineno if self.lexer is not None else 1

    def zerr(self, text):
        if self.cmd_file_mode and self.lineno() > self.last_lineno:
            if self.cmd_file_name == '-':
                sys.stderr.write('On line %d:\n' % (self.lineno() - 1))
            else:
                sys.stderr.write('On line %d of %s:\n' % (self.lineno() - 1, self.cmd_file_name))
            self.last_lineno = self.lineno()
        sys.stderr.write(text + '\n')

    def error(self, text):
        """zerr() that also counts as an error (saw_error)."""
        self.zerr(text)
        self.saw_error = True

    def zone_perror(self, prefix, text, set_saw=True):
        self.zerr('%s: %s' % (prefix, text))
        if set_saw:
            self.saw_error = True

    def rt_perror(self, command, rtype, text):
        self.error('%s %s: %s' % (command, rtype, text))

    def usage(self, verbose, flags):
        (sys.stdout if verbose else sys.stderr).write(usage_text(flags, verbose))

    def short_usage(self, command):
        if self.cmd_file_mode:
            if self.cmd_file_name == '-':
                sys.stderr.write('syntax error on line %d\n' % (self.lineno() - 1))
            else:
                sys.stderr.write('syntax error on line %d of %s\n' % (self.lineno() - 1, self.cmd_file_name))
        sys.stderr.write('usage:\n%s\n' % SHORT_USAGE[command])
        self.saw_error = True

    def long_usage(self, command, set_saw=True):
        stream = sys.stderr if set_saw else sys.stdout
        stream.write('usage:\n%s\n\t%s\n' % (SHORT_USAGE[command], LONG_HELP[command]))
        if set_saw:
            self.saw_error = True

    def longer_usage(self, command):
        self.long_usage(command, False)
        if command in HELP_FLAGS:
            sys.stdout.write('\n')
            self.usage(True, HELP_FLAGS[command])

    def no_property(self, prop, command, flags=HELP_PROPS):
        """zone_perror(prop, Z_NO_PROPERTY_TYPE) + long usage + help: a property the scope does not have."""
        self.zone_perror(prop, NO_PROPERTY_TYPE)
        self.long_usage(command)
        self.usage(False, flags)

    def ask_yesno(self, default, question):
        if not self.ok_to_prompt:
            self.saw_error = True
            return -1
        while True:
            sys.stdout.write('%s (%s)? ' % (question, '[y]/n' if default else 'y/[n]'))
            flush()
            line = sys.stdin.readline()
            if not line:
                return -1
            if line[0] == '\n':
                return 1 if default else 0
            if line[0].lower() in 'yn':
                return 1 if line[0].lower() == 'y' else 0

    def read_only(self):
        if self.zone.startswith('SUNW'):
            self.error('%s: zones beginning with SUNW are read-only.' % self.zone)
            return True
        return False

    def parse_opts(self, cmd, optstring, command, allowed_extra=False):
        """getopt of a command's arguments; None after printing the usage it deserves."""
        opts, optind = getopt(cmd.argv, optstring)
        for letter, arg in opts:
            if letter == '?':
                if arg == '?':
                    self.longer_usage(command)
                else:
                    self.short_usage(command)
                return None
        if not allowed_extra and optind != len(cmd.argv):
            self.short_usage(command)
            return None
        return dict(opts)

    # ------------------------------------------------------------ the handle

    def initialize(self, handle_expected=True):
        if self.handle is not None:
            return True
        cfg = self.node.load_config(self.zone)
        if cfg is not None:
            self.handle, self.got_handle = cfg, True
            return True
        if self.global_zone and not self.got_handle:
            self.handle = template(self.release, 'blank', GLOBAL)
            self.need_to_commit = self.got_handle = True
            return True
        self.zone_perror(self.zone, NO_ZONE, handle_expected or self.got_handle)
        if not self.got_handle and self.interactive_mode:
            sys.stdout.write("Use 'create' to begin configuring a new zone.\n")
        return False

    def state_atleast(self, state):
        return self.node.state_atleast(self.zone, state)

    def load_template(self, name):
        kind_releases = TEMPLATE_NAMES.get(name)
        if kind_releases is not None and self.release in kind_releases[1]:
            return template(self.release, kind_releases[0], self.zone)
        cfg = self.node.load_config(name)
        if cfg is None:
            return None
        cfg = cfg.copy(self.zone)
        cfg.debugid = None
        return cfg
