# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stateful simulator of the legacy OpenVZ ``vzctl`` (4.x); ``vzlist`` lives in ``openvz_list``.

Authority: /work/shared/reference/openvz.md. Texts, exit codes and streams are
the sheet's; where it is silent they follow vzctl 4.x's sources, and the few
guesses are marked UNCONFIRMED.

State: everything under ``$VE_LAB_ROOT`` at the real paths (``/etc/vz/conf``,
``/vz/private`` ...); what only a kernel would know (running, mounted, live IP
addresses and limits) is kept in ``$VE_LAB_ROOT/.lab/run/<CTID>.json``.
Messages always print real paths, never the lab prefix.

Entry points: ``vzctl_main()`` and ``vzlist_main()``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import sys
import time

from .common import (
    Console, Faults, Lab, PidLock, ToolExit, atomic_write, err, makedirs, out, read_json, run_tool, write_json,
)
from .openvz_conf import (
    CAPABILITIES, CONF_DIR, DEF_CPUUNITS, FEATURES, GLOBAL_CONF, LONG_MAX, MAX_CPUUNITS, MIN_CPUUNITS,
    NAMES_DIR, PAGE_SIZE, NETFILTER, RESERVED_MAX, STORE_ORDER, UBC, VEID_MAX, VZ, BadValue, ConfFile, CTConfig,
    Truncated, addr_only, all_states, canon_ip, ctid_by_name, find_ip, format_g, generate_mac, load_state,
    merge_ips, parse_bitmap, parse_cpulimit, parse_device, parse_devnode, parse_dq, parse_float, parse_int,
    parse_iolimit, parse_meminfo, parse_netif_add, parse_onoff, parse_ubc, parse_ulong, parse_vswap,
    read_devices, read_devnodes, read_netif, read_onoff, remove_names, save_state, store_dev_list,
    store_netif, store_onoff, ubcstr, valid_name, veth_host_name, yesno,
)
from .openvz_list import vzlist_main
from .runtime import RuntimeLoadError, load_runtime, make_settings, start_runtime

__all__ = ['vzctl_main', 'vzlist_main']

VERSION = '4.11.1'
PROG = 'vzctl'
TEMPLATE_EXTS = ('', '.gz', '.bz2', '.xz')

USAGE = """vzctl version %s
Copyright (C) 2000-2012, Parallels, Inc.
This program may be distributed under the terms of the GNU GPL License.

Usage: vzctl [options] <command> <ctid> [parameters]

vzctl create <ctid> [--ostemplate <name>] [--config <name>]
   [--layout ploop|simfs] [--hostname <name>] [--name <name>] [--ipadd <addr>]
   [--diskspace <kbytes>] [--private <path>] [--root <path>]
vzctl start <ctid> [--force] [--wait]
vzctl destroy | mount | umount | stop | restart | status <ctid>
vzctl convert <ctid> [--layout ploop[:mode]] [--diskspace <kbytes>]
vzctl compact <ctid>
vzctl quotaon | quotaoff | quotainit <ctid>
vzctl console <ctid> [ttyno]
vzctl enter <ctid> [--exec <command> [arg ...]]
vzctl exec | exec2 <ctid> <command> [arg ...]
vzctl runscript <ctid> <script>
vzctl suspend | resume <ctid> [--dumpfile <name>]
vzctl set <ctid> [--save] [--force] [--setmode restart|ignore]
   [--ram <bytes>[KMG]] [--swap <bytes>[KMG]]
   [--ipadd <addr>] [--ipdel <addr>|all] [--hostname <name>]
   [--nameserver <addr>] [--searchdomain <name>]
   [--onboot yes|no] [--bootorder <N>]
   [--userpasswd <user>:<passwd>]
   [--cpuunits <N>] [--cpulimit <N>] [--cpus <N>] [--cpumask <cpus>]
   [--diskspace <soft>[:<hard>]] [--diskinodes <soft>[:<hard>]]
   [--quotatime <N>] [--quotaugidlimit <N>] [--mount_opts <opt>[,<opt>...]]
   [--capability <name>:on|off ...]
   [--devices b|c:major:minor|all:r|w|rw]
   [--devnodes device:r|w|rw|none]
   [--netif_add <ifname[,mac,host_ifname,host_mac,bridge]]>]
   [--netif_del <ifname>]
   [--applyconfig <name>] [--applyconfig_map <name>]
   [--features <name:on|off>] [--name <vename>] [--ioprio <N>]
   [--pci_add [<domain>:]<bus>:<slot>.<func>] [--pci_del <d:b:s.f>]
   [--iptables <name>] [--disabled <yes|no>]
   [UBC parameters]

UBC parameters (N - items, P - pages, B - bytes):
Two numbers divided by colon means barrier:limit.
In case the limit is not given it is set to the same value as the barrier.
   --numproc N[:N]\t--numtcpsock N[:N]\t--numothersock N[:N]
   --vmguarpages P[:P]\t--kmemsize B[:B]\t--tcpsndbuf B[:B]
   --tcprcvbuf B[:B]\t--othersockbuf B[:B]\t--dgramrcvbuf B[:B]
   --oomguarpages P[:P]\t--lockedpages P[:P]\t--privvmpages P[:P]
   --shmpages P[:P]\t--numfile N[:N]\t\t--numflock N[:N]
   --numpty N[:N]\t--numsiginfo N[:N]\t--dcachesize N[:N]
   --numiptent N[:N]\t--physpages P[:P]\t--avnumproc N[:N]
   --swappages P[:P]
""" % VERSION


# ================================================================ helpers: paths, names, state

def conf_real(ctid):
    return '%s/%d.conf' % (CONF_DIR, ctid)


def dir_empty(path):
    if not os.path.lexists(path):
        return True
    return os.path.isdir(path) and not os.listdir(path)


def ncpu():
    return os.cpu_count() or 1


# ================================================================ command-line options (getopt_long)

class Opt:
    """One long option: ``name`` and whether it takes an argument."""

    def __init__(self, name, has_arg):
        self.name = name
        self.has_arg = has_arg


def getopt_long(args, options):
    """glibc getopt_long with permutation: returns ([(Opt, value)], non_options, error_flag)."""
    table = dict((o.name, o) for o in options)
    found, rest, bad = [], [], False
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == '--':
            rest.extend(args[index:])
            break
        if not arg.startswith('-') or arg == '-':
            rest.append(arg)
            continue
        if not arg.startswith('--'):
            err("%s: invalid option -- '%s'" % (PROG, arg[1]))
            bad = True
            continue
        name, eq, value = arg[2:].partition('=')
        opt = table.get(name)
        if opt is None:
            matches = [o for o in options if o.name.startswith(name)]
            if len(matches) > 1:
                err("%s: option '--%s' is ambiguous; possibilities:%s"
                    % (PROG, name, ''.join(" '--%s'" % o.name for o in matches)))
                bad = True
                continue
            if not matches:
                err("%s: unrecognized option '--%s'" % (PROG, name))
                bad = True
                continue
            opt = matches[0]
        if opt.has_arg and not eq:
            if index >= len(args):
                err("%s: option '--%s' requires an argument" % (PROG, opt.name))
                bad = True
                continue
            value = args[index]
            index += 1
        elif not opt.has_arg and eq:
            err("%s: option '--%s' doesn't allow an argument" % (PROG, opt.name))
            bad = True
            continue
        found.append((opt, value if opt.has_arg else None))
    return found, rest, bad


# ================================================================ parameters of set / create

class Params:
    """What ``set``/``create`` asked for, in the shape vzctl's store() needs."""

    FIRST_WINS = ('HOSTNAME', 'DESCRIPTION', 'VE_ROOT', 'VE_PRIVATE', 'MOUNT_OPTS', 'OSTEMPLATE',
                  'ONBOOT', 'DISABLED', 'CPUUNITS', 'CPULIMIT', 'CPUS', 'BOOTORDER', 'DISKSPACE',
                  'DISKINODES', 'STOP_TIMEOUT', 'QUOTATIME', 'QUOTAUGIDLIMIT', 'VM_OVERCOMMIT',
                  'LOCAL_UID', 'LOCAL_GID')

    def __init__(self):
        self.save = False
        self.no_warning = False     # vzctl's opt.save = NO: no "not saved" warning afterwards
        self.force = False
        self.setmode = None
        self.reset_ub = False
        self.applyconfig = None
        self.applyconfig_map = False
        self.config = None          # create --config
        self.scalars = {}           # KEY -> stored text
        self.ubc = {}               # name -> (barrier, limit)
        self.ip_add, self.ip_del, self.ip_delall = [], [], False
        self.nameserver, self.searchdomain = [], []
        self.features, self.caps = {}, {}
        self.devnodes, self.devices = [], []
        self.netdev_add, self.netdev_del = [], []
        self.pci_add, self.pci_del = [], []
        self.netif_add, self.netif_del, self.netif_delall = [], [], False
        self.veth_cfg = {}
        self.userpw = []
        self.name = None

    def scalar(self, key, value):
        if key in self.FIRST_WINS and key in self.scalars:
            return
        self.scalars[key] = value

    def runtime_keys(self, *keys):
        return [k for k in keys if k in self.scalars]


def _pci(value):
    match = re.match(r'^(?:([0-9a-fA-F]+):)?([0-9a-fA-F]+):([0-9a-fA-F]+)\.(\d+)$', value)
    if not match:
        raise BadValue(value)
    return '%04x:%02x:%02x.%d' % (int(match.group(1) or '0', 16), int(match.group(2), 16),
                                  int(match.group(3), 16), int(match.group(4)))


