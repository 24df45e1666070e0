# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""prlctl actions that copy VE data: snapshots (§5), backups and restore (§6), clone (§3) and migrate (§7).

Snapshots live in the VE home (``<home>/Snapshots/<id>/``: the VE record and,
for CTs, a copy of ``fs/``); backups under ``/vz/backups/<ve uuid>/<backup
id>/`` (``meta.json``, the record, a copy of the home without snapshots).
With ``-s user[:pw]@server[:port]`` backups are kept on another simulated node
(the backup storage server): the password comes from ``:pw`` or else from the
first line of stdin, as prlctl reads it when ``:pw`` is left out (§6), and is
checked against that node's ``.lab/backup-users.json`` (``{"user": "pw"}``);
``localhost`` needs no password. Migration copies a VE to another simulated
node; the destination host (and a storage server) is resolved through
``$VE_LAB_ROOT/.lab/hosts.json`` (``{"host": "/lab/root"}``) or else a sibling
directory ``$(dirname $VE_LAB_ROOT)/<host>`` that is a virtuozzo lab node.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import re
import shutil
import sys
import time

from .common import Lab, makedirs, out, read_json, write_json
from .virtuozzo_run import run_start, run_stop
from .virtuozzo_state import (
    BACKUP_DIR, MARKER, RC_FAIL, RC_NO_DISPATCHER, RC_USAGE, TECHNOLOGY, Node, fail, generate_mac, home_dir,
    new_uuid, state_of, vm_envid,
)

SNAPSHOT_DIR = 'Snapshots'
VOLATILE = ('snapshots', 'current_snapshot', 'state', 'started')
# States in which the VE's runtime container (if the runtime makes one) exists.
LIVE = ('running', 'paused')


def copytree(src, dst, skip=()):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True, ignore=(lambda d, names: [n for n in names if n in skip]) if skip else None)


def tree_size(path):
    total = 0
    for directory, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                pass
    return total


def snapshot_record(ve):
    return dict((k, copy.deepcopy(v)) for k, v in ve.items() if k not in VOLATILE)


def now():
    return time.strftime('%Y-%m-%d %H:%M:%S', time.localtime())


# ================================================================ snapshots

def cmd_snapshot(node, ve, opts, args):
    out('Creating the snapshot...')
    sid = new_uuid()
    directory = node.lab.path('%s/%s/%s' % (ve['home'], SNAPSHOT_DIR, sid))
    makedirs(directory)
    write_json(os.path.join(directory, 've.json'), snapshot_record(ve))
    if ve['type'] == 'CT':
        copytree(node.rootfs(ve), os.path.join(directory, 'fs'))
    ve['snapshots'].append({'id': sid, 'parent': ve['current_snapshot'], 'name': opts.get('name', [''])[-1],
                            'description': opts.get('description', [''])[-1], 'date': now(),
                            'state': 'running' if state_of(ve) == 'running' else 'stopped'})
    ve['current_snapshot'] = sid
    node.save(ve)
    # The SDK returns the id with braces (UNCONFIRMED).
    out('The snapshot with id {%s} has been successfully created.' % sid)
    return 0


def find_snapshot(ve, text):
    key = (text or '').strip().strip('{}')
    return next((s for s in ve['snapshots'] if s['id'] == key), None)


def cmd_snapshot_list(node, ve, opts, args):
    if opts.get('id'):
        snap = find_snapshot(ve, opts['id'][-1])
        if snap is None:
            fail(RC_FAIL, 'The snapshot %s does not exist.' % opts['id'][-1])   # UNCONFIRMED
        # UNCONFIRMED layout of PrlSnapshotTree::print_info.
        for line in ('ID: {%s}' % snap['id'], 'Name: %s' % snap['name'], 'Date: %s' % snap['date'],
                     'Current: %s' % ('yes' if snap['id'] == ve['current_snapshot'] else 'no'),
                     'State: %s' % ('power on' if snap['state'] == 'running' else 'power off'),
                     'Description: %s' % snap['description']):
            out(line)
        return 0
    if opts.get('tree'):
        def walk(parent, depth):
            for snap in [s for s in ve['snapshots'] if s['parent'] == parent]:
                mark = '*' if snap['id'] == ve['current_snapshot'] else '_'
                out('%s%s{%s}' % ('  ' * depth, mark, snap['id']))   # UNCONFIRMED tree drawing
                walk(snap['id'], depth + 1)
        walk('', 0)
        return 0
    if not opts.get('no-header'):
        out('PARENT_SNAPSHOT_ID                      SNAPSHOT_ID')
    for snap in ve['snapshots']:
        parent = '{%s}' % snap['parent'] if snap['parent'] else ''
        current = '*' if snap['id'] == ve['current_snapshot'] else ' '
        out('%38s %s%38s' % (parent, current, '{%s}' % snap['id']))
    return 0


