# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stateful simulator of Virtuozzo 7 / Virtuozzo Hybrid Server ``prlctl`` (CTs and VMs).

Authority: /work/shared/reference/virtuozzo.md; texts the sheet leaves out follow
OpenVZ/prlctl's sources (PrlVm.cpp, PrlBackup.cpp), and the remaining guesses
(mostly SDK/dispatcher texts after ``Failed to ...: ``) are marked UNCONFIRMED.

Modules: ``virtuozzo_state`` (node, records, errors), ``virtuozzo_list`` (list),
``virtuozzo_set`` (set), ``virtuozzo_data`` (snapshots, backups, clone,
migrate), ``virtuozzo_node`` (labctl init-node). Entry point: ``prlctl_main()``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import sys
import time

from .common import Faults, Lab, err, makedirs, out, run_tool
from .virtuozzo_list import cmd_list
from .virtuozzo_run import run_exec, run_start, run_stop
from .virtuozzo_set import apply_set, print_lines
from .virtuozzo_state import (
    DEPRECATION, DISTRIBUTIONS, DEFAULT_DISTRIBUTION, PROG, RC_FAIL, RC_USAGE, TEMPLATE_CACHE, Node, PrlError,
    fail, home_dir, new_uuid, new_ve, report, state_of,
)
from . import virtuozzo_data as data

__all__ = ['prlctl_main']

USAGE = """Usage: prlctl ACTION <ID|NAME> [OPTIONS] [-l user[:passwd]@server[:port]]
Supported actions are:
  backup, backup-delete, backup-list, clone, create, delete, exec, list,
  migrate, restart, restore, resume, set, snapshot, snapshot-delete,
  snapshot-list, snapshot-switch, start, status, stop, suspend
"""

# Global options (ignored by the simulator): option -> takes a value.
GLOBAL = {'-l': True, '--login': True, '-p': True, '--read-passwd': True, '-v': True, '--verbose': True,
          '--timeout': True, '--compat': False}


class Cmd:
    """One prlctl action: its option table and what it does."""

    def __init__(self, func, options=None, short=None, needs_id=True, locks=False, deprecated=True):
        self.func = func
        self.options = options or {}
        self.short = short or {}
        self.needs_id = needs_id
        self.locks = locks
        self.deprecated = deprecated


def parse_options(cmd, args, stop_at_positional=False):
    """``--opt value``/``--opt=value``/short aliases -> ({opt: [values]} or True flags, positionals)."""
    opts, positional = {}, []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if stop_at_positional and positional:
            positional.extend(args[index - 1:])
            break
        if arg in GLOBAL:
            index += 1 if GLOBAL[arg] else 0
            continue
        if not arg.startswith('-') or arg == '-':
            positional.append(arg)
            continue
        name, sep, value = arg.partition('=')
        name = cmd.short.get(name, name)
        key = name.lstrip('-')
        if key not in cmd.options:
            # UNCONFIRMED wording of CmdParam's parse error.
            fail(RC_USAGE, 'Unrecognized option: %s' % arg)
        if cmd.options[key]:
            if not sep:
                if index >= len(args):
                    fail(RC_USAGE, 'Option %s requires an argument' % name)   # UNCONFIRMED wording
                value = args[index]
                index += 1
            opts.setdefault(key, []).append(value)
        else:
            opts[key] = True
    return opts, positional


def last(opts, key, default=None):
    value = opts.get(key)
    if isinstance(value, list):
        return value[-1]
    return default if value is None else value


# ================================================================ lifecycle

def not_running(ve, verb):
    # UNCONFIRMED SDK text (PRL_ERR_DISP_VM_IS_NOT_STARTED).
    return 'Failed to %s the %s: The %s is not running.' % (verb, ve['type'], ve['type'])


def do_start(node, ve):
    kind = ve['type']
    out('Starting the %s...' % kind)
    if state_of(ve) == 'running':
        fail(RC_FAIL, 'Failed to start the %s: The %s is already running.' % (kind, kind))   # UNCONFIRMED SDK text
    rc = run_start(node, ve)
    if rc:
        fail(RC_FAIL, 'Failed to start the %s: The lab runtime failed with exit code %d.' % (kind, rc))
    ve['state'] = 'running'
    ve['started'] = time.time()
    node.save(ve)
    out('The %s has been successfully started.' % kind)


def stop_state(node, ve):
    run_stop(node, ve)
    ve['state'] = 'stopped'
    ve['started'] = 0
    node.save(ve)


def cmd_start(node, ve, opts, args):
    do_start(node, ve)
    return 0