def _ips(params, value, delete):
    for token in value.split():
        if delete and token == 'all':
            params.ip_delall = True
            continue
        if token in ('0.0.0.0', '::', '::0'):
            continue
        ip = canon_ip(token)
        if ip is None:
            raise BadValue(value)
        target = params.ip_del if delete else params.ip_add
        if find_ip(target, ip) is None:
            target.append(ip)


def _caps(params, value, con):
    try:
        pairs = parse_onoff(value)
    except BadValue as exc:
        con.error("Can't parse capability %s (expecting capname:on|off)" % exc.args[0])
        raise
    for name, state in pairs:
        if name.upper() not in CAPABILITIES:
            con.error('Capability %s is unknown' % name)
            raise BadValue(value)
        params.caps[name.upper()] = state


def _features(params, value, con):
    bad = False
    for token in re.split(r'[\t ,]+', value.strip()):
        if not token:
            continue
        name, sep, state = token.rpartition(':')
        if not sep or name not in FEATURES or state not in ('on', 'off'):
            con.info('Warning: Unknown feature: %s' % token)
            bad = True
            continue
        params.features[name] = state == 'on'
    if bad:
        raise BadValue(value)


def _devnodes(params, value, con):
    for token in value.split():
        try:
            params.devnodes.append(parse_devnode(token))
        except BadValue as exc:
            if exc.args[0] != token:
                con.error(exc.args[0])
            raise BadValue(value)


def _netdev(target, value):
    for token in value.split():
        if re.match(r'^(venet|tun|tap|lo)', token):
            raise BadValue(value)
        target.append(token)


def _veth_field(params, key, value):
    if key == 'ifname' and 'ifname' in params.veth_cfg:
        raise BadValue(value)
    if len(value) > 16 and key in ('ifname', 'host_ifname', 'bridge'):
        raise BadValue(value)
    params.veth_cfg[key] = value


def _cpuunits(value):
    units = parse_ulong(value)
    if not MIN_CPUUNITS <= units <= MAX_CPUUNITS:
        raise BadValue(value)
    return str(units)


def _ranged(value, low, high=None):
    number = parse_int(value)
    if number < low or (high is not None and number > high):
        raise BadValue(value)
    return str(number)


def _layout(value):
    if value == 'simfs' or value == 'ploop':
        return value
    if value.startswith('ploop:') and value[6:] in ('expanded', 'plain', 'raw'):
        return 'ploop'
    raise BadValue(value)


def _applyconfig_map(params, value):
    if value != 'name':
        raise BadValue(value)
    params.applyconfig_map = True


def _netfilter(value):
    if value not in NETFILTER:
        raise BadValue(value)
    return value


def _onoff(value):
    if value not in ('on', 'off'):
        raise BadValue(value)
    return value


def _name(params, value):
    if params.name is None:
        params.name = value


def _setmode(params, value):
    if value not in ('restart', 'ignore'):
        raise BadValue(value)
    params.setmode = value


def _netif_del(params, value):
    if len(value) > 16:
        raise BadValue(value)
    if value == 'all':
        params.netif_delall = True
    elif value not in params.netif_del:
        params.netif_del.append(value)


def _ubc_handler(name):
    def handler(params, value, ctx):
        params.ubc[name] = parse_ubc(name, value)
    return handler


def _scalar_handler(key, parse=None):
    def handler(params, value, ctx):
        params.scalar(key, parse(value) if parse else value)
    return handler


def _flag_handler(attr):
    def handler(params, value, ctx):
        setattr(params, attr, True)
    return handler


def _vswap_handler(name):
    def handler(params, value, ctx):
        params.ubc[name] = parse_vswap(value)
    return handler


def _dq(divisor):
    return lambda value: '%d:%d' % parse_dq(value, divisor)


def _ignore(params, value, ctx):
    return None


# option name -> (takes an argument, handler(params, value, ctx)); BadValue -> "Bad parameter"
SET_HANDLERS = {
    'save': (False, _flag_handler('save')),
    'force': (False, _flag_handler('force')),
    'reset_ub': (False, _flag_handler('reset_ub')),
    'skip_arpdetect': (False, _ignore),
    'offline-resize': (False, _ignore),
    'applyconfig': (True, lambda p, v, c: setattr(p, 'applyconfig', p.applyconfig or v)),
    'applyconfig_map': (True, lambda p, v, c: _applyconfig_map(p, v)),
    'iptables': (True, _scalar_handler('IPTABLES')),
    'netfilter': (True, _scalar_handler('NETFILTER', _netfilter)),
    'capability': (True, lambda p, v, c: _caps(p, v, c.con)),
    'features': (True, lambda p, v, c: _features(p, v, c.con)),
    'ipadd': (True, lambda p, v, c: _ips(p, v, False)),
    'ip': (True, lambda p, v, c: _ips(p, v, False)),
    'ipdel': (True, lambda p, v, c: _ips(p, v, True)),
    'netdev_add': (True, lambda p, v, c: _netdev(p.netdev_add, v)),
    'netdev_del': (True, lambda p, v, c: _netdev(p.netdev_del, v)),
    'hostname': (True, _scalar_handler('HOSTNAME')),
    'description': (True, _scalar_handler('DESCRIPTION')),
    'nameserver': (True, lambda p, v, c: p.nameserver.extend(v.split())),
    'searchdomain': (True, lambda p, v, c: p.searchdomain.extend(v.split())),
    'userpasswd': (True, lambda p, v, c: p.userpw.append(v)),
    'devices': (True, lambda p, v, c: p.devices.extend(parse_device(t) for t in v.split())),
    'devnodes': (True, lambda p, v, c: _devnodes(p, v, c.con)),
    'pci_add': (True, lambda p, v, c: p.pci_add.extend(_pci(t) for t in v.split())),
    'pci_del': (True, lambda p, v, c: p.pci_del.extend(_pci(t) for t in v.split())),
    'root': (True, _scalar_handler('VE_ROOT')),
    'private': (True, _scalar_handler('VE_PRIVATE')),
    'noatime': (True, _ignore),
    'mount_opts': (True, _scalar_handler('MOUNT_OPTS')),
    'ostemplate': (True, _scalar_handler('OSTEMPLATE')),
    'cpuunits': (True, _scalar_handler('CPUUNITS', _cpuunits)),
    'cpuweight': (True, _ignore),
    'cpulimit': (True, _scalar_handler('CPULIMIT', lambda v: str(parse_cpulimit(v, ncpu())))),
    'cpus': (True, _scalar_handler('CPUS', lambda v: str(parse_ulong(v)))),
    'cpumask': (True, _scalar_handler('CPUMASK', lambda v: v if v == 'auto' else parse_bitmap(v, 4096))),
    'nodemask': (True, _scalar_handler('NODEMASK', lambda v: parse_bitmap(v, 1024))),
    'onboot': (True, _scalar_handler('ONBOOT', yesno)),
    'setmode': (True, lambda p, v, c: _setmode(p, v)),
    'disabled': (True, _scalar_handler('DISABLED', yesno)),
    'diskquota': (True, _scalar_handler('DISK_QUOTA', yesno)),
    'diskspace': (True, _scalar_handler('DISKSPACE', _dq(1024))),
    'diskinodes': (True, _scalar_handler('DISKINODES', _dq(1))),
    'quotatime': (True, _scalar_handler('QUOTATIME', lambda v: str(parse_ulong(v)))),
    'quotaugidlimit': (True, _scalar_handler('QUOTAUGIDLIMIT', lambda v: str(parse_ulong(v)))),
    'meminfo': (True, _scalar_handler('MEMINFO', parse_meminfo)),
    'netif_add': (True, lambda p, v, c: p.netif_add.append(parse_netif_add(c.ctid, v))),
    'netif_del': (True, lambda p, v, c: _netif_del(p, v)),
    'ifname': (True, lambda p, v, c: _veth_field(p, 'ifname', v)),
    'mac': (True, lambda p, v, c: _veth_field(p, 'mac', v)),
    'host_ifname': (True, lambda p, v, c: _veth_field(p, 'host_ifname', v)),
    'host_mac': (True, lambda p, v, c: _veth_field(p, 'host_mac', v)),
    'bridge': (True, lambda p, v, c: _veth_field(p, 'bridge', v)),
    'mac_filter': (True, lambda p, v, c: _veth_field(p, 'mac_filter', _onoff(v))),
    'name': (True, lambda p, v, c: _name(p, v)),
    'ioprio': (True, lambda p, v, c: p.scalars.__setitem__('IOPRIO', _ranged(v, 0, 7))),
    'iolimit': (True, lambda p, v, c: p.scalars.__setitem__('IOLIMIT', str(parse_iolimit(v, 1 << 20)))),
    'iopslimit': (True, lambda p, v, c: p.scalars.__setitem__('IOPSLIMIT', _ranged(v, 0))),
    'bootorder': (True, _scalar_handler('BOOTORDER', lambda v: str(parse_ulong(v)))),
    'ram': (True, _vswap_handler('physpages')),
    'swap': (True, _vswap_handler('swappages')),
    'vm_overcommit': (True, _scalar_handler('VM_OVERCOMMIT', lambda v: format_g(parse_float(v)))),
    'stop-timeout': (True, _scalar_handler('STOP_TIMEOUT', lambda v: _ranged(v, 0))),
}
for _ubc_name, _kind in UBC:
    SET_HANDLERS[_ubc_name] = (True, _ubc_handler(_ubc_name))

