#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PCB lifecycle: live connections stick to their context when the port's
policy changes or goes away; PCBs are freed after close + linger and after
the idle timeout; queue overflow drops are counted, never silent."""
import socket
import subprocess
import sys
import time

from nclib import (Module, Topo, busywait, cmd, deadline, helper, ksft_eq,
                   ksft_run, ksft_true, ncctl, server_report, traffic,
                   udp_stat)

PORT = 5000


def open_conns(t, n, family=4):
    """n live TCP connections cli -> srv:PORT, as socket pairs."""
    addr = t.addr(family, "srv")
    fam = socket.AF_INET if family == 4 else socket.AF_INET6
    srv = cmd(["python3", helper("select_echo"), str(int(fam)), addr,
               str(PORT), str(n)], ns=t.srv, background=True)
    ksft_eq(srv.stdout.readline().strip(), "ready", "echo server")
    cli = subprocess.Popen(["ip", "netns", "exec", t.cli, "python3",
                            helper("echo_conns"), addr, str(PORT), str(n)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    ports = [int(p) for p in cli.stdout.readline().split()]
    ksft_eq(len(ports), n, "client connections")
    return srv, cli, ports


def ping(cli):
    """One request/response on every connection."""
    cli.stdin.write("x\n")
    cli.stdin.flush()
    ksft_eq(cli.stdout.readline().strip(), "ok", "echo round trip")


def close(srv, cli):
    cli.stdin.close()
    cli.wait(timeout=30)
    srv.wait(timeout=30)


def by_port(pcbs):
    return {int(p["remote"].rsplit(":", 1)[1]): p for p in pcbs}


def sticky():
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "0")
        srv, cli, ports = open_conns(t, 4)
        ping(cli)
        before = by_port(ncctl(t.srv, "conn", "show", "port", PORT))
        ksft_eq(sorted(before), sorted(ports), "PCBs of the live conns")
        ksft_true(all(p["ctx"] == 0 for p in before.values()), "on ctx 0")

        # A new policy only steers new connections.
        ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "1", "replace")
        ping(cli)
        after = by_port(ncctl(t.srv, "conn", "show", "port", PORT))
        for port, p in after.items():
            ksft_eq(p["ctx"], 0, "ctx of live conn %d after replace" % port)
            ksft_true(p["packets"] > before[port]["packets"],
                      "conn %d still managed" % port)
        extra, port = extra_conn(t)
        new = by_port(ncctl(t.srv, "conn", "show", "port", PORT))
        ksft_eq(new[port]["ctx"], 1, "new conn follows the new policy")
        extra.stdin.close()
        extra.wait(timeout=30)

        # Without a policy, live connections are still steered.
        ncctl(t.srv, "port", "del", "tcp", PORT)
        pkts = ncctl(None, "ctx", "show")[0]["packets"]
        ping(cli)
        ksft_true(ncctl(None, "ctx", "show")[0]["packets"] > pkts,
                  "ctx 0 still receives after port del")
        close(srv, cli)


def extra_conn(t):
    """One more connection to PORT, left in the listener's accept queue:
    the handshake alone creates its PCB. Returns (process, local port)."""
    cli = subprocess.Popen(
        ["ip", "netns", "exec", t.cli, "python3", helper("hold_client"),
         t.addr(4, "srv"), str(PORT), "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return cli, int(cli.stdout.readline())


def timers_fired():
    return sum(c["timers_fired"] for c in ncctl(None, "ctx", "show"))


def linger_and_idle():
    with Module(nr_contexts=2, linger_ms=300, udp_timeout_ms=700,
                tcp_timeout_ms=400), Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "tcp", PORT)
        ncctl(t.srv, "port", "add", "udp", PORT)
        srv, cli, ports = open_conns(t, 3)
        ping(cli)
        before = by_port(ncctl(t.srv, "conn", "show", "proto", "tcp"))
        ksft_eq(len(before), 3, "TCP PCBs while open")
        # Idle beyond tcp_timeout_ms, twice, but the sockets live: each
        # PCB's idle timer fires, finds its socket and keeps it. A
        # timer armed before the ping fires early once (and re-arms):
        # three rounds of the three PCBs' timers hold two idle checks.
        fired = timers_fired()
        ksft_true(busywait(lambda: timers_fired() >= fired + 3 * 3),
                  "idle timers fired")
        ping(cli)
        after = by_port(ncctl(t.srv, "conn", "show", "proto", "tcp"))
        ksft_eq(sorted(after), sorted(before), "idle live TCP PCBs kept")
        for port, p in after.items():
            ksft_eq(p["ctx"], before[port]["ctx"], "same context")
            ksft_true(p["packets"] > before[port]["packets"], "managed")
        close(srv, cli)
        t0 = time.time()
        gone = busywait(lambda: not ncctl(t.srv, "conn", "show", "proto",
                                          "tcp"), timeout=10)
        ksft_true(gone, "TCP PCBs still there after close + linger")
        ksft_true(time.time() - t0 < deadline(5), "freed late")

        srv = traffic(t.srv, "server", "udp", addr, PORT, idle=1)
        managed = sum(c["packets"] for c in ncctl(None, "ctx", "show"))
        traffic(t.cli, "client", "udp", addr, PORT, conns=3, packets=5)
        # The PCBs may already be gone on a slow machine (700 ms): the
        # context counters outlive them and show the flows were managed.
        def udp_managed():
            return sum(c["packets"] for c in
                       ncctl(None, "ctx", "show")) - managed
        busywait(lambda: udp_managed() >= 15)
        ksft_eq(udp_managed(), 15, "UDP datagrams managed")
        server_report(srv)
        gone = busywait(lambda: not ncctl(t.srv, "conn", "show", "proto",
                                          "udp"), timeout=10)
        ksft_true(gone, "UDP PCBs still there after idle timeout")
        fired = sum(c["timers_fired"] for c in ncctl(None, "ctx", "show"))
        ksft_true(fired >= 6, "timers fired: %d" % fired)


def overflow():
    """With the context's CPU hogged by a real-time task and a tiny queue,
    a UDP flood overflows it: every datagram is either received by the
    application, counted as a netctx drop, or counted by UDP itself."""
    with Module(nr_contexts=1, queue_len=8), Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", PORT)
        cpu = ncctl(None, "ctx", "show")[0]["cpu"]
        hog = subprocess.Popen(["taskset", "-c", str(cpu), "chrt", "-f",
                                "50", "python3", helper("spin"), "8"])
        try:
            srv = traffic(t.srv, "server", "udp", addr, PORT, idle=3,
                          timeout=60)
            cli = traffic(t.cli, "client", "udp", addr, PORT, conns=4,
                          packets=500, chunk=200)
            report, _ = server_report(srv)
        finally:
            hog.kill()
            hog.wait()
        sent = 4 * 500
        got = sum(f["packets"] for f in report.values())
        drops = ncctl(None, "ctx", "show")[0]["drops"]
        rcvbuf = udp_stat(t.srv, "RcvbufErrors")
        ksft_true(cli["ok"], "client")
        ksft_true(drops > 0, "no drop counted (got %d of %d)" % (got, sent))
        ksft_eq(got + drops + rcvbuf, sent,
                "received + dropped (%d + %d + %d)" % (got, drops, rcvbuf))
        for f in report.values():
            ksft_true(f["ok"] and f["ordered"], "flow %r" % f)


def table_full():
    """Beyond max_conns new flows are processed unmanaged and counted:
    nothing is lost and memory stays bounded. (One netns may have the
    whole table here: netns_share_pct=100.)"""
    with Module(nr_contexts=2, max_conns=4, netns_share_pct=100), \
            Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", PORT)
        srv = traffic(t.srv, "server", "udp", addr, PORT, idle=2)
        cli = traffic(t.cli, "client", "udp", addr, PORT, conns=8,
                      packets=5)
        ksft_eq(len(ncctl(t.srv, "conn", "show")), 4, "PCBs at max_conns")
        report, _ = server_report(srv)
        ksft_true(cli["ok"], "client")
        ksft_eq(sorted(f["packets"] for f in report.values()), [5] * 8,
                "datagrams received per flow")
        ctxs = ncctl(None, "ctx", "show")
        ksft_eq(sum(c["overflows"] for c in ctxs), 4 * 5,
                "packets of flows refused")
        ksft_eq(sum(c["packets"] for c in ctxs), 4 * 5, "managed packets")


if __name__ == "__main__":
    sys.exit(ksft_run([("sticky_on_policy_change", sticky),
                       ("table_full_counted", table_full),
                       ("freed_after_linger_and_idle", linger_and_idle),
                       ("queue_overflow_counted", overflow)]))
