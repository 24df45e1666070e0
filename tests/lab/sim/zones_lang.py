# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The zonecfg command language: lexer, grammar and usage texts (zones.md §4.1, §4.3).

A re-implementation of illumos zonecfg_lex.l and zonecfg_grammar.y: the lexer's
four start conditions (commands; tokens; ``[...]`` lists; ``(...)`` complex
values), keywords recognised only where the lexer knows them, ``"quoted"``
tokens, ``#`` comments, ``;`` and newlines as terminators. The parser yields one
``Command`` at a time so that commands run as they are read, like yyparse().

Syntax errors print ``syntax error at 'X'`` (in a command file ``syntax error on
line N at 'X'``) followed by the list of commands, as yyerror() does; the
grammar's own error actions print short usages. UNCONFIRMED: which token a
syntax error names follows a one-token-lookahead parse of the grammar (yacc's
default reductions could name a later token in rare cases); after a syntax
error the rest of a one-shot line or command file is not run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CMD_WORDS = ('add', 'cancel', 'commit', 'create', 'delete', 'end', 'exit', 'export', 'help', '?', 'info', 'remove',
             'revert', 'select', 'set', 'clear', 'verify')
RESOURCE_TYPES = ('net', 'fs', 'device', 'rctl', 'attr', 'admin', 'security-flags', 'dataset', 'dedicated-cpu',
                  'capped-cpu', 'capped-memory')
PROPERTY_NAMES = ('zonename', 'zonepath', 'brand', 'autoboot', 'ip-type', 'pool', 'limitpriv', 'bootargs', 'type',
                  'value', 'options', 'allowed-address', 'address', 'physical', 'defrouter', 'mac-addr', 'vlan-id',
                  'global-nic', 'property', 'dir', 'special', 'raw', 'name', 'match', 'priv', 'limit', 'action',
                  'ncpus', 'locked', 'swap', 'importance', 'cpu-shares', 'max-lwps', 'max-processes',
                  'max-shm-memory', 'max-shm-ids', 'max-msg-ids', 'max-sem-ids', 'scheduling-class', 'hostid', 'user',
                  'auths', 'fs-allowed', 'default', 'lower', 'upper', 'zfs-io-priority')
# Words `info` takes alone (INFO ZONENAME ... in the grammar).
INFO_PROPS = ('zonename', 'zonepath', 'brand', 'autoboot', 'ip-type', 'pool', 'limitpriv', 'bootargs',
              'scheduling-class', 'cpu-shares', 'max-lwps', 'max-processes', 'max-shm-memory', 'max-shm-ids',
              'max-msg-ids', 'max-sem-ids', 'hostid', 'fs-allowed', 'zfs-io-priority')
# Release additions (UNCONFIRMED beyond the resource names themselves).
S11_PROPERTY_NAMES = ('file-mac-profile', 'linkname', 'lower-link', 'configure-allowed-address', 'allowed-dhcp-cids',
                      'link-protection', 'mac-address', 'mac-prefix', 'mac-slot', 'priority', 'rxrings', 'txrings',
                      'mtu', 'maxbw', 'rxfanout', 'vsi-typeid', 'vsi-vers', 'vsi-mgrid', 'etsbw-lcl', 'cos', 'evs',
                      'vport', 'iov', 'lro')

# ---------------------------------------------------------------- usage texts (zonecfg.c helptab, usage())