CREATE_HANDLERS = {
    'ostemplate': SET_HANDLERS['ostemplate'],
    'config': (True, lambda p, v, c: setattr(p, 'config', p.config or v)),
    'private': SET_HANDLERS['private'],
    'root': SET_HANDLERS['root'],
    'ipadd': SET_HANDLERS['ipadd'],
    'hostname': SET_HANDLERS['hostname'],
    'name': SET_HANDLERS['name'],
    'description': SET_HANDLERS['description'],
    'layout': (True, _scalar_handler('VE_LAYOUT', _layout)),
    've_layout': (True, _scalar_handler('VE_LAYOUT', _layout)),
    'velayout': (True, _scalar_handler('VE_LAYOUT', _layout)),
    'diskspace': SET_HANDLERS['diskspace'],
    'diskinodes': SET_HANDLERS['diskinodes'],
    'local_uid': (True, _scalar_handler('LOCAL_UID', lambda v: str(parse_ulong(v)))),
    'local_gid': (True, _scalar_handler('LOCAL_GID', lambda v: str(parse_ulong(v)))),
}


def parse_params(ctx, args, handlers):
    """vzctl-actions.c parse_opt(): getopt errors -> 21, bad values -> 21, stray words -> 20."""
    options = [Opt(name, has_arg) for name, (has_arg, _h) in handlers.items()]
    found, rest, bad = getopt_long(args, options)
    if bad:
        raise ToolExit(VZ.INVALID_PARAMETER_VALUE)
    params = Params()
    for opt, value in found:
        try:
            handlers[opt.name][1](params, value, ctx)
        except BadValue:
            ctx.con.error('Bad parameter for --%s: %s' % (opt.name, value))
            raise ToolExit(VZ.INVALID_PARAMETER_VALUE)
    if rest:
        out('non-option ARGV-elements: %s' % ''.join('%s ' % a for a in rest))
        raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
    return params


# ================================================================ what gets written to CTID.conf

def build_stores(params, cfg):
    """[(KEY, value)] in vzctl's store order for the parameters given (old values from ``cfg``)."""
    stores = dict(params.scalars)
    for name, (barrier, limit) in params.ubc.items():
        stores[name.upper()] = ubcstr(barrier, limit)
    if params.caps:
        stores['CAPABILITY'] = store_onoff(read_onoff(cfg.own('CAPABILITY')), params.caps, CAPABILITIES)
    if params.features:
        stores['FEATURES'] = store_onoff(read_onoff(cfg.own('FEATURES')), params.features, FEATURES)
    if params.ip_add or params.ip_del or params.ip_delall:
        old = cfg.ips()
        delete = params.ip_del + [ip for ip in old if find_ip(params.ip_add, ip) is not None]
        stores['IP_ADDRESS'] = ' '.join(merge_ips(old, params.ip_add, delete, params.ip_delall))
    if params.netdev_add or params.netdev_del:
        devs = [d for d in cfg.words('NETDEV', own=True) if d not in params.netdev_del]
        stores['NETDEV'] = ' '.join(devs + [d for d in params.netdev_add if d not in devs])
    if params.nameserver:
        stores['NAMESERVER'] = ' '.join(params.nameserver)
    if params.searchdomain:
        stores['SEARCHDOMAIN'] = ' '.join(params.searchdomain)
    devnodes = store_dev_list(read_devnodes(cfg.own('DEVNODES')), params.devnodes, lambda k, p: '%s:%s' % (k, p))
    if devnodes is not None and params.devnodes:
        stores['DEVNODES'] = devnodes
    devices = store_dev_list(read_devices(cfg.own('DEVICES')), params.devices, lambda k, p: '%s:%s' % (':'.join(k), p))
    if devices is not None and params.devices:
        stores['DEVICES'] = devices
    if params.pci_add or params.pci_del:
        pcis = [d for d in cfg.words('PCI', own=True) if d not in params.pci_del]
        stores['PCI'] = ' '.join(pcis + [d for d in params.pci_add if d not in pcis])
    netif = merged_netif(params, cfg)
    if netif is not None:
        stores['NETIF'] = store_netif(netif)
    if params.name is not None:
        stores['NAME'] = params.name
    return [(key, stores[key]) for key in STORE_ORDER if key in stores]


def merged_netif(params, cfg):
    if not (params.netif_add or params.netif_del or params.netif_delall or params.veth_cfg):
        return None
    devs = [] if params.netif_delall else [d for d in read_netif(cfg.own('NETIF')) if d['ifname'] not in params.netif_del]
    for dev in params.netif_add:
        devs = [d for d in devs if d['ifname'] != dev['ifname']] + [dev]
    if params.veth_cfg.get('ifname'):
        ifname = params.veth_cfg['ifname']
        dev = next((d for d in devs if d['ifname'] == ifname), None)
        if dev is None:
            host = veth_host_name(cfg.ctid, ifname)
            dev = {'ifname': ifname, 'mac': generate_mac(cfg.ctid, ifname), 'host_ifname': host,
                   'host_mac': generate_mac(cfg.ctid, host)}
            devs.append(dev)
        for key, value in params.veth_cfg.items():
            dev[key] = value.upper() if key in ('mac', 'host_mac') else value
    return devs


def save_config(ctx, conf, stores, always=False):
    """Write ``stores`` into the CT's file; the sheet's "No changes" rule when nothing changes."""
    real = conf_real(ctx.ctid)
    new = (conf or ConfFile()).merged(stores)
    if not always and new.text() == (conf or ConfFile()).text():
        ctx.con.info('No changes in CT configuration, not saving')
        return conf
    path = ctx.lab.path(real)
    makedirs(os.path.dirname(path))
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8', errors='surrogateescape') as handle:
        handle.write(new.text())
    os.replace(tmp, path)
    ctx.con.info('CT configuration saved to %s' % real)
    return new


def set_name(ctx, new_name, old_name):
    """config.c set_name(): validate, check for a conflict, link /etc/vz/names/NAME."""
    if new_name is None:
        return 0
    if not valid_name(new_name):
        ctx.con.error('Error: invalid name %s' % new_name)
        return VZ.SET_NAME_ERROR
    owner = ctid_by_name(ctx.lab, new_name)
    if owner >= 0 and owner != ctx.ctid:
        ctx.con.error('Conflict: name %s already used by container %d' % (new_name, owner))
        return VZ.SET_NAME_ERROR
    if old_name is not None and old_name == new_name and owner == ctx.ctid:
        return 0
    if new_name:
        link = ctx.lab.path('%s/%s' % (NAMES_DIR, new_name))
        makedirs(os.path.dirname(link))
        if os.path.lexists(link):
            os.unlink(link)
        # Relative, so that it resolves inside the lab; vzctl's link is /etc/vz/conf/N.conf.
        os.symlink('../conf/%d.conf' % ctx.ctid, link)
    if old_name and old_name != new_name and ctid_by_name(ctx.lab, old_name) == ctx.ctid:
        os.unlink(ctx.lab.path('%s/%s' % (NAMES_DIR, old_name)))
    ctx.con.info('Name %s assigned' % new_name)
    return 0


# ================================================================ context

class Ctx:
    """One vzctl invocation: the lab, the CT, its configuration and run state."""

    def __init__(self, lab, con, ctid):
        self.lab = lab
        self.con = con
        self.ctid = ctid
        self.gconf = ConfFile()
        self.conf = None
        self.args = []
        self.skiplock = False
        self.lock = None
        self._runtime = None

    @property
    def cfg(self):
        return CTConfig(self.ctid, self.gconf, self.conf)

    @property
    def state(self):
        return load_state(self.lab, self.ctid)

    def save_state(self, state):
        save_state(self.lab, self.ctid, state)

    @property
    def runtime(self):
        if self._runtime is None:
            try:
                self._runtime = load_runtime()
            except RuntimeLoadError as exc:
                self.con.error(str(exc))
                raise ToolExit(VZ.SYSTEM_ERROR)
        return self._runtime

    def private_lab(self, cfg=None):
        return self.lab.path((cfg or self.cfg).private or '/')

    def dumpfile(self, name=None):
        if name:
            return name
        return '%s/Dump.%d' % (self.gconf.get('DUMPDIR') or '/vz/dump', self.ctid)

    def take_lock(self):
        if self.skiplock or self.lock is not None:
            return
        lockdir = self.gconf.get('LOCKDIR') or '/vz/lock'
        lock = PidLock(self.lab.path('%s/%d.lck' % (lockdir, self.ctid)))
        if not lock.acquire():
            self.con.error('Container already locked')
            raise ToolExit(VZ.LOCKED)
        self.lock = lock

    def release(self):
        if self.lock is not None:
            self.lock.release()
            self.lock = None


# ================================================================ mount / start / stop

def ct_mount(ctx, cfg, state):
    if state['mounted']:
        ctx.con.error('Container is already mounted')
        return 0
    if not os.path.isdir(ctx.lab.path(cfg.private)):
        ctx.con.error('Container private area %s does not exist' % cfg.private)
        return VZ.FS_NOPRVT
    makedirs(ctx.lab.path(cfg.root))
    state['mounted'] = True
    ctx.save_state(state)
    ctx.con.info('Container is mounted')
    return 0


def ct_umount(ctx, state):
    if not state['mounted']:
        ctx.con.error('CT is not mounted')
        return VZ.FS_NOT_MOUNTED
    if state['running']:
        ctx.con.error('Container is running -- stop it first')
        return VZ.VE_RUNNING
    state['mounted'] = False
    ctx.save_state(state)
    ctx.con.info('Container is unmounted')
    return 0


