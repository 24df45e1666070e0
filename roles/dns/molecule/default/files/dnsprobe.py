# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dnsprobe: DNS questions to a server from outside its VE, with Python's standard library only.

    python dnsprobe.py query SERVER NAME TYPE [--recurse] [--tcp] [--dnssec] [--port 53]
    python dnsprobe.py axfr SERVER ZONE [--key NAME] [--algorithm hmac-sha256] [--port 53]

prints one JSON object: ``rcode`` (``NOERROR``, ``REFUSED``...), ``flags``
(``aa``, ``ra``, ``tc``), ``answers`` ([{name, type, ttl, data}]) and, for a
transfer, ``complete`` (the closing SOA came) and ``tsig_error``. A transfer
with ``--key`` is signed with TSIG (RFC 8945); the key's secret (base64) is
read from the environment variable DNSPROBE_TSIG_SECRET, never from the
command line. Used by the molecule scenario of the role datacenter.ve.dns in
place of dig, which the test host does not have. Every socket has a timeout;
a UDP question is sent at most three times.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import base64
import hashlib
import hmac
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

TYPES = {'A': 1, 'NS': 2, 'CNAME': 5, 'SOA': 6, 'PTR': 12, 'MX': 15, 'TXT': 16, 'AAAA': 28, 'SRV': 33,
         'OPT': 41, 'DS': 43, 'RRSIG': 46, 'NSEC': 47, 'DNSKEY': 48, 'NSEC3': 50, 'NSEC3PARAM': 51,
         'CDS': 59, 'CDNSKEY': 60, 'TSIG': 250, 'AXFR': 252, 'ANY': 255}
