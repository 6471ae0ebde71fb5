#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hardening: no user, user namespace or flood of requests can hurt the
machine. Each case plays one kind of caller (root, the root of a user
namespace, an unprivileged user) against the module and checks that it
gets no more than its own share, and that the kernel log stays clean."""
import sys

from nclib import cmd, ksft_run

NOBODY = 65534
SETPRIV = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
           "--clear-groups"]


def userns_available():
    """The VM is not a chroot: root and an unprivileged user can create
    a user namespace (with a network namespace), which the other cases
    need."""
    cmd(["unshare", "-Urn", "true"])
    cmd(SETPRIV + ["unshare", "-Urn", "true"])


if __name__ == "__main__":
    cases = [("userns_available", userns_available)]
    only = sys.argv[1:]
    sys.exit(ksft_run([c for c in cases if not only or c[0] in only]))