def ips_in_use(ctx, ips):
    """The first of ``ips`` already held by another running CT, or None."""
    for other, state in all_states(ctx.lab).items():
        if other != ctx.ctid and state.get('running'):
            for ip in ips:
                if addr_only(ip) in state.get('ip', []):
                    return ip
    return None


def host_resolver(lab):
    """(nameservers, search domains) of the node's resolv.conf, for ``inherit``."""
    path = lab.path('/etc/resolv.conf')
    if not os.path.exists(path):
        path = '/etc/resolv.conf'
    servers, search = [], []
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            for words in (line.split() for line in handle):
                if words and words[0] == 'nameserver':
                    servers.extend(words[1:2])
                elif words and words[0] in ('search', 'domain'):
                    search = words[1:]
    except (IOError, OSError):
        pass
    return servers, search


def write_ct_files(ctx, cfg, hostname=None, nameserver=None, searchdomain=None):
    """What the distribution scripts do inside the CT: /etc/hostname and /etc/resolv.conf."""
    etc = os.path.join(ctx.private_lab(cfg), 'etc')
    if not os.path.isdir(etc):
        return
    if hostname:
        with open(os.path.join(etc, 'hostname'), 'w', encoding='utf-8') as handle:
            handle.write(hostname + '\n')
    if not nameserver and not searchdomain:
        return
    inherited_servers, inherited_search = host_resolver(ctx.lab)
    if searchdomain and searchdomain[0] == 'inherit':
        searchdomain = inherited_search
    if nameserver and nameserver[0] == 'inherit':
        nameserver = inherited_servers
    lines = ['search %s' % ' '.join(searchdomain)] if searchdomain else []
    lines.extend('nameserver %s' % server for server in nameserver or [])
    with open(os.path.join(etc, 'resolv.conf'), 'w', encoding='utf-8') as handle:
        handle.write(''.join(line + '\n' for line in lines))


def cpu_lines(ctx, limit=None, units=None, cpus=None, cpumask=None, nodemask=None):
    """The order hooks_vz.c sets CPU parameters in."""
    if limit is not None:
        ctx.con.info('Setting CPU limit: %d' % limit)
    if units is not None:
        ctx.con.info('Setting CPU units: %d' % units)
    if cpus is not None:
        ctx.con.info('Setting CPUs: %d' % cpus)
    if cpumask is not None:
        ctx.con.info('Setting CPU mask: %s' % cpumask)
    if nodemask is not None:
        ctx.con.info('Setting NUMA node mask: %s' % nodemask)


def running_state(cfg, state, ips=None):
    """Kernel-side view of a CT just started: addresses, limits, CPU settings."""
    state.update({
        'running': True,
        'mounted': True,
        'started': time.time(),
        'ip': [addr_only(ip) for ip in (cfg.ips() if ips is None else ips)],
        'ubc': dict((name, list(cfg.ubc(name) or (LONG_MAX, LONG_MAX))) for name, _k in UBC),
        'cpuunits': cfg.number('CPUUNITS') or DEF_CPUUNITS,
        'cpulimit': cfg.number('CPULIMIT') or 0,
        'cpus': cfg.number('CPUS') or 0,
        'laverage': [0.0, 0.0, 0.0],
    })
    return state


def setup_started(ctx, cfg, state, skip_setup=False, ips=None):
    """Messages and state of vps_setup_res() at STATE_STARTING; returns an exit code."""
    ips = cfg.ips() if ips is None else ips
    busy = ips_in_use(ctx, ips)
    if busy is not None:
        ctx.con.error('Unable to add IP %s: Address already in use' % addr_only(busy))
        return VZ.IP_INUSE
    running_state(cfg, state, ips)
    if skip_setup:
        return 0
    if ips:
        ctx.con.info('Adding IP address(es): %s' % ' '.join(ips))
    cpu_lines(ctx, limit=cfg.number('CPULIMIT'), units=cfg.number('CPUUNITS') or DEF_CPUUNITS,
              cpus=cfg.number('CPUS'))
    if cfg.own('DEVNODES') or cfg.own('DEVICES'):
        ctx.con.info('Setting devices')
    if cfg.number('IOLIMIT') is not None:
        ctx.con.info('Setting iolimit: %d %s' % (cfg.number('IOLIMIT'), 'bytes/sec' if cfg.number('IOLIMIT') else '(unlimited)'))
    if cfg.number('IOPSLIMIT') is not None:
        ctx.con.info('Setting iopslimit: %d %s' % (cfg.number('IOPSLIMIT'), 'iops' if cfg.number('IOPSLIMIT') else '(unlimited)'))
    netif = read_netif(cfg.own('NETIF'))
    if netif:
        ctx.con.info('Configure veth devices: %s' % ' '.join(d.get('host_ifname', '') for d in netif))
    write_ct_files(ctx, cfg, cfg.get('HOSTNAME'), cfg.words('NAMESERVER'), cfg.words('SEARCHDOMAIN'))
    return 0


def runtime_settings(cfg, ips=None):
    """What a runtime needs to make the CT real (``ips``: instead of IP_ADDRESS).

    Hostname, addresses, and the limits: memory from PHYSPAGES (what ``--ram`` sets; its limit in pages),
    cpus from CPUS, cpu_shares from CPUUNITS (1000 units, the default, = 1024 shares).
    """
    physpages = cfg.ubc('physpages')
    memory = physpages[1] * PAGE_SIZE if physpages and 0 < physpages[1] < LONG_MAX else None
    units = cfg.number('CPUUNITS')
    return make_settings(cfg.get('HOSTNAME'), cfg.ips() if ips is None else ips, memory=memory,
                         cpus=cfg.number('CPUS'), cpu_shares=units * 1024 // DEF_CPUUNITS if units else None)


def ct_start(ctx, cfg, wait=False, skip_setup=False):
    """env.c vps_start(): the caller has done the disabled/private/running checks."""
    ctx.con.info('Starting container...')
    state = ctx.state
    if state['mounted']:
        ct_umount(ctx, state)
    rc = ct_mount(ctx, cfg, state)
    if rc:
        return rc
    rc = start_runtime(ctx.runtime, ctx.ctid, ctx.private_lab(cfg), runtime_settings(cfg))
    if rc == 0:
        rc = setup_started(ctx, cfg, state, skip_setup)
    else:
        rc = VZ.ENVCREATE_ERROR
    if rc:
        ctx.con.error('Container start failed (try to check kernel messages, e.g. "dmesg | tail")')
        state.update({'running': False})
        ct_umount(ctx, state)
        return rc
    ctx.save_state(state)
    if wait:
        ctx.con.info('Container start in progress, waiting ...')
        ctx.con.info('Container started successfully')
    else:
        ctx.con.info('Container start in progress...')
    dump = ctx.lab.path(ctx.dumpfile())
    if os.path.isfile(dump):
        os.unlink(dump)
    return 0


def ct_stop(ctx, fast=False, skip_umount=False):
    state = ctx.state
    if not state['running']:
        ctx.con.error('Unable to stop: container is not running')
        return 0
    ctx.con.info('Killing container ...' if fast else 'Stopping container ...')
    if ctx.runtime.stop(ctx.ctid):
        ctx.con.error('Unable to stop container')
        return VZ.STOP_ERROR
    ctx.con.info('Container was stopped')
    for key in ('running', 'ip', 'ubc', 'started', 'cpuunits', 'cpulimit', 'cpus', 'laverage', 'held'):
        state.pop(key, None)
    state['running'] = False
    ctx.save_state(state)
    if not skip_umount:
        return ct_umount(ctx, state)
    return 0


def ct_restore(ctx, cfg, dumpfile):
    """cpt.c/hooks: restore a suspended CT from its dump file."""
    state = ctx.state
    if state['running']:
        ctx.con.error('Unable to perform restore: container already running')
        return VZ.VE_RUNNING
    dump = read_json(ctx.lab.path(dumpfile))
    if dump is None:
        # UNCONFIRMED wording: the open() failure of the dump file.
        ctx.con.error('Unable to open %s: No such file or directory' % dumpfile)
        return VZ.RESTORE_ERROR
    ctx.con.info('Restoring container ...')
    if not state['mounted']:
        rc = ct_mount(ctx, cfg, state)
        if rc:
            return rc
    ctx.con.info('\tundump...')
    if start_runtime(ctx.runtime, ctx.ctid, ctx.private_lab(cfg), runtime_settings(cfg, dump.get('config_ip'))):
        ctx.con.error('Container restore failed')
        return VZ.RESTORE_ERROR
    rc = setup_started(ctx, cfg, state, ips=dump.get('config_ip', cfg.ips()))
    if rc:
        return rc
    ctx.con.info('\tresume...')
    ctx.con.info('Container start in progress...')
    ctx.con.info('Restoring completed successfully')
    ctx.save_state(state)
    os.unlink(ctx.lab.path(dumpfile))
    return 0


# ================================================================ commands

def check_startable(ctx, cfg, force=False):
    if cfg.yes('DISABLED') and not force:
        ctx.con.error('Container start disabled')
        return VZ.VE_START_DISABLED
    if not cfg.private:
        ctx.con.error('VE_PRIVATE is not set')
        return VZ.VE_PRIVATE_NOTSET
    if not os.path.isdir(ctx.lab.path(cfg.private)):
        ctx.con.error('Container private area %s does not exist' % cfg.private)
        return VZ.FS_NOPRVT
    if ctx.state['running']:
        ctx.con.error('Container is already running')
        return VZ.VE_RUNNING
    return 0


def start_with_restore(ctx, cfg, wait=False):
    dump = ctx.dumpfile()
    if os.path.isfile(ctx.lab.path(dump)):
        ctx.con.info('Dump file %s exists, trying to restore from it' % dump)
        if ct_restore(ctx, cfg, dump) == 0:
            return 0
    if ctx.conf is not None and ctx.conf.get('VE_LAYOUT') is None:
        layout = cfg.layout
        # UNCONFIRMED: where in the output this line comes (§3.2 only says that it is printed).
        ctx.con.info("Saving VE layout '%s' to the VE config file" % layout)
        ctx.conf = ctx.conf.merged([('VE_LAYOUT', layout)])
        atomic_write(ctx.lab.path(conf_real(ctx.ctid)), ctx.conf.text())
        cfg = ctx.cfg
    return ct_start(ctx, cfg, wait=wait)


STARTSTOP_OPTIONS = (Opt('force', False), Opt('skip_ve_setup', False), Opt('wait', False), Opt('fast', False),
                     Opt('skip-umount', False), Opt('skip-fsck', False), Opt('skip-remount', False))
START_ONLY = ('force', 'skip_ve_setup', 'wait', 'skip-fsck', 'skip-remount')
STOP_ONLY = ('fast', 'skip-umount')


def parse_startstop(ctx, args, start, stop):
    found, _rest, bad = getopt_long(args, STARTSTOP_OPTIONS)
    flags = set()
    for opt, _value in found:
        if (opt.name in START_ONLY and not start) or (opt.name in STOP_ONLY and not stop):
            err('Option --%s is not applicable to %s command' % (opt.name, 'start' if start else 'stop'))
            raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
        flags.add(opt.name)
    if bad:
        raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
    return flags


def cmd_start(ctx, flags):
    cfg = ctx.cfg
    rc = check_startable(ctx, cfg, force='force' in flags)
    return rc or start_with_restore(ctx, cfg, wait='wait' in flags)


def cmd_stop(ctx, flags):
    return ct_stop(ctx, fast='fast' in flags, skip_umount='skip-umount' in flags)


def cmd_restart(ctx, flags, cfg=None):
    ctx.con.info('Restarting container')
    if ctx.state['running']:
        rc = ct_stop(ctx, fast='fast' in flags, skip_umount='skip-umount' in flags)
        if rc:
            return rc
    cfg = cfg or ctx.cfg
    rc = check_startable(ctx, cfg, force='force' in flags)
    return rc or start_with_restore(ctx, cfg, wait='wait' in flags)


def parse_none(ctx, args):
    """Commands without options: anything extra is "Invalid options" (exit 20)."""
    if args:
        err('Invalid options: %s' % ''.join('%s ' % a for a in args))
        raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)


