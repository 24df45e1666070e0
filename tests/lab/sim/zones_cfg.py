# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``zonecfg`` of the zones simulator (zones.md §4): main(), the reading loop, create/delete/info/export/verify.

One ``Session`` per invocation, with the state of zonecfg.c: the handle (the
configuration being edited), global or resource scope, the resource in
progress, ``need_to_commit`` and ``saw_error``. Commands run as the parser
reads them; at the end pending changes are committed (verify + save) and the
exit code is 1 if anything failed (``saw_error``) or the configuration could
not be saved. Messages, streams and which errors count follow zonecfg.c: some
refusals (``Zone X already installed; ...``) are printed without counting as
errors, exactly like the real tool.

Deliberate deviations are marked UNCONFIRMED; see tests/lab/README.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys
import uuid

from .common import Faults, flush, read_text
from .zones_state import IndexEntry, take_fault, Z_ERR, Z_OK, Z_USAGE
from .zones_cfg_base import (
    BAD_PROPERTY, BAD_ZONE_STATE, BOGUS_ZONE_NAME, DETACHED, GZ_INVALID_PROPS, GZ_INVALID_RESOURCES, INCOMPATIBLE,
    INSUFFICIENT_SPEC, INVAL, INVALID_DOCUMENT, NO_PROPERTY_TYPE, NO_RESOURCE_TYPE, NO_ZONE, REQD_PROPERTY_MISSING,
    REQD_RESOURCE_MISSING, RESOURCE_PROPS, ZFS_NAME_RE, Exit, getopt, isatty,
)
from .zones_cfg_set import SetSession
from .zones_conf import BRANDS, GLOBAL, GLOBAL_ALIASES, from_xml, valid_zonename
from .zones_lang import (
    HELP_META, HELP_RES_PROPS, HELP_SUBCMDS, HELP_SYNTAX, HELP_USAGE, SHORT_USAGE, Command, Lexer, Parser, Simple,
    SyntaxFault, UsageFault, usage_text,
)
from .zones_render import INFO_MATCH, OUTPUTS, export, info_alias, info_global, info_resources, info_special, \
    info_zone, output_mcap, output_pcap


