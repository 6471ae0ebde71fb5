#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Application control: every hash policy puts new connections where the
test predicts (it recomputes the hashes itself), never outside the
policy's context set; pre-assignment by ncctl and by the library lands the
first packet on the chosen context, server and client side, IPv4 and
IPv6; only CAP_NET_ADMIN changes policy while anyone steers their own
sockets; malformed requests are refused precisely and change nothing;
events report every change."""
import json
import os
import re
import struct
import subprocess
import sys
import time

import nchash
from nclib import (KO, NCCTL, TOP, Genl, Held, Module, Monitor, Topo,
                   busywait, cmd, connections, helper, ksft_eq, ksft_run,
                   ksft_true, listener, lport, ncctl, rport, uapi_enum)

PORT = 5000
KEY = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
SESSION = os.path.join(TOP, "tools", "lib", "examples", "session")


A = uapi_enum("netctx_attr")
C = uapi_enum("netctx_cmd")


def pcbs_by_rport(ns, **flt):
    args = []
    for k, v in flt.items():
        args += [k, v]
    return {rport(p): p for p in ncctl(ns, "conn", "show", *args)}


def hashed(policy_args, family, n, predict, proto="tcp"):
    """Opens n connections under a policy; checks ctx and flow hash."""
    with Module(nr_contexts=4, hash_key=KEY.hex()), Topo() as t:
        saddr, caddr = t.addr(family, "srv"), t.addr(family, "cli")
        ncctl(t.srv, "port", "add", proto, PORT, *policy_args)
        srv = listener(t.srv, saddr, PORT)
        cli = connections(t.cli, saddr, PORT, n)
        try:
            pcbs = pcbs_by_rport(t.srv)
            ksft_eq(sorted(pcbs), sorted(cli.ports), "PCBs")
            for i, port in enumerate(cli.ports):
                want_hash, want_ctx = predict(i, caddr, port, saddr, PORT)
                p = pcbs[port]
                if want_hash is not None:
                    ksft_eq(p["hash"], want_hash, "flow hash of %d" % port)
                ksft_eq(p["ctx"], want_ctx, "ctx of %d" % port)
                ksft_eq(p["first_ctx"], want_ctx, "first packet's ctx")
            return pcbs
        finally:
            cli.close()
            srv.close()


def in_set(ctxs, h):
    return ctxs[h % len(ctxs)]


def hash_default():
    ctxs = [1, 2, 3]
    for family in (4, 6):
        pcbs = hashed(["hash", "default", "contexts", "1-3"], family, 12,
                      lambda i, ra, rp, la, lp:
                      (nchash.hash_default(ra, rp, lp, KEY),
                       in_set(ctxs, nchash.hash_default(ra, rp, lp, KEY))))
        ksft_true(all(p["ctx"] in ctxs for p in pcbs.values()), "set")


def hash_toeplitz():
    key = bytes(range(40))
    for family, k, ctxs, spec in ((4, nchash.MS_KEY, [0, 1, 2, 3], "0-3"),
                                  (6, key, [0, 2, 3], "0,2-3")):
        args = ["hash", "toeplitz", "contexts", spec]
        if k != nchash.MS_KEY:
            args += ["key", k.hex()]

        def predict(i, ra, rp, la, lp, k=k, ctxs=ctxs):
            h = nchash.hash_toeplitz(ra, rp, la, lp, k)
            return h, in_set(ctxs, h)
        hashed(args, family, 10, predict)


def hash_remote_addr():
    """All connections of one client address share a context."""
    with Module(nr_contexts=4, hash_key=KEY.hex()), Topo() as t:
        extra = ["10.77.0.%d" % i for i in range(3, 9)]
        for a in extra:
            cmd(["ip", "addr", "add", a + "/24", "dev", "veth0"], ns=t.cli)
        ncctl(t.srv, "port", "add", "tcp", PORT, "hash", "remote-addr")
        srv = listener(t.srv, t.V4[1], PORT)
        held = [connections(t.cli, t.V4[1], PORT, 4,
                            ["%s:0" % a] * 4) for a in extra]
        try:
            pcbs = ncctl(t.srv, "conn", "show")
            ksft_eq(len(pcbs), 4 * len(extra), "PCBs")
            for a in extra:
                mine = [p for p in pcbs if p["remote"].startswith(a + ":")]
                h = nchash.hash_remote_addr(a, KEY)
                ksft_eq({p["ctx"] for p in mine}, {h % 4}, "ctx of " + a)
                ksft_true(all(p["hash"] == h for p in mine), "hash " + a)
            ksft_true(len({p["ctx"] for p in pcbs}) > 1, "one ctx for all")
        finally:
            for h in held:
                h.close()
            srv.close()


def hash_round_robin():
    ctxs = [0, 2, 3]
    hashed(["hash", "round-robin", "contexts", "0,2,3"], 4, 7,
           lambda i, *a: (i, ctxs[i % 3]))


def hash_least_loaded():
    """Sequential new flows fill the least loaded context of the set."""
    with Module(nr_contexts=4, hash_key=KEY.hex()), Topo() as t:
        saddr = t.V4[1]
        # Load context 2 with three pre-assignments first.
        for p in range(3):
            ncctl(t.srv, "conn", "assign", "tcp", "*:%d" % PORT,
                  "10.77.0.200:%d" % (1000 + p), "ctx", 2)
        ncctl(t.srv, "port", "add", "tcp", PORT, "hash", "least-loaded",
              "contexts", "1-3")
        srv = listener(t.srv, saddr, PORT)
        cli = connections(t.cli, saddr, PORT, 6)
        try:
            pcbs = pcbs_by_rport(t.srv)
            got = [pcbs[p]["ctx"] for p in cli.ports]
            # loads (1, 2, 3) = (0, 3, 0): ties go to the lowest context,
            # and context 2 only gets a turn once the others reach 3.
            ksft_eq(got, [1, 3, 1, 3, 1, 3], "placement order")
            cli2 = connections(t.cli, saddr, PORT, 1)
            ksft_eq(pcbs_by_rport(t.srv)[cli2.ports[0]]["ctx"], 1,
                    "all at 3: lowest context")
            cli2.close()
        finally:
            cli.close()
            srv.close()


BPF_RPORT = "2\n40 0 0 20\n22 0 0 0\n"   # ldh [20] (TCP sport); ret a


def hash_bpf():
    path = "/tmp/nc-rport.bpf"
    with open(path, "w") as f:
        f.write(BPF_RPORT)
    ctxs = [0, 1, 3]
    hashed(["hash", "bpf", "bpf", path, "contexts", "0-1,3"], 4, 8,
           lambda i, ra, rp, la, lp: (rp, ctxs[rp % 3]))


def preassign_ncctl():
    """Server side (local port 5000) and client side (remote port 6000),
    IPv4 and IPv6: the first packet lands on the assigned context."""
    with Module(nr_contexts=4), Topo() as t:
        for family, ctx in ((4, 2), (6, 3)):
            saddr, caddr = t.addr(family, "srv"), t.addr(family, "cli")
            fmt = "%s:%d" if family == 4 else "[%s]:%d"
            # server side: a policy would say otherwise; the assignment wins
            ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "0",
                  "replace")
            ncctl(t.srv, "conn", "assign", "tcp", "*:%d" % PORT,
                  fmt % (caddr, 40100 + family), "ctx", ctx)
            srv = listener(t.srv, saddr, PORT)
            cli = connections(t.cli, saddr, PORT, 1,
                              [fmt % (caddr, 40100 + family)])
            p = pcbs_by_rport(t.srv)[40100 + family]
            ksft_eq((p["ctx"], p["first_ctx"], p["origin"]),
                    (ctx, ctx, "assigned"), "server side v%d" % family)
            ksft_true(p["packets"] >= 2, "handshake seen")
            cli.close()
            srv.close()
            # client side: netctx's host connects out to port 6000
            ncctl(t.srv, "conn", "assign", "tcp", fmt % (saddr, 41100 +
                                                          family),
                  fmt % (caddr, 6000), "ctx", ctx)
            srv = listener(t.cli, caddr, 6000)
            cli = connections(t.srv, caddr, 6000, 1,
                              [fmt % (saddr, 41100 + family)])
            # By local port: the v4 round's PCB, also to remote port
            # 6000, may still linger after its close.
            p = {lport(p): p for p in ncctl(t.srv, "conn", "show", "port",
                                            6000)}[41100 + family]
            ksft_eq((p["ctx"], p["first_ctx"], p["origin"],
                     lport(p)), (ctx, ctx, "assigned", 41100 + family),
                    "client side v%d" % family)
            cli.close()
            srv.close()


def preassign_library():
    """An application keeps all connections of its session on one context
    with netctx_connect() (tools/lib/examples/session), v4 and v6."""
    with Module(nr_contexts=4), Topo() as t:
        for family, ctx in ((4, 1), (6, 3)):
            caddr = t.addr(family, "cli")
            srv = listener(t.cli, caddr, 6001)
            app = subprocess.Popen(["ip", "netns", "exec", t.srv, SESSION,
                                    caddr, "6001", "5", str(ctx)],
                                   stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
            lines = [app.stdout.readline().strip() for _ in range(5)]
            ksft_eq([re.sub(r"^conn \d+ ", "", x) for x in lines],
                    ["ctx %d origin 1" % ctx] * 5, "library view")
            pcbs = [p for p in ncctl(t.srv, "conn", "show", "port", 6001)
                    if p["remote"].startswith(caddr + ":") or
                    p["remote"].startswith("[%s]:" % caddr)]
            ksft_eq(len(pcbs), 5, "PCBs")
            for p in pcbs:
                ksft_eq((p["ctx"], p["first_ctx"], p["origin"]),
                        (ctx, ctx, "assigned"), "PCB %s" % p["local"])
            app.stdin.close()
            ksft_eq(app.wait(timeout=30), 0, "session exit")
            srv.close()


LIB_SERVER = helper("lib_server")


def preassign_library_server():
    """A server pre-assigns the connection it expects from a client with
    netctx_assign() on its listening socket, v4 and v6."""
    lib = os.path.join(TOP, "tools", "lib", "libnetctx.so")
    with Module(nr_contexts=4), Topo() as t:
        for family, ctx in ((4, 3), (6, 1)):
            saddr, caddr = t.addr(family, "srv"), t.addr(family, "cli")
            fmt = "%s:%d" if family == 4 else "[%s]:%d"
            cport = 42000 + family
            srv = Held(t.srv, LIB_SERVER, lib, saddr, 7000 + family, caddr,
                       cport, ctx)
            cli = connections(t.cli, saddr, 7000 + family, 1,
                              [fmt % (caddr, cport)])
            p = pcbs_by_rport(t.srv)[cport]
            ksft_eq((p["ctx"], p["first_ctx"], p["origin"]),
                    (ctx, ctx, "assigned"), "v%d" % family)
            cli.close()
            srv.close()


def as_nobody(ns, *args):
    return subprocess.run(["ip", "netns", "exec", ns, "setpriv",
                           "--reuid=65534", "--regid=65534",
                           "--clear-groups"] + list(args),
                          capture_output=True, text=True, timeout=60)


def unprivileged():
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT)
        before = ncctl(t.srv, "port", "show")
        for args in (["port", "add", "tcp", "7000"],
                     ["port", "del", "tcp", str(PORT)],
                     ["conn", "assign", "tcp", "*:7000", "10.77.0.1:1234",
                      "ctx", "1"]):
            r = as_nobody(t.srv, NCCTL, *args)
            ksft_eq(r.returncode, 1, "nobody: ncctl %s" % " ".join(args))
            ksft_true("Operation not permitted" in r.stderr,
                      "EPERM reported: %r" % r.stderr)
        ksft_eq(ncctl(t.srv, "port", "show"), before, "policies unchanged")
        r = as_nobody(t.srv, NCCTL, "-j", "ctx", "show")
        ksft_eq(r.returncode, 0, "reads are open")

        # A live connection of root's cannot be moved by nobody...
        srv = listener(t.srv, t.V4[1], PORT)
        cli = connections(t.cli, t.V4[1], PORT, 1)
        p = pcbs_by_rport(t.srv)[cli.ports[0]]
        r = as_nobody(t.srv, NCCTL, "conn", "migrate", "tcp", p["local"],
                      p["remote"], "ctx", str((p["ctx"] + 1) % 4))
        ksft_eq(r.returncode, 1, "nobody migrating root's connection")
        ksft_eq(pcbs_by_rport(t.srv)[cli.ports[0]]["ctx"], p["ctx"],
                "connection did not move")
        cli.close()
        srv.close()
        # ... but nobody steers its own sockets with the library.
        csrv = listener(t.cli, t.V4[0], 6002)
        r = subprocess.Popen(["ip", "netns", "exec", t.srv, "setpriv",
                              "--reuid=65534", "--regid=65534",
                              "--clear-groups", SESSION, t.V4[0], "6002",
                              "2", "2"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        out = [r.stdout.readline().strip() for _ in range(2)]
        r.stdin.close()
        ksft_eq(r.wait(timeout=30), 0, "nobody's session: %r" % out)
        ksft_eq({p["ctx"] for p in ncctl(t.srv, "conn", "show", "port",
                                         6002)}, {2}, "nobody's PCBs")
        csrv.close()


PREASSIGN_MANY = helper("preassign_many")


def unprivileged_assign_quota():
    """An unprivileged process cannot fill the shared connection table
    with pre-assignments: it gets ENOSPC past user_assign_max."""
    with Module(nr_contexts=2, user_assign_max=3), Topo() as t:
        r = as_nobody(t.srv, "python3", PREASSIGN_MANY, "tcp", t.V4[1],
                      t.V4[0], "5", "1")
        ksft_eq(json.loads(r.stdout or "null"), ["ok"] * 3 + ["ENOSPC"] * 2,
                "nobody's assignments: %r" % r.stderr)
        ksft_eq(len(ncctl(t.srv, "conn", "show")), 3, "PCBs")
        # The administrator is not bound by it.
        ncctl(t.srv, "conn", "assign", "tcp", "*:80", "10.77.0.1:80",
              "ctx", 1)
        ksft_eq(len(ncctl(t.srv, "conn", "show")), 4, "admin's assignment")


FAMILY_CLIENT = helper("family_client")


def sockopt_families():
    """Socket options follow the socket's family: an IPv4 socket refuses
    an IPv6 peer; a dual-stack IPv6 socket steers its IPv4 connection."""
    with Module(nr_contexts=4), Topo() as t:
        srv = listener(t.cli, t.V4[0], 6003)
        app = Held(t.srv, FAMILY_CLIENT, t.V4[0], t.V6[0])
        v4_v6, port = app.line.split()
        ksft_eq(v4_v6, "EAFNOSUPPORT", "IPv6 peer on an IPv4 socket")
        p = pcbs_by_rport(t.srv, port=6003)[6003]
        ksft_eq((lport(p), p["ctx"], p["first_ctx"], p["origin"]),
                (int(port), 3, 3, "assigned"), "dual-stack socket")
        ksft_true(p["local"].startswith(t.V4[1] + ":"), "IPv4 connection")
        app.close()
        srv.close()


BAD_NCCTL = [
    (["port", "add", "tcp", "70000"], "invalid port"),
    (["port", "add", "sctp", "80"], ""),
    (["port", "add", "tcp", "80", "hash", "nope"], "unknown hash"),
    (["port", "add", "tcp", "80", "contexts", "9"], "does not exist"),
    (["port", "add", "tcp", "80", "contexts", "0-1x"], ""),
    (["port", "add", "tcp", "80", "hash", "toeplitz", "key", "abcd"], ""),
    (["port", "add", "tcp", "80", "hash", "bpf"], ""),
    (["port", "add", "tcp", "80", "hash", "default", "bpf", "/dev/null"],
     ""),
    (["port", "add", "tcp", str(PORT)], "File exists"),
    (["port", "del", "udp", "81"], "No such file"),
    (["conn", "assign", "tcp", "*:80", "10.0.0.1:5", "ctx", "4"],
     "no such context"),
    (["conn", "assign", "tcp", "1.2.3.4:80", "[::1]:5", "ctx", "1"],
     "families differ"),
    (["conn", "assign", "tcp", "1.2.3.4:80", "10.0.0.300:5", "ctx", "1"],
     ""),
    (["conn", "migrate", "tcp", "1.2.3.4:80", "10.0.0.3:5", "ctx", "1"],
     "No such file"),
    (["conn", "show", "ctx", "x"], ""),
    (["bogus"], "unknown object"),
]


def bad_input_ncctl():
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "1")
        state = (ncctl(t.srv, "port", "show"), ncctl(t.srv, "conn", "show"))
        for args, msg in BAD_NCCTL:
            r = cmd([NCCTL] + args, ns=t.srv, check=False)
            ksft_eq(r.returncode, 1, "exit of ncctl %s" % " ".join(args))
            lines = r.stderr.strip().splitlines()
            ksft_eq(len(lines), 1, "one-line reason: %r" % r.stderr)
            ksft_true(lines[0].startswith("ncctl: ") and msg in lines[0],
                      "reason %r should say %r" % (lines[0], msg))
        ksft_eq((ncctl(t.srv, "port", "show"), ncctl(t.srv, "conn", "show")),
                state, "state unchanged")


def u8(v):
    return bytes([v])


def u16(v):
    return struct.pack("=H", v)


def u32(v):
    return struct.pack("=I", v)


def bad_input_netlink():
    """Raw requests, each wrong in one way, get the right errno."""
    import errno
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT)
        state = ncctl(t.srv, "port", "show")
        ok_port = [(A["NETCTX_A_PROTO"], u8(6)), (A["NETCTX_A_PORT"],
                                                  u16(7001))]
        conn = [(A["NETCTX_A_PROTO"], u8(6)), (A["NETCTX_A_FAMILY"], u8(2)),
                (A["NETCTX_A_LPORT"], u16(80)),
                (A["NETCTX_A_RADDR"], bytes([10, 0, 0, 1])),
                (A["NETCTX_A_RPORT"], u16(99))]
        add, assign = C["NETCTX_CMD_ADD_PORT"], C["NETCTX_CMD_ASSIGN_CONN"]
        cases = [
            ("no port", add, ok_port[:1], errno.EINVAL),
            ("port as u32", add, ok_port[:1] + [(A["NETCTX_A_PORT"],
                                                  u32(7001))], errno.EINVAL),
            ("port 0", add, ok_port[:1] + [(A["NETCTX_A_PORT"], u16(0))],
             errno.ERANGE),
            ("proto icmp", add, [(A["NETCTX_A_PROTO"], u8(1))] +
             ok_port[1:], errno.ERANGE),
            ("proto 10", add, [(A["NETCTX_A_PROTO"], u8(10))] +
             ok_port[1:], errno.EPROTONOSUPPORT),
            ("hash 99", add, ok_port + [(A["NETCTX_A_HASH"], u8(99))],
             errno.ERANGE),
            ("context 5 of 4", add, ok_port + [(A["NETCTX_A_CONTEXTS"],
                                                struct.pack("=Q", 1 << 5))],
             errno.ERANGE),
            ("empty context set", add, ok_port +
             [(A["NETCTX_A_CONTEXTS"], struct.pack("=Q", 0))], errno.EINVAL),
            ("short key", add, ok_port + [(A["NETCTX_A_HASH"], u8(1)),
                                          (A["NETCTX_A_HASH_KEY"],
                                           bytes(39))], errno.ERANGE),
            ("oversize bpf", add, ok_port + [(A["NETCTX_A_HASH"], u8(5)),
                                             (A["NETCTX_A_BPF"],
                                              bytes(8 * 4097))],
             errno.ERANGE),
            ("empty bpf", add, ok_port + [(A["NETCTX_A_HASH"], u8(5)),
                                          (A["NETCTX_A_BPF"], b"")],
             errno.EINVAL),
            ("bpf without ret", add, ok_port + [
                (A["NETCTX_A_HASH"], u8(5)),
                (A["NETCTX_A_BPF"], struct.pack("=HBBI", 0x28, 0, 0, 20))],
             errno.EINVAL),
            ("unknown flag", add, ok_port + [(A["NETCTX_A_FLAGS"], u32(8))],
             errno.EINVAL),
            ("reply-only attribute", add, ok_port +
             [(A["NETCTX_A_CTX_PACKETS"], struct.pack("=Q", 1))],
             errno.EINVAL),
            ("unknown attribute", add, ok_port + [(200, u32(1))],
             errno.EINVAL),
            ("assign: ctx 4 of 4", assign, conn + [(A["NETCTX_A_CTX_ID"],
                                                    u32(4))], errno.ERANGE),
            ("assign: ctx 5000", assign, conn + [(A["NETCTX_A_CTX_ID"],
                                                  u32(5000))], errno.ERANGE),
            ("assign: family 99", assign, [(A["NETCTX_A_FAMILY"], u8(99))] +
             conn[:1] + conn[2:] + [(A["NETCTX_A_CTX_ID"], u32(1))],
             errno.ERANGE),
            ("assign: family 3", assign, [(A["NETCTX_A_FAMILY"], u8(3))] +
             conn[:1] + conn[2:] + [(A["NETCTX_A_CTX_ID"], u32(1))],
             errno.EAFNOSUPPORT),
            ("assign: proto 8", assign, [(A["NETCTX_A_PROTO"], u8(8))] +
             conn[1:] + [(A["NETCTX_A_CTX_ID"], u32(1))],
             errno.EPROTONOSUPPORT),
            ("assign: 5-byte address", assign, conn[:3] +
             [(A["NETCTX_A_RADDR"], bytes(5)), conn[4],
              (A["NETCTX_A_CTX_ID"], u32(1))], errno.EINVAL),
            ("assign: v6 address for AF_INET", assign, conn[:3] +
             [(A["NETCTX_A_RADDR"], bytes(15) + b"\1"), conn[4],
              (A["NETCTX_A_CTX_ID"], u32(1))], errno.EINVAL),
            ("assign: no remote port", assign, conn[:4] +
             [(A["NETCTX_A_CTX_ID"], u32(1))], errno.EINVAL),
            ("migrate: unknown connection", C["NETCTX_CMD_MIGRATE_CONN"],
             conn + [(A["NETCTX_A_LADDR"], bytes([10, 0, 0, 2])),
                     (A["NETCTX_A_CTX_ID"], u32(1))], errno.ENOENT),
            ("unknown command", 77, ok_port, errno.EOPNOTSUPP),
        ]
        nl = cmd(["python3", "-c",
                  "import sys,json; sys.path.insert(0, %r)\n"
                  "from control import run_raw\n"
                  "print(json.dumps(run_raw(json.loads(sys.argv[1]))))" %
                  os.path.dirname(os.path.abspath(__file__)),
                  json.dumps([(n, c, [(a, v.hex()) for a, v in at], e)
                              for n, c, at, e in cases])], ns=t.srv)
        for name, got, want in json.loads(nl):
            ksft_eq(got, want, "errno of %s" % name)
        ksft_eq(ncctl(t.srv, "port", "show"), state, "state unchanged")
        ksft_eq(ncctl(t.srv, "conn", "show"), [], "no PCB created")


def run_raw(cases):
    """In the namespace: send each raw request, report the errnos."""
    nl = Genl()
    return [(name, nl.request(c, [(a, bytes.fromhex(v)) for a, v in at]),
             want) for name, c, at, want in cases]


SPEC = os.path.join(TOP, "Documentation", "netlink", "specs", "netctx.yaml")
# include/uapi/linux/netlink.h and genetlink.h
CTRL_CMD_GETPOLICY, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_OP = 10, 2, 10
CTRL_ATTR_POLICY = 8
NL_ATTR_TYPE = {"u8": 2, "u16": 3, "u32": 4, "u64": 5, "binary": 10}
NL_POLICY_TYPE_ATTR = {1: "type", 4: "min", 5: "max", 6: "min-len",
                       7: "max-len", 12: "mask"}
SCALAR_MAX = {"u8": 0xff, "u16": 0xffff, "u32": 0xffffffff}


def spec():
    """The netlink spec: {op name: (cmd, [request attrs])}, {attr: dict}."""
    import yaml
    with open(SPEC) as f:
        y = yaml.safe_load(f)
    attrs = {a["name"]: a for a in y["attribute-sets"][0]["attributes"]}
    ops = {}
    for o in y["operations"]["list"]:
        if "do" not in o and "dump" not in o:
            continue
        req = o.get("do", o.get("dump", {})).get("request", {})
        ops[o["name"]] = (C["NETCTX_CMD_" + o["name"].upper().replace(
            "-", "_")], req.get("attributes", []), "dump" in o)
    return ops, attrs


def spec_policy(a, defs):
    """What CTRL_CMD_GETPOLICY reports for attribute a of the spec."""
    ck = a.get("checks", {})
    want = {"type": NL_ATTR_TYPE[a["type"]]}
    if a["type"] == "binary":
        lo = ck.get("exact-len", ck.get("min-len", 0))
        hi = ck.get("exact-len", ck.get("max-len", 0xffff))
        if lo:
            want["min-len"] = lo
        if hi < 0xffff:
            want["max-len"] = hi
    elif "flags-mask" in ck:
        want["mask"] = sum(1 << i for i in range(len(defs[ck["flags-mask"]])))
    else:
        want["min"] = ck.get("min", 0)
        want["max"] = ck.get("max", SCALAR_MAX[a["type"]])
    return want


POLICY_OF = helper("policy_of")


def policy_is_the_spec():
    """The kernel's own description of each command's policy
    (CTRL_CMD_GETPOLICY) is the spec's: the same request attributes, no
    other, with the spec's types, ranges, lengths and masks."""
    import yaml
    ops, attrs = spec()
    with open(SPEC) as f:
        defs = {d["name"]: d.get("entries", [])
                for d in yaml.safe_load(f)["definitions"]}
    with Module(nr_contexts=2):
        got = json.loads(cmd([sys.executable, POLICY_OF,
                              json.dumps([(n, ops[n][0]) for n in ops])]))
    for name, (_, req, _) in ops.items():
        err, pol = got[name]
        ksft_eq(err, 0, "%s: policy dump" % name)
        want = {str(A["NETCTX_A_" + n.upper().replace("-", "_")]):
                {k: v for k, v in spec_policy(attrs[n], defs).items()}
                for n in req}
        have = {t: {NL_POLICY_TYPE_ATTR[int(k)]: v for k, v in d.items()
                    if int(k) in NL_POLICY_TYPE_ATTR}
                for t, d in pol.items()}
        ksft_eq(have, want, "%s: the kernel's policy is the spec's" % name)


