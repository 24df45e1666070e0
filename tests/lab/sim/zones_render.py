# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``zonecfg export`` and ``zonecfg info`` renderers (zones.md §4.5, §4.6).

Line formats, order and quoting follow illumos zonecfg.c ``export_func``/``info_func``
(``set prop=value`` quoted only when the value has a space, global ``set`` lines
never quoted, aliased global properties and capped-memory swap/locked/capped-cpu
only as ``add rctl`` blocks). Solaris 10 uses the order of the zonecfg of its
time (inherit-pkg-dir blocks, rctls before dedicated-cpu/capped-memory).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from .zones_conf import ANET_PROPS, GLOBAL_ALIASES, NATIVE_BRAND, OK, RELEASES, _f32, bytes_to_units


def quoteit(value):
    """zonecfg quoteit(): double quotes only around values with a space."""
    return '"%s"' % value if ' ' in value else value


# ---------------------------------------------------------------- export

def _set_lines(res, props):
    return ['set %s=%s' % (p, quoteit(res.get(p))) for p in props if res.get(p) != '']


def _export_fs(res):
    lines = ['add fs'] + _set_lines(res, ('dir', 'special', 'raw', 'type'))
    lines += ['add options "%s"' % o if '=' in o else 'add options %s' % o for o in res.options]
    return lines + ['end']


def _export_rctl(res):
    lines = ['add rctl'] + _set_lines(res, ('name',))
    lines += ['add value (priv=%s,limit=%s,action=%s)' % (v.get('priv', ''), v.get('limit', ''), v.get('action', ''))
              for v in res.values]
    return lines + ['end']


def _export_pset(res):
    low, high = res.get('ncpu_min'), res.get('ncpu_max')
    lines = ['add dedicated-cpu', 'set ncpus=%s' % high if low == high else 'set ncpus=%s-%s' % (low, high)]
    if res.get('importance'):
        lines.append('set importance=%s' % res.get('importance'))
    return lines + ['end']


def _export_simple(rtype, props):
    return lambda res: ['add %s' % rtype] + _set_lines(res, props) + ['end']


EXPORTERS = {
    'inherit-pkg-dir': _export_simple('inherit-pkg-dir', ('dir',)),
    'fs': _export_fs,
    'net': _export_simple('net', ('address', 'allowed-address', 'physical', 'defrouter')),
    'anet': _export_simple('anet', ANET_PROPS),
    'device': _export_simple('device', ('match',)),
    'rctl': _export_rctl,
    'attr': _export_simple('attr', ('name', 'type', 'value')),
    'dataset': _export_simple('dataset', ('name',)),
    'dedicated-cpu': _export_pset,
    'capped-memory': lambda res: ['add capped-memory', 'set physical=%s' % bytes_to_units(res.get('physical')), 'end'],
    'admin': _export_simple('admin', ('user', 'auths')),
    # UNCONFIRMED: security-flags is not in the export_func of the cited revision; exported like the others.
    'security-flags': _export_simple('security-flags', ('lower', 'default', 'upper')),
}
# Resource blocks in export order. UNCONFIRMED: where Solaris 11 puts anet (after net, as its exports show).
EXPORT_ORDER = ('fs', 'net', 'anet', 'device', 'capped-memory', 'rctl', 'attr', 'dataset', 'dedicated-cpu', 'admin',
                'security-flags')
OLD_EXPORT_ORDER = ('inherit-pkg-dir', 'fs', 'net', 'device', 'rctl', 'attr', 'dataset', 'dedicated-cpu',
                    'capped-memory')


def export(cfg, release, committed_brand):
    """The text of ``export``; ``committed_brand`` is the brand on disk (None: zone not saved yet)."""
    rel = RELEASES[release]
    lines = ['create -b']
    if cfg.get('zonepath'):
        lines.append('set zonepath=%s' % cfg.get('zonepath'))
    if committed_brand is not None and committed_brand != NATIVE_BRAND:
        lines.append('set brand=%s' % committed_brand)
    lines.append('set autoboot=%s' % cfg.get('autoboot'))
    for prop in ('bootargs', 'pool', 'limitpriv', 'scheduling-class'):
        if cfg.get(prop):
            lines.append('set %s=%s' % (prop, cfg.get(prop)))
    lines.append('set ip-type=%s' % cfg.get('ip-type'))
    if not rel.old_export:
        # UNCONFIRMED: an empty hostid/fs-allowed is never stored (clear removes the attribute), so not printed.
        for prop in ('hostid', 'fs-allowed') + (('file-mac-profile',) if release == 's11' else ()):
            if cfg.get(prop):
                lines.append('set %s=%s' % (prop, cfg.get(prop)))
    for rtype in OLD_EXPORT_ORDER if rel.old_export else EXPORT_ORDER:
        for res in cfg.of_type(rtype):
            if rtype == 'net' and rel.old_export:
                lines.extend(_export_simple('net', ('address', 'physical', 'defrouter'))(res))
            elif rtype != 'capped-memory' or res.get('physical'):
                lines.extend(EXPORTERS[rtype](res))
    return ''.join(line + '\n' for line in lines)


# ---------------------------------------------------------------- info

def output_prop(name, value, notspec=True, bracket=False):
    """zonecfg output_prop(): ``\\tname: value``, ``\\t[name: value]`` or ``\\tname not specified``."""
    if value != '':
        return ['\t[%s: %s]' % (name, quoteit(value)) if bracket else '\t%s: %s' % (name, quoteit(value))]
    return ['\t%s not specified' % name] if notspec else []


def _output(rtype, props):
    def render(res, release=None):
        lines = ['%s:' % rtype]
        for prop in props:
            lines += output_prop(prop, res.get(prop))
        return lines
    return render


