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
import threading
import time
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def helper(name):
    """The path of helper program name: the small programs the tests run
    in a netns or as another user live in selftests/helpers/, each a
    file that runs (and reads) on its own."""
    return os.path.join(TOP, "selftests", "helpers", name + ".py")


# NETCTX_KO: another build of the module, e.g. make check-debug's one
# against the debug kernel (build/debug-ko/netctx.ko).
KO = os.environ.get("NETCTX_KO") or os.path.join(TOP, "netctx.ko")
NCCTL = os.path.join(TOP, "tools", "ncctl", "ncctl")
TRAFFIC = os.path.join(TOP, "selftests", "traffic.py")
TRACEFS = "/sys/kernel/tracing"

# Every deadline of the tests is multiplied by NETCTX_TIMEOUT_FACTOR (default
# 1): a slow or loaded machine raises it instead of editing the tests. The
# tests wait for conditions; deadlines only bound a wait that would hang.
FACTOR = float(os.environ.get("NETCTX_TIMEOUT_FACTOR") or 1)


def deadline(seconds):
    """seconds, scaled by NETCTX_TIMEOUT_FACTOR."""
    return seconds * FACTOR


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
                       timeout=deadline(timeout), input=stdin)
    if check and p.returncode:
        raise AssertionError("%s failed (%d): %s" %
                             (" ".join(args), p.returncode,
                              p.stderr.strip()))
    return p.stdout if check else p


def modprobe(name):
    """Loads a kernel module the test needs. Module autoload cannot reach
    modprobe from the VM's chroot. A kernel with the driver built in and
    no /lib/modules tree (a custom kernel) makes modprobe fail although all
    is there: then the test's own use of the feature tells."""
    p = cmd(["modprobe", name], check=False)
    if p.returncode and os.path.isdir("/lib/modules/" + os.uname().release):
        raise AssertionError("modprobe %s failed (%d): %s" %
                             (name, p.returncode, p.stderr.strip()))


def ncctl(ns, *args, check=True):
    out = cmd([NCCTL, "-j"] + [str(a) for a in args], ns=ns, check=check)
    if not check:
        return out
    return json.loads(out) if out.strip() else []


def uapi_enum(name):
    """NAME -> value of an enum of uapi/linux/netctx.h."""
    with open(os.path.join(TOP, "uapi", "linux", "netctx.h")) as f:
        text = f.read()
    body = re.search(r"enum %s \{(.*?)\};" % name, text, re.S).group(1)
    out, val = {}, 0
    for m in re.finditer(r"^\s*(\w+)(?:\s*=\s*(\w+))?,", body, re.M):
        if m.group(2):
            val = int(m.group(2), 0)
        out[m.group(1)] = val
        val += 1
    return out


def builtin(module):
    """Whether the running kernel has module built in (the debug kernel
    builds everything in): it can then not be unloaded."""
    path = "/lib/modules/%s/modules.builtin" % os.uname().release
    try:
        with open(path) as f:
            return any(os.path.basename(line.strip()) == module + ".ko"
                       for line in f)
    except OSError:
        return False


def busywait(fn, timeout=30.0, step=0.05):
    """Polls fn until it returns a true value or the (scaled) deadline
    passes; returns its last value."""
    end = time.time() + deadline(timeout)
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
    def hash_key():
        """The SipHash key in use (bytes), readable by root only."""
        with open("/sys/module/netctx/parameters/hash_key") as f:
            return bytes.fromhex(f.read().strip())

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

    def __init__(self, static_neigh=False):
        """static_neigh: each side knows the other's link-layer address
        for good (NUD_PERMANENT), for tests that count every datagram: a
        UDP sender's packets waiting on a neighbour resolution are
        dropped silently once its queue is full (unresolved_discards),
        and under TCG a resolution can take seconds."""
        tag = "%06x" % random.randrange(1 << 24)
        self.cli = "cli-" + tag
        self.srv = "srv-" + tag
        self.static_neigh = static_neigh

    def __enter__(self):
        modprobe("veth")
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
        if self.static_neigh:
            self._static_neigh()
        return self

    def _static_neigh(self):
        ends = ((self.cli, "veth0", 0), (self.srv, "veth1", 1))
        mac = [json.loads(cmd(["ip", "-j", "link", "show", dev],
                              ns=ns))[0]["address"] for ns, dev, _ in ends]
        for ns, dev, i in ends:
            for pair in (self.V4, self.V6):
                cmd(["ip", "neigh", "replace", pair[1 - i], "lladdr",
                     mac[1 - i], "nud", "permanent", "dev", dev], ns=ns)

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