def unused_attributes_refused():
    """A command refuses an attribute it does not use (EINVAL), another
    command's or one above its last: with one policy for the family it
    was silently ignored. Dumps without request attributes refuse every
    one. Nothing changes."""
    import errno
    ops, attrs = spec()
    ok = {"proto": u8(6), "port": u16(7001), "family": u8(2),
          "lport": u16(80), "raddr": bytes([10, 0, 0, 1]), "rport": u16(99),
          "ctx-id": u32(1), "group": u32(3), "match": u8(0), "hash": u8(0)}
    with Module(nr_contexts=2), Topo() as t:
        state = ncctl(t.srv, "port", "show")
        cases = []
        for name, (c, req, dump) in ops.items():
            base = [(A["NETCTX_A_" + n.upper().replace("-", "_")], ok[n])
                    for n in req if n in ok]
            foreign = [n for n in ("ctx-id", "port", "group", "match",
                                   "family") if n not in req][0]
            extra = (A["NETCTX_A_" + foreign.upper().replace("-", "_")],
                     ok[foreign])
            cases.append(("%s with %s" % (name, foreign), c, dump,
                          base + [extra]))
            last = max(A.values())
            cases.append(("%s with attribute %d" % (name, last), c, dump,
                          base + [(last, struct.pack("=Q", 1))]))
        res = json.loads(cmd(
            ["python3", "-c", "import sys,json; sys.path.insert(0, %r)\n"
             "from control import run_any\n"
             "print(json.dumps(run_any(json.loads(sys.argv[1]))))" %
             os.path.dirname(os.path.abspath(__file__)),
             json.dumps([(n, c, d, [(a, v.hex()) for a, v in at])
                         for n, c, d, at in cases])], ns=t.srv))
        for name, err in res:
            ksft_eq(err, errno.EINVAL, "errno of %s" % name)
        ksft_eq(ncctl(t.srv, "port", "show"), state, "no policy added")
        ksft_eq(ncctl(t.srv, "conn", "show"), [], "no PCB created")


