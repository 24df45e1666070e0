# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_zones parsers, renderer and planners on recorded output (reference sheet samples, per release)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.datacenter.ve.plugins.module_utils import _zones as z

# zones.md §2.3: Solaris 11 (9 fields, verbatim sample), illumos (8), Solaris 10 (7).
LIST_S11 = ('0:global:running:/::solaris:shared:-:none\n'
            '-:iscsi:unavailable:/iscsi:a0a4ba0d-9d6d-cf2c-cc42-f123a5e3ee11:solaris:excl:-:\n')
LIST_ILLUMOS = ('0:global:running:/::ipkg:shared:0\n'
                '3:web:running:/zones/web:2f0e1c4a-0000-4000-8000-000000000001:lipkg:excl:\n'
                '-:odd:installed:/zones/a\\:b:2f0e1c4a-0000-4000-8000-000000000002:ipkg:shared:\n')
LIST_S10 = ('0:global:running:/::native:shared\n'
            '-:old:configured:/zones/old::native:shared\n')


@pytest.mark.parametrize('text, expected', [
    (LIST_S11, [('0', 'global', 'running', '/', None, 'solaris', 'shared', ['-', 'none']),
                (None, 'iscsi', 'unavailable', '/iscsi', 'a0a4ba0d-9d6d-cf2c-cc42-f123a5e3ee11', 'solaris',
                 'exclusive', ['-', ''])]),
    (LIST_ILLUMOS, [('0', 'global', 'running', '/', None, 'ipkg', 'shared', ['0']),
                    ('3', 'web', 'running', '/zones/web', '2f0e1c4a-0000-4000-8000-000000000001', 'lipkg',
                     'exclusive', ['']),
                    (None, 'odd', 'installed', '/zones/a:b', '2f0e1c4a-0000-4000-8000-000000000002', 'ipkg',
                     'shared', [''])]),
    (LIST_S10, [('0', 'global', 'running', '/', None, 'native', 'shared', []),
                (None, 'old', 'configured', '/zones/old', None, 'native', 'shared', [])]),
], ids=['solaris11-9-fields', 'illumos-8-fields', 'solaris10-7-fields'])
def test_parse_list_p(text, expected):
    got = [(e['zoneid'], e['name'], e['state'], e['zonepath'], e['uuid'], e['brand'], e['ip_type'], e['extra'])
           for e in z.parse_list_p(text)]
    assert got == expected


def test_parse_list_p_refuses_short_lines():
    with pytest.raises(ValueError):
        z.parse_list_p('global:running\n')


# zones.md §4.5 example (exclusive-IP lipkg zone), verbatim.
with open(os.path.join(os.path.dirname(__file__), 'fixtures', 'zonecfg-export-sheet-example.txt')) as _handle:
    EXPORT_EXAMPLE = _handle.read()


def test_export_round_trip_and_view():
    config = z.parse_export(EXPORT_EXAMPLE)
    assert z.render_export(config) == EXPORT_EXAMPLE
    v = z.view(config)
    assert v['properties'] == {'zonepath': '/zones/web', 'brand': 'lipkg', 'autoboot': 'true',
                               'ip-type': 'exclusive'}
    assert v['resources']['capped-memory'] == {'physical': '1G', 'swap': '2147483648'}
    assert v['resources']['net'] == [{'allowed-address': '192.168.1.10/24', 'physical': 'web0',
                                      'defrouter': '192.168.1.1'}]


@pytest.mark.parametrize('number, text', [(512, '512'), (1024, '1K'), (512 << 20, '512M'), (2 << 30, '2G'),
                                          (3 << 29, '1.5G'), (int(10.5 * (1 << 30)), '10G')])
def test_bytes_to_units(number, text):
    assert z.bytes_to_units(number) == text


def want(**params):
    return z.desired_config(params)


def test_no_change_is_an_empty_script():
    config = z.parse_export(EXPORT_EXAMPLE)
    plan = z.plan_config(config, want(autoboot=True, resources={
        'capped-memory': {'physical': '1024M', 'swap': '2G'},
        'net': [{'physical': 'web0', 'allowed-address': '192.168.1.10/24'}]}))
    assert plan.script == [] and plan.changed_keys == []


def test_change_is_the_smallest_script():
    config = z.parse_export(EXPORT_EXAMPLE)
    plan = z.plan_config(config, want(autoboot=False, properties={'cpu-shares': 20}, resources={
        'capped-memory': {'physical': '2G'},
        'net': [{'physical': 'web0', 'allowed-address': '2001:db8::10/64'}],
        'dataset': [{'name': 'tank/web'}]}))
    assert plan.script == [
        'set autoboot=false', 'set cpu-shares=20',
        'select capped-memory', 'set physical=2G', 'end',
        'select net physical=web0', 'set allowed-address=2001:db8::10/64', 'end',
        'add dataset', 'set name=tank/web', 'end']
    after = z.render_export(plan.after)
    assert 'set autoboot=false' in after and 'add value (priv=privileged,limit=20,action=none)' in after
    assert 'set physical=2G' in after and 'set allowed-address=2001:db8::10/64' in after


def test_purge_removes_undeclared_resources_but_not_alias_rctls():
    config = z.parse_export(EXPORT_EXAMPLE.replace('end\nadd capped-memory', 'end\nadd dataset\nset name=tank/x\nend\n'
                                                   'add capped-memory'))
    plan = z.plan_config(config, want(resources={'capped-memory': {'physical': '1G', 'swap': '2G'}}), purge=True)
    assert plan.script == ['remove net physical=web0', 'remove dataset name=tank/x']
    assert 'zone.max-swap' in z.render_export(plan.after)


