#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Waits for a line, then spins for argv[1] seconds or until stdin
becomes readable (correct.py: a context's CPU kept busy)."""
import select
import sys
import time

print('ready', flush=True)
sys.stdin.readline()
end = time.time() + float(sys.argv[1])
print('hogging', flush=True)
while time.time() < end and not select.select([sys.stdin], [], [], 0)[0]:
    pass
