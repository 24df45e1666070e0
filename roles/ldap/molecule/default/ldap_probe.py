# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small LDAPv3 client with only Python's standard library, for checking a server from outside.

One connection: optionally StartTLS (``--starttls``) or ``ldaps://``, a simple bind
(password on standard input; anonymous without ``--bind-dn``), then, when the bind
succeeded, a subtree search ``(objectClass=*)`` under ``--base``. Prints JSON::

    {"tls": "TLSv1.3" or null, "bind": {"code": 0, "message": ""},
     "search": {"code": 0, "message": ""} or null, "entries": [{"dn": ..., "attributes": {...}}]}

Exit 0 when the exchange completed (whatever the result codes), 2 when it could not
(connection, TLS or protocol error, told on stderr).

    echo secret | python ldap_probe.py ldap://198.18.0.72 --bind-dn cn=admin,dc=lab,dc=example --base dc=lab,dc=example
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import socket
import ssl
import sys
from urllib.parse import urlsplit

STARTTLS_OID = '1.3.6.1.4.1.1466.20037'


# BER, as much as LDAP needs: definite lengths, one-byte tags.
def _length(n):
    if n < 0x80:
        return bytearray([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytearray([0x80 | len(raw)]) + raw


def tlv(tag, payload):
    return bytes(bytearray([tag]) + _length(len(payload)) + payload)


def integer(n, tag=0x02):
    return tlv(tag, n.to_bytes(n.bit_length() // 8 + 1, 'big', signed=True))


def octets(text, tag=0x04):
    return tlv(tag, text.encode('utf-8'))


def sequence(items, tag=0x30):
    return tlv(tag, b''.join(items))


def parse(data):
    """The (tag, payload) elements one after the other in data."""
    items, i = [], 0
    while i < len(data):
        tag, n = data[i], data[i + 1]
        i += 2
        if n & 0x80:
            size = n & 0x7f
            n = int.from_bytes(data[i:i + size], 'big')
            i += size
        items.append((tag, data[i:i + n]))
        i += n
    return items


class Connection:
    def __init__(self, uri, cafile=None, timeout=10.0):
        parts = urlsplit(uri)
        if parts.scheme not in ('ldap', 'ldaps'):
            raise ValueError('not an ldap:// or ldaps:// URI: %s' % uri)
        self.host = parts.hostname
        self.context = ssl.create_default_context(cafile=cafile)
        self.sock = socket.create_connection((self.host, parts.port or (636 if parts.scheme == 'ldaps' else 389)),
                                             timeout=timeout)
        self.message_id = 0
        if parts.scheme == 'ldaps':
            self.sock = self.context.wrap_socket(self.sock, server_hostname=self.host)

    def _recv(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError('the server closed the connection')
            data += chunk
        return data

    def send(self, operation):
        self.message_id += 1
        self.sock.sendall(sequence([integer(self.message_id), operation]))

    def receive(self):
        """(tag, payload) of the next message's protocol operation."""
        head = self._recv(2)
        n = head[1]
        if n & 0x80:
            n = int.from_bytes(self._recv(n & 0x7f), 'big')
        elements = parse(self._recv(n))
        return elements[1]

    @staticmethod
    def result(payload):
        elements = parse(payload)
        return {'code': int.from_bytes(elements[0][1], 'big'),
                'message': elements[2][1].decode('utf-8', 'replace')}

    def starttls(self):
        self.send(sequence([octets(STARTTLS_OID, tag=0x80)], tag=0x77))
        tag, payload = self.receive()
        result = self.result(payload)
        if tag != 0x78 or result['code'] != 0:
            raise ssl.SSLError('StartTLS refused: %r' % (result,))
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.host)

    def bind(self, dn, password):
        self.send(sequence([integer(3), octets(dn), octets(password, tag=0x80)], tag=0x60))
        tag, payload = self.receive()
        if tag != 0x61:
            raise ValueError('not a bind response: tag 0x%02x' % tag)
        return self.result(payload)

    def search(self, base):
        self.send(sequence([octets(base), integer(2, tag=0x0a), integer(0, tag=0x0a), integer(0), integer(0),
                            tlv(0x01, b'\x00'), octets('objectClass', tag=0x87), sequence([])], tag=0x63))
        entries = []
        while True:
            tag, payload = self.receive()
            if tag == 0x64:  # SearchResultEntry
                dn, attributes = parse(payload)[:2]
                values = {}
                for _tag, attribute in parse(attributes[1]):
                    name, vals = parse(attribute)[:2]
                    values[name[1].decode('utf-8')] = [v.decode('utf-8', 'replace') for _t, v in parse(vals[1])]
                entries.append({'dn': dn[1].decode('utf-8'), 'attributes': values})
            elif tag == 0x65:  # SearchResultDone
                return self.result(payload), entries

    def close(self):
        try:
            self.send(tlv(0x42, b''))  # UnbindRequest
        except OSError:
            pass
        self.sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('uri')
    parser.add_argument('--bind-dn', default='', help='simple bind as this DN, password on stdin (default: anonymous)')
    parser.add_argument('--base', help='subtree search (objectClass=*) under this DN after a successful bind')
    parser.add_argument('--starttls', action='store_true')
    parser.add_argument('--cafile', help='CA certificates to verify the server with (TLS)')
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip('\n') if args.bind_dn else ''
    report = {'tls': None, 'bind': None, 'search': None, 'entries': []}
    try:
        connection = Connection(args.uri, cafile=args.cafile)
        try:
            if args.starttls:
                connection.starttls()
            if isinstance(connection.sock, ssl.SSLSocket):
                report['tls'] = connection.sock.version()
            report['bind'] = connection.bind(args.bind_dn, password)
            if args.base and report['bind']['code'] == 0:
                report['search'], report['entries'] = connection.search(args.base)
        finally:
            connection.close()
    except (OSError, EOFError, ValueError, IndexError) as exc:
        print('%s: %s' % (args.uri, exc), file=sys.stderr)
        return 2
    print(json.dumps(report, indent=1, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
