# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fake hardware nodes behind a fake ``ssh``, for the fleet listing and the fleet inventory plugin.

``FakeFleet(root)`` writes an executable ``ssh`` under ``root`` that behaves
like OpenSSH for the listing: it takes its last two arguments as the host and
the one remote command string, fails with 255 and an ssh-like message when the
host is down (or unknown), and otherwise runs the command with ``sh -c`` and a
``PATH`` that starts with the node's own ``bin/``. The command's output goes
through files, as it would through the network: killing the fake ``ssh`` (a
timeout) closes the caller's pipes at once, whatever the node still runs.
Every invocation is recorded (its argv), so tests can count connections and
check the options ssh was given.

Each ``FakeNode`` holds fake tools (``vzlist``, ``prlctl``, ``zoneadm``,
``zonecfg``...) that print canned output, exit with a given status, or sleep;
a node can also be down, print a login banner first, answer with fixed text
instead of running anything, or drop the connection after some bytes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pathlib
import shlex
import stat

CANNED = pathlib.Path(__file__).resolve().parents[1] / 'module_utils' / 'fixtures'

FAKE_SSH = r"""#!/bin/sh
# A fake OpenSSH client: ssh [options] -- HOST COMMAND
fleet=%(root)s
printf '%%s\0' "$@" > "$(mktemp "$fleet/calls/call.XXXXXX")"
host=
command=
for arg in "$@"; do host=$command; command=$arg; done
node="$fleet/nodes/$host"
if [ ! -d "$node" ] || [ -e "$node/down" ]; then
    echo "ssh: connect to host $host port 22: Connection refused" >&2
    exit 255
fi
if [ -f "$node/banner" ]; then cat "$node/banner"; fi
if [ -f "$node/respond" ]; then cat "$node/respond"; exit 0; fi
out=$(mktemp "$fleet/tmp/out.XXXXXX")
err=$(mktemp "$fleet/tmp/err.XXXXXX")
PATH="$node/bin:/usr/bin:/bin" sh -c "$command" > "$out" 2> "$err" < /dev/null
rc=$?
if [ -f "$node/cut" ]; then
    head -c "$(cat "$node/cut")" "$out"
    rm -f "$out" "$err" "$node/cut"
    echo "Connection to $host closed by remote host." >&2
    exit 255
fi
cat "$out"
cat "$err" >&2
rm -f "$out" "$err"
exit $rc
"""

# One script for every fake tool: what it does is read from the node's data/ directory, by tool name
# (zonecfg by zone: data/zonecfg-ZONE.*). Each call is logged to the node's tools.log.
FAKE_TOOL = r"""#!/bin/sh
data=%(data)s
tool=$(basename "$0")
printf '%%s\n' "$tool $*" >> "$data/../tools.log"
key=$tool
if [ "$tool" = zonecfg ]; then
    key="zonecfg-$2"
    if [ ! -f "$data/$key.out" ]; then echo "$2: No such zone configured" >&2; exit 1; fi
fi
if [ -f "$data/$key.sleep" ]; then sleep "$(cat "$data/$key.sleep")"; fi
if [ -f "$data/$key.err" ]; then cat "$data/$key.err" >&2; fi
if [ -f "$data/$key.out" ]; then cat "$data/$key.out"; fi
if [ -f "$data/$key.rc" ]; then exit "$(cat "$data/$key.rc")"; fi
exit 0
"""


def canned(name):
    """The text of one canned real-format output of tests/unit/plugins/module_utils/fixtures/."""
    return (CANNED / name).read_text(encoding='utf-8')


def _executable(path, text):
    path.write_text(text, encoding='utf-8')
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


