#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fault injection (make check-debug): every control operation is repeated
with its 1st, 2nd, ... slab allocation failing (/proc/thread-self/fail-nth,
failslab), until one run of it makes no allocation fail any more. Each
failure must come back as an errno, crash nothing and leave the state as it
was; the kernel log must hold no report but the allocation failures' own,
and run.sh's final kmemleak scan must find nothing leaked.

Operations: port add (toeplitz, bpf), port del, conn assign, conn migrate,
the three dumps (contexts, ports, connections), and the socket options
(NETCTX_SO_ASSIGN, NETCTX_SO_GET).

Needs CONFIG_FAULT_INJECTION + FAILSLAB + FAULT_INJECTION_DEBUG_FS (the
debug kernel of make debug-kernel); elsewhere every case is skipped.
"""
import ctypes
import errno
import os
import re
import socket
import struct
import subprocess
import sys

from nclib import (KsftSkip, Module, Topo, busywait, connections, ksft_eq,
                   ksft_run, ksft_true, listener, ncctl, rport)
from control import A, C, uapi_enum

FAILNTH = "/proc/thread-self/fail-nth"
FAILSLAB = "/sys/kernel/debug/failslab"
PORT = 6100
MAX_NTH = 400           # far more allocations than any operation makes
SOL_IP = 0
SO_ASSIGN = 3600
CLONE_NEWNET = 0x40000000
H = uapi_enum("netctx_hash")

# What the kernel itself prints when an allocation fails that is not
# __GFP_NOWARN (vmalloc's warn_alloc(): message, stack, Mem-Info): expected
# here, it is what the test asks for.
ALLOC_FAIL = re.compile(r"vmalloc error:|page allocation failure:")
SPLAT = re.compile(r"WARNING:|BUG:|Oops|general protection|refcount_t|"
                   r"use-after-free|scheduling while atomic|"
                   r"unreferenced object|Call Trace|KASAN|ODEBUG|"
                   r"possible recursive locking|possible circular locking|"
                   r"inconsistent lock state|suspicious RCU usage|"
                   r"ref_tracker|blocked for more than|soft lockup")

libc = ctypes.CDLL(None, use_errno=True)


def write(path, value):
    with open(path, "w") as f:
        f.write(value)


def setup():
    if not os.path.exists(FAILNTH) or not os.path.isdir(FAILSLAB):
        raise KsftSkip("no fail-nth or failslab (needs the debug kernel)")
    # Slab allocations only, those of GFP_KERNEL too, silently.  Page
    # allocations keep failslab's defaults (GFP_KERNEL not failed):
    # failing them makes vmalloc and the page allocator print warnings
    # that tell nothing about netctx.
    write(FAILSLAB + "/ignore-gfp-wait", "N")
    write(FAILSLAB + "/verbose", "0")


class Netns:
    """The calling thread enters netns name (setns) for a while."""

    def __init__(self, name):
        self.path = "/run/netns/" + name

    @staticmethod
    def _setns(fd):
        if libc.setns(fd, CLONE_NEWNET):
            e = ctypes.get_errno()
            raise OSError(e, "setns: " + os.strerror(e))

    def __enter__(self):
        self.old = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            self._setns(fd)
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        self._setns(self.old)
        os.close(self.old)


def nla(atype, payload):
    return (struct.pack("=HH", 4 + len(payload), atype) + payload +
            b"\0" * ((4 - len(payload) % 4) % 4))


class Nl:
    """Raw generic netlink, split so that only the request's sendmsg (where
    the kernel does all the work of a doit, and the first part of a dump)
    runs with fail-nth armed; the answer is read afterwards."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.sock.bind((0, 0))
        self.sock.settimeout(30)
        self.seq = 0
        self.family = None
        body = struct.pack("=BBH", 3, 1, 0) + nla(2, b"netctx\0")
        self.send_msg(0x10, body, dump=False)
        err, msgs = self.answer()
        if err:
            raise AssertionError("netctx family not found: %d" % err)
        data = msgs[0][20:]
        while len(data) >= 4:
            alen, atype = struct.unpack("=HH", data[:4])
            if atype == 1:
                self.family = struct.unpack("=H", data[4:6])[0]
            data = data[(alen + 3) & ~3:]

    def msg(self, cmd, attrs, dump=False):
        body = struct.pack("=BBH", cmd, 1, 0) + b"".join(
            nla(a, v) for a, v in attrs)
        return body, dump

    def send_msg(self, family, body, dump):
        self.seq += 1
        # REQUEST, and ACK for a doit; a dump ends with NLMSG_DONE.
        flags = 1 | (0x300 if dump else 4)
        self.sock.send(struct.pack("=IHHII", 16 + len(body), family, flags,
                                   self.seq, 0) + body)

    def answer(self):
        """(errno, messages): reads up to the ack, or the dump's end."""
        msgs = []
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                return "no answer in 30 s", msgs
            except OSError as e:   # the answer itself could not be built
                return e.errno, msgs
            while data:
                mlen, mtype, _, seq = struct.unpack("=IHHI", data[:12])
                if seq != self.seq:         # a lost request's late answer
                    data = data[(mlen + 3) & ~3:]
                    continue
                if mtype == 2:              # NLMSG_ERROR
                    return -struct.unpack("=i", data[16:20])[0], msgs
                if mtype == 3:              # NLMSG_DONE
                    return -struct.unpack("=i", data[16:20])[0], msgs
                msgs.append(data[:mlen])
                data = data[(mlen + 3) & ~3:]


