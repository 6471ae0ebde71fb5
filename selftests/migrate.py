#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Live migration: connections moved between contexts again and again
while data flows keep every byte, in order, exactly once; the kernel's
own view (tcp:tcp_probe) shows receive processing follow the connection;
an application migrates its own socket with the socket option."""
import subprocess
import sys
import threading
import time

from nclib import (Module, TcpProbe, Topo, busywait, ksft_eq, ksft_run,
                   ksft_true, ncctl, server_report, traffic, udp_stat)

PORT = 5000
NETCTX_SO_ASSIGN, NETCTX_SO_MIGRATE, NETCTX_SO_GET = 3600, 3601, 3600


class Migrator(threading.Thread):
    """Moves every PCB on PORT to the next context every `period` s."""

    def __init__(self, ns, period=0.15, nr_ctx=4):
        super().__init__()
        self.ns, self.period, self.nr = ns, period, nr_ctx
        self.stop = threading.Event()
        self.moves = 0
        self.aborted = 0
        self.gone = 0
        self.rounds = 0
        self.error = None

    def run(self):
        step = 1
        try:
            while not self.stop.is_set():
                # Closing connections too: their FIN may race the move.
                for p in ncctl(self.ns, "conn", "show", "port", PORT):
                    to = (p["ctx"] + step) % self.nr
                    r = ncctl(self.ns, "conn", "migrate", p["proto"],
                              p["local"], p["remote"], "ctx", to,
                              check=False)
                    if r.returncode == 0:
                        self.moves += 1
                    elif "no such managed connection" in r.stderr:
                        self.gone += 1
                    elif "migration aborted" in r.stderr:
                        self.aborted += 1
                    else:
                        raise AssertionError(r.stderr)
                self.rounds += 1
                step = step % (self.nr - 1) + 1
                time.sleep(self.period)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


def migrations():
    ctxs = ncctl(None, "ctx", "show")
    return (sum(c["migrations_in"] for c in ctxs),
            sum(c["migrations_out"] for c in ctxs))


def while_migrating(t, mig, proto, addr, after=0.0, **client):
    """Runs a traffic client cli -> srv while mig moves the connections
    (from their first PCB until `after` seconds past the client's end);
    returns the client's report. The caller collects its server, then
    checks mig.error."""
    result = {}
    th = threading.Thread(target=lambda: result.update(
        traffic(t.cli, "client", proto, addr, PORT, timeout=300,
                **client)))
    th.start()
    busywait(lambda: ncctl(t.srv, "conn", "show"), timeout=30)
    mig.start()
    th.join()
    time.sleep(after)
    mig.stop.set()
    mig.join()
    return result


def tcp_under_migration(family):
    def test():
        # A short linger: FINs land while connections are moved.
        with Module(nr_contexts=4, linger_ms=50), Topo() as t, \
                TcpProbe() as tp:
            addr = t.addr(family, "srv")
            ncctl(t.srv, "port", "add", "tcp", PORT)
            srv = traffic(t.srv, "server", "tcp", addr, PORT, conns=4,
                          comm="ncsrv", timeout=300)
            mig = Migrator(t.srv)
            # Keep moving them through the close and the linger.
            result = while_migrating(t, mig, "tcp", addr, after=1,
                                     conns=4, bytes=3000000, chunk=20000,
                                     pace=0.008)
            report, rc = server_report(srv, timeout=300)
            events = tp.events()
            ksft_true(mig.error is None, "migrator: %s" % mig.error)
            print("# %d migrations, %d of closed connections, %d rounds" %
                  (mig.moves, mig.gone, mig.rounds))
            ksft_true(mig.moves >= 8, "only %d migrations" % mig.moves)
            ksft_true(result.get("ok"), "client %r" % result)
            ksft_eq(rc, 0, "server verdict %r" % report)
            for flow in report.values():
                ksft_true(flow["ok"] and flow["bytes"] == 3000000,
                          "flow %r" % flow)
            ksft_eq(migrations(), (mig.moves, mig.moves), "counters")
            pids = Module.thread_pids()
            ran = {}
            for e in events:
                if e["lport"] == PORT and e["pid"] in pids:
                    ran.setdefault(e["rport"], set()).add(pids[e["pid"]])
            ksft_true(any(len(s) > 1 for s in ran.values()),
                      "tcp_probe never saw a connection change context: %r"
                      % ran)
            for c in ncctl(None, "ctx", "show"):
                ksft_eq(c["drops"], 0, "drops on ctx %d" % c["id"])
    return test


def udp_order_under_migration():
    """A UDP flow is migrated 20+ times while datagrams stream: each one
    arrives exactly once and in order."""
    with Module(nr_contexts=4), Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", PORT)
        srv = traffic(t.srv, "server", "udp", addr, PORT, idle=3,
                      timeout=300)
        mig = Migrator(t.srv, period=0.05)
        while_migrating(t, mig, "udp", addr, conns=2, packets=3000,
                        chunk=300, pace=0.001)
        report, _ = server_report(srv, timeout=300)
        ksft_true(mig.error is None, "migrator: %s" % mig.error)
        ksft_true(mig.moves >= 20, "only %d migrations" % mig.moves)
        ksft_eq(len(report), 2, "flows")
        for flow in report.values():
            ksft_eq((flow["packets"], flow["ok"], flow["ordered"]),
                    (3000, True, True), "flow %r" % flow)
        ksft_eq(sum(c["drops"] for c in ncctl(None, "ctx", "show")), 0,
                "drops")


SENT = 80000


def aborted_on_float_overflow():
    """With a float queue of one packet, a flood overflows it during a
    move: the migration fails cleanly (EBUSY), the flow stays on its
    context, in order, and every datagram is received or counted."""
    with Module(nr_contexts=4, float_len=1), Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", PORT)
        srv = traffic(t.srv, "server", "udp", addr, PORT, idle=3,
                      timeout=300, rcvbuf=128)
        mig = Migrator(t.srv, period=0.02)
        while_migrating(t, mig, "udp", addr, conns=1, packets=SENT,
                        chunk=100)
        pcbs = ncctl(t.srv, "conn", "show")
        report, _ = server_report(srv, timeout=300)
        print("# %d migrations, %d aborted" % (mig.moves, mig.aborted))
        ksft_true(mig.error is None, "migrator: %s" % mig.error)
        ksft_true(mig.aborted >= 1, "no migration was aborted")
        ctxs = ncctl(None, "ctx", "show")
        ksft_eq(migrations(), (mig.moves, mig.moves), "only moves counted")
        ksft_eq(len(pcbs), 1, "one PCB")
        ksft_eq(sum(c["conns"] for c in ctxs), 1, "on one context")
        flow = list(report.values())[0]
        ksft_true(flow["ok"] and flow["ordered"], "flow %r" % flow)
        ksft_eq(flow["packets"] + sum(c["drops"] for c in ctxs) +
                udp_stat(t.srv, "RcvbufErrors"), SENT, "received + dropped")


def sockopt_migrate_own_socket():
    """The application moves its own connection and reads it back."""
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "0")
        script = """
import socket, struct, sys
SOL_IP = 0
s = socket.socket(); s.setsockopt(1, 2, 1)
s.bind((%r, %d)); s.listen(4); print('ready', flush=True)
c, _ = s.accept()
def get():
    return struct.unpack('=III', c.getsockopt(SOL_IP, %d, 48)[:12])
before = get()
c.setsockopt(SOL_IP, %d, struct.pack('=IIII28sI', 3, 0, 0, 0, b'', 0))
after = get()
n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
print(before[0], before[1], after[0], after[1], n, flush=True)
""" % (t.V4[1], PORT, NETCTX_SO_GET, NETCTX_SO_MIGRATE)
        srv = subprocess.Popen(["ip", "netns", "exec", t.srv, "python3",
                                "-c", script], stdout=subprocess.PIPE,
                               text=True)
        ksft_eq(srv.stdout.readline().strip(), "ready", "server")
        cli = subprocess.run(["ip", "netns", "exec", t.cli, "python3", "-c",
                              "import socket,time\n"
                              "s=socket.create_connection((%r,%d))\n"
                              "for i in range(50):\n"
                              "  s.sendall(b'y'*4000);time.sleep(0.01)\n"
                              "s.close()" % (t.V4[1], PORT)],
                             timeout=120)
        out = srv.stdout.readline().split()
        srv.wait(timeout=60)
        ksft_eq(cli.returncode, 0, "client")
        # ctx 0 origin hash(0) before; ctx 3 origin migrated(2) after
        ksft_eq([int(x) for x in out], [0, 0, 3, 2, 200000], "sockopt")
        ksft_eq(migrations(), (1, 1), "migration counters")


if __name__ == "__main__":
    cases = [("tcp_v4_under_migration", tcp_under_migration(4)),
             ("tcp_v6_under_migration", tcp_under_migration(6)),
             ("udp_order_under_migration", udp_order_under_migration),
             ("aborted_on_float_overflow", aborted_on_float_overflow),
             ("sockopt_migrate_own_socket", sockopt_migrate_own_socket)]
    only = sys.argv[1:]
    sys.exit(ksft_run([c for c in cases if not only or c[0] in only]))
