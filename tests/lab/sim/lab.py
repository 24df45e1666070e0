# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The whole lab: ``labctl up``, ``down`` and ``status``.

``up(state_dir, nodes=3)`` (idempotent; re-run after a partial failure to
finish it):

1. the lab network (``sim.netlab``: unreachable routes first, then the bridge);
2. the Debian 12 template (``sim.template``, built once into the cache);
3. the package proxy on the bridge (``sim.aptproxy``), so VEs can ``apt-get``;
4. N hardware nodes ``node1``, ``node2``, ... taking turns as OpenVZ,
   Virtuozzo and zones nodes (``technologies`` chooses the turns): each a lab
   node directory under ``STATE/nodes/`` whose template is the Debian one, and
   an OpenSSH server (``sshd -f``) on ``127.0.1.N`` port 22 whose sessions get
   that node's ``VE_LAB_ROOT``, ``VE_LAB_RUNTIME=namespaces``, ``HOME`` in
   the node and, first on ``PATH``, a bin directory of its own
   (``STATE/ssh/NODE/bin``) with only its technology's simulators, as on a real
   node (``SetEnv``); one lab key pair logs in as root;
5. the lab's vCenter (``sim.vcsim``) with a generated password;
6. what users and tests read, in ``STATE``: ``ssh_config``, ``nodes.yml``
   (Ansible inventory), ``vcenter.yml`` and ``lab.json``.

``down(state_dir)`` stops every container of the lab's nodes, the sshds, the
proxy and vcsim, removes the network and the lab's cgroups, and deletes
``STATE``. ``status(state_dir)`` reads nodes, VEs and vcsim into one dict.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

from . import netlab, template, vcsim
from .common import atomic_write, pid_alive, read_json, read_text

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM_DIR = os.path.join(LAB_DIR, 'sim')
BIN_DIR = os.path.join(LAB_DIR, 'bin')
DEFAULT_STATE = os.path.join(LAB_DIR, '.state')
TECHNOLOGIES = ('openvz', 'virtuozzo', 'zones')
# The tools a real node of each technology has (a VZ7 node also has vzctl/vzlist, but the lab's vzctl is
# the OpenVZ 4.x one, so a lab Virtuozzo node gets prlctl only). What the inventory plugin's
# ``technology: auto`` looks for.
NODE_TOOLS = {'openvz': ('vzctl', 'vzlist'), 'virtuozzo': ('prlctl',), 'zones': ('zoneadm', 'zonecfg', 'zlogin')}
NODE_MODULES = {'openvz': 'sim.openvz_node', 'virtuozzo': 'sim.virtuozzo_node', 'zones': 'sim.zones_node'}
ADDRESS = '127.0.1.%d'
SSH_PORT = 22
VCENTER_USER = 'administrator@vsphere.local'
TOOLS = {
    'sshd': 'openssh-server', 'ssh-keygen': 'openssh-client', 'ssh': 'openssh-client', 'debootstrap': 'debootstrap',
    'unshare': 'util-linux', 'nsenter': 'util-linux', 'ip': 'iproute2', 'tar': 'tar',
}
SSHD_CONFIG = """# sshd of lab node {name} ({technology}); written by labctl up.
ListenAddress {address}:{port}
HostKey {dir}/ssh_host_ed25519_key
PidFile {dir}/sshd.pid
AuthorizedKeysFile {keys}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The state directory lives in a checkout whose modes sshd would otherwise refuse.
StrictModes no
PrintMotd no
PrintLastLog no
# The inventory plugin fans out, connection plugins multiplex.
MaxStartups 200
MaxSessions 100
Subsystem sftp /usr/lib/openssh/sftp-server
# HOME: the node's own root home (under its VE_LAB_ROOT), so sessions do not run the host root's shell
# start-up files (which would put other directories first on PATH and cost time on every command).
SetEnv VE_LAB_ROOT={root} VE_LAB_RUNTIME=namespaces PATH={path} HOME={home}
"""