def cmd_status(ctx, _opts):
    cfg = ctx.cfg
    state = ctx.state
    private = cfg.private
    exist = bool(private) and os.path.exists(ctx.lab.path(private)) and ctx.conf is not None
    suspended = exist and not state['running'] and os.path.exists(ctx.lab.path(ctx.dumpfile()))
    out('CTID %d %s %s %s%s' % (ctx.ctid, 'exist' if exist else 'deleted',
                                'mounted' if state['mounted'] else 'unmounted',
                                'running' if state['running'] else 'down',
                                ' suspended' if suspended else ''))
    return 0


def cmd_mount(ctx, _opts):
    return ct_mount(ctx, ctx.cfg, ctx.state)


def cmd_umount(ctx, _opts):
    return ct_umount(ctx, ctx.state)


def cmd_destroy(ctx, _opts):
    cfg = ctx.cfg
    state = ctx.state
    if state['running']:
        ctx.con.info('Container is currently running. Stop it first.')
        return VZ.VE_RUNNING
    if state['mounted']:
        ctx.con.info('Container is currently mounted (umount first)')
        return VZ.FS_MOUNTED
    ctx.con.info('Destroying container private area: %s' % cfg.private)
    private = ctx.lab.path(cfg.private)
    if os.path.islink(private) or os.path.isfile(private):
        os.unlink(private)
    elif os.path.isdir(private):
        shutil.rmtree(private)
    conf = ctx.lab.path(conf_real(ctx.ctid))
    os.replace(conf, conf + '.destroyed')
    dump = ctx.lab.path(ctx.dumpfile())
    if os.path.isfile(dump):
        os.unlink(dump)
    try:
        os.rmdir(ctx.lab.path(cfg.root))
    except OSError as exc:
        ctx.con.error('Warning: failed to remove %s: %s' % (cfg.root, exc.strerror))
    ctx.con.info('Container private area was destroyed')
    remove_names(ctx.lab, ctx.ctid)
    ctx.save_state({})
    return 0


DUMP_OPTIONS = (Opt('dumpfile', True), Opt('dump', False), Opt('suspend', False), Opt('resume', False),
                Opt('kill', False), Opt('skip_arpdetect', False), Opt('flags', True), Opt('context', True),
                Opt('undump', False))


def parse_dump(ctx, args):
    found, _rest, bad = getopt_long(args, DUMP_OPTIONS)
    if bad:
        raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
    return dict((opt.name, value) for opt, value in found)


def cmd_suspend(ctx, opts):
    state = ctx.state
    if not state['running']:
        ctx.con.error('Unable to setup checkpointing: container is not running')
        return VZ.VE_NOT_RUNNING
    cfg = ctx.cfg
    dumpfile = ctx.dumpfile(opts.get('dumpfile'))
    ctx.con.info('Setting up checkpoint...')
    ctx.con.info('\tsuspend...')
    ctx.con.info('\tdump...')
    write_json(ctx.lab.path(dumpfile), {'ctid': ctx.ctid, 'config_ip': cfg.ips(), 'state': state})
    ctx.con.info('\tkill...')
    ctx.runtime.stop(ctx.ctid)
    ctx.con.info('Checkpointing completed successfully')
    for key in ('ip', 'ubc', 'started', 'cpuunits', 'cpulimit', 'cpus', 'laverage', 'held'):
        state.pop(key, None)
    state['running'] = False
    return ct_umount(ctx, state)


def cmd_resume(ctx, opts):
    return ct_restore(ctx, ctx.cfg, ctx.dumpfile(opts.get('dumpfile')))


def parse_exec(ctx, args):
    if not args:
        err('No command line given for exec')
        raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
    return args


def run_in_ct(ctx, argv, stdin=None):
    ctx.con.info('Executing command: %s' % ' '.join(argv), level=1)
    return ctx.runtime.exec(ctx.ctid, ctx.private_lab(), argv, stdin)


def exec_argv(args):
    """vzctl exec/exec2: arguments re-joined with single spaces for ``sh -c`` (empty ones as '')."""
    if args[0] == '-':
        return ['/bin/sh']
    return ['/bin/sh', '-c', ' '.join(a if a else "''" for a in args)]


def cmd_exec(ctx, args):
    if not ctx.state['running']:
        ctx.con.error('Container is not running')
        return VZ.COMMAND_EXECUTION_ERROR
    return VZ.COMMAND_EXECUTION_ERROR if run_in_ct(ctx, exec_argv(args)) else 0


def cmd_exec2(ctx, args):
    if not ctx.state['running']:
        ctx.con.error('Container is not running')
        return VZ.VE_NOT_RUNNING
    return run_in_ct(ctx, exec_argv(args))


def cmd_exec3(ctx, args):
    if not ctx.state['running']:
        ctx.con.error('Container is not running')
        return VZ.VE_NOT_RUNNING
    return run_in_ct(ctx, list(args))


def parse_enter(ctx, args):
    if args:
        if args[0] != '--exec':
            err("Invalid option '%s'" % args[0])
            raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
        if len(args) == 1 or not args[1]:
            err('No command line given for --exec')
            raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
    return args[1:]


def cmd_enter(ctx, args):
    if not ctx.state['running']:
        ctx.con.error('Container is not running')
        return VZ.VE_NOT_RUNNING
    out('entered into CT %d' % ctx.ctid)
    argv = ['/bin/sh', '-c', '%s; exec /bin/sh' % ' '.join(args)] if args else ['/bin/sh']
    run_in_ct(ctx, argv)
    out('exited from CT %d' % ctx.ctid)
    return 0


def parse_runscript(ctx, args):
    if not args:
        err('Script not specified')
        raise ToolExit(VZ.INVALID_PARAMETER_SYNTAX)
    return args[0]


def cmd_runscript(ctx, script):
    if not os.path.isfile(script):
        ctx.con.error('Script not found: %s' % script)
        return VZ.NOSCRIPT
    with open(script, 'rb') as handle:
        body = handle.read()
    return run_in_ct(ctx, ['/bin/sh'], stdin=body)


def cmd_console(ctx, _args):
    # Not simulated: there is no console to attach to.
    ctx.con.error('Console is not available in the lab simulator')
    return VZ.SYSTEM_ERROR


def quota_cmd(failure_rc):
    def command(ctx, _opts):
        cfg = ctx.cfg
        if cfg.get('DISK_QUOTA') == 'no':
            ctx.con.info('Disk quota is not enabled, skipping operation')
            return failure_rc
        if cfg.layout == 'ploop':
            ctx.con.info('CT is on ploop, disk quota is obsoleted, skipping operation')
        return 0
    return command