TYPE_NAMES = dict((number, name) for name, number in TYPES.items())
RCODES = {0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
          7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME'}
ALGORITHMS = {'hmac-sha256': hashlib.sha256, 'hmac-sha384': hashlib.sha384, 'hmac-sha512': hashlib.sha512,
              'hmac-sha1': hashlib.sha1}
CLASS_IN, CLASS_ANY = 1, 255
TIMEOUT = 3.0


class ProbeError(Exception):
    pass


def encode_name(name):
    """A domain name in wire format, uncompressed (lower case, as TSIG's canonical form wants for key names)."""
    labels = [label for label in name.rstrip('.').split('.') if label]
    wire = b''
    for label in labels:
        raw = label.encode('ascii')
        if len(raw) > 63:
            raise ProbeError('label too long: %s' % label)
        wire += struct.pack('!B', len(raw)) + raw
    return wire + b'\0'


def decode_name(message, offset):
    """(name, offset after it) at offset, following compression pointers."""
    labels, end, jumps = [], None, 0
    while True:
        if offset >= len(message):
            raise ProbeError('name runs past the message')
        length = message[offset]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | message[offset + 1]
            jumps += 1
            if jumps > 64:
                raise ProbeError('compression loop')
            continue
        offset += 1
        if length == 0:
            break
        labels.append(message[offset:offset + length].decode('ascii', 'replace'))
        offset += length
    return '.'.join(labels) + '.', end if end is not None else offset


def build_query(qid, name, qtype, recurse=False, dnssec=False):
    flags = 0x0100 if recurse else 0
    arcount = 1 if dnssec else 0
    message = struct.pack('!HHHHHH', qid, flags, 1, 0, 0, arcount)
    message += encode_name(name) + struct.pack('!HH', TYPES[qtype], CLASS_IN)
    if dnssec:
        # OPT: root owner, UDP size 1232, extended flags with DO.
        message += b'\0' + struct.pack('!HHIH', TYPES['OPT'], 1232, 0x00008000, 0)
    return message


def tsig_sign(message, qid, key_name, algorithm, secret):
    """The message with a TSIG record appended (RFC 8945 section 4.3.3: MAC over message and TSIG variables)."""
    now = int(time.time())
    time_signed = struct.pack('!HI', (now >> 32) & 0xFFFF, now & 0xFFFFFFFF)
    fudge = 300
    key_wire, algorithm_wire = encode_name(key_name.lower()), encode_name(algorithm.lower())
    variables = (key_wire + struct.pack('!HI', CLASS_ANY, 0) + algorithm_wire + time_signed
                 + struct.pack('!HHH', fudge, 0, 0))
    mac = hmac.new(secret, message + variables, ALGORITHMS[algorithm.lower()]).digest()
    rdata = (algorithm_wire + time_signed + struct.pack('!HH', fudge, len(mac)) + mac
             + struct.pack('!HHH', qid, 0, 0))
    record = key_wire + struct.pack('!HHIH', TYPES['TSIG'], CLASS_ANY, 0, len(rdata)) + rdata
    arcount = struct.unpack('!H', message[10:12])[0] + 1
    return message[:10] + struct.pack('!H', arcount) + message[12:] + record


def rdata_text(message, rtype, offset, length):
    rdata = message[offset:offset + length]
    if rtype == TYPES['A'] and length == 4:
        return str(ipaddress.IPv4Address(rdata))
    if rtype == TYPES['AAAA'] and length == 16:
        return str(ipaddress.IPv6Address(rdata))
    if rtype in (TYPES['NS'], TYPES['CNAME'], TYPES['PTR']):
        return decode_name(message, offset)[0]
    if rtype == TYPES['MX']:
        return '%d %s' % (struct.unpack('!H', rdata[:2])[0], decode_name(message, offset + 2)[0])
    if rtype == TYPES['TXT']:
        strings, position = [], 0
        while position < length:
            size = rdata[position]
            strings.append(rdata[position + 1:position + 1 + size].decode('utf-8', 'replace'))
            position += 1 + size
        return ''.join(strings)
    if rtype == TYPES['SOA']:
        mname, position = decode_name(message, offset)
        rname, position = decode_name(message, position)
        serial, refresh, retry, expire, minimum = struct.unpack('!IIIII', message[position:position + 20])
        return '%s %s %d %d %d %d %d' % (mname, rname, serial, refresh, retry, expire, minimum)
    return base64.b64encode(rdata).decode('ascii')


def parse(message):
    if len(message) < 12:
        raise ProbeError('short answer (%d bytes)' % len(message))
    qid, flags, qdcount, ancount, nscount, arcount = struct.unpack('!HHHHHH', message[:12])
    offset = 12
    for dummy in range(qdcount):
        offset = decode_name(message, offset)[1] + 4
    sections = {'answers': [], 'authority': [], 'additional': []}
    tsig_error = None
    for section, count in (('answers', ancount), ('authority', nscount), ('additional', arcount)):
        for dummy in range(count):
            name, offset = decode_name(message, offset)
            rtype, rclass, ttl, length = struct.unpack('!HHIH', message[offset:offset + 10])
            offset += 10
            if rtype == TYPES['TSIG']:
                algorithm_end = decode_name(message, offset)[1]
                mac_size = struct.unpack('!H', message[algorithm_end + 8:algorithm_end + 10])[0]
                error = struct.unpack('!H', message[algorithm_end + 12 + mac_size:algorithm_end + 14 + mac_size])[0]
                tsig_error = RCODES.get(error, str(error))
            elif rtype != TYPES['OPT']:
                sections[section].append({'name': name, 'type': TYPE_NAMES.get(rtype, str(rtype)), 'ttl': ttl,
                                          'data': rdata_text(message, rtype, offset, length)})
            offset += length
    return {'id': qid, 'rcode': RCODES.get(flags & 0x0F, str(flags & 0x0F)),
            'flags': {'aa': bool(flags & 0x0400), 'tc': bool(flags & 0x0200), 'ra': bool(flags & 0x0080)},
            'answers': sections['answers'], 'authority': sections['authority'], 'tsig_error': tsig_error}


def connect(server, port, kind):
    family = socket.AF_INET6 if ':' in server else socket.AF_INET
    sock = socket.socket(family, kind)
    sock.settimeout(TIMEOUT)
    sock.connect((server, port))
    return sock


def receive_exactly(sock, size):
    data = b''
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError('the server closed the connection')
        data += chunk
    return data


def ask_tcp(sock, message):
    sock.sendall(struct.pack('!H', len(message)) + message)


def read_tcp(sock):
    size = struct.unpack('!H', receive_exactly(sock, 2))[0]
    return receive_exactly(sock, size)


def query(args):
    qid = random.randint(0, 0xFFFF)
    message = build_query(qid, args.name, args.type.upper(), args.recurse, args.dnssec)
    if args.tcp:
        sock = connect(args.server, args.port, socket.SOCK_STREAM)
        try:
            ask_tcp(sock, message)
            return parse(read_tcp(sock))
        finally:
            sock.close()
    sock = connect(args.server, args.port, socket.SOCK_DGRAM)
    try:
        for attempt in range(3):
            sock.send(message)
            try:
                while True:
                    answer = parse(sock.recv(65535))
                    if answer['id'] == qid:
                        return answer
            except socket.timeout:
                if attempt == 2:
                    raise
    finally:
        sock.close()


def axfr(args):
    qid = random.randint(0, 0xFFFF)
    message = build_query(qid, args.zone, 'AXFR')
    if args.key:
        secret = os.environ.get('DNSPROBE_TSIG_SECRET')
        if not secret:
            raise ProbeError('--key needs the secret in DNSPROBE_TSIG_SECRET')
        message = tsig_sign(message, qid, args.key, args.algorithm, base64.b64decode(secret))
    result = {'rcode': 'NOERROR', 'flags': {}, 'answers': [], 'complete': False, 'tsig_error': None, 'closed': False}
    sock = connect(args.server, args.port, socket.SOCK_STREAM)
    try:
        ask_tcp(sock, message)
        soa_seen = 0
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                answer = parse(read_tcp(sock))
            except EOFError:
                result['closed'] = True
                break
            result['flags'] = answer['flags']
            result['tsig_error'] = result['tsig_error'] or answer['tsig_error']
            if answer['rcode'] != 'NOERROR':
                result['rcode'] = answer['rcode']
                break
            result['answers'].extend(answer['answers'])
            soa_seen += len([record for record in answer['answers'] if record['type'] == 'SOA'])
            if soa_seen >= 2:
                result['complete'] = True
                break
            if not answer['answers']:
                break
    finally:
        sock.close()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    commands = parser.add_subparsers(dest='command')
    ask = commands.add_parser('query', help='one question')
    ask.add_argument('server')
    ask.add_argument('name')
    ask.add_argument('type', choices=sorted(name for name in TYPES if name not in ('OPT', 'TSIG', 'AXFR')))
    ask.add_argument('--recurse', action='store_true', help='set RD (recursion desired)')
    ask.add_argument('--tcp', action='store_true')
    ask.add_argument('--dnssec', action='store_true', help='EDNS with the DO bit')
    transfer = commands.add_parser('axfr', help='a zone transfer over TCP')
    transfer.add_argument('server')
    transfer.add_argument('zone')
    transfer.add_argument('--key', help='TSIG key name (secret in $DNSPROBE_TSIG_SECRET)')
    transfer.add_argument('--algorithm', default='hmac-sha256', choices=sorted(ALGORITHMS))
    for command in (ask, transfer):
        command.add_argument('--port', type=int, default=53)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error('a command is required')
    try:
        result = query(args) if args.command == 'query' else axfr(args)
    except (ProbeError, socket.error, EOFError) as exc:
        print(json.dumps({'error': '%s: %s' % (type(exc).__name__, exc)}))
        return 1
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
