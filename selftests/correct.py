#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Correctness under real applications and real topologies: every hash
policy serves connections that open together on an empty module, UDP
flows are never split by their idle expiry, idle connections of sockets
bound to a device or a VRF keep their context, forwarded and bridged
traffic is not managed, packets of a device that left its netns are not
delivered in the wrong one, the history of a PCB's placement is kept and
both forms of an IPv4 address on a dual-stack socket are understood.

  cli-XXXX                      srv-XXXX
  veth0 10.77.0.1/24  <---->  veth1 10.77.0.2/24
        fd77::1/64                  fd77::2/64
"""
import os
import random
import subprocess
import sys
import time

from nclib import (TOP, Client, Module, Topo, builtin, busywait, cmd,
                   deadline, helper, ksft_eq, ksft_run, ksft_true, ncctl,
                   rport, server_report, traffic)

PORT = 80
NR_CTX = 4

# Echoes every connection's bytes back, one thread per connection.
ECHO_SERVER = helper("echo_server")

# Opens n connections at once (non-blocking connects, all in flight
# together), then has each echo a message; prints the local ports, then
# on each line of stdin one more round trip on every connection.
ECHO_CLIENT = helper("echo_client")


class Echo:
    """A process running script in ns; its first line says it is ready."""

    def __init__(self, ns, script, *args):
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, "python3",
                                   script] + [str(a) for a in args],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.line = self.p.stdout.readline().strip()

    def ping(self):
        self.p.stdin.write("again\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip() == "ok"

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=deadline(10))
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def echo_server(ns, addr, port=PORT, dev=""):
    srv = Echo(ns, ECHO_SERVER, addr, port, *([dev] if dev else []))
    if srv.line != "ready":
        srv.p.kill()
        raise AssertionError("echo server did not start")
    return srv


def echo_clients(ns, addr, n, port=PORT, dev=""):
    """n connections opened together, each echoed once; .ports."""
    cli = Echo(ns, ECHO_CLIENT, addr, port, n, deadline(20),
               *([dev] if dev else []))
    try:
        cli.ports = [int(p) for p in cli.line.split()]
    except ValueError:
        cli.close()
        raise AssertionError("connections failed: %r" % cli.line)
    ksft_eq(len(cli.ports), n, "connections")
    return cli


BPF_RPORT = "2\n40 0 0 20\n22 0 0 0\n"   # ldh [20] (TCP sport); ret a
HASHES = ("default", "toeplitz", "remote-addr", "round-robin",
          "least-loaded", "bpf")


def policy_args(name):
    if name != "bpf":
        return ["hash", name]
    path = "/tmp/nc-correct-rport.bpf"
    with open(path, "w") as f:
        f.write(BPF_RPORT)
    return ["hash", "bpf", "bpf", path]


def burst_every_policy(family):
    """8 connections opened together on a freshly loaded module, then 8
    more while those live: each is echoed and has its PCB."""
    def test():
        for name in HASHES:
            with Module(nr_contexts=NR_CTX), Topo() as t:
                addr = t.addr(family, "srv")
                ncctl(t.srv, "port", "add", "tcp", PORT,
                      *policy_args(name))
                srv = echo_server(t.srv, addr)
                held = []
                try:
                    for _ in range(2):
                        try:
                            held.append(echo_clients(t.cli, addr, 8))
                        except AssertionError as e:
                            raise AssertionError("%s: %s" % (name, e))
                    for c in held:
                        ksft_true(c.ping(), "%s: echo again" % name)
                    pcbs = {rport(p): p for p in
                            ncctl(t.srv, "conn", "show")}
                    for c in held:
                        for port in c.ports:
                            ksft_true(port in pcbs and
                                      pcbs[port]["packets"] > 3,
                                      "%s: PCB of %d: %r" %
                                      (name, port, pcbs.get(port)))
                finally:
                    for c in held:
                        c.close()
                    srv.close()
    return test


HOG = helper("busy_hog")


def _comms():
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/comm" % pid) as f:
                    yield int(pid), f.read().strip()
            except OSError:
                pass


class Hog:
    """A SCHED_FIFO busy loop on cpu, without RT throttling, so that the
    netctx thread bound there cannot run: packets stay queued. start()
    begins the loop, stop() ends it; the test itself runs elsewhere."""

    RT = "/proc/sys/kernel/sched_rt_runtime_us"

    def __init__(self, cpu):
        self.cpu = cpu

    def __enter__(self):
        self.affinity = os.sched_getaffinity(0)
        others = self.affinity - {self.cpu}
        if not others:
            raise AssertionError("no CPU left besides the hogged one")
        os.sched_setaffinity(0, others)
        with open(self.RT) as f:
            self.rt = f.read().strip()
        with open(self.RT, "w") as f:
            f.write("-1")
        self.p = subprocess.Popen(["taskset", "-c", str(self.cpu), "chrt",
                                   "-f", "50", "python3", HOG,
                                   str(deadline(60))],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        ksft_eq(self.p.stdout.readline().strip(), "ready", "hog")
        # Softirqs of that CPU deferred to ksoftirqd (RCU callbacks, that
        # rcu_barrier() in a netns move waits for) must still run.
        self.ksoftirqd = [pid for pid, comm in _comms()
                          if comm == "ksoftirqd/%d" % self.cpu]
        for pid in self.ksoftirqd:
            os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(60))
        return self

    def start(self):
        self.p.stdin.write("go\n")
        self.p.stdin.flush()
        ksft_eq(self.p.stdout.readline().strip(), "hogging", "hog")

    def stop(self):
        if self.p.poll() is None:
            self.p.stdin.close()
            self.p.wait()

    def __exit__(self, *exc):
        self.stop()
        for pid in self.ksoftirqd:
            os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))
        with open(self.RT, "w") as f:
            f.write(self.rt)
        os.sched_setaffinity(0, self.affinity)


# Sends numbered datagrams in traffic.py's format from named sockets: a
# line "NAME N" sends N more from socket NAME (created on first use; a
# numeric NAME is the source port to bind).
UDP_SENDER = helper("udp_sender")


class UdpSender(Echo):
    def __init__(self, ns, addr, port):
        super().__init__(ns, UDP_SENDER, addr, port,
                         os.path.join(TOP, "selftests"))
        ksft_eq(self.line, "ready", "UDP sender")

    def send(self, name, n):
        self.p.stdin.write("%s %d\n" % (name, n))
        self.p.stdin.flush()
        return int(self.p.stdout.readline())


def ctx_show(i=0):
    return ncctl(None, "ctx", "show")[i]


UDP_TIMEOUT_MS = 8000


def udp_expiry_burst():
    """A UDP flow found idle while a burst of it waits in its context's
    ring, behind more than one batch of another flow's: its PCB must not
    be buried then, or the flow's next datagram would get a new PCB, here
    on another context (the port's policy says context 1), and could
    overtake the queued ones."""
    port, x, y = 5001, "40001", "40002"
    with Module(nr_contexts=2, udp_timeout_ms=UDP_TIMEOUT_MS,
                assign_timeout_ms=UDP_TIMEOUT_MS), Topo() as t:
        addr, caddr = t.addr(4, "srv"), t.addr(4, "cli")
        ncctl(t.srv, "port", "add", "udp", port, "contexts", "1")
        srv = traffic(t.srv, "server", "udp", addr, port, idle=30,
                      timeout=180)
        tx = UdpSender(t.cli, addr, port)
        try:
            with Hog(ctx_show(0)["cpu"]) as hog:
                # Both flows start on context 0, placed there in advance.
                for p in (x, y):
                    ncctl(t.srv, "conn", "assign", "udp",
                          "%s:%d" % (addr, port), "%s:%s" % (caddr, p),
                          "ctx", 0)
                tx.send(x, 1)
                tx.send(y, 1)
                busywait(lambda: sum(p["packets"] for p in
                                     ncctl(t.srv, "conn", "show")) == 2)
                idle_since = time.time()
                hog.start()
                ksft_eq(sorted((rport(p), p["ctx"]) for p in
                               ncctl(t.srv, "conn", "show")),
                        [(int(x), 0), (int(y), 0)],
                        "flows on ctx 0 when it stopped")
                # The flow must be idle past its timeout: that is the
                # point, so this one wait is for time itself.
                time.sleep(max(0, idle_since + 1.5 * UDP_TIMEOUT_MS /
                               1000 - time.time()))
                tx.send(y, 300)
                tx.send(x, 100)
                ksft_true(busywait(lambda: ctx_show(0)["queued"] >= 400),
                          "burst queued")
                hog.stop()
                tx.send(x, 50)

            def placed():
                return [(p["ctx"], p["packets"]) for p in
                        ncctl(t.srv, "conn", "show") if rport(p) == int(x)]
            # Read before the flow idles out for good.
            busywait(lambda: sum(n for _, n in placed()) >= 151)
            ksft_eq(placed(), [(0, 151)], "PCBs of flow x (ctx, packets)")
        finally:
            tx.close()
        report, _ = server_report(srv, timeout=240)
        flow = report[x]
        ksft_true(flow["ok"] and flow["ordered"], "flow x: %r" % flow)
        ksft_eq(flow["packets"], 151, "datagrams of flow x")


def idle_bound_tcp(kind):
    """An idle connection of a socket bound to its device, or in a VRF,
    keeps its PCB past tcp_timeout_ms: the socket is found alive."""
    def test():
        with Module(nr_contexts=2, tcp_timeout_ms=300), Topo() as t:
            addr = t.addr(4, "srv")
            dev = "veth1"
            if kind == "vrf":
                cmd(["modprobe", "vrf"])
                dev = "vrf-x"
                for c in (["ip", "link", "add", dev, "type", "vrf", "table",
                           "10"],
                          ["ip", "link", "set", dev, "up"],
                          ["ip", "link", "set", "veth1", "master", dev]):
                    cmd(c, ns=t.srv)
            ncctl(t.srv, "port", "add", "tcp", PORT)
            srv = echo_server(t.srv, addr, dev=dev)
            cli = None
            try:
                cli = echo_clients(t.cli, addr, 1)
                before = ncctl(t.srv, "conn", "show")
                ksft_eq([rport(p) for p in before], cli.ports, "PCB")
                fired = sum(c["timers_fired"]
                            for c in ncctl(None, "ctx", "show"))
                # Its idle timer fired a few times: the PCB was checked.
                ksft_true(busywait(lambda: sum(
                    c["timers_fired"] for c in ncctl(None, "ctx", "show"))
                    >= fired + 4), "idle timer fired")
                after = ncctl(t.srv, "conn", "show")
                ksft_eq([rport(p) for p in after], cli.ports,
                        "PCB after idle")
                ksft_true(cli.ping(), "echo after idle")
                now = ncctl(t.srv, "conn", "show")
                ksft_eq(now[0]["ctx"], before[0]["ctx"], "same context")
                ksft_true(now[0]["packets"] > after[0]["packets"],
                          "still managed")
            finally:
                if cli:
                    cli.close()
                srv.close()
    return test


def netns(name):
    cmd(["ip", "netns", "add", name])
    cmd(["ip", "link", "set", "lo", "up"], ns=name)
    return name


def veth(a, ns_a, b, ns_b):
    cmd(["ip", "link", "add", a, "netns", ns_a, "type", "veth", "peer",
         "name", b, "netns", ns_b])
    for d, n in ((a, ns_a), (b, ns_b)):
        cmd(["ip", "link", "set", d, "up"], ns=n)


def addr(ns, dev, a):
    cmd(["ip", "addr", "add", a, "dev", dev] +
        (["nodad"] if ":" in a else []), ns=ns)


def pass_intact(src, dst, daddr, port):
    """TCP and UDP across to a managed port arrive intact."""
    srv = traffic(dst, "server", "tcp", daddr, port, conns=4)
    cli = traffic(src, "client", "tcp", daddr, port, conns=4,
                  bytes=100000)
    report, rc = server_report(srv)
    ksft_true(cli["ok"] and rc == 0, "TCP across: %r" % report)
    srv = traffic(dst, "server", "udp", daddr, port, idle=2)
    traffic(src, "client", "udp", daddr, port, conns=2, packets=50)
    report, _ = server_report(srv)
    ksft_eq(sorted((f["packets"], f["ok"]) for f in report.values()),
            [(50, True)] * 2, "UDP across")


def unmanaged_in(ns):
    ksft_eq(ncctl(ns, "conn", "show"), [], "PCBs in " + ns)
    for c in ncctl(None, "ctx", "show"):
        ksft_eq(c["packets"], 0, "packets of ctx %d" % c["id"])


def forwarded():
    """a -> r -> b: r routes, a policy in r on the port is not used."""
    port = 5002
    tag = "%06x" % random.randrange(1 << 24)
    a, r, b = (netns(n + "-" + tag) for n in ("fa", "fr", "fb"))
    try:
        with Module(nr_contexts=2):
            veth("a0", a, "r0", r)
            veth("r1", r, "b0", b)
            for v in ("ipv4", "ipv6"):
                cmd(["sysctl", "-qw", "net.%s.conf.all.forwarding=1" % v],
                    ns=r)
            addr(a, "a0", "10.78.1.1/24")
            addr(r, "r0", "10.78.1.254/24")
            addr(r, "r1", "10.78.2.254/24")
            addr(b, "b0", "10.78.2.1/24")
            addr(a, "a0", "fd78:1::1/64")
            addr(r, "r0", "fd78:1::fe/64")
            addr(r, "r1", "fd78:2::fe/64")
            addr(b, "b0", "fd78:2::1/64")
            cmd(["ip", "route", "add", "default", "via", "10.78.1.254"],
                ns=a)
            cmd(["ip", "route", "add", "default", "via", "10.78.2.254"],
                ns=b)
            cmd(["ip", "-6", "route", "add", "default", "via",
                 "fd78:1::fe"], ns=a)
            cmd(["ip", "-6", "route", "add", "default", "via",
                 "fd78:2::fe"], ns=b)
            for proto in ("tcp", "udp"):
                ncctl(r, "port", "add", proto, port)
            pass_intact(a, b, "10.78.2.1", port)
            pass_intact(a, b, "fd78:2::1", port)
            unmanaged_in(r)
    finally:
        for n in (a, r, b):
            cmd(["ip", "netns", "del", n], check=False)


def established(ns, port):
    out = cmd(["ss", "-Htn", "state", "established", "( sport = :%d )" %
               port], ns=ns)
    return out.strip()


def bridged():
    """c -- br0 (br_netfilter) -- d: bridged flows on a managed port of
    the bridge's netns get no PCB, and br_netfilter unloads cleanly while
    they flow (where it is a module: the debug kernel builds it in)."""
    port = 5003
    tag = "%06x" % random.randrange(1 << 24)
    c, br, d = (netns(n + "-" + tag) for n in ("bc", "bb", "bd"))
    try:
        with Module(nr_contexts=2):
            for m in ("bridge", "br_netfilter"):
                cmd(["modprobe", m])
            veth("c0", c, "p0", br)
            veth("p1", br, "d0", d)
            cmd(["ip", "link", "add", "br0", "type", "bridge"], ns=br)
            for p in ("p0", "p1"):
                cmd(["ip", "link", "set", p, "master", "br0"], ns=br)
            cmd(["ip", "link", "set", "br0", "up"], ns=br)
            for k in ("iptables", "ip6tables"):
                cmd(["sysctl", "-qw", "net.bridge.bridge-nf-call-%s=1" % k],
                    ns=br)
            addr(c, "c0", "10.79.0.1/24")
            addr(d, "d0", "10.79.0.2/24")
            addr(c, "c0", "fd79::1/64")
            addr(d, "d0", "fd79::2/64")
            for proto in ("tcp", "udp"):
                ncctl(br, "port", "add", proto, port)
            pass_intact(c, d, "10.79.0.2", port)
            pass_intact(c, d, "fd79::2", port)
            unmanaged_in(br)
            # br_netfilter goes away under a stream across the bridge.
            srv = traffic(d, "server", "tcp", "10.79.0.2", port, conns=2)
            cli = Client(c, "tcp", "10.79.0.2", port, conns=2, chunk=1000)
            busywait(lambda: established(d, port))
            if builtin("br_netfilter"):
                print("# br_netfilter is built in: the stream only")
            else:
                cmd(["rmmod", "br_netfilter"])
            report = cli.finish()
            result, rc = server_report(srv)
            ksft_true(report["ok"] and rc == 0, "stream: %r" % result)
            unmanaged_in(br)
    finally:
        for n in (c, br, d):
            cmd(["ip", "netns", "del", n], check=False)


WITNESS = helper("witness")


def witness_count(w):
    w.p.stdin.close()
    out = w.p.stdout.readline().strip()
    w.p.wait(timeout=deadline(10))
    return int(out)


def dev_listed(ns, dev):
    return any(line.split(":")[0].strip() == dev for line in
               cmd(["cat", "/proc/net/dev"], ns=ns).splitlines())


def dev_left_netns():
    """Packets queued on a stopped context whose device then moves to
    another netns, or is deleted, are dropped and counted: never
    delivered in the netns the device went to, nor after it went away;
    and that netns really goes away afterwards."""
    port = 5004
    n = 20
    with Module(nr_contexts=1), Topo() as t:
        dst = t.addr(4, "srv")
        other = netns("nb-%06x" % random.randrange(1 << 24))
        try:
            ncctl(t.srv, "port", "add", "udp", port)
            witness = Echo(other, WITNESS, port)
            tx = UdpSender(t.cli, dst, port)
            try:
                with Hog(ctx_show()["cpu"]) as hog:
                    tx.send("x", 1)
                    ksft_true(busywait(lambda: ctx_show()["packets"] == 1),
                              "first datagram delivered")
                    hog.start()
                    tx.send("x", n)
                    ksft_true(busywait(lambda: ctx_show()["queued"] == n),
                              "datagrams queued")
                    cmd(["ip", "link", "set", "veth1", "netns", other],
                        ns=t.srv)
                    addr(other, "veth1", dst + "/24")
                    cmd(["ip", "link", "set", "veth1", "up"], ns=other)
                    ksft_eq(ctx_show()["queued"], n, "still queued after "
                            "the move (context stopped throughout)")
                    hog.stop()
                ksft_true(busywait(lambda: ctx_show()["queued"] == 0),
                          "queue drained")
            finally:
                tx.close()
            ksft_eq(witness_count(witness), 0,
                    "datagrams delivered in the netns the device went to")
            ksft_eq(ctx_show()["drops"], n, "drops counted")
            ksft_eq(ctx_show()["packets"], 1, "packets delivered")
            # The other netns, with the device, really goes away.
            cmd(["ip", "netns", "del", other])
            ksft_true(busywait(lambda: not dev_listed(t.cli, "veth0")),
                      "netns with the moved device destroyed")
        finally:
            cmd(["ip", "netns", "del", other], check=False)

    with Module(nr_contexts=1), Topo() as t:
        dst = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", port)
        witness = Echo(t.srv, WITNESS, port)
        tx = UdpSender(t.cli, dst, port)
        try:
            with Hog(ctx_show()["cpu"]) as hog:
                tx.send("x", 1)
                ksft_true(busywait(lambda: ctx_show()["packets"] == 1),
                          "first datagram delivered")
                hog.start()
                tx.send("x", n)
                ksft_true(busywait(lambda: ctx_show()["queued"] == n),
                          "datagrams queued")
                # Unregistration waits for the queued packets' device
                # references: it completes once the context runs again.
                dele = cmd(["ip", "netns", "exec", t.srv, "ip", "link",
                            "del", "veth1"], background=True)
                ksft_true(busywait(lambda: not dev_listed(t.srv, "veth1")),
                          "device unlisted")
                hog.stop()
            ksft_eq(dele.wait(timeout=deadline(60)), 0, "ip link del")
            ksft_true(busywait(lambda: ctx_show()["queued"] == 0),
                      "queue drained")
        finally:
            tx.close()
        ksft_eq(witness_count(witness), 1, "datagrams delivered")
        ksft_eq(ctx_show()["drops"], n, "drops counted")


def mapped_forms():
    """ncctl takes the [::ffff:a.b.c.d]:p form that ss and tcp_probe print
    for the IPv4 connection of a dual-stack socket: it names the IPv4
    connection, which conn show prints as a.b.c.d:p."""
    with Module(nr_contexts=2), Topo() as t:
        srv_addr, cli_addr = t.addr(4, "srv"), t.addr(4, "cli")
        ncctl(t.srv, "port", "add", "tcp", PORT, "contexts", "0")
        srv = echo_server(t.srv, "::")
        cli = None
        try:
            cli = echo_clients(t.cli, srv_addr, 1)
            local = "%s:%d" % (srv_addr, PORT)
            remote = "%s:%d" % (cli_addr, cli.ports[0])
            pcbs = ncctl(t.srv, "conn", "show")
            ksft_eq([(p["local"], p["remote"], p["ctx"]) for p in pcbs],
                    [(local, remote, 0)], "PCB printed as IPv4")
            ncctl(t.srv, "conn", "migrate", "tcp",
                  "[::ffff:%s]:%d" % (srv_addr, PORT),
                  "[::ffff:%s]:%d" % (cli_addr, cli.ports[0]), "ctx", 1)
            pcbs = ncctl(t.srv, "conn", "show")
            ksft_eq([(p["local"], p["ctx"], p["origin"], p["placed_by"])
                     for p in pcbs], [(local, 1, "migrated", "hash")],
                    "migrated by its mapped form; placed_by kept")
            ksft_true(cli.ping(), "echo after the move")
            ncctl(t.srv, "conn", "assign", "udp",
                  "[::ffff:%s]:53" % srv_addr,
                  "[::ffff:%s]:5353" % cli_addr, "ctx", 1)
            ksft_true(any(p["local"] == "%s:53" % srv_addr and
                          p["remote"] == "%s:5353" % cli_addr
                          for p in ncctl(t.srv, "conn", "show")),
                      "assigned by its mapped form, as IPv4")
        finally:
            if cli:
                cli.close()
            srv.close()


CASES = [("burst_every_policy_tcp_ipv4", burst_every_policy(4)),
         ("burst_every_policy_tcp_ipv6", burst_every_policy(6)),
         ("udp_expiry_waits_for_queued_burst", udp_expiry_burst),
         ("idle_tcp_bound_to_device_kept", idle_bound_tcp("device")),
         ("idle_tcp_in_vrf_kept", idle_bound_tcp("vrf")),
         ("forwarded_flows_unmanaged", forwarded),
         ("bridged_flows_unmanaged", bridged),
         ("device_left_netns_dropped", dev_left_netns),
         ("ipv4_mapped_forms_accepted", mapped_forms)]

if __name__ == "__main__":
    only = sys.argv[1:]
    sys.exit(ksft_run([c for c in CASES if not only or c[0] in only]))