class Session(SetSession):
    """One zonecfg invocation: the remaining commands and the reading loop."""

    # ------------------------------------------------------------ create, delete, revert, exit

    def check_if_zone_already_exists(self, force):
        if self.node.load_config(self.zone) is None:
            return True
        if self.state_atleast('installed'):
            self.zerr('Zone %s already installed; create not allowed.' % self.zone)
            return False
        if force:
            sys.stdout.write('Zone %s already exists; overwriting.\n' % self.zone)
            return True
        answer = self.ask_yesno(False, 'Zone %s already exists; create anyway' % self.zone)
        if answer == -1:
            self.zerr('Zone exists, input not from terminal and -F not specified:\ncreate command ignored, exiting.')
            raise Exit(Z_ERR)
        return answer == 1

    def do_create(self, cmd):
        opts = self.parse_opts(cmd, '?a:bFt:', 'create')
        if opts is None or self.read_only() or not self.check_if_zone_already_exists('F' in opts):
            return
        name = self.node.rel.blank_template if 'b' in opts else opts.get('t') or self.node.rel.default_template
        if 'a' in opts:
            text = read_text(self.node.path(opts['a'].rstrip('/') + '/' + DETACHED))
            try:
                cfg = from_xml(text, self.node.rel.brand) if text is not None else None
            except ValueError:
                cfg = None
            if cfg is None:
                sys.stderr.write('invalid path to detached zone\n')
                return
            cfg.name = self.zone
        else:
            cfg = self.load_template(name)
            if cfg is None:
                self.zone_perror(name, NO_ZONE)
                return
            if name == 'SYSdefault':
                # UNCONFIRMED wording and stream (zones.md §4.4).
                sys.stdout.write("create: Using system default template 'SYSdefault'\n")
        self.handle, self.need_to_commit, self.got_handle = cfg, True, True

    def do_delete(self, cmd):
        opts = self.parse_opts(cmd, '?F', 'delete')
        if opts is None or self.read_only():
            return
        force = 'F' in opts
        if not force:
            if not self.initialize():
                return
            answer = self.ask_yesno(False, 'Are you sure you want to delete zone %s' % self.zone)
            if answer == -1:
                self.zerr('Input not from terminal and -F not specified:\ndelete command ignored, exiting.')
                raise Exit(Z_ERR)
            if answer != 1:
                return
        if not self.initialize():
            # delete -F of a zone that does not exist: the message above, exit 1 (zones.md §4.2).
            self.need_to_commit = False
            return
        if self.state_atleast('incomplete'):
            if force:
                # UNCONFIRMED: libzonecfg's answer to a forced delete of an installed zone.
                self.zone_perror(self.zone, BAD_ZONE_STATE)
            else:
                suffix = '' if self.release == 's10' else '  Use -F to force delete.'
                self.error('Zone %s not in configured state; delete not allowed.%s' % (self.zone, suffix))
        else:
            self.node.delete_config(self.zone)
            self.node.save_index([e for e in self.node.index() if e.name != self.zone])
            self.handle, self.got_handle = None, False
        self.need_to_commit = False

    def do_revert(self, cmd):
        opts = self.parse_opts(cmd, '?F', 'revert')
        if opts is None or self.read_only():
            return
        if not self.global_scope:
            self.error("You can only use revert in the global scope.\nUse 'cancel' to cancel changes to a resource "
                       "specification.")
            return
        if self.handle is None:
            self.error('No changes to revert.')
            return
        if 'F' not in opts:
            answer = self.ask_yesno(False, 'Are you sure you want to revert')
            if answer == -1:
                self.zerr('Input not from terminal and -F not specified:\nrevert command ignored, exiting.')
                raise Exit(Z_ERR)
            if answer != 1:
                return
        self.handle = self.node.load_config(self.revert_zone)
        if self.handle is None:
            self.saw_error, self.got_handle = True, False
            self.zerr('%s: no such saved zone to revert to.' % self.revert_zone)
        self.zone = self.revert_zone
        self.need_to_commit = False

    def do_exit(self, cmd):
        opts = self.parse_opts(cmd, '?F', 'exit')
        if opts is None:
            return
        self.force_exit = self.force_exit or 'F' in opts
        if self.global_scope or self.force_exit:
            self.time_to_exit = True
            return
        answer = self.ask_yesno(False, 'Resource incomplete; really quit')
        if answer == -1:
            self.zerr('Resource incomplete, input not from terminal and -F not specified:\nexit command ignored, but '
                      'exiting anyway.')
            raise Exit(Z_ERR)
        if answer == 1:
            self.time_to_exit = True

    def do_help(self, cmd):
        if not cmd.argv:
            self.usage(True, HELP_SUBCMDS)
            return
        topic = cmd.argv[0]
        flags = {'usage': HELP_USAGE, 'commands': HELP_SUBCMDS, 'syntax': HELP_SYNTAX | HELP_RES_PROPS}.get(topic)
        if flags is not None:
            self.usage(True, flags)
        elif topic in ('-?',) or topic in SHORT_USAGE:
            self.longer_usage('help' if topic == '-?' else topic)
        else:
            sys.stderr.write('Unknown help subject %s.  ' % topic)
            self.usage(False, HELP_META)

    # ------------------------------------------------------------ info / export

    def do_info(self, cmd):
        if not self.initialize():
            return
        handle = self.handle
        if not self.global_scope:
            self.write(self.info_in_progress())
            return
        rtype = cmd.res_type
        if self.global_zone and (rtype in GZ_INVALID_PROPS or rtype in GZ_INVALID_RESOURCES):
            kind = 'property' if rtype in GZ_INVALID_PROPS else 'resource'
            self.zerr('%s is not a valid %s for the global zone.' % (rtype, kind))
            return
        if rtype is None:
            lines = info_zone(handle, self.release, self.global_zone)
        elif rtype in ('zonename', 'zonepath', 'brand', 'autoboot', 'pool', 'limitpriv', 'bootargs',
                       'scheduling-class', 'ip-type', 'hostid', 'fs-allowed', 'file-mac-profile'):
            lines = info_global(handle, rtype)
        elif rtype in GLOBAL_ALIASES:
            lines = info_alias(handle, rtype)
        elif rtype in ('dedicated-cpu', 'capped-cpu', 'capped-memory'):
            lines = info_special(handle, rtype)
        elif rtype in OUTPUTS:
            lines = self.info_filtered(rtype, cmd.props)
        else:
            self.zone_perror(rtype, NO_RESOURCE_TYPE)
            return
        self.write(lines)

    def info_in_progress(self):
        rtype, res = self.resource_scope, self.in_progress
        if rtype == 'capped-cpu':
            return output_pcap(self.handle)
        if rtype == 'capped-memory':
            return output_mcap(res.get('physical'), self.handle)
        return OUTPUTS[rtype](res, self.release)

    def info_filtered(self, rtype, props):
        if not props:
            return info_resources(self.handle, rtype, self.release)
        lines = []
        for res in self.handle.of_type(rtype):
            wanted = self.info_selector(rtype, props)     # like fill_in_*tab, once per resource
            if wanted is False:
                continue
            if all(not wanted.get(k) or Session.matches(res, {k: wanted[k]}) for k in INFO_MATCH[rtype]):
                lines += OUTPUTS[rtype](res, self.release)
        if not lines:
            lines = ['No such %s resource.' % rtype]
        return lines

    def info_selector(self, rtype, props):
        wanted = {}
        for prop, value in props:
            if not isinstance(value, Simple):
                self.error('A simple value was expected here.')
                return False
            if prop not in RESOURCE_PROPS.get(rtype, ()):
                self.zone_perror(prop, NO_PROPERTY_TYPE)
                return False
            wanted[prop] = value.value
        return wanted

    @staticmethod
    def write(lines):
        sys.stdout.write(''.join(line + '\n' for line in lines))

    def do_export(self, cmd):
        opts = self.parse_opts(cmd, '?f:', 'export')
        if opts is None:
            return
        outfile = opts.get('f')
        if outfile is not None:
            try:
                handle = open(outfile, 'w', encoding='utf-8')
            except (IOError, OSError) as exc:
                self.zerr('opening file %s: %s' % (outfile, exc.strerror))
                return
        if not self.initialize():
            if outfile is not None:
                handle.close()
            return
        saved = self.node.load_config(self.zone)
        text = export(self.handle, self.release, saved.get('brand') if saved is not None else None)
        if outfile is None:
            sys.stdout.write(text)
        else:
            with handle:
                handle.write(text)

    # ------------------------------------------------------------ verify / commit

    def do_commit(self, cmd):
        if self.parse_opts(cmd, '?', 'commit') is None:
            return
        cmd.argv = ['save']
        self.do_verify(cmd, checked=True)

    def do_verify(self, cmd, checked=False):
        if not checked and self.parse_opts(cmd, '?', 'verify', allowed_extra=True) is None:
            return
        if self.read_only():
            return
        save = bool(cmd.argv) and cmd.argv[0] == 'save'
        if not self.initialize():
            return
        failures = []
        if not self.global_zone and self.handle.get('zonepath') == '':
            self.error('zonepath cannot be empty.')
            failures.append(REQD_RESOURCE_MISSING)
        if self.handle.get('brand') not in BRANDS[self.release]:
            self.zerr('%s: unknown brand.\n' % self.zone)
            self.zone_perror(self.zone, INVALID_DOCUMENT)
            return
        ret = self.verify_config(failures)
        if not self.global_scope:
            self.error('resource specification incomplete')
            ret = ret or INSUFFICIENT_SPEC
        if save:
            if ret is None:
                self.save()
            else:
                self.zerr('Zone %s failed to verify' % self.zone)
        if ret is not None:
            self.zone_perror(self.zone, ret)

    def check_reqd(self, res, prop, failures):
        if not res.get(prop):
            self.error('%s: %s not specified' % (res.rtype, prop))
            failures.append(REQD_PROPERTY_MISSING)

    def verify_config(self, failures):
        """The resource checks of zonecfg.c verify_func; returns the first error text or None."""
        handle = self.handle
        for res in handle.of_type('fs'):
            for prop in ('dir', 'special', 'type'):
                self.check_reqd(res, prop, failures)
        self.verify_nets(failures)
        has_shares = has_cap = False
        for res in handle.of_type('rctl'):
            self.check_reqd(res, 'name', failures)
            has_shares = has_shares or res.get('name') == 'zone.cpu-shares'
            has_cap = has_cap or res.get('name') == 'zone.cpu-cap'
            if not res.values:
                self.error('rctl: no value specified')
                failures.append(REQD_PROPERTY_MISSING)
        pset = handle.first('dedicated-cpu') is not None
        if pset and has_shares:
            self.error('rctl zone.cpu-shares and dedicated-cpu are incompatible.')
            failures.append(INCOMPATIBLE)
        sched = handle.get('scheduling-class')
        if has_shares and sched and sched != 'FSS':
            self.error('WARNING: rctl zone.cpu-shares and scheduling-class=%s are incompatible' % sched)
            failures.append(INCOMPATIBLE)
        if pset and has_cap:
            self.error('rctl zone.cpu-cap and the dedicated-cpu are incompatible.')
            failures.append(INCOMPATIBLE)
        for res in handle.of_type('attr'):
            for prop in ('name', 'type', 'value'):
                self.check_reqd(res, prop, failures)
        for res in handle.of_type('dataset'):
            if not res.get('name'):
                self.error('dataset: name not specified')
                failures.append(REQD_PROPERTY_MISSING)
            elif not ZFS_NAME_RE.match(res.get('name')):
                self.error('dataset: name invalid')
                failures.append(BAD_PROPERTY)
        for res in handle.of_type('admin'):
            self.check_reqd(res, 'user', failures)
            self.check_reqd(res, 'auths', failures)
        return failures[0] if failures else None

    def verify_nets(self, failures):
        exclusive = self.handle.get('ip-type') == 'exclusive'
        links = {}
        for res in self.handle.of_type('net'):
            self.check_reqd(res, 'physical', failures)
            if not self.validate_physical(res.get('physical')):
                self.saw_error = True
                failures.append(INVAL)
            if not exclusive:
                self.check_reqd(res, 'address', failures)
                if res.get('allowed-address'):
                    self.error('net: allowed-address cannot be specified for a shared IP type')
                    failures.append(INVAL)
            elif res.get('address'):
                self.error('net: address cannot be specified for an exclusive IP type')
                failures.append(INVAL)
            else:
                link = links.setdefault(res.get('physical'), [False, False])
                link[0] = link[0] or bool(res.get('allowed-address'))
                link[1] = link[1] or bool(res.get('defrouter'))
        for name, (has_address, has_defrouter) in reversed(list(links.items())):
            if has_defrouter and not has_address:
                self.error('net: defrouter for %s cannot be specified without allowed-address for an exclusive IP '
                           'type' % name)
                failures.insert(0, INVAL)

    def save(self):
        """zonecfg_save(): the XML file and, for a new or renamed zone, the index entry."""
        node, handle = self.node, self.handle
        if self.global_zone:
            node.save_config(handle)
            self.need_to_commit = False
            return
        entries = node.index()
        entry = next((e for e in entries if e.name == self.revert_zone), None)
        if entry is None:
            entries.append(IndexEntry(handle.name, 'configured', handle.get('zonepath'), str(uuid.uuid4())))
        else:
            entry.name, entry.path = handle.name, handle.get('zonepath')
        node.save_config(handle)
        if self.revert_zone != handle.name:
            node.delete_config(self.revert_zone)
        node.save_index(entries)
        self.need_to_commit = False
        self.revert_zone = self.zone = handle.name

    # ------------------------------------------------------------ the reading loop

    COMMANDS = ('add', 'cancel', 'clear', 'commit', 'create', 'delete', 'end', 'exit', 'export', 'help', 'info',
                'remove', 'revert', 'select', 'set', 'verify')

    def execute(self, cmd):
        getattr(self, 'do_' + cmd.name)(cmd)

    def grammar_usage(self, fault):
        self.short_usage(fault.command)
        if fault.flags is not None:
            sys.stderr.write('\n')
            self.usage(False, fault.flags)

    def yyerror(self, token):
        self.saw_error = True
        text = '\\n' if token.kind == 'nl' else token.text
        if self.cmd_file_mode:
            sys.stderr.write("syntax error on line %d at '%s'\n" % (self.lineno(), text))
        else:
            sys.stderr.write("syntax error at '%s'\n" % text)
        self.usage(False, HELP_SUBCMDS)

    def read_input(self, text):
        """Run the commands of ``text``; True when reading should stop (zonecfg.c read_input)."""
        parser = Parser(self.lexer)
        self.lexer.text += text
        while not parser.at_end():
            try:
                cmd = parser.next_command()
            except SyntaxFault as fault:
                if fault.token.kind == 'eof':
                    break           # an unterminated last command is dropped silently, like yyparse()
                self.yyerror(fault.token)
                if not self.interactive_mode:
                    return True
                parser.skip_to_terminator()
                continue
            except UsageFault as fault:
                self.grammar_usage(fault)
                if not self.interactive_mode:
                    return True
                parser.skip_to_terminator()
                continue
            if cmd is not None:
                self.execute(cmd)
            if self.saw_error and self.cmd_file_mode and not self.interactive_mode:
                return True
            if self.time_to_exit:
                return True
        return False

    def cleanup(self):
        if not self.interactive_mode and not self.cmd_file_mode:
            self.ok_to_prompt = False
        if not self.global_scope:
            if not self.time_to_exit:
                answer = self.ask_yesno(False, 'Resource incomplete; really quit')
                if answer != 1:
                    self.zerr('Resource incomplete.')
                    return Z_ERR
            else:
                self.saw_error = True
        if self.need_to_commit and self.handle is not None:
            self.do_verify(_commit_command(), checked=True)
            if self.need_to_commit:
                if self.force_exit or self.ask_yesno(False, 'Configuration not saved; really quit') != 1:
                    self.zerr('Configuration not saved.')
                    return Z_ERR
        return Z_ERR if self.need_to_commit or self.saw_error else Z_OK

    def run(self, text):
        self.lexer = Lexer('', self.release)
        self.read_input(text)
        return self.cleanup()

    def run_interactive(self, initialize=False):
        """Commands from stdin (no -f, or -f -): a terminal gets prompts, anything else is read whole."""
        self.interactive_mode = True
        if initialize:
            self.initialize(False)      # do_interactive(): the "Use 'create'" hint up front
        self.lexer = Lexer('', self.release)
        if not isatty(sys.stdin):
            self.read_input(sys.stdin.read())
            return self.cleanup()
        while True:
            prompt = 'zonecfg:%s> ' % self.zone if self.global_scope else \
                'zonecfg:%s:%s> ' % (self.zone, self.resource_scope)
            sys.stdout.write(prompt)
            flush()
            line = sys.stdin.readline()
            if not line or self.read_input(line if line.endswith('\n') else line + '\n'):
                break
        return self.cleanup()


