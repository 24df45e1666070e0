# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stateful simulator of the Solaris/illumos zone tools ``zoneadm``, ``zonecfg`` and ``zlogin``.

Authority: /work/shared/reference/zones.md ("the sheet"); where it is silent
the simulator follows illumos zoneadm.c, zonecfg.c, zlogin.c and libzonecfg,
and the remaining guesses are marked UNCONFIRMED.

Modules: ``zones_state`` (the node: index, configurations, kernel state, locks,
runtime), ``zones_adm`` (zoneadm), ``zones_cfg*`` (zonecfg: session, resource
commands, set, base), ``zones_lang`` (zonecfg's command language),
``zones_conf``/``zones_render`` (configuration model, XML, export/info),
``zones_node`` (labctl). This one holds the entry points and zlogin.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

from .common import Faults, ToolExit, err, run_tool
from .zones_adm import zoneadm
from .zones_cfg import zonecfg
from .zones_conf import GLOBAL, state_rank
from .zones_state import Z_ERR, Z_USAGE, Node, take_fault


# ---------------------------------------------------------------- zlogin (zones.md §5)

ZLOGIN_USAGE = 'usage: zlogin [ -nQCES ] [ -e cmdchar ] [-l user] zonename [command [args ...] ]\n'


def parse_zlogin(args):
    """zlogin's getopt("nECR:Se:l:Q"); returns (options, zone, command words) or raises ToolExit(2)."""
    opts = {'console': False, 'nflag': False, 'lflag': False, 'failsafe': False}
    index = 0
    while index < len(args) and args[index].startswith('-') and args[index] != '-':
        arg = args[index]
        index += 1
        if arg == '--':
            break
        pos = 1
        while pos < len(arg):
            letter = arg[pos]
            pos += 1
            if letter in 'eRl':
                value = arg[pos:] if pos < len(arg) else (args[index] if index < len(args) else None)
                if value is None:
                    zlogin_usage()
                if pos >= len(arg):
                    index += 1
                pos = len(arg)
                opts['lflag'] = opts['lflag'] or letter == 'l'
            elif letter in 'nECSQ':
                opts['console'] = opts['console'] or letter == 'C'
                opts['nflag'] = opts['nflag'] or letter == 'n'
                opts['failsafe'] = opts['failsafe'] or letter == 'S'
            else:
                zlogin_usage()
    if index >= len(args):
        zlogin_usage()
    return opts, args[index], args[index + 1:]


def zlogin_usage():
    sys.stderr.write(ZLOGIN_USAGE)
    raise ToolExit(Z_USAGE)


def check_zlogin_options(opts, command):
    for flag, what in (('lflag', '-l'), ('nflag', '-n'), ('failsafe', '-S')):
        if opts['console'] and opts[flag]:
            err('zlogin: %s may not be specified for console login' % what)
            zlogin_usage()
    if opts['failsafe'] and opts['lflag']:
        err('zlogin: -l may not be specified for failsafe login')
        zlogin_usage()
    if not command and opts['nflag'] and not opts['console']:
        err('zlogin: -n may not be specified for interactive login')
        zlogin_usage()
    if command and opts['console']:
        err('zlogin: Commands may not be specified for console login.')
        zlogin_usage()


def _zlogin(args):
    node = Node.from_env()
    opts, zone, command = parse_zlogin(args)
    check_zlogin_options(opts, command)
    fault = take_fault(node, 'zlogin', (), zone)
    if fault is not None:
        Faults.apply(fault)
    if zone == GLOBAL:
        err("zlogin: 'zlogin' not applicable to the global zone")
        return Z_ERR
    state = node.state(zone)
    if state is None:
        err("zlogin: zone '%s' unknown" % zone)
        return Z_ERR
    if state_rank(state) < state_rank('installed'):
        err("zlogin: cannot login to a zone which is '%s'" % state)
        return Z_ERR
    if opts['console']:
        # Not simulated: there is no console to attach to.
        err('zlogin (lab): console login is not simulated')
        return Z_ERR
    if state not in ('running', 'mounted'):
        err("zlogin: login allowed only to running zones (%s is '%s')." % (zone, state))
        return Z_ERR
    entry = node.entry(zone)
    # The utility and its arguments become one string for the zone's shell (argv is not preserved).
    argv = ['/bin/sh', '-c', ' '.join(command)] if command else ['/bin/sh']
    return node.runtime.exec(zone, node.root_dir(entry.path), argv, b'' if opts['nflag'] else None)


# ---------------------------------------------------------------- entry points

def zoneadm_main(argv=None):
    """Entry point of ``tests/lab/bin/zoneadm``."""
    return run_tool('zoneadm', lambda args: zoneadm(Node.from_env, args), sys.argv[1:] if argv is None else list(argv))


def zonecfg_main(argv=None):
    """Entry point of ``tests/lab/bin/zonecfg``."""
    return run_tool('zonecfg', lambda args: zonecfg(Node.from_env, args), sys.argv[1:] if argv is None else list(argv))


def zlogin_main(argv=None):
    """Entry point of ``tests/lab/bin/zlogin``."""
    return run_tool('zlogin', _zlogin, sys.argv[1:] if argv is None else list(argv))