def cmd_snapshot_switch(node, ve, opts, args):
    if not opts.get('id'):
        fail(RC_FAIL, 'Snapshot id is not specified.')
    snap = find_snapshot(ve, opts['id'][-1])
    # Sheet §5 gives this line with the id (PrlVm.cpp of some builds prints "Switch to the snapshot...").
    out('Switch to the snapshot %s' % opts['id'][-1])
    if snap is None:
        fail(RC_FAIL, 'Failed to switch to snapshot: The snapshot %s does not exist.' % opts['id'][-1])  # UNCONFIRMED
    directory = node.lab.path('%s/%s/%s' % (ve['home'], SNAPSHOT_DIR, snap['id']))
    if state_of(ve) in LIVE:
        run_stop(node, ve)  # the runtime's container (if any) must not keep the file system being replaced
    saved = read_json(os.path.join(directory, 've.json'), {})
    for key, value in saved.items():
        ve[key] = value
    if ve['type'] == 'CT' and os.path.isdir(os.path.join(directory, 'fs')):
        copytree(os.path.join(directory, 'fs'), node.rootfs(ve))
    if snap['state'] == 'running':
        ve['state'] = 'paused' if opts.get('skip-resume') else 'running'
        ve['started'] = ve.get('started') or time.time()
    else:
        ve['state'], ve['started'] = 'stopped', 0
    ve['current_snapshot'] = snap['id']
    if state_of(ve) in LIVE and run_start(node, ve):
        ve['state'], ve['started'] = 'stopped', 0
        node.save(ve)
        fail(RC_FAIL, 'Failed to switch to snapshot: The lab runtime could not start the %s.' % ve['type'])  # lab wording
    node.save(ve)
    out('The %s has been successfully switched.' % ve['type'])
    return 0


def cmd_snapshot_delete(node, ve, opts, args):
    if not opts.get('id'):
        fail(RC_FAIL, 'Snapshot id is not specified.')
    out('Delete the snapshot...')
    snap = find_snapshot(ve, opts['id'][-1])
    if snap is None:
        fail(RC_FAIL, 'Failed to delete snapshot: The snapshot %s does not exist.' % opts['id'][-1])  # UNCONFIRMED
    doomed = [snap['id']]
    if opts.get('children'):
        index = 0
        while index < len(doomed):
            doomed.extend(s['id'] for s in ve['snapshots'] if s['parent'] == doomed[index])
            index += 1
    else:
        for child in ve['snapshots']:
            if child['parent'] == snap['id']:
                child['parent'] = snap['parent']
    if ve['current_snapshot'] in doomed:
        ve['current_snapshot'] = snap['parent']
    ve['snapshots'] = [s for s in ve['snapshots'] if s['id'] not in doomed]
    for sid in doomed:
        shutil.rmtree(node.lab.path('%s/%s/%s' % (ve['home'], SNAPSHOT_DIR, sid)), ignore_errors=True)
    node.save(ve)
    out('The snapshot has been successfully deleted.')
    return 0


# ================================================================ backups

LOCAL_SERVERS = ('', 'localhost', 'localhost.localdomain', '127.0.0.1')


def storage_of(node, opts):
    """The node that keeps the backups: this one, or the ``--storage`` server after a password check."""
    spec = (opts.get('storage') or [''])[-1]
    if not spec:
        return node
    login, _at, server = spec.rpartition('@')
    user, colon, password = login.partition(':')
    host = re.sub(r':\d+$', '', server)
    if host in LOCAL_SERVERS:
        return node
    if not colon:
        # PrlSrv::login -> read_passwd: the prompt goes to /dev/tty, the password is stdin's first line.
        line = sys.stdin.readline() if not sys.stdin.closed else ''
        password = line[:-1] if line.endswith('\n') else line + '\xff'   # EOF before newline: see §6 note
    host, store = resolve_host(node, host)
    if store is None:
        fail(RC_NO_DISPATCHER, 'Unable to connect to Virtuozzo server %s: Connection refused' % host)  # UNCONFIRMED
    users = read_json(store.lab.state('backup-users.json'), {}) or {}
    if (user or 'root') not in users or users[user or 'root'] != password:
        fail(RC_FAIL, 'Login failed: Incorrect user name or password.')   # UNCONFIRMED SDK text
    return store


