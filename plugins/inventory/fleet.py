# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: fleet
short_description: Every VE on every hardware node and vCenter, as one inventory
version_added: 0.1.0
author:
  - datacenter.ve developers (@datacenter-ve)
description:
  - Lists the virtual environments of a whole fleet - OpenVZ containers, Virtuozzo containers and VMs, Solaris zones
    and VMware VMs - and makes each one an inventory host, with its VE record as C(ve_*) variables and the
    connection variables that reach inside it through its hardware node.
  - Nodes are listed over OpenSSH, all at once (at most O(max_workers) at a time), each in one round trip - one
    remote shell script that runs the node's own listing commands (C(vzlist -a -j), C(prlctl list -a -i -j -f),
    C(zoneadm list -cp) and C(zonecfg export) per zone). The user's ssh configuration, agent and keys apply;
    connections are shared with the connection plugins (C(ControlPersist)).
  - Each vCenter is read with one property-collector read over a container view (paged).
  - A node or vCenter that is down, slow or prints something unexpected gives a warning naming it and every other
    source is still listed (O(on_error=warn)), or fails the inventory source (O(on_error=fail)).
  - Every value read from a node or vCenter is marked unsafe, so it is never templated.
  - The inventory file name must end with C(fleet.yml) or C(fleet.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    type: str
    required: true
    choices: [datacenter.ve.fleet]
  nodes:
    description:
      - Hardware nodes to list.
    type: list
    elements: dict
    default: []
    suboptions:
      host:
        description: What ssh connects to - a host name, an address, or a C(Host) of the ssh configuration.
        type: str
        required: true
      name:
        description: The node's name in the inventory (C(ve_node), the node group). Default O(nodes[].host).
        type: str
      technology:
        description:
          - What the node runs; V(auto) detects it from the tools on the node's C(PATH)
            (C(prlctl) - Virtuozzo, C(zoneadm) - zones, C(vzlist) - OpenVZ).
        type: str
        choices: [openvz, virtuozzo, zones, auto]
        default: auto
      user:
        description: User to log in as (default from the ssh configuration). It must be allowed to run the listing tools.
        type: str
      port:
        description: SSH port (default from the ssh configuration).
        type: int
      private_key_file:
        description: Private key file for the node.
        type: path
      ssh_args:
        description: Extra OpenSSH arguments, such as C(-F ssh_config) or C(-J jumphost).
        type: str
  node_user:
    description:
      - Default O(nodes[].user) of every node that sets none (including O(node_groups) hosts without C(ansible_user)).
    type: str
    env:
      - name: DATACENTER_VE_FLEET_NODE_USER
  node_private_key_file:
    description:
      - Default O(nodes[].private_key_file) of every node that sets none; with the environment variable, an AWX
        credential type can hand the nodes' key to an inventory update.
    type: path
    env:
      - name: DATACENTER_VE_FLEET_NODE_PRIVATE_KEY_FILE
  node_ssh_args:
    description:
      - Extra OpenSSH arguments for every node that sets no O(nodes[].ssh_args).
    type: str
    env:
      - name: DATACENTER_VE_FLEET_NODE_SSH_ARGS
  node_groups:
    description:
      - Groups of inventory sources parsed before this one (for example C(-i nodes.yml -i lab.fleet.yml)) whose hosts
        are nodes to list. Each host gives C(host) from C(ansible_host) (or its name), C(user) from C(ansible_user),
        C(port) from C(ansible_port), C(private_key_file) from C(ansible_ssh_private_key_file) and C(ssh_args) from
        C(ansible_ssh_common_args) and C(ansible_ssh_extra_args); its technology from the variable named by
        O(node_technology_var), else V(auto).
    type: list
    elements: str
    default: []
  node_technology_var:
    description: The host variable of O(node_groups) hosts that holds their technology.
    type: str
    default: technology
  vcenters:
    description:
      - vCenters (or ESXi hosts) whose VMs to list. Templates are left out.
    type: list
    elements: dict
    default: []
    suboptions:
      hostname:
        description: The vCenter's name or address (or the E(VMWARE_HOST) environment variable).
        type: str
        required: true
      name:
        description: The vCenter's name in the inventory (C(ve_vcenter)). Default O(vcenters[].hostname).
        type: str
      port:
        description: HTTPS port (or E(VMWARE_PORT)).
        type: int
        default: 443
      username:
        description: User name (or E(VMWARE_USER)).
        type: str
        required: true
        aliases: [user, admin]
      password:
        description: Password (or E(VMWARE_PASSWORD)); use Ansible Vault or the environment variable.
        type: str
        required: true
        aliases: [pass, pwd]
      validate_certs:
        description: Whether to validate the vCenter's TLS certificate (or E(VMWARE_VALIDATE_CERTS)).
        type: bool
        default: true
      ca_path:
        description: CA bundle that signed the vCenter's certificate (or E(VMWARE_CA_PATH)).
        type: path
      proxy_host:
        description: HTTPS proxy to reach the vCenter through.
        type: str
      proxy_port:
        description: Port of O(vcenters[].proxy_host).
        type: int
      connect_timeout:
        description: Seconds to wait for the vCenter to answer.
        type: int
        default: 30
  max_workers:
    description: How many nodes and vCenters are listed at the same time.
    type: int
    default: 16
  timeout:
    description: Seconds a node may take to answer its listing; a slower node is an error (see O(on_error)).
    type: int
    default: 60
  control_persist:
    description:
      - Seconds an SSH connection to a node stays open after the listing (C(ControlPersist)), for the next plays'
        connection plugins to reuse. V(0) opens no shared connection (the ssh configuration then decides).
    type: int
    default: 60
  ssh_executable:
    description: The OpenSSH client to run.
    type: str
    default: ssh
  on_error:
    description:
      - What a node or vCenter that cannot be listed does. V(warn) prints a warning naming it and lists the others;
        V(fail) fails the inventory source (Ansible then warns, or stops when C(inventory_unparsed_failed) is set, as
        AWX sets it).
    type: str
    choices: [warn, fail]
    default: warn
  hostname_template:
    description:
      - A template for each host's name, rendered with its C(ve_*) variables, for example
        C("{{ ve_name }}.{{ ve_node }}"). Default the VE's name (its ID when it has none).
      - Names that collide are made unique by the node (C(name@node)).
    type: str
  connection:
    description:
      - How the next plays reach each VE. V(node) sets C(ansible_connection) to the VE's connection plugin
        (P(datacenter.ve.vzctl#connection), P(datacenter.ve.prlctl#connection) or P(datacenter.ve.zlogin#connection)) and its
        node and VE options; VMware VMs get C(ansible_host). V(ssh) sets C(ansible_host) to the VE's address.
        V(none) sets no connection variables.
      - The node-wide variables are set on the node's group and the VE's ID on the host, both as inventory
        defaults, so group_vars, host_vars, O(compose) and playbook variables override them.
    type: str
    choices: [node, ssh, none]
    default: node
  address_family:
    description: Which address becomes C(ansible_host) when a VE has both; a VE with only the other family gets that one.
    type: str
    choices: [ipv4, ipv6]
    default: ipv4
  group_prefix:
    description: Prefix of the groups this plugin always makes (by technology, node and status).
    type: str
    default: ve_
  include_stopped:
    description: Whether VEs that are not running (stopped, suspended, installed zones...) become hosts.
    type: bool
    default: true
  filters:
    description:
      - Jinja2 expressions over each VE's C(ve_*) variables; only VEs for which all are true become hosts.
    type: list
    elements: str
    default: []
  include_raw:
    description: Whether each host also gets C(ve_raw), the tool's own data about the VE (larger inventories).
    type: bool
    default: false
"""

EXAMPLES = r"""
# lab.fleet.yml -- ansible-inventory -i lab.fleet.yml --graph
plugin: datacenter.ve.fleet
nodes:
  - host: node1.example.org
    technology: openvz
    user: root
  - host: node2.example.org
    technology: virtuozzo
    user: root
  - host: zonehost.example.org
    technology: zones
    ssh_args: -J bastion.example.org
vcenters:
  - hostname: vcenter.example.org
    username: inventory@vsphere.local
    password: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      ...
keyed_groups:
  - key: ve_os
    prefix: os
groups:
  small: ve_memory is defined and ve_memory.endswith('M')
filters:
  - ve_name is not match('test-')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-fleet
cache_timeout: 300

# Nodes from another inventory source parsed first: ansible-inventory -i nodes.yml -i site.fleet.yml --list
plugin: datacenter.ve.fleet
node_groups: [openvz_nodes, virtuozzo_nodes, zones_nodes]
connection: ssh
address_family: ipv6
"""

import hashlib
import json
import re

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.helpers import get_group_vars
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.release import __version__ as ansible_version
from ansible.utils.unsafe_proxy import wrap_var
from ansible.utils.vars import combine_vars
from ansible.vars.plugins import get_vars_from_inventory_sources

from ansible_collections.datacenter.ve.plugins.plugin_utils._fleet import (
    ConfigError, NodeSource, VCenterSource, list_sources)

# technology -> (connection plugin, its option prefix, its VE option)
CONNECTIONS = {
    'openvz': ('datacenter.ve.vzctl', 'vzctl', 'ctid'),
    'virtuozzo': ('datacenter.ve.prlctl', 'prlctl', 'name'),
    'zones': ('datacenter.ve.zlogin', 'zlogin', 'zone'),
}
RECORD_VARS = ('technology', 'node', 'id', 'name', 'status', 'hostname', 'ipv4', 'ipv6', 'os', 'cpus', 'cpu_units',
               'cpu_limit', 'memory', 'swap', 'disk', 'onboot')
CACHE_FORMAT = 2
_UNSAFE_GROUP_CHARS = re.compile(r'[^A-Za-z0-9_]')


def _untrusted_by_default(version):
    """ansible-core 2.19+ (data tagging) never templates a string an inventory plugin sets unless the plugin
    declares its values trusted (``trusted_by_default``, False here); older cores template any plain ``str``."""
    major, minor = (int(part) for part in re.findall(r'\d+', version)[:2])
    return (major, minor) >= (2, 19)


UNTRUSTED_BY_DEFAULT = _untrusted_by_default(ansible_version)


def mark_unsafe(value):
    """``value`` (read from a node or vCenter) as data Ansible never templates, on every supported core.

    On 2.19+ a plain string is already untrusted; wrapping it again only costs time (a third of a 5,000-VE
    inventory), so it is done on older cores only.
    """
    return value if UNTRUSTED_BY_DEFAULT else wrap_var(value)


def group_name(text):
    """A valid group name (letters, digits, underscores) from any text."""
    name = _UNSAFE_GROUP_CHARS.sub('_', text)
    return name if not name[:1].isdigit() else '_' + name


def _bare(address):
    return address.partition('/')[0]


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'datacenter.ve.fleet'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('fleet.yml', 'fleet.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            sources = self._sources()
        except ConfigError as exc:
            raise AnsibleParserError('%s: %s' % (path, exc))
        include_raw = self.get_option('include_raw')
        # What the cached data depends on: the sources, and whether the tools' own (large) data is kept.
        signature = hashlib.sha256(json.dumps([include_raw] + [s.key() for s in sources], sort_keys=True, default=str)
                                   .encode('utf-8')).hexdigest()

        use_cache = self.get_option('cache')
        cache_key = self.get_cache_key(path)
        data = None
        if use_cache and cache:
            try:
                cached = self._cache[cache_key]
            except KeyError:
                cached = None
            if isinstance(cached, dict) and cached.get('format') == CACHE_FORMAT and cached.get('sources') == signature:
                data = cached
        if data is None:
            results, errors = list_sources(sources, max_workers=self.get_option('max_workers'),
                                           ssh_executable=self.get_option('ssh_executable'),
                                           timeout=self.get_option('timeout'),
                                           persist=self.get_option('control_persist'), raw=include_raw)
            self._report(errors)
            data = {'format': CACHE_FORMAT, 'sources': signature, 'results': results}
            if use_cache and not errors:   # a partial listing is not kept: the next run asks the failed source again
                self._cache[cache_key] = data
        self._populate(data['results'])

    # ------------------------------------------------------------ sources
    def _sources(self):
        sources = [NodeSource.from_entry(self._node_defaults(entry), i)
                   for i, entry in enumerate(self.get_option('nodes') or [])]
        sources += self._nodes_from_groups()
        sources += [VCenterSource.from_entry(entry, i) for i, entry in enumerate(self.get_option('vcenters') or [])]
        if self.get_option('max_workers') < 1:
            raise ConfigError('max_workers must be at least 1')
        if self.get_option('timeout') < 1:
            raise ConfigError('timeout must be at least 1 second')
        names = {}
        for source in sources:
            if source.kind == 'node':
                other = names.setdefault(group_name(source.name), source.name)
                if other != source.name or sum(1 for s in sources if s.kind == 'node' and s.name == source.name) > 1:
                    raise ConfigError('nodes %s and %s would share one node group; give one of them a name'
                                      % (other, source.name))
        return sources

    def _node_defaults(self, entry):
        if not isinstance(entry, dict):
            return entry
        filled = dict(entry)
        for key in ('user', 'private_key_file', 'ssh_args'):
            default = self.get_option('node_' + key)
            if default and not filled.get(key):
                filled[key] = default
        return filled

    def _nodes_from_groups(self):
        found = []
        seen = set()
        for group in self.get_option('node_groups') or []:
            if group not in self.inventory.groups:
                raise ConfigError('node_groups: no group %s in the inventory sources parsed before this one' % group)
            for host in self.inventory.groups[group].get_hosts():
                if host.name in seen:
                    continue   # a node in two of the groups is listed once
                seen.add(host.name)
                found.append(NodeSource.from_entry(self._node_defaults(self._node_entry(host)), len(found)))
        return found

    def _node_entry(self, host):
        """A node of ``node_groups`` as a ``nodes:`` entry, from its variables as a play would see them.

        Variables of the inventory sources and of their ``group_vars``/``host_vars`` files (vars plugins), the
        host's over its groups'; templated values (``{{ inventory_hostname }}.mgmt…``) are rendered.
        """
        sources = getattr(self.inventory, 'processed_sources', None) or []
        groups = host.get_groups()
        hostvars = combine_vars(
            combine_vars(get_group_vars(groups), get_vars_from_inventory_sources(self.loader, sources, groups, 'all')),
            combine_vars(host.get_vars(), get_vars_from_inventory_sources(self.loader, sources, [host], 'all')))
        hostvars.setdefault('inventory_hostname', host.name)

        def value(*names):
            for name in names:
                found = hostvars.get(name)
                if found not in (None, ''):
                    if isinstance(found, str) and '{{' in found:
                        self.templar.available_variables = hostvars
                        found = self.templar.template(found)
                    return found
            return None

        ssh_args = ' '.join(to_text(v) for v in (value('ansible_ssh_common_args'), value('ansible_ssh_extra_args')) if v)
        return {'host': value('ansible_host') or host.name, 'name': host.name,
                'technology': value(self.get_option('node_technology_var')) or 'auto',
                'user': value('ansible_user'), 'port': value('ansible_port'),
                'private_key_file': value('ansible_ssh_private_key_file', 'ansible_private_key_file'),
                'ssh_args': ssh_args}

    def _report(self, errors):
        if not errors:
            return
        if self.get_option('on_error') == 'fail':
            raise AnsibleParserError('cannot list %s' % '; '.join(message for _source, message in errors))
        for _source, message in errors:
            self.display.warning('datacenter.ve.fleet: %s; its VEs are left out' % message)

    # ------------------------------------------------------------ hosts and groups
    def _populate(self, results):
        include_stopped = self.get_option('include_stopped')
        include_raw = self.get_option('include_raw')
        filters = self.get_option('filters') or []
        strict = self.get_option('strict')
        prefix = self.get_option('group_prefix') or ''
        entries = []
        for result in results:
            node_vars = self._node_vars(result)
            node_group = None
            for ve in result['ves']:
                if not include_stopped and ve['status'] != 'running':
                    continue
                hostvars = self._ve_vars(result, ve, include_raw)
                if filters and not self._passes(filters, hostvars, strict):
                    continue
                if node_group is None and result['kind'] == 'node':
                    node_group = self.inventory.add_group(group_name(prefix + 'node_' + result['name']))
                    for key, value in node_vars.items():
                        self.inventory.set_variable(node_group, key, value)
                entries.append((result, ve, hostvars, node_vars))
        names = self._names(entries, strict)
        constructed = dict((key, self.get_option(key)) for key in ('compose', 'groups', 'keyed_groups'))
        groups = {}
        for (result, ve, hostvars, node_vars), name in zip(entries, names):
            self._add(name, result, ve, hostvars, node_vars, prefix, strict, constructed, groups)

    def _ve_vars(self, result, ve, include_raw):
        hostvars = dict(('ve_' + key, ve.get(key)) for key in RECORD_VARS)
        hostvars['ve_ips'] = list(ve.get('ipv4') or []) + list(ve.get('ipv6') or [])
        hostvars['ve_kind'] = ve.get('kind')
        if result['kind'] == 'vcenter':
            hostvars['ve_vcenter'] = result['name']
            for key in ('folder', 'datacenter', 'cluster'):
                hostvars['ve_' + key] = ve.get(key)
        if include_raw:
            hostvars['ve_raw'] = ve.get('raw') or {}
        return mark_unsafe(hostvars)

    def _node_vars(self, result):
        """Connection variables common to a node's VEs (set on its group: inventory defaults)."""
        if self.get_option('connection') != 'node' or result['kind'] != 'node':
            return {}
        plugin, short, _option = CONNECTIONS[result['technology']]
        conn = result['connection']
        out = {'ansible_connection': plugin, 'ansible_%s_node' % short: conn['host']}
        for key in ('user', 'port', 'private_key_file', 'ssh_args'):
            if conn.get(key):
                out['ansible_%s_node_%s' % (short, key)] = conn[key]
        return mark_unsafe(out)

    def _connection_vars(self, result, ve):
        mode = self.get_option('connection')
        if mode == 'none':
            return {}
        if mode == 'node' and result['kind'] == 'node':
            _plugin, short, option = CONNECTIONS[result['technology']]
            ident = ve['id'] if result['technology'] == 'openvz' else (ve.get('name') or ve['id'])
            return {'ansible_%s_%s' % (short, option): ident}
        first, second = (ve.get('ipv4'), ve.get('ipv6'))
        if self.get_option('address_family') == 'ipv6':
            first, second = second, first
        addresses = list(first or []) + list(second or [])
        return {'ansible_host': _bare(addresses[0])} if addresses else {}

    def _passes(self, filters, hostvars, strict):
        for expression in filters:
            try:
                if not self._compose(expression, hostvars):
                    return False
            except Exception as exc:
                if strict:
                    raise AnsibleError('filter %r failed for VE %s on %s: %s'
                                       % (expression, hostvars.get('ve_name') or hostvars.get('ve_id'),
                                          hostvars.get('ve_node'), to_text(exc)))
                return False
        return True

    def _names(self, entries, strict):
        template = self.get_option('hostname_template')
        names = []
        for _result, ve, hostvars, _node_vars in entries:
            name = None
            if template:
                try:
                    self.templar.available_variables = hostvars
                    name = to_text(self.templar.template(template)).strip()
                except Exception as exc:
                    if strict:
                        raise AnsibleError('hostname_template failed for VE %s on %s: %s'
                                           % (ve.get('name') or ve['id'], ve.get('node'), to_text(exc)))
            names.append(name or '%s' % (ve.get('name') or ve['id']))
        # Hosts of other inventory sources (the nodes themselves...) count as taken: a VE never merges into one.
        counts = dict((name, 1) for name in self.inventory.hosts)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        unique = []
        for name, (result, ve, _hostvars, _node_vars) in zip(names, entries):
            if counts[name] > 1:
                name = '%s@%s' % (name, ve.get('node') or result['name'])
            unique.append(name)
        counts = dict((name, 1) for name in self.inventory.hosts)
        for name in unique:
            counts[name] = counts.get(name, 0) + 1
        return [name if counts[name] == 1 else '%s@%s' % (name, ve['id'])
                for name, (_result, ve, _hostvars, _node_vars) in zip(unique, entries)]

    def _add(self, name, result, ve, hostvars, node_vars, prefix, strict, constructed, groups):
        host = self.inventory.add_host(name)
        connection = mark_unsafe(self._connection_vars(result, ve))
        # Straight into the host's variables: names valid, values plain JSON types made here (Host.set_variable
        # per value would validate and deep-copy each one again, the largest cost of a big fleet).
        variables = self.inventory.get_host(host).vars
        variables.update(hostvars)
        variables.update(connection)
        for group in (prefix + result['technology'], prefix + 'node_' + (ve.get('node') or result['name']),
                      prefix + ve['status']):
            if group not in groups:
                groups[group] = self.inventory.add_group(group_name(group))
            self.inventory.add_child(groups[group], host)
        compose, composed, keyed = constructed['compose'], constructed['groups'], constructed['keyed_groups']
        if compose or composed or keyed:
            allvars = combine_vars(combine_vars(node_vars, hostvars), connection)
            if compose:
                self._set_composite_vars(compose, allvars, host, strict=strict)
                allvars = combine_vars(allvars, self.inventory.get_host(host).get_vars())
            if composed:
                self._add_host_to_composed_groups(composed, allvars, host, strict=strict, fetch_hostvars=False)
            if keyed:
                self._add_host_to_keyed_groups(keyed, allvars, host, strict=strict, fetch_hostvars=False)