def cmd_compact(ctx, _opts):
    cfg = ctx.cfg
    if not os.path.isdir(ctx.lab.path(cfg.private)):
        ctx.con.error('Container private area %s does not exist' % cfg.private)
        return VZ.FS_NOPRVT
    if cfg.layout != 'ploop':
        ctx.con.info('Compact only makes sense for ploop containers')
    return 0


def parse_convert(ctx, args):
    return parse_params(ctx, args, dict((k, CREATE_HANDLERS[k]) for k in ('layout', 've_layout', 'velayout')))


def cmd_convert(ctx, params):
    if params.scalars.get('VE_LAYOUT', 'ploop') != 'ploop':
        ctx.con.error('Only conversion to ploop is supported')
        return VZ.INVALID_PARAMETER_VALUE
    if ctx.state['running']:
        # UNCONFIRMED wording; the CT must be stopped (§3.9).
        ctx.con.error('Container is running, stop it first')
        return VZ.VE_RUNNING
    if ctx.cfg.layout == 'ploop':
        ctx.con.error('Container is already on ploop')
        return 0
    ctx.conf = save_config(ctx, ctx.conf, [('VE_LAYOUT', 'ploop')])
    return 0


# ---------------------------------------------------------------- create

def find_template(ctx, template_dir, ostemplate):
    for ext in TEMPLATE_EXTS:
        real = '%s/cache/%s.tar%s' % (template_dir, ostemplate, ext)
        ctx.con.info('Looking for %s' % real, level=1)
        if os.path.isfile(ctx.lab.path(real)):
            return real
    return None


def unpack(archive, target):
    """Unpack a template cache; symlinks (also absolute ones) are kept as they are. Raises OSError."""
    # imported here: only create needs it
    import tarfile
    try:
        with tarfile.open(archive, 'r:*') as tar:
            if hasattr(tarfile, 'fully_trusted_filter'):
                tar.extractall(target, filter='fully_trusted')
            else:
                tar.extractall(target)
    except (tarfile.TarError, EOFError) as exc:
        raise OSError(str(exc))


class Rollback:
    """Undo steps of a failed create, newest first."""

    def __init__(self):
        self.steps = []

    def add(self, func, *args):
        self.steps.append((func, args))

    def run(self):
        for func, args in reversed(self.steps):
            try:
                func(*args)
            except OSError:
                pass


def cmd_create(ctx, params):
    rollback = Rollback()
    rc = create(ctx, params, rollback)
    if rc:
        rollback.run()
        ctx.con.error('Creation of container private area failed')
    return rc


def create(ctx, params, rollback):
    """lib/create.c vps_create(); returns an exit code, ``rollback`` collects the undo steps."""
    con, lab, ctid = ctx.con, ctx.lab, ctx.ctid
    if ctid <= RESERVED_MAX:
        # UNCONFIRMED wording: IDs up to 100 are reserved (§1).
        con.error('Error: CT ID %d is reserved for internal use, use an ID greater than %d' % (ctid, RESERVED_MAX))
        return VZ.INVALID_PARAMETER_VALUE
    real = conf_real(ctid)
    path = lab.path(real)
    cfg_exists = os.path.isfile(path)
    sample, sample_real = None, None
    if params.config is not None:
        sample_real = '%s/ve-%s.conf-sample' % (CONF_DIR, params.config)
        if not os.path.isfile(lab.path(sample_real)):
            con.error('Sample config %s not found' % sample_real)
            return VZ.CP_CONFIG
        if cfg_exists:
            con.error('Error: container config file %s already exists, can not use --config option' % real)
            return VZ.CP_CONFIG
        sample = params.config
    elif ctx.gconf.get('CONFIGFILE'):
        sample_real = '%s/ve-%s.conf-sample' % (CONF_DIR, ctx.gconf.get('CONFIGFILE'))
        if not os.path.isfile(lab.path(sample_real)):
            con.error('Sample config %s not found' % sample_real)
            con.error('Fix the value of CONFIGFILE in %s' % GLOBAL_CONF)
            return VZ.CP_CONFIG
        if cfg_exists:
            con.info('Warning: CT config file already exists, not applying a default config sample.')
            con.info('It might lead to incomplete CT configuration, you can use --applyconfig to fix.')
        else:
            sample = ctx.gconf.get('CONFIGFILE')
    if sample is not None:
        conf = ConfFile.read(lab.path(sample_real))
        makedirs(os.path.dirname(path))
        with open(path, 'w', encoding='utf-8', errors='surrogateescape') as handle:
            handle.write(conf.text())
        rollback.add(os.unlink, path)
    else:
        conf = ConfFile.read(path) or ConfFile()
    cfg = CTConfig(ctid, ctx.gconf, conf.merged(list(params.scalars.items())))
    if not cfg.private:
        con.error('VE_PRIVATE is not set')
        return VZ.VE_PRIVATE_NOTSET
    private = lab.path(cfg.private)
    if not dir_empty(private):
        con.error('Private area already exists in %s' % cfg.private)
        return VZ.FS_PRVT_AREA_EXIST
    layout = 'ploop' if (cfg.get('VE_LAYOUT') or 'ploop').startswith('ploop') else 'simfs'
    if params.name is not None:
        rc = set_name(ctx, params.name, params.name)
        if rc:
            return rc
        rollback.add(remove_names, lab, ctid)
    ostemplate = params.scalars.get('OSTEMPLATE') or conf.get('OSTEMPLATE') or ctx.gconf.get('DEF_OSTEMPLATE')
    if not ostemplate:
        con.error('OS template is not specified')
        return VZ.VE_OSTEMPLATE_NOTSET
    diskspace = cfg.quota('DISKSPACE')
    if layout == 'ploop' and (diskspace is None or diskspace[1] <= 0):
        con.error('Error: diskspace not set (required for ploop)')
        return VZ.DISKSPACE_NOT_SET
    template_dir = ctx.gconf.get('TEMPLATE') or '/vz/template'
    archive = find_template(ctx, template_dir, ostemplate)
    if archive is None:
        con.error('Cached OS template %s/cache/%s.tar[.gz|.bz2|.xz] not found' % (template_dir, ostemplate))
        return VZ.OSTEMPLATE_NOT_FOUND
    created_private = not os.path.exists(private)
    tmp = private + '.tmp'
    if os.path.exists(tmp):
        con.error('Warning: Temp dir %s.tmp already exists, deleting' % cfg.private)
        shutil.rmtree(tmp)
    con.info('Creating container private area (%s)' % ostemplate)
    try:
        makedirs(tmp)
        rollback.add(shutil.rmtree, tmp)
        unpack(lab.path(archive), tmp)
        if os.path.isdir(private):
            os.rmdir(private)
        os.rename(tmp, private)
    except OSError as exc:
        con.error('Unable to unpack %s: %s' % (archive, exc))
        return VZ.FS_NEW_VE_PRVT
    if not created_private:
        rollback.add(makedirs, private)     # runs after the rmtree below: leave the empty dir we found
    rollback.add(shutil.rmtree, private)
    con.info('Performing postcreate actions')
    root = lab.path(cfg.root)
    if not os.path.isdir(root):
        makedirs(root)
        rollback.add(os.rmdir, root)
    stores = create_stores(params, cfg, conf, ctx.gconf, layout, ostemplate, sample)
    save_config(ctx, ConfFile.read(path) or ConfFile(), stores, always=True)
    con.info('Container private area was created')
    return 0


def create_stores(params, cfg, conf, gconf, layout, ostemplate, sample):
    """What create saves: the given parameters plus VE_ROOT/VE_PRIVATE/VE_LAYOUT/OSTEMPLATE/ORIGIN_SAMPLE."""
    create_params = Params()
    create_params.scalars = dict(params.scalars)
    create_params.ip_add = params.ip_add
    create_params.name = params.name
    scalars = create_params.scalars
    scalars['VE_ROOT'] = params.scalars.get('VE_ROOT') or conf.get('VE_ROOT') or gconf.get('VE_ROOT')
    scalars['VE_PRIVATE'] = params.scalars.get('VE_PRIVATE') or conf.get('VE_PRIVATE') or gconf.get('VE_PRIVATE')
    scalars['VE_LAYOUT'] = layout
    scalars['OSTEMPLATE'] = os.path.basename(ostemplate)
    if sample is not None and conf.get('ORIGIN_SAMPLE') is None:
        scalars['ORIGIN_SAMPLE'] = sample
    if params.ip_add:
        scalars['IP_ADDRESS'] = ' '.join(params.ip_add)
    create_params.ip_add = []
    return build_stores(create_params, cfg.with_conf(ConfFile()))


# ---------------------------------------------------------------- set

# UNCONFIRMED wording (§4 lists which options need --save; the texts are modelled on --name's).
REQUIRE_SAVE = (('ostemplate', 'OSTEMPLATE'), ('stop-timeout', 'STOP_TIMEOUT'))


def cmd_set(ctx, params):
    if ctx.ctid == 0:
        return 0    # CT0 (host) settings are not simulated
    rc = set_apply(ctx, params)
    if params.save and not params.no_warning:
        if rc:
            ctx.con.error('Error: failed to apply some parameters, not saving configuration file!')
            return rc
        if ctx.conf is None:
            ctx.con.error('WARNING: %s not found: No such file or directory' % conf_real(ctx.ctid))
        ctx.conf = save_config(ctx, ctx.conf, build_stores(params, ctx.cfg))
    elif not params.no_warning and not params.userpw:
        running = ctx.state['running']
        ctx.con.info('WARNING: Settings were not saved to config %s(use --save flag)'
                     % ('and will be lost after CT restart ' if running else ''))
    return rc


