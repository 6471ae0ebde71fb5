#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Soak: NETCTX_SOAK_SECONDS (600) of everything at once, for make soak on
the debug kernel (run.sh then fails on any checker report or kmemleak
suspect). Not part of make check.

Beside each other, until the time is up:
- TCP connection churn, IPv4 and IPv6: rounds of 4 connections, each
  with its bytes checked;
- UDP flow churn, IPv4 and IPv6: rounds of 8 flows of 100 datagrams,
  each checked for content and order, and reconciled: every datagram
  sent was received by the application, or counted as dropped by netctx
  (the contexts' drops) or by UDP (RcvbufErrors);
- a long TCP stream of 4 connections, migrated to another context over
  and over (in batches through ncctl -b);
- policy churn: another port's policy added and deleted, and the UDP
  port's hash replaced, default and round-robin in turn.
Then the stream's bytes are checked, nothing is left queued, and every
PCB goes once its flows are over (their timeouts)."""
import os
import sys
import threading
import time

from nclib import (NCCTL, Client, Module, Topo, busywait, cmd, ksft_eq,
                   ksft_run, ksft_true, lport, ncctl, server_report, traffic,
                   udp_stat)

SECONDS = int(os.environ.get("NETCTX_SOAK_SECONDS", "600"))
TCP_PORT, UDP_PORT, STREAM_PORT, CHURN_PORT = 5400, 5401, 5402, 5403


class Worker(threading.Thread):
    """Runs step() until the end; keeps count and the first failure."""

    def __init__(self, name, step, end):
        super().__init__(name=name, daemon=True)
        self.step, self.end = step, end
        self.rounds, self.error, self.stats = 0, None, {}

    def run(self):
        try:
            while time.monotonic() < self.end:
                self.step(self)
                self.rounds += 1
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = "%s: %r" % (self.name, e)

    def add(self, key, n):
        self.stats[key] = self.stats.get(key, 0) + n


def ctx_totals():
    ctxs = ncctl(None, "ctx", "show")
    return {k: sum(c[k] for c in ctxs)
            for k in ("packets", "drops", "queued", "migrations_in")}


def soak():
    with Module(nr_contexts=3, udp_timeout_ms=3000), Topo() as t:
        for proto, port in (("tcp", TCP_PORT), ("udp", UDP_PORT),
                            ("tcp", TCP_PORT + 10), ("udp", UDP_PORT + 10),
                            ("tcp", STREAM_PORT)):
            ncctl(t.srv, "port", "add", proto, port)
        end = time.monotonic() + SECONDS
        udp_lock = threading.Lock()

        def tcp_round(family):
            addr = t.addr(family, "srv")
            port = TCP_PORT + (family == 6) * 10

            def step(w):
                srv = traffic(t.srv, "server", "tcp", addr, port, conns=4)
                cli = traffic(t.cli, "client", "tcp", addr, port, conns=4,
                              bytes=100000)
                report, rc = server_report(srv)
                if not cli["ok"] or rc:
                    raise AssertionError("TCP round: %r" % report)
                w.add("bytes", 4 * 100000)
            return step

        def udp_round(family):
            addr = t.addr(family, "srv")
            port = UDP_PORT + (family == 6) * 10

            def step(w):
                with udp_lock:
                    drops0 = ctx_totals()["drops"]
                    rcvbuf0 = udp_stat(t.srv, "RcvbufErrors", ipv6=True)
                    srv = traffic(t.srv, "server", "udp", addr, port,
                                  idle=3)
                    cli = traffic(t.cli, "client", "udp", addr, port,
                                  conns=8, packets=100, chunk=200)
                    report, _ = server_report(srv)
                    drops = ctx_totals()["drops"] - drops0
                    rcvbuf = udp_stat(t.srv, "RcvbufErrors",
                                      ipv6=True) - rcvbuf0
                got = sum(f["packets"] for f in report.values())
                if not cli["ok"] or not all(f["ok"] and f["ordered"]
                                            for f in report.values()):
                    raise AssertionError("UDP round: %r" % report)
                # Other workers' drops may count too: an upper bound.
                if not got + rcvbuf <= 800 <= got + rcvbuf + drops:
                    raise AssertionError(
                        "UDP round: %d sent, %d received, %d + %d dropped"
                        % (800, got, drops, rcvbuf))
                w.add("datagrams", got)
                w.add("exact", int(got + rcvbuf + drops == 800))
            return step

        def migrate(w):
            conns = ncctl(t.srv, "conn", "show", "proto", "tcp", "port",
                          STREAM_PORT)
            lines = ["conn migrate tcp %s %s ctx %d\n" %
                     (c["local"], c["remote"], (c["ctx"] + 1) % 3)
                     for c in conns if lport(c) == STREAM_PORT]
            r = cmd([NCCTL, "-force", "-b", "-"], ns=t.srv,
                    stdin="".join(lines), check=False)
            w.add("requests", len(lines))
            w.add("refused", r.stderr.count("\n"))

        def policies(w):
            ncctl(t.srv, "port", "add", "udp", CHURN_PORT)
            ncctl(t.srv, "port", "del", "udp", CHURN_PORT)
            ncctl(t.srv, "port", "add", "udp", UDP_PORT, "hash",
                  ("round-robin", "default")[w.rounds % 2], "replace")
            w.add("changes", 3)
            time.sleep(0.05)

        addr = t.addr(4, "srv")
        stream_srv = traffic(t.srv, "server", "tcp", addr, STREAM_PORT,
                             conns=4, timeout=SECONDS + 600)
        stream = Client(t.cli, "tcp", addr, STREAM_PORT, conns=4,
                        chunk=20000, pace=0.005, timeout=SECONDS + 600)
        ksft_true(busywait(lambda: len(ncctl(t.srv, "conn", "show", "port",
                                             STREAM_PORT)) >= 4),
                  "stream managed")
        workers = [Worker("tcp4", tcp_round(4), end),
                   Worker("tcp6", tcp_round(6), end),
                   Worker("udp4", udp_round(4), end),
                   Worker("udp6", udp_round(6), end),
                   Worker("migrate", migrate, end),
                   Worker("policies", policies, end)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=SECONDS + 600)
            ksft_true(not w.is_alive(), "%s finished" % w.name)
            ksft_eq(w.error, None, "%s" % w.name)
            print("# %s: %d rounds %r" % (w.name, w.rounds, w.stats))
        result = stream.finish()
        report, rc = server_report(stream_srv)
        ksft_true(result.get("ok") and rc == 0, "stream: %r" % report)
        ksft_eq(len(report), 4, "stream connections")
        for port, flow in report.items():
            ksft_true(flow["ok"] and flow["bytes"] == result["sent"][port],
                      "stream flow %r, sent %r" % (flow, result["sent"]))
        print("# stream: %d bytes through %d moves" %
              (sum(result["sent"].values()), ctx_totals()["migrations_in"]))
        mig = workers[4].stats
        ksft_true(mig.get("requests", 0) > 2 * mig.get("refused", 0),
                  "migrations mostly done: %r" % mig)
        totals = ctx_totals()
        print("# contexts: %(packets)d packets, %(drops)d drops, "
              "%(migrations_in)d migrations" % totals)
        ksft_eq(totals["queued"], 0, "packets left queued")
        ksft_true(busywait(lambda: not ncctl(t.srv, "conn", "show"),
                           timeout=120),
                  "PCBs left: %r" % ncctl(t.srv, "conn", "show")[:4])


if __name__ == "__main__":
    sys.exit(ksft_run([("soak", soak)]))
