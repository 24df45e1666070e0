# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``prlctl list``: the field table of PrlList, plain and JSON formatters, ``list -i`` (fact sheet §2)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import sys
import time

from .virtuozzo_state import RC_USAGE, fail, state_of

# field -> (header, plain format, getter, vmtypes or None for both, hidden)
FIELDS = {}
ALIASES = {'id': 'uuid', 'ctid': 'uuid', 'veid': 'uuid', 'private': 'home'}
DEFAULT_FIELDS = ('uuid', 'status', 'ip_configured', 'type', 'name')
TEMPLATE_FIELDS = ('uuid', 'dist', 'type', 'name')


def _field(name, header, fmt, getter, vmtypes=None, hidden=False):
    FIELDS[name] = (header, fmt, getter, vmtypes, hidden)


def strip_mask(ip):
    return ip.split('/', 1)[0]


def _ip_key(ip):
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return (3, ip)
    if addr.version == 6 and addr.is_link_local:
        return (2, ip)
    return (0 if addr.version == 4 else 1, ip)


def configured_ips(ve):
    ips = [strip_mask(ip) for dev in ve['devices'] if dev['kind'] == 'net' for ip in dev.get('ips', [])]
    return sorted(ips, key=_ip_key)


def real_ips(ve):
    """Guest-reported addresses: running CTs, and running VMs with guest tools (§2.1 ``ip``)."""
    if state_of(ve) != 'running':
        return []
    if ve['type'] == 'VM' and ve['guest_tools'] != 'installed':
        return []
    return configured_ips(ve)


def ip_value(ips, last):
    """First address only unless the IP column is the last one; then all, each followed by a space, plus one."""
    if not ips:
        return ''
    if not last:
        return ips[0]
    return ''.join(ip + ' ' for ip in ips) + ' '


def features_str(ve):
    # UNCONFIRMED: exact format of feature2str.
    return ' '.join('%s:%s' % kv for kv in sorted(ve['features'].items()))


_field('uuid', 'UUID', '%-39s ', lambda ve, last: '{%s}' % ve['uuid'])
_field('envid', 'ENVID', '%-10s ', lambda ve, last: ve['envid'])
_field('home', 'HOME', '%-32s ', lambda ve, last: ve['home'])
_field('type', 'T', '%-2s ', lambda ve, last: ve['type'])
_field('name', 'NAME', '%-32s ', lambda ve, last: ve['name'])
_field('status', 'STATUS', '%-12s ', lambda ve, last: state_of(ve))
_field('dist', 'DIST', '%-15s ', lambda ve, last: ve['dist'] or ve.get('ostemplate', '').split('-')[0])
_field('owner', 'OWNER', '%-32s ', lambda ve, last: 'root')
_field('system-flags', 'SYSTEM_FLAGS', '%-32s ', lambda ve, last: '', ('VM',))
_field('description', 'DESCRIPTION', '%-32s ', lambda ve, last: ve['description'].replace('\n', ' '))
_field('numproc', 'NPROC', '%9s ', lambda ve, last: '-', ('CT',), True)
_field('ip', 'IP_ADDR', '%-15s ', lambda ve, last: ip_value(real_ips(ve), last))
_field('ip_configured', 'IP_ADDR', '%-15s ', lambda ve, last: ip_value(configured_ips(ve), last))
_field('hostname', 'HOSTNAME', '%-32s ', lambda ve, last: ve['hostname'])
_field('netif', 'NETIF', '%-16s ', lambda ve, last: ' '.join(d['name'] for d in ve['devices'] if d['kind'] == 'net'))
_field('mac', 'MAC', '%-36s ', lambda ve, last: ' '.join(d['mac'] for d in ve['devices'] if d.get('mac')))
_field('ostemplate', 'OSTEMPLATE', '%-24s ', lambda ve, last: ve.get('ostemplate') or ve['dist'], None, True)
_field('features', 'FEATURES', '%-256s ', lambda ve, last: features_str(ve))
_field('location', 'LOCATION', '%-39s ', lambda ve, last: 'local')
_field('iolimit', 'IOLIMIT', '%-10s ', lambda ve, last: str(ve['iolimit']))
_field('netdev', 'NETDEV', '%-14s ', lambda ve, last: ','.join(d.get('dev', '') for d in ve['devices'] if d['kind'] == 'net'))
_field('ha_enable', 'HA_ENABLE', '%-9s ', lambda ve, last: ve['ha_enable'])
_field('ha_prio', 'HA_PRIO', '%-10s ', lambda ve, last: str(ve['ha_prio']))


def dump_json(obj):
    """PrlOutFormatterJSON: tab indentation; an empty array is ``[``, blank line, ``]``."""
    if obj == []:
        return '[\n\n]\n'
    return json.dumps(obj, indent='\t', ensure_ascii=False) + '\n'