def backups(node):
    """Every backup on the node, oldest first: dicts from meta.json plus their directory."""
    root = node.lab.path(BACKUP_DIR)
    found = []
    if os.path.isdir(root):
        for ve_dir in sorted(os.listdir(root)):
            base = os.path.join(root, ve_dir)
            for entry in sorted(os.listdir(base)) if os.path.isdir(base) else ():
                meta = read_json(os.path.join(base, entry, 'meta.json'))
                if isinstance(meta, dict):
                    meta['dir'] = os.path.join(base, entry)
                    found.append(meta)
    found.sort(key=lambda m: (m['created'], m['id']))
    return found


def cmd_backup(node, ve, opts, args):
    kind = ve['type']
    store = storage_of(node, opts)
    out('Backing up the %s %s' % (kind, ve['name']))
    mine = [b for b in backups(store) if b['ve_uuid'] == ve['uuid']]
    fulls = [b for b in mine if b['type'] == 'f']
    if opts.get('full') or not fulls:
        bid, btype = '{%s}' % new_uuid(), 'f'
    else:
        # UNCONFIRMED: incremental ids are "<full id>.N", N counting the chain from 2.
        base = fulls[-1]['id']
        chain = [b for b in mine if b['id'].startswith(base + '.')]
        bid, btype = '%s.%d' % (base, len(chain) + 2), 'i'
    directory = store.lab.path('%s/%s/%s' % (BACKUP_DIR, ve['uuid'], bid.strip('{}')))
    makedirs(directory)
    copytree(node.lab.path(ve['home']), os.path.join(directory, 'home'), skip=(SNAPSHOT_DIR,))
    write_json(os.path.join(directory, 've.json'), snapshot_record(ve))
    meta = {'id': bid, 've_uuid': ve['uuid'], 'name': ve['name'], 'kind': kind, 'type': btype,
            'date': now(), 'created': time.time(), 'host': node.hostname,
            'description': opts.get('description', [''])[-1], 'size': tree_size(os.path.join(directory, 'home'))}
    write_json(os.path.join(directory, 'meta.json'), meta)
    out('The %s has been successfully backed up with backup id %s.' % (kind, bid))
    return 0


LIST_STD_FMT = '%38s %-38s %-20s %-20s %4s %10s'


def cmd_backup_list(node, opts, ident):
    found = backups(storage_of(node, opts))
    if ident:
        ve = node.get(ident)
        found = [b for b in found if b['ve_uuid'] == ve['uuid']]
    vmtype = (opts.get('vmtype') or ['all'])[-1]
    if vmtype in ('ct', 'c', 'vm', 'v'):
        found = [b for b in found if b['kind'] == ('CT' if vmtype[0] == 'c' else 'VM')]
    if opts.get('full'):
        for b in found:
            for line in ('VM_UUID: {%s}' % b['ve_uuid'], 'Name: %s' % b['name'], 'Host: %s' % b['host'],
                         'Owner: root', 'Backup_ID: %s' % b['id'], 'Date: %s' % b['date'], 'Type: %s' % b['type'],
                         'Size: %d' % b['size'], 'Description: %s' % b['description'],
                         'ServerUuid: {%s}' % node_uuid(node), 'DiskList:', '\tName: hdd0',
                         '\tOriginalPath: %s' % b.get('home', ''), '\tSize: %d' % b['size'], ''):
                out(line)
        return 0
    if not opts.get('no-header'):
        out(LIST_STD_FMT % ('ID', 'Backup_ID', 'Node', 'Date', 'Type', 'Size'))
    for b in found:
        out(LIST_STD_FMT % ('{%s}' % b['ve_uuid'], b['id'], b['host'], b['date'], b['type'], b['size']))
    return 0


def node_uuid(node):
    settings = node.settings
    return settings.get('uuid') or '00000000-0000-0000-0000-000000000000'


def find_backup(node, tag):
    return next((b for b in backups(node) if b['id'] == tag or b['id'].strip('{}') == tag.strip('{}')), None)


