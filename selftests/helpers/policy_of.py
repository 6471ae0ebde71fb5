#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Dumps each command's policy (CTRL_CMD_GETPOLICY) and prints it as
JSON, attribute by attribute (control.py policy_is_the_spec)."""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
from nclib import Genl  # noqa: E402 (after the path)

nl = Genl()
out = {}
for name, op in json.loads(sys.argv[1]):
    err, msgs = nl.dump(0x10, 10, [(2, b"netctx\0"),
                                   (10, struct.pack("=I", op))])
    attrs = {}
    for m in msgs:
        top = Genl.parse(m[20:])
        if 8 not in top:
            continue
        for pol in Genl.parse(top[8]).values():
            for atype, desc in Genl.parse(pol).items():
                d = {}
                for k, v in Genl.parse(desc).items():
                    d[k] = struct.unpack("=Q" if len(v) == 8 else "=I", v)[0]
                attrs[atype] = d
    out[name] = [err, attrs]
print(json.dumps(out))
