# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``zoneadm`` of the zones simulator (zones.md §2, §3).

Subcommands, their option parsing, ``sanity_check`` preconditions, the zonepath
validation of ``verify_details`` and the zone state machine of zoneadmd follow
illumos zoneadm.c/zoneadmd.c. Messages: ``zoneadm: zone 'NAME': ...`` for
zoneadm's own errors (zerror), ``zoneadm: NAME: ...`` for library errors
(zperror2), and ``zone 'NAME': ...`` for what zoneadmd reports through
libzonecfg (``zone is already booted`` ...; UNCONFIRMED by a capture, see
README). Exit codes: 0, 1 (Z_ERR), 2 (Z_USAGE).

``install`` unpacks the node's OS image into ``<zonepath>/root``; ``boot``,
``halt`` & co. call the lab runtime; zone IDs of ready/running zones increase
from 1 and are kept in ``.lab/zones-kernel.json``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import stat
import sys
import tarfile
import time
import uuid

from .common import Faults, atomic_write, flush, makedirs, read_text
from .runtime import start_runtime
from .zones_state import Z_ERR, Z_OK, Z_USAGE, take_fault
from .zones_conf import BRANDS, GLOBAL, KNOWN_RCTLS, from_xml, state_rank, to_xml

EXECNAME = 'zoneadm'
OS_IMAGE = 'templates/zone-root.tar.gz'       # under .lab (zones_node.OS_IMAGE)
DETACHED = 'SUNWdetached.xml'
STD_ENTRIES = ('dev', 'lastexited', 'lu', 'root', 'SUNWattached.xml')
ZONE_SUBPROC_NOTCOMPLETE = 'notcomplete'

# (name, short usage); the usage lists them in this order (zoneadm.c cmdtab).
SUBCOMMANDS = (
    ('help', 'help'),
    ('boot', 'boot [-- boot_arguments]'),
    ('halt', 'halt'),
    ('ready', 'ready'),
    ('shutdown', 'shutdown [-r [-- boot_arguments]]'),
    ('reboot', 'reboot [-- boot_arguments]'),
    ('list', 'list [-cipv]'),
    ('verify', 'verify'),
    ('install', 'install [brand-specific args]'),
    ('uninstall', 'uninstall [-F] [brand-specific args]'),
    ('clone', 'clone [-m method] [-s <ZFS snapshot>] [brand-specific args] zonename'),
    ('move', 'move zonepath'),
    ('detach', 'detach [-n] [brand-specific args]'),
    ('attach', 'attach [-F] [-n <path>] [brand-specific args]'),
    ('mark', 'mark incomplete'),
)
PRIVATE = ('mount', 'unmount', 'apply', 'sysboot')
# Subcommands that take the per-zone lock (zonecfg_grab_lock_file in zoneadm.c).
LOCKING = ('install', 'uninstall', 'clone', 'move', 'detach', 'attach', 'mark')
S10_INSTALL = 'install [-x nodataset] [brand-specific args]'
LONG_HELP = {
    'help': 'Print usage message.',
    'boot': 'Activates (boots) specified zone.  See zoneadm(1m) for valid boot\n\targuments.',
    'halt': 'Halts specified zone, bypassing shutdown scripts and removing runtime\n\tresources of the zone.',
    'ready': 'Prepares a zone for running applications but does not start any user\n\tprocesses in the zone.',
    'shutdown': "Gracefully shutdown the zone or reboot if the '-r' option is specified.\n\tSee zoneadm(1m) for valid "
                'boot arguments.',
    'reboot': 'Restarts the zone (equivalent to a halt / boot sequence).\n\tFails if the zone is not active.  See '
              'zoneadm(1m) for valid boot\n\targuments.',
    'list': 'Lists the current zones, or a specific zone if indicated.  By default,\n\tall running zones are listed, '
            'though this can be expanded to all\n\tinstalled zones with the -i option or all configured zones with '
            'the\n\t-c option.  When used with the general -z <zone> and/or -u <uuid-match>\n\toptions, lists only the '
            'specified matching zone, but lists it\n\tregardless of its state, and the -i and -c options are '
            'disallowed.  The\n\t-v option can be used to display verbose information: zone name, id,\n\tcurrent '
            'state, root directory and options.  The -p option can be used\n\tto request machine-parsable output.  '
            'The -v and -p options are mutually\n\texclusive.  If neither -v nor -p is used, just the zone name is '
            'listed.',
    'verify': 'Check to make sure the configuration can safely be instantiated\n\ton the machine: physical network '
              'interfaces exist, etc.',
    'install': 'Install the configuration on to the system.  All arguments are passed to the brand installation '
               'function;\n\tsee brands(5) for more information.',
    'uninstall': 'Uninstall the configuration from the system.  The -F flag can be used\n\tto force the action.  All '
                 'other arguments are passed to the brand\n\tuninstall function; see brands(5) for more information.',
    'clone': "Clone the installation of another zone.  The -m option can be used to\n\tspecify 'copy' which forces a "
             'copy of the source zone.  The -s option\n\tcan be used to specify the name of a ZFS snapshot that was '
             'taken from\n\ta previous clone command.  The snapshot will be used as the source\n\tinstead of creating '
             'a new ZFS snapshot.  All other arguments are passed\n\tto the brand clone function; see brands(5) for '
             'more information.',
    'move': 'Move the zone to a new zonepath.',
    'detach': "Detach the zone from the system. The zone state is changed to\n\t'configured' (but the files under the "
              'zonepath are untouched).\n\tThe zone can subsequently be attached, or can be moved to another\n\tsystem '
              "and attached there.  The -n option can be used to specify\n\t'no-execute' mode.  When -n is used, the "
              'information needed to attach\n\tthe zone is sent to standard output but the zone is not actually\n'
              '\tdetached.  All other arguments are passed to the brand detach function;\n\tsee brands(5) for more '
              'information.',
    'attach': "Attach the zone to the system.  The zone state must be 'configured'\n\tprior to attach; upon successful "
              "completion, the zone state will be\n\t'installed'.  The system software on the current system must "
              "be\n\tcompatible with the software on the zone's original system.\n\tSpecify -F to force the attach "
              "and skip software compatibility tests.\n\tThe -n option can be used to specify 'no-execute' mode.  When "
              '-n is\n\tused, the information needed to attach the zone is read from the\n\tspecified path and the '
              "configuration is only validated.  The path can\n\tbe '-' to specify standard input.  The -F and -n "
              'options are mutually\n\texclusive.  All other arguments are passed to the brand attach\n\tfunction; see '
              'brands(5) for more information.',
    'mark': "Set the state of the zone.  This can be used to force the zone\n\tstate to 'incomplete' administratively "
            "if some activity has rendered\n\tthe zone permanently unusable.  The only valid state that may be\n"
            "\tspecified is 'incomplete'.",
}
S10_INSTALL_HELP = ('Install the configuration on to the system.  The -x nodataset option\n\tcan be used to prevent the '
                    'creation of a new ZFS file system for the\n\tzone (assuming the zonepath is within a ZFS file '
                    'system).\n\tAll other arguments are passed to the brand installation function;\n\tsee brands(5) for '
                    'more information.')