# ---------------------------------------------------------------- list

def resolve_fields(text):
    fields = []
    for name in text.split(','):
        name = ALIASES.get(name, name)
        if name not in FIELDS:
            fail(RC_USAGE, 'Unknown field: %s' % name)
        fields.append(name)
    return fields


def select(ves, opts):
    vmtype = opts.get('vmtype', 'all')
    if vmtype != 'all':
        ves = [ve for ve in ves if ve['type'] == vmtype]
    if opts.get('template'):
        return [ve for ve in ves if ve['template']]
    ves = [ve for ve in ves if not ve['template']]
    if opts.get('stopped'):
        return [ve for ve in ves if state_of(ve) == 'stopped']
    if opts.get('all'):
        return ves
    return [ve for ve in ves if state_of(ve) == 'running']


def cmd_list(node, opts, ident):
    if opts.get('info'):
        return cmd_list_info(node, opts, ident)
    if opts.get('list_fields'):
        vmtype = opts.get('vmtype', 'all')
        for name in sorted(FIELDS):
            header, _fmt, _get, vmtypes, hidden = FIELDS[name]
            if not hidden and (vmtype == 'all' or vmtypes is None or vmtype in vmtypes):
                sys.stdout.write('%-20s %s\n' % (name, header))
        return 0
    if opts.get('output'):
        fields = resolve_fields(opts['output'])
    else:
        fields = list(TEMPLATE_FIELDS if opts.get('template') else DEFAULT_FIELDS)
    sort_key, reverse = (fields[0] if opts.get('output') else 'name'), False
    if opts.get('sort'):
        sort_key = opts['sort']
        if sort_key.startswith('-'):
            sort_key, reverse = sort_key[1:], True
        sort_key = ALIASES.get(sort_key, sort_key)
        if sort_key not in FIELDS:
            fail(RC_USAGE, '%s is an invalid field name in this query.' % opts['sort'])
    ves = [node.get(ident)] if ident else select(node.all(), opts)
    ves.sort(key=lambda ve: FIELDS[sort_key][2](ve, False), reverse=reverse)
    rows = [[FIELDS[f][2](ve, i == len(fields) - 1) for i, f in enumerate(fields)] for ve in ves]
    if opts.get('json'):
        objs = []
        for ve, row in zip(ves, rows):
            obj = {}
            for name, value in zip(fields, row):
                if name == 'uuid':
                    value = ve['uuid']   # add_uuid strips the braces
                obj[name] = value if value != '' else '-'
            objs.append(obj)
        sys.stdout.write(dump_json(objs))
        return 0
    lines = []
    if not opts.get('no_header'):
        lines.append(render_row(fields, [FIELDS[f][0] for f in fields]))
    lines.extend(render_row(fields, [v if v != '' else '-' for v in row]) for row in rows)
    sys.stdout.write(''.join(line + '\n' for line in lines))
    return 0


def render_row(fields, values):
    cells = [FIELDS[f][1] % v for f, v in zip(fields[:-1], values[:-1])]
    return ''.join(cells) + values[-1]


# ---------------------------------------------------------------- list -i

def hdd_info(dev):
    result = {'enabled': True, 'port': dev['port'], 'image': dev['image'], 'type': 'expanded',
              'size': '%dMb' % dev['size']}
    if dev.get('mnt'):
        result['mnt'] = dev['mnt']
    result['state'] = 'connected'
    return result


def net_info(dev, full):
    result = {'dev': dev.get('dev', ''), 'enabled': True}
    if dev['name'] != 'venet0':
        result['ifname'] = dev.get('ifname') or 'eth%s' % dev['name'][3:]
    result['type'] = dev['type']
    for key in ('network', 'iface', 'mac', 'card'):
        if dev.get(key):
            result[key] = dev[key]
    if dev.get('ips'):
        result['ips'] = ''.join(ip + ' ' for ip in dev['ips'])
    for key in ('dhcp', 'dhcp6', 'gw', 'gw6'):
        if dev.get(key):
            result[key] = dev[key]
    if full:
        result.update({'preventpromisc': 'on', 'mac_filter': 'on', 'ip_filter': 'off'})
    return result


def device_info(dev, full):
    if dev['kind'] == 'hdd':
        return hdd_info(dev)
    if dev['kind'] == 'net':
        return net_info(dev, full)
    return {'enabled': True, 'port': dev['port'], 'image': dev.get('image', ''), 'state': 'disconnected'}