def armed(n, fn):
    """Runs fn() with the n-th slab allocation of this thread failing;
    returns (fn's result or its OSError's errno, whether it was hit)."""
    fd = os.open(FAILNTH, os.O_RDWR)
    try:
        os.write(fd, b"%d" % n)
        try:
            res = fn()
        except OSError as e:
            res = e.errno
        # At offset 0 still: writes leave it alone (and it cannot seek).
        left = int(os.read(fd, 32))
        os.write(fd, b"0")
    finally:
        os.close(fd)
    return res, left == 0


def attrs_of(msg):
    """{type: payload} of a generic netlink message."""
    out, data = {}, msg[20:]
    while len(data) >= 4:
        alen, atype = struct.unpack("=HH", data[:4])
        out[atype & 0x3FFF] = data[4:alen]
        data = data[(alen + 3) & ~3:]
    return out


class State:
    """What a control operation may change, read through its own netlink
    socket (ncctl, one process per read, is too slow under TCG + KASAN
    for the thousands of reads here): the ports and the PCBs of the
    netns, without the traffic counters."""

    VOLATILE = (A["NETCTX_A_PACKETS"], A["NETCTX_A_BYTES"])

    def __init__(self, ns):
        with Netns(ns):
            self.nl = Nl()

    def dump(self, cmd):
        self.nl.send_msg(self.nl.family, self.nl.msg(C[cmd], [])[0], True)
        err, msgs = self.nl.answer()
        ksft_eq(err, 0, "state dump %s" % cmd)
        return sorted(tuple(sorted((k, v) for k, v in attrs_of(m).items()
                                   if k not in self.VOLATILE))
                      for m in msgs)

    def __call__(self):
        return (self.dump("NETCTX_CMD_GET_PORT"),
                self.dump("NETCTX_CMD_GET_CONN"))


def conn_ctx(conns, rp):
    """The context of the PCB whose remote port is rp, or None."""
    for c in conns:
        a = dict(c)
        if struct.unpack("=H", a[A["NETCTX_A_RPORT"]])[0] == rp:
            return struct.unpack("=I", a[A["NETCTX_A_CTX_ID"]])[0]
    return None


def check_log(what):
    """The log may hold allocation failure warnings, nothing else."""
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    bad, skip = [], False
    for line in out.splitlines():
        if ALLOC_FAIL.search(line):
            skip = True     # through the end of its stack dump
        elif skip and re.search(r"</TASK>", line):
            skip = False
            continue
        if not skip and SPLAT.search(line):
            bad.append(line)
    if bad:
        raise AssertionError("kernel log after %s:\n%s" % (what, out))
    # The allocation failure warnings are expected: not for run.sh's check.
    subprocess.run(["dmesg", "-C"], check=True)


def settled(state, done, before):
    """A PCB placed by an operation reaches its context's table (where the
    dumps see it) in the context's thread, a little later: wait for it."""
    return busywait(lambda: done(before, state()), timeout=10)