HELPTAB = (
    ('add', 'add <resource-type>\n\t(global scope)\nadd <property-name> <property-value>\n\t(resource scope)'),
    ('cancel', 'cancel'),
    ('clear', 'clear <property-name>'),
    ('commit', 'commit'),
    ('create', 'create [-F] [ -a <path> | -b | -t <template> ]'),
    ('delete', 'delete [-F]'),
    ('end', 'end'),
    ('exit', 'exit [-F]'),
    ('export', 'export [-f output-file]'),
    ('help', 'help [commands] [syntax] [usage] [<command-name>]'),
    ('info', 'info [<resource-type> [property-name=property-value]*]'),
    ('remove', 'remove [-F] <resource-type> [ <property-name>=<property-value> ]*\n\t(global scope)\n'
               'remove <property-name> <property-value>\n\t(resource scope)'),
    ('revert', 'revert [-F]'),
    ('select', 'select <resource-type> { <property-name>=<property-value> }'),
    ('set', 'set <property-name>=<property-value>'),
    ('verify', 'verify'),
)
SHORT_USAGE = dict(HELPTAB)
LONG_HELP = {
    'help': 'Prints help message.',
    'create': "Creates a configuration for the specified zone.  create should be\n\tused to begin configuring a new "
              "zone.  If overwriting an existing\n\tconfiguration, the -F flag can be used to force the action.  If\n"
              "\t-t template is given, creates a configuration identical to the\n\tspecified template, except that the "
              "zone name is changed from\n\ttemplate to zonename.  'create -a' creates a configuration from a\n"
              "\tdetached zonepath.  'create -b' results in a blank configuration.\n\t'create' with no arguments "
              "applies the Sun default settings.",
    'exit': 'Exits the program.  The -F flag can be used to force the action.',
    'export': 'Prints configuration to standard output, or to output-file if\n\tspecified, in a form suitable for use '
              'in a command-file.',
    'add': 'Add specified resource to configuration.',
    'delete': 'Deletes the specified zone.  The -F flag can be used to force the\n\taction.',
    'remove': 'Remove specified resource from configuration.  The -F flag can be used\n\tto force the action.',
    'select': 'Selects a resource to modify.  Resource modification is completed\n\twith the command "end".  The '
              "property name/value pairs must uniquely\n\tidentify a resource.  Note that the curly braces ('{', '}') "
              'mean one\n\tor more of whatever is between them.',
    'set': 'Sets property values.',
    'clear': 'Clears property values.',
    'info': 'Displays information about the current configuration.  If resource\n\ttype is specified, displays only '
            'information about resources of\n\tthe relevant type.  If resource id is specified, displays only\n'
            '\tinformation about that resource.',
    'verify': 'Verifies current configuration for correctness (some resource types\n\thave required properties).',
    'commit': 'Commits current configuration.  Configuration must be committed to\n\tbe used by zoneadm.  Until the '
              'configuration is committed, changes \n\tcan be removed with the revert command.  This operation is\n'
              '\tattempted automatically upon completion of a zonecfg session.',
    'revert': 'Reverts configuration back to the last committed state.  The -F flag\n\tcan be used to force the action.',
    'cancel': 'Cancels resource/property specification.',
    'end': 'Ends resource/property specification.',
}

HELP_USAGE, HELP_SUBCMDS, HELP_SYNTAX, HELP_RESOURCES, HELP_PROPS, HELP_META, HELP_NETADDR = 1, 2, 4, 8, 16, 32, 64
HELP_RES_PROPS = HELP_RESOURCES | HELP_PROPS

PROPS_HELP = """For resource type ... there are property types ...:
\t(global)\tzonename
\t(global)\tzonepath
\t(global)\tbrand
\t(global)\tautoboot
\t(global)\tbootargs
\t(global)\tpool
\t(global)\tlimitpriv
\t(global)\tscheduling-class
\t(global)\tip-type
\t(global)\thostid
\t(global)\tfs-allowed
\t(global)\tmax-lwps
\t(global)\tmax-processes
\t(global)\tmax-shm-memory
\t(global)\tmax-shm-ids
\t(global)\tmax-msg-ids
\t(global)\tmax-sem-ids
\t(global)\tcpu-shares
\tfs\t\tdir, special, raw, type, options
\tnet\t\taddress, allowed-address, physical|defrouter
\tdevice\t\tmatch
\trctl\t\tname, value
\tattr\t\tname, type, value
\tdataset\t\tname
\tdedicated-cpu\tncpus, importance
\tcapped-cpu\tncpus
\tcapped-memory\tphysical, swap, locked
\tadmin\t\tuser, auths
"""
NETADDR_HELP = """
<net-addr> :=\t<IPv4-address>[/<IPv4-prefix-length>] |
\t\t<IPv6-address>/<IPv6-prefix-length> |
\t\t<hostname>[/<IPv4-prefix-length>]
See inet(3SOCKET) for IPv4 and IPv6 address syntax.
<IPv4-prefix-length> := [0-32]
<IPv6-prefix-length> := [0-128]
<hostname> := [A-Za-z0-9][A-Za-z0-9-.]*
"""