class LabError(Exception):
    """The lab cannot be brought up (a clear reason for the user)."""


def _paths(state_dir):
    state_dir = os.path.abspath(state_dir)
    return {
        'state': state_dir,
        'nodes': os.path.join(state_dir, 'nodes'),
        'ssh': os.path.join(state_dir, 'ssh'),
        'key': os.path.join(state_dir, 'ssh', 'id_ed25519'),
        'authorized_keys': os.path.join(state_dir, 'ssh', 'authorized_keys'),
        'known_hosts': os.path.join(state_dir, 'ssh', 'known_hosts'),
        'ssh_config': os.path.join(state_dir, 'ssh_config'),
        'inventory': os.path.join(state_dir, 'nodes.yml'),
        'vcenter': os.path.join(state_dir, 'vcenter.yml'),
        'vcsim': os.path.join(state_dir, 'vcsim'),
        'proxy': os.path.join(state_dir, 'aptproxy'),
        'pybin': os.path.join(state_dir, 'bin'),
        'lab': os.path.join(state_dir, 'lab.json'),
    }


def node_list(count, technologies=TECHNOLOGIES):
    """[{name, technology, address}] of ``count`` nodes, the ``technologies`` taking turns."""
    if not 1 <= count <= 250:
        raise LabError('--nodes must be between 1 and 250')
    technologies = tuple(technologies)
    unknown = [t for t in technologies if t not in TECHNOLOGIES]
    if not technologies or unknown:
        raise LabError('--technologies takes a list of %s (got %s)' % (', '.join(TECHNOLOGIES), ','.join(technologies)))
    return [{'name': 'node%d' % i, 'technology': technologies[(i - 1) % len(technologies)], 'address': ADDRESS % i}
            for i in range(1, count + 1)]


def node_bin(paths, node):
    """The node's own bin directory: links to its technology's simulators (made by ``setup_node``)."""
    return os.path.join(paths['ssh'], node['name'], 'bin')


def link_tools(directory, technology):
    """``directory`` holds exactly the simulators of ``technology`` (symlinks into tests/lab/bin)."""
    os.makedirs(directory, exist_ok=True)
    wanted = NODE_TOOLS[technology]
    for name in os.listdir(directory):
        if name not in wanted:
            os.unlink(os.path.join(directory, name))
    for name in wanted:
        link, target = os.path.join(directory, name), os.path.join(BIN_DIR, name)
        if os.path.islink(link) and os.readlink(link) == target:
            continue
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)     # the launchers find tests/lab through their real path


def require_root():
    if os.geteuid() != 0:
        raise LabError('the lab needs root (namespaces, the lab bridge, sshd on 127.0.1.x): run it as root, '
                       'e.g. sudo make lab-up')


def require_tools():
    missing = sorted({package for tool, package in TOOLS.items()
                      if not shutil.which(tool) and not os.path.exists(os.path.join('/usr/sbin', tool))})
    if missing:
        raise LabError('missing Debian packages: %s (make lab-deps installs them)' % ' '.join(missing))


def _run(argv, **kwargs):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, **kwargs)
    if proc.returncode:
        why = proc.stderr.decode('utf-8', 'replace').strip()
        raise LabError('%s failed (exit %d): %s' % (' '.join(argv), proc.returncode, why))
    return proc.stdout.decode('utf-8', 'replace')


def _keygen(path, comment):
    if not os.path.exists(path):
        _run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path])
    return read_text(path + '.pub').strip()


def _alive_from(pidfile):
    """PID recorded in ``pidfile`` if that process runs, else None."""
    try:
        pid = int(read_text(pidfile, '').strip() or 0)
    except ValueError:
        return None
    return pid if pid and pid_alive(pid) else None


def _kill(pid, grace=5.0):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while pid_alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)