def test_new_zone_starts_blank():
    plan = z.plan_config(z.ZoneConfig(), want(zonepath='/zones/a', ip_type='shared', resources={
        'net': [{'physical': 'e1000g0', 'address': '192.0.2.5/24'}],
        'capped-cpu': {'ncpus': 1.5}}), new=True)
    assert plan.script == ['create -b', 'set zonepath=/zones/a', 'set ip-type=shared',
                           'add net', 'set physical=e1000g0', 'set address=192.0.2.5/24', 'end',
                           'add capped-cpu', 'set ncpus=1.5', 'end']
    assert 'set name=zone.cpu-cap\nadd value (priv=privileged,limit=150,action=deny)' in z.render_export(plan.after)


def test_fs_options_list_is_exact():
    config = z.parse_export('create -b\nset zonepath=/z\nset autoboot=false\nset ip-type=shared\n'
                            'add fs\nset dir=/data\nset special=/e\nset type=lofs\nadd options ro\nend\n')
    plan = z.plan_config(config, want(resources={'fs': [{'dir': '/data', 'options': ['rw', 'nodevices']}]}))
    assert plan.script == ['select fs dir=/data', 'remove options ro', 'add options rw', 'add options nodevices',
                           'end']


@pytest.mark.parametrize('params, message', [
    ({'ip_type': 'excl'}, 'ip_type'),
    ({'zonepath': 'zones/a'}, 'absolute'),
    ({'hostid': 'xyz'}, 'hostid'),
    ({'properties': {'cpu-shares': 'lots'}}, 'cpu-shares'),
    ({'resources': {'capped-memory': {'physical': 'huge'}}}, 'physical'),
    ({'resources': {'net': [{'physical': 'e0', 'address': '300.1.1.1'}]}}, 'net address'),
    ({'resources': {'net': {'physical': 'e0'}}}, 'list of mappings'),
    ({'resources': {'capped-memory': [{'physical': '1G'}]}}, 'one mapping'),
    ({'resources': {'bogus': []}}, 'unknown resource type'),
    ({'resources': {'fs': [{'special': '/x'}]}}, 'each entry needs dir'),
    ({'resources': {'fs': [{'dir': '/a'}, {'dir': '/a'}]}}, 'given twice'),
    ({'ip_type': 'exclusive', 'resources': {'net': [{'physical': 'v0', 'address': '192.0.2.1'}]}},
     'exclusive IP type'),
    ({'ip_type': 'shared', 'resources': {'net': [{'physical': 'v0', 'allowed-address': '192.0.2.1'}]}},
     'shared IP type'),
    ({'brand': 'ipkg', 'properties': {'brand': 'ipkg'}}, 'given twice'),
])
def test_desired_config_refuses(params, message):
    with pytest.raises(z.ZonesInputError) as exc:
        z.desired_config(params)
    assert message in str(exc.value)


@pytest.mark.parametrize('name', ['', 'global', 'SUNWfoo', '-lead', 'a b', 'x' * 64, 'slash/y'])
def test_bad_zone_names(name):
    with pytest.raises(z.ZonesInputError):
        z.validate_zonename(name)


STATES = ('configured', 'incomplete', 'installed', 'ready', 'running', 'detached', 'unavailable')
TARGETS = ('configured', 'installed', 'stopped', 'running', 'detached', 'attached', 'absent')
RESULT = {'install': 'installed', 'uninstall': 'configured', 'boot': 'running', 'halt': 'installed',
          'detach': 'detached', 'attach': 'installed', 'delete': 'absent'}
ALLOWED = {'install': ('configured',), 'uninstall': ('installed', 'incomplete', 'unavailable'),
           'boot': ('installed', 'ready'), 'halt': ('running', 'ready'), 'detach': ('installed',),
           'attach': ('detached', 'unavailable'), 'delete': ('configured', 'detached')}


@pytest.mark.parametrize('current', STATES)
@pytest.mark.parametrize('target', TARGETS)
def test_every_lifecycle_path_is_legal_and_arrives(current, target):
    try:
        actions = z.plan_lifecycle(current, target)
    except z.ZonesInputError:
        assert (current, target) in (('configured', 'attached'), ('incomplete', 'attached'))
        return
    state = current
    for action in actions:
        assert state in ALLOWED[action], '%s from %s (%s -> %s)' % (action, state, current, target)
        state = RESULT[action]
    assert state in z.SATISFIES[target], (current, target, actions)


FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


@pytest.mark.parametrize('release, fields', [('s10', 7), ('s11', 9), ('illumos', 8)])
def test_recorded_list_and_export_from_the_simulator(release, fields):
    """Recorded from tests/lab's zones simulator, one file per release."""
    text = fixture('zoneadm-list-cp-%s.txt' % release)
    assert {len(line.replace('\\:', '').split(':')) for line in text.splitlines()} == {fields}
    zones = z.parse_list_p(text)
    assert [(e['name'], e['state'], e['zonepath'], e['zoneid']) for e in zones] == [
        ('global', 'running', '/', '0'), ('web', 'running', '/zones/web', '1'), ('odd', 'configured', '/zones/a:b', None)]
    export = fixture('zonecfg-export-%s.txt' % release)
    config = z.parse_export(export)
    assert z.render_export(config, old=(fields == 7)) == export
    ve = z.record_from_zone(zones[1], config)
    assert (ve.status, ve.memory, ve.swap, ve.cpu_units, ve.ipv4, ve.onboot) == \
        ('running', 1 << 30, 2 << 30, 20, ['192.0.2.80/24'], False)
    assert ve.os == {'s10': 'native', 's11': 'solaris', 'illumos': 'ipkg'}[release]
