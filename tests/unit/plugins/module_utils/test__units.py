# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given, strategies as st

from ansible_collections.datacenter.ve.plugins.module_utils import _units as u

KIB, MIB, GIB, TIB = 1 << 10, 1 << 20, 1 << 30, 1 << 40

sizes = st.integers(min_value=0, max_value=(1 << 62))


@pytest.mark.parametrize('text, expected', [
    ('512M', 512 * MIB),
    ('1G', GIB),
    ('1g', GIB),
    ('1.5T', 1536 * GIB),
    ('2.2G', int(2.2 * GIB)),
    ('1048576', MIB),
    (1048576, MIB),
    ('1024B', KIB),
    ('1024Mb', GIB),      # prlctl's spelling
    ('4KiB', 4 * KIB),
    (' 8 K ', 8 * KIB),
    ('unlimited', u.UNLIMITED),
    ('Unlimited', u.UNLIMITED),
    ('0', 0),
])
def test_parse_size(text, expected):
    assert u.parse_size(text) == expected


def test_parse_size_default_unit_and_pages():
    assert u.parse_size('1024', default_unit='K') == MIB
    assert u.parse_size(512, default_unit='M') == 512 * MIB
    assert u.parse_size('262144P', pages_suffix=True) == GIB
    assert u.parse_size('262144', default_unit='P') == GIB


def test_long_max_reads_as_unlimited():
    assert u.parse_size(u.LONG_MAX) == u.UNLIMITED
    assert u.parse_count(u.LONG_MAX) == u.UNLIMITED
    assert u.from_unit(u.LONG_MAX, 'P') == u.UNLIMITED


@pytest.mark.parametrize('bad', ['', 'lots', '1X', '-1G', '1.2.3G', '1GG', True, None, [], '1P', -5])
def test_parse_size_refuses_bad_input_with_a_clear_error(bad):
    with pytest.raises(u.UnitError) as exc:
        u.parse_size(bad, what='memory')
    assert 'memory' in str(exc.value)


def test_pages_suffix_only_where_allowed():
    with pytest.raises(u.UnitError, match='P suffix'):
        u.parse_size('100P')


def test_unlimited_can_be_refused():
    with pytest.raises(u.UnitError, match='unlimited is not allowed'):
        u.parse_size('unlimited', allow_unlimited=False, what='disk')


@pytest.mark.parametrize('value, text', [
    (0, '0'), (1, '1'), (4097, '4097'), (KIB, '1K'), (512 * MIB, '512M'),
    (GIB, '1G'), (1536 * GIB, '1536G'), (2 * TIB, '2T'), (u.UNLIMITED, 'unlimited'),
])
def test_format_size(value, text):
    assert u.format_size(value) == text


def test_format_size_refuses_non_sizes():
    for bad in (-1, 1.5, '1G', True):
        with pytest.raises(u.UnitError):
            u.format_size(bad)


@given(sizes)
def test_size_render_parse_round_trip(n):
    assert u.parse_size(u.format_size(n)) == n


@given(sizes)
def test_rendering_is_canonical(n):
    text = u.format_size(n)
    assert u.canonical_size(text) == text


@given(st.integers(min_value=0, max_value=1 << 22),
       st.sampled_from(['', 'K', 'M', 'G', 'T']),
       st.sampled_from(['', 'B', 'b', 'iB']))
def test_every_spelling_of_a_whole_unit_parses(number, unit, tail):
    if not unit and tail == 'iB':
        tail = 'B'
    mult = {'': 1, 'K': KIB, 'M': MIB, 'G': GIB, 'T': TIB}[unit]
    assert u.parse_size('%d%s%s' % (number, unit, tail)) == number * mult


@given(st.integers(min_value=0, max_value=1 << 40))
def test_pages_round_trip(pages):
    assert u.to_unit(u.from_unit(pages, 'P'), 'P') == pages


def test_to_unit_rounding():
    assert u.to_unit(GIB, 'P') == 262144
    assert u.to_unit(GIB + 1, 'P', rounding='down') == 262144
    assert u.to_unit(GIB + 1, 'P', rounding='up') == 262145
    with pytest.raises(u.UnitError, match='whole number of pages'):
        u.to_unit(GIB + 1, 'P')
    assert u.to_unit(u.UNLIMITED, 'K') == u.UNLIMITED


@pytest.mark.parametrize('text, pair', [
    ('1G', (GIB, GIB)),
    ('0:1G', (0, GIB)),
    ('2G:2.2G', (2 * GIB, int(2.2 * GIB))),
    ('1G:unlimited', (GIB, u.UNLIMITED)),
    ({'barrier': '1M', 'limit': '2M'}, (MIB, 2 * MIB)),
    (['1M', '2M'], (MIB, 2 * MIB)),
])
def test_parse_pair(text, pair):
    assert u.parse_pair(text) == pair


@pytest.mark.parametrize('bad', ['2G:1G', '1:2:3', ':1G', 'unlimited:1G', {'barrier': 1, 'x': 2}, [1]])
def test_parse_pair_refuses(bad):
    with pytest.raises(u.UnitError):
        u.parse_pair(bad, what='privvmpages')


@given(sizes, sizes)
def test_pair_round_trip(a, b):
    pair = (min(a, b), max(a, b))
    assert u.parse_pair(u.format_pair(pair)) == pair


@given(st.integers(min_value=0, max_value=1 << 31), st.integers(min_value=0, max_value=1 << 31))
def test_count_pair_round_trip(a, b):
    pair = (min(a, b), max(a, b))
    text = u.format_pair(pair, u.format_count)
    assert u.parse_pair(text, u.parse_count) == pair
    if a == b:
        assert ':' not in text


@pytest.mark.parametrize('value, expected', [(150, 150), ('150', 150), ('150%', 150), (' 0 ', 0)])
def test_cpu_percent(value, expected):
    assert u.parse_cpu_percent(value) == expected


@given(st.integers(min_value=0, max_value=100 * 4096))
def test_cpu_percent_round_trip(n):
    assert u.parse_cpu_percent(u.format_cpu_percent(n)) == n


@pytest.mark.parametrize('bad', ['1.5', '-10%', 'half', True, -1])
def test_cpu_percent_refuses(bad):
    with pytest.raises(u.UnitError, match='cpu_limit'):
        u.parse_cpu_percent(bad)


def test_cpu_units_range():
    assert u.parse_cpu_units('1000') == 1000
    assert u.parse_cpu_units(8) == 8
    assert u.parse_cpu_units(500000) == 500000
    for bad in (7, 500001, 'many', 1.0, False):
        with pytest.raises(u.UnitError, match='cpu_units'):
            u.parse_cpu_units(bad)