def cmd_stop(node, ve, opts, args):
    kind = ve['type']
    out('Stopping the %s...' % kind)
    if state_of(ve) == 'stopped':
        # §1.1: PRL_ERR_DISP_VM_IS_NOT_STARTED is printed, then mapped to exit 0.
        err(not_running(ve, 'stop'))
        return 0
    stop_state(node, ve)
    if opts.get('kill') or opts.get('fast'):
        out('The %s has been forcibly stopped' % kind)
    else:
        out('The %s has been successfully stopped.' % kind)
    return 0


def cmd_restart(node, ve, opts, args):
    kind = ve['type']
    out('Restarting the %s...' % kind)
    if state_of(ve) != 'running':
        fail(RC_FAIL, not_running(ve, 'restart'))   # UNCONFIRMED: restart of a stopped VE fails
    run_stop(node, ve)
    rc = run_start(node, ve)
    if rc:
        fail(RC_FAIL, 'Failed to restart the %s: The lab runtime failed with exit code %d.' % (kind, rc))
    ve['started'] = time.time()
    node.save(ve)
    out('The %s has been successfully restarted.' % kind)
    return 0


def transition(verb, progress, done, before, after):
    def run(node, ve, opts, args):
        kind = ve['type']
        out('%s the %s...' % (progress, kind))
        if state_of(ve) not in before:
            if before == ('running',):
                fail(RC_FAIL, not_running(ve, verb))
            fail(RC_FAIL, 'Failed to %s the %s: The %s is not %s.' % (verb, kind, kind, before[0]))  # UNCONFIRMED
        ve['state'] = after
        node.save(ve)
        out('The %s has been successfully %s.' % (kind, done))
        return 0
    return run


def cmd_status(node, ve, opts, args):
    out('%s %s exist %s' % (ve['type'], args[0], state_of(ve)))
    return 0


def cmd_delete(node, ve, opts, args):
    kind = ve['type']
    out('Removing the %s...' % kind)
    if state_of(ve) in ('running', 'paused', 'suspended'):
        if not opts.get('force') or state_of(ve) == 'suspended':
            # UNCONFIRMED SDK text.
            fail(RC_FAIL, 'Failed to remove the %s: The %s is running. Stop it before removing.' % (kind, kind))
        out('Stopping the %s...' % kind)
        stop_state(node, ve)
        out('The %s has been forcibly stopped' % kind)
    shutil.rmtree(node.lab.path(ve['home']), ignore_errors=True)
    if kind == 'CT':
        conf = node.lab.path('/etc/vz/conf/%s.conf' % ve['uuid'])
        if os.path.exists(conf):
            os.replace(conf, conf + '.destroyed')
    node.forget(ve)
    out('The %s has been successfully removed.' % kind)
    return 0


def cmd_exec(node, ve, opts, args):
    if not args:
        fail(RC_FAIL, 'Incorrect exec command')
    kind = ve['type']
    if state_of(ve) != 'running':
        # UNCONFIRMED SDK text.
        fail(RC_FAIL, 'Unable to perform the operation because the %s is not running.' % kind)
    if kind == 'VM' and ve['guest_tools'] != 'installed':
        # UNCONFIRMED SDK text: VMs need guest tools (§3 exec).
        fail(RC_FAIL, 'Failed to login in the guest: The Virtuozzo guest tools are not installed in the VM.')
    # UNCONFIRMED: the lab has no VM root; a VM with tools can only run commands through a custom runtime.
    # Default: through the guest shell (bash -c on real guests; the placeholder template has busybox sh).
    argv = list(args) if opts.get('without-shell') else ['/bin/sh', '-c', ' '.join(args)]
    return run_exec(node, ve, argv)


def ct_userpasswd(node):
    def change(ve, entry):
        user, _sep, password = entry.partition(':')
        if ve['type'] != 'CT':
            if ve['guest_tools'] != 'installed':
                fail(RC_FAIL, 'Failed to change the password: The Virtuozzo guest tools are not installed '
                     'in the VM.')   # UNCONFIRMED SDK text
            return
        from .openvz import ensure_user   # set_userpass: a missing user is added first
        root = node.rootfs(ve)
        if not ensure_user(root, user):
            fail(RC_FAIL, 'Failed to change the password of the user %s.' % user)   # UNCONFIRMED
        rc = run_exec(node, ve, ['/bin/sh', '-c', 'chpasswd'], ('%s:%s\n' % (user, password)).encode('utf-8'))
        if rc:
            fail(RC_FAIL, 'Failed to change the password of the user %s.' % user)   # UNCONFIRMED
    return change


