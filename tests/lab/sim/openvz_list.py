# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Simulator of the legacy OpenVZ ``vzlist`` (vzctl 4.x), openvz.md §6.

Reads what ``vzctl`` (the simulator) left under ``$VE_LAB_ROOT``: the CT
configuration files for everything a config knows, the run state for what the
kernel would report (addresses, UBC usage and limits, CPU settings, uptime).

Text output reproduces vzlist's printf layout: each field padded to its width,
fields joined by one blank, trailing blanks trimmed; unless ``-t`` is given, a
string field that is not the last one is cut to its width and list fields show
their first entry only. JSON output is printed the way vzlist's printf()s build
it, including the missing escaping of strings.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import getopt
import os
import re
import sys
import time

from .common import Faults, Lab, ToolExit, err, out, run_tool
from .openvz_conf import (
    CAPABILITIES, CONF_DIR, DEF_CPUUNITS, FEATURES, GLOBAL_CONF, IDLE_HELD, INT_MAX, LONG_MAX,
    NETFILTER_DEFAULT, VEID_MAX, ConfFile, CTConfig, all_states, ctid_by_name, parse_float, subst_veid,
)

PROG = 'vzlist'
ROOT_CHECK_ENV = 'VE_LAB_REQUIRE_ROOT'
DEFAULT_FIELDS = 'ctid,numproc,status,ip,hostname'
DEFAULT_NAME_FIELDS = 'smart_name,numproc,status,ip,hostname'
STATUSES = ('running', 'stopped', 'mounted', 'suspended')

# UBC fields in vzlist's table order with their header stems.
UBC_FIELDS = (
    ('kmemsize', 'KMEMSIZE'), ('lockedpages', 'LOCKEDP'), ('privvmpages', 'PRIVVMP'), ('shmpages', 'SHMP'),
    ('numproc', 'NPROC'), ('physpages', 'PHYSP'), ('vmguarpages', 'VMGUARP'), ('oomguarpages', 'OOMGUARP'),
    ('numtcpsock', 'NTCPSOCK'), ('numflock', 'NFLOCK'), ('numpty', 'NPTY'), ('numsiginfo', 'NSIGINFO'),
    ('tcpsndbuf', 'TCPSNDB'), ('tcprcvbuf', 'TCPRCVB'), ('othersockbuf', 'OTHSOCKB'), ('dgramrcvbuf', 'DGRAMRB'),
    ('numothersock', 'NOTHSOCK'), ('dcachesize', 'DCACHESZ'), ('numfile', 'NFILE'), ('numiptent', 'NIPTENT'),
    ('swappages', 'SWAPP'),
)
UBC_SUFFIXES = ('', '.m', '.b', '.l', '.f')     # held, maxheld, barrier, limit, failcnt
DQ_SUFFIXES = ('', '.s', '.h')                  # usage, softlimit, hardlimit

USAGE = """Usage:\tvzlist [-a | -S] [-n] [-H] [-o field[,field...] | -1] [-s [-]field]
\t       [-h pattern] [-N pattern] [-d pattern] [CTID [CTID ...]]
\tvzlist -L | --list

Options:
\t-a, --all\t\tlist all containers
\t-S, --stopped\t\tlist stopped containers
\t-n, --name\t\tdisplay containers' names
\t-H, --no-header\t\tsuppress columns header
\t-t, --no-trim\t\tdo not trim long values
\t-j, --json\t\toutput in JSON format
\t-o, --output\t\toutput only specified fields
\t-1\t\t\tsynonym for -H -octid
\t-s, --sort\t\tsort by the specified field
\t\t\t\t('-field' to reverse sort order)
\t-h, --hostname\t\tfilter CTs by hostname pattern
\t-N, --name_filter\tfilter CTs by name pattern
\t-d, --description\tfilter CTs by description pattern
\t-L, --list\t\tget possible field names
"""


# ================================================================ one CT as vzlist sees it