def inject(state, name, ns, make_op, done, undo=None):
    """Fails each allocation of an operation in turn.  make_op() (in netns
    ns, not armed) prepares it and returns fn: fn() does the operation's
    syscall, armed, and returns its errno or a finisher that returns it.
    done(before, after) tells whether after is what a success leaves;
    undo() restores the state after a success.  Returns how many
    allocations the operation makes."""
    after = state()
    for n in range(1, MAX_NTH):
        before = after
        with Netns(ns):
            fn = make_op()
            fin, hit = armed(n, fn)
            err = fin() if callable(fin) else fin
        after = state()
        if not hit:
            ksft_eq(err, 0, "%s with no fault injected" % name)
            ksft_true(settled(state, done, before), "%s: no effect" % name)
            if undo:
                undo()
            check_log(name)
            return n - 1
        ksft_true(isinstance(err, int), "%s, fault %d: %r" % (name, n, err))
        if err == 0 or (err == errno.ENOBUFS and after != before):
            # The operation went through: an allocation it could do
            # without failed, or the one of its answer (ENOBUFS: the ack
            # was lost).
            ksft_true(settled(state, done, before),
                      "%s, fault %d: errno %d, state %r -> %r" %
                      (name, n, err, before, after))
            after = state()
            if undo:
                undo()
                after = state()
        else:
            ksft_eq(after, before, "%s, fault %d (errno %d): state" %
                    (name, n, err))
    raise AssertionError("%s: still failing after %d faults" % (name, n))


def u8(v):
    return bytes([v])


def u16(v):
    return struct.pack("=H", v)


def u32(v):
    return struct.pack("=I", v)


def netlink_op(nl, cmd, attrs, dump=False):
    """make_op for inject(): attrs may be a function returning them."""
    def make_op():
        body, d = nl.msg(cmd, attrs() if callable(attrs) else attrs, dump)

        def fn():
            nl.send_msg(nl.family, body, d)
            return lambda: nl.answer()[0]
        return fn
    return make_op


def assign_req(ctx, addr, port):
    """struct netctx_sockopt: ctx, origin, flow_hash, pad, the peer as a
    sockaddr_in in 28 bytes, pad."""
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port),
                     socket.inet_aton(addr))
    return struct.pack("=IIII", ctx, 0, 0, 0) + sa + bytes(28 - len(sa)) + \
        bytes(4)


def one_more(i):
    return lambda b, a: len(a[i]) == len(b[i]) + 1


