#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Dumps the family's policies, all and of each op; prints the errnos
and message counts (harden.py policy_dump_unprivileged)."""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
from nclib import Genl  # noqa: E402 (after the path)

nl = Genl()
name = (2, b"netctx\0")
res = {"all": nl.dump(0x10, 10, [name])[0]}
for op in json.loads(sys.argv[1]):
    err, msgs = nl.dump(0x10, 10, [name, (10, struct.pack("=I", op))])
    res[str(op)] = [err, len(msgs)]
print(json.dumps(res))