class VE:
    """Everything vzlist prints about one CT (None = unknown/unset, as vzlist's NULL)."""

    def __init__(self, ctid):
        self.ctid = ctid
        self.status = 'stopped'
        self.hide = False
        self.state = {}
        self.ip = None
        self.ubc = None
        self.quota = None
        self.cpustat = None
        self.cpu = None
        self.cpunum = -1
        for attr in ('private', 'root', 'mount_opts', 'origin_sample', 'hostname', 'name', 'description',
                     'ostemplate', 'nameserver', 'searchdomain', 'bootorder', 'onboot', 'features',
                     'capability', 'vm_overcommit', 'iolimit', 'iopslimit'):
            setattr(self, attr, None)
        self.ioprio = -1
        self.layout = 'simfs'
        self.disabled = False
        self.netfilter = NETFILTER_DEFAULT

    @property
    def running(self):
        return self.status == 'running'


def _join(words):
    return ' '.join(words) if words else None


def read_config(lab, gconf, ve):
    """vzlist.c read_ves_param()/merge_conf(): what the CT's own config says."""
    conf = ConfFile.read(lab.path('%s/%d.conf' % (CONF_DIR, ve.ctid))) or ConfFile()
    cfg = CTConfig(ve.ctid, gconf, conf)
    own = cfg.own
    if ve.ubc is None:
        ve.ubc = {}
        for name, _hdr in UBC_FIELDS:
            pair = cfg.own_ubc(name) or (0, 0)
            ve.ubc[name] = [0, 0, pair[0], pair[1], 0]
    if ve.ip is None and cfg.ips():
        ve.ip = ' '.join(cfg.ips())
    if ve.cpu is None and (own('CPUUNITS') is not None or own('CPULIMIT') is not None):
        ve.cpu = (cfg.number('CPULIMIT', own=True) or 0, cfg.number('CPUUNITS', own=True) or 0)
    for attr, key in (('hostname', 'HOSTNAME'), ('description', 'DESCRIPTION'), ('ostemplate', 'OSTEMPLATE'),
                      ('mount_opts', 'MOUNT_OPTS'), ('origin_sample', 'ORIGIN_SAMPLE')):
        setattr(ve, attr, own(key))
    if own('NAME') is not None and ctid_by_name(lab, own('NAME')) == ve.ctid:
        ve.name = own('NAME')
    ve.nameserver = _join(cfg.words('NAMESERVER', own=True))
    ve.searchdomain = _join(cfg.words('SEARCHDOMAIN', own=True))
    ve.root = subst_veid(own('VE_ROOT') or gconf.get('VE_ROOT'), ve.ctid)
    ve.private = subst_veid(own('VE_PRIVATE') or gconf.get('VE_PRIVATE'), ve.ctid)
    ve.onboot = own('ONBOOT') if own('ONBOOT') in ('yes', 'no') else None
    ve.bootorder = cfg.number('BOOTORDER', own=True)
    ve.ioprio = cfg.number('IOPRIO', own=True)
    ve.ioprio = -1 if ve.ioprio is None else ve.ioprio
    ve.iolimit = cfg.number('IOLIMIT', own=True)
    ve.iopslimit = cfg.number('IOPSLIMIT', own=True)
    if ve.cpunum == -1 and cfg.number('CPUS', own=True) is not None:
        ve.cpunum = cfg.number('CPUS', own=True)
    ve.features = cfg.flags('FEATURES')
    ve.capability = cfg.flags('CAPABILITY')
    ve.disabled = own('DISABLED') == 'yes'
    ve.layout = cfg.layout
    ve.netfilter = own('NETFILTER') or NETFILTER_DEFAULT
    if own('VM_OVERCOMMIT') is not None:
        try:
            ve.vm_overcommit = parse_float(own('VM_OVERCOMMIT'))
        except ValueError:
            ve.vm_overcommit = None
    return cfg


def disk_usage(path):
    """(KB used, inodes used) of a directory tree, as a quota would count them."""
    blocks, inodes = 0, 0
    for top, dirs, files in os.walk(path):
        # os.walk lists symlinks to directories among dirs but does not descend into them
        entries = [top] + [os.path.join(top, n) for n in files]
        entries += [os.path.join(top, d) for d in dirs if os.path.islink(os.path.join(top, d))]
        for entry in entries:
            try:
                blocks += os.lstat(entry).st_blocks
                inodes += 1
            except OSError:
                pass
    return blocks // 2, inodes


