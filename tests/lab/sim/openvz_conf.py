# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OpenVZ (vzctl 4.x) configuration for the lab simulator: tables, value formats, files.

Authority: /work/shared/reference/openvz.md (§4 "Value formats", §5, §7); where
the sheet is silent the behaviour follows vzctl 4.x's ``src/lib/config.c``.

* ``VZ``: the exit codes of §5 that the simulator uses;
* value parsers with vzctl's suffix rules (``parse_ubc``, ``parse_vswap``,
  ``parse_dq`` ...) and writers (``ubcstr``) -- UBC in base units, one number
  when barrier == limit, ``unlimited`` for LONG_MAX;
* ``ConfFile``: a ``KEY="value"`` file whose lines are kept, so that a save
  replaces the first ``KEY=`` line in place, appends new keys and leaves
  everything else (comments, unknown keys) untouched;
* ``CTConfig``: the effective parameters of one CT (its file over vz.conf);
* run state: what the simulated kernel knows (running, mounted, live addresses
  and limits), one JSON file per CT under ``$VE_LAB_ROOT/.lab/run/``, and the
  name links of ``/etc/vz/names``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re
import stat

from .common import read_json, write_json

# ---------------------------------------------------------------- constants

GLOBAL_CONF = '/etc/vz/vz.conf'
CONF_DIR = '/etc/vz/conf'
NAMES_DIR = '/etc/vz/names'
LONG_MAX = 9223372036854775807
INT_MAX = 2147483647
VEID_MAX = 2147483644
RESERVED_MAX = 100          # CT IDs 1..100 are reserved (§1)
DEF_CPUUNITS = 1000
MIN_CPUUNITS = 8
MAX_CPUUNITS = 500000
try:
    PAGE_SIZE = os.sysconf('SC_PAGE_SIZE')
except (ValueError, OSError, AttributeError):
    PAGE_SIZE = 4096


class VZ:
    """vzctl exit codes (openvz.md §5)."""
    SETUBC_ERROR = 1
    SYSTEM_ERROR = 3
    ENVCREATE_ERROR = 7
    COMMAND_EXECUTION_ERROR = 8
    LOCKED = 9
    NOCONFIG = 10
    NOSCRIPT = 11
    NOVECONFIG = 14
    CHKPNT_ERROR = 16
    RESTORE_ERROR = 17
    INVALID_PARAMETER_SYNTAX = 20
    INVALID_PARAMETER_VALUE = 21
    VE_PRIVATE_NOTSET = 23
    VE_OSTEMPLATE_NOTSET = 29
    VE_NOT_RUNNING = 31
    VE_RUNNING = 32
    STOP_ERROR = 33
    FS_NOT_MOUNTED = 40
    FS_MOUNTED = 41
    FS_NOPRVT = 43
    FS_PRVT_AREA_EXIST = 44
    FS_NEW_VE_PRVT = 48
    DQ_ON = 60
    DQ_INIT = 61
    DISKSPACE_NOT_SET = 63
    DQ_OFF = 66
    CHANGEPASS = 74
    IP_INUSE = 78
    CP_CONFIG = 82
    SET_DEVICES = 86
    OSTEMPLATE_NOT_FOUND = 91
    VE_START_DISABLED = 105
    APPLY_CONFIG_ERROR = 109
    SET_NAME_ERROR = 131
    SET_IO = 148
    LIST_SNAPSHOT = 167


# UBC resources in vzctl's store order (config.c store_ub) with their unit:
# bytes take K/M/G/T/P/B suffixes, pages are pages unless suffixed, items take none.
UBC = (
    ('kmemsize', 'bytes'), ('lockedpages', 'pages'), ('privvmpages', 'pages'),
    ('shmpages', 'pages'), ('numproc', 'items'), ('physpages', 'pages'),
    ('vmguarpages', 'pages'), ('oomguarpages', 'pages'), ('numtcpsock', 'items'),
    ('numflock', 'items'), ('numpty', 'items'), ('numsiginfo', 'items'),
    ('tcpsndbuf', 'bytes'), ('tcprcvbuf', 'bytes'), ('othersockbuf', 'bytes'),
    ('dgramrcvbuf', 'bytes'), ('numothersock', 'items'), ('numfile', 'items'),
    ('dcachesize', 'bytes'), ('numiptent', 'items'), ('avnumproc', 'items'),
    ('swappages', 'pages'),
)
UBC_KIND = dict(UBC)
UNIT_DIVISOR = {'bytes': 1, 'pages': PAGE_SIZE, 'items': 0}
KEY_ALIASES = {'DCACHE': 'DCACHESIZE', 'IPTENTRIES': 'NUMIPTENT'}