class Client:
    """A traffic.py client streaming in the background until finish():
    the test does what it must while data flows, then ends the stream,
    however long that took."""

    def __init__(self, ns, proto, addr, port, pin=None, **kw):
        """pin: a CPU the client runs on, so that its packets enter one
        CPU's backlog (veth) and leave the sender in order."""
        args = [sys.executable, TRAFFIC, "client", "--proto", proto,
                "--addr", addr, "--port", str(port), "--until-eof"]
        for k, v in kw.items():
            args += ["--" + k, str(v)]
        if pin is not None:
            args = ["taskset", "-c", str(pin)] + args
        self.p = subprocess.Popen(["ip", "netns", "exec", ns] + args,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)

    def finish(self, timeout=300):
        """Ends the stream; returns the client's report."""
        out, err = self.p.communicate(input="", timeout=deadline(timeout))
        if not out.strip():
            raise AssertionError("client report missing: " + err)
        return json.loads(out.strip().splitlines()[-1])


def udp_stat(ns, name, ipv6=False):
    """A UDP counter of /proc/net/snmp in ns, e.g. RcvbufErrors; with
    ipv6, plus its Udp6 twin of /proc/net/snmp6."""
    lines = [line.split() for line in
             cmd(["cat", "/proc/net/snmp"], ns=ns).splitlines()
             if line.startswith("Udp:")]
    total = int(dict(zip(lines[0][1:], lines[1][1:]))[name])
    if ipv6:
        total += int(dict(line.split() for line in
                          cmd(["cat", "/proc/net/snmp6"], ns=ns)
                          .splitlines())["Udp6" + name])
    return total


def server_report(p, timeout=120):
    out, err = p.communicate(timeout=deadline(timeout))
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
        modprobe("nf_tables")
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


class Checks:
    """Failed checks of the running case. As the kernel's ksft.py, a failed
    check is reported and recorded, and the case goes on: one run shows
    every check that fails, not only the first."""

    failed = 0

    @classmethod
    def fail(cls, what):
        cls.failed += 1
        frame = traceback.extract_stack()[-3]
        print("# Check failed at %s:%d: %s" %
              (os.path.basename(frame.filename), frame.lineno, what))
        sys.stdout.flush()
        return False


def ksft_eq(a, b, what=""):
    """Checks a == b; returns whether it held."""
    if a == b:
        return True
    return Checks.fail("%s: %r != %r" % (what, a, b))


def ksft_true(v, what=""):
    """Checks v is true; returns whether it was."""
    if v:
        return True
    return Checks.fail(what or "condition false")


def ksft_run(cases):
    """Runs (name, fn) pairs with KTAP output; returns the exit code. A
    case fails if a check failed or it raised; it is skipped if it raised
    KsftSkip."""
    print("KTAP version 1")
    print("1..%d" % len(cases))
    totals = {"pass": 0, "fail": 0, "skip": 0}
    for i, (name, fn) in enumerate(cases, 1):
        Checks.failed = 0
        result = "pass"
        start = time.monotonic()
        try:
            fn()
        except KsftSkip as e:
            result = "skip"
            print("ok %d %s # SKIP %s" % (i, name, e))
        except Exception:  # noqa: BLE001 - report and go on
            result = "fail"
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        if result != "skip" and Checks.failed:
            result = "fail"
        if result == "pass":
            print("ok %d %s" % (i, name))
        elif result == "fail":
            print("not ok %d %s" % (i, name))
        print("# %s: %.1f s" % (name, time.monotonic() - start))
        totals[result] += 1
        sys.stdout.flush()
    print("# Totals: pass:%(pass)d fail:%(fail)d xfail:0 xpass:0 "
          "skip:%(skip)d error:0" % totals)
    return 1 if totals["fail"] else 0


HOLD_SERVER = helper("hold_server")

HOLD_CLIENT = helper("hold_client")


class Held:
    """A process holding sockets open until closed (stdin EOF)."""

    def __init__(self, ns, script, *args):
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, "python3",
                                   script] + [str(a) for a in args],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.line = self.p.stdout.readline().strip()
        if not self.line:
            self.close()
            raise AssertionError("helper process failed to start")

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait(timeout=deadline(30))


def listener(ns, addr, port):
    return Held(ns, HOLD_SERVER, addr, port)