def fill_quota(lab, cfg, ve):
    """DISKSPACE/DISKINODES limits from the config; usage only while the CT's disk is mounted."""
    space, inodes = cfg.quota('DISKSPACE'), cfg.quota('DISKINODES')
    if space is None and inodes is None:
        return
    used = disk_usage(lab.path(ve.private)) if ve.state.get('mounted') and ve.private else (0, 0)
    ve.quota = {
        'diskspace': [used[0]] + list(space or (0, 0)),
        'diskinodes': [used[1]] + list(inodes or (0, 0)),
    }


def fill_running(ve, state, now):
    """What the kernel reports for a running CT (the simulator's run state)."""
    ve.status = 'running'
    ve.state = state
    ve.ip = ' '.join(state.get('ip', []))
    held = state.get('held', {})
    ve.ubc = {}
    for name, _hdr in UBC_FIELDS:
        barrier, limit = state.get('ubc', {}).get(name, (LONG_MAX, LONG_MAX))
        usage = held.get(name, IDLE_HELD.get(name, 0))
        ve.ubc[name] = [usage, usage, barrier, limit, 0]
    la = state.get('laverage', [0.0, 0.0, 0.0])
    ve.cpustat = (la, max(0.0, now - state.get('started', now)))
    ve.cpu = (state.get('cpulimit', 0), state.get('cpuunits', DEF_CPUUNITS))
    ve.cpunum = state.get('cpus', 0)


def conf_ids(lab):
    directory = lab.path(CONF_DIR)
    ids = []
    for entry in os.listdir(directory) if os.path.isdir(directory) else ():
        match = re.match(r'^(\d+)\.conf$', entry)
        if match:
            if int(match.group(1)) > VEID_MAX:
                err('Warning: invalid CTID in config file name: %s, skipping' % entry)
                continue
            ids.append(int(match.group(1)))
    return ids


def collect(lab, gconf, opts, quota_wanted):
    """vzlist.c collect(): the CTs to consider, or None when there are none at all."""
    wanted = set(opts.ctids) if opts.ctids else None
    states = dict((k, v) for k, v in all_states(lab).items() if v.get('running'))
    ids = set()
    if opts.all or opts.stopped or wanted is not None:
        ids.update(conf_ids(lab))
    ids.update(states)
    if wanted is not None:
        ids &= wanted
    if not (opts.all or opts.stopped or wanted is not None):
        ids &= set(states)
    if not ids:
        return None
    now = time.time()
    others = all_states(lab)
    dumpdir = gconf.get('DUMPDIR') or '/vz/dump'
    ves = []
    for ctid in sorted(ids):
        ve = VE(ctid)
        if ctid in states:
            fill_running(ve, states[ctid], now)
        else:
            ve.state = others.get(ctid, {})
        cfg = read_config(lab, gconf, ve)
        if not ve.running:
            if not ve.private or not os.path.exists(lab.path(ve.private)):
                ve.hide = True
            elif os.path.exists(lab.path('%s/Dump.%d' % (dumpdir, ctid))):
                ve.status = 'suspended'
            if ve.state.get('mounted'):
                ve.status = 'mounted'
        if quota_wanted:
            fill_quota(lab, cfg, ve)
        ves.append(ve)
    return ves


# ================================================================ fields: text and JSON printers

def json_str(value):
    """vzlist prints strings with printf("\\"%s\\"") -- no escaping at all."""
    return 'null' if value is None else '"%s"' % value


def json_list(value):
    return '[%s]' % ', '.join('"%s"' % w for w in (value or '').split())


def json_object(pairs, fmt):
    if not pairs:
        return 'null'
    return '{\n%s\n    }' % ',\n'.join('      "%s": %s' % (k, fmt(v)) for k, v in pairs)


def json_bool(value):
    return 'true' if value else 'false'


class Field:
    """One ``-o`` field: header, header format, suffix index and how to print/sort it."""

    def __init__(self, name, header, hdr_fmt, index, text, json, sort=None):
        self.name = name
        self.header = header
        self.hdr_fmt = hdr_fmt
        self.index = index
        self.text = text        # (ve, index, last) -> str
        self.json = json        # (ve, index) -> str
        self.sort = sort        # (ve, index) -> comparable or None (no sorting)


def _cut(text, width, last):
    return text if last else text[:width]