def control_ops():
    """port add/del, conn assign/migrate, the dumps: each allocation in
    turn fails; errno, no crash, state as before."""
    setup()
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "0")
        srv = listener(t.srv, t.V4[1], PORT)
        conn = connections(t.cli, t.V4[1], PORT, 1)
        ksft_true(busywait(lambda: len(ncctl(t.srv, "conn", "show")) == 1),
                  "connection managed")
        with Netns(t.srv):
            nl = Nl()
        st = State(t.srv)
        counts = {}

        add = netlink_op(nl, C["NETCTX_CMD_ADD_PORT"],
                         [(A["NETCTX_A_PROTO"], u8(6)),
                          (A["NETCTX_A_PORT"], u16(PORT + 1)),
                          (A["NETCTX_A_HASH"], u8(H["NETCTX_HASH_TOEPLITZ"])),
                          (A["NETCTX_A_HASH_KEY"], bytes(range(40)))])
        counts["port add toeplitz"] = inject(
            st, "port add toeplitz", t.srv, add, one_more(0),
            lambda: ncctl(t.srv, "port", "del", "tcp", PORT + 1))

        # ret #1: classic BPF, through bpf_prog_create()
        prog = struct.pack("=HBBI", 0x06, 0, 0, 1)
        add = netlink_op(nl, C["NETCTX_CMD_ADD_PORT"],
                         [(A["NETCTX_A_PROTO"], u8(17)),
                          (A["NETCTX_A_PORT"], u16(PORT + 2)),
                          (A["NETCTX_A_HASH"], u8(H["NETCTX_HASH_BPF"])),
                          (A["NETCTX_A_BPF"], prog)])
        counts["port add bpf"] = inject(
            st, "port add bpf", t.srv, add, one_more(0),
            lambda: ncctl(t.srv, "port", "del", "udp", PORT + 2))

        ncctl(t.srv, "port", "add", "udp", PORT + 3)
        delete = netlink_op(nl, C["NETCTX_CMD_DEL_PORT"],
                            [(A["NETCTX_A_PROTO"], u8(17)),
                             (A["NETCTX_A_PORT"], u16(PORT + 3))])
        counts["port del"] = inject(
            st, "port del", t.srv, delete,
            lambda b, a: len(a[0]) == len(b[0]) - 1,
            lambda: ncctl(t.srv, "port", "add", "udp", PORT + 3))

        # A new peer each time: an assignment stays until it expires.
        rports = iter(range(45000, 46000))
        assign = netlink_op(nl, C["NETCTX_CMD_ASSIGN_CONN"],
                            lambda: [(A["NETCTX_A_PROTO"], u8(6)),
                                     (A["NETCTX_A_FAMILY"],
                                      u8(socket.AF_INET)),
                                     (A["NETCTX_A_LPORT"], u16(PORT)),
                                     (A["NETCTX_A_RADDR"],
                                      socket.inet_aton(t.V4[0])),
                                     (A["NETCTX_A_RPORT"],
                                      u16(next(rports))),
                                     (A["NETCTX_A_CTX_ID"], u32(2))])
        counts["conn assign"] = inject(st, "conn assign", t.srv, assign,
                                       one_more(1))

        p = [c for c in ncctl(t.srv, "conn", "show")
             if c["remote"].endswith(":%d" % conn.ports[0])][0]
        laddr, lport = p["local"].rsplit(":", 1)
        target = [1 if p["ctx"] != 1 else 2]
        migrate = netlink_op(nl, C["NETCTX_CMD_MIGRATE_CONN"],
                             lambda: [(A["NETCTX_A_PROTO"], u8(6)),
                                      (A["NETCTX_A_FAMILY"],
                                       u8(socket.AF_INET)),
                                      (A["NETCTX_A_LADDR"],
                                       socket.inet_aton(laddr)),
                                      (A["NETCTX_A_LPORT"], u16(int(lport))),
                                      (A["NETCTX_A_RADDR"],
                                       socket.inet_aton(t.V4[0])),
                                      (A["NETCTX_A_RPORT"], u16(rport(p))),
                                      (A["NETCTX_A_CTX_ID"],
                                       u32(target[0]))])

        def migrated(b, a):
            if not busywait(lambda: conn_ctx(st()[1], rport(p)) ==
                            target[0], timeout=10):
                return False
            target[0] = 1 if target[0] != 1 else 2
            return True
        counts["conn migrate"] = inject(st, "conn migrate", t.srv, migrate,
                                        migrated)

        for name, cmd, flt in (
                ("ctx dump", "NETCTX_CMD_GET_CTX", []),
                ("port dump", "NETCTX_CMD_GET_PORT", []),
                ("conn dump", "NETCTX_CMD_GET_CONN",
                 [(A["NETCTX_A_PROTO"], u8(6))])):
            counts[name] = inject(st, name, t.srv,
                                  netlink_op(nl, C[cmd], flt, dump=True),
                                  lambda b, a: a == b)
        print("# allocations per operation: %s" % counts)
        conn.close()
        srv.close()


def sockopt_ops():
    """NETCTX_SO_ASSIGN on a bound socket: each allocation in turn fails;
    errno, no crash, state as before."""
    setup()
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "1")
        st = State(t.srv)
        socks = []
        rports = iter(range(46000, 47000))

        def make_op():
            s = socket.socket(socket.AF_INET)
            socks.append(s)
            s.bind((t.V4[1], 0))
            arg = assign_req(3, t.V4[0], next(rports))
            return lambda: s.setsockopt(SOL_IP, SO_ASSIGN, arg) or 0
        n = inject(st, "SO_ASSIGN", t.srv, make_op, one_more(1))
        print("# allocations of SO_ASSIGN: %d" % n)
        for s in socks:
            s.close()


if __name__ == "__main__":
    sys.exit(ksft_run([("control_ops_under_fail_nth", control_ops),
                       ("sockopt_assign_under_fail_nth", sockopt_ops)]))