def run_any(cases):
    """In the namespace: send each raw request or dump, report errnos."""
    nl = Genl()
    out = []
    for name, c, dump, at in cases:
        at = [(a, bytes.fromhex(v)) for a, v in at]
        out.append((name, nl.dump(nl.family, c, at)[0] if dump else
                    nl.request(c, at)))
    return out


def events():
    with Module(nr_contexts=4, linger_ms=200), Topo() as t:
        mon = Monitor(t.srv)
        ncctl(t.srv, "port", "add", "tcp", PORT)
        ncctl(t.srv, "conn", "assign", "udp", "*:9", "10.77.0.1:9", "ctx", 1)
        srv = listener(t.srv, t.V4[1], PORT)
        cli = connections(t.cli, t.V4[1], PORT, 1)
        p = pcbs_by_rport(t.srv)[cli.ports[0]]
        ncctl(t.srv, "conn", "migrate", "tcp", p["local"], p["remote"],
              "ctx", (p["ctx"] + 1) % 4)
        cli.close()
        srv.close()
        busywait(lambda: not pcbs_by_rport(t.srv, proto="tcp"))
        ncctl(t.srv, "port", "del", "tcp", PORT)
        want = ("conn-assign", "conn-new", "conn-migrate", "conn-close",
                "port-del")
        busywait(lambda: all(n in mon.names() for n in want))
        mon.close()
        evs = [e for e in mon.events if not mon.is_probe(e)]
        names = mon.names()
        ksft_eq([n for n in names if n.startswith("port")],
                ["port-add", "port-del"], "port events")
        for name in want:
            ksft_true(name in names, "%s in %r" % (name, names))
        mig = [e for e in evs if e["event"] == "conn-migrate"][0]
        ksft_eq((mig["remote"], mig["ctx"], mig["origin"]),
                (p["remote"], (p["ctx"] + 1) % 4, "migrated"), "migrate")


