# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""VMware vSphere client: connection options, one-call bulk reads, tasks.

Private to the collection. Used by the VMware modules (on the controller or
any host with pyVmomi) and by the fleet inventory plugin.

Reads go through the property collector: one ``RetrievePropertiesEx`` over a
container view holding VMs *and* the objects needed to describe them
(folders, datacenters, hosts, clusters, resource pools), paged with
``ContinueRetrievePropertiesEx``; names, folder paths and clusters are then
joined locally (``Inventory``). The number of SOAP calls of a read does not
grow with the number of VMs (beyond one per page of results).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextlib
import datetime
import fnmatch
import socket
import ssl
import time

try:
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim, vmodl
    HAS_PYVMOMI = True
    PYVMOMI_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the modules
    HAS_PYVMOMI = False
    PYVMOMI_IMPORT_ERROR = exc
    vim = vmodl = None

try:
    from ansible.module_utils.basic import env_fallback
except ImportError:  # pragma: no cover - the inventory plugin has its own option handling
    env_fallback = None

from ._ve import VE, split_addresses

# Objects a container view holds for a read, so that everything a VM points at is in the same answer.
CONTEXT_PROPERTIES = {
    'Folder': ['name', 'parent'],
    'Datacenter': ['name', 'parent', 'vmFolder'],
    'ClusterComputeResource': ['name', 'parent'],
    'ComputeResource': ['name', 'parent'],
    'HostSystem': ['name', 'parent'],
    'ResourcePool': ['name', 'parent', 'owner'],
}

# What a VE record of a VM needs (vmware_vm_info, the fleet inventory).
RECORD_PROPERTIES = [
    'name', 'parent', 'resourcePool', 'config.instanceUuid', 'config.uuid', 'config.template', 'config.guestId',
    'config.guestFullName', 'config.annotation', 'config.hardware.numCPU', 'config.hardware.numCoresPerSocket',
    'config.hardware.memoryMB', 'runtime.powerState', 'runtime.host', 'guest.hostName', 'guest.ipAddress',
    'guest.net', 'summary.storage.committed', 'summary.storage.uncommitted',
]

STATUS = {'poweredOn': 'running', 'poweredOff': 'stopped', 'suspended': 'suspended'}
PAGE_SIZE = 1000


class VMwareError(Exception):
    """A failure talking to vSphere; ``msg`` names the operation and the object, ``fault`` is vSphere's."""

    def __init__(self, msg, fault=None):
        super(VMwareError, self).__init__(msg)
        self.msg = msg
        self.fault = fault

    def result(self):
        out = {'msg': self.msg}
        if self.fault is not None:
            out['fault'] = self.fault
        return out


# ---------------------------------------------------------------------------
# Connection options (one spec for every module; the doc fragment is datacenter.ve.vmware)
# ---------------------------------------------------------------------------

def vmware_argument_spec():
    """The connection options, named as in community.vmware, with the same environment variables."""
    def env(*names):
        return (env_fallback, list(names)) if env_fallback else None
    spec = dict(
        hostname=dict(type='str', fallback=env('VMWARE_HOST')),
        username=dict(type='str', aliases=['user', 'admin'], fallback=env('VMWARE_USER')),
        password=dict(type='str', aliases=['pass', 'pwd'], no_log=True, fallback=env('VMWARE_PASSWORD')),
        port=dict(type='int', default=443, fallback=env('VMWARE_PORT')),
        validate_certs=dict(type='bool', default=True, fallback=env('VMWARE_VALIDATE_CERTS')),
        ca_path=dict(type='path', fallback=env('VMWARE_CA_PATH')),
        proxy_host=dict(type='str', fallback=env('VMWARE_PROXY_HOST')),
        proxy_port=dict(type='int', fallback=env('VMWARE_PROXY_PORT')),
        connect_timeout=dict(type='int', default=30, fallback=env('VMWARE_CONNECT_TIMEOUT')),
    )
    for option in spec.values():
        if option.get('fallback') is None:
            option.pop('fallback')
    return spec


def connection_problems(params):
    """What is missing or wrong in the connection options (before any traffic)."""
    problems = []
    for key in ('hostname', 'username', 'password'):
        if not params.get(key):
            problems.append('%s is required (or the VMWARE_%s environment variable)'
                            % (key, {'hostname': 'HOST', 'username': 'USER', 'password': 'PASSWORD'}[key]))
    port = params.get('port')
    if port is not None and not 0 < port < 65536:
        problems.append('port %s is out of range' % port)
    if params.get('connect_timeout') is not None and params['connect_timeout'] <= 0:
        problems.append('connect_timeout must be positive')
    if params.get('ca_path') and not params.get('validate_certs', True):
        problems.append('ca_path is only used with validate_certs=true')
    return problems