def cmd_restore(node, opts, ident):
    tag = (opts.get('tag') or [''])[-1]
    name = (opts.get('name') or [''])[-1]
    kind = 'VM'   # PrlBackup restore_vm: the type word is only known when an ID is given
    store = storage_of(node, opts)
    if ident:
        ve = node.get(ident)
        kind = ve['type']
        out('Restore the %s {%s}' % (kind, ve['uuid']))
        mine = [b for b in backups(store) if b['ve_uuid'] == ve['uuid']]
        backup = find_backup(store, tag) if tag else (mine[-1] if mine else None)
    elif tag:
        backup = find_backup(store, tag)
        out('Restore the backup id=%s, virtual environment id=%s' % (tag, '{%s}' % backup['ve_uuid'] if backup else ''))
    else:
        fail(RC_USAGE, 'VM ID is not specified.')
    if backup is None:
        fail(RC_FAIL, 'Failed to restore the %s: The backup is not found.' % kind)   # UNCONFIRMED SDK text
    record = read_json(os.path.join(backup['dir'], 've.json'), {})
    target = node.find(backup['ve_uuid']) if not name else node.find(name)
    if target is not None and state_of(target) != 'stopped':
        # Sheet §6: only stopped VEs can be restored (SDK text UNCONFIRMED).
        fail(RC_FAIL, 'Failed to restore the %s: The %s is running.' % (kind, target['type']))
    if name and target is not None:
        fail(RC_FAIL, 'Failed to restore the %s: The name "%s" is already in use.' % (kind, name))   # UNCONFIRMED
    ve = dict(record, state='stopped', started=0, snapshots=[], current_snapshot='')
    if name:
        ve['uuid'] = new_uuid()
        ve['name'] = name
        ve['envid'] = ve['uuid'] if ve['type'] == 'CT' else vm_envid(ve['uuid'])
        ve['home'] = home_dir(node, ve['type'], ve['uuid'], (opts.get('dst') or [None])[-1])
        for dev in ve['devices']:
            if dev.get('image', '').startswith(record['home'] + '/'):
                dev['image'] = ve['home'] + dev['image'][len(record['home']):]
            if dev.get('mac'):
                dev['mac'] = generate_mac()
    elif target is not None:
        shutil.rmtree(node.lab.path(target['home']), ignore_errors=True)
    copytree(os.path.join(backup['dir'], 'home'), node.lab.path(ve['home']))
    node.save(ve)
    out('The %s has been restored.' % kind)
    return 0


def cmd_backup_delete(node, opts, ident):
    tag = (opts.get('tag') or [''])[-1]
    store = storage_of(node, opts)
    if ident:
        ve = node.get(ident)
        what = ve['type']
        out('Delete the %s backup' % what)
        doomed = [b for b in backups(store) if b['ve_uuid'] == ve['uuid'] and (not tag or b['id'] == tag)]
    elif tag:
        what = tag
        out('Delete the backup %s' % tag)
        base = find_backup(store, tag)
        doomed = [b for b in backups(store) if base and (b['id'] == base['id'] or b['id'].startswith(base['id'] + '.'))]
    else:
        fail(RC_USAGE, 'VM ID is not specified.')
    if not doomed:
        fail(RC_FAIL, 'Failed to delete the backup: The backup is not found.')   # UNCONFIRMED SDK text
    for b in doomed:
        shutil.rmtree(b['dir'], ignore_errors=True)
    out('The %s backup have been successfully removed.' % what)
    return 0


# ================================================================ clone and migrate

def copy_ve(src_node, ve, dst_node, name, dst_path=None, new_identity=True):
    """Copy ``ve`` (record and home) to ``dst_node`` as ``name``; a new UUID/EnvID/MACs unless told otherwise."""
    new = copy.deepcopy(ve)
    new['name'] = name
    new['snapshots'], new['current_snapshot'] = [], ''
    if new_identity:
        new['uuid'] = new_uuid()
        new['envid'] = new['uuid'] if ve['type'] == 'CT' else vm_envid(new['uuid'])
        for dev in new['devices']:
            if dev.get('mac'):
                dev['mac'] = generate_mac()
    if new_identity or dst_path:
        new['home'] = home_dir(dst_node, ve['type'], new['uuid'], dst_path)
        for dev in new['devices']:
            if dev.get('image', '').startswith(ve['home'] + '/'):
                dev['image'] = new['home'] + dev['image'][len(ve['home']):]
    copytree(src_node.lab.path(ve['home']), dst_node.lab.path(new['home']), skip=(SNAPSHOT_DIR,))
    return new