def cmd_set(node, ve, opts, args):
    lines, updated = apply_set(node, ve, opts, state_of(ve) == 'running', ct_userpasswd(node))
    if updated:
        node.save(ve)
    print_lines(lines)
    return 0


def cmd_installtools(node, ve, opts, args):
    """Lab shortcut for guest tools: mounts nothing, marks the tools installed (real text from PrlVm)."""
    out('Installing...')
    if ve['type'] == 'VM':
        ve['guest_tools'] = 'installed'
        node.save(ve)
    out("The guest tools ISO is mounted.\nInside Linux VM, run 'mount /dev/cdrom /mnt/cdrom', then "
        "'bash /mnt/cdrom/install'.\nInside Windows VM, use autorun or open the drive in Explorer and run the installer.")
    return 0


# ================================================================ create

def unpack(archive, target):
    import tarfile
    with tarfile.open(archive, 'r:*') as tar:
        if hasattr(tarfile, 'fully_trusted_filter'):
            tar.extractall(target, filter='fully_trusted')
        else:
            tar.extractall(target)


def cmd_create(node, name, opts):
    vmtype = last(opts, 'vmtype', 'all')
    if vmtype not in VMTYPES:
        fail(RC_USAGE, 'An incorrect value for --vmtype is specified: %s' % vmtype)
    kind = 'CT' if VMTYPES[vmtype] == 'CT' else 'VM'
    if node.find(name) is not None:
        fail(RC_FAIL, 'Failed to create the %s: The %s with the name "%s" is already registered.'
             % ('Container' if kind == 'CT' else 'VM', kind, name))   # UNCONFIRMED SDK text
    uuid = last(opts, 'uuid', '').strip('{}') or new_uuid()
    if node.find(uuid) is not None:
        fail(RC_FAIL, 'Failed to create the %s: The UUID %s is already registered.' % (kind, uuid))  # UNCONFIRMED
    home = home_dir(node, kind, uuid, last(opts, 'dst'))
    if kind == 'CT':
        gconf = node.global_conf()
        ostemplate = last(opts, 'ostemplate') or gconf.get('DEF_OSTEMPLATE', 'centos-7')
        archive = node.lab.path('%s/%s.tar.gz' % (TEMPLATE_CACHE, ostemplate))
        sample = last(opts, 'config') or gconf.get('CONFIGFILE', '')
        sample_file = node.lab.path('/etc/vz/conf/ve-%s.conf-sample' % sample) if sample else None
        out('Creating the Container...')
        if not os.path.isfile(archive):
            # UNCONFIRMED SDK text.
            fail(RC_FAIL, 'Failed to create the Container: The OS template %s is not found.' % ostemplate)
        if sample_file and not os.path.isfile(sample_file):
            fail(RC_FAIL, 'Failed to create the Container: The sample configuration %s is not found.' % sample)
        ve = new_ve('CT', name, home, uuid=uuid, ostemplate=ostemplate, dist=ostemplate.split('-')[0])
        apply_sample(ve, sample_file)
        makedirs(node.rootfs(ve))
        unpack(archive, node.rootfs(ve))
        makedirs(node.lab.path('/vz/root/%s' % uuid))
        node.save(ve)
        out('The Container has been successfully created.')
        return 0
    dist = last(opts, 'distribution') or last(opts, 'ostype') or DEFAULT_DISTRIBUTION
    if dist not in DISTRIBUTIONS:
        fail(RC_USAGE, 'An incorrect value for --distribution is specified: %s' % dist)   # UNCONFIRMED wording
    out('Creating the virtual machine...')
    ve = new_ve('VM', name, home, uuid=uuid, dist=dist)
    if opts.get('no-hdd'):
        ve['devices'] = [d for d in ve['devices'] if d['kind'] != 'hdd']
    makedirs(node.lab.path(home))
    with open(node.lab.path(home + '/config.pvs'), 'w', encoding='utf-8') as handle:
        handle.write('<ParallelsVirtualMachine><Identification><VmUuid>{%s}</VmUuid><VmName>%s</VmName>'
                     '</Identification></ParallelsVirtualMachine>\n' % (uuid, name))
    node.save(ve)
    out('The VM has been successfully created.')
    return 0


def apply_sample(ve, path):
    """PHYSPAGES/SWAPPAGES/DISKSPACE/CPUUNITS of a vzctl sample config (pages of 4 KiB, diskspace in KiB)."""
    if not path:
        return
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            key, sep, value = line.strip().partition('=')
            value = value.strip('"').split(':')[-1]
            if not sep or not value.isdigit():
                continue
            if key == 'PHYSPAGES':
                ve['memsize'] = int(value) // 256
            elif key == 'SWAPPAGES':
                ve['swappages'] = int(value)
            elif key == 'DISKSPACE':
                ve['devices'][0]['size'] = int(value) // 1024
            elif key == 'CPUUNITS':
                ve['cpuunits'] = int(value)