def connections(ns, addr, port, n, binds=()):
    """n TCP connections opened one after the other; .ports lists them."""
    h = Held(ns, HOLD_CLIENT, addr, port, n, *binds)
    h.ports = [int(p) for p in h.line.split()]
    return h


def rport(pcb):
    return int(pcb["remote"].rsplit(":", 1)[1])


def lport(pcb):
    return int(pcb["local"].rsplit(":", 1)[1])


class Genl:
    """A raw generic netlink client, to send requests ncctl never would."""

    NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
    GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
    CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

    def __init__(self):
        import socket
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.sock.bind((0, 0))
        self.seq = 1
        err, msgs = self._talk(self.GENL_ID_CTRL, self.CTRL_CMD_GETFAMILY,
                               [(self.CTRL_ATTR_FAMILY_NAME,
                                 b"netctx\0")], ack=False)
        if err:
            raise AssertionError("netctx family not found: %d" % err)
        attrs = self.parse(msgs[0][20:])
        self.family = struct_unpack("=H", attrs[self.CTRL_ATTR_FAMILY_ID])

    @staticmethod
    def attr(atype, payload):
        import struct
        return (struct.pack("=HH", 4 + len(payload), atype) + payload +
                b"\0" * ((4 - len(payload) % 4) % 4))

    @staticmethod
    def parse(data):
        import struct
        attrs = {}
        while len(data) >= 4:
            alen, atype = struct.unpack("=HH", data[:4])
            attrs[atype & 0x3FFF] = data[4:alen]
            data = data[(alen + 3) & ~3:]
        return attrs

    def _talk(self, family, cmd, attrs, ack=True):
        import struct
        body = struct.pack("=BBH", cmd, 1, 0) + b"".join(
            a if isinstance(a, bytes) else self.attr(*a) for a in attrs)
        flags = self.NLM_F_REQUEST | (self.NLM_F_ACK if ack else 0)
        self.seq += 1
        self.sock.send(struct.pack("=IHHII", 16 + len(body), family, flags,
                                   self.seq, 0) + body)
        msgs = []
        while True:
            data = self.sock.recv(65536)
            while data:
                mlen, mtype = struct.unpack("=IH", data[:6])
                if mtype == 2:  # NLMSG_ERROR
                    return -struct.unpack("=i", data[16:20])[0], msgs
                msgs.append(data[:mlen])
                if not ack:
                    return 0, msgs
                data = data[(mlen + 3) & ~3:]

    def request(self, cmd, attrs):
        """Sends a request, returns the errno of the kernel's answer."""
        return self._talk(self.family, cmd, attrs)[0]

    def dump(self, family, cmd, attrs, hdr=None):
        """Sends a dump request; returns (errno, messages). hdr, if
        given, replaces the generic netlink header (cmd, version)."""
        import struct
        body = (hdr if hdr is not None else
                struct.pack("=BBH", cmd, 1, 0)) + b"".join(
            a if isinstance(a, bytes) else self.attr(*a) for a in attrs)
        self.seq += 1
        self.sock.send(struct.pack("=IHHII", 16 + len(body), family,
                                   self.NLM_F_REQUEST | self.NLM_F_DUMP,
                                   self.seq, 0) + body)
        msgs = []
        while True:
            data = self.sock.recv(1 << 20)
            while len(data) >= 16:
                mlen, mtype = struct.unpack("=IH", data[:6])
                if mtype in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                    err = struct.unpack("=i", data[16:20])[0]
                    return -err if err < 0 else 0, msgs
                msgs.append(data[:mlen])
                data = data[(mlen + 3) & ~3:]


class Monitor:
    """`ncctl -j monitor` in ns, its events collected by a thread."""

    def __init__(self, ns):
        self.ns = ns
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, NCCTL, "-j",
                                   "monitor"], stdout=subprocess.PIPE,
                                  text=True)
        self.events = []
        self.probes = 0
        self.th = threading.Thread(target=self._read, daemon=True)
        self.th.start()
        # Subscribed once a probe event comes through.
        ksft_true(busywait(self._probe), "monitor never saw an event")
        self.events = []

    def _read(self):
        for line in self.p.stdout:
            self.events.append(json.loads(line))

    @staticmethod
    def is_probe(e):
        return e.get("remote", "").startswith("10.9.9.9:")

    def _probe(self):
        # A pre-assignment that expires at once: an event, and no trace.
        self.probes += 1
        ncctl(self.ns, "conn", "assign", "udp", "*:7",
              "10.9.9.9:%d" % self.probes, "ctx", 0, "timeout", 1)
        return any(self.is_probe(e) for e in self.events)

    def names(self):
        return [e["event"] for e in self.events if not self.is_probe(e)]

    def close(self):
        self.p.terminate()
        self.p.wait(timeout=30)


