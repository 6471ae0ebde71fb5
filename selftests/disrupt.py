#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Disruption while traffic flows: unloading the module, taking the
contexts' CPUs offline and back, and deleting the namespace lose nothing
that was accepted (bytes intact), leak nothing (kmemleak-free dmesg is
checked by the runner) and oops nowhere."""
import os
import sys

from nclib import (Client, KsftSkip, Module, Topo, busywait, cmd, helper,
                   ksft_eq, ksft_run, ksft_true, ncctl, server_report,
                   traffic)

PORT = 5000
CPU_SYS = "/sys/devices/system/cpu"


def transfer(t, action, conns=4):
    """Streams TCP and calls action() once every connection has a PCB and
    data flows; then ends the stream and checks every byte arrived."""
    addr = t.addr(4, "srv")
    srv = traffic(t.srv, "server", "tcp", addr, PORT, conns=conns,
                  timeout=300)
    cli = Client(t.cli, "tcp", addr, PORT, conns=conns, chunk=20000,
                 pace=0.002, timeout=300)
    ksft_true(busywait(lambda: sum(c["packets"] for c in
                                   ncctl(None, "ctx", "show")) > 200,
                       timeout=60), "no managed traffic")
    action()
    result = cli.finish()
    report, rc = server_report(srv, timeout=300)
    ksft_true(result.get("ok"), "client verdict %r" % result)
    ksft_eq(rc, 0, "server verdict %r" % report)
    ksft_eq(len(report), conns, "connections")
    for port, flow in report.items():
        ksft_true(flow["ok"] and flow["bytes"] == result["sent"][port],
                  "flow %r, sent %r" % (flow, result["sent"]))


def rmmod_during_transfer():
    with Module(nr_contexts=4), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT)

        def unload():
            ksft_true(ncctl(t.srv, "conn", "show"), "no PCB before rmmod")
            cmd(["rmmod", "netctx"])
        transfer(t, unload)
        ksft_true(not os.path.exists("/sys/module/netctx"), "still loaded")


def set_online(cpu, on):
    with open("%s/cpu%d/online" % (CPU_SYS, cpu), "w") as f:
        f.write("1" if on else "0")


def offline_cpus():
    """The CPUs that can go offline (all but the boot CPU), or a skip."""
    cpus = [c for c in range(1, os.cpu_count() or 1)
            if os.path.exists("%s/cpu%d/online" % (CPU_SYS, c))]
    if not cpus:
        raise KsftSkip("no CPU can go offline")
    return cpus


def cpu_offline_online():
    cpus = offline_cpus()
    with Module(), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT)
        homes = {c["id"]: c["cpu"] for c in ncctl(None, "ctx", "show")}

        def flap():
            for cpu in cpus:
                set_online(cpu, False)
            # Every context leaves its CPU.
            ksft_true(busywait(lambda: all(
                c["cpu"] not in cpus for c in ncctl(None, "ctx", "show"))),
                "contexts on offline CPUs: %r" % ncctl(None, "ctx", "show"))
            # Traffic goes on while they are away.
            before = sum(c["packets"] for c in ncctl(None, "ctx", "show"))
            ksft_true(busywait(lambda: sum(
                c["packets"] for c in ncctl(None, "ctx", "show")) >
                before + 100), "no traffic with the CPUs offline")
            for cpu in cpus:
                set_online(cpu, True)
        try:
            transfer(t, flap)
        finally:
            for cpu in cpus:
                set_online(cpu, True)

        # Each context returns home once its CPU is back.
        def home():
            now = {c["id"]: c["cpu"] for c in ncctl(None, "ctx", "show")}
            return now == homes
        ksft_true(busywait(home, timeout=10), "contexts not back home: %r" %
                  ncctl(None, "ctx", "show"))


def migrations_during_cpu_offline():
    """Six threads migrate every connection, round after round, while the
    CPUs of the contexts go offline and back: every move answers, no CPU
    change hangs, and every byte arrives."""
    import threading
    import time
    from migrate import Migrator, migrations
    cpus = offline_cpus()
    with Module(nr_contexts=2, linger_ms=1000), Topo() as t:
        ncctl(t.srv, "port", "add", "tcp", PORT)
        stop = threading.Event()
        moves = []

        def mover():
            m = Migrator(t.srv, nr_ctx=2, follow=False)
            while not stop.is_set():
                m.round()
            moves.append(m.moves)

        def flaps():
            movers = [threading.Thread(target=mover) for _ in range(6)]
            for th in movers:
                th.start()
            try:
                for _ in range(4):
                    for on in (False, True):
                        t0 = time.monotonic()
                        for cpu in cpus:
                            set_online(cpu, on)
                        print("# cpus %s %s in %.2f s" %
                              (cpus, "on" if on else "off",
                               time.monotonic() - t0), flush=True)
                        # Moves happen in each state, not only between.
                        n = migrations()[0]
                        busywait(lambda: migrations()[0] > n + 2,
                                 timeout=30)
            finally:
                for cpu in cpus:
                    set_online(cpu, True)
                stop.set()
                for th in movers:
                    th.join()
            print("# moves per thread: %s" % moves)
            ksft_eq(len(moves), 6, "every mover thread ended")
        transfer(t, flaps)


def netns_delete_during_traffic():
    with Module(nr_contexts=2):
        t = Topo().__enter__()
        addr = t.addr(4, "srv")
        ncctl(t.srv, "port", "add", "udp", PORT)
        srv = traffic(t.srv, "server", "udp", addr, PORT, idle=30)
        flood = cmd(["python3", helper("udp_flood"), addr, str(PORT), "3"],
                    ns=t.cli, background=True)
        busywait(lambda: ncctl(t.srv, "conn", "show"), timeout=20)
        srv.kill()
        t.__exit__(None, None, None)
        flood.wait(timeout=60)
        srv.wait(timeout=60)
        # The netns is gone: its PCBs were flushed, the contexts are idle.
        ksft_true(busywait(lambda: all(c["conns"] == 0 for c in
                                       ncctl(None, "ctx", "show")),
                           timeout=10), "PCBs left behind by the netns")


if __name__ == "__main__":
    sys.exit(ksft_run([("rmmod_during_transfer", rmmod_during_transfer),
                       ("cpu_offline_online_during_transfer",
                        cpu_offline_online),
                       ("migrations_during_cpu_offline",
                        migrations_during_cpu_offline),
                       ("netns_delete_during_traffic",
                        netns_delete_during_traffic)]))