def usage_text(flags, verbose=False, execname='zonecfg'):
    """zonecfg usage(verbose, flags) (the resource-scope help is not simulated)."""
    parts = []
    if flags & HELP_META:
        parts.append("More help is available for the following:\n\n\tcommands ('help commands')\n"
                     "\tsyntax ('help syntax')\n\tusage ('help usage')\n\n"
                     "You may also obtain help on any command by typing 'help <command-name>.'\n")
    if flags & HELP_USAGE:
        parts.append('usage:\t%s help\n\t%s -z <zone>\t\t\t(interactive)\n\t%s -z <zone> <command>\n'
                     '\t%s -z <zone> -f <command-file>\n' % ((execname,) * 4))
    if flags & HELP_SUBCMDS:
        parts.append('Commands:\n\n')
        for name, short in HELPTAB:
            parts.append(short + '\n')
            if verbose:
                parts.append('\t%s\n\n' % LONG_HELP[name])
    if flags & HELP_SYNTAX:
        if not verbose:
            parts.append('\n')
        parts.append("<zone> := [A-Za-z0-9][A-Za-z0-9_.-]*\n\t(except the reserved words 'global' and anything "
                     "starting with 'SUNW')\n\tName must be less than 64 characters.\n")
        if verbose:
            parts.append('\n')
    if flags & HELP_NETADDR:
        parts.append(NETADDR_HELP)
    if flags & HELP_RESOURCES:
        parts.append('<resource type> := fs | net | device | rctl | attr |\n\tdataset | dedicated-cpu | capped-cpu | '
                     'capped-memory | admin\n\n')
    if flags & HELP_PROPS:
        parts.append(PROPS_HELP)
    return ''.join(parts)


# ---------------------------------------------------------------- lexer (zonecfg_lex.l)

INITIAL, TSTATE, LSTATE, CSTATE = 'INITIAL', 'TSTATE', 'LSTATE', 'CSTATE'
# Characters that end an unquoted TOKEN in each start condition.
STOP = {TSTATE: ' \t\n";=[]()', LSTATE: ' \t\n",;=[]()', CSTATE: ' \t\n",;=()'}


class Token:
    """kind: 'cmd', 'rt', 'pn', 'token', one of '=[](),;', 'nl', 'char' or 'eof'."""

    def __init__(self, kind, text, value=None):
        self.kind = kind
        self.text = text            # yytext
        self.value = text if value is None else value

    def __repr__(self):
        return 'Token(%s, %r)' % (self.kind, self.text)