def uapi_attrs():
    """The netctx attribute and command numbers, by short name: "CTX_ID",
    "CMD_MIGRATE_CONN"..."""
    names = {}
    for enum, prefix in (("netctx_attr", "NETCTX_A_"),
                         ("netctx_cmd", "NETCTX_")):
        for k, v in uapi_enum(enum).items():
            names[k[len(prefix):]] = v
    return names


def endpoint(text):
    """'10.0.0.1:80' or '[fd00::1]:80' -> (family, packed addr, port)."""
    import socket
    host, port = text.rsplit(":", 1)
    host = host.strip("[]")
    if host.startswith("::ffff:"):
        host = host[7:]
    if ":" in host:
        return socket.AF_INET6, socket.inet_pton(socket.AF_INET6, host), \
            int(port)
    return socket.AF_INET, socket.inet_aton(host), int(port)


class Mover(Genl):
    """Migrations in-process (no ncctl spawn per move): the connections
    named as "ncctl conn show" prints them."""

    PROTO = {"tcp": 6, "udp": 17}
    F_NOWAIT = 1 << 1   # enum netctx_flags
    F_BALANCE = 1 << 2

    def __init__(self, ns=None):
        """ns: the netns (a name under /run/netns) the socket lives in."""
        self.a = uapi_attrs()
        if not ns:
            super().__init__()
            return
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        clone_newnet = 0x40000000
        here = os.open("/proc/self/ns/net", os.O_RDONLY)
        there = os.open("/run/netns/" + ns, os.O_RDONLY)
        try:
            if libc.setns(there, clone_newnet):
                raise OSError(ctypes.get_errno(), "setns " + ns)
            try:
                super().__init__()
            finally:
                libc.setns(here, clone_newnet)
        finally:
            os.close(here)
            os.close(there)

    def _tuple(self, pcb):
        import struct
        fam, laddr, lport = endpoint(pcb["local"])
        _, raddr, rport = endpoint(pcb["remote"])
        a = self.a
        return [(a["PROTO"], struct.pack("=B", self.PROTO[pcb["proto"]])),
                (a["FAMILY"], struct.pack("=B", fam)),
                (a["LADDR"], laddr), (a["LPORT"], struct.pack("=H", lport)),
                (a["RADDR"], raddr), (a["RPORT"], struct.pack("=H", rport))]

    def migrate(self, ctx, pcb=None, group=None, remote=None, flags=0):
        """Moves one connection, a group, or every connection of a remote
        address (as "ADDR"); returns the errno (0: done)."""
        import socket
        import struct
        a = self.a
        attrs = [(a["CTX_ID"], struct.pack("=I", ctx))]
        if pcb is not None:
            attrs += self._tuple(pcb)
        if group is not None:
            attrs.append((a["GROUP"], struct.pack("=I", group)))
        if remote is not None:
            fam = socket.AF_INET6 if ":" in remote else socket.AF_INET
            attrs += [(a["FAMILY"], struct.pack("=B", fam)),
                      (a["RADDR"], socket.inet_pton(fam, remote))]
        if flags:
            attrs.append((a["FLAGS"], struct.pack("=I", flags)))
        return self.request(a["CMD_MIGRATE_CONN"], attrs)

    def conns(self):
        """The netns' connections, from one GET_CONN dump: a list of
        dicts with lport, rport, ctx, state and group."""
        import struct
        a = self.a
        err, msgs = self.dump(self.family, a["CMD_GET_CONN"], [])
        if err:
            raise AssertionError("conn dump: errno %d" % err)
        out = []
        for m in msgs:
            at = self.parse(m[20:])
            out.append({
                "lport": struct_unpack("=H", at[a["LPORT"]]),
                "rport": struct_unpack("=H", at[a["RPORT"]]),
                "ctx": struct_unpack("=I", at[a["CTX_ID"]]),
                "state": struct_unpack("=B", at[a["STATE"]]),
                "group": (struct_unpack("=I", at[a["GROUP"]])
                          if a["GROUP"] in at else 0),
            })
        return out

    def add_port(self, proto, port, flags=0, contexts=None):
        """A port policy, with NETCTX_A_FLAGS (e.g. F_BALANCE)."""
        import struct
        a = self.a
        attrs = [(a["PROTO"], struct.pack("=B", self.PROTO[proto])),
                 (a["PORT"], struct.pack("=H", port))]
        if flags:
            attrs.append((a["FLAGS"], struct.pack("=I", flags)))
        if contexts is not None:
            mask = sum(1 << c for c in contexts)
            attrs.append((a["CONTEXTS"], struct.pack("=Q", mask)))
        return self.request(a["CMD_ADD_PORT"], attrs)

    def set_group(self, pcb, group):
        import struct
        a = self.a
        return self.request(a["CMD_SET_CONN"], self._tuple(pcb) +
                            [(a["GROUP"], struct.pack("=I", group))])


