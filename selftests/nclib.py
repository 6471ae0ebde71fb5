# SPDX-License-Identifier: GPL-2.0
"""Helpers of the netctx selftests, in the spirit of the kernel's
tools/testing/selftests/net/lib/py: a netns topology, the module, ncctl,
tracing, and KTAP output. Every test is self-contained: it loads the module
with its own parameters, builds its own namespaces and tears all down.
"""
import json
import os
import random
import re
import subprocess
import sys
import time
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KO = os.path.join(TOP, "netctx.ko")
NCCTL = os.path.join(TOP, "tools", "ncctl", "ncctl")
TRAFFIC = os.path.join(TOP, "selftests", "traffic.py")
TRACEFS = "/sys/kernel/tracing"


class KsftSkip(Exception):
    pass


def cmd(args, ns=None, check=True, timeout=120, background=False,
        stdin=None):
    """Runs args (a list) in netns ns; returns stdout, or the Popen."""
    if ns:
        args = ["ip", "netns", "exec", ns] + list(args)
    if background:
        return subprocess.Popen(args, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    p = subprocess.run(args, capture_output=True, text=True,
                       timeout=timeout, input=stdin)
    if check and p.returncode:
        raise AssertionError("%s failed (%d): %s" %
                             (" ".join(args), p.returncode,
                              p.stderr.strip()))
    return p.stdout if check else p


def ncctl(ns, *args, check=True):
    out = cmd([NCCTL, "-j"] + [str(a) for a in args], ns=ns, check=check)
    if not check:
        return out
    return json.loads(out) if out.strip() else []


def busywait(fn, timeout=10.0, step=0.1):
    """Polls fn until it returns a true value; returns that value."""
    end = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > end:
            return v
        time.sleep(step)


class Module:
    """netctx.ko loaded with the given parameters for one test."""

    def __init__(self, **params):
        self.params = params

    def __enter__(self):
        if os.path.exists("/sys/module/netctx"):
            cmd(["rmmod", "netctx"])
        cmd(["insmod", KO] + ["%s=%s" % kv for kv in self.params.items()])
        return self

    def __exit__(self, *exc):
        if os.path.exists("/sys/module/netctx"):
            cmd(["rmmod", "netctx"])

    @staticmethod
    def thread_pids():
        """pid -> context id of the netctx/N threads."""
        pids = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/comm" % pid) as f:
                    comm = f.read().strip()
            except OSError:
                continue
            m = re.fullmatch(r"netctx/(\d+)", comm)
            if m:
                pids[int(pid)] = int(m.group(1))
        return pids


class Topo:
    """Two namespaces joined by a veth pair:

      cli-XXXX                      srv-XXXX
      veth0 10.77.0.1/24  <---->  veth1 10.77.0.2/24
            fd77::1/64                  fd77::2/64
    """

    V4 = ("10.77.0.1", "10.77.0.2")
    V6 = ("fd77::1", "fd77::2")

    def __init__(self):
        tag = "%06x" % random.randrange(1 << 24)
        self.cli = "cli-" + tag
        self.srv = "srv-" + tag

    def __enter__(self):
        # Module autoload cannot reach modprobe from the VM's chroot.
        cmd(["modprobe", "veth"])
        for ns in (self.cli, self.srv):
            cmd(["ip", "netns", "add", ns])
            cmd(["ip", "link", "set", "lo", "up"], ns=ns)
        cmd(["ip", "link", "add", "veth0", "netns", self.cli, "type", "veth",
             "peer", "name", "veth1", "netns", self.srv])
        for ns, dev, i in ((self.cli, "veth0", 0), (self.srv, "veth1", 1)):
            cmd(["ip", "addr", "add", self.V4[i] + "/24", "dev", dev], ns=ns)
            cmd(["ip", "addr", "add", self.V6[i] + "/64", "dev", dev,
                 "nodad"], ns=ns)
            cmd(["ip", "link", "set", dev, "up"], ns=ns)
        return self

    def __exit__(self, *exc):
        for ns in (self.cli, self.srv):
            cmd(["ip", "netns", "del", ns], check=False)

    def addr(self, family, side):
        pair = self.V4 if family == 4 else self.V6
        return pair[0 if side == "cli" else 1]


def traffic(ns, role, proto, addr, port, **kw):
    """Starts traffic.py in ns; returns the Popen (server) or its JSON."""
    args = [sys.executable, TRAFFIC, role, "--proto", proto, "--addr", addr,
            "--port", str(port)]
    for k, v in kw.items():
        args += ["--" + k, str(v)]
    if role == "server":
        p = cmd(args, ns=ns, background=True)
        line = p.stdout.readline()
        if line.strip() != "ready":
            p.kill()
            raise AssertionError("server did not start: " + p.stderr.read())
        return p
    return json.loads(cmd(args, ns=ns, timeout=600))


def server_report(p, timeout=120):
    out, err = p.communicate(timeout=timeout)
    if not out.strip():
        raise AssertionError("server report missing: " + err)
    return json.loads(out.strip().splitlines()[-1]), p.returncode


class TcpProbe:
    """The kernel's own view: which task and CPU ran tcp_rcv_established()
    for a socket, from the tcp:tcp_probe tracepoint."""

    LINE = re.compile(r"^\s*(?P<comm>.*?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]"
                      r".*?tcp_probe: family=\S+ src=(?P<src>\S+) "
                      r"dest=(?P<dst>\S+)")

    def __enter__(self):
        if not os.path.exists(TRACEFS + "/events/tcp/tcp_probe"):
            raise KsftSkip("tcp:tcp_probe tracepoint not available")
        self._write("buffer_size_kb", "4096")
        self._write("trace", "")
        self._write("events/tcp/tcp_probe/enable", "1")
        return self

    def __exit__(self, *exc):
        self._write("events/tcp/tcp_probe/enable", "0")

    @staticmethod
    def _write(name, value):
        with open(os.path.join(TRACEFS, name), "w") as f:
            f.write(value)

    def events(self):
        """List of dicts: comm, pid, cpu, sport, dport (local, remote)."""
        self._write("events/tcp/tcp_probe/enable", "0")
        out = []
        with open(TRACEFS + "/trace") as f:
            for line in f:
                m = self.LINE.match(line)
                if not m:
                    continue
                out.append({"comm": m.group("comm").strip(),
                            "pid": int(m.group("pid")),
                            "cpu": int(m.group("cpu")),
                            "lport": int(m.group("src").rsplit(":", 1)[1]),
                            "rport": int(m.group("dst").rsplit(":", 1)[1])})
        return out


class NftCounter:
    """A counter in the server namespace's prerouting, before netctx:
    what the kernel received on a port, packets and bytes."""

    def __init__(self, ns, proto, port):
        self.ns, self.proto, self.port = ns, proto, port

    def __enter__(self):
        script = ("table inet nctest { chain pre { type filter hook "
                  "prerouting priority -300; %s dport %d counter; }; }" %
                  (self.proto, self.port))
        cmd(["modprobe", "nf_tables"])
        cmd(["nft", "-f", "-"], ns=self.ns, stdin=script)
        return self

    def __exit__(self, *exc):
        cmd(["nft", "delete", "table", "inet", "nctest"], ns=self.ns,
            check=False)

    def read(self):
        data = json.loads(cmd(["nft", "-j", "list", "table", "inet",
                               "nctest"], ns=self.ns))
        for item in data["nftables"]:
            rule = item.get("rule")
            if not rule:
                continue
            for e in rule["expr"]:
                if "counter" in e:
                    return e["counter"]["packets"], e["counter"]["bytes"]
        raise AssertionError("nft counter not found")


def ksft_eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: %r != %r" % (what, a, b))


def ksft_true(v, what=""):
    if not v:
        raise AssertionError(what or "condition false")


def ksft_run(cases):
    """Runs (name, fn) pairs with KTAP output; returns the exit code."""
    print("TAP version 13")
    print("1..%d" % len(cases))
    failed = 0
    for i, (name, fn) in enumerate(cases, 1):
        try:
            fn()
            print("ok %d %s" % (i, name))
        except KsftSkip as e:
            print("ok %d %s # SKIP %s" % (i, name, e))
        except Exception:  # noqa: BLE001 - report and go on
            failed += 1
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            print("not ok %d %s" % (i, name))
        sys.stdout.flush()
    return 1 if failed else 0
