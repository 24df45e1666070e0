# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Send one message over SMTP (standard library only) and print the server's answers as JSON.

Used by the mail role's molecule verify, run on the controller: --server is an IPv4 or IPv6 address.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import email.message
import email.utils
import json
import smtplib
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--server', required=True)
    parser.add_argument('--port', type=int, default=25)
    parser.add_argument('--helo', required=True, help='name to greet with (never looked up)')
    parser.add_argument('--sender', required=True)
    parser.add_argument('--recipient', required=True)
    parser.add_argument('--subject', required=True)
    args = parser.parse_args()

    message = email.message.EmailMessage()
    message['From'] = args.sender
    message['To'] = args.recipient
    message['Subject'] = args.subject
    message['Date'] = email.utils.formatdate(localtime=True)
    message['Message-ID'] = email.utils.make_msgid(domain=args.helo)
    message.set_content('Sent to %s by the molecule scenario of datacenter.ve.mail.\n' % args.server)

    # local_hostname given, so smtplib does not ask the resolver for this machine's name.
    with smtplib.SMTP(timeout=30, local_hostname=args.helo) as smtp:
        code, banner = smtp.connect(args.server, args.port)
        refused = smtp.send_message(message, from_addr=args.sender, to_addrs=[args.recipient])
    json.dump({'server': args.server, 'code': code, 'banner': banner.decode('utf-8', 'replace'),
               'refused': {rcpt: [c, m.decode('utf-8', 'replace')] for rcpt, (c, m) in refused.items()}},
              sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
