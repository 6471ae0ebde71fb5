#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Steering: many connections to a managed port between two netns are
spread over the contexts by the default hash, arrive intact, every
counter adds up to what the kernel received, and each connection's
packets were all processed on one context (checked with tcp:tcp_probe).
Unmanaged traffic is not touched."""
import collections
import sys

import nchash
from nclib import (KprobeHits, Module, NftCounter, TcpProbe, Topo, UdpProbe,
                   busywait, ksft_eq, ksft_run, ksft_true, ncctl, rport,
                   server_report, traffic)

NR_CTX = 4
PORT = 5000
CONNS = 16


def conns_on(ns, proto, port):
    return ncctl(ns, "conn", "show", "proto", proto, "port", port)


def check_counters(t, proto, nft):
    """PCB, context and kernel (nft) counters agree, once all is drained:
    read again until they do, then check that one snapshot."""
    def snapshot():
        return (conns_on(t.srv, proto, PORT), nft.read(),
                ncctl(None, "ctx", "show"))

    def mismatches(snap):
        pcbs, (pkts, byts), ctxs = snap
        bad = []

        def want(a, b, what):
            if a != b:
                bad.append("%s: %r != %r" % (what, a, b))
        want((sum(c["packets"] for c in pcbs),
              sum(c["bytes"] for c in pcbs)), (pkts, byts),
             "PCB counters vs nft")
        want(len(ctxs), NR_CTX, "contexts")
        for c in ctxs:
            mine = [p for p in pcbs if p["ctx"] == c["id"]]
            want(c["packets"], sum(p["packets"] for p in mine),
                 "ctx %d packets" % c["id"])
            want(c["bytes"], sum(p["bytes"] for p in mine),
                 "ctx %d bytes" % c["id"])
            want(c["conns"], len(mine), "ctx %d conns" % c["id"])
            want(c["drops"], 0, "ctx %d drops" % c["id"])
        return bad

    snap = busywait(lambda: (lambda s: None if mismatches(s) else s)(
        snapshot()))
    if not snap:
        snap = snapshot()
        for what in mismatches(snap):
            ksft_true(False, what)
    return snap[0], snap[2]


def check_tcp_probe(events, pcbs, ctxs):
    """Every receive of a server socket ran in the PCB's context thread
    on that context's CPU, or in the server process itself (socket
    backlog, processed at release_sock), never anywhere else."""
    ctx_of = {p["remote"].rsplit(":", 1)[1]: p["ctx"] for p in pcbs}
    cpu_of = {c["id"]: c["cpu"] for c in ctxs}
    pids = Module.thread_pids()
    seen = collections.defaultdict(set)
    for e in events:
        if e["lport"] != PORT:
            continue
        ctx = ctx_of.get(str(e["rport"]))
        ksft_true(ctx is not None, "tcp_probe for unknown conn %r" % e)
        if e["pid"] in pids:
            ksft_eq(pids[e["pid"]], ctx, "context that ran %r" % e)
            ksft_eq(e["cpu"], cpu_of[ctx], "cpu that ran %r" % e)
            seen[ctx].add(e["rport"])
        else:
            ksft_eq(e["comm"], "ncsrv", "task that ran %r" % e)
    ksft_eq(sum(len(s) for s in seen.values()), len(pcbs),
            "connections seen received by a context")


def check_udp_probe(events, ctxs):
    """Every datagram joined its socket in a context thread, on that
    context's CPU, as many in each context as the context counted."""
    pids = Module.thread_pids()
    cpu_of = {c["id"]: c["cpu"] for c in ctxs}
    per_ctx = collections.Counter()
    for e in events:
        ksft_true(e["pid"] in pids, "UDP receive outside netctx: %r" % e)
        ksft_eq(e["cpu"], cpu_of[pids[e["pid"]]], "cpu of %r" % e)
        per_ctx[pids[e["pid"]]] += 1
    for c in ctxs:
        ksft_eq(per_ctx[c["id"]], c["packets"],
                "UDP receives run by netctx/%d" % c["id"])