def ssl_context(params):
    if not params.get('validate_certs', True):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if params.get('ca_path'):
        return ssl.create_default_context(cafile=params['ca_path'])
    return ssl.create_default_context()


def fault_text(exc):
    """vSphere's own message of a fault or error, without anything from the request."""
    for attr in ('msg', 'localizedMessage'):
        value = getattr(exc, attr, None)
        if value:
            return str(value)
    return str(exc) or type(exc).__name__


def fault_name(exc):
    name = getattr(type(exc), '_wsdlName', None)
    return name or type(exc).__name__


@contextlib.contextmanager
def default_socket_timeout(seconds):
    """Sockets opened without a timeout get ``seconds``: SmartConnect's first request (the API version
    probe, before the SOAP stub and its httpConnectionTimeout exist) opens its connection without one, and
    would wait forever for a vCenter that accepts TCP but never answers."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def connect(params):
    """A logged-in ServiceInstance; VMwareError naming the vCenter (never the password) when that fails."""
    where = '%s:%s' % (params['hostname'], params.get('port') or 443)
    timeout = params.get('connect_timeout') or 30
    try:
        context = ssl_context(params)
    except (IOError, OSError, ssl.SSLError) as exc:
        raise VMwareError('cannot use ca_path %s: %s' % (params.get('ca_path'), exc))
    kwargs = dict(host=params['hostname'], port=params.get('port') or 443, user=params['username'],
                  pwd=params['password'], sslContext=context, httpConnectionTimeout=timeout)
    if params.get('proxy_host'):
        kwargs.update(httpProxyHost=params['proxy_host'], httpProxyPort=params.get('proxy_port') or 80)
    try:
        with default_socket_timeout(timeout):
            return SmartConnect(**kwargs)
    except vim.fault.InvalidLogin as exc:
        raise VMwareError('cannot log in to vCenter %s as %s: %s' % (where, params['username'], fault_text(exc)),
                          fault='InvalidLogin')
    except ssl.SSLError as exc:
        hint = ('set ca_path to the CA that signed its certificate, or validate_certs=false for a lab'
                if params.get('validate_certs', True) else '')
        raise VMwareError('TLS with vCenter %s failed: %s%s' % (where, getattr(exc, 'reason', None) or exc,
                                                                '; ' + hint if hint else ''))
    except socket.timeout as exc:
        raise VMwareError('vCenter %s did not answer within %s s (connect_timeout): %s' % (where, timeout, exc))
    except (socket.error, OSError) as exc:
        raise VMwareError('cannot reach vCenter %s: %s' % (where, exc))
    except vmodl.MethodFault as exc:
        raise VMwareError('vCenter %s refused the login: %s' % (where, fault_text(exc)), fault=fault_name(exc))
    except Exception as exc:   # pyVmomi wraps HTTP and parsing failures in many types
        raise VMwareError('cannot connect to vCenter %s: %s: %s' % (where, type(exc).__name__, exc))


# ---------------------------------------------------------------------------
# Bulk reads
# ---------------------------------------------------------------------------

def moid(ref):
    return getattr(ref, '_moId', None) if ref is not None else None


def type_name(ref):
    return getattr(ref, '_wsdlName', None) or type(ref).__name__.split('.')[-1]


def retrieve(collector, spec, page_size=PAGE_SIZE):
    """Every ObjectContent of one filter spec: RetrievePropertiesEx, then ContinueRetrievePropertiesEx per page."""
    options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=page_size)
    result = collector.RetrievePropertiesEx(specSet=[spec], options=options)
    while result is not None:
        yield from result.objects or ()
        token = getattr(result, 'token', None)
        if not token:
            break
        result = collector.ContinueRetrievePropertiesEx(token=token)


def view_spec(view, properties):
    """A filter spec over a container view: ``properties`` is {type name: [property paths]}."""
    traversal = vmodl.query.PropertyCollector.TraversalSpec(name='view', type=vim.view.ContainerView, path='view',
                                                            skip=False)
    obj = vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traversal])
    prop_set = [vmodl.query.PropertyCollector.PropertySpec(type=getattr(vim, name), pathSet=list(paths))
                for name, paths in properties.items()]
    return vmodl.query.PropertyCollector.FilterSpec(objectSet=[obj], propSet=prop_set)


def object_spec(ref, type_name_, paths):
    """A filter spec for one object."""
    obj = vmodl.query.PropertyCollector.ObjectSpec(obj=ref, skip=False)
    prop = vmodl.query.PropertyCollector.PropertySpec(type=getattr(vim, type_name_), pathSet=list(paths))
    return vmodl.query.PropertyCollector.FilterSpec(objectSet=[obj], propSet=[prop])


class Inventory:
    """The result of one bulk read: objects by moid, with the joins done locally."""

    def __init__(self, contents=()):
        self.objects = {}
        for content in contents:
            self.add(type_name(content.obj), moid(content.obj), dict((p.name, p.val) for p in content.propSet or ()),
                     content.obj)

    def add(self, kind, ident, props, ref=None):
        self.objects[ident] = {'type': kind, 'props': props, 'ref': ref}

    def of_type(self, kind):
        return [(ident, o) for ident, o in self.objects.items() if o['type'] == kind]

    def props(self, ident):
        obj = self.objects.get(ident)
        return obj['props'] if obj else {}

    def name(self, ident):
        return self.props(ident).get('name')

    def ancestors(self, ident):
        """moids from the object's parent up to the root folder."""
        out = []
        seen = set()
        current = moid(self.props(ident).get('parent'))
        while current and current not in seen and current in self.objects:
            seen.add(current)
            out.append(current)
            current = moid(self.props(current).get('parent'))
        return out

    def datacenter(self, ident):
        for ancestor in self.ancestors(ident):
            if self.objects[ancestor]['type'] == 'Datacenter':
                return ancestor
        return None

    def path(self, ident):
        """Inventory path of an object's parent folder: '/DC0/vm/prod' (the root folder left out)."""
        names = [self.name(a) for a in reversed(self.ancestors(ident)) if self.props(a).get('parent') is not None]
        return '/' + '/'.join(names)

    def host_and_cluster(self, vm_props):
        host = moid(vm_props.get('runtime.host'))
        if not host:
            return None, None
        parent = moid(self.props(host).get('parent'))
        cluster = self.name(parent) if parent and self.objects.get(parent, {}).get('type') == \
            'ClusterComputeResource' else None
        return self.name(host), cluster

    def vms(self):
        return self.of_type('VirtualMachine')


