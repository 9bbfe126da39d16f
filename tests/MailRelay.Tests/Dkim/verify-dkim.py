#!/usr/bin/python3
"""Checks the first DKIM-Signature of a message with python3-dkim, taking the key from a record file.

    verify-dkim.py RECORD.txt MESSAGE.eml

RECORD.txt is a zone-file TXT record; its quoted strings joined are the key record, answered for every
DNS query, so nothing leaves the machine. Prints "pass" or "fail" and exits 0 or 1.
"""
import re
import sys

import dkim

with open(sys.argv[1]) as record_file:
    record = "".join(re.findall(r'"([^"]*)"', record_file.read())).encode()
with open(sys.argv[2], "rb") as message_file:
    message = message_file.read()

verified = dkim.verify(message, dnsfunc=lambda name, timeout=5: record)
print("pass" if verified else "fail")
sys.exit(0 if verified else 1)
