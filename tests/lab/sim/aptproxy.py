# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's package proxy: how a lab VE reaches Debian's mirror, and nothing else.

A lab VE's only network is the lab bridge (its ranges are ``unreachable``
beyond it), so apt inside the Debian template is configured with
``Acquire::http::Proxy "http://198.18.0.1:3142"`` (see ``sim.template``) and
this proxy, listening on the bridge's address, forwards plain-HTTP ``GET`` and
``HEAD`` requests to the allowed mirror hosts only (``--allow``, the hosts of
the template's apt sources). Every other host, method or ``CONNECT`` is
refused with 403/405, so a VE can fetch packages and reach nothing else.
``.deb`` files (immutable by name) are kept in ``--cache`` and served from
there the next time, which makes repeated installs in tests fast.

    python aptproxy.py --listen 198.18.0.1 --port 3142 --cache DIR --allow deb.debian.org
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import http.client
import os
import shutil
import socketserver
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

# Request headers passed upstream, response headers passed back.
REQUEST_HEADERS = ('User-Agent', 'Range', 'If-Range', 'If-Modified-Since', 'Accept', 'Cache-Control')
RESPONSE_HEADERS = ('Content-Type', 'Last-Modified', 'ETag', 'Content-Range', 'Accept-Ranges')
UPSTREAM_TIMEOUT = 60
CHUNK = 1 << 16


class Proxy(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'velab-aptproxy'
    allowed = frozenset()
    cache_dir = None

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write('%s %s\n' % (self.client_address[0], format % args))

    def refuse(self, code, text):
        body = (text + '\n').encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def do_CONNECT(self):
        self.refuse(405, 'the lab proxy forwards plain HTTP to the Debian mirror only')

    do_POST = do_PUT = do_DELETE = do_CONNECT

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlsplit(self.path)
        if url.scheme != 'http' or not url.hostname:
            return self.refuse(400, 'expected an absolute http:// URL')
        if url.hostname not in self.allowed or (url.port or 80) != 80:
            return self.refuse(403, '%s is not a mirror the lab proxy serves' % url.netloc)
        path = url.path or '/'
        if url.query:
            path += '?' + url.query
        cached = self.cache_path(url.hostname, url.path)
        if cached and os.path.isfile(cached) and 'Range' not in self.headers:
            return self.send_file(cached)
        self.forward(url.hostname, path, cached)
        return None

    def cache_path(self, host, path):
        """Where a ``.deb`` is kept, or None for what is not cached (indexes change)."""
        if not self.cache_dir or not path.endswith('.deb') or '..' in path.split('/'):
            return None
        return os.path.join(self.cache_dir, host, path.lstrip('/'))

    def send_file(self, path):
        self.send_response(200)
        self.send_header('Content-Type', 'application/vnd.debian.binary-package')
        self.send_header('Content-Length', str(os.path.getsize(path)))
        self.end_headers()
        if self.command != 'HEAD':
            with open(path, 'rb') as handle:
                shutil.copyfileobj(handle, self.wfile, CHUNK)

    def forward(self, host, path, cached):
        headers = {name: self.headers[name] for name in REQUEST_HEADERS if self.headers.get(name)}
        upstream = http.client.HTTPConnection(host, 80, timeout=UPSTREAM_TIMEOUT)
        try:
            upstream.request(self.command, path, headers=headers)
            response = upstream.getresponse()
            length = response.getheader('Content-Length')
            body = None
            if length is None and self.command != 'HEAD':
                body = response.read()  # chunked upstream: re-sent with a length
                length = str(len(body))
            self.send_response(response.status)
            for name in RESPONSE_HEADERS:
                if response.getheader(name):
                    self.send_header(name, response.getheader(name))
            self.send_header('Content-Length', length or '0')
            self.end_headers()
            if self.command == 'HEAD':
                return
            if body is not None:
                self.wfile.write(body)
                return
            keep = cached if response.status == 200 and 'Range' not in headers else None
            self.relay(response, keep)
        except (OSError, http.client.HTTPException) as exc:
            self.log_message('upstream %s%s: %s', host, path, exc)
            self.close_connection = True
        finally:
            upstream.close()

    def relay(self, response, keep):
        """Copy the upstream body to the client, and into the cache at ``keep`` when complete."""
        partial = None
        if keep:
            os.makedirs(os.path.dirname(keep), exist_ok=True)
            fd, partial = tempfile.mkstemp(dir=os.path.dirname(keep), prefix='.part-')
            sink = os.fdopen(fd, 'wb')
        try:
            while True:
                data = response.read(CHUNK)
                if not data:
                    break
                self.wfile.write(data)
                if partial:
                    sink.write(data)
            if partial:
                sink.close()
                os.rename(partial, keep)
                partial = None
        finally:
            if partial:
                sink.close()
                os.unlink(partial)


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--listen', required=True, help='address to listen on (the lab bridge)')
    parser.add_argument('--port', type=int, default=3142)
    parser.add_argument('--cache', help='directory keeping downloaded .deb files')
    parser.add_argument('--allow', action='append', default=[], help='mirror host to forward to (repeat)')
    args = parser.parse_args(argv)
    Proxy.allowed = frozenset(args.allow)
    Proxy.cache_dir = args.cache
    server = Server((args.listen, args.port), Proxy)
    sys.stderr.write('serving on %s:%d for %s\n' % (args.listen, args.port, ', '.join(sorted(Proxy.allowed))))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
