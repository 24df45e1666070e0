# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a virtualization tool by argv: declarative argv building, executors, typed errors.

This is private to the collection (leading underscore); it runs on managed
nodes, so it keeps to Python 3.7 and the standard library.

Three pieces, kept apart so modules and controller plugins share them:

* formatters (``Fmt``) turn one option value into argv items; an ``ArgSpec``
  maps option names to formatters, so a caller states *what* it wants and
  ``ArgSpec.build`` lays out the command line;
* executors run an argv and return ``(rc, stdout, stderr)``: ``ModuleExecutor``
  through ``AnsibleModule.run_command``, ``LocalExecutor`` through
  ``subprocess`` (controller side); the connection and inventory plugins add
  their own (SSH) executor with the same ``execute`` signature;
* ``Runner`` binds a binary, an ``ArgSpec`` and an executor, forces the C
  locale, applies a per-call timeout and raises ``CommandError`` (with
  ``cmd``, ``rc``, ``stdout``, ``stderr``) on an unexpected exit status.

Nothing here ever goes through a shell.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

# Forced on every call so that messages and number formats are the ones the
# parsers were written against, whatever the node's locale.
C_LOCALE = {'LC_ALL': 'C', 'LANG': 'C', 'LANGUAGE': 'C'}

DEFAULT_TIMEOUT = 600

# GNU coreutils timeout(1) exits 124 when the time ran out (137 when it had
# to SIGKILL the command after the grace period).
TIMEOUT_RCS = (124, 137)
KILL_GRACE = 10


class CommandError(Exception):
    """A tool ran but did not do what was asked (or could not be run at all).

    Carries everything a user needs to understand the failure; ``as_dict``
    gives the keys a module result or an AnsibleError message should show.
    """

    def __init__(self, msg, cmd=None, rc=None, stdout='', stderr=''):
        super(CommandError, self).__init__(msg)
        self.msg = msg
        self.cmd = list(cmd) if cmd is not None else None
        self.rc = rc
        self.stdout = stdout or ''
        self.stderr = stderr or ''

    def as_dict(self):
        return dict(msg=self.msg, cmd=self.cmd, rc=self.rc,
                    stdout=self.stdout, stderr=self.stderr)

    def __str__(self):
        detail = self.stderr.strip() or self.stdout.strip()
        text = self.msg
        if self.rc is not None:
            text += ' (rc=%s)' % self.rc
        if detail:
            text += ': %s' % detail
        return text


class CommandTimeout(CommandError):
    """The tool did not finish within its timeout and was killed."""


class CommandResult:
    __slots__ = ('cmd', 'rc', 'stdout', 'stderr')

    def __init__(self, cmd, rc, stdout, stderr):
        self.cmd = cmd
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def __iter__(self):
        return iter((self.rc, self.stdout, self.stderr))

    def __repr__(self):
        return 'CommandResult(cmd=%r, rc=%r)' % (self.cmd, self.rc)


# ---------------------------------------------------------------------------
# Formatters: value -> list of argv strings. ``None`` always means "not given".
# ---------------------------------------------------------------------------

def _text(value):
    if isinstance(value, bool):
        raise TypeError('a boolean needs an explicit formatter (Fmt.flag or Fmt.yes_no)')
    return '%s' % (value,)


class Fmt:
    """Factories of formatters. Each returns ``callable(value) -> list``."""

    @staticmethod
    def opt(flag, render=_text):
        """``--flag VALUE``."""
        def fmt(value):
            return [] if value is None else [flag, render(value)]
        return fmt

    @staticmethod
    def opt_eq(flag, render=_text):
        """``--flag=VALUE`` (for tools that want it joined)."""
        def fmt(value):
            return [] if value is None else ['%s=%s' % (flag, render(value))]
        return fmt

    @staticmethod
    def repeat(flag, render=_text):
        """``--flag A --flag B`` for each item of a list."""
        def fmt(value):
            out = []
            for item in value or ():
                out.extend([flag, render(item)])
            return out
        return fmt

    @staticmethod
    def joined(flag, sep=',', render=_text):
        """``--flag A,B`` for a list (nothing for an empty or missing list)."""
        def fmt(value):
            if not value:
                return []
            return [flag, sep.join(render(v) for v in value)]
        return fmt

    @staticmethod
    def flag(flag):
        """``--flag`` when true, nothing when false or missing."""
        def fmt(value):
            return [flag] if value else []
        return fmt

    @staticmethod
    def yes_no(flag, yes='yes', no='no'):
        """``--flag yes|no`` from a boolean."""
        def fmt(value):
            if value is None:
                return []
            return [flag, yes if value else no]
        return fmt

    @staticmethod
    def choice(flag, mapping):
        """``--flag mapping[value]``; an unknown value is a programming error."""
        def fmt(value):
            if value is None:
                return []
            if value not in mapping:
                raise ValueError('%s: %r is not one of %s' % (flag, value, ', '.join(sorted(mapping))))
            return [flag, mapping[value]]
        return fmt

    @staticmethod
    def positional(render=_text):
        """The value itself, as one argument."""
        def fmt(value):
            return [] if value is None else [render(value)]
        return fmt

    @staticmethod
    def fixed(*args):
        """Constant arguments when the value is true."""
        def fmt(value):
            return list(args) if value else []
        return fmt