# Order in which vzctl appends keys it did not find in the file (store_ub, then the config table).
STORE_ORDER = [name.upper() for name, _kind in UBC] + [
    'VM_OVERCOMMIT', 'IPTABLES', 'NETFILTER', 'CAPABILITY', 'IP_ADDRESS', 'NETDEV', 'HOSTNAME',
    'DESCRIPTION', 'NAMESERVER', 'SEARCHDOMAIN', 'DEVICES', 'DEVNODES', 'PCI', 'VE_ROOT',
    'VE_PRIVATE', 'MOUNT_OPTS', 'VE_LAYOUT', 'OSTEMPLATE', 'CPUUNITS', 'CPULIMIT', 'CPUS',
    'CPUMASK', 'NODEMASK', 'ONBOOT', 'ORIGIN_SAMPLE', 'DISABLED', 'LOCAL_UID', 'LOCAL_GID',
    'DISK_QUOTA', 'DISKSPACE', 'DISKINODES', 'QUOTATIME', 'QUOTAUGIDLIMIT', 'MEMINFO', 'NETIF',
    'NAME', 'FEATURES', 'IOPRIO', 'IOLIMIT', 'IOPSLIMIT', 'BOOTORDER', 'STOP_TIMEOUT',
]

# What the simulated kernel reports as "held" for an idle running CT (runtimes may override it
# with a "held" mapping in the run state).
IDLE_HELD = {
    'kmemsize': 3538944, 'lockedpages': 0, 'privvmpages': 20480, 'shmpages': 128, 'numproc': 18,
    'physpages': 12288, 'vmguarpages': 0, 'oomguarpages': 12288, 'numtcpsock': 4, 'numflock': 2,
    'numpty': 0, 'numsiginfo': 0, 'tcpsndbuf': 69632, 'tcprcvbuf': 65536, 'othersockbuf': 9248,
    'dgramrcvbuf': 0, 'numothersock': 20, 'dcachesize': 1572864, 'numfile': 320, 'numiptent': 10,
    'avnumproc': 0, 'swappages': 0,
}

FEATURES = ('sysfs', 'nfs', 'sit', 'ipip', 'ppp', 'ipgre', 'bridge', 'nfsd')
CAPABILITIES = (
    'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
    'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW',
    'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT',
    'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
    'LEASE', 'SETVEID', 'VE_ADMIN',
)
NETFILTER = ('disabled', 'stateless', 'stateful', 'full')
# UNCONFIRMED: vzctl treats a CT without NETFILTER as the legacy "everything allowed".
NETFILTER_DEFAULT = 'full'
MEMINFO_MODES = ('none', 'pages', 'privvmpages')
SIZE_MUL = {'T': 1 << 40, 'G': 1 << 30, 'M': 1 << 20, 'K': 1 << 10, 'P': PAGE_SIZE, 'B': 1}


class BadValue(ValueError):
    """The value of a parameter cannot be parsed (vzctl's ERR_INVAL)."""


class Truncated(BadValue):
    """The value was too large and was truncated (ERR_LONG_TRUNC): an error on the command line."""

    def __init__(self, value):
        super(Truncated, self).__init__(value)
        self.value = value


# ---------------------------------------------------------------- numbers with suffixes

_NUM = re.compile(r'(\d*)(\.\d*)?')


def _parse_ul_sfx(text, divisor, allow_unlimited):
    """One ``N[.N][KMGTPB]`` (or ``unlimited``); returns (value, rest)."""
    if allow_unlimited and text.startswith('unlimited'):
        return LONG_MAX, text[9:]
    match = _NUM.match(text)
    digits, fraction = match.group(1), match.group(2)
    if fraction:
        value = float(digits + fraction)
    else:
        value = int(digits or '0')
    rest = text[match.end():]
    if rest and rest[0] != ':':
        mul = SIZE_MUL.get(rest[0].upper())
        if not divisor or mul is None:
            raise BadValue(text)
        value = value * mul / divisor if isinstance(value, float) else value * mul // divisor
        rest = rest[1:]
    value = int(value)
    return (LONG_MAX + 1 if value > LONG_MAX else value), rest