# ================================================================ dispatch

VMTYPES = {'ct': 'CT', 'c': 'CT', 'vm': 'VM', 'v': 'VM', 'all': 'all', 'a': 'all'}
SET_OPTIONS = dict((name, True) for name in (
    'cpus', 'cpu-sockets', 'cpuunits', 'cpulimit', 'cpumask', 'nodemask', 'cpu-hotplug', 'memsize', 'memguarantee',
    'swappages', 'swap', 'quotaugidlimit', 'features', 'capability', 'device-set', 'device-add', 'device-del',
    'size', 'diskspace', 'image', 'mnt', 'iface', 'hostname', 'nameserver', 'searchdomain', 'ipadd', 'ipdel',
    'ipset', 'gw', 'gw6', 'dhcp', 'dhcp6', 'ifname', 'onboot', 'autostart', 'autostart-delay', 'autostop', 'name',
    'description', 'userpasswd', 'ioprio', 'iolimit', 'iopslimit', 'ha-enable', 'ha-prio', 'applyconfig',
    'offline-management', 'template', 'backup-path'))
SET_OPTIONS.update(dict((name, False) for name in ('crypted', 'no-fs-resize', 'offline', 'detach-only',
                                                   'destroy-image', 'destroy-image-force')))

COMMANDS = {
    'start': Cmd(cmd_start, {'repair': False}, locks=True),
    'stop': Cmd(cmd_stop, {'kill': False, 'fast': False, 'acpi': False, 'noforce': False}, locks=True),
    'restart': Cmd(cmd_restart, locks=True),
    'suspend': Cmd(transition('suspend', 'Suspending', 'suspended', ('running',), 'suspended'), locks=True),
    'resume': Cmd(transition('resume', 'Resuming', 'resumed', ('suspended',), 'running'), locks=True),
    'pause': Cmd(transition('pause', 'Pause', 'paused', ('running',), 'paused'), {'acpi': False}, locks=True),
    'status': Cmd(cmd_status),
    'delete': Cmd(cmd_delete, {'force': False}, locks=True),
    'exec': Cmd(cmd_exec, {'without-shell': False}, deprecated=False),
    'set': Cmd(cmd_set, SET_OPTIONS, locks=True),
    'installtools': Cmd(cmd_installtools, locks=True),
    'snapshot': Cmd(data.cmd_snapshot, {'name': True, 'description': True}, {'-n': '--name', '-d': '--description'},
                    locks=True),
    'snapshot-list': Cmd(data.cmd_snapshot_list, {'tree': False, 'id': True, 'no-header': False, 'json': False},
                         {'-t': '--tree', '-i': '--id', '-H': '--no-header', '-j': '--json'}),
    'snapshot-switch': Cmd(data.cmd_snapshot_switch, {'id': True, 'skip-resume': False}, {'-i': '--id'}, locks=True),
    'snapshot-delete': Cmd(data.cmd_snapshot_delete, {'id': True, 'children': False}, {'-i': '--id', '-c': '--children'},
                           locks=True),
    'backup': Cmd(data.cmd_backup, {'full': False, 'incremental': False, 'storage': True, 'description': True,
                                    'no-compression': False, 'no-tunnel': False},
                  {'-f': '--full', '-i': '--incremental', '-s': '--storage'}, locks=True),
    'clone': Cmd(data.cmd_clone, {'name': True, 'template': False, 'dst': True, 'linked': False, 'changesid': False,
                                  'detach-external-hdd': True}, {'-n': '--name'}, locks=True),
    'migrate': Cmd(data.cmd_migrate, {'dst': True, 'clone': False, 'keep-src': False, 'remove-src': False,
                                      'changesid': False, 'no-compression': False, 'no-tunnel': False, 'ssh': True},
                   locks=True),
}
# Actions without a VE argument, or with their own argument handling.
LIST_OPTIONS = {'all': False, 'stopped': False, 'no-header': False, 'output': True, 'sort': True, 'template': False,
                'vmtype': True, 'json': False, 'info': False, 'full': False, 'list-fields': False}
LIST_SHORT = {'-a': '--all', '-S': '--stopped', '-H': '--no-header', '-o': '--output', '-s': '--sort',
              '-t': '--template', '-j': '--json', '-i': '--info', '-f': '--full', '-L': '--list-fields'}