class ArgSpec:
    """Option name -> formatter. ``build`` lays out argv in the order asked.

    >>> spec = ArgSpec(name=Fmt.opt('--name'), save=Fmt.flag('--save'))
    >>> spec.build(['set', '101'], ['name', 'save'], {'name': 'web', 'save': True})
    ['set', '101', '--name', 'web', '--save']
    """

    def __init__(self, **formatters):
        self.formatters = dict(formatters)

    def build(self, head, order, values):
        unknown = set(values) - set(self.formatters)
        if unknown:
            raise KeyError('no formatter for option(s): %s' % ', '.join(sorted(unknown)))
        argv = [_text(part) for part in head]
        for name in order:
            if name not in self.formatters:
                raise KeyError('no formatter for option: %s' % name)
            if name in values:
                argv.extend(self.formatters[name](values[name]))
        return argv

    def build_all(self, head, values):
        """Like build, in the spec's declaration order, for every value given."""
        return self.build(head, [n for n in self.formatters if n in values], values)


# ---------------------------------------------------------------------------
# Executors: the one place where a process is started.
# ---------------------------------------------------------------------------

class ModuleExecutor:
    """Runs argv on the managed node through ``AnsibleModule.run_command``.

    The per-call timeout wraps the command in ``timeout(1)`` when the node has
    it (GNU coreutils; illumos and Solaris 11.4 ship one too), because
    ``run_command`` has no timeout of its own.
    """

    def __init__(self, module):
        self.module = module
        self._timeout_bin = module.get_bin_path('timeout')

    def execute(self, argv, data=None, timeout=None, env=None):
        argv = list(argv)
        if timeout and self._timeout_bin:
            argv = [self._timeout_bin, '--kill-after=%d' % KILL_GRACE, '%d' % timeout] + argv
        environ = dict(C_LOCALE)
        environ.update(env or {})
        rc, out, err = self.module.run_command(
            argv, data=data, binary_data=data is not None, environ_update=environ,
            # argv values are literal: never expand ~ or $VAR in them.
            expand_user_and_vars=False, check_rc=False)
        if timeout and self._timeout_bin and rc in TIMEOUT_RCS:
            rc = None
        return rc, out, err

    def find_binary(self, name, extra_dirs=None):
        return self.module.get_bin_path(name, opt_dirs=extra_dirs or [])


class LocalExecutor:
    """Runs argv on the controller with ``subprocess`` (no shell)."""

    def __init__(self, path=None):
        self.path = path

    def execute(self, argv, data=None, timeout=None, env=None):
        environ = dict(os.environ)
        environ.update(C_LOCALE)
        environ.update(env or {})
        if self.path:
            environ['PATH'] = self.path
        try:
            proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=environ, close_fds=True)
        except OSError as exc:
            return 127, '', '%s: %s' % (argv[0], exc)
        payload = data.encode('utf-8') if isinstance(data, str) else data
        try:
            out, err = proc.communicate(payload, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return None, '', ''
        return (proc.returncode, out.decode('utf-8', 'surrogateescape'),
                err.decode('utf-8', 'surrogateescape'))

    def find_binary(self, name, extra_dirs=None):
        dirs = list(extra_dirs or []) + (self.path or os.environ.get('PATH', '')).split(os.pathsep)
        for d in dirs:
            candidate = os.path.join(d, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        return None


# ---------------------------------------------------------------------------
# Runner: one binary, one ArgSpec, one executor.
# ---------------------------------------------------------------------------

class Runner:
    """Builds argv from an ArgSpec and runs it, raising typed errors.

    ``binary`` is a name looked up once through the executor (or an absolute
    path). ``run`` returns a ``CommandResult``; an exit status outside
    ``ok_rcs`` raises ``CommandError`` unless ``check=False``.
    """

    def __init__(self, executor, binary, spec=None, timeout=DEFAULT_TIMEOUT, extra_dirs=None):
        self.executor = executor
        self.spec = spec or ArgSpec()
        self.timeout = timeout
        self.name = binary
        if os.path.isabs(binary):
            self.binary = binary
        else:
            self.binary = executor.find_binary(binary, extra_dirs)
        # Resolved lazily in run() so that building argv (and check mode on a
        # node without the tool) never needs the binary.

    def argv(self, head=(), order=None, **values):
        head = [self.binary or self.name] + list(head)
        if order is None:
            return self.spec.build_all(head, values)
        return self.spec.build(head, order, values)

    def run(self, head=(), order=None, data=None, ok_rcs=(0,), check=True,
            timeout=None, what=None, **values):
        argv = self.argv(head, order, **values)
        return self.run_argv(argv, data=data, ok_rcs=ok_rcs, check=check,
                             timeout=timeout, what=what)

    def run_argv(self, argv, data=None, ok_rcs=(0,), check=True, timeout=None, what=None):
        what = what or ' '.join([self.name] + list(argv[1:2]))
        if not self.binary:
            raise CommandError('%s: command %r not found on this node' % (what, self.name), cmd=argv)
        limit = self.timeout if timeout is None else timeout
        rc, out, err = self.executor.execute(argv, data=data, timeout=limit)
        if rc is None:
            raise CommandTimeout('%s: timed out after %ss' % (what, limit),
                                 cmd=argv, rc=None, stdout=out, stderr=err)
        if check and rc not in ok_rcs:
            raise CommandError('%s failed' % what, cmd=argv, rc=rc, stdout=out, stderr=err)
        return CommandResult(argv, rc, out, err)


def fail_module(module, error, **extra):
    """Module-side adapter: turn a CommandError into ``fail_json``."""
    result = error.as_dict()
    result.update(extra)
    module.fail_json(**result)