def assignment_expires():
    """A pre-assignment that sees no packet is there until its timeout,
    then gone. On a slow machine ncctl may take longer than the timeout:
    then try again with a longer one."""
    with Module(nr_contexts=2), Topo() as t:
        for ms in (300, 1000, 3000, 10000, 30000):
            t0 = time.monotonic()
            ncctl(t.srv, "conn", "assign", "tcp", "*:80", "10.77.0.1:999",
                  "ctx", 1, "timeout", ms)
            shown = len(ncctl(t.srv, "conn", "show"))
            if shown == 1:
                break
            ksft_true(time.monotonic() - t0 > ms / 1000,
                      "assignment gone before its timeout")
        ksft_eq(shown, 1, "assignment")
        ksft_true(busywait(lambda: not ncctl(t.srv, "conn", "show")),
                  "assignment did not expire")

# Module parameters insmod must refuse: out of range, or a zero that would
# turn the module into one that steers nothing.
BAD_PARAMS = ["nr_contexts=1025", "queue_len=1", "queue_len=1048577",
              "max_conns=0", "max_conns=16777217", "tcp_timeout_ms=0",
              "udp_timeout_ms=0", "assign_timeout_ms=0", "linger_ms=0",
              "new_timeout_ms=0", "float_len=0", "netns_max_new=0",
              "netns_max_ports=0", "netns_share_pct=0",
              "netns_share_pct=101", "hash_key=00", "hash_key=" + "g" * 32]