def str_field(name, header, width, attr=None, hdr_fmt=None):
    attr = attr or name

    def text(ve, index, last):
        value = getattr(ve, attr)
        return _cut('%*s' % (width, '-' if value is None else value), abs(width), last)

    def json(ve, index):
        return json_str(getattr(ve, attr))

    return Field(name, header, hdr_fmt or '%%%ds' % width, 0, text, json, lambda ve, i: getattr(ve, attr))


def list_field(name, header):
    def text(ve, index, last):
        value = getattr(ve, name) or '-'
        if not last:
            value = value.split(' ')[0]
        return _cut('%-15s' % value, 15, last)

    def json(ve, index):
        return json_list(getattr(ve, name))

    return Field(name, header, '%-15s', 0, text, json, lambda ve, i: getattr(ve, name))


def ctid_field(name):
    return Field(name, 'CTID', '%10s', 0, lambda ve, i, last: '%10d' % ve.ctid,
                 lambda ve, i: '%d' % ve.ctid, lambda ve, i: ve.ctid)


def smart_name_text(ve, index, last):
    if ve.name is not None:
        return _cut('%10s' % ve.name, 10, last)
    return '%10d' % ve.ctid


def ubc_text(name):
    def text(ve, index, last):
        res = ve.ubc.get(name) if ve.ubc is not None else None
        if res is None or (not ve.running and index in (0, 1, 4)):
            return '%10s' % '-'
        return '%10d' % res[index]
    return text


def ubc_json(name):
    def json(ve, index):
        res = ve.ubc.get(name) if ve.ubc is not None else None
        if res is None:
            return 'null'
        held, maxheld, barrier, limit, failcnt = res if ve.running else (0, 0, res[2], res[3], 0)
        return ('{\n      "held": %d,\n      "maxheld": %d,\n      "barrier": %d,\n'
                '      "limit": %d,\n      "failcnt": %d\n    }' % (held, maxheld, barrier, limit, failcnt))
    return json


def dq_text(key):
    def text(ve, index, last):
        res = ve.quota.get(key) if ve.quota else None
        if res is None or (index == 0 and res[0] == 0):
            return '%10s' % '-'
        return '%10d' % res[index]
    return text


def dq_json(key):
    def json(ve, index):
        res = ve.quota.get(key) if ve.quota else None
        if res is None:
            return 'null'
        return '{\n      "usage": %d,\n      "softlimit": %d,\n      "hardlimit": %d\n    }' % tuple(res)
    return json


def laverage_text(ve, index, last):
    if ve.cpustat is None:
        return '%14s' % '-'
    return '%1.2f/%1.2f/%1.2f' % tuple(ve.cpustat[0])


def laverage_json(ve, index):
    return 'null' if ve.cpustat is None else '[%1.2f, %1.2f, %1.2f]' % tuple(ve.cpustat[0])


