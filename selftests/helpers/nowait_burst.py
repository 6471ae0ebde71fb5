#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Asks, without waiting, for one move of each PCB of argv[3] (to its
"to" context) in netns argv[1], then one of argv[5] in netns argv[4],
all from a SCHED_FIFO task on CPU argv[2], the CPU of the PCBs' context:
that context cannot run the first request before the burst ends, so it
is still under way for the others. Prints the errnos (migrate.py
nowait_moves_bounded)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
from nclib import Mover  # noqa: E402 (after the path)

ns, cpu, pcbs = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
ns2, other = sys.argv[4], json.loads(sys.argv[5])
mv, mv2 = Mover(ns), Mover(ns2)
os.sched_setaffinity(0, {cpu})
os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
errs = [mv.migrate(p["to"], pcb=p, flags=Mover.F_NOWAIT) for p in pcbs]
err2 = mv2.migrate(other["to"], pcb=other, flags=Mover.F_NOWAIT)
os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
print(json.dumps({"errs": errs, "other": err2}))