# zoneadm list -v (zoneadm.c zone_print; ZONEID_WIDTH of sys/zone.h), zones.md §2.2
ZONEID_WIDTH = 4
VERBOSE_ROW = '%*s %-16s %-10s %-30s %-8s %-6s\n'
VERBOSE_FIELDS = ('id', 'name', 'state', 'path', 'brand', 'ip')
# Brand install options taking an argument (all others are flags); zoneadm passes them to the brand.
INSTALL_ARG_OPTS = 'acdePsxzIb'
# Kernel states zoneadmd knows about, and which (zoneadmd) command is invalid in which state.
MODE_BITS = ((stat.S_IRUSR, True, 'owner readable'), (stat.S_IWUSR, True, 'owner writable'),
             (stat.S_IXUSR, True, 'owner executable'), (stat.S_IRGRP, False, 'group readable'),
             (stat.S_IWGRP, False, 'group writable'), (stat.S_IXGRP, False, 'group executable'),
             (stat.S_IROTH, False, 'world readable'), (stat.S_IWOTH, False, 'world writable'),
             (stat.S_IXOTH, False, 'world executable'))
PARENT_BITS = (0, 1, 2, 4, 7)       # owner rwx required, group/world not writable


def getopt(argv, optstring):
    """Solaris getopt over a subcommand's arguments: ([(letter, arg)], operands); '?' carries the bad letter."""
    found, index = [], 0
    while index < len(argv):
        arg = argv[index]
        if arg == '--':
            index += 1
            break
        if not arg.startswith('-') or arg == '-':
            break
        index += 1
        pos = 1
        while pos < len(arg):
            letter = arg[pos]
            pos += 1
            spec = optstring.find(letter)
            if letter in '?:' or spec < 0:
                found.append(('?', letter))
            elif optstring[spec + 1:spec + 2] == ':':
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
    return found, argv[index:]