def uptime_text(ve, index, last):
    if ve.cpustat is None:
        return '%15s' % '-'
    uptime = ve.cpustat[1]
    days = int(uptime // 86400)
    minutes = int(uptime // 60)
    hours = (minutes // 60) % 24
    minutes %= 60
    secs = int(uptime - (60 * minutes + 3600 * hours + 86400 * days))
    return '%.3dd%.2dh:%.2dm:%.2ds' % (days, hours, minutes, secs)


def cpu_field(name, header, position):
    def text(ve, index, last):
        return '%7s' % '-' if ve.cpu is None else '%7d' % ve.cpu[position]

    def json(ve, index):
        return 'null' if ve.cpu is None else '%d' % ve.cpu[position]

    return Field(name, header, '%7s', 0, text, json, lambda ve, i: None if ve.cpu is None else ve.cpu[position])


def int_field(name, header, width, attr, unset):
    """Integers shown as '-' when unset; JSON prints 0 for unset (UNCONFIRMED widths for iolimit/iopslimit)."""
    def text(ve, index, last):
        value = getattr(ve, attr)
        return '%*s' % (width, '-') if value is None or value == unset else '%*d' % (width, value)

    def json(ve, index):
        value = getattr(ve, attr)
        return '%d' % (0 if value is None or value == unset else value)

    return Field(name, header, '%%%ds' % width, 0, text, json, lambda ve, i: getattr(ve, attr))


def flags_text(attr, order):
    def text(ve, index, last):
        flags = getattr(ve, attr)
        value = ','.join('%s:%s' % (n, 'on' if flags[n] else 'off') for n in order if n in (flags or {})) or '-'
        return _cut('%-15s' % value, 15, last)
    return text


def flags_json(attr, order):
    def json(ve, index):
        flags = getattr(ve, attr)
        return json_object([(n, flags[n]) for n in order if n in (flags or {})], json_bool)
    return json


def is_vswap(ve):
    """Same test as vzctl's is_vswap_config(): a physpages limit that is not "unlimited"."""
    res = (ve.ubc or {}).get('physpages')
    return res is not None and res[3] not in (LONG_MAX, INT_MAX)


def build_fields():
    fields = [ctid_field('ctid'), ctid_field('veid'), ctid_field('vpsid'),
              str_field('private', 'PRIVATE', -32), str_field('root', 'ROOT', -32),
              str_field('mount_opts', 'MOUNT_OPTS', -16),
              str_field('origin_sample', 'ORIGIN_SAMPLE', -32, hdr_fmt='%32s'),
              str_field('hostname', 'HOSTNAME', -32), str_field('name', 'NAME', -32),
              Field('smart_name', 'SMARTNAME', '%10s', 0, smart_name_text,
                    lambda ve, i: json_str(ve.name) if ve.name is not None else '%d' % ve.ctid,
                    lambda ve, i: ve.name),
              str_field('description', 'DESCRIPTION', -32), str_field('ostemplate', 'OSTEMPLATE', -32),
              list_field('ip', 'IP_ADDR'), list_field('nameserver', 'NAMESERVER'),
              list_field('searchdomain', 'SEARCHDOMAIN'),
              Field('status', 'STATUS', '%-9s', 0, lambda ve, i, last: '%-9s' % ve.status,
                    lambda ve, i: json_str(ve.status), lambda ve, i: STATUSES.index(ve.status))]
    for name, header in UBC_FIELDS:
        for index, suffix in enumerate(UBC_SUFFIXES):
            fields.append(Field(name + suffix, header + suffix.upper(), '%10s', index, ubc_text(name), ubc_json(name),
                                lambda ve, i, n=name: None if ve.ubc is None else ve.ubc[n][i]))
    for name, header in (('diskspace', 'DSPACE'), ('diskinodes', 'DINODES')):
        for index, suffix in enumerate(DQ_SUFFIXES):
            fields.append(Field(name + suffix, header + suffix.upper(), '%10s', index, dq_text(name), dq_json(name),
                                lambda ve, i, n=name: (ve.quota or {}).get(n, [None] * 3)[i]))
    fields += [
        Field('laverage', 'LAVERAGE', '%14s', 0, laverage_text, laverage_json,
              lambda ve, i: None if ve.cpustat is None else ve.cpustat[0]),
        Field('uptime', 'UPTIME', '%15s', 0, uptime_text,
              lambda ve, i: '%.3f' % (ve.cpustat[1] if ve.cpustat else 0.0),
              lambda ve, i: None if ve.cpustat is None else -ve.cpustat[1]),
        cpu_field('cpulimit', 'CPULIM', 0), cpu_field('cpuunits', 'CPUUNI', 1),
        int_field('cpus', 'CPUS', 5, 'cpunum', -1),
        int_field('ioprio', 'IOP', 3, 'ioprio', -1),
        int_field('iolimit', 'IOLIMIT', 10, 'iolimit', None),
        int_field('iopslimit', 'IOPS', 10, 'iopslimit', None),
        Field('onboot', 'ONBOOT', '%6s', 0, lambda ve, i, last: '%6s' % (ve.onboot or '-'),
              lambda ve, i: 'null' if ve.onboot is None else json_bool(ve.onboot == 'yes')),
        Field('bootorder', 'BOOTORDER', '%10s', 0,
              lambda ve, i, last: '%10s' % '-' if ve.bootorder is None else '%10d' % ve.bootorder,
              lambda ve, i: 'null' if ve.bootorder is None else '%d' % ve.bootorder,
              lambda ve, i: ve.bootorder),
        Field('layout', 'LAYOUT', '%6s', 0, lambda ve, i, last: '%-6s' % ve.layout,
              lambda ve, i: json_str(ve.layout), lambda ve, i: ve.layout),
        Field('features', 'FEATURES', '%-15s', 0, flags_text('features', FEATURES), flags_json('features', FEATURES)),
        Field('vswap', 'VSWAP', '%5s', 0, lambda ve, i, last: '%5s' % ('yes' if is_vswap(ve) else 'no'),
              lambda ve, i: json_bool(is_vswap(ve))),
        Field('disabled', 'DISABL', '%6s', 0, lambda ve, i, last: '%6s' % ('yes' if ve.disabled else 'no'),
              lambda ve, i: json_bool(ve.disabled)),
        # UNCONFIRMED text widths for the 4.11 additions below.
        Field('vm_overcommit', 'VM_OVC', '%6s', 0,
              lambda ve, i, last: '%6s' % ('-' if ve.vm_overcommit is None else '%g' % ve.vm_overcommit),
              lambda ve, i: '%g' % (ve.vm_overcommit or 0)),
        Field('netfilter', 'NETFILTER', '%-10s', 0, lambda ve, i, last: '%-10s' % ve.netfilter,
              lambda ve, i: json_str(ve.netfilter), lambda ve, i: ve.netfilter),
        Field('capability', 'CAPABILITY', '%-15s', 0, flags_text('capability', CAPABILITIES),
              flags_json('capability', CAPABILITIES)),
    ]
    return fields


FIELDS = build_fields()
FIELD_BY_NAME = dict((f.name, f) for f in FIELDS)


# ================================================================ output

def text_row(ve, fields, trim):
    parts = [f.text(ve, f.index, not trim or n == len(fields) - 1) for n, f in enumerate(fields)]
    return ' '.join(parts).rstrip()


def text_header(fields):
    return ' '.join(f.hdr_fmt % f.header for f in fields).rstrip()


def json_output(ves, fields):
    chunks = ['[']
    for number, ve in enumerate(ves):
        chunks.append('%s\n  {' % ('' if number == 0 else ','))
        for position, field in enumerate(fields):
            chunks.append('%s\n    "%s": %s' % ('' if position == 0 else ',', field.name, field.json(ve, field.index)))
        chunks.append('\n  }')
    chunks.append('\n]\n')
    return ''.join(chunks)


def sort_ves(ves, field, reverse):
    """Stable sort by ``field``; unset values first, as vzlist's check_empty_param()."""
    if field is not None and field.sort is not None:
        def key(ve):
            value = field.sort(ve, field.index)
            return (value is not None, value if value is not None else 0)
        ves = sorted(ves, key=key)
    return list(reversed(ves)) if reverse else ves


# ================================================================ command line

class Options:
    def __init__(self):
        self.all = False
        self.stopped = False
        self.header = True
        self.trim = True
        self.json = False
        self.fields = None
        self.sort = None
        self.reverse = False
        self.patterns = {}
        self.ctids = []


LONG_OPTIONS = ['no-header', 'no-trim', 'stopped', 'all', 'name', 'json', 'name_filter=', 'hostname=',
                'description=', 'output=', 'sort=', 'list', 'help']
SHORT_OPTIONS = 'HtSanjN:h:d:o:s:Le1'
LONG_TO_SHORT = {'no-header': 'H', 'no-trim': 't', 'stopped': 'S', 'all': 'a', 'name': 'n', 'json': 'j',
                 'name_filter': 'N', 'hostname': 'h', 'description': 'd', 'output': 'o', 'sort': 's',
                 'list': 'L', 'help': 'e'}


def getopt_error(exc):
    """glibc's wording for getopt errors."""
    opt, msg = exc.opt, exc.msg
    if len(opt) == 1 and 'not recognized' in msg:
        return "%s: invalid option -- '%s'" % (PROG, opt)
    if len(opt) == 1:
        return "%s: option requires an argument -- '%s'" % (PROG, opt)
    if 'not recognized' in msg:
        return "%s: unrecognized option '--%s'" % (PROG, opt)
    if 'not a unique prefix' in msg:
        return "%s: option '--%s' is ambiguous" % (PROG, opt)
    if 'must not have an argument' in msg:
        return "%s: option '--%s' doesn't allow an argument" % (PROG, opt)
    return "%s: option '--%s' requires an argument" % (PROG, opt)


def parse_args(lab, args):
    opts = Options()
    try:
        found, rest = getopt.gnu_getopt(args, SHORT_OPTIONS, LONG_OPTIONS)
    except getopt.GetoptError as exc:
        err(getopt_error(exc))
        out(USAGE.rstrip('\n'))
        raise ToolExit(1)
    for flag, value in found:
        flag = LONG_TO_SHORT.get(flag.lstrip('-'), flag.lstrip('-'))
        if flag == 'S':
            opts.stopped = True
        elif flag == 't':
            opts.trim = False
        elif flag == 'H':
            opts.header = False
        elif flag == 'L':
            for field in FIELDS:
                out('%-15s %-15s' % (field.name, field.header))
            raise ToolExit(0)
        elif flag == 'a':
            opts.all = True
        elif flag in ('h', 'N', 'd'):
            opts.patterns[flag] = value
        elif flag == 'o':
            opts.fields = value
        elif flag == 's':
            opts.reverse = value.startswith('-')
            opts.sort = FIELD_BY_NAME.get(value[1:] if opts.reverse else value)
            if opts.sort is None:
                err('Invalid sort field name: %s' % value)
                raise ToolExit(1)
        elif flag == '1':
            opts.fields, opts.header = 'veid', False
        elif flag == 'n':
            opts.fields = DEFAULT_NAME_FIELDS
        elif flag == 'j':
            opts.json = True
        else:   # --help has no case of its own in vzlist.c: usage and exit 1
            out(USAGE.rstrip('\n'))
            raise ToolExit(1)
    for arg in rest:
        ctid = int(arg) if re.match(r'^\s*[+-]?\d+$', arg) else 0
        if ctid == 0:
            ctid = ctid_by_name(lab, arg)
        if ctid < 0 or ctid > VEID_MAX:
            err('CT ID %s is invalid.' % arg)
            raise ToolExit(1)
        opts.ctids.append(ctid)
    return opts


def field_order(opts):
    """vzlist.c build_field_order(): the selected fields, or all index-0 fields for bare JSON."""
    spec = opts.fields
    if spec is None:
        if opts.json:
            return [f for f in FIELDS if f.index == 0]
        spec = DEFAULT_FIELDS
    fields = []
    for name in spec.split(','):
        if len(name) > 30:
            err('Invalid field: %s' % name)
            raise ToolExit(1)
        field = FIELD_BY_NAME.get(name)
        if field is None:
            err('Unknown field: %s' % name)
            raise ToolExit(1)
        if opts.json and field.index:
            err("Field `%s' is not available in JSON output" % name)
            raise ToolExit(1)
        fields.append(field)
    return fields


def _vzlist(args):
    lab = Lab.from_env()
    fault = Faults(lab).take(PROG, ('list',), [a for a in args if not a.startswith('-')])
    if fault is not None:
        Faults.apply(fault)
    opts = parse_args(lab, args)
    fields = field_order(opts)
    if os.environ.get(ROOT_CHECK_ENV) and os.geteuid() != 0:
        err('This program can only be run under root.')
        return 1
    gconf = ConfFile.read(lab.path(GLOBAL_CONF)) or ConfFile()
    quota_wanted = any(f.name.startswith(('diskspace', 'diskinodes')) for f in fields)
    ves = collect(lab, gconf, opts, quota_wanted)
    if ves is None:
        if opts.json:
            out('[]')
        else:
            err('Container(s) not found')
        return 1 if opts.ctids else 0
    for flag, attr in (('h', 'hostname'), ('N', 'name'), ('d', 'description')):
        if flag in opts.patterns:
            for ve in ves:
                value = getattr(ve, attr)
                if value is None or not fnmatch.fnmatchcase(value, opts.patterns[flag]):
                    ve.hide = True
    shown = [ve for ve in sort_ves(ves, opts.sort, opts.reverse)
             if not ve.hide and not (opts.stopped and ve.running)]
    if opts.json:
        sys.stdout.write(json_output(shown, fields))
        return 0
    if opts.header:
        out(text_header(fields))
    for ve in shown:
        out(text_row(ve, fields, opts.trim))
    return 0


def vzlist_main(argv=None):
    """Entry point of ``tests/lab/bin/vzlist``; returns the exit code."""
    return run_tool(PROG, _vzlist, sys.argv[1:] if argv is None else list(argv))