def _commit_command():
    cmd = Command('commit')
    cmd.argv = ['save']
    return cmd


# ---------------------------------------------------------------- main (zonecfg.c main)

def main_getopt(args):
    """getopt(argc, argv, "?f:R:z:") of main, stopping at the first operand."""
    opts, index = [], 0
    while index < len(args):
        arg = args[index]
        if arg == '--':
            return opts, args[index + 1:]
        if not arg.startswith('-') or arg == '-':
            break
        found, used = getopt(args[index:], '?f:R:z:')
        opts.extend(found)
        index += used if used else 1
        if used == 0:
            break
    return opts, args[index:]


def zonecfg(node_factory, args):
    """zonecfg's main(); returns the exit code."""
    if not args:
        sys.stderr.write(usage_text(HELP_USAGE | HELP_SUBCMDS))
        return Z_USAGE
    node = node_factory()
    if args[0] == 'help':
        session = Session(node, '', False)
        session.run(' '.join(args) + '\n')
        return Z_OK
    opts, rest = main_getopt(args)
    zone, global_zone, cmd_file = '', False, None
    for letter, value in opts:
        if letter == '?':
            if value == '?':
                sys.stdout.write(usage_text(HELP_USAGE | HELP_SUBCMDS, True))
            else:
                sys.stderr.write(usage_text(HELP_USAGE))
            return Z_USAGE
        if letter == 'f':
            cmd_file = value
        elif letter == 'R':
            # UNCONFIRMED/not simulated: an alternate root is only validated, then ignored.
            if not value.startswith('/') or not os.path.isdir(value):
                sys.stderr.write('root path must be %s: %s\n' % ('absolute' if not value.startswith('/')
                                                                 else 'a directory', value))
                return Z_USAGE
        elif letter == 'z':
            global_zone = value == GLOBAL
            if not global_zone and not valid_zonename(value):
                sys.stderr.write('%s: %s\n' % (value, BOGUS_ZONE_NAME))
                sys.stderr.write(usage_text(HELP_SYNTAX))
                return Z_USAGE
            zone = value
    if not zone:
        sys.stderr.write(usage_text(HELP_USAGE))
        return Z_USAGE
    first = (' '.join(rest).replace(';', ' ').split() or [''])[0] if rest else ('-f' if cmd_file else '')
    fault = take_fault(node, 'zonecfg', (first,), zone)
    if fault is not None:
        Faults.apply(fault)
    session = Session(node, zone, global_zone)
    with node.lock():
        try:
            return run_session(session, rest, cmd_file)
        except Exit as exc:
            return exc.status


def run_session(session, rest, cmd_file):
    if rest:
        return session.run(' '.join(rest) + '\n')
    if cmd_file is None:
        return session.run_interactive(initialize=True)
    session.cmd_file_mode, session.cmd_file_name = True, cmd_file
    if cmd_file == '-':
        return session.run_interactive()
    try:
        if not os.path.isfile(cmd_file):
            if os.path.exists(cmd_file):
                sys.stderr.write('%s is not a regular file.\n' % cmd_file)
                return Z_ERR
            open(cmd_file, encoding='utf-8').close()
        with open(cmd_file, encoding='utf-8', errors='surrogateescape') as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        sys.stderr.write('could not open file %s: %s\n' % (cmd_file, exc.strerror))
        return Z_ERR
    session.ok_to_prompt = False
    return session.run(text)