class Adm:
    """One zoneadm invocation against a node, targeting ``zone`` (or None)."""

    def __init__(self, node, zone):
        self.node = node
        self.zone = zone
        self.lock = None

    # ------------------------------------------------------------ messages

    def zerror(self, text):
        prefix = "zone '%s': " % self.zone if self.zone is not None else ''
        sys.stderr.write('%s: %s%s\n' % (EXECNAME, prefix, text))

    @staticmethod
    def zperror(what, text):
        sys.stderr.write('%s: %s: %s\n' % (EXECNAME, what, text))

    def zoneadmd(self, text):
        """A message zoneadmd returns; libzonecfg prints it as ``zone 'NAME': text``."""
        sys.stderr.write("zone '%s': %s\n" % (self.zone, text))

    def short_usage(self, name):
        if name == 'install' and self.node.release == 's10':
            return S10_INSTALL
        return dict(SUBCOMMANDS)[name]

    def long_help(self, name):
        if name == 'install' and self.node.release == 's10':
            return S10_INSTALL_HELP
        return LONG_HELP[name]

    def sub_usage(self, name):
        sys.stderr.write('usage:\t%s\n\t%s\n' % (self.short_usage(name), self.long_help(name)))

    def usage(self, explicit):
        stream = sys.stdout if explicit else sys.stderr
        stream.write('usage:\t%s help\n\t%s [-z <zone>] [-u <uuid-match>] list\n\t%s {-z <zone>|-u <uuid-match>} '
                     '<subcommand>\n\nSubcommands:\n\n' % ((EXECNAME,) * 3))
        for name, _short in SUBCOMMANDS:
            if name == 'shutdown' and not self.node.rel.shutdown:
                continue
            stream.write(self.short_usage(name) + '\n')
            if explicit:
                stream.write('\t%s\n\n' % self.long_help(name))
        if not explicit:
            stream.write('\n')
        return Z_USAGE

    def simple_opts(self, name, args, optstring='?'):
        """getopt for subcommands taking no operands; returns None (and the exit code) on a usage error."""
        opts, operands = getopt(args, optstring)
        for letter, arg in opts:
            if letter == '?':
                self.sub_usage(name)
                return None, Z_OK if arg == '?' else Z_USAGE
        return (opts, operands), None

    # ------------------------------------------------------------ zone facts

    def state(self, name=None):
        return self.node.state(self.zone if name is None else name)

    def entry(self):
        return self.node.entry(self.zone)

    def kernel_record(self, name=None):
        return self.node.kernel_zone(self.zone if name is None else name)

    def lab(self, real):
        return self.node.path(real)

    def take_lock(self):
        if self.lock is not None:
            return True
        lock = self.node.zone_lock(self.zone)
        if not lock.acquire():
            self.zerror('another zoneadm may have an operation in progress.')
            return False
        self.lock = lock
        return True

    def release_lock(self):
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # ------------------------------------------------------------ sanity_check (zones.md §3)

    def sanity_check(self, cmd, running=False, unsafe_when_running=False, force=False):
        zone = self.zone
        if zone is None:
            self.zerror('no zone specified')
            return False
        if zone == GLOBAL:
            self.zerror('%s operation is invalid for the global zone.' % cmd)
            return False
        if zone.startswith('SUNW'):
            self.zerror('%s operation is invalid for zones starting with SUNW.' % cmd)
            return False
        record = self.kernel_record()
        if running and not force:
            if record is None:
                self.zerror('not running')
                return False
            return True
        if unsafe_when_running and record is not None:
            self.zerror('%s operation is invalid for %s zones.' % (cmd, record['state']))
            return False
        return self.state_precondition(cmd, self.state(), force)

    def state_precondition(self, cmd, state, force):
        if cmd == 'uninstall' and state == 'configured':
            self.zerror("is already in state 'configured'.")
            return False
        if cmd in ('attach', 'clone', 'install'):
            if state == 'installed':
                self.zerror('is already installed.')
                return False
            if state == 'incomplete' and (cmd != 'attach' or not force):
                self.zerror('zone is incomplete; uninstall required.')
                return False
        if cmd in ('detach', 'move', 'ready', 'boot', 'mount', 'mark'):
            minimum = 'incomplete' if cmd in ('boot', 'mount') and force else \
                'configured' if cmd == 'mark' else 'installed'
            if state_rank(state) < state_rank(minimum) or state == 'unavailable' and minimum == 'installed':
                self.zerror('must be %s before %s.' % (minimum, cmd))
                return False
        if cmd == 'verify' and state == 'incomplete':
            self.zerror('zone is incomplete; uninstall required.')
            return False
        if cmd == 'unmount' and state != 'mounted':
            self.zerror('must be mounted before unmount.')
            return False
        if cmd == 'sysboot' and state != 'installed':
            self.zerror('%s operation is invalid for %s zones.' % (cmd, state))
            return False
        return True

    # ------------------------------------------------------------ verify_details / validate_zonepath

    def verify_details(self, cmd):
        cfg = self.node.load_config(self.zone)
        if cfg is None:
            self.zperror(cmd, 'No such zone configured')
            return False
        zonepath, checkpath = cfg.get('zonepath'), self.entry().path
        if zonepath != checkpath:
            sys.stderr.write("The XML repository has zonepath '%s',\nbut the index file has zonepath '%s'.\nThese must "
                             'match, so fix the incorrect entry.\n' % (zonepath, checkpath))
            return False
        ok = True
        if cmd != 'attach' and not self.validate_zonepath(zonepath, cmd):
            sys.stderr.write('could not verify zonepath %s because of the above errors.\n' % zonepath)
            ok = False
        if not self.verify_handle(cfg):
            ok = False
        if cmd in ('ready', 'boot') and cfg.debugid is None:
            cfg.debugid = self.next_debugid()
            self.node.save_config(cfg)
        if not ok:
            sys.stderr.write('%s: zone %s failed to verify\n' % (EXECNAME, self.zone))
        return ok

    def verify_handle(self, cfg):
        for res in cfg.of_type('rctl'):
            if res.get('name') not in KNOWN_RCTLS:
                self.zerror("WARNING: Ignoring unrecognized rctl '%s'." % res.get('name'))
        if cfg.get('pool'):
            self.zerror("WARNING: pools facility not active; zone will not be bound to pool '%s'." % cfg.get('pool'))
        if cfg.get('brand') not in BRANDS[self.node.release]:
            self.zerror('missing or invalid brand')
            return False
        return True

    def next_debugid(self):
        """zonecfg_set_did(): an ID no other zone uses (UNCONFIRMED: assigned at first ready/boot, from 1 up)."""
        used = set()
        for entry in self.node.index():
            cfg = self.node.load_config(entry.name) if entry.name != GLOBAL else None
            if cfg is not None and cfg.debugid is not None:
                used.add(cfg.debugid)
        return max(used | {0}) + 1

    def validate_zonepath(self, path, cmd):
        """zoneadm.c validate_zonepath(): messages on stderr with real paths; True when the zonepath is fine."""
        if not path.startswith('/'):
            sys.stderr.write('%s is not an absolute path.\n' % path)
            return False
        lab = self.lab(path)
        if not os.path.lexists(lab):
            if cmd not in ('verify', 'install', 'clone', 'move'):
                self.zperror(path, 'No such file or directory')
                return False
            if cmd == 'verify':
                sys.stderr.write("WARNING: %s does not exist, so it could not be verified.\nWhen 'zoneadm install' is "
                                 "run, 'install' will try to create\n%s, and 'verify' will be tried again,\nbut the "
                                 "'verify' may fail if:\nthe parent directory of %s is group- or other-writable\nor\n"
                                 '%s overlaps with any other installed zones.\n' % (path, path, path, path))
                return True
            makedirs(os.path.dirname(lab), 0o755)
            os.mkdir(lab, 0o700)
            os.chmod(lab, 0o700)
            return self.validate_zonepath(path, cmd)
        expected = os.path.join(os.path.realpath(self.node.lab.root), path.lstrip('/'))
        if os.path.realpath(lab) != os.path.normpath(expected) or path != os.path.normpath(path):
            self.zperror(path, 'Resolved path mismatch')
            return False
        if not os.path.isdir(lab):
            sys.stderr.write('%s is not a directory.\n' % path)
            return False
        if cmd not in ('boot', 'reboot', 'ready') and not self.crosscheck_zonepaths(path):
            return False
        ok = self.check_mode(lab, path, range(len(MODE_BITS)))
        parent_real = os.path.dirname(path) or '/'
        parent = self.lab(parent_real)
        ok = self.check_mode(parent, parent_real, PARENT_BITS) and ok
        return self.check_root_dir(lab, path, cmd) and ok

    @staticmethod
    def check_mode(lab, real, bits):
        """Owner and mode checks; "root" is the user the lab runs as (UNCONFIRMED lab adaptation)."""
        info = os.stat(lab)
        ok = True
        if info.st_uid != os.geteuid():
            sys.stderr.write('%s is not owned by root.\n' % real)
            ok = False
        for index in bits:
            bit, wanted, what = MODE_BITS[index]
            if bool(info.st_mode & bit) != wanted:
                sys.stderr.write('%s must %sbe %s.\n' % (real, '' if wanted else 'not ', what))
                ok = False
        return ok

    def check_root_dir(self, lab, path, cmd):
        """A configured zone must not have a root directory (unless detached: then attach is the way)."""
        if self.state() != 'configured' or cmd == 'attach':
            return True
        root = os.path.join(lab, 'root')
        if not os.path.lexists(root):
            return True
        if os.path.exists(os.path.join(lab, DETACHED)):
            sys.stderr.write('Cannot %s detached zone.\nUse attach or remove %s directory.\n' % (cmd, path))
            return False
        real_root = path.rstrip('/') + '/root'
        if not os.path.isdir(root):
            sys.stderr.write('%s is not a directory.\n' % real_root)
            return False
        info = os.stat(root)
        if info.st_uid != os.geteuid():
            sys.stderr.write('%s is not owned by root.\n' % real_root)
            return False
        if stat.S_IMODE(info.st_mode) != 0o755:
            sys.stderr.write('%s mode is not 0755.\n' % real_root)
            return False
        return True

    def crosscheck_zonepaths(self, path):
        for entry in self.node.index():
            if entry.name in (GLOBAL, self.zone) or state_rank(entry.state) < state_rank('installed'):
                continue
            other = self.lab(entry.path)
            if not os.path.exists(other):
                sys.stdout.write('WARNING: zone %s is installed, but its zonepath %s does not exist.\n'
                                 % (entry.name, entry.path))
                continue
            mine, theirs = path.rstrip('/') + '/', os.path.normpath(entry.path).rstrip('/') + '/'
            if mine[:min(len(mine), len(theirs))] == theirs[:min(len(mine), len(theirs))]:
                sys.stderr.write('%s zonepath (%s) and %s zonepath (%s) overlap.\n'
                                 % (self.zone, path, entry.name, theirs.rstrip('/')))
                return False
        return True

    # ------------------------------------------------------------ zoneadmd (zones.md §3 "zoneadmd behaviour")

    def call_zoneadmd(self, cmd, bootargs=''):
        """The zone state machine of zoneadmd; True on success."""
        state = self.state()
        if state in ('configured', 'incomplete', 'unavailable'):
            self.zoneadmd("%s operation is invalid for zones in state '%s'" % (cmd, state))
            return False
        actions = {
            'installed': {'ready': self.kernel_ready, 'boot': self.kernel_boot, 'mount': self.kernel_mount,
                          'halt': self.already('zone is already halted'),
                          'shutdown': self.already('zone is already halted')},
            'ready': {'ready': self.already('zone is already ready'), 'boot': self.kernel_boot,
                      'halt': self.kernel_halt, 'shutdown': self.kernel_halt},
            'running': {'boot': self.already('zone is already booted'), 'halt': self.kernel_halt,
                        'shutdown': self.kernel_halt, 'reboot': self.kernel_reboot, 'ready': self.kernel_reready},
            'mounted': {'unmount': self.kernel_halt, 'halt': self.kernel_halt},
        }
        action = actions.get(state, {}).get(cmd)
        if action is None:
            self.zoneadmd("%s operation is invalid for zones in state '%s'" % (cmd, state))
            return False
        return action(bootargs)

    def already(self, message):
        def report(_bootargs):
            self.zoneadmd(message)
            return True
        return report

    def kernel_ready(self, _bootargs='', state='ready'):
        kernel = self.node.kernel()
        kernel['zones'][self.zone] = {'id': kernel['next_id'], 'state': state, 'bootargs': ''}
        kernel['next_id'] += 1
        self.node.save_kernel(kernel)
        return True

    def kernel_mount(self, _bootargs=''):
        return self.kernel_ready(state='mounted')

    def kernel_boot(self, bootargs=''):
        entry = self.entry()
        root = self.node.root_dir(entry.path)
        if not os.path.isdir(root):
            # UNCONFIRMED: zoneadmd's words for a missing zone root.
            self.zoneadmd('could not stat %s/root: No such file or directory' % entry.path.rstrip('/'))
            return False
        if self.kernel_record() is None:
            self.kernel_ready()
        flush()
        rc = start_runtime(self.node.runtime, self.zone, root, self.node.runtime_settings(self.zone, root))
        kernel = self.node.kernel()
        if rc != 0:
            # UNCONFIRMED: how a failed boot reads; the zone is halted again like zoneadmd's recovery.
            self.zoneadmd('unable to boot zone (lab runtime exit status %d)' % rc)
            kernel['zones'].pop(self.zone, None)
            self.node.save_kernel(kernel)
            return False
        record = kernel['zones'][self.zone]
        record.update(state='running', bootargs=bootargs, booted=time.time())
        self.node.save_kernel(kernel)
        return True

    def kernel_halt(self, _bootargs=''):
        record = self.kernel_record()
        if record is not None and record['state'] == 'running':
            flush()
            rc = self.node.runtime.stop(self.zone)
            if rc != 0:
                self.zoneadmd('unable to halt zone (lab runtime exit status %d)' % rc)
                return False
        kernel = self.node.kernel()
        kernel['zones'].pop(self.zone, None)
        self.node.save_kernel(kernel)
        return True

    def kernel_reboot(self, bootargs=''):
        return self.kernel_halt() and self.kernel_boot(bootargs)

    def kernel_reready(self, _bootargs=''):
        return self.kernel_halt() and self.kernel_ready()

    # ------------------------------------------------------------ boot / halt / ready / shutdown / reboot

    def cmd_boot(self, args):
        parsed, rc = self.simple_opts('boot', args, '?fsX')
        if parsed is None:
            return rc
        opts, operands = parsed
        bootargs = ' '.join((['-s'] if ('s', None) in opts else []) + operands)
        if not self.sanity_check('boot', force=('f', None) in opts) or not self.verify_details('boot'):
            return Z_ERR
        return Z_OK if self.call_zoneadmd('boot', bootargs) else Z_ERR

    def cmd_halt(self, args):
        parsed, rc = self.simple_opts('halt', args, '?X')
        if parsed is None:
            return rc
        if parsed[1]:
            self.sub_usage('halt')
            return Z_USAGE
        if not self.sanity_check('halt'):
            return Z_ERR
        return Z_OK if self.call_zoneadmd('halt') else Z_ERR

    def cmd_ready(self, args):
        parsed, rc = self.simple_opts('ready', args, '?X')
        if parsed is None:
            return rc
        if parsed[1]:
            self.sub_usage('ready')
            return Z_USAGE
        if not self.sanity_check('ready') or not self.verify_details('ready'):
            return Z_ERR
        return Z_OK if self.call_zoneadmd('ready') else Z_ERR

    def cmd_shutdown(self, args):
        # zoneadm.c: the zone must be in the kernel list, so an installed zone gets "not running"
        # (the sheet leaves the zoneadm-side check UNCONFIRMED; this follows the source).
        parsed, rc = self.simple_opts('shutdown', args, '?r')
        if parsed is None:
            return rc
        opts, operands = parsed
        if not self.sanity_check('shutdown', running=True) or not self.call_zoneadmd('shutdown'):
            return Z_ERR
        if ('r', None) in opts:
            if not self.sanity_check('boot') or not self.call_zoneadmd('boot', ' '.join(operands)):
                return Z_ERR
        return Z_OK

    def cmd_reboot(self, args):
        parsed, rc = self.simple_opts('reboot', args, '?X')
        if parsed is None:
            return rc
        if not self.sanity_check('reboot', running=True) or not self.verify_details('reboot'):
            return Z_ERR
        return Z_OK if self.call_zoneadmd('reboot', ' '.join(parsed[1])) else Z_ERR

    def cmd_verify(self, args):
        parsed, rc = self.simple_opts('verify', args)
        if parsed is None:
            return rc
        if parsed[1]:
            self.sub_usage('verify')
            return Z_USAGE
        if not self.sanity_check('verify'):
            return Z_ERR
        return Z_OK if self.verify_details('verify') else Z_ERR

    # ------------------------------------------------------------ list (zones.md §2)

    def entry_for(self, name, record):
        """lookup_zone_info(): the fields of a list line, or None (after zperror2)."""
        release = self.node.rel
        if name == GLOBAL:
            return {'id': '0', 'name': GLOBAL, 'state': 'running', 'path': '/', 'uuid': '', 'brand': release.brand,
                    'ip': 'shared', 'did': '0', 'rw': '-', 'fmp': 'none'}
        entry = self.node.entry(name)
        cfg = self.node.load_config(name)
        if entry is None or cfg is None:
            self.zperror(name, 'could not get brand name')
            return None
        state = record['state'] if record is not None else self.node.state(name)
        return {'id': '%d' % record['id'] if record is not None else '-', 'name': name, 'state': state,
                'path': entry.path, 'uuid': entry.uuid, 'brand': cfg.get('brand'),
                'ip': 'excl' if cfg.get('ip-type') == 'exclusive' else 'shared',
                'did': '%d' % cfg.debugid if cfg.debugid is not None else '',
                # UNCONFIRMED: Solaris 11's r/w column: 'R' only for a running zone with an immutable profile.
                'rw': 'R' if record is not None and cfg.get('file-mac-profile') not in ('', 'none') else '-',
                'fmp': cfg.get('file-mac-profile')}

    def print_zone(self, info, verbose, parsable, header):
        if verbose:
            if header[0]:
                sys.stdout.write(VERBOSE_ROW % (ZONEID_WIDTH, 'ID', 'NAME', 'STATUS', 'PATH', 'BRAND', 'IP'))
                header[0] = False
            sys.stdout.write(VERBOSE_ROW % ((ZONEID_WIDTH,) + tuple(info[k] for k in VERBOSE_FIELDS)))
        elif parsable:
            fields = [info['id'], info['name'], info['state'], info['path'].replace(':', '\\:'), info['uuid'],
                      info['brand'], info['ip']]
            if self.node.release == 'illumos':
                fields.append(info['did'])
            elif self.node.release == 's11':
                fields += [info['rw'], info['fmp']]
            sys.stdout.write(':'.join(fields) + '\n')
        else:
            sys.stdout.write(info['name'] + '\n')

    def cmd_list(self, args):
        optstring = '?cipv' if self.zone is None else '?pv'
        opts, operands = getopt(args, optstring)
        for letter, arg in opts:
            if letter == '?':
                self.sub_usage('list')
                return Z_OK if arg == '?' else Z_USAGE
        letters = [letter for letter, _arg in opts]
        verbose, parsable = 'v' in letters, 'p' in letters
        if verbose and parsable:
            self.zerror('list -p and -v are mutually exclusive.')
            return Z_ERR
        header = [True]
        if self.zone is not None:
            if operands:
                self.sub_usage('list')
                return Z_USAGE
            info = self.entry_for(self.zone, self.kernel_record() if self.zone != GLOBAL else None)
            if info is None:
                return Z_ERR
            self.print_zone(info, verbose, parsable, header)
            return Z_OK
        minimum = 'configured' if 'c' in letters else 'installed' if 'i' in letters else 'running'
        printed = [GLOBAL]
        self.print_zone(self.entry_for(GLOBAL, None), verbose, parsable, header)
        for name, record in self.node.kernel_zones():
            info = self.entry_for(name, record)
            if info is not None:
                printed.append(name)
                self.print_zone(info, verbose, parsable, header)
        if minimum == 'running':
            return Z_OK
        for entry in self.node.index():
            if entry.name in printed:
                continue
            info = self.entry_for(entry.name, None)
            if info is not None and state_rank(info['state']) >= state_rank(minimum):
                self.print_zone(info, verbose, parsable, header)
        return Z_OK

    # ------------------------------------------------------------ install / uninstall

    def cmd_install(self, args):
        if self.zone is None:
            self.sub_usage('install')
            return Z_USAGE
        opts, operands = getopt(args, '?' + ''.join(c + ':' for c in INSTALL_ARG_OPTS) + 'hnpuvFU')
        if ('?', '?') in opts:
            self.sub_usage('install')
            return Z_OK
        brand_opts = dict((letter, arg) for letter, arg in opts if letter != '?')    # unknown ones: the brand's
        if not self.sanity_check('install', unsafe_when_running=True) or not self.verify_details('install'):
            return Z_ERR
        if not self.take_lock():
            return Z_ERR
        zonepath = self.entry().path
        self.node.set_index_state(self.zone, 'incomplete')
        result = self.brand_install(zonepath, brand_opts, operands)
        if result == ZONE_SUBPROC_NOTCOMPLETE:
            self.cleanup_zonepath(zonepath, False)
            self.node.set_index_state(self.zone, 'configured')
            return Z_ERR
        self.node.set_index_state(self.zone, 'installed')
        return Z_OK

    def brand_install(self, zonepath, opts, _operands):
        """The brand's installer: the OS image (or -a archive / -d directory) into <zonepath>/root."""
        started = time.monotonic()
        source, problem = self.install_source(opts)
        if problem is not None:
            sys.stderr.write(problem + '\n')
            return ZONE_SUBPROC_NOTCOMPLETE
        profile = opts.get('c')
        if profile is not None and not os.path.isfile(profile):
            # UNCONFIRMED: the installer's words for a missing system configuration profile.
            sys.stderr.write('ERROR: profile %s not found\n' % profile)
            return ZONE_SUBPROC_NOTCOMPLETE
        brand = self.node.load_config(self.zone).get('brand')
        root = self.node.root_dir(zonepath)
        real_root = zonepath.rstrip('/') + '/root'
        if brand == 'native':
            sys.stdout.write('Preparing to install zone <%s>.\n' % self.zone)
        else:
            sys.stdout.write('       Image: Preparing at %s.\n' % real_root)
        flush()
        for directory in (root, os.path.join(os.path.dirname(root), 'dev')):
            if not os.path.isdir(directory):
                os.mkdir(directory, 0o755)
            os.chmod(directory, 0o755)
        if os.path.isdir(source):
            shutil.copytree(source, root, symlinks=True, dirs_exist_ok=True)
        else:
            with tarfile.open(source) as tar:
                extract_all(tar, root)
        if profile is not None:
            target = os.path.join(root, 'etc/svc/profile/sc/sc_profile.xml')
            makedirs(os.path.dirname(target))
            shutil.copyfile(profile, target)
        if brand == 'native':
            sys.stdout.write('Zone <%s> is initialized.\n' % self.zone)
        else:
            sys.stdout.write('        Done: Installation completed in %.3f seconds.\n' % (time.monotonic() - started))
        return Z_OK

    def install_source(self, opts):
        """(path of an archive or directory, None) or (None, error text). Messages UNCONFIRMED."""
        if opts.get('a') is not None:
            if not os.path.isfile(opts['a']) or not tarfile.is_tarfile(opts['a']):
                return None, 'ERROR: archive %s not found or not a supported archive' % opts['a']
            return opts['a'], None
        if opts.get('d') is not None:
            if not os.path.isdir(opts['d']):
                return None, 'ERROR: source directory %s not found' % opts['d']
            return opts['d'], None
        image = self.node.lab.state(OS_IMAGE)
        if not os.path.isfile(image):
            return None, 'zoneadm (lab): no OS image %s (run labctl init-node)' % image
        return image, None

    def cleanup_zonepath(self, zonepath, remove_all):
        """zoneadm.c cleanup_zonepath(): the standard entries, or the whole zonepath when nothing else is there."""
        lab = self.lab(zonepath)
        if not os.path.isdir(lab):
            return True
        extra = [n for n in os.listdir(lab) if n not in STD_ENTRIES and n != '.zfs']
        if extra and not remove_all:
            for name in STD_ENTRIES:
                remove_tree(os.path.join(lab, name))
            sys.stderr.write('WARNING: Unable to completely remove %s\nbecause it contains additional user data.  Only '
                             'the standard directory\nentries have been removed.\n' % zonepath)
            return True
        remove_tree(lab)
        return True

    def cmd_uninstall(self, args):
        opts, _operands = getopt(args, '?F')
        if ('?', '?') in opts:
            self.sub_usage('uninstall')
            return Z_OK
        if not self.sanity_check('uninstall', unsafe_when_running=True):
            return Z_ERR
        if ('F', None) not in opts:
            answer = ask_yesno('Are you sure you want to uninstall zone %s' % self.zone)
            if answer == 0:
                return Z_OK
            if answer == -1:
                self.zerror('Input not from terminal and -F not specified: uninstall not done.')
                return Z_ERR
        if not self.take_lock():
            return Z_ERR
        zonepath = self.entry().path
        self.node.set_index_state(self.zone, 'incomplete')
        self.cleanup_zonepath(zonepath, False)
        self.node.set_index_state(self.zone, 'configured')
        return Z_OK

    # ------------------------------------------------------------ clone / move

    def cmd_clone(self, args):
        opts, operands = getopt(args, '?m:s:')
        brand_help = ('?', '?') in opts
        if brand_help:
            self.sub_usage('clone')
        if len(operands) != 1:
            self.sub_usage('clone')
            return Z_USAGE
        if brand_help:
            return Z_OK
        source = operands[0]
        if not self.sanity_check('clone', unsafe_when_running=True) or not self.verify_details('clone') or \
                not self.check_clone_source(source):
            return Z_ERR
        if not self.take_lock():
            return Z_ERR
        method = dict(opts).get('m')
        self.node.set_index_state(self.zone, 'incomplete')
        if method is not None and method != 'copy':
            self.sub_usage('clone')
            return Z_ERR        # zoneadm.c: err = Z_USAGE, the zone stays incomplete, exit Z_ERR
        # UNCONFIRMED: -s (a ZFS snapshot) is not simulated; the source is always copied.
        src_path, dst_path = self.node.entry(source).path, self.entry().path
        sys.stdout.write('Copying %s...' % src_path)
        flush()
        shutil.copytree(self.lab(src_path), self.lab(dst_path), symlinks=True, dirs_exist_ok=True)
        sys.stdout.write('\n')
        self.node.set_index_state(self.zone, 'installed')
        return Z_OK

    def check_clone_source(self, source):
        if source == GLOBAL:
            self.zerror('clone operation is invalid for the global zone.')
            return False
        if source.startswith('SUNW'):
            self.zerror('clone operation is invalid for zones starting with SUNW.')
            return False
        record = self.kernel_record(source)
        if record is not None:
            self.zerror('clone operation is invalid for %s zones.' % record['state'])
            return False
        state = self.state(source)
        if state is None:
            self.zperror(source, 'could not get state: No such zone configured')
            return False
        if state != 'installed':
            sys.stderr.write('%s: zone %s is %s; installed is required.\n' % (EXECNAME, source, state))
            return False
        src_cfg, dst_cfg = self.node.load_config(source), self.node.load_config(self.zone)
        if src_cfg is None:
            sys.stderr.write("%s: zone '%s': missing or invalid brand\n" % (EXECNAME, source))
            return False
        if src_cfg.get('brand') != dst_cfg.get('brand'):
            sys.stderr.write("%s: Zones '%s' and '%s' have different brand types.\n" % (EXECNAME, source, self.zone))
            return False
        return True

    def cmd_move(self, args):
        parsed, rc = self.simple_opts('move', args)
        if parsed is None:
            return rc
        if len(parsed[1]) != 1:
            self.sub_usage('move')
            return Z_USAGE
        new = parsed[1][0]
        if not self.sanity_check('move', unsafe_when_running=True) or not self.verify_details('move') or \
                not self.validate_zonepath(new, 'move'):
            return Z_ERR
        new_lab = self.lab(new)
        if os.listdir(new_lab):
            sys.stderr.write('could not move zone to %s: directory not empty\n' % new)
            return Z_ERR
        if not self.take_lock():
            return Z_ERR
        old_lab = self.lab(self.entry().path)
        os.rmdir(new_lab)
        os.rename(old_lab, new_lab)
        cfg = self.node.load_config(self.zone)
        cfg.set('zonepath', new)
        self.node.save_config(cfg)
        self.node.update_entry(self.zone, path=new)
        return Z_OK

    # ------------------------------------------------------------ detach / attach / mark

    def cmd_detach(self, args):
        opts, _operands = getopt(args, '?n')
        if ('?', '?') in opts:
            self.sub_usage('detach')
            return Z_OK
        if ('n', None) in opts:
            if self.zone is None:
                self.zerror('no zone specified')
                return Z_ERR
            if self.zone == GLOBAL:
                self.zerror('detach operation is invalid for the global zone.')
                return Z_ERR
            sys.stdout.write(to_xml(self.node.load_config(self.zone)))
            return Z_OK
        if not self.sanity_check('detach', unsafe_when_running=True) or not self.verify_details('detach'):
            return Z_ERR
        if not self.take_lock():
            return Z_ERR
        zonepath = self.entry().path
        atomic_write(os.path.join(self.lab(zonepath), DETACHED), to_xml(self.node.load_config(self.zone)))
        self.node.set_index_state(self.zone, 'configured')
        return Z_OK

    def cmd_attach(self, args):
        opts, _operands = getopt(args, '?Fn:Uubx:c:')
        if ('?', '?') in opts:
            self.sub_usage('attach')
            return Z_OK
        letters = dict(opts)
        force = 'F' in letters
        if force and 'n' in letters:
            self.zerror('-F and -n flags are mutually exclusive')
            return Z_ERR
        if 'n' in letters:
            return self.attach_dry_run(letters['n'])
        if not self.sanity_check('attach', unsafe_when_running=True, force='U' in letters) or \
                not self.verify_details('attach'):
            return Z_ERR
        if not self.take_lock():
            return Z_ERR
        zonepath = self.entry().path
        root = self.node.root_dir(zonepath)
        if not force and not os.path.isdir(root):
            # UNCONFIRMED: the brand attach hook's words when there is no zone image to attach.
            self.zerror('ERROR: no zone image found at %s/root' % zonepath.rstrip('/'))
            return Z_ERR
        if not self.validate_zonepath(zonepath, 'attach'):
            sys.stderr.write('could not verify zonepath %s because of the above errors.\n' % zonepath)
            return Z_ERR
        remove_tree(os.path.join(self.lab(zonepath), DETACHED))
        self.node.set_index_state(self.zone, 'installed')
        return Z_OK

    def attach_dry_run(self, manifest):
        if manifest == '-':
            text = sys.stdin.read()
        else:
            text = read_text(manifest)
            if text is None:
                self.zerror('could not open manifest path %s: No such file or directory' % manifest)
                return Z_ERR
        try:
            from_xml(text, self.node.rel.brand)
        except ValueError:
            self.zerror('Input is not a valid XML file' if manifest == '-' else '%s is not an XML file' % manifest)
            return Z_ERR
        return Z_OK

    def cmd_mark(self, args):
        opts, operands = getopt(args, 'F')
        if any(letter == '?' for letter, _arg in opts) or len(operands) != 1:
            return Z_USAGE
        states = ('configured', 'incomplete', 'installed') + (('unavailable',) if self.node.rel.unavailable else ())
        wanted = operands[0]
        if wanted not in states:
            return Z_USAGE
        if wanted not in ('incomplete', 'unavailable') and ('F', None) not in opts:
            return Z_USAGE
        if not self.sanity_check('mark', unsafe_when_running=True):
            return Z_ERR
        if not self.take_lock():
            return Z_ERR
        self.node.set_index_state(self.zone, wanted)
        return Z_OK

    # ------------------------------------------------------------ private subcommands

    def cmd_mount(self, args):
        opts, operands = getopt(args, 'f')
        if any(letter == '?' for letter, _arg in opts) or operands:
            return Z_USAGE
        if not self.sanity_check('mount', force=('f', None) in opts) or not self.verify_details('mount'):
            return Z_ERR
        return Z_OK if self.call_zoneadmd('mount') else Z_ERR

    def cmd_unmount(self, args):
        if args:
            return Z_USAGE
        if not self.sanity_check('unmount'):
            return Z_ERR
        return Z_OK if self.call_zoneadmd('unmount') else Z_ERR

    def cmd_apply(self, _args):
        if self.zone != GLOBAL:
            return self.usage(False)
        return Z_OK

    def cmd_sysboot(self, _args):
        return Z_OK if self.sanity_check('sysboot', unsafe_when_running=True) else Z_ERR

    def cmd_help(self, args):
        if not args:
            self.usage(True)
            return Z_OK
        opts, operands = getopt(args, '?')
        if opts:
            self.sub_usage('help')
            return Z_OK if opts[0][1] == '?' else Z_USAGE
        names = dict(SUBCOMMANDS)
        for name in operands:
            if name not in names or (name == 'shutdown' and not self.node.rel.shutdown):
                self.sub_usage('help')
                return Z_USAGE
            self.sub_usage(name)
        return Z_OK


