#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""As the root of a user namespace: ASSIGN_CONN until refused, and with
timeouts; prints the errnos (harden.py userns_root_capped)."""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
from nclib import Genl  # noqa: E402 (after the path)

A, cmd_assign = json.loads(sys.argv[1]), int(sys.argv[2])
nl = Genl()


def assign(i, timeout=None):
    attrs = [(A["NETCTX_A_PROTO"], bytes([17])),
             (A["NETCTX_A_FAMILY"], bytes([2])),
             (A["NETCTX_A_LPORT"], struct.pack("=H", 1000 + i)),
             (A["NETCTX_A_RADDR"], bytes([10, 9, 0, 1])),
             (A["NETCTX_A_RPORT"], struct.pack("=H", 99)),
             (A["NETCTX_A_CTX_ID"], struct.pack("=I", 0))]
    if timeout:
        attrs.append((A["NETCTX_A_TIMEOUT_MS"], struct.pack("=I", timeout)))
    return nl.request(cmd_assign, attrs)


print(json.dumps({"long": assign(0, 86400000),
                  "many": [assign(i) for i in range(1, 12)]}))