def _port_open(address, port):
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def _wait_port(address, port, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


# ---------------------------------------------------------------- up

def start_proxy(paths, report):
    """The package proxy on the bridge address (kept when already running)."""
    os.makedirs(paths['proxy'], exist_ok=True)
    pidfile = os.path.join(paths['proxy'], 'aptproxy.pid')
    if _alive_from(pidfile):
        report('package proxy: running')
        return
    hosts = template.mirror_hosts(template.host_mirror())
    argv = [sys.executable, '-I', os.path.join(SIM_DIR, 'aptproxy.py'), '--listen', str(netlab.BRIDGE_IPV4),
            '--port', str(template.PROXY_PORT), '--cache', os.path.join(template.default_cache_dir(), 'apt')]
    for host in hosts:
        argv += ['--allow', host]
    with open(os.path.join(paths['proxy'], 'aptproxy.log'), 'ab') as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    atomic_write(pidfile, '%d\n' % proc.pid)
    if not _wait_port(str(netlab.BRIDGE_IPV4), template.PROXY_PORT):
        raise LabError('the package proxy did not start; see %s' % os.path.join(paths['proxy'], 'aptproxy.log'))
    report('package proxy: %s for %s' % (template.PROXY_URL, ', '.join(hosts)))


def setup_node(paths, node, template_path, report):
    """Node directory, host key, bin directory and running sshd of one node; returns its known_hosts line."""
    root = os.path.join(paths['nodes'], node['name'])
    module = importlib.import_module(NODE_MODULES[node['technology']])
    module.init_node(root, lambda line: None, os_template=template_path)
    # The node's resolver, which VEs with NAMESERVER=inherit copy: none (the lab has no DNS server for VEs).
    atomic_write(os.path.join(root, 'etc', 'resolv.conf'), template.RESOLV_CONF)
    sshdir = os.path.join(paths['ssh'], node['name'])
    os.makedirs(sshdir, exist_ok=True)
    host_key = _keygen(os.path.join(sshdir, 'ssh_host_ed25519_key'), '%s@velab' % node['name'])
    bindir = node_bin(paths, node)
    link_tools(bindir, node['technology'])
    path = os.pathsep.join([bindir, paths['pybin'], '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin',
                            '/sbin', '/bin'])
    home = os.path.join(root, 'root')
    os.makedirs(home, mode=0o700, exist_ok=True)
    config = SSHD_CONFIG.format(name=node['name'], technology=node['technology'], address=node['address'],
                                port=SSH_PORT, dir=sshdir, keys=paths['authorized_keys'], root=root, path=path,
                                home=home)
    config_path = os.path.join(sshdir, 'sshd_config')
    changed = read_text(config_path) != config
    if changed:
        atomic_write(config_path, config, 0o600)
    pid = _alive_from(os.path.join(sshdir, 'sshd.pid'))
    if pid and changed:
        _kill(pid)
        pid = None
    if not pid:
        if _port_open(node['address'], SSH_PORT):
            raise LabError('%s:%d is already served by another process (a lab in another state directory, brought'
                           ' up outside the lab lock?); take that lab down first' % (node['address'], SSH_PORT))
        os.makedirs('/run/sshd', mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        sshd = shutil.which('sshd') or '/usr/sbin/sshd'
        _run([sshd, '-t', '-f', config_path])
        _run([sshd, '-f', config_path, '-E', os.path.join(sshdir, 'sshd.log')])
        if not _wait_port(node['address'], SSH_PORT):
            raise LabError('sshd of %s does not listen on %s:%d; see %s' % (
                node['name'], node['address'], SSH_PORT, os.path.join(sshdir, 'sshd.log')))
    report('%-6s %-9s ssh root@%s  (VE_LAB_ROOT=%s)' % (node['name'], node['technology'], node['address'], root))
    return '%s,%s %s' % (node['name'], node['address'], ' '.join(host_key.split()[:2]))


def write_client_files(paths, nodes, known_hosts):
    atomic_write(paths['known_hosts'], ''.join(line + '\n' for line in known_hosts))
    blocks = ['# The lab nodes (labctl up). Use: ssh -F %s node1\n' % paths['ssh_config']]
    for node in nodes:
        blocks.append('Host %s\n  HostName %s\n  Port %d\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n'
                      '  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  HostKeyAlias %s\n'
                      '  BatchMode yes\n' % (node['name'], node['address'], SSH_PORT, paths['key'],
                                             paths['known_hosts'], node['name']))
    atomic_write(paths['ssh_config'], '\n'.join(blocks))
    lines = ['# The lab nodes as an Ansible inventory (labctl up).', 'all:', '  vars:',
             '    ansible_user: root',
             '    ansible_ssh_common_args: -F %s' % paths['ssh_config'],
             '    ansible_python_interpreter: /usr/bin/python3', '  children:']
    for technology in TECHNOLOGIES:
        members = [n for n in nodes if n['technology'] == technology]
        if not members:
            continue
        lines += ['    %s_nodes:' % technology, '      hosts:']
        for node in members:
            lines += ['        %s:' % node['name'], '          technology: %s' % technology,
                      '          lab_address: %s' % node['address'],
                      '          lab_root: %s' % os.path.join(paths['nodes'], node['name'])]
            if technology == 'zones':
                # The global zone's physical interface for the zones' net resources: the lab's bridge.
                lines.append('          zone_interface: %s' % netlab.BRIDGE)
    atomic_write(paths['inventory'], '\n'.join(lines) + '\n')


def start_vcenter(paths, report):
    info = read_json(os.path.join(paths['vcsim'], 'vcsim.json'), None)
    secret_path = os.path.join(paths['vcsim'], 'password')
    if info and pid_alive(info.get('pid', 0)) and os.path.exists(secret_path):
        report('vcenter: running at %s' % info['url'])
        return info
    vcsim.stop(paths['vcsim'])
    os.makedirs(paths['vcsim'], exist_ok=True)
    password = read_text(secret_path, '').strip() or 'Lab-%s' % secrets.token_urlsafe(12)
    atomic_write(secret_path, password + '\n', 0o600)
    vcsim.build(report)
    info = vcsim.start(paths['vcsim'], username=VCENTER_USER, password=password)
    text = ('# The lab vCenter (govmomi simulator), written by labctl up.\n'
            'url: %s\nhostname: %s\nport: %d\nusername: %s\npassword: %s\nvalidate_certs: true\nca_path: %s\n'
            % (info['url'], info['host'], info['port'], VCENTER_USER, json.dumps(password), info['ca']))
    atomic_write(paths['vcenter'], text, 0o600)
    report('vcenter: %s (user %s, CA %s)' % (info['url'], VCENTER_USER, info['ca']))
    return info


def client_environment(state_dir=DEFAULT_STATE):
    """The environment of a client of the lab in ``state_dir`` (``labctl run``): the lab vCenter as the VMware
    modules and the fleet inventory read it (``VMWARE_*``), ssh control sockets of this lab's own
    (``ANSIBLE_SSH_CONTROL_PATH_DIR``: every lab calls its nodes node1..., so a connection kept from another lab
    must not be reused) and ``VE_LAB_STATE``."""
    paths = _paths(state_dir)
    env = {'VE_LAB_STATE': paths['state'],
           'ANSIBLE_SSH_CONTROL_PATH_DIR': os.path.join(paths['state'], 'ansible-cp')}
    info = read_json(os.path.join(paths['vcsim'], 'vcsim.json'), None)
    password = read_text(os.path.join(paths['vcsim'], 'password'), '').strip()
    if info and password and pid_alive(info.get('pid', 0)):
        env.update(VMWARE_HOST=info['host'], VMWARE_PORT=str(info['port']), VMWARE_USER=VCENTER_USER,
                   VMWARE_PASSWORD=password, VMWARE_CA_PATH=info['ca'], VMWARE_VALIDATE_CERTS='true')
    return env


def up(state_dir=DEFAULT_STATE, nodes=3, report=print, with_vcenter=True, technologies=None):
    """Bring the lab up (see the module docstring).

    ``technologies``: the nodes' technologies, taking turns (None: those of the lab that is up, else
    openvz, virtuozzo, zones).
    """
    require_root()
    require_tools()
    paths = _paths(state_dir)
    recorded = read_json(paths['lab'], {}) or {}
    if technologies is None:
        technologies = [n['technology'] for n in recorded.get('nodes') or ()] or TECHNOLOGIES
    wanted = node_list(nodes, technologies)
    if recorded.get('nodes') and len(recorded['nodes']) != nodes:
        raise LabError('the lab is up with %d nodes; labctl down first to change --nodes' % len(recorded['nodes']))
    if recorded.get('nodes') and [n['technology'] for n in recorded['nodes']] != [n['technology'] for n in wanted]:
        raise LabError('the lab is up with other node technologies; labctl down first to change --technologies')
    for sub in ('state', 'nodes', 'ssh', 'pybin'):
        os.makedirs(paths[sub], exist_ok=True)
    python = os.path.join(paths['pybin'], 'python')
    if not os.path.islink(python):
        os.symlink(os.path.realpath(sys.executable), python)  # the simulators' "#!/usr/bin/env python"
    # Recorded first, so that `down` finds everything even if `up` stops half-way.
    atomic_write(paths['lab'], json.dumps({'nodes': wanted, 'state': paths['state']}, indent=1) + '\n')
    netlab.ensure_network()
    report('network: bridge %s %s/%d %s/%d (ranges unreachable beyond it)' % (
        netlab.BRIDGE, netlab.BRIDGE_IPV4, netlab.LAB_IPV4.prefixlen, netlab.BRIDGE_IPV6, netlab.LAB_IPV6.prefixlen))
    template_path = template.ensure_debian_template(report=report)
    report('template: %s' % template_path)
    start_proxy(paths, report)
    public_key = _keygen(paths['key'], 'velab-client')
    atomic_write(paths['authorized_keys'], public_key + '\n', 0o600)
    known_hosts = [setup_node(paths, node, template_path, report) for node in wanted]
    write_client_files(paths, wanted, known_hosts)
    if with_vcenter:
        start_vcenter(paths, report)
    report('ssh -F %s node1 vzlist -a     # inventory: %s' % (paths['ssh_config'], paths['inventory']))
    return 0


# ---------------------------------------------------------------- down

def _node_dirs(paths):
    try:
        return [os.path.join(paths['nodes'], name) for name in sorted(os.listdir(paths['nodes']))]
    except OSError:
        return []


def stop_containers(node_root):
    """Stop every running container the namespace runtime recorded for the node at ``node_root``."""
    from .nsruntime import NamespaceRuntime
    state_dir = os.path.join(node_root, '.lab', 'run', 'ns')
    try:
        names = sorted(n[:-len('.json')] for n in os.listdir(state_dir) if n.endswith('.json'))
    except OSError:
        return 0
    saved = os.environ.get('VE_LAB_ROOT')
    os.environ['VE_LAB_ROOT'] = node_root
    try:
        runtime = NamespaceRuntime()
        for ctid in names:
            runtime.stop(ctid)
    finally:
        if saved is None:
            os.environ.pop('VE_LAB_ROOT', None)
        else:
            os.environ['VE_LAB_ROOT'] = saved
    return len(names)


def stray_inits(under):
    """Host PIDs of lab container inits whose root is below ``under`` (left by a crashed stop)."""
    found = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            cmdline = read_text('/proc/%s/cmdline' % name, '')
            if 'nsinit.py' not in cmdline:
                continue
            root = os.readlink('/proc/%s/root' % name)
        except OSError:
            continue
        if root == under or root.startswith(under.rstrip('/') + '/'):
            found.append(int(name))
    return found


def sweep_cgroups():
    """Remove the lab's empty container cgroups (left by a container killed without its stop); returns how many."""
    from . import nscgroup
    removed = 0
    for controller in nscgroup.CONTROLLERS:
        found, parent = nscgroup.locate(controller)
        if found is None or not os.path.isdir(parent):
            continue
        for name in os.listdir(parent):
            path = os.path.join(parent, name)
            if os.path.isdir(path) and not nscgroup.members(path):
                try:
                    os.rmdir(path)  # a cgroup with processes in it refuses (EBUSY): never another lab's live one
                    removed += 1
                except OSError:
                    pass
        try:
            os.rmdir(parent)
        except OSError:
            pass
    return removed


def down(state_dir=DEFAULT_STATE, report=print):
    require_root()
    paths = _paths(state_dir)
    stopped = sum(stop_containers(root) for root in _node_dirs(paths))
    for pid in stray_inits(paths['nodes']):
        _kill(pid)
        stopped += 1
    report('containers stopped: %d' % stopped)
    if sweep_cgroups():
        report('left-over container cgroups removed')
    for root in _node_dirs(paths):
        pid = _alive_from(os.path.join(paths['ssh'], os.path.basename(root), 'sshd.pid'))
        if pid:
            _kill(pid)
            report('sshd of %s stopped' % os.path.basename(root))
    pid = _alive_from(os.path.join(paths['proxy'], 'aptproxy.pid'))
    if pid:
        _kill(pid)
        report('package proxy stopped')
    if vcsim.stop(paths['vcsim']):
        report('vcenter stopped')
    netlab.teardown_network()
    report('network removed (bridge, veths, unreachable routes)')
    if os.path.isdir(paths['state']):
        shutil.rmtree(paths['state'])
        report('removed %s' % paths['state'])
    return 0


# ---------------------------------------------------------------- status

def _tool_env(node_root):
    env = dict(os.environ)
    env.update({'VE_LAB_ROOT': node_root, 'VE_LAB_RUNTIME': 'namespaces', 'LC_ALL': 'C'})
    env.pop('VE_LAB_LOG', None)
    env['PATH'] = os.pathsep.join([BIN_DIR, os.path.dirname(sys.executable), env.get('PATH', '')])
    return env


def _json_tool(argv, node_root):
    proc = subprocess.run(argv, env=_tool_env(node_root), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False, timeout=60)
    if proc.returncode:
        return None
    return proc.stdout.decode('utf-8', 'replace')


def running_containers(node_root):
    """{VE id: the namespace runtime's record (host PID, veth, addresses, limits)} of a node's containers."""
    state_dir = os.path.join(node_root, '.lab', 'run', 'ns')
    found = {}
    try:
        names = [n for n in os.listdir(state_dir) if n.endswith('.json')]
    except OSError:
        return found
    for name in names:
        record = read_json(os.path.join(state_dir, name), None)
        if isinstance(record, dict):
            found[str(record.get('ctid') or name[:-len('.json')]).strip('{}')] = record
    return found


def limits_text(record):
    """'memory 256M, cpus 1' of what applied; what did not, with '!'."""
    parts = []
    for key, unit in (('memory', 'bytes'), ('cpus', 'cpus'), ('cpu_shares', 'shares')):
        entry = (record or {}).get('limits', {}).get(key)
        if not isinstance(entry, dict) or not entry.get(unit):
            continue
        value = entry[unit]
        if key == 'memory' and isinstance(value, int):
            value = '%dM' % (value // (1 << 20))
        parts.append('%s %s%s' % (key.replace('_', ' '), value, '' if entry.get('applied') else ' (not applied)'))
    return ', '.join(parts)


def node_ves(technology, node_root):
    """[{id, name, status, addresses}] of the VEs on a node, read with its own tools."""
    ves = []
    if technology == 'openvz':
        text = _json_tool(['vzlist', '-a', '-j', '-o', 'ctid,name,hostname,status,ip'], node_root)
        for item in json.loads(text) if text else []:
            ves.append({'id': str(item.get('ctid')), 'name': item.get('name') or item.get('hostname') or '',
                        'status': item.get('status'), 'addresses': item.get('ip') or []})
    elif technology == 'virtuozzo':
        text = _json_tool(['prlctl', 'list', '-a', '-j', '-o', 'uuid,name,status,ip_configured,type'], node_root)
        for item in json.loads(text) if text else []:
            addresses = [a.split('/')[0] for a in str(item.get('ip_configured') or '').split() if a != '-']
            ves.append({'id': str(item.get('uuid', '')).strip('{}'), 'name': item.get('name', ''),
                        'status': item.get('status', ''), 'addresses': addresses, 'type': item.get('type')})
    else:
        text = _json_tool(['zoneadm', 'list', '-cp'], node_root)
        for line in (text or '').splitlines():
            fields = line.split(':')
            if len(fields) > 2 and fields[1] != 'global':
                ves.append({'id': fields[1], 'name': fields[1], 'status': fields[2], 'addresses': []})
    return ves


def status(state_dir=DEFAULT_STATE):
    paths = _paths(state_dir)
    recorded = read_json(paths['lab'], None)
    result = {'up': bool(recorded), 'state': paths['state'], 'network': netlab.BRIDGE in netlab.lab_links(),
              'proxy': bool(_alive_from(os.path.join(paths['proxy'], 'aptproxy.pid'))), 'nodes': [], 'vcenter': None}
    for node in (recorded or {}).get('nodes', []):
        root = os.path.join(paths['nodes'], node['name'])
        entry = dict(node, root=root, sshd=bool(_alive_from(os.path.join(paths['ssh'], node['name'], 'sshd.pid'))))
        entry['ves'] = node_ves(node['technology'], root) if os.path.isdir(root) else []
        containers = running_containers(root)
        for ve in entry['ves']:
            record = containers.get(str(ve['id']).strip('{}')) or containers.get(ve['name'])
            ve['limits'] = (record or {}).get('limits', {})
            if record and record.get('addresses'):
                ve['addresses'] = list(record['addresses'])  # what the running container really has
        result['nodes'].append(entry)
    info = read_json(os.path.join(paths['vcsim'], 'vcsim.json'), None)
    if info:
        result['vcenter'] = {'url': info.get('url'), 'running': pid_alive(info.get('pid', 0)), 'ca': info.get('ca')}
    return result


def status_table(result):
    """``status()`` as lines a person reads at a glance."""
    if not result['up']:
        return ['lab: down (labctl up brings it up)']
    lines = ['lab: up  state %s  network %s  package proxy %s' % (
        result['state'], 'up' if result['network'] else 'MISSING', 'running' if result['proxy'] else 'STOPPED')]
    lines.append('%-7s %-10s %-12s %-6s %s' % ('NODE', 'TECHNOLOGY', 'ADDRESS', 'SSHD', 'VES'))
    for node in result['nodes']:
        running = sum(1 for ve in node['ves'] if ve['status'] == 'running')
        lines.append('%-7s %-10s %-12s %-6s %d (%d running)' % (
            node['name'], node['technology'], node['address'], 'up' if node['sshd'] else 'DOWN', len(node['ves']), running))
        for ve in node['ves']:
            lines.append('          %-8s %-20s %-10s %-32s %s' % (
                ve['id'][:8], ve['name'][:20], ve['status'], ' '.join(ve['addresses']) or '-', limits_text(ve)))
    vc = result['vcenter']
    lines.append('vcenter: %s' % ('%s (%s)' % (vc['url'], 'running' if vc['running'] else 'STOPPED') if vc else 'not started'))
    return lines