def parse_pair(text, divisor, allow_unlimited):
    """``A[:B]`` with suffixes; B defaults to A. Raises Truncated (with the clamped pair) above LONG_MAX."""
    first, rest = _parse_ul_sfx(text, divisor, allow_unlimited)
    if rest.startswith(':'):
        second, rest = _parse_ul_sfx(rest[1:], divisor, allow_unlimited)
        if rest:
            raise BadValue(text)
    elif rest:
        raise BadValue(text)
    else:
        second = first
    pair = (min(first, LONG_MAX), min(second, LONG_MAX))
    if first > LONG_MAX or second > LONG_MAX:
        raise Truncated(pair)
    return pair


def parse_ubc(name, text):
    """barrier[:limit] of UBC ``name`` in its base unit."""
    return parse_pair(text, UNIT_DIVISOR[UBC_KIND[name]], True)


def parse_vswap(text):
    """``--ram``/``--swap``: bytes (suffixes allowed) -> (0, pages rounded up)."""
    value, rest = _parse_ul_sfx(text, 1, True)
    if rest:
        raise BadValue(text)
    pages = (value + PAGE_SIZE - 1) // PAGE_SIZE
    if pages > LONG_MAX:
        raise Truncated((0, LONG_MAX))
    return 0, pages


def parse_dq(text, divisor):
    """DISKSPACE (divisor 1024: plain numbers are KB) or DISKINODES (divisor 1)."""
    return parse_pair(text, divisor, False)


def parse_ulong(text):
    if not re.match(r'^\d+$', text or ''):
        raise BadValue(text)
    return int(text)


def parse_int(text):
    """vzctl's parse_int: a whole (optionally signed) decimal number."""
    if not re.match(r'^\s*[+-]?\d+$', text or ''):
        raise BadValue(text)
    return int(text)


def ubc_value(value):
    return 'unlimited' if value >= LONG_MAX else str(value)


def ubcstr(barrier, limit):
    """How vzctl writes a UBC pair: one value when equal, ``unlimited`` for LONG_MAX."""
    if barrier == limit:
        return ubc_value(barrier)
    return '%s:%s' % (ubc_value(barrier), ubc_value(limit))


def yesno(text):
    if text not in ('yes', 'no'):
        raise BadValue(text)
    return text


def parse_float(text):
    match = re.match(r'^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?', text or '')
    if not match:
        raise BadValue(text)
    return float(match.group(0))


def format_g(value):
    return '%g' % value


def parse_cpulimit(text, ncpu):
    """``N`` (100 = one CPU) or ``N%`` of the whole host (N <= 100, times the CPU count)."""
    match = re.match(r'^(\d+)(%?)$', text or '')
    if not match:
        raise BadValue(text)
    value = int(match.group(1))
    if match.group(2):
        if value > 100:
            raise BadValue(text)
        value *= ncpu
    return value


def parse_bitmap(text, nbits):
    """A CPU/NUMA list like ``0-3,6`` or ``all``."""
    if text == 'all':
        return text
    for part in text.split(','):
        match = re.match(r'^(\d+)(?:-(\d+))?$', part)
        if not match:
            raise BadValue(text)
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if low > high or high >= nbits:
            raise BadValue(text)
    return text


def parse_iolimit(text, default_mul):
    """IOLIMIT: bytes/s; the command line takes MB/s unless a suffix is given."""
    if text == 'unlimited':
        return 0
    match = re.match(r'^(\d+)([A-Za-z]?)$', text or '')
    if not match:
        raise BadValue(text)
    value = int(match.group(1))
    if match.group(2):
        mul = SIZE_MUL.get(match.group(2).upper())
        if mul is None:
            raise BadValue(text)
        value *= mul
    else:
        value *= default_mul
    if value > INT_MAX:
        raise Truncated(INT_MAX)
    return value


def parse_meminfo(text):
    mode, sep, number = text.partition(':')
    if mode not in MEMINFO_MODES:
        raise BadValue(text)
    if mode == 'none':
        if sep:
            raise BadValue(text)
        return 'none'
    if not sep or not number.isdigit() or int(number) == 0:
        raise BadValue(text)
    return '%s:%d' % (mode, int(number))


# ---------------------------------------------------------------- names

_NAME_OK = re.compile(r'^[A-Za-z0-9 +_.-]*$')


def valid_name(name):
    """Letters, digits, space and ``- + _ .`` (config.c check_name)."""
    return bool(_NAME_OK.match(name))


# ---------------------------------------------------------------- addresses