CREATE_OPTIONS = {'vmtype': True, 'ostemplate': True, 'config': True, 'uuid': True, 'dst': True, 'no-hdd': False,
                  'distribution': True, 'ostype': True, 'location': True}
BACKUP_LIST_OPTIONS = {'full': False, 'vmtype': True, 'localvms': False, 'storage': True, 'no-header': False}
RESTORE_OPTIONS = {'tag': True, 'name': True, 'dst': True, 'storage': True, 'no-tunnel': False, 'live': False}
BACKUP_DELETE_OPTIONS = {'tag': True, 'keep-chain': False, 'storage': True}


def _prlctl(args):
    lab = Lab.from_env()
    node = Node(lab)
    if not args or args[0] in ('-h', '--help', 'help'):
        sys.stdout.write(USAGE) if args else sys.stderr.write(USAGE)
        return 0 if args else RC_USAGE
    action = args[0]
    if action not in ('list', 'exec') and node.deprecation():
        err(DEPRECATION)
    try:
        return dispatch(node, action, args[1:])
    except PrlError as exc:
        report(exc)
    return RC_FAIL


def take_fault(node, action, selectors, ve=None, locks=False):
    fault = Faults(node.lab).take(PROG, (action,), selectors)
    if fault is None:
        return None
    lock = node.lock(ve) if (locks and ve is not None and fault.get('hang')) else None
    try:
        Faults.apply(fault)
    finally:
        if lock is not None and 'rc' in fault:
            lock.release()
    return lock


def dispatch(node, action, args):
    if action == 'list':
        opts, positional = parse_options(Cmd(None, LIST_OPTIONS, LIST_SHORT), args)
        take_fault(node, action, tuple(positional))
        flags = dict((key.replace('-', '_'), True) for key, value in opts.items() if value is True)
        for key in ('output', 'sort'):
            if key in opts:
                flags[key] = last(opts, key)
        vmtype = last(opts, 'vmtype', 'all')
        if vmtype not in VMTYPES:
            fail(RC_USAGE, 'An incorrect value for --vmtype is specified: %s' % vmtype)
        flags['vmtype'] = VMTYPES[vmtype]
        return cmd_list(node, flags, positional[0] if positional else None)
    if action == 'create':
        opts, positional = parse_options(Cmd(None, CREATE_OPTIONS), args)
        if not positional:
            fail(RC_USAGE, 'The VM name is not specified.')   # UNCONFIRMED wording
        take_fault(node, action, (positional[0],))
        return cmd_create(node, positional[0], opts)
    if action == 'backup-list':
        short = {'-f': '--full', '-s': '--storage', '-H': '--no-header'}
        opts, positional = parse_options(Cmd(None, BACKUP_LIST_OPTIONS, short), args)
        take_fault(node, action, tuple(positional))
        return data.cmd_backup_list(node, opts, positional[0] if positional else None)
    if action in ('restore', 'backup-delete'):
        table = RESTORE_OPTIONS if action == 'restore' else BACKUP_DELETE_OPTIONS
        opts, positional = parse_options(Cmd(None, table, {'-t': '--tag', '-n': '--name', '-s': '--storage'}), args)
        take_fault(node, action, tuple(positional))
        func = data.cmd_restore if action == 'restore' else data.cmd_backup_delete
        return func(node, opts, positional[0] if positional else None)
    cmd = COMMANDS.get(action)
    if cmd is None:
        fail(RC_USAGE, 'Unrecognized action: %s' % action, USAGE.rstrip('\n'))   # UNCONFIRMED wording
    if not args or args[0].startswith('-'):
        fail(RC_USAGE, 'The VM ID is not specified.')   # UNCONFIRMED wording
    ident = args[0]
    if action == 'migrate' and '/' in ident:
        ident = ident.split('/', 1)[1]   # [src/]ID: the source is this node
    opts, positional = parse_options(cmd, args[1:], stop_at_positional=(action == 'exec'))
    ve = node.find(ident)
    selectors = (ident,) + ((ve['uuid'], ve['name']) if ve else ())
    lock = take_fault(node, action, selectors, ve, cmd.locks)
    ve = node.get(ident)
    if cmd.locks and lock is None:
        lock = node.lock(ve)
    try:
        return cmd.func(node, node.get(ident), opts, [ident] + positional if action == 'status' else positional)
    finally:
        if lock is not None:
            lock.release()


def prlctl_main(argv=None):
    """Entry point of ``tests/lab/bin/prlctl``; returns the exit code."""
    return run_tool(PROG, _prlctl, sys.argv[1:] if argv is None else list(argv))