# Further context for modules that place or wire VMs (datastores, networks, distributed switches).
PLACEMENT_PROPERTIES = {
    'Datastore': ['name', 'parent'],
    'Network': ['name', 'parent'],
    'DistributedVirtualPortgroup': ['name', 'parent', 'config.key', 'config.distributedVirtualSwitch'],
    'DistributedVirtualSwitch': ['name', 'uuid'],
}


def read_inventory(si, vm_properties=None, include_templates=True, page_size=PAGE_SIZE, context=None):
    """All VMs with ``vm_properties`` and their context in one property-collector read (plus its pages).

    ``context`` adds object types ({type name: [paths]}) to the same read, such as PLACEMENT_PROPERTIES.
    """
    content = si.RetrieveContent()
    properties = dict(CONTEXT_PROPERTIES)
    properties.update(context or {})
    properties['VirtualMachine'] = list(vm_properties or RECORD_PROPERTIES)
    types = [getattr(vim, name) for name in properties]
    view = content.viewManager.CreateContainerView(content.rootFolder, types, True)
    try:
        inventory = Inventory(retrieve(content.propertyCollector, view_spec(view, properties), page_size))
    finally:
        try:
            view.DestroyView()
        except Exception:   # the read is done; a view left behind dies with the session
            pass
    if not include_templates:
        for ident, obj in inventory.vms():
            if obj['props'].get('config.template'):
                del inventory.objects[ident]
    return inventory


# ---------------------------------------------------------------------------
# VE records
# ---------------------------------------------------------------------------

def guest_addresses(props):
    """(ipv4, ipv6) from guest.net (VMware Tools); the primary guest.ipAddress first."""
    found = []
    primary = props.get('guest.ipAddress')
    if primary:
        found.append(primary)
    for nic in props.get('guest.net') or ():
        for address in getattr(nic, 'ipAddress', None) or ():
            if address not in found and not address.lower().startswith('fe80:'):
                found.append(address)
    try:
        return split_addresses(found)
    except ValueError:
        return [a for a in found if ':' not in a], [a for a in found if ':' in a]