class Lexer:
    def __init__(self, text, release):
        self.text = text
        self.pos = 0
        self.cond = INITIAL
        self.state = INITIAL        # the lexer's `state` variable: where ')' returns to
        self.lineno = 1
        self.rts = set(RESOURCE_TYPES)
        self.pns = set(PROPERTY_NAMES)
        if release == 's10':
            self.rts.add('inherit-pkg-dir')
        if release == 's11':
            self.rts.add('anet')
            self.pns.update(S11_PROPERTY_NAMES)

    def _word(self, stop):
        end = self.pos
        while end < len(self.text) and self.text[end] not in stop:
            end += 1
        return self.text[self.pos:end]

    def _quoted(self):
        end = self.pos + 1
        while end < len(self.text) and self.text[end] not in '"\n':
            end += 1
        end = min(end + 1, len(self.text))
        raw = self.text[self.pos:end]
        self.pos = end
        return Token('token', raw, raw[1:-1] if raw.endswith('"') and len(raw) > 1 else raw[1:])

    def _initial(self, char):
        if char == '#':
            end = self.text.find('\n', self.pos)
            self.pos = len(self.text) if end < 0 else end
            return None
        words = [w for w in CMD_WORDS if self.text.startswith(w, self.pos)]
        if words:
            word = max(words, key=len)
            self.pos += len(word)
            self.cond = self.state = TSTATE
            return Token('cmd', word, 'help' if word == '?' else word)
        self.pos += 1
        return Token('char', char)

    def _special(self, char):
        """Single-character tokens of the token/list/complex conditions."""
        cond = self.cond
        if char == '=' or (char == ',' and cond in (LSTATE, CSTATE)):
            self.pos += 1
            return Token(char, char)
        if char == '[' and cond == TSTATE:
            self.cond = self.state = LSTATE
        elif char == ']' and cond == LSTATE:
            self.cond = self.state = TSTATE
        elif char == '(' and cond in (TSTATE, LSTATE):
            self.cond = CSTATE
        elif char == ')' and cond == CSTATE:
            self.cond = self.state
        else:
            return None
        self.pos += 1
        return Token(char, char)

    def next(self):
        while True:
            if self.pos >= len(self.text):
                return Token('eof', '')
            char = self.text[self.pos]
            if char in ' \t':
                self.pos += 1
                continue
            if char == ';':
                self.pos += 1
                self.cond = INITIAL
                return Token(';', ';')
            if char == '\n':
                self.pos += 1
                self.lineno += 1
                self.cond = INITIAL
                return Token('nl', '\n')
            if self.cond == INITIAL:
                token = self._initial(char)
                if token is None:
                    continue
                return token
            token = self._special(char)
            if token is not None:
                return token
            if char == '"':
                return self._quoted()
            word = self._word(STOP[self.cond])
            if not word:
                self.pos += 1
                return Token('char', char)
            self.pos += len(word)
            if self.cond == TSTATE and word in self.rts:
                return Token('rt', word)
            if self.cond in (TSTATE, CSTATE) and word in self.pns:
                return Token('pn', word)
            return Token('token', word)


# ---------------------------------------------------------------- grammar (zonecfg_grammar.y)

class Simple:
    def __init__(self, value):
        self.value = value


class Complex:
    def __init__(self, pairs):
        self.pairs = pairs          # [(property name, value)]


class ListValue:
    def __init__(self, items):
        self.items = items          # Simple or Complex


class Command:
    """One parsed command: ``name``, ``argv`` (TOKEN arguments), ``res_type``, ``props`` [(name, value)]."""

    def __init__(self, name):
        self.name = name
        self.argv = []
        self.res_type = None
        self.props = []


class SyntaxFault(Exception):
    """A yyerror(): the offending token."""

    def __init__(self, token):
        super(SyntaxFault, self).__init__(token.text)
        self.token = token


class UsageFault(Exception):
    """A grammar error action: print short usage of ``command`` (plus ``flags`` help when given)."""

    def __init__(self, command, flags=None):
        super(UsageFault, self).__init__(command)
        self.command = command
        self.flags = flags


