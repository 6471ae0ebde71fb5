#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Keeps a CPU busy for SECONDS (lifecycle.py: run under chrt -f on a
context's CPU, it starves the context thread).

    spin.py SECONDS
"""
import sys
import time

end = time.time() + float(sys.argv[1])
while time.time() < end:
    pass
