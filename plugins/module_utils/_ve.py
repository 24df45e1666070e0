# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The VE record every backend parses into, and the difference tracker.

Private to the collection; runs on managed nodes (Python 3.7+, stdlib only).

``VE`` is technology-neutral: each backend client (``_openvz``, ``_zones``,
``_virtuozzo``, ``_vmware``) turns its tool's output into one, modules return
``VE.to_dict()`` and the inventory plugin makes host variables from it.

``Differ`` records desired against actual once per task; ``changed``,
``diff`` (``before``/``after``, what Ansible's ``--diff`` prints) and
``differences`` (the keys that differ) all derive from that one record, so
check mode predicts exactly what a real run does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ._units import UNLIMITED, format_size

TECHNOLOGIES = ('openvz', 'virtuozzo', 'zones', 'vmware')

# Common status words. Backends map their own vocabulary onto these and keep
# the original in ``raw``.
STATUSES = (
    'running',     # executing (zone: running; CT/VM: running)
    'stopped',     # exists, not executing (zone: installed; CT/VM: stopped)
    'suspended',   # checkpointed/suspended to disk
    'paused',      # frozen in memory (prlctl paused)
    'mounted',     # OpenVZ: filesystem mounted, not running
    'configured',  # zone: configured but not installed
    'incomplete',  # zone: install/uninstall interrupted
    'transition',  # any other in-between state (shutting_down, ready, migrating...)
    'absent',      # does not exist
    'unknown',
)

SIZE_FIELDS = ('memory', 'swap', 'disk')
LIST_FIELDS = ('ipv4', 'ipv6')
FIELDS = ('technology', 'node', 'id', 'name', 'status', 'hostname', 'ipv4', 'ipv6', 'os',
          'cpus', 'cpu_units', 'cpu_limit', 'memory', 'swap', 'disk', 'onboot')


class AddressError(ValueError):
    """An address that is neither IPv4 nor IPv6."""


def normalize_address(text):
    """``'10.0.0.1'``, ``'10.0.0.1/24'``, ``'2001:DB8::0001/64'`` -> canonical text.

    IPv6 is compressed and lower-cased; a prefix length is kept only if given.
    """
    raw = ('%s' % (text,)).strip()
    addr, sep, prefix = raw.partition('/')
    try:
        ip = ipaddress.ip_address(str(addr))
    except ValueError:
        raise AddressError('%r is not an IPv4 or IPv6 address' % (text,))
    if sep:
        if not prefix.isdigit() or int(prefix) > ip.max_prefixlen:
            raise AddressError('%r has an invalid prefix length' % (text,))
        return '%s/%d' % (ip.compressed, int(prefix))
    return ip.compressed


def address_version(text):
    return ipaddress.ip_address(str(('%s' % text).partition('/')[0])).version


def split_addresses(addresses):
    """A mixed list -> (ipv4 list, ipv6 list), normalized, order and first occurrence kept."""
    v4, v6, seen = [], [], set()
    for item in addresses or ():
        norm = normalize_address(item)
        if norm in seen:
            continue
        seen.add(norm)
        (v4 if address_version(norm) == 4 else v6).append(norm)
    return v4, v6


def list_delta(before, after):
    """Items to add and to remove to go from ``before`` to ``after`` (order kept)."""
    before = list(before or ())
    after = list(after or ())
    return [a for a in after if a not in before], [b for b in before if b not in after]


def userpasswd_problem(value, state):
    """Why a ``user:password`` option cannot be used (None when it can); the secret never enters the message."""
    user, sep, password = value.partition(':')
    if not sep or not user or not password or '\n' in value:
        return "userpasswd must be 'user:password' (one line)"
    if state in ('absent', 'suspended'):
        return 'userpasswd cannot be applied with state=%s' % state
    return None


def plan_through_running(transitions, current, target, status_as_target):
    """Lifecycle commands around work done inside a running VE (a password set with chpasswd...).

    ``transitions(current, target)`` is the backend's planner; ``status_as_target``
    maps a status back to the target that keeps it (for ``present``). Returns
    ``(before, after)``: the commands that start the VE, and those that then
    bring it to ``target`` (or back where it was).
    """
    if target in ('started', 'restarted'):
        return transitions(current, target), []
    final = target if target != 'present' else status_as_target.get(current, 'stopped')
    return transitions(current, 'started'), transitions('running', final)


def lifecycle_with(transitions, status_as_target, current, target, inside=None):
    """Lifecycle actions from ``current`` to ``target``; ``inside`` (work done in the running VE, such as
    setting a password) is put where the VE runs, passing through running when it must.

    Returns action names, with ``inside`` itself at its place when given.
    """
    if inside is None:
        return transitions(current, target)
    before, after = plan_through_running(transitions, current, target, status_as_target)
    return before + [inside] + after


class VE:
    """One virtual environment as every backend describes it.

    Sizes (``memory``, ``swap``, ``disk``) are bytes (``int``) or
    ``'unlimited'``; ``cpu_limit`` is percent of one CPU (0 = none);
    ``ipv4``/``ipv6`` are lists of canonical addresses; ``raw`` keeps the
    backend's own data (config keys, JSON object...) for users who need it.
    """

    __slots__ = FIELDS + ('raw',)

    def __init__(self, technology, id=None, node=None, name=None, status='unknown', hostname=None,
                 ipv4=None, ipv6=None, os=None, cpus=None, cpu_units=None, cpu_limit=None,
                 memory=None, swap=None, disk=None, onboot=None, raw=None):
        if technology not in TECHNOLOGIES:
            raise ValueError('unknown technology %r' % (technology,))
        if status not in STATUSES:
            raise ValueError('unknown status %r' % (status,))
        self.technology = technology
        self.node = node
        self.id = id
        self.name = name
        self.status = status
        self.hostname = hostname
        self.ipv4 = list(ipv4 or [])
        self.ipv6 = list(ipv6 or [])
        self.os = os
        self.cpus = cpus
        self.cpu_units = cpu_units
        self.cpu_limit = cpu_limit
        self.memory = memory
        self.swap = swap
        self.disk = disk
        self.onboot = onboot
        self.raw = raw if raw is not None else {}

    @property
    def addresses(self):
        return self.ipv4 + self.ipv6

    @property
    def exists(self):
        return self.status != 'absent'

    def to_dict(self, raw=True):
        """Plain data for module results and host variables; sizes rendered canonically."""
        out = {}
        for field in FIELDS:
            value = getattr(self, field)
            if field in SIZE_FIELDS and value is not None:
                value = format_size(value)
            elif field in LIST_FIELDS:
                value = list(value)
            out[field] = value
        if raw:
            out['raw'] = self.raw
        return out

    def __eq__(self, other):
        return isinstance(other, VE) and self.to_dict() == other.to_dict()

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return 'VE(%s:%s@%s %s)' % (self.technology, self.id if self.name is None else self.name,
                                    self.node, self.status)


def _render(value):
    """Values as the diff shows them: sizes canonical, sets sorted."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


class Differ:
    """Desired vs actual, recorded once; everything else derives from it.

    ``compare(key, before, after)`` records one property. ``after=None`` means
    "not managed by this task" and records nothing. ``kind`` is ``'value'``
    (plain equality), ``'set'`` (order and duplicates do not matter) or
    ``'list'`` (order matters). ``render`` turns values into what the diff
    shows (``format_size`` for sizes); comparison happens on the raw values.
    """

    def __init__(self):
        self._order = []
        self._before = {}
        self._after = {}
        self._differs = {}

    def compare(self, key, before, after, kind='value', render=None):
        if after is None:
            return False
        if kind == 'set':
            differs = set(before or ()) != set(after)
        elif kind == 'list':
            differs = list(before or ()) != list(after)
        elif kind == 'value':
            differs = before != after
        else:
            raise ValueError('unknown comparison kind %r' % (kind,))
        if render is not None:
            shown_before = render(before) if before is not None else None
            shown_after = render(after)
        else:
            shown_before, shown_after = _render(before), _render(after)
        if kind == 'set':
            shown_before = sorted(set(before or ()))
            shown_after = sorted(set(after))
        if key not in self._differs:
            self._order.append(key)
        self._before[key] = shown_before
        self._after[key] = shown_after
        self._differs[key] = differs
        return differs

    def size(self, key, before, after):
        """Shortcut for sizes (bytes or 'unlimited'), shown canonically."""
        return self.compare(key, before, after, render=lambda v: v if v == UNLIMITED else format_size(v))

    def differs(self, key):
        return self._differs.get(key, False)

    def after(self, key, default=None):
        return self._after.get(key, default)

    @property
    def differences(self):
        return [k for k in self._order if self._differs[k]]

    @property
    def changed(self):
        return any(self._differs.values())

    @property
    def diff(self):
        """``{'before': ..., 'after': ...}`` over every compared key, in order.

        Unchanged keys stay in as context, so ``--diff`` shows the whole
        managed picture with only the differing lines marked.
        """
        return {
            'before': dict((k, self._before[k]) for k in self._order),
            'after': dict((k, self._after[k]) for k in self._order),
        }
