#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The module's include graph has no cycle.

A file's unit is its name without extension (context.c and context.h are
"context"); unit A depends on unit B when a file of A includes "B.h". The
data path calls only downward, so these dependencies form no cycle: this
prints one, if any, and fails. Run by make lint.
"""
import os
import re
import sys

KMOD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "kmod")


def graph():
    deps = {}
    for name in sorted(os.listdir(KMOD)):
        unit, ext = os.path.splitext(name)
        if ext not in (".c", ".h"):
            continue
        with open(os.path.join(KMOD, name)) as f:
            for m in re.finditer(r'^#include "([a-z_]+)\.h"', f.read(),
                                 re.M):
                if m.group(1) != unit:
                    deps.setdefault(unit, set()).add(m.group(1))
        deps.setdefault(unit, set())
    return deps


def cycle(deps):
    state, path = {}, []

    def visit(u):
        state[u] = 1
        path.append(u)
        for v in sorted(deps.get(u, ())):
            if state.get(v) == 1:
                return path[path.index(v):] + [v]
            if not state.get(v):
                c = visit(v)
                if c:
                    return c
        path.pop()
        state[u] = 2
        return None

    for u in sorted(deps):
        if not state.get(u):
            c = visit(u)
            if c:
                return c
    return None


def main():
    c = cycle(graph())
    if c:
        print("include cycle: " + " -> ".join(c), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
