#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Moves the PCBs of argv[1] round after round (argv[2] rounds) with
netlink; prints the moves and EBUSYs (migrate.py parallel_migrations)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
from nclib import Mover  # noqa: E402 (after the path)

pcbs = json.loads(sys.argv[1])
mv = Mover()
moves = busy = 0
for r in range(int(sys.argv[2])):
    for i, p in enumerate(pcbs):
        p["ctx"] = (p["ctx"] + 1 + (r + i) % 3) % 4
        err = mv.migrate(p["ctx"], pcb=p)
        if err == 0:
            moves += 1
        elif err == 16:
            busy += 1
        else:
            raise SystemExit("migrate: errno %d" % err)
print(json.dumps({"moves": moves, "busy": busy}))