def set_apply(ctx, params):
    """vzctl-actions.c set(): checks, then apply to the running CT (or refuse on a stopped one)."""
    con, cfg = ctx.con, ctx.cfg
    if params.applyconfig_map:
        rc = set_name(ctx, cfg.own('NAME'), cfg.own('NAME'))
        if rc:
            return rc
    if params.reset_ub:
        params.no_warning = True
        return reset_ub(ctx, cfg)
    if params.setmode == 'restart' and not params.save:
        con.error("Error: --setmode restart doesn't make sense without --save flag")
        return VZ.INVALID_PARAMETER_SYNTAX
    if not params.save:
        needs_save = [opt for opt, key in REQUIRE_SAVE if key in params.scalars]
        if params.force:
            needs_save.append('force')
        if 'DISKSPACE' in params.scalars and cfg.layout == 'ploop':
            needs_save.append('diskspace')
        if needs_save:
            con.error('Error: unable to use --%s option without --save' % needs_save[0])
            return VZ.INVALID_PARAMETER_SYNTAX
    if params.name is not None:
        if not params.save:
            con.error('Error: unable to use --name option without --save')
            rc = VZ.SET_NAME_ERROR
        else:
            rc = set_name(ctx, params.name, cfg.own('NAME'))
        if rc:
            params.no_warning = True
            return rc
    running = ctx.state['running']
    if running:
        for key in ('VE_PRIVATE', 'VE_ROOT'):
            if key in params.scalars:
                con.error('Unable to change %s on a running container' % key)
                return VZ.VE_RUNNING
    if params.userpw:
        rc = set_userpasswd(ctx, cfg, params, running)
        if rc:
            return rc
    if params.applyconfig:
        rc = apply_config(ctx, params)
        if rc:
            return rc
    if 'DISKINODES' in params.scalars and cfg.layout == 'ploop':
        con.info('Warning: --diskinodes is ignored for ploop-based container')
    if params.save and not running:
        return 0
    if running:
        mode = check_set_mode(ctx, params)
        if mode < 0:
            return VZ.VE_RUNNING
        if mode > 0:
            new_cfg = cfg.with_conf((ctx.conf or ConfFile()).merged(build_stores(params, cfg)))
            return cmd_restart(ctx, set(), new_cfg)
    return apply_runtime(ctx, params, running)


def reset_ub(ctx, cfg):
    ubc = dict((name, cfg.ubc(name)) for name, _k in UBC if cfg.ubc(name) is not None)
    if not ubc:
        return 0
    state = ctx.state
    if not state['running']:
        ctx.con.error('Unable to apply UBC parameters: container is not running')
        return VZ.VE_NOT_RUNNING
    state.setdefault('ubc', {}).update(dict((k, list(v)) for k, v in ubc.items()))
    ctx.save_state(state)
    ctx.con.info('UB limits were set successfully')
    return 0


def set_userpasswd(ctx, cfg, params, running):
    """--userpasswd: start a stopped CT just for this, run chpasswd inside, stop it again."""
    if not running:
        rc = ct_start(ctx, cfg, skip_setup=True)
        if rc:
            return rc
    rc = 0
    for entry in params.userpw:
        user, sep, password = entry.partition(':')
        if not sep or not user or not ensure_user(ctx.private_lab(cfg), user):
            rc = VZ.CHANGEPASS
        elif run_in_ct(ctx, ['/bin/sh', '-c', 'chpasswd'], stdin=('%s:%s\n' % (user, password)).encode('utf-8')):
            rc = VZ.CHANGEPASS
        if rc:
            ctx.con.info('Password change failed')
            break
    if not running:
        ct_stop(ctx, fast=True)
    return rc


def ensure_user(root, user):
    """set_userpass.sh adds a missing user before chpasswd; the placeholder template has no useradd."""
    if not re.match(r'^[a-z_][a-z0-9_.-]*$', user):
        return False
    etc = os.path.join(root, 'etc')
    passwd = os.path.join(etc, 'passwd')
    if not os.path.isfile(passwd):
        return False
    with open(passwd, encoding='utf-8') as handle:
        entries = [line.split(':') for line in handle.read().splitlines() if line]
    if any(e[0] == user for e in entries):
        return True
    uid = max([int(e[2]) for e in entries if len(e) > 2 and e[2].isdigit() and int(e[2]) >= 1000] + [999]) + 1
    home = '/home/%s' % user
    makedirs(os.path.join(root, home.lstrip('/')))
    with open(passwd, 'a', encoding='utf-8') as handle:
        handle.write('%s:x:%d:%d::%s:/bin/sh\n' % (user, uid, uid, home))
    with open(os.path.join(etc, 'group'), 'a', encoding='utf-8') as handle:
        handle.write('%s:x:%d:\n' % (user, uid))
    with open(os.path.join(etc, 'shadow'), 'a', encoding='utf-8') as handle:
        handle.write('%s:!:19000:0:99999:7:::\n' % user)
    return True


def apply_config(ctx, params):
    """--applyconfig NAME: the sample's parameters (not paths, template, hostname, IPs) as if given."""
    real = '%s/ve-%s.conf-sample' % (CONF_DIR, params.applyconfig)
    sample = ConfFile.read(ctx.lab.path(real))
    if sample is None:
        ctx.con.error('Sample config file not found: %s' % real)
        return VZ.APPLY_CONFIG_ERROR
    skipped = ('VE_ROOT', 'VE_PRIVATE', 'OSTEMPLATE', 'HOSTNAME', 'DESCRIPTION', 'IP_ADDRESS', 'NAME')
    ubc_names = dict((name.upper(), name) for name, _k in UBC)
    for key, value in sample.values().items():
        if key in skipped:
            continue
        try:
            if key in ubc_names:
                params.ubc[ubc_names[key]] = parse_ubc(ubc_names[key], value)
            elif key in ('DISKSPACE', 'DISKINODES'):
                params.scalars[key] = '%d:%d' % parse_dq(value, 1024 if key == 'DISKSPACE' else 1)
            elif key in STORE_ORDER:
                params.scalars[key] = value
        except Truncated as exc:
            params.ubc[ubc_names[key]] = exc.value
        except BadValue:
            continue
    params.scalars.setdefault('ORIGIN_SAMPLE', params.applyconfig)
    return 0


def check_set_mode(ctx, params):
    """Parameters a running CT cannot take: 0 = warn and go on, 1 = restart, -1 = refuse."""
    cfg = ctx.cfg
    found = []
    if params.caps and store_onoff(read_onoff(cfg.own('CAPABILITY')), params.caps, CAPABILITIES) != \
            store_onoff(read_onoff(cfg.own('CAPABILITY')), {}, CAPABILITIES):
        found.append('Unable to set capability on a running container')
    if 'IPTABLES' in params.scalars and params.scalars['IPTABLES'] != cfg.get('IPTABLES'):
        found.append('Unable to set iptables on a running container')
    if 'NETFILTER' in params.scalars and params.scalars['NETFILTER'] != cfg.get('NETFILTER'):
        # UNCONFIRMED wording, modelled on the iptables message.
        found.append('Unable to set netfilter on a running container')
    if params.features and store_onoff(read_onoff(cfg.own('FEATURES')), params.features, FEATURES) != \
            store_onoff(read_onoff(cfg.own('FEATURES')), {}, FEATURES):
        found.append('Unable to set features on a running container')
    if 'QUOTAUGIDLIMIT' in params.scalars:
        new, old = int(params.scalars['QUOTAUGIDLIMIT']), cfg.number('QUOTAUGIDLIMIT') or 0
        if new and not old:
            found.append('Unable to turn on second-level disk quota on a running container')
        elif old and not new:
            found.append('Unable to turn off second-level disk quota on a running container')
    if 'DISK_QUOTA' in params.scalars and params.scalars['DISK_QUOTA'] != cfg.get('DISK_QUOTA'):
        found.append('Unable to switch DISK_QUOTA on or off on a running container')
    if 'MOUNT_OPTS' in params.scalars and params.scalars['MOUNT_OPTS'] != cfg.get('MOUNT_OPTS'):
        found.append('Unable to change mount options on a running container')
    if not found:
        return 0
    if params.setmode == 'restart':
        return 1
    for message in found:
        ctx.con.error(message)
    if params.setmode == 'ignore':
        return -1
    ctx.con.error('WARNING: Some of the parameters could not be applied to a running container.\n'
                  '\tPlease consider using --setmode option')
    return 0


def not_running(ctx, what):
    ctx.con.error('Unable to %s: container is not running' % what)
    return VZ.VE_NOT_RUNNING