def remove_tree(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)


def extract_all(tar, root):
    """Unpack an OS image keeping modes and links (the image is the lab's own or the caller's -a archive)."""
    if hasattr(tarfile, 'fully_trusted_filter'):
        tar.extractall(root, filter='fully_trusted')
    else:
        tar.extractall(root)


def ask_yesno(question):
    """zoneadm.c ask_yesno(): -1 when stdin is not a terminal."""
    try:
        if not sys.stdin.isatty():
            return -1
    except (AttributeError, ValueError):
        return -1
    while True:
        sys.stdout.write('%s (y/[n])? ' % question)
        flush()
        line = sys.stdin.readline()
        if not line or line[0] == '\n':
            return 0
        if line[0].lower() in 'yn':
            return 1 if line[0].lower() == 'y' else 0


# ---------------------------------------------------------------- main (zoneadm.c main)

def main_options(args):
    """getopt(argc, argv, "?u:z:R:"): (options dict, operands) or (None, exit code) after the usage."""
    opts, operands = getopt(args, '?u:z:R:')
    values = {}
    for letter, arg in opts:
        if letter == '?':
            return None, 'explicit' if arg == '?' else 'error'
        values[letter] = arg
    return values, operands


def zoneadm(node_factory, args):
    """zoneadm's main(); returns the exit code."""
    values, operands = main_options(args)
    node = node_factory()
    adm = Adm(node, None)
    if values is None:
        return adm.usage(operands == 'explicit')
    if 'R' in values:
        # Not simulated beyond the checks: an alternate root is accepted and ignored.
        if not values['R'].startswith('/'):
            adm.zerror('root path must be absolute.')
            return Z_ERR
        if not os.path.isdir(values['R']):
            adm.zerror('root path must be a directory.')
            return Z_ERR
    if not operands:
        return adm.usage(False)
    zone = values.get('z')
    if values.get('u'):
        try:
            wanted = str(uuid.UUID(values['u']))
        except ValueError:
            adm.zerror('illegal UUID value specified')
            return Z_ERR
        zone = next((e.name for e in node.index() if e.uuid == wanted), zone)
    if zone is not None and node.state(zone) is None:
        Adm.zperror(zone, 'No such zone configured')
        return Z_ERR
    adm.zone = zone
    name = operands[0]
    handler = getattr(adm, 'cmd_' + name, None) if name in dict(SUBCOMMANDS) or name in PRIVATE else None
    if handler is None or (name == 'shutdown' and not node.rel.shutdown):
        return adm.usage(False)
    os.umask(0o022)
    try:
        fault = take_fault(node, 'zoneadm', (name,), zone)
        if fault is not None:
            # A locking subcommand holds the zone lock while a fault makes it hang.
            if fault.get('hang') and name in LOCKING and zone is not None and not adm.take_lock():
                return Z_ERR
            Faults.apply(fault)
        with node.lock():
            return handler(operands[1:])
    finally:
        adm.release_lock()
