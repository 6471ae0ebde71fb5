#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Live migration: connections moved between contexts again and again
while data flows keep every byte, in order, exactly once; the kernel's
own view (tcp:tcp_probe) shows receive processing follow the connection;
an application migrates its own socket with the socket option."""
import subprocess
import sys
import threading

from nclib import (Client, Module, TcpProbe, Topo, busywait, ksft_eq,
                   ksft_run, ksft_true, ncctl, server_report, traffic,
                   udp_stat)

PORT = 5000
# Moves per test: each one awaited and followed by a delivered packet.
MOVES = 24
NETCTX_SO_ASSIGN, NETCTX_SO_MIGRATE, NETCTX_SO_GET = 3600, 3601, 3600


class Migrator:
    """Moves every PCB on PORT to another context, round after round, each
    move awaited (ncctl returns once the move is done or failed). With
    `follow`, a round also waits until every moved connection has had a
    packet delivered by its new context, so each move is seen by the
    kernel's receive path, whatever the machine's speed."""

    def __init__(self, ns, nr_ctx=4, follow=True):
        self.ns, self.nr, self.follow = ns, nr_ctx, follow
        self.moves = 0
        self.aborted = 0
        self.gone = 0
        self.rounds = 0
        self.step = 1

    def round(self):
        """One round over the live PCBs; returns the number moved."""
        moved = {}
        for p in ncctl(self.ns, "conn", "show", "port", PORT):
            to = (p["ctx"] + self.step) % self.nr
            r = ncctl(self.ns, "conn", "migrate", p["proto"], p["local"],
                      p["remote"], "ctx", to, check=False)
            if r.returncode == 0:
                self.moves += 1
                moved[p["remote"]] = (to, p["packets"])
            elif "no such managed connection" in r.stderr:
                self.gone += 1
            elif "migration aborted" in r.stderr:
                self.aborted += 1
            else:
                raise AssertionError(r.stderr)
        self.rounds += 1
        self.step = self.step % (self.nr - 1) + 1
        if self.follow and moved:
            def delivered():
                now = {p["remote"]: p for p in
                       ncctl(self.ns, "conn", "show", "port", PORT)}
                return all(r in now and now[r]["ctx"] == to and
                           now[r]["packets"] > n
                           for r, (to, n) in moved.items())
            ksft_true(busywait(delivered), "no packet after a move")
        return len(moved)

    def until(self, moves):
        """Rounds until `moves` moves have succeeded."""
        while self.moves < moves:
            self.round()


def migrations():
    ctxs = ncctl(None, "ctx", "show")
    return (sum(c["migrations_in"] for c in ctxs),
            sum(c["migrations_out"] for c in ctxs))


def streaming(t, proto, addr, nconns, **client):
    """Starts a client streaming cli -> srv until finished; returns it
    once every one of its connections has a PCB."""
    cli = Client(t.cli, proto, addr, PORT, conns=nconns, **client)
    ksft_true(busywait(lambda: len(ncctl(t.srv, "conn", "show", "port",
                                         PORT)) == nconns),
              "PCBs of the client never appeared")
    return cli


def tcp_under_migration(family):
    def test():
        # A linger long enough for a few rounds of moves after the FINs.
        with Module(nr_contexts=4, linger_ms=1000), Topo() as t, \
                TcpProbe() as tp:
            addr = t.addr(family, "srv")
            ncctl(t.srv, "port", "add", "tcp", PORT)
            srv = traffic(t.srv, "server", "tcp", addr, PORT, conns=4,
                          comm="ncsrv", timeout=300)
            mig = Migrator(t.srv)
            cli = streaming(t, "tcp", addr, 4, chunk=20000, pace=0.002,
                            timeout=300)
            mig.until(MOVES)
            # Go on moving them through the close and the linger, until
            # their PCBs are gone.
            result = {}
            th = threading.Thread(target=lambda: result.update(
                cli.finish()))
            th.start()
            mig.follow = False
            while th.is_alive():
                mig.round()
            th.join()
            # A few moves in the linger; then stop, since a move restarts
            # the linger timer (adopt re-arms it), and the PCBs must go.
            for _ in range(3):
                mig.round()
            ksft_true(busywait(lambda: not ncctl(t.srv, "conn", "show",
                                                 "port", PORT)),
                      "PCBs left after the close")
            report, rc = server_report(srv, timeout=300)
            events = tp.events()
            print("# %d migrations, %d of closed connections, %d rounds" %
                  (mig.moves, mig.gone, mig.rounds))
            ksft_true(result.get("ok"), "client %r" % result)
            ksft_eq(rc, 0, "server verdict %r" % report)
            ksft_eq(len(report), 4, "connections")
            for port, flow in report.items():
                ksft_true(flow["ok"] and
                          flow["bytes"] == result["sent"][port],
                          "flow %r, sent %r" % (flow, result["sent"]))
            ksft_eq(migrations(), (mig.moves, mig.moves), "counters")
            pids = Module.thread_pids()
            ran = {}
            for e in events:
                if e["lport"] == PORT and e["pid"] in pids:
                    ran.setdefault(e["rport"], set()).add(pids[e["pid"]])
            ksft_eq(len(ran), 4, "connections received by a context")
            for rport, ctxs in ran.items():
                ksft_true(len(ctxs) > 1, "tcp_probe never saw port %d "
                          "change context: %r" % (rport, ran))
            for c in ncctl(None, "ctx", "show"):
                ksft_eq(c["drops"], 0, "drops on ctx %d" % c["id"])
    return test


def udp_order_under_migration():
    """A UDP flow is migrated again and again while datagrams stream: each
    one arrives exactly once and in order."""
    with Module(nr_contexts=4), Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", PORT)
        srv = traffic(t.srv, "server", "udp", addr, PORT, idle=5,
                      timeout=300)
        mig = Migrator(t.srv)
        cli = streaming(t, "udp", addr, 2, chunk=300, pace=0.001)
        mig.until(MOVES)
        result = cli.finish()
        report, _ = server_report(srv, timeout=300)
        ksft_eq(len(report), 2, "flows")
        for port, flow in report.items():
            ksft_eq((flow["packets"], flow["ok"], flow["ordered"]),
                    (result["sent"][port], True, True), "flow %r" % flow)
        ksft_eq(migrations(), (mig.moves, mig.moves), "counters")
        ksft_eq(sum(c["drops"] for c in ncctl(None, "ctx", "show")), 0,
                "drops")


def aborted_on_float_overflow():
    """With a float queue of one packet, a flood overflows it during a
    move: the migration fails cleanly (EBUSY), the flow stays on one
    context, in order, and every datagram is received or counted."""
    with Module(nr_contexts=4, float_len=1), Topo() as t:
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", PORT)
        srv = traffic(t.srv, "server", "udp", addr, PORT, idle=5,
                      timeout=300, rcvbuf=128)
        mig = Migrator(t.srv, follow=False)
        cli = streaming(t, "udp", addr, 1, chunk=100)
        ksft_true(busywait(lambda: mig.round() is not None and
                           mig.aborted, step=0), "no migration was aborted")
        result = cli.finish()
        pcbs = ncctl(t.srv, "conn", "show")
        report, _ = server_report(srv, timeout=300)
        print("# %d migrations, %d aborted" % (mig.moves, mig.aborted))
        ctxs = ncctl(None, "ctx", "show")
        ksft_eq(migrations(), (mig.moves, mig.moves), "only moves counted")
        ksft_eq(len(pcbs), 1, "one PCB")
        ksft_eq(sum(c["conns"] for c in ctxs), 1, "on one context")
        port, flow = list(report.items())[0]
        ksft_true(flow["ok"] and flow["ordered"], "flow %r" % flow)
        ksft_eq(flow["packets"] + sum(c["drops"] for c in ctxs) +
                udp_stat(t.srv, "RcvbufErrors"), result["sent"][port],
                "received + dropped")


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
