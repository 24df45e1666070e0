# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Listing a fleet: every VE of every hardware node and vCenter, as plain records.

Private to the collection; the work of the inventory plugin ``datacenter.ve.fleet``
below Ansible (no inventory objects here, so it is testable without Ansible).

* A **node** is listed in one SSH round trip: one ``sh -c SCRIPT`` whose script
  (``listing_script``) detects the technology when asked (``auto``: the tools
  on the node's PATH), then runs the listing commands of the backend clients
  (``vzlist -a -j``; ``prlctl list -a -i -j -f``; ``zoneadm list -cp`` and one
  ``zonecfg -z Z export`` per zone, the only way zonecfg shows a configuration)
  and frames each command's output and exit status between marker lines that
  carry a random token, so nothing a VE's name or description contains can be
  taken for a frame, and shell banners around them are ignored
  (``parse_sections``). The same parsers as the modules' turn the frames into
  ``VE`` records (``records_from_listing``).
* A **vCenter** is read with ``_vmware.read_inventory`` (one property-collector
  read over a container view, paged) and ``_vmware.record``.
* ``list_sources`` runs the sources in parallel, at most ``max_workers`` at a
  time; a source that fails yields a ``SourceError`` naming it, the others are
  still listed.

A source's result is plain data (``source_result``), JSON-able, so the
inventory cache can keep it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import os
import secrets
import shlex

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.datacenter.ve.plugins.plugin_utils._node import NodeShell, NodeTimeout, NodeUnreachable

# The backends' parsers are imported when a node is listed: a cached inventory run needs none of them.

NODE_TECHNOLOGIES = ('openvz', 'virtuozzo', 'zones')
NODE_KEYS = ('host', 'name', 'technology', 'user', 'port', 'private_key_file', 'ssh_args')
VCENTER_KEYS = ('name', 'hostname', 'port', 'username', 'password', 'validate_certs', 'ca_path', 'proxy_host',
                'proxy_port', 'connect_timeout')
VCENTER_ALIASES = {'user': 'username', 'admin': 'username', 'pass': 'password', 'pwd': 'password'}
VCENTER_ENV = {'hostname': 'VMWARE_HOST', 'username': 'VMWARE_USER', 'password': 'VMWARE_PASSWORD',
               'port': 'VMWARE_PORT', 'validate_certs': 'VMWARE_VALIDATE_CERTS', 'ca_path': 'VMWARE_CA_PATH'}

# Real nodes keep vzlist, prlctl and zoneadm in /usr/sbin, which a non-root login shell's PATH may lack.
_PATH = 'PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH'
# Tools decide the technology: a Virtuozzo node may also have vzlist, so prlctl is asked first. Written for the
# old Bourne shell too (Solaris 10's /bin/sh: no `command -v`, no $(...)).
_DETECT = [
    'has() { for d in `echo "$PATH" | tr : " "`; do [ -f "$d/$1" ] && return 0; done; return 1; }',
    'if has prlctl; then t=virtuozzo; elif has zoneadm; then t=zones; elif has vzlist; then t=openvz; else t=none; fi',
]
# What each technology's listing runs (shown in errors).
LISTING_COMMANDS = {
    'openvz': 'vzlist -a -j',
    'virtuozzo': 'prlctl list -a -i -j -f',
    'zones': 'zoneadm list -cp; zonecfg -z ZONE export (each zone)',
}


class SourceError(Exception):
    """A node or vCenter could not be listed; the message names it."""


class ConfigError(ValueError):
    """A source's settings are wrong (found before anything is contacted)."""


# ---------------------------------------------------------------------------
# Sources and their settings
# ---------------------------------------------------------------------------

def _port(value, where):
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConfigError('%s: port must be a number, not %r' % (where, value))
    if not 0 < port < 65536:
        raise ConfigError('%s: port %d is out of range' % (where, port))
    return port


def _text(value, where, key):
    if value is None:
        return None
    if isinstance(value, (dict, list, tuple, bool)):
        raise ConfigError('%s: %s must be a string, not %r' % (where, key, value))
    return '%s' % value


class NodeSource:
    """One hardware node: how to reach it and which technology it runs (``auto``: detected there)."""

    kind = 'node'

    def __init__(self, host, name=None, technology='auto', user=None, port=None, private_key_file=None, ssh_args=None):
        self.host = host
        self.name = name or host
        self.technology = technology or 'auto'
        self.user = user or None
        self.port = port
        self.private_key_file = private_key_file or None
        self.ssh_args = ssh_args or ''

    @classmethod
    def from_entry(cls, entry, index):
        """A ``nodes:`` entry (dict) -> NodeSource, or ConfigError saying what is wrong."""
        where = 'nodes[%d]' % index
        if not isinstance(entry, dict):
            raise ConfigError('%s must be a mapping with at least host, not %r' % (where, entry))
        unknown = sorted(set(entry) - set(NODE_KEYS))
        if unknown:
            raise ConfigError('%s: unknown key(s) %s (known: %s)' % (where, ', '.join(unknown), ', '.join(NODE_KEYS)))
        host = _text(entry.get('host'), where, 'host')
        if not host or not host.strip():
            raise ConfigError('%s: host is required' % where)
        host = host.strip()
        if host.startswith('-') or any(c.isspace() for c in host):
            raise ConfigError('%s: host %r is not a host name or address' % (where, host))
        where = 'node %s' % host
        technology = _text(entry.get('technology'), where, 'technology') or 'auto'
        if technology not in NODE_TECHNOLOGIES + ('auto',):
            raise ConfigError('%s: technology must be one of %s, not %r'
                              % (where, ', '.join(NODE_TECHNOLOGIES + ('auto',)), technology))
        ssh_args = entry.get('ssh_args')
        if isinstance(ssh_args, (list, tuple)):
            ssh_args = ' '.join(shlex.quote('%s' % a) for a in ssh_args)
        ssh_args = _text(ssh_args, where, 'ssh_args') or ''
        try:
            shlex.split(ssh_args)
        except ValueError as exc:
            raise ConfigError('%s: ssh_args cannot be split into arguments: %s' % (where, exc))
        port = entry.get('port')
        return cls(host, name=_text(entry.get('name'), where, 'name'), technology=technology,
                   user=_text(entry.get('user'), where, 'user'),
                   port=_port(port, where) if port not in (None, '') else None,
                   private_key_file=_text(entry.get('private_key_file'), where, 'private_key_file'),
                   ssh_args=ssh_args)

    def connection(self):
        """How the node is reached: what the connection plugins' ``node*`` options need."""
        return {'host': self.host, 'user': self.user, 'port': self.port, 'private_key_file': self.private_key_file,
                'ssh_args': self.ssh_args}

    def key(self):
        return ['node', self.name, self.technology, sorted(self.connection().items(), key=lambda kv: kv[0])]

    def shell(self, ssh_executable='ssh', timeout=60, persist=60):
        return NodeShell(self.host, user=self.user, port=self.port, private_key_file=self.private_key_file,
                         ssh_args=self.ssh_args, ssh_executable=ssh_executable, connect_timeout=min(timeout, 10),
                         persist=persist)


class VCenterSource:
    """One vCenter (or ESXi host): the connection options of the VMware modules."""

    kind = 'vcenter'

    def __init__(self, params, name=None):
        self.params = params
        self.name = name or params['hostname']

    @classmethod
    def from_entry(cls, entry, index, environ=None):
        where = 'vcenters[%d]' % index
        if not isinstance(entry, dict):
            raise ConfigError('%s must be a mapping with hostname, username and password, not %r' % (where, entry))
        environ = os.environ if environ is None else environ
        params = {}
        for key, value in entry.items():
            canonical = VCENTER_ALIASES.get(key, key)
            if canonical not in VCENTER_KEYS:
                raise ConfigError('%s: unknown key %s (known: %s)' % (where, key, ', '.join(VCENTER_KEYS)))
            params[canonical] = value
        for key, variable in VCENTER_ENV.items():
            if params.get(key) in (None, '') and environ.get(variable):
                params[key] = environ[variable]
        for key in ('name', 'hostname', 'username', 'password', 'ca_path', 'proxy_host'):
            if params.get(key) is not None:
                params[key] = _text(params[key], where, key)   # a vaulted password decrypts here
        if params.get('hostname'):
            where = 'vCenter %s' % params['hostname']
        params['port'] = _port(params.get('port') or 443, where)
        if params.get('proxy_port') is not None:
            params['proxy_port'] = _port(params['proxy_port'], where)
        params['validate_certs'] = _boolean(params.get('validate_certs', True), where, 'validate_certs')
        try:
            params['connect_timeout'] = int(params.get('connect_timeout') or 30)
        except (TypeError, ValueError):
            raise ConfigError('%s: connect_timeout must be a number of seconds' % where)
        if params.get('ca_path'):
            params['ca_path'] = os.path.expanduser(params['ca_path'])
        from ansible_collections.datacenter.ve.plugins.module_utils._vmware import connection_problems
        problems = connection_problems(params)
        if problems:
            raise ConfigError('%s: %s' % (where, '; '.join(problems)))
        return cls(params, name=params.get('name'))

    def key(self):
        shown = dict((k, v) for k, v in self.params.items() if k != 'password')
        return ['vcenter', self.name, sorted(shown.items(), key=lambda kv: kv[0])]


def _boolean(value, where, key):
    """Ansible's own reading of a boolean (yes/no, true/false, 1/0, on/off...), with an error naming the source."""
    try:
        return boolean(value.strip() if isinstance(value, str) else value, strict=True)
    except TypeError:
        raise ConfigError('%s: %s must be true or false, not %r' % (where, key, value))


# ---------------------------------------------------------------------------
# One node, one round trip
# ---------------------------------------------------------------------------

def new_mark():
    """A frame marker no listed value can forge (random per listing)."""
    return '@@datacenter.ve.fleet.%s' % secrets.token_hex(8)


def _section(mark, kind, command):
    """Shell lines that run ``command`` and frame its output and exit status."""
    return ['echo "%s begin %s"' % (mark, kind), command, 'rc=$?', "printf '\\n%%s end %%s\\n' '%s' \"$rc\"" % mark]


def _listing_lines(technology, mark):
    if technology == 'openvz':
        return _section(mark, 'vzlist', 'vzlist -a -j')
    if technology == 'virtuozzo':
        # -a: whether `list -i` without an ID shows every VE or only running ones is not documented; -a asks for all.
        return _section(mark, 'prlctl', 'prlctl list -a -i -j -f')
    return [
        'l=`zoneadm list -cp`', 'rc=$?',
        "printf '%%s begin zoneadm\\n%%s\\n%%s end %%s\\n' '%s' \"$l\" '%s' \"$rc\"" % (mark, mark),
        'printf \'%s\\n\' "$l" | while IFS=: read id z rest; do',
        '  case $z in ""|global) continue;; esac',
        "  printf '%%s begin zonecfg %%s\\n' '%s' \"$z\"" % mark,
        '  zonecfg -z "$z" export </dev/null', '  rc=$?',
        "  printf '\\n%%s end %%s\\n' '%s' \"$rc\"" % mark,
        'done',
    ]


def listing_script(technology, mark):
    """The POSIX sh script that lists every VE of a node of ``technology`` (or ``auto``) in one run."""
    lines = [_PATH]
    if technology == 'auto':
        lines += _DETECT + ['echo "%s technology $t"' % mark, 'case $t in']
        for tech in NODE_TECHNOLOGIES:
            lines += ['%s)' % tech] + ['  ' + line for line in _listing_lines(tech, mark)] + [';;']
        lines += ['esac']
    else:
        lines += ['echo "%s technology %s"' % (mark, technology)] + _listing_lines(technology, mark)
    lines.append('exit 0')
    return '\n'.join(lines) + '\n'


def parse_sections(text, mark):
    """Output of ``listing_script`` -> ``(technology, [(kind, argument, rc, body)])``.

    Lines outside frames (a login banner, a shell's noise) are ignored; a frame
    that does not close, or a malformed marker, is a ``ValueError``.
    """
    technology = None
    sections = []
    current = None
    prefix = mark + ' '
    for line in text.split('\n'):
        if not line.startswith(prefix):
            if current is not None:
                current[2].append(line)
            continue
        word, _sep, rest = line[len(prefix):].partition(' ')
        if word == 'technology':
            technology = rest.strip()
        elif word == 'begin':
            if current is not None:
                raise ValueError('the output of %s was cut off' % current[0])
            kind, _sep, argument = rest.partition(' ')
            current = (kind, argument, [])
        elif word == 'end' and current is not None:
            try:
                rc = int(rest.strip())
            except ValueError:
                raise ValueError('malformed end of the output of %s' % current[0])
            body = current[2]
            if body and body[-1] == '':
                body = body[:-1]   # the newline the frame adds before its end
            sections.append((current[0], current[1], rc, '\n'.join(body)))
            current = None
        else:
            raise ValueError('malformed listing frame %r' % line[:80])
    if current is not None:
        raise ValueError('the output of %s was cut off' % current[0])
    return technology, sections


def _excerpt(text, limit=200):
    text = (text or '').strip()
    return text if len(text) <= limit else text[:limit] + '...'


def records_from_listing(text, mark, node, stderr=''):
    """A node's listing output -> ``(technology, [VE])``; ValueError saying what is wrong with it."""
    technology, sections = parse_sections(text, mark)
    if technology is None:
        raise ValueError('it printed no listing (stdout: %r; stderr: %r)' % (_excerpt(text), _excerpt(stderr)))
    if technology == 'none':
        raise ValueError('none of prlctl, zoneadm or vzlist is on its PATH (technology: auto)')
    if technology not in NODE_TECHNOLOGIES:
        raise ValueError('unknown technology %r' % technology)
    first = sections[0] if sections else None
    if first is None:
        raise ValueError('its listing printed nothing (stderr: %r)' % _excerpt(stderr))
    if first[2] != 0:
        raise ValueError('%s exited %d: %s' % (LISTING_COMMANDS[technology], first[2],
                                               _excerpt(stderr) or _excerpt(first[3]) or 'no message'))
    if technology == 'openvz':
        from ansible_collections.datacenter.ve.plugins.module_utils._openvz import parse_vzlist_json, record_from_vzlist
        return technology, [record_from_vzlist(obj, node=node) for obj in parse_vzlist_json(first[3])]
    if technology == 'virtuozzo':
        from ansible_collections.datacenter.ve.plugins.module_utils._virtuozzo import parse_list_json, record_from_info
        infos = parse_list_json(first[3])
        if not all(isinstance(info, dict) for info in infos):
            raise ValueError('prlctl list -i -j printed something other than a list of objects')
        return technology, [record_from_info(info, node=node) for info in infos if info.get('Template') != 'yes']
    from ansible_collections.datacenter.ve.plugins.module_utils._zones import parse_export, parse_list_p, record_from_zone
    configs = {}
    for kind, argument, rc, body in sections[1:]:
        if kind == 'zonecfg' and rc == 0:
            try:
                configs[argument] = parse_export(body)
            except ValueError:
                continue   # that zone keeps what its list line shows; the others are not affected
    records = []
    for listed in parse_list_p(first[3]):
        if listed['name'] == 'global':
            continue
        # A zone deleted between the list and its export keeps what the list showed.
        records.append(record_from_zone(listed, configs.get(listed['name']), node=node))
    return technology, records


def list_node(source, ssh_executable='ssh', timeout=60, persist=60, mark=None, raw=False):
    """``source_result`` of one node, or SourceError naming the node."""
    mark = mark or new_mark()
    shell = source.shell(ssh_executable, timeout, persist)
    try:
        rc, out, err = shell.run(['sh', '-c', listing_script(source.technology, mark)], timeout=timeout)
    except NodeUnreachable as exc:
        raise SourceError(str(exc) if source.name == source.host else 'node %s: %s' % (source.name, exc))
    except NodeTimeout:
        raise SourceError('node %s did not finish its listing within %s s (timeout)' % (source.name, timeout))
    text = out.decode('utf-8', 'replace')
    errors = err.decode('utf-8', 'replace')
    try:
        technology, records = records_from_listing(text, mark, source.name, errors)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        detail = 'exit status %d, ' % rc if rc else ''
        raise SourceError('node %s (%s): cannot list its VEs: %s%s' % (source.name, source.technology, detail, exc))
    if source.technology not in ('auto', technology):
        raise SourceError('node %s: configured as %s but reports %s' % (source.name, source.technology, technology))
    return source_result(source, technology, records, raw)


KINDS = {'openvz': 'container', 'zones': 'zone', 'vmware': 'vm'}


def ve_entry(ve, raw=False):
    """One VE as plain data: its record, the kind of VE, VMware's placement; the tool's own data only if ``raw``."""
    entry = ve.to_dict(raw=raw)
    data = ve.raw or {}
    if ve.technology == 'virtuozzo':
        entry['kind'] = 'vm' if data.get('Type') == 'VM' else 'container'
    else:
        entry['kind'] = KINDS[ve.technology]
    if ve.technology == 'vmware':
        for key in ('vcenter', 'datacenter', 'cluster', 'folder'):
            entry[key] = data.get(key)
    return entry


def source_result(source, technology, records, raw=False):
    """Plain (cacheable) data of one listed source; the tools' own data (large) only when ``raw``."""
    result = {'kind': source.kind, 'name': source.name, 'technology': technology,
              'ves': [ve_entry(ve, raw) for ve in records]}
    if source.kind == 'node':
        result['connection'] = source.connection()
    return result


# ---------------------------------------------------------------------------
# One vCenter, one read
# ---------------------------------------------------------------------------

def list_vcenter(source, raw=False):
    """``source_result`` of one vCenter (its VMs, templates left out), or SourceError naming it."""
    try:
        from ansible_collections.datacenter.ve.plugins.module_utils import _vmware
    except ImportError as exc:
        raise SourceError('vCenter %s: the pyVmomi Python library is required on the controller (%s)'
                          % (source.name, exc))
    if not getattr(_vmware, 'HAS_PYVMOMI', True):
        raise SourceError('vCenter %s: the pyVmomi Python library is required on the controller' % source.name)
    try:
        si = _vmware.connect(source.params)
    except _vmware.VMwareError as exc:
        raise SourceError(str(exc))
    try:
        inventory = _vmware.read_inventory(si, include_templates=False)
        records = [_vmware.record(inventory, ident, vcenter=source.name) for ident, _obj in inventory.vms()]
    except Exception as exc:   # pyVmomi raises many types; the message names the vCenter, never the password
        raise SourceError('vCenter %s: cannot read its VMs: %s' % (source.name, _vmware.fault_text(exc)))
    finally:
        _vmware.disconnect(si)
    return source_result(source, 'vmware', records, raw)


# ---------------------------------------------------------------------------
# All of them
# ---------------------------------------------------------------------------

def list_sources(sources, max_workers=16, ssh_executable='ssh', timeout=60, persist=60, raw=False):
    """List every source, ``max_workers`` at a time -> ``(results, errors)`` in the sources' order.

    ``errors`` are ``(source, message)`` for the sources that failed; ``raw`` keeps the tools' own data.
    """
    def job(source):
        if source.kind == 'node':
            return list_node(source, ssh_executable, timeout, persist, raw=raw)
        return list_vcenter(source, raw=raw)

    results, errors = [], []
    if not sources:
        return results, errors
    workers = max(1, min(int(max_workers), len(sources)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job, source) for source in sources]
        for source, future in zip(sources, futures):
            try:
                results.append(future.result())
            except SourceError as exc:
                errors.append((source, str(exc)))
            except Exception as exc:   # a bug or an unforeseen answer must not hide the other sources
                errors.append((source, '%s %s: %s: %s' % (source.kind, source.name, type(exc).__name__, exc)))
    return results, errors