class Parser:
    """Yields commands from a lexer: ``next_command()`` returns a Command, None (empty line) or raises."""

    def __init__(self, lexer):
        self.lexer = lexer
        self._tok = None

    @property
    def tok(self):
        """The lookahead, read only when needed: a command runs before the lexer sees the next line."""
        if self._tok is None:
            self._tok = self.lexer.next()
        return self._tok

    def advance(self):
        tok = self.tok
        self._tok = None
        return tok

    def expect(self, *kinds):
        if self.tok.kind not in kinds:
            raise SyntaxFault(self.tok)
        return self.advance()

    def at_end(self):
        return self.tok.kind == 'eof'

    def skip_to_terminator(self):
        while self.tok.kind not in ('nl', ';', 'eof'):
            self.advance()
        if self.tok.kind != 'eof':
            self.advance()

    def next_command(self):
        if self.tok.kind in ('nl', ';'):
            self.advance()
            return None
        if self.tok.kind != 'cmd':
            raise SyntaxFault(self.tok)
        word = self.advance().value
        cmd = getattr(self, '_' + word)(Command(word))
        self.expect('nl', ';')
        return cmd

    # -------------------------------------------------------- values

    def _name_value(self):
        """simple_prop_val: a TOKEN, or a resource type / property name keyword taken as its text."""
        return self.expect('token', 'rt', 'pn').value

    def _complex(self):
        self.expect('(')
        pairs = []
        while True:
            name = self.expect('pn').value
            self.expect('=')
            pairs.append((name, self._name_value()))
            if self.tok.kind != ',':
                break
            self.advance()
        self.expect(')')
        return Complex(pairs)

    def property_value(self):
        if self.tok.kind == '(':
            return self._complex()
        if self.tok.kind == '[':
            self.advance()
            return self._list_items()
        return Simple(self._name_value())

    def _pairs(self, cmd, first_required):
        """property_name EQUAL property_value, up to three times."""
        for index in range(3):
            if self.tok.kind != 'pn':
                if index == 0 and first_required:
                    raise SyntaxFault(self.tok)
                return
            name = self.advance().value
            self.expect('=')
            cmd.props.append((name, self.property_value()))

    def _tokens(self, cmd, most):
        while len(cmd.argv) < most and self.tok.kind == 'token':
            cmd.argv.append(self.advance().value)
        return cmd

    # -------------------------------------------------------- commands

    def _add(self, cmd):
        # Unexpected tokens reduce `add_command: ADD`, whose action prints the usage (yacc default reduction).
        if self.tok.kind == 'token':
            return self._tokens(cmd, 1)
        if self.tok.kind == 'rt':
            cmd.res_type = self.advance().value
            return cmd
        if self.tok.kind != 'pn':
            raise UsageFault('add', HELP_RES_PROPS)
        name = self.advance().value
        cmd.props.append((name, self.property_value()))
        return cmd

    def _create(self, cmd):
        return self._tokens(cmd, 3)

    def _export(self, cmd):
        return self._tokens(cmd, 2)

    def _one_token(self, cmd):
        return self._tokens(cmd, 1)

    _cancel = _commit = _delete = _end = _exit = _help = _revert = _verify = _one_token

    def _info(self, cmd):
        if self.tok.kind == 'token':
            raise UsageFault('info', HELP_RES_PROPS)
        if self.tok.kind == 'pn' and (self.tok.value in INFO_PROPS or self.tok.value == 'file-mac-profile'):
            cmd.res_type = self.advance().value
            return cmd
        if self.tok.kind == 'rt':
            cmd.res_type = self.advance().value
            self._pairs(cmd, False)
        return cmd

    def _remove(self, cmd):
        if self.tok.kind == 'token':
            cmd.argv.append(self.advance().value)
            if self.tok.kind != 'rt':
                raise UsageFault('remove', HELP_RES_PROPS)
            cmd.res_type = self.advance().value
            return cmd
        if self.tok.kind == 'rt':
            cmd.res_type = self.advance().value
            self._pairs(cmd, False)
            return cmd
        if self.tok.kind != 'pn':
            raise UsageFault('remove', HELP_RES_PROPS)
        name = self.advance().value
        cmd.props.append((name, self.property_value()))
        return cmd

    def _select(self, cmd):
        if self.tok.kind != 'rt':
            raise UsageFault('select', HELP_RES_PROPS)
        cmd.res_type = self.advance().value
        if self.tok.kind != 'pn' and cmd.res_type not in ('dedicated-cpu', 'capped-cpu', 'capped-memory'):
            raise UsageFault('select')
        self._pairs(cmd, False)
        return cmd

    def _list_items(self):
        items = []
        while True:
            items.append(self._complex() if self.tok.kind == '(' else Simple(self._name_value()))
            if self.tok.kind != ',':
                break
            self.advance()
        self.expect(']')
        return ListValue(items)

    def _set(self, cmd):
        if self.tok.kind == 'token':
            cmd.argv.append(self.advance().value)
            if self.tok.kind != 'pn' or self.tok.value != 'zonepath':
                raise SyntaxFault(self.tok)
        elif self.tok.kind != 'pn':
            raise UsageFault('set', HELP_PROPS)
        name = self.advance().value
        self.expect('=')
        if self.tok.kind == '[':
            self.advance()
            if self.tok.kind == ']' and not cmd.argv:
                self.advance()
                cmd.props.append((name, ListValue([])))
                return cmd
            cmd.props.append((name, self._list_items()))
            return cmd
        cmd.props.append((name, self.property_value()))
        return cmd

    def _clear(self, cmd):
        if self.tok.kind != 'pn':
            raise UsageFault('clear', HELP_PROPS)
        cmd.props.append((self.advance().value, None))
        return cmd