def info(ve, full=False):
    """One VE of ``list -i`` in PrlVm append_configuration order, as the JSON formatter holds it."""
    is_ct = ve['type'] == 'CT'
    obj = {'ID': ve['uuid'], 'EnvID': ve['envid'], 'Name': ve['name'], 'Description': ve['description'],
           'Type': ve['type']}
    if not is_ct:
        obj['Chipset'] = 'i440fx'
    obj['State'] = state_of(ve)
    obj['OS'] = ve['dist'] or ve.get('ostemplate', '').split('-')[0]
    obj['Template'] = 'yes' if ve['template'] else 'no'
    if state_of(ve) == 'running' and ve.get('started'):
        obj['Uptime'] = str(max(0, int(time.time() - ve['started'])))
    obj.update({'Home': ve['home'] + ('' if is_ct else '/'),   # UNCONFIRMED: VM home ends with '/'
                'Backup path': '', 'Owner': 'root',
                'GuestTools': {'state': ve['guest_tools']}, 'GuestTools autoupdate': 'off' if is_ct else 'on',
                'Autostart': ve['autostart'], 'Autostop': ve['autostop'], 'Autocompact': 'off' if is_ct else 'on',
                'Boot order': '' if is_ct else 'hdd0 cdrom0 net0 ', 'EFI boot': 'off',
                'Allow select boot device': 'off', 'External boot device': ''})
    if not is_ct:
        obj['On guest crash'] = 'restart'
    obj['Remote display'] = {'mode': 'off', 'address': '0.0.0.0'}
    obj['Remote display state'] = 'stopped'
    cpu = {'sockets': 1, 'cpus': ve['cpus'] or 'unlimited', 'cores': ve['cpus'] or 'unlimited', 'VT-x': True,
           'hotplug': False, 'accl': 'high', 'mode': '64', 'cpuunits': ve['cpuunits']}
    if ve['cpulimit']:
        cpu['cpulimit'] = ve['cpulimit']
        cpu['cpulimitmode'] = 'full'
    cpu['ioprio'] = ve['ioprio']
    cpu['iolimit'] = str(ve['iolimit'])
    hardware = {'cpu': cpu, 'memory': {'size': '%dMb' % ve['memsize'], 'hotplug': False},
                'NUMA nodes:': {'nodes': 'disabled'},
                'video': {'size': '0Mb' if is_ct else '32Mb', '3d acceleration': 'off', 'vertical sync': 'yes'},
                'memory_guarantee': {'auto': True}}
    for dev in ve['devices']:
        hardware[dev['name']] = device_info(dev, full)
    obj['Hardware'] = hardware
    if is_ct:
        obj['Features'] = features_str(ve)
    else:
        obj['SmartMount'] = {'enabled': False}
    obj['Disabled Windows logo'] = 'on'
    obj['Nested virtualization'] = 'off'
    obj['Offline management'] = {'enabled': False}
    if ve['hostname']:
        obj['Hostname'] = ve['hostname']
    if ve['nameservers']:
        obj['DNS Servers'] = ' '.join(ve['nameservers'])
    if ve['searchdomains']:
        obj['Search Domains'] = ' '.join(ve['searchdomains'])
    if full:
        obj['High Availability'] = {'enabled': ve['ha_enable'], 'prio': ve['ha_prio']}
    return dash_empty(obj)


def dash_empty(value):
    """The formatters print an empty string as ``-`` (§2.1), nested groups included."""
    if isinstance(value, dict):
        return dict((k, dash_empty(v)) for k, v in value.items())
    if value == '':
        return '-'
    return value


def plain_value(value):
    if isinstance(value, bool):
        return 'on' if value else 'off'
    return str(value)


def inline(name, group):
    """Inline group: ``name key=value ...``; a true boolean prints only its key (UNCONFIRMED quoting details)."""
    parts = [name]
    for key, value in group.items():
        if isinstance(value, bool):
            if value:
                parts.append(key)
        elif isinstance(value, str) and ' ' in value:
            parts.append("%s='%s'" % (key, value))
        else:
            parts.append('%s=%s' % (key, value))
    return ' '.join(parts)


def render_info(obj):
    lines = []
    for key, value in obj.items():
        if key == 'Hardware':
            lines.append('Hardware:')
            lines.extend('  ' + inline(name, group) for name, group in value.items())
        elif isinstance(value, dict):
            lines.append('%s: %s' % (key, inline('', value).strip()))
        else:
            lines.append('%s: %s' % (key, plain_value(value)))
    return lines


def cmd_list_info(node, opts, ident):
    if ident:
        ves = [node.get(ident)]
    else:
        ves = select(node.all(), dict(opts, all=True))
        ves.sort(key=lambda ve: ve['name'])
    objs = [info(ve, opts.get('full')) for ve in ves]
    if opts.get('json'):
        sys.stdout.write(dump_json(objs))
        return 0
    lines = [] if opts.get('no_header') else ['INFO']
    for obj in objs:
        lines.extend(render_info(obj))
    sys.stdout.write(''.join(line + '\n' for line in lines))
    return 0