def apply_runtime(ctx, params, running):
    """res.c vps_setup_res() at STATE_RUNNING: what a set without --save does, in its order."""
    con, cfg = ctx.con, ctx.cfg
    state = ctx.state
    if params.ubc or 'VM_OVERCOMMIT' in params.scalars:
        if not running:
            return not_running(ctx, 'apply UBC parameters')
        state.setdefault('ubc', {}).update(dict((k, list(v)) for k, v in params.ubc.items()))
        con.info('UB limits were set successfully')
    delete = params.ip_del + [ip for ip in cfg.ips() if find_ip(params.ip_add, ip) is not None]
    if delete or params.ip_delall:
        if not running:
            return not_running(ctx, 'apply network parameters')
        if params.ip_delall:
            delete = state.get('ip', []) + [d for d in delete if addr_only(d) not in state.get('ip', [])]
        con.info('Deleting %sIP address(es): %s' % ('all ' if params.ip_delall else '', ' '.join(delete)))
        state['ip'] = [ip for ip in state.get('ip', []) if find_ip(delete, ip) is None]
    if params.ip_add:
        if not running:
            return not_running(ctx, 'apply network parameters')
        busy = ips_in_use(ctx, params.ip_add)
        if busy is not None:
            con.error('Unable to add IP %s: Address already in use' % addr_only(busy))
            return VZ.IP_INUSE
        con.info('Adding IP address(es): %s' % ' '.join(params.ip_add))
        state['ip'] = state.get('ip', []) + [addr_only(ip) for ip in params.ip_add if addr_only(ip) not in state.get('ip', [])]
    if params.netdev_add or params.netdev_del:
        if not running:
            return not_running(ctx, 'setup network devices')
    cpu_keys = params.runtime_keys('CPULIMIT', 'CPUUNITS', 'CPUS', 'CPUMASK', 'NODEMASK')
    if cpu_keys:
        if not running:
            return not_running(ctx, 'apply CPU parameters')
        numbers = dict((key, int(params.scalars[key])) for key in ('CPULIMIT', 'CPUUNITS', 'CPUS') if key in params.scalars)
        cpu_lines(ctx, numbers.get('CPULIMIT'), numbers.get('CPUUNITS'), numbers.get('CPUS'),
                  params.scalars.get('CPUMASK'), params.scalars.get('NODEMASK'))
        for key, field in (('CPULIMIT', 'cpulimit'), ('CPUUNITS', 'cpuunits'), ('CPUS', 'cpus')):
            if key in params.scalars:
                state[field] = int(params.scalars[key])
    if params.devnodes or params.devices:
        if not running:
            return not_running(ctx, 'apply devperm')
        con.info('Setting devices')
    if params.pci_add or params.pci_del:
        if not running:
            return not_running(ctx, 'configure PCI devices')
        con.info('Setting PCI devices')
    rc = apply_io(ctx, params, running)
    if rc:
        return rc
    if 'HOSTNAME' in params.scalars or params.ip_add or params.ip_delall or params.nameserver or \
            params.searchdomain or 'QUOTAUGIDLIMIT' in params.scalars:
        if not running:
            con.info('Unable to configure container: not running')
        else:
            write_ct_files(ctx, cfg, params.scalars.get('HOSTNAME'), params.nameserver, params.searchdomain)
    if params.netif_add or params.netif_del or params.netif_delall or params.veth_cfg:
        if not running:
            # UNCONFIRMED wording for veth changes on a stopped CT without --save.
            return not_running(ctx, 'configure veth devices')
        devs = merged_netif(params, cfg) or []
        con.info('Configure veth devices: %s' % ' '.join(d.get('host_ifname', '') for d in devs))
    if running:
        ctx.save_state(state)
    return 0


def apply_io(ctx, params, running):
    """io.c: ioprio fails on a stopped CT (no beancounter), the limits print before failing."""
    if 'IOPRIO' in params.scalars and not running:
        # UNCONFIRMED: ioprio_set() on a CT without a beancounter fails with ESRCH.
        ctx.con.error('Unable to set ioprio: No such process')
        return VZ.SET_IO
    for key, unit in (('IOLIMIT', 'bytes/sec'), ('IOPSLIMIT', 'iops')):
        if key in params.scalars:
            value = int(params.scalars[key])
            ctx.con.info('Setting %s: %d %s' % (key.lower(), value, unit if value else '(unlimited)'))
            if not running:
                ctx.con.error('Container is not running')
                return VZ.VE_NOT_RUNNING
    return 0


# ================================================================ dispatch

class Command:
    """A vzctl command: how to parse its arguments, whether it locks, whether it needs CTID.conf."""

    def __init__(self, run, parse=parse_none, locks=True, needs_conf=True):
        self.run = run
        self.parse = parse
        self.locks = locks
        self.needs_conf = needs_conf


COMMANDS = {
    'create': Command(cmd_create, lambda c, a: parse_params(c, a, CREATE_HANDLERS), needs_conf=False),
    'set': Command(cmd_set, lambda c, a: parse_params(c, a, SET_HANDLERS), needs_conf=False),
    'start': Command(cmd_start, lambda c, a: parse_startstop(c, a, True, False)),
    'stop': Command(cmd_stop, lambda c, a: parse_startstop(c, a, False, True)),
    'restart': Command(cmd_restart, lambda c, a: parse_startstop(c, a, True, True)),
    'destroy': Command(cmd_destroy),
    'mount': Command(cmd_mount),
    'umount': Command(cmd_umount),
    'status': Command(cmd_status, locks=False, needs_conf=False),
    'suspend': Command(cmd_suspend, parse_dump),
    'resume': Command(cmd_resume, parse_dump),
    'exec': Command(cmd_exec, parse_exec, locks=False),
    'exec2': Command(cmd_exec2, parse_exec, locks=False),
    'exec3': Command(cmd_exec3, parse_exec, locks=False),
    'enter': Command(cmd_enter, parse_enter, locks=False),
    'console': Command(cmd_console, lambda c, a: a, locks=False),
    'runscript': Command(cmd_runscript, parse_runscript),
    'quotaon': Command(quota_cmd(VZ.DQ_ON)),
    'quotaoff': Command(quota_cmd(VZ.DQ_OFF)),
    'quotainit': Command(quota_cmd(VZ.DQ_INIT)),
    'compact': Command(cmd_compact),
    'convert': Command(cmd_convert, parse_convert),
}
ALIASES = {'delete': 'destroy', 'chkpnt': 'suspend', 'restore': 'resume'}


def resolve_ctid(lab, arg):
    """(ctid, name or None); ctid is -1 when the argument is neither a number nor a known name."""
    try:
        return parse_int(arg), None
    except BadValue:
        return ctid_by_name(lab, arg), arg


def log_prefix(ctid):
    def prefix():
        stamp = time.strftime('%Y-%m-%dT%H:%M:%S%z')
        return '%s %s : %s' % (stamp, PROG, 'CT %d : ' % ctid if ctid else '')
    return prefix


def _vzctl(args):
    lab = Lab.from_env()
    quiet, verbose, skiplock = False, 0, False
    while args and args[0] in ('--verbose', '--quiet', '--version', '--skiplock'):
        flag, args = args[0], args[1:]
        if flag == '--version':
            out('vzctl version %s' % VERSION)
            return 0
        quiet = quiet or flag == '--quiet'
        skiplock = skiplock or flag == '--skiplock'
        verbose += flag == '--verbose'
    if not args:
        sys.stderr.write(USAGE)
        return VZ.INVALID_PARAMETER_SYNTAX
    if args[0] == '--help':
        sys.stdout.write(USAGE)
        return 0
    name = ALIASES.get(args[0], args[0])
    command = COMMANDS.get(name)
    if command is None:
        err('Bad command: %s' % args[0])
        return VZ.INVALID_PARAMETER_SYNTAX
    if len(args) < 2:
        err('CT ID missing')
        return VZ.INVALID_PARAMETER_VALUE
    ctid, ct_name = resolve_ctid(lab, args[1])
    if ctid < 0 or ctid > VEID_MAX:
        err('Bad CT ID %s' % args[1])
        return VZ.INVALID_PARAMETER_VALUE
    con = Console(quiet=quiet or name == 'status', verbose=verbose)
    ctx = Ctx(lab, con, ctid)
    ctx.skiplock = skiplock
    ctx.args = args[2:]
    try:
        return run_command(ctx, name, args[0], command, ct_name)
    finally:
        ctx.release()


def run_command(ctx, name, typed, command, ct_name):
    lab, con = ctx.lab, ctx.con
    gconf = ConfFile.read(lab.path(GLOBAL_CONF))
    if gconf is None:
        con.error('Unable to open %s: No such file or directory' % GLOBAL_CONF)
        return VZ.NOCONFIG
    ctx.gconf = gconf
    if gconf.get('LOGGING', 'yes') != 'no' and gconf.get('LOGFILE'):
        try:
            level = int(gconf.get('LOG_LEVEL', '0'))
        except ValueError:
            level = 0
        con.set_logfile(lab.path(gconf.get('LOGFILE')), level, log_prefix(ctx.ctid))
    fault = Faults(lab).take(PROG, (name, typed), (str(ctx.ctid),) + ((ct_name,) if ct_name else ()))
    if fault is not None:
        if command.locks and fault.get('hang'):
            ctx.take_lock()
        Faults.apply(fault)
    opts = command.parse(ctx, ctx.args)
    if ctx.ctid == 0 and name != 'set':
        err('Only set actions are allowed for CT0')
        return VZ.INVALID_PARAMETER_VALUE
    ctx.conf = ConfFile.read(lab.path(conf_real(ctx.ctid)))
    if ctx.conf is not None:
        own_name = ctx.conf.get('NAME')
        if ct_name is not None and own_name is not None and own_name != ct_name:
            con.error('Unable to find container by name %s' % ct_name)
            return VZ.INVALID_PARAMETER_VALUE
    elif command.needs_conf:
        con.error('Container config file does not exist')
        return VZ.NOVECONFIG
    if command.locks:
        ctx.take_lock()
    return command.run(ctx, opts)


def vzctl_main(argv=None):
    """Entry point of ``tests/lab/bin/vzctl``; returns the exit code."""
    return run_tool(PROG, _vzctl, sys.argv[1:] if argv is None else list(argv))