def spread(proto, family):
    def test():
        probe = TcpProbe if proto == "tcp" else UdpProbe
        # PCBs outlive the test, however slow: counters stay to compare.
        with Module(nr_contexts=NR_CTX, linger_ms=3600000,
                    udp_timeout_ms=3600000), Topo() as t:
            addr = t.addr(family, "srv")
            ncctl(t.srv, "port", "add", proto, PORT, "hash", "default")
            with NftCounter(t.srv, proto, PORT) as nft, probe() as tp:
                if proto == "tcp":
                    srv = traffic(t.srv, "server", proto, addr, PORT,
                                  conns=CONNS, comm="ncsrv")
                    cli = traffic(t.cli, "client", proto, addr, PORT,
                                  conns=CONNS, bytes=200000, chunk=3000)
                else:
                    srv = traffic(t.srv, "server", proto, addr, PORT,
                                  comm="ncsrv")
                    cli = traffic(t.cli, "client", proto, addr, PORT,
                                  conns=CONNS, packets=50, chunk=1200)
                report, rc = server_report(srv)
                ksft_true(cli["ok"], "client saw a failure")
                ksft_eq(rc, 0, "server verdict: %r" % report)
                ksft_eq(len(report), CONNS, "connections received")
                for flow in report.values():
                    ksft_true(flow["ok"], "bytes corrupted: %r" % flow)
                    if proto == "udp":
                        ksft_true(flow["ordered"], "reordered: %r" % flow)
                        ksft_eq(flow["packets"], 50, "datagrams")
                pcbs, ctxs = check_counters(t, proto, nft)
                events = tp.events()
            ksft_eq(len(pcbs), CONNS, "PCBs")
            ksft_eq(sorted(int(p["remote"].rsplit(":", 1)[1])
                           for p in pcbs), sorted(cli["ports"]),
                    "PCB remote ports")
            # Spread exactly as the default hash says, with the key the
            # module drew at load (the test recomputes it).
            key = Module.hash_key()
            for p in pcbs:
                h = nchash.hash_default(p["remote"].rsplit(":", 1)[0]
                                        .strip("[]"), rport(p), PORT, key)
                ksft_eq((p["hash"], p["ctx"]), (h, h % NR_CTX),
                        "hash and ctx of %s" % p["remote"])
            used = {p["ctx"] for p in pcbs}
            ksft_true(len(used) >= 2, "16 flows all on %s" % used)
            for p in pcbs:
                ksft_eq(p["origin"], "hash", "origin")
                ksft_eq(p.get("first_ctx"), p["ctx"], "first packet ctx")
            if proto == "tcp":
                check_tcp_probe(events, pcbs, ctxs)
            else:
                check_udp_probe(events, ctxs)
    return test


def unmanaged():
    with Module(nr_contexts=NR_CTX), Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "tcp", PORT)
        for proto in ("tcp", "udp"):
            kw = {"conns": 4}
            srv = traffic(t.srv, "server", proto, addr, PORT + 1,
                          **({"conns": 4} if proto == "tcp" else {}))
            traffic(t.cli, "client", proto, addr, PORT + 1, **kw)
            report, rc = server_report(srv)
            ksft_eq(rc, 0, "server verdict %r" % report)
        ksft_eq(ncctl(t.srv, "conn", "show"), [], "PCBs")
        for c in ncctl(None, "ctx", "show"):
            ksft_eq((c["packets"], c["bytes"], c["conns"], c["drops"]),
                    (0, 0, 0, 0), "ctx %d counters" % c["id"])


def hooks_where_managed():
    """A netns that manages nothing has no netctx hook: its packets never
    enter the module. Its first policy adds them; a packet to a port it
    does not manage then leaves at the port filter, before any lookup.
    Counted by the kernel itself: kprobes on the hooks and on the
    classifier."""
    probes = {"nctest_hook4": "netctx:netctx_hook_v4",
              "nctest_hook6": "netctx:netctx_hook_v6",
              "nctest_classify": "netctx:netctx_classify"}

    def exchange(t, proto, family, port):
        addr = t.addr(family, "srv")
        srv = traffic(t.srv, "server", proto, addr, port,
                      **({"conns": 2} if proto == "tcp" else {}))
        cli = traffic(t.cli, "client", proto, addr, port, conns=2,
                      packets=20)
        report, rc = server_report(srv)
        ksft_true(cli["ok"], "client saw a failure")
        ksft_eq(rc, 0, "server verdict %r" % report)

    with Module(nr_contexts=NR_CTX), Topo() as t, \
            KprobeHits(**probes) as kp:
        for proto in ("tcp", "udp"):
            for family in (4, 6):
                exchange(t, proto, family, PORT + 1)
        ksft_eq(kp.hits(), dict.fromkeys(probes, 0),
                "netctx hooks run where nothing is managed")
        ncctl(t.srv, "port", "add", "udp", PORT)
        for proto in ("tcp", "udp"):
            for family in (4, 6):
                exchange(t, proto, family, PORT + 1)
        hits = kp.hits()
        ksft_true(hits["nctest_hook4"] > 0 and hits["nctest_hook6"] > 0,
                  "hooks of a managed netns ran: %r" % hits)
        ksft_eq(hits["nctest_classify"], 0,
                "classifier runs for other ports")
        exchange(t, "udp", 4, PORT)
        ksft_true(kp.hits()["nctest_classify"] > 0,
                  "classifier runs for the managed port")
        ksft_eq(sum(c["packets"] for c in ncctl(None, "ctx", "show")), 40,
                "datagrams delivered by contexts")


if __name__ == "__main__":
    cases = [("spread_%s_ipv%d" % (p, f), spread(p, f))
             for p in ("tcp", "udp") for f in (4, 6)]
    cases.append(("unmanaged_untouched", unmanaged))
    cases.append(("hooks_only_where_managed", hooks_where_managed))
    only = sys.argv[1:]
    sys.exit(ksft_run([c for c in cases if not only or c[0] in only]))