def canon_ip(token):
    """Canonical ``ADDR[/PREFIX]`` (IPv4 or IPv6, compressed), or None if invalid."""
    # imported here: only set/create need it
    import ipaddress
    addr, sep, mask = token.partition('/')
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return None
    text = str(ip)
    if sep:
        if mask.isdigit() and int(mask) <= ip.max_prefixlen:
            prefix = int(mask)
        elif ip.version == 4:
            try:
                prefix = ipaddress.IPv4Network('0.0.0.0/%s' % mask).prefixlen
            except ValueError:
                return None
        else:
            return None
        text += '/%d' % prefix
    return text


def addr_only(token):
    return token.split('/', 1)[0]


def find_ip(ips, token):
    """The entry of ``ips`` with the same address as ``token`` (masks ignored), or None."""
    for ip in ips:
        if addr_only(ip) == addr_only(token):
            return ip
    return None


def merge_ips(old, add, delete, delall):
    """IP_ADDRESS after ``--ipadd``/``--ipdel``: kept old ones, then the added ones in order."""
    result = [] if delall else [ip for ip in old if find_ip(delete, ip) is None]
    for ip in add:
        if find_ip(result, ip) is None:
            result.append(ip)
    return result


# ---------------------------------------------------------------- on/off sets

def parse_onoff(text):
    """``name:on|off[,name:on|off...]`` (also space separated) -> [(name, bool)]; BadValue(token) if malformed."""
    result = []
    for token in re.split(r'[\t ,]+', text.strip()):
        if not token:
            continue
        name, sep, state = token.rpartition(':')
        if not sep or state not in ('on', 'off') or not name:
            raise BadValue(token)
        result.append((name, state == 'on'))
    return result


def read_onoff(text):
    """FEATURES/CAPABILITY value -> {name: bool} (malformed tokens skipped)."""
    result = {}
    for token in re.split(r'[\t ,]+', (text or '').strip()):
        name, sep, state = token.rpartition(':')
        if sep and state in ('on', 'off'):
            result[name] = state == 'on'
    return result


def store_onoff(current, changes, order):
    """Merge ``changes`` into ``current`` and write them in table order."""
    merged = dict(current)
    merged.update(changes)
    names = [n for n in order if n in merged] + sorted(n for n in merged if n not in order)
    return ' '.join('%s:%s' % (n, 'on' if merged[n] else 'off') for n in names)


# ---------------------------------------------------------------- devices

def devperm(text):
    """``r``/``w``/``q`` in any order (or ``none``) -> normalised ``rwq`` subset ('' for none)."""
    if text == 'none':
        return ''
    if not text or any(c not in 'rwq' for c in text):
        raise BadValue(text)
    return ''.join(c for c in 'rwq' if c in text)