def vm_summary(inventory, ident, vcenter=None):
    """The facts about one VM that every result shows (raw part of the VE record)."""
    props = inventory.props(ident)
    host, cluster = inventory.host_and_cluster(props)
    datacenter = inventory.datacenter(ident)
    return {
        'moid': ident,
        'instance_uuid': props.get('config.instanceUuid'),
        'bios_uuid': props.get('config.uuid'),
        'name': props.get('name'),
        'folder': inventory.path(ident),
        'datacenter': inventory.name(datacenter) if datacenter else None,
        'cluster': cluster,
        'esxi_host': host,
        'resource_pool': inventory.name(moid(props.get('resourcePool'))),
        'power_state': props.get('runtime.powerState'),
        'template': bool(props.get('config.template')),
        'guest_id': props.get('config.guestId'),
        'guest_fullname': props.get('config.guestFullName'),
        'annotation': props.get('config.annotation'),
        'num_cpus': props.get('config.hardware.numCPU'),
        'cores_per_socket': props.get('config.hardware.numCoresPerSocket'),
        'memory_mb': props.get('config.hardware.memoryMB'),
        'vcenter': vcenter,
    }


def record(inventory, ident, vcenter=None):
    """One VM -> the common VE record (node: its ESXi host; raw: vm_summary)."""
    props = inventory.props(ident)
    raw = vm_summary(inventory, ident, vcenter)
    v4, v6 = guest_addresses(props)
    memory = props.get('config.hardware.memoryMB')
    committed = props.get('summary.storage.committed')
    uncommitted = props.get('summary.storage.uncommitted')
    disk = (committed or 0) + (uncommitted or 0) if committed is not None or uncommitted is not None else None
    status = STATUS.get(props.get('runtime.powerState'), 'unknown')
    return VE('vmware', id=props.get('config.instanceUuid') or ident, node=raw['esxi_host'] or vcenter,
              name=props.get('name'), status=status, hostname=props.get('guest.hostName') or None, ipv4=v4, ipv6=v6,
              os=props.get('config.guestFullName') or props.get('config.guestId'),
              cpus=props.get('config.hardware.numCPU'), memory=memory * 1024 * 1024 if memory is not None else None,
              disk=disk, raw=raw)


def matches(inventory, ident, names=None, folder=None, cluster=None, power_states=None, datacenter=None):
    """Whether a VM passes the filters of vmware_vm_info (shell-style name patterns)."""
    props = inventory.props(ident)
    if names and not any(fnmatch.fnmatchcase(props.get('name') or '', pattern) for pattern in names):
        return False
    if folder:
        path = inventory.path(ident)
        if path != folder.rstrip('/') and not path.startswith(folder.rstrip('/') + '/'):
            return False
    if cluster and inventory.host_and_cluster(props)[1] != cluster:
        return False
    if datacenter:
        dc = inventory.datacenter(ident)
        if not dc or inventory.name(dc) != datacenter:
            return False
    if power_states and props.get('runtime.powerState') not in power_states:
        return False
    return True


# ---------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------

def wait_for_task(task, what, timeout=3600, poll=0.1):
    """Wait until a vSphere task ends; its result, or VMwareError with the task's fault message."""
    deadline = time.time() + timeout
    delay = poll
    while True:
        info = task.info
        if info.state == vim.TaskInfo.State.success:
            return info.result
        if info.state == vim.TaskInfo.State.error:
            error = info.error
            raise VMwareError('%s failed: %s' % (what, fault_text(error) if error is not None else 'unknown error'),
                              fault=fault_name(error) if error is not None else None)
        if time.time() > deadline:
            raise VMwareError('%s did not finish within %d s (task %s is still %s)'
                              % (what, timeout, moid(task), info.state))
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def disconnect(si):
    try:
        Disconnect(si)
    except Exception:   # logging out is a courtesy; the session times out anyway
        pass


# ---------------------------------------------------------------------------
# Plain data (results must be JSON: no pyVmomi objects)
# ---------------------------------------------------------------------------

try:
    from pyVmomi.VmomiSupport import DataObject as _DataObject, ManagedObject as _ManagedObject
except ImportError:  # pragma: no cover - isinstance(x, ()) is always False
    _DataObject = _ManagedObject = ()


def to_plain(value):
    """A property value as JSON-able data.

    Data objects become dicts of their set properties plus ``_type`` (the
    vSphere type name, such as ``VirtualDisk``); managed objects become their
    moid; arrays become lists; dates ISO 8601 text; binary data base64 text;
    types (as in a PropertySpec) their vSphere name. Empty ``dynamicProperty``
    lists and unset properties are left out.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode('ascii')
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, type):
        return getattr(value, '_wsdlName', None) or value.__name__
    if isinstance(value, _ManagedObject):
        return moid(value)
    if isinstance(value, _DataObject):
        out = {'_type': type_name(value)}
        for prop in value._GetPropertyList():
            item = getattr(value, prop.name, None)
            if item is None or (prop.name == 'dynamicProperty' and not item):
                continue
            out[prop.name] = to_plain(item)
        return out
    if isinstance(value, dict):
        return dict((str(k), to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(item) for item in value]
    return str(value)