def bad_params():
    if os.path.exists("/sys/module/netctx"):
        cmd(["rmmod", "netctx"])
    def reasons():
        return cmd(["dmesg"]).count("netctx: invalid module parameters")
    for param in BAD_PARAMS:
        before = reasons()
        r = cmd(["insmod", KO, param], check=False)
        ksft_true(r.returncode != 0, "insmod %s refused" % param)
        ksft_true("Invalid parameters" in r.stderr,
                  "insmod %s: %r" % (param, r.stderr))
        ksft_true(not os.path.exists("/sys/module/netctx"),
                  "loaded with %s" % param)
        ksft_eq(reasons(), before + 1, "reason logged for %s" % param)
        if os.path.exists("/sys/module/netctx"):
            cmd(["rmmod", "netctx"])
    with Module(netns_max_new=1, netns_max_ports=1, netns_share_pct=1):
        pass


if __name__ == "__main__":
    cases = [("hash_default_predicted", hash_default),
             ("hash_toeplitz_predicted", hash_toeplitz),
             ("hash_remote_addr_groups_clients", hash_remote_addr),
             ("hash_round_robin", hash_round_robin),
             ("hash_least_loaded", hash_least_loaded),
             ("hash_bpf_program", hash_bpf),
             ("preassign_ncctl_server_and_client", preassign_ncctl),
             ("preassign_library_session", preassign_library),
             ("preassign_library_server", preassign_library_server),
             ("unprivileged_eperm_but_own_sockets", unprivileged),
             ("unprivileged_assign_quota", unprivileged_assign_quota),
             ("sockopt_families", sockopt_families),
             ("bad_input_ncctl", bad_input_ncctl),
             ("bad_input_netlink", bad_input_netlink),
             ("policy_is_the_spec", policy_is_the_spec),
             ("unused_attributes_refused", unused_attributes_refused),
             ("bad_module_params_refused", bad_params),
             ("events", events),
             ("assignment_expires", assignment_expires)]
    only = sys.argv[1:]
    sys.exit(ksft_run([c for c in cases if not only or c[0] in only]))
