# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Canonical units shared by every backend: sizes, barrier:limit pairs, CPU.

Private to the collection; runs on managed nodes (Python 3.7+, stdlib only).

Canonical forms (what ``diff`` and return values show):

* a size is an ``int`` number of bytes, or the string ``'unlimited'``;
  it renders as the largest binary unit that divides it exactly
  (``'512M'``, ``'1536G'``, ``'4097'``), so ``parse_size(format_size(n)) == n``;
* accepted spellings: plain bytes (``1024``, ``'1024'``, ``'1024B'``),
  ``K``/``M``/``G``/``T`` (binary multiples) with an optional ``B``/``b``/``iB``
  tail (``'1024Mb'`` as prlctl prints), decimals (``'1.5T'``, ``'2.2G'``),
  ``'unlimited'``, and pages of 4 KiB with the OpenVZ ``P`` suffix where a
  caller allows it (``parse_size(..., pages_suffix=True)``);
* a barrier:limit pair is a tuple of two sizes (or two counts), rendered as a
  single value when both are equal, as vzctl stores it;
* CPU percent is an ``int`` (100 = one CPU, 0 = no limit), CPU units an
  ``int`` in the scheduler's range.

Bad input raises ``UnitError`` with a message that names the value and what
was expected, so modules can report it before running anything.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re
from decimal import Decimal, InvalidOperation, ROUND_FLOOR

UNLIMITED = 'unlimited'
PAGE_SIZE = 4096
# vzctl stores "unlimited" as LONG_MAX; vzlist -j prints it as that number.
LONG_MAX = 9223372036854775807

_MULT = {
    '': 1,
    'K': 1 << 10,
    'M': 1 << 20,
    'G': 1 << 30,
    'T': 1 << 40,
}
# Largest unit first, for rendering.
_RENDER_UNITS = (('T', 1 << 40), ('G', 1 << 30), ('M', 1 << 20), ('K', 1 << 10))

_SIZE_RE = re.compile(
    r'^\s*(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*'
    r'(?P<unit>[KMGTP]?)(?P<tail>i?[Bb])?\s*$', re.IGNORECASE)

CPU_UNITS_MIN = 8
CPU_UNITS_MAX = 500000


class UnitError(ValueError):
    """A value could not be read as the unit that was expected."""


def _is_unlimited(value):
    return isinstance(value, str) and value.strip().lower() in (UNLIMITED, 'inf', 'infinity')


def parse_size(value, default_unit='', pages_suffix=False, allow_unlimited=True, what='size'):
    """Read a size and return bytes (``int``) or ``'unlimited'``.

    ``default_unit`` is the unit of a bare number (``''`` bytes, ``'K'`` for
    KiB as vzctl's --diskspace, ``'M'`` as prlctl's --memsize). With
    ``pages_suffix`` a ``P`` suffix means 4 KiB pages (OpenVZ), otherwise it is
    refused. Fractions of a byte are rounded down, as vzctl does.
    """
    if value is None:
        raise UnitError('%s: no value given' % what)
    if isinstance(value, bool):
        raise UnitError('%s: %r is not a size' % (what, value))
    if isinstance(value, int):
        number, unit = Decimal(value), default_unit.upper()
        if value < 0:
            raise UnitError('%s: %r is negative' % (what, value))
    elif isinstance(value, float):
        if value < 0 or math.isnan(value) or math.isinf(value):
            raise UnitError('%s: %r is not a size' % (what, value))
        number, unit = Decimal(repr(value)), default_unit.upper()
    elif isinstance(value, str):
        if _is_unlimited(value):
            if not allow_unlimited:
                raise UnitError('%s: unlimited is not allowed here' % what)
            return UNLIMITED
        m = _SIZE_RE.match(value)
        if not m:
            raise UnitError("%s: %r is not a size (examples: 512M, 1G, 1.5T, 1048576%s)"
                            % (what, value, ', unlimited' if allow_unlimited else ''))
        try:
            number = Decimal(m.group('num'))
        except InvalidOperation:  # pragma: no cover - the regex admits only decimals
            raise UnitError('%s: %r is not a number' % (what, value))
        suffix = m.group('unit').upper()
        if suffix == 'P' and (not pages_suffix or m.group('tail')):
            raise UnitError('%s: %r: the P suffix (4 KiB pages) is not accepted here' % (what, value))
        unit = suffix or default_unit.upper()
    else:
        raise UnitError('%s: %r is not a size' % (what, value))
    if unit == 'P':
        return int((number * PAGE_SIZE).to_integral_value(ROUND_FLOOR))
    if unit not in _MULT:
        raise UnitError('%s: unknown unit %r' % (what, unit))
    result = int((number * _MULT[unit]).to_integral_value(ROUND_FLOOR))
    if result >= LONG_MAX and allow_unlimited:
        return UNLIMITED
    return result