def parse_devnode(token, dev_root='/dev'):
    """``name:perm`` of a host device node -> (name, perm); raises BadValue with vzctl's reason."""
    name, sep, perm = token.rpartition(':')
    if not sep or not name:
        raise BadValue(token)
    path = os.path.join(dev_root, name)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise BadValue('Incorrect device name /dev/%s: %s' % (name, exc.strerror))
    if not (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        raise BadValue('The /dev/%s is not block or character device' % name)
    return name, devperm(perm)


def parse_device(token):
    """``b|c:major:minor|all:perm`` -> ((type, major, minor), perm)."""
    parts = token.split(':')
    if len(parts) != 4 or parts[0] not in ('b', 'c') or not parts[1].isdigit():
        raise BadValue(token)
    if int(parts[1]) == 7:      # loop devices are refused
        raise BadValue(token)
    if parts[2] != 'all' and not parts[2].isdigit():
        raise BadValue(token)
    return (parts[0], parts[1], parts[2]), devperm(parts[3])


def read_devnodes(text):
    result = []
    for token in (text or '').split():
        name, sep, perm = token.rpartition(':')
        if sep and name:
            result.append((name, perm))
    return result


def read_devices(text):
    result = []
    for token in (text or '').split():
        parts = token.split(':')
        if len(parts) == 4:
            result.append(((parts[0], parts[1], parts[2]), parts[3]))
    return result


def store_dev_list(old, new, fmt):
    """vzctl's store_dev/store_devnodes: old entries not overridden, then the new ones; trailing blanks kept.

    Returns None when there is nothing to store at all.
    """
    if not old and not new:
        return None
    new_keys = set(key for key, _perm in new)
    entries = [(k, p) for k, p in old if k not in new_keys and p] + [(k, p) for k, p in new if p]
    return ''.join(fmt(k, p) + ' ' for k, p in entries)


# ---------------------------------------------------------------- veth (NETIF)

NETIF_FIELDS = ('ifname', 'bridge', 'mac', 'host_ifname', 'host_mac', 'mac_filter')


def generate_mac(ctid, dev_name):
    """A stable MAC in the SWsoft OUI 00:18:51, like vzctl's generate_mac()."""
    # imported here: slow to import, rarely needed
    import hashlib
    digest = hashlib.md5(('%d%s' % (ctid, dev_name)).encode('utf-8')).digest()
    return '00:18:51:%02X:%02X:%02X' % (digest[0], digest[1], digest[2])


def veth_host_name(ctid, ifname):
    match = re.search(r'(\d+)', ifname)
    return 'veth%d.%d' % (ctid, int(match.group(1)) if match else 0)


def read_netif(text):
    result = []
    for chunk in (text or '').split(';'):
        dev = {}
        for item in chunk.split(','):
            key, sep, value = item.partition('=')
            if sep and key in NETIF_FIELDS and key not in dev:
                dev[key] = value
        if dev.get('ifname'):
            result.append(dev)
    return result


def store_netif(devs):
    return ';'.join(','.join('%s=%s' % (k, d[k]) for k in NETIF_FIELDS if d.get(k)) for d in devs)


def parse_netif_add(ctid, text):
    """``ifname[,mac,host_ifname,host_mac,bridge]`` with vzctl's generated defaults."""
    parts = text.split(',')
    if len(parts) > 5:
        raise BadValue(text)
    ifname, mac, host_ifname, host_mac, bridge = parts + [''] * (5 - len(parts))
    if not ifname or max(len(ifname), len(host_ifname), len(bridge)) > 16:     # IFNAMSIZ
        raise BadValue(text)
    for value in (mac, host_mac):
        if value and not re.match(r'^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$', value):
            raise BadValue(text)
    host_ifname = host_ifname or veth_host_name(ctid, ifname)
    dev = {
        'ifname': ifname,
        'mac': (mac or generate_mac(ctid, ifname)).upper(),
        'host_ifname': host_ifname,
        'host_mac': (host_mac or generate_mac(ctid, host_ifname)).upper(),
    }
    if bridge:
        dev['bridge'] = bridge
    return dev


# ---------------------------------------------------------------- KEY="value" files

_ASSIGN = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$')


def parse_line(line):
    """(key, value) of a ``KEY="value"`` / ``KEY=value`` line, or None for comments/blank/garbage.

    Like vzctl's parse_line(): the outer quotes are dropped and inner ones kept, so a value
    written as ``DESCRIPTION="say "hi""`` reads back as ``say "hi"``.
    """
    match = _ASSIGN.match(line)
    if not match:
        return None
    key, raw = match.group(1), match.group(2).strip()
    if raw.startswith('"'):
        if len(raw) > 1 and raw.endswith('"'):
            return key, raw[1:-1]
        end = raw.find('"', 1)      # a trailing comment after the closing quote
        return (key, raw[1:end]) if end > 0 else None
    return key, re.split(r'\s+#', raw, 1)[0]


class ConfFile:
    """The lines of a vzctl config file; values are read from them, saves rewrite them."""

    def __init__(self, text=''):
        self.lines = text.splitlines()
        self._values = None

    @classmethod
    def read(cls, path):
        """The file at the lab ``path``, or None if it does not exist."""
        try:
            with open(path, encoding='utf-8', errors='surrogateescape') as handle:
                return cls(handle.read())
        except (IOError, OSError):
            return None

    def values(self):
        """{KEY: value}; the first occurrence of a key wins, aliases fill their canonical key."""
        if self._values is None:
            values = {}
            aliased = {}
            for line in self.lines:
                parsed = parse_line(line)
                if parsed is None:
                    continue
                key, value = parsed
                if key in KEY_ALIASES:
                    aliased.setdefault(KEY_ALIASES[key], value)
                else:
                    values.setdefault(key, value)
            for key, value in aliased.items():
                values.setdefault(key, value)
            self._values = values
        return self._values

    def get(self, key, default=None):
        return self.values().get(key, default)

    def merged(self, stores):
        """A copy with ``stores`` [(KEY, value)] written the way vzctl's vps_merge_conf does."""
        lines = list(self.lines)
        for key, value in stores:
            new = '%s="%s"' % (key, value)
            for index, line in enumerate(lines):
                if line.startswith(key + '='):
                    lines[index] = new
                    break
            else:
                lines.append(new)
        return ConfFile('\n'.join(lines) + '\n' if lines else '')

    def text(self):
        return '\n'.join(self.lines) + '\n' if self.lines else ''


def subst_veid(value, ctid):
    if value is None:
        return None
    return value.replace('${VEID}', str(ctid)).replace('$VEID', str(ctid))


class CTConfig:
    """Effective parameters of CT ``ctid``: its own file over the global vz.conf."""

    def __init__(self, ctid, gconf, conf=None):
        self.ctid = ctid
        self.g = gconf
        self.c = conf if conf is not None else ConfFile()

    def own(self, key):
        """Value from the CT's file only (what vzlist shows)."""
        return self.c.get(key)

    def get(self, key):
        value = self.c.get(key)
        return value if value is not None else self.g.get(key)

    def with_conf(self, conf):
        return CTConfig(self.ctid, self.g, conf)

    # -- paths
    @property
    def private(self):
        return subst_veid(self.get('VE_PRIVATE'), self.ctid)

    @property
    def root(self):
        return subst_veid(self.get('VE_ROOT'), self.ctid)

    @property
    def layout(self):
        value = self.get('VE_LAYOUT') or 'simfs'
        return 'ploop' if value.startswith('ploop') else 'simfs'

    # -- typed values
    def ubc(self, name):
        """(barrier, limit) of a UBC resource, or None if unset/unparsable."""
        return self._ubc_value(name, self.get(name.upper()))

    def own_ubc(self, name):
        """Like ubc(), from this CT's own config only (no sample/global fallback)."""
        return self._ubc_value(name, self.own(name.upper()))

    @staticmethod
    def _ubc_value(name, text):
        if text is None:
            return None
        try:
            return parse_ubc(name, text)
        except Truncated as exc:
            return exc.value
        except BadValue:
            return None

    def quota(self, key):
        """DISKSPACE (KB) or DISKINODES as (soft, hard), or None."""
        text = self.own(key)
        if text is None:
            return None
        try:
            return parse_dq(text, 1024 if key == 'DISKSPACE' else 1)
        except Truncated as exc:
            return exc.value
        except BadValue:
            return None

    def number(self, key, own=False):
        text = self.own(key) if own else self.get(key)
        try:
            return parse_int(text) if text is not None else None
        except BadValue:
            return None

    def words(self, key, own=False):
        text = self.own(key) if own else self.get(key)
        return (text or '').split()

    def ips(self):
        return self.words('IP_ADDRESS', own=True)

    def flags(self, key):
        text = self.own(key)
        return None if text is None else read_onoff(text)

    def yes(self, key):
        return self.get(key) == 'yes'


# ---------------------------------------------------------------- run state and names

def _link_ctid(path):
    """CTID in the ``N.conf`` target of a name link (dangling or not), or -1."""
    try:
        target = os.readlink(path)
    except OSError:
        return -1
    match = re.match(r'^(\d+)\.conf', os.path.basename(target))
    return int(match.group(1)) if match else -1


def ctid_by_name(lab, name):
    """CTID a name resolves to, or -1 (config.c get_veid_by_name: the link must resolve)."""
    if not name or '/' in name or name in ('.', '..'):
        return -1
    link = lab.path('%s/%s' % (NAMES_DIR, name))
    if not os.path.exists(link):
        return -1
    return _link_ctid(link)


def remove_names(lab, ctid):
    """Drop every name link pointing at ``ctid``'s config, dangling ones included."""
    directory = lab.path(NAMES_DIR)
    for name in os.listdir(directory) if os.path.isdir(directory) else ():
        path = os.path.join(directory, name)
        if os.path.islink(path) and _link_ctid(path) == ctid:
            os.unlink(path)


def state_path(lab, ctid):
    return lab.state('run', '%d.json' % ctid)


def load_state(lab, ctid):
    state = read_json(state_path(lab, ctid), {})
    state.setdefault('running', False)
    state.setdefault('mounted', False)
    return state


def save_state(lab, ctid, state):
    path = state_path(lab, ctid)
    if state.get('running') or state.get('mounted'):
        write_json(path, state)
    elif os.path.exists(path):
        os.unlink(path)


def all_states(lab):
    """{ctid: state} of every CT the simulated kernel knows about."""
    result = {}
    for path in glob.glob(lab.state('run', '*.json')):
        match = re.match(r'^(\d+)\.json$', os.path.basename(path))
        if match:
            state = read_json(path, {})
            if isinstance(state, dict):
                result[int(match.group(1))] = state
    return result
