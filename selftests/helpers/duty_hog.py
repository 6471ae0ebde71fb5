#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Burns CPU 20 ms out of every 40 ms, forever (migrate.py: a loaded
context)."""
import time

while True:
    t = time.monotonic()
    while time.monotonic() - t < 0.02:
        pass
    time.sleep(0.02)