def struct_unpack(fmt, data):
    import struct
    return struct.unpack(fmt, data)[0]


def trace_ring_kb():
    """The trace ring's size per CPU, "7 (expanded: 1408)" before first
    use, to restore after a test resized it."""
    with open(TRACEFS + "/buffer_size_kb") as f:
        return re.findall(r"\d+", f.read())[-1]


class UdpProbe:
    """The kernel's own view for UDP: kprobes on udp_queue_rcv_one_skb()
    and udpv6_queue_rcv_one_skb(), called once per datagram delivered to
    a socket, name the task and CPU that ran UDP receive and the socket's
    local port (sk->skc_num, at offset 14 of struct sock_common, the
    functions' first argument)."""

    PROBES = {"nctest_udp4": "udp_queue_rcv_one_skb",
              "nctest_udp6": "udpv6_queue_rcv_one_skb"}
    LINE = re.compile(r"^\s*(?P<comm>.*?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]"
                      r".*?nctest_udp[46]:.*lport=(?P<lport>\d+)")
    KB = 4096  # trace ring per CPU, KiB

    @staticmethod
    def _define(line):
        # O_APPEND without Python's seek to the end, which tracefs refuses.
        fd = os.open(TRACEFS + "/kprobe_events", os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def _enable(self, on):
        for name in self.PROBES:
            TcpProbe._write("events/kprobes/%s/enable" % name,
                            "1" if on else "0")

    def __enter__(self):
        events = TRACEFS + "/kprobe_events"
        if not os.path.exists(events):
            raise KsftSkip("kprobe events not available")
        for name, fn in self.PROBES.items():
            self._define("p:%s %s lport=+14($arg1):u16\n" % (name, fn))
        self.kb = trace_ring_kb()
        TcpProbe._write("buffer_size_kb", str(self.KB))
        TcpProbe._write("trace", "")
        self._enable(True)
        return self

    def __exit__(self, *exc):
        self._enable(False)
        for name in self.PROBES:
            self._define("-:%s\n" % name)
        TcpProbe._write("buffer_size_kb", self.kb)

    def _read(self):
        out = []
        with open(TRACEFS + "/trace") as f:
            for line in f:
                m = self.LINE.match(line)
                if m:
                    out.append({"comm": m.group("comm").strip(),
                                "pid": int(m.group("pid")),
                                "cpu": int(m.group("cpu")),
                                "lport": int(m.group("lport"))})
        return out

    def events(self, settled=None):
        """The events so far (dicts: comm, pid, cpu, lport). settled(events),
        if given, says when all are in: a context counts a datagram in
        its PCB just before it hands it to UDP, so a reader on another
        CPU can see the count before the probe's event; wait for it
        (bounded) before the probes go off."""
        if settled:
            busywait(lambda: settled(self._read()), timeout=10)
        self._enable(False)
        return self._read()


class KprobeHits:
    """How often the kernel ran each of some functions, from kprobe
    events' own hit counts (kprobe_profile): names map to "MOD:SYM" or
    "SYM"."""

    def __init__(self, **probes):
        self.probes = probes

    def __enter__(self):
        if not os.path.exists(TRACEFS + "/kprobe_events"):
            raise KsftSkip("kprobe events not available")
        for name, fn in self.probes.items():
            UdpProbe._define("p:%s %s\n" % (name, fn))
        # A probe counts only while its event is on.
        for name in self.probes:
            TcpProbe._write("events/kprobes/%s/enable" % name, "1")
        return self

    def __exit__(self, *exc):
        for name in self.probes:
            TcpProbe._write("events/kprobes/%s/enable" % name, "0")
            UdpProbe._define("-:%s\n" % name)

    def hits(self):
        """name -> hits since the probes were defined."""
        out = {}
        with open(TRACEFS + "/kprobe_profile") as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] in self.probes:
                    out[w[0]] = int(w[1])
        return out