class FakeNode:
    """One fake node: its tools, its state (down or up), an optional login banner."""

    def __init__(self, fleet, host):
        self.host = host
        self.path = fleet.root / 'nodes' / host
        self.bin = self.path / 'bin'
        self.data = self.path / 'data'
        self.bin.mkdir(parents=True, exist_ok=True)
        self.data.mkdir(exist_ok=True)

    def _data(self, key, out=None, rc=0, err=None, sleep=None):
        for suffix, value in (('out', out), ('rc', rc or None), ('err', err), ('sleep', sleep)):
            target = self.data / ('%s.%s' % (key, suffix))
            if value is None:
                if target.exists():
                    target.unlink()
            else:
                target.write_text('%s' % value, encoding='utf-8')

    def tool(self, name, out=None, rc=0, err=None, sleep=None):
        """Install fake tool ``name``: prints ``out`` (and ``err`` on stderr), after ``sleep`` s, exits ``rc``."""
        _executable(self.bin / name, FAKE_TOOL % {'data': shlex.quote(str(self.data))})
        self._data(name, out, rc, err, sleep)
        return self

    def zone_config(self, zone, out=None, rc=0, err=None):
        """What ``zonecfg -z ZONE export`` prints (no ``out``: the zone is not configured, exit 1)."""
        if not (self.bin / 'zonecfg').exists():
            _executable(self.bin / 'zonecfg', FAKE_TOOL % {'data': shlex.quote(str(self.data))})
        self._data('zonecfg-%s' % zone, out, rc, err)
        return self

    def banner(self, text):
        """Printed on stdout before anything the command prints (a login shell's noise)."""
        (self.path / 'banner').write_text(text, encoding='utf-8')
        return self

    def respond(self, text):
        """The node prints ``text`` (and exits 0) instead of running the command: a broken login or shell."""
        (self.path / 'respond').write_text(text, encoding='utf-8')
        return self

    def cut_after(self, size):
        """The next connection drops after ``size`` bytes of the command's output (ssh exits 255, the node stays up)."""
        (self.path / 'cut').write_text('%d' % size, encoding='utf-8')
        return self

    def down(self, is_down=True):
        marker = self.path / 'down'
        if is_down:
            marker.write_text('', encoding='utf-8')
        elif marker.exists():
            marker.unlink()
        return self

    def tool_calls(self):
        """The tools run on this node, one ``'tool arg...'`` line each."""
        log = self.path / 'tools.log'
        return log.read_text(encoding='utf-8').splitlines() if log.exists() else []


class FakeFleet:
    """A directory of fake nodes and the fake ``ssh`` that reaches them."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        for sub in ('nodes', 'calls', 'tmp'):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.ssh = str(self.root / 'ssh')
        _executable(self.root / 'ssh', FAKE_SSH % {'root': shlex.quote(str(self.root))})

    def node(self, host):
        return FakeNode(self, host)

    def openvz(self, host, out=None, **kwargs):
        """A node with vzlist (canned vzlist 4.11 output unless ``out``)."""
        return self.node(host).tool('vzlist', out=canned('vzlist-4.11-aj.json') if out is None else out, **kwargs)

    def virtuozzo(self, host, out=None, **kwargs):
        """A node with prlctl (and vzlist, as Virtuozzo nodes have): one CT and one VM unless ``out``."""
        if out is None:
            out = virtuozzo_listing()
        return self.node(host).tool('prlctl', out=out, **kwargs).tool('vzlist', out='[]')

    def zones(self, host, listing=None, configs=None):
        """A zones node: ``zoneadm list -cp`` output and the ``zonecfg export`` of each zone."""
        node = self.node(host).tool('zoneadm', out=canned('zoneadm-list-cp-s11.txt') if listing is None else listing)
        if configs is None:
            configs = {'web': canned('zonecfg-export-s11.txt')}
        node.zone_config('global')   # never asked: the script skips the global zone
        for zone, text in configs.items():
            node.zone_config(zone, text)
        return node

    def calls(self, host=None):
        """Every ssh invocation so far (argv lists, the listing and the probes), or only those to ``host``."""
        found = []
        for path in sorted((self.root / 'calls').iterdir()):
            argv = path.read_bytes().decode('utf-8').split('\0')[:-1]
            if host is None or (len(argv) >= 2 and argv[-2] == host):
                found.append(argv)
        return found

    def reset_calls(self):
        for path in (self.root / 'calls').iterdir():
            os.unlink(str(path))


def vzlist_ct(ctid, name=None, status='running', ip=(), hostname=None, **more):
    """One object of ``vzlist -a -j`` (the keys the listing reads; vzlist prints null for what is unset)."""
    obj = {'ctid': ctid, 'veid': ctid, 'name': name, 'hostname': hostname, 'description': None,
           'ostemplate': 'debian-12-x86_64', 'ip': list(ip), 'status': status, 'cpus': 1, 'cpuunits': 1000,
           'cpulimit': 0, 'onboot': True,
           'physpages': {'held': 0, 'maxheld': 0, 'barrier': 0, 'limit': 65536, 'failcnt': 0}}
    obj.update(more)
    return obj


def vzlist_json(*cts):
    """``vzlist -a -j`` output of these CTs (UTF-8 as vzlist prints it, not ASCII escapes)."""
    return json.dumps(list(cts), indent=2, ensure_ascii=False) + '\n'


def virtuozzo_listing():
    """``prlctl list -a -i -j -f`` of a node with the canned CT, the canned VM and a template."""
    infos = json.loads(canned('prlctl-list-i-j-f-ct.json')) + json.loads(canned('prlctl-list-i-j-f-vm.json'))
    template = dict(infos[0], ID='0b5c3a1e-0000-4000-8000-000000000001', EnvID='0b5c3a1e-0000-4000-8000-000000000001',
                    Name='tmpl-debian', Template='yes', State='stopped')
    return json.dumps(infos + [template], indent=1)
