# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Placeholder root filesystems for lab OS templates: busybox plus the files tools read.

``build_rootfs_tar(dest, os_release)`` writes a tar.gz holding ``bin/busybox``
(copied from the host's static ``/bin/busybox``, package busybox-static) with
applet symlinks, ``sbin/init``, a minimal ``/etc`` (passwd, shadow, group,
hostname, hosts, os-release) and ``/usr/sbin/chpasswd``, a busybox ``sh``
script. Without a host busybox only the text files go in, and commands run in
such a CT report that there is no ``/bin/sh``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import time

BUSYBOX = '/bin/busybox'
# Applets linked in bin/ when the host busybox has them.
APPLETS = (
    'sh', 'ash', 'cat', 'echo', 'hostname', 'true', 'false', 'sed', 'awk', 'mkpasswd', 'ls', 'id',
    'grep', 'egrep', 'printf', 'mv', 'cp', 'rm', 'mkdir', 'rmdir', 'chmod', 'chown', 'ln', 'touch',
    'head', 'tail', 'sleep', 'env', 'test', 'uname', 'wc', 'cut', 'tr', 'sort', 'uniq', 'pwd',
    'whoami', 'date', 'expr', 'tee', 'ps', 'kill', 'stat', 'readlink', 'basename', 'dirname',
    'find', 'xargs', 'md5sum', 'sha256sum', 'seq', 'mktemp', 'df', 'du', 'vi', 'more', 'less',
    'ip', 'ping', 'nc', 'wget', 'gzip', 'tar',
)

PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
SHADOW = """root:*:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
"""
GROUP = """root:x:0:
daemon:x:1:
adm:x:4:
tty:x:5:
shadow:x:42:
users:x:100:
nogroup:x:65534:
"""
HOSTS = """127.0.0.1\tlocalhost
::1\t\tlocalhost ip6-localhost ip6-loopback
"""
DEBIAN_12 = """PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""

# Reads "user:password" lines; the password reaches mkpasswd on its stdin only.
CHPASSWD = r"""#!/bin/sh
# chpasswd of the lab placeholder template (busybox has none): reads user:password
# lines on stdin and sets each user's hash in /etc/shadow to a SHA-512 crypt of the
# password. The password is handed to mkpasswd on its stdin, never as an argument.
rc=0
while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    user=${line%%:*}
    pass=${line#*:}
    if ! grep -q "^$user:" /etc/shadow; then
        echo "chpasswd: unknown user $user" >&2
        rc=1
        continue
    fi
    if ! hash=$(printf '%s\n' "$pass" | mkpasswd -m sha512); then
        echo "chpasswd: cannot hash the password of $user" >&2
        rc=1
        continue
    fi
    if awk -F: -v OFS=: -v u="$user" -v h="$hash" '$1 == u { $2 = h } { print }' /etc/shadow > /etc/shadow.new; then
        cat /etc/shadow.new > /etc/shadow
    else
        rc=1
    fi
    rm -f /etc/shadow.new
done
exit $rc
"""

DIRS = (
    ('bin', 0o755), ('sbin', 0o755), ('etc', 0o755), ('root', 0o700), ('tmp', 0o1777), ('proc', 0o555),
    ('sys', 0o555), ('dev', 0o755), ('run', 0o755), ('home', 0o755), ('var', 0o755), ('var/log', 0o755),
    ('var/tmp', 0o1777), ('usr', 0o755), ('usr/bin', 0o755), ('usr/sbin', 0o755),
    # Where sshd's host keys live in a real root (tools that prepare a new VE write them there).
    ('etc/ssh', 0o755),
)


def busybox_applets(busybox):
    """Applets the host's busybox provides (its ``--list``), or None if it cannot tell."""
    try:
        proc = subprocess.run([busybox, '--list'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return set(proc.stdout.decode('ascii', 'replace').split()) if proc.returncode == 0 else None


def _info(name, kind, mode, mtime, size=0, link=None, gid=0):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = mtime
    info.size = size
    info.uid, info.gid = 0, gid
    info.uname, info.gname = 'root', 'shadow' if gid == 42 else 'root'
    if link is not None:
        info.linkname = link
    return info


def build_rootfs_tar(dest, os_release=DEBIAN_12, hostname='localhost', busybox=BUSYBOX, cache_dir=None, extra_files=()):
    """Write the placeholder root filesystem to ``dest`` (.tar.gz); returns a one-line description.

    ``extra_files``: more text files, ``(name, text, mode)`` (e.g. Solaris' ``etc/release``).
    With ``cache_dir``, an archive built before from the same inputs (busybox binary, texts) is
    copied instead of compressing busybox again.
    """
    extra_files = tuple(extra_files)
    if cache_dir is None:
        return _build(dest, os_release, hostname, busybox, extra_files)
    inputs = (os_release, hostname, PASSWD, SHADOW, GROUP, HOSTS, CHPASSWD, DIRS, APPLETS)
    key = hashlib.sha256(repr(inputs + ((extra_files,) if extra_files else ())).encode('utf-8'))
    if os.path.isfile(busybox):
        info = os.stat(busybox)
        key.update(repr((busybox, info.st_size, info.st_mtime_ns)).encode('utf-8'))
    cached = os.path.join(cache_dir, 'rootfs-%s.tar.gz' % key.hexdigest()[:16])
    described = cached + '.txt'
    if not (os.path.isfile(cached) and os.path.isfile(described)):
        if not os.path.isdir(cache_dir):
            os.makedirs(cache_dir)
        description = _build(cached, os_release, hostname, busybox, extra_files)
        with open(described + '.tmp', 'w', encoding='utf-8') as handle:
            handle.write(description)
        os.replace(described + '.tmp', described)
    shutil.copyfile(cached, dest + '.tmp')
    os.replace(dest + '.tmp', dest)
    with open(described, encoding='utf-8') as handle:
        return handle.read()


def _build(dest, os_release, hostname, busybox, extra_files=()):
    mtime = int(time.time())
    texts = [
        ('etc/passwd', PASSWD, 0o644, 0), ('etc/shadow', SHADOW, 0o640, 42), ('etc/group', GROUP, 0o644, 0),
        ('etc/hostname', hostname + '\n', 0o644, 0), ('etc/hosts', HOSTS, 0o644, 0),
        ('etc/os-release', os_release, 0o644, 0), ('etc/resolv.conf', '', 0o644, 0),
        ('usr/sbin/chpasswd', CHPASSWD, 0o755, 0),
    ] + [(name, text, mode, 0) for name, text, mode in extra_files]
    have_busybox = os.path.isfile(busybox) and os.access(busybox, os.X_OK)
    tmp = '%s.%d.tmp' % (dest, os.getpid())
    with tarfile.open(tmp, 'w:gz', compresslevel=6) as tar:
        for name, mode in DIRS:
            tar.addfile(_info(name, tarfile.DIRTYPE, mode, mtime))
        for name, text, mode, gid in texts:
            data = text.encode('utf-8')
            tar.addfile(_info(name, tarfile.REGTYPE, mode, mtime, len(data), gid=gid), io.BytesIO(data))
        if have_busybox:
            with open(busybox, 'rb') as handle:
                data = handle.read()
            tar.addfile(_info('bin/busybox', tarfile.REGTYPE, 0o755, mtime, len(data)), io.BytesIO(data))
            available = busybox_applets(busybox)
            applets = [a for a in APPLETS if available is None or a in available]
            for applet in applets:
                tar.addfile(_info('bin/' + applet, tarfile.SYMTYPE, 0o777, mtime, link='busybox'))
            tar.addfile(_info('sbin/init', tarfile.SYMTYPE, 0o777, mtime, link='../bin/busybox'))
            tar.addfile(_info('usr/bin/env', tarfile.SYMTYPE, 0o777, mtime, link='../../bin/busybox'))
    os.replace(tmp, dest)
    if have_busybox:
        return 'busybox root with %d applets' % (len(applets) + 2)
    return 'text files only: %s not found, commands cannot run in this template' % busybox


def place_template(path, sub, report, build, template=None):
    """Put a node's OS template at ``path`` (``sub`` names it in reports).

    ``template``: an archive to use instead (the lab's Debian template, see
    ``sim.template``), linked so that every node shares the one cached file;
    else ``build(path)`` makes the busybox placeholder and returns its description.
    """
    if template:
        template = os.path.abspath(template)
        if os.path.islink(path) and os.readlink(path) == template:
            report('  kept    %s' % sub)
            return
        if os.path.lexists(path):
            os.unlink(path)
        os.symlink(template, path)
        report('  linked  %s -> %s' % (sub, template))
    elif os.path.exists(path):
        report('  kept    %s' % sub)
    else:
        report('  created %s (%s)' % (sub, build(path)))