def output_fs(res, release=None):
    lines = _output('fs', ('dir', 'special', 'raw', 'type'))(res)
    options = ','.join('"%s"' % o if '=' in o else o for o in res.options)
    return lines + ['\toptions: [%s]' % options]


def output_net(res, release=None):
    props = ('address', 'physical', 'defrouter') if release and RELEASES[release].old_export else \
        ('address', 'allowed-address', 'physical', 'defrouter')
    return _output('net', props)(res)


def output_rctl(res, release=None):
    lines = ['rctl:'] + output_prop('name', res.get('name'))
    return lines + ['\tvalue: (priv=%s,limit=%s,action=%s)' % (v.get('priv', ''), v.get('limit', ''), v.get('action', ''))
                    for v in res.values]


def output_pset(res, release=None):
    low, high = res.get('ncpu_min'), res.get('ncpu_max')
    lines = ['dedicated-cpu:', '\tncpus: %s' % high if low == high else '\tncpus: %s-%s' % (low, high)]
    if res.get('importance'):
        lines.append('\timportance: %s' % res.get('importance'))
    return lines


def output_pcap(cfg):
    status, cap = cfg.get_alias('cpu-cap')
    if status != OK:
        return []
    return ['capped-cpu:', '\t[ncpus: %.2f]' % _f32(_f32(cap) / 100)]


def output_mcap(physical, cfg):
    """capped-memory block: physical from the (in-progress) resource, swap/locked from their rctls."""
    lines = ['capped-memory:']
    if physical:
        lines += output_prop('physical', bytes_to_units(physical))
    for prop, alias in (('swap', 'max-swap'), ('locked', 'max-locked-memory')):
        status, limit = cfg.get_alias(alias)
        if status == OK:
            lines += output_prop(prop, bytes_to_units(limit), bracket=True)
    return lines


OUTPUTS = {
    'fs': output_fs,
    'inherit-pkg-dir': _output('inherit-pkg-dir', ('dir',)),
    'net': output_net,
    'anet': _output('anet', ANET_PROPS),
    'device': _output('device', ('match',)),
    'rctl': output_rctl,
    'attr': _output('attr', ('name', 'type', 'value')),
    'dataset': _output('dataset', ('name',)),
    'dedicated-cpu': output_pset,
    'admin': _output('admin', ('user', 'auths')),
    # UNCONFIRMED: block format of security-flags (same scheme as the others).
    'security-flags': _output('security-flags', ('lower', 'default', 'upper')),
}
# Properties a filter of `info <rtype> prop=value` compares (zonecfg.c info_fs, info_net ...).
INFO_MATCH = {
    'fs': ('dir', 'special', 'type'), 'inherit-pkg-dir': ('dir',), 'net': ('physical', 'address'),
    'anet': ('linkname',), 'device': ('match',), 'rctl': ('name',), 'attr': ('name', 'type', 'value'),
    'dataset': ('name',), 'admin': ('user',), 'security-flags': (),
}


def info_alias(cfg, alias):
    status, limit = cfg.get_alias(alias)
    if status != OK:
        return []
    return ['[%s: %s]' % (alias, bytes_to_units(limit) if alias == 'max-shm-memory' else '%d' % limit)]


def info_global(cfg, prop):
    """One global property line (``pool: `` keeps its trailing space)."""
    if prop == 'zonename':
        return ['zonename: %s' % cfg.name]
    return ['%s: %s' % (prop, cfg.get(prop))]


def info_resources(cfg, rtype, release, matches=None):
    """Blocks of one resource type; ``matches(res)`` filters (info with prop=value pairs)."""
    lines = []
    for res in cfg.of_type(rtype):
        if matches is None or matches(res):
            lines += OUTPUTS[rtype](res, release)
    return lines


def info_special(cfg, rtype):
    """dedicated-cpu, capped-cpu and capped-memory: at most one block each."""
    if rtype == 'dedicated-cpu':
        res = cfg.first('dedicated-cpu')
        return output_pset(res) if res is not None else []
    if rtype == 'capped-cpu':
        return output_pcap(cfg)
    mcap = cfg.first('capped-memory')
    physical = mcap.get('physical') if mcap is not None else ''
    if physical or any(cfg.get_alias(a)[0] == OK for a in ('max-swap', 'max-locked-memory')):
        return output_mcap(physical, cfg)
    return []


def info_zone(cfg, release, global_zone=False):
    """Whole-zone ``info`` (zones.md §4.6)."""
    old = RELEASES[release].old_export
    lines = info_global(cfg, 'zonename')
    if not global_zone:
        for prop in ('zonepath', 'brand', 'autoboot', 'bootargs'):
            lines += info_global(cfg, prop)
    lines += info_global(cfg, 'pool')
    if not global_zone:
        props = ('limitpriv', 'scheduling-class', 'ip-type') + (() if old else ('hostid', 'fs-allowed'))
        # UNCONFIRMED: Solaris 11's file-mac-profile line placement.
        props += ('file-mac-profile',) if release == 's11' else ()
        for prop in props:
            lines += info_global(cfg, prop)
    for alias in GLOBAL_ALIASES:
        lines += info_alias(cfg, alias)
    if not global_zone:
        for rtype in ('inherit-pkg-dir', 'fs', 'net', 'anet', 'device'):
            lines += info_resources(cfg, rtype, release)
    for rtype in ('dedicated-cpu', 'capped-cpu', 'capped-memory'):
        lines += info_special(cfg, rtype)
    if not global_zone:
        for rtype in ('attr', 'dataset', 'admin', 'security-flags'):
            lines += info_resources(cfg, rtype, release)
    lines += info_resources(cfg, 'rctl', release)
    return lines