def cmd_clone(node, ve, opts, args):
    kind = ve['type']
    name = (opts.get('name') or [''])[-1]
    if not name:
        fail(RC_USAGE, 'Failed to clone the %s; the --name option is not specified.' % kind)
    out('Clone the %s %s to %s %s...' % (ve['name'], kind, 'template' if opts.get('template') else kind, name))
    if node.find(name) is not None:
        fail(RC_FAIL, '', 'Failed to clone the %s: The name "%s" is already in use.' % (kind, name))   # UNCONFIRMED
    new = copy_ve(node, ve, node, name, (opts.get('dst') or [None])[-1])
    new['state'], new['started'] = 'stopped', 0
    new['template'] = bool(opts.get('template'))
    node.save(new)
    out('')
    out('The %s has been successfully cloned.' % kind)
    return 0


def resolve_host(node, server):
    """``[user[:pw]@]host[:port]`` -> the destination Node, or None."""
    host = server.rpartition('@')[2]
    host = re.sub(r':\d+$', '', host)
    hosts = read_json(node.lab.state('hosts.json'), {}) or {}
    root = hosts.get(host)
    if root is None:
        candidate = os.path.join(os.path.dirname(node.lab.root.rstrip('/')), host)
        marker = read_json(os.path.join(candidate, MARKER), {}) or {}
        if marker.get('technology') == TECHNOLOGY:
            root = candidate
    return (host, Node(Lab(root))) if root else (host, None)


def cmd_migrate(node, ve, opts, args):
    kind = ve['type']
    if not args:
        fail(RC_USAGE, 'The destination server is not specified.')   # UNCONFIRMED wording
    server, _sep, dst_name = args[0].partition('/')
    location = (opts.get('dst') or [''])[-1]
    host, dst = resolve_host(node, server)
    out('Migrate the %s %s on %s %s (%s)' % (kind, ve['name'], host, dst_name, location))
    if dst is None:
        # UNCONFIRMED SDK text; PRL_ERR_CANT_CONNECT_TO_DISPATCHER maps to 253 (§1.1).
        fail(RC_NO_DISPATCHER, 'Unable to connect to Virtuozzo server %s: Connection refused' % host)
    if os.path.realpath(dst.lab.root) == os.path.realpath(node.lab.root):
        fail(RC_FAIL, '', 'Failed to migrate the %s: The source and destination servers are the same.' % kind)
    keep = bool(opts.get('clone') or opts.get('keep-src'))
    name = dst_name or ve['name']
    if dst.find(name) is not None or (not keep and dst.find(ve['uuid']) is not None):
        fail(RC_FAIL, '', 'Failed to migrate the %s: The %s "%s" already exists on the destination server.'
             % (kind, kind, name))   # UNCONFIRMED SDK text
    if not keep and state_of(ve) in LIVE:
        run_stop(node, ve)  # the running VE moves: its container stops here and starts on the destination
    new = copy_ve(node, ve, dst, name, location or None, new_identity=keep)
    new['snapshots'], new['current_snapshot'] = copy.deepcopy(ve['snapshots']), ve['current_snapshot']
    if not keep:
        snaps = node.lab.path('%s/%s' % (ve['home'], SNAPSHOT_DIR))
        if os.path.isdir(snaps):
            copytree(snaps, dst.lab.path('%s/%s' % (new['home'], SNAPSHOT_DIR)))
    else:
        new['snapshots'], new['current_snapshot'] = [], ''
        new['state'], new['started'] = 'stopped', 0
    dst.save(new)
    if not keep and state_of(new) in LIVE and run_start(dst, new):
        # Undone: the copy goes, the VE runs again here. Lab wording.
        shutil.rmtree(dst.lab.path(new['home']), ignore_errors=True)
        dst.forget(new)
        run_start(node, ve)
        fail(RC_FAIL, 'Failed to migrate the %s: The lab runtime could not start it on %s.' % (kind, host))
    if not keep:
        shutil.rmtree(node.lab.path(ve['home']), ignore_errors=True)
        if kind == 'CT':
            try:
                os.unlink(node.lab.path('/etc/vz/conf/%s.conf' % ve['uuid']))
            except OSError:
                pass
        node.forget(ve)
    out('')
    out('The %s has been successfully migrated.' % kind)
    return 0