def format_size(value):
    """Render bytes in the largest binary unit that divides them exactly."""
    if value == UNLIMITED:
        return UNLIMITED
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UnitError('format_size: %r is not a number of bytes' % (value,))
    if value == 0:
        return '0'
    for suffix, mult in _RENDER_UNITS:
        if value % mult == 0:
            return '%d%s' % (value // mult, suffix)
    return '%d' % value


def canonical_size(value, **kwargs):
    """``format_size(parse_size(value))``: the form a diff should compare and show."""
    return format_size(parse_size(value, **kwargs))


def to_unit(value, unit, rounding='exact', what='size'):
    """Bytes -> a whole number of ``unit`` (``'P'`` for 4 KiB pages, ``'K'``, ``'M'``...).

    ``rounding`` is ``'exact'`` (a remainder is an error), ``'down'`` or ``'up'``.
    ``'unlimited'`` passes through unchanged.
    """
    if value == UNLIMITED:
        return UNLIMITED
    mult = PAGE_SIZE if unit.upper() == 'P' else _MULT[unit.upper()]
    whole, rest = divmod(value, mult)
    if rest:
        if rounding == 'exact':
            raise UnitError('%s: %s is not a whole number of %s'
                            % (what, format_size(value), 'pages (4K)' if unit.upper() == 'P' else unit + 'iB'))
        if rounding == 'up':
            whole += 1
    return whole


def from_unit(number, unit):
    """A whole number of ``unit`` -> bytes (``'unlimited'`` and LONG_MAX pass as unlimited)."""
    if number == UNLIMITED or number == LONG_MAX:
        return UNLIMITED
    mult = PAGE_SIZE if unit.upper() == 'P' else _MULT[unit.upper()]
    return int(number) * mult


def parse_count(value, allow_unlimited=True, what='value'):
    """A plain non-negative integer (process counts, inodes...) or ``'unlimited'``."""
    if isinstance(value, bool):
        raise UnitError('%s: %r is not a count' % (what, value))
    if isinstance(value, int):
        if value < 0:
            raise UnitError('%s: %r is negative' % (what, value))
        return UNLIMITED if value >= LONG_MAX and allow_unlimited else value
    if isinstance(value, str):
        text = value.strip()
        if _is_unlimited(text):
            if not allow_unlimited:
                raise UnitError('%s: unlimited is not allowed here' % what)
            return UNLIMITED
        if text.isdigit():
            return parse_count(int(text), allow_unlimited, what)
    raise UnitError('%s: %r is not a whole number%s' % (what, value, ' or unlimited' if allow_unlimited else ''))


def parse_pair(value, parse_item=parse_size, what='barrier:limit', **kwargs):
    """``'b:l'``, ``'v'`` (both equal), a 2-list/tuple, or a dict with barrier/limit.

    Returns ``(barrier, limit)``, each parsed by ``parse_item``. A barrier above
    the limit is refused, as the kernel would.
    """
    if isinstance(value, dict):
        if set(value) - {'barrier', 'limit'} or not value:
            raise UnitError('%s: a mapping needs the keys barrier and limit, got %r' % (what, value))
        barrier = value.get('barrier', value.get('limit'))
        limit = value.get('limit', value.get('barrier'))
    elif isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise UnitError('%s: %r needs exactly two items' % (what, value))
        barrier, limit = value
    elif isinstance(value, str) and ':' in value:
        parts = value.split(':')
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise UnitError("%s: %r is not 'barrier:limit'" % (what, value))
        barrier, limit = parts
    else:
        barrier = limit = value
    b = parse_item(barrier, what=what, **kwargs)
    lim = parse_item(limit, what=what, **kwargs)
    if b != UNLIMITED and (lim != UNLIMITED and b > lim):
        raise UnitError('%s: barrier %s is above limit %s' % (what, barrier, limit))
    if b == UNLIMITED and lim != UNLIMITED:
        raise UnitError('%s: barrier unlimited is above limit %s' % (what, limit))
    return (b, lim)


def format_pair(pair, format_item=format_size):
    """Render a pair; one value when barrier == limit."""
    barrier, limit = pair
    if barrier == limit:
        return format_item(barrier)
    return '%s:%s' % (format_item(barrier), format_item(limit))


def _format_count(value):
    return UNLIMITED if value == UNLIMITED else '%d' % value


format_count = _format_count


def parse_cpu_percent(value, what='cpu_limit'):
    """CPU limit in percent of one CPU: ``150``, ``'150'``, ``'150%'``; 0 means no limit."""
    if isinstance(value, bool):
        raise UnitError('%s: %r is not a percentage' % (what, value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.match(r'^\s*[0-9]+\s*%?\s*$', value):
        number = int(value.strip().rstrip('%'))
    else:
        raise UnitError("%s: %r is not a CPU percentage (100 = one CPU, e.g. '150%%'; 0 = no limit)"
                        % (what, value))
    if number < 0:
        raise UnitError('%s: %r is negative' % (what, value))
    return number


def format_cpu_percent(value):
    return '%d%%' % value


def parse_cpu_units(value, minimum=CPU_UNITS_MIN, maximum=CPU_UNITS_MAX, what='cpu_units'):
    """CPU weight (OpenVZ/Virtuozzo cpuunits): an integer in [minimum, maximum]."""
    if isinstance(value, bool):
        raise UnitError('%s: %r is not a number' % (what, value))
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise UnitError('%s: %r is not a whole number' % (what, value))
    if not minimum <= value <= maximum:
        raise UnitError('%s: %d is outside %d..%d' % (what, value, minimum, maximum))
    return value
