#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Real applications no one here wrote, through netctx: the kernel's NFS
server and client (nconnect), tgt and open-iscsi, smbd and the kernel's
cifs client (multichannel), nginx and wrk, iperf3 (TCP and UDP). Each
server runs in its own netns with a round-robin policy on its port; for
each what a user would notice is checked: the data came back intact
(checksums, the applications' own error counts), the application's
connections got PCBs spread over the contexts, every packet the kernel
received on the port went through netctx (PCB counters = an nft counter
before it), and the kernel itself saw each received segment processed in
the thread of the connection's context, on its CPU (tcp:tcp_probe; UDP:
kprobes on UDP's receive), or by the application's own task draining its
socket's backlog. An application whose Debian package is not installed,
or a kernel without its modules, is a SKIP.

  cli-XXXX (initial netns for iSCSI)   srv-XXXX
  veth0 10.77.0.1/24         <---->  veth1 10.77.0.2/24
        fd77::1/64                         fd77::2/64
"""
import collections
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from nclib import (TOP, TRACEFS, KsftSkip, Module, NftCounter, TcpProbe,
                   Topo, UdpProbe, busywait, cmd, deadline, ksft_eq,
                   ksft_run, ksft_true, ncctl, trace_ring_kb, udp_stat)

NR_CTX = 4
CLI4, SRV4 = Topo.V4
CLI6, SRV6 = Topo.V6
MiB = 1 << 20


def note(msg):
    print("# " + msg)
    sys.stdout.flush()


def need(*tools):
    """(binary, Debian package) pairs: a missing one skips the case."""
    for binary, pkg in tools:
        if not shutil.which(binary):
            raise KsftSkip("%s not found: Debian package %s not installed"
                           % (binary, pkg))


def load(*modules):
    """Module autoload cannot reach modprobe from the VM's root: load by
    hand (a built-in one is a no-op). A kernel without them skips the
    case."""
    for m in modules:
        p = cmd(["modprobe", m], check=False)
        if p.returncode:
            raise KsftSkip("kernel module %s: %s" % (m, p.stderr.strip()))


def sha256(path, length=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        left = length if length is not None else 1 << 62
        while left:
            chunk = f.read(min(left, MiB))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


class Workdir:
    """A scratch directory in the guest's /tmp, removed at the end."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="nc-apps-", dir="/tmp")
        os.chmod(self.path, 0o755)
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)

    def __call__(self, *parts):
        return os.path.join(self.path, *parts)

    def mkdir(self, name):
        path = self(name)
        os.makedirs(path, exist_ok=True)
        return path

    def random_file(self, name, size):
        path = self(name)
        with open(path, "wb") as f:
            f.write(random.randbytes(size))
        return path

    def write(self, name, text):
        path = self(name)
        with open(path, "w") as f:
            f.write(text)
        return path


class Daemon:
    """A server process in the background, its output in a log file."""

    def __init__(self, argv, log, ns=None):
        if ns:
            argv = ["ip", "netns", "exec", ns] + list(argv)
        self.argv, self.log = argv, log
        self.out = open(log, "w")
        # A session of its own: iscsid, for one, signals its process
        # group when it exits.
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                  stdout=self.out, stderr=subprocess.STDOUT,
                                  start_new_session=True)

    def alive(self):
        return self.p.poll() is None

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=deadline(20))
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.out.close()
        return self.p.returncode

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def dump(self, lines=30):
        name = os.path.basename(self.argv[4 if self.argv[0] == "ip" else 0])
        for line in self.text().splitlines()[-lines:]:
            note("%s: %s" % (name, line))


class Holder:
    """A process holding a mount namespace of its own, in netns ns (None:
    the initial one), with file systems mounted in it: (type, source,
    target) triples, then the lines of setup. run() and spawn() execute
    in its mount and network namespaces, so that daemons see their
    private /var/lib/nfs or /etc/iscsi and mounts outlive each command."""

    def __init__(self, ns, mounts=(), setup=()):
        script = ["set -e"]
        script += ["mount -t %s %s %s" % m for m in mounts]
        script += list(setup)
        script += ["echo ready", "exec cat >/dev/null"]
        base = (["ip", "netns", "exec", ns] if ns else
                ["unshare", "--mount", "--propagation", "private"])
        self.p = subprocess.Popen(base + ["sh", "-c", "\n".join(script)],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        if self.p.stdout.readline().strip() != "ready":
            self.p.kill()
            raise AssertionError("namespace holder failed: " +
                                 self.p.stderr.read())

    def argv(self, args):
        return ["nsenter", "-t", str(self.p.pid), "-m", "-n"] + list(args)

    def run(self, args, check=True, timeout=120, stdin=None):
        return cmd(self.argv(args), check=check, timeout=timeout,
                   stdin=stdin)

    def spawn(self, args, log):
        return Daemon(self.argv(args), log)

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


class RootTopo(Topo):
    """A server netns joined to the initial one by a veth pair, for
    open-iscsi: iscsid talks to the kernel over NETLINK_ISCSI, which
    exists in the initial netns only (scsi_transport_iscsi). self.cli
    is None; the initial netns's end is ncapp0, 10.77.0.1."""

    DEV = "ncapp0"

    def __enter__(self):
        cmd(["modprobe", "veth"], check=False)
        cmd(["ip", "netns", "add", self.srv])
        cmd(["ip", "link", "set", "lo", "up"], ns=self.srv)
        cmd(["ip", "link", "add", self.DEV, "type", "veth", "peer", "name",
             "veth1", "netns", self.srv])
        cmd(["ip", "addr", "add", CLI4 + "/24", "dev", self.DEV])
        cmd(["ip", "link", "set", self.DEV, "up"])
        cmd(["ip", "addr", "add", SRV4 + "/24", "dev", "veth1"], ns=self.srv)
        cmd(["ip", "link", "set", "veth1", "up"], ns=self.srv)
        self.cli = None
        return self

    def __exit__(self, *exc):
        cmd(["ip", "link", "del", self.DEV], check=False)
        cmd(["ip", "netns", "del", self.srv], check=False)


def listening(ns, proto, port):
    flag = "-Hltn" if proto == "tcp" else "-Hlun"
    return cmd(["ss", flag, "sport = :%d" % port], ns=ns).strip()


def wait_listening(ns, proto, port, daemon):
    ok = busywait(lambda: listening(ns, proto, port) or not daemon.alive())
    if not (ok and daemon.alive()):
        daemon.dump()
        raise AssertionError("%s not listening on %s port %d" %
                             (daemon.argv, proto, port))


def norm_addr(a):
    """[::ffff:a.b.c.d] and a.b.c.d -> a.b.c.d; [x::y] -> x::y."""
    a = a.strip("[]")
    return a[7:] if a.startswith("::ffff:") and "." in a else a


def split_ep(ep):
    addr, port = ep.rsplit(":", 1)
    return norm_addr(addr), int(port)


class TcpTrace(TcpProbe):
    """tcp:tcp_probe with the local and remote addresses; fails if the
    ring buffer lost events (every segment must be accounted for)."""

    KB = 16384

    def __enter__(self):
        if not os.path.exists(TRACEFS + "/events/tcp/tcp_probe"):
            raise KsftSkip("tcp:tcp_probe tracepoint not available")
        self.kb = trace_ring_kb()
        self._write("events/tcp/tcp_probe/enable", "0")
        self._write("buffer_size_kb", str(self.KB))
        self._write("trace", "")
        self._write("events/tcp/tcp_probe/enable", "1")
        return self

    def __exit__(self, *exc):
        super().__exit__(*exc)
        self._write("buffer_size_kb", self.kb)

    def events(self):
        self._write("events/tcp/tcp_probe/enable", "0")
        ksft_eq(overruns(), 0, "tcp_probe events lost (ring overrun)")
        out = []
        with open(TRACEFS + "/trace") as f:
            for line in f:
                m = self.LINE.match(line)
                if not m:
                    continue
                laddr, lport = split_ep(m.group("src"))
                raddr, rp = split_ep(m.group("dst"))
                out.append({"comm": m.group("comm").strip(),
                            "pid": int(m.group("pid")),
                            "cpu": int(m.group("cpu")),
                            "laddr": laddr, "lport": lport,
                            "raddr": raddr, "rport": rp})
        return out


def overruns():
    total = 0
    for cpu in os.listdir(TRACEFS + "/per_cpu"):
        with open(os.path.join(TRACEFS, "per_cpu", cpu, "stats")) as f:
            for line in f:
                if line.startswith("overrun:"):
                    total += int(line.split()[1])
    return total


class UdpTrace(UdpProbe):
    """nclib's UDP receive probes with TcpTrace's ring; fails if the ring
    lost events."""

    KB = TcpTrace.KB

    def events(self, settled=None):
        out = super().events(settled)
        ksft_eq(overruns(), 0, "UDP receive events lost (ring overrun)")
        return out


def server_pcbs(ns, proto, port):
    return [p for p in ncctl(ns, "conn", "show", "proto", proto, "port",
                             port)
            if split_ep(p["local"])[1] == port]


def agree_in(mine, before, after):
    return all(b <= m <= a for b, m, a in zip(before, mine, after))


def check_counted(ns, proto, port, nft):
    """What the kernel received on the port (nft, before netctx) is what
    the PCBs counted: every packet was managed. A snapshot reads nft
    before and after the PCBs; the last packets may still be queued, so
    read until nft and the PCBs agree while traffic pauses. The
    applications may still talk (NFS renews its lease; on the debug
    kernel a snapshot takes seconds): if it never pauses, the PCBs'
    (packets, bytes) must lie between nft's two reads, which misses a
    deficit smaller than what arrived during the snapshot. Returns the
    PCBs."""
    def snap():
        before = nft.read()
        pcbs = server_pcbs(ns, proto, port)
        mine = (sum(p["packets"] for p in pcbs),
                sum(p["bytes"] for p in pcbs))
        return pcbs, mine, before, nft.read()
    last = []

    def agree(exact):
        last[:] = [snap()]
        _, mine, before, after = last[0]
        if exact:
            return mine == before == after
        return agree_in(mine, before, after)
    if not busywait(lambda: agree(True), timeout=10):
        note("%s %d: traffic did not pause; PCBs between nft's reads" %
            (proto, port))
        busywait(lambda: agree(False))
    pcbs, mine, before, after = last[0]
    ksft_true(agree_in(mine, before, after),
              "%s %d: PCB (packets, bytes) %r, nft %r before them and %r "
              "after" % (proto, port, mine, before, after))
    for c in ncctl(None, "ctx", "show"):
        ksft_eq(c["drops"], 0, "drops of ctx %d" % c["id"])
    return pcbs


def check_spread(pcbs, want, what):
    """At least want connections, placed by the policy, round-robin over
    all the contexts (counts differ by one at most)."""
    ksft_true(len(pcbs) >= want, "%s: %d PCBs, want %d or more: %r" %
              (what, len(pcbs), want, pcbs))
    per = collections.Counter(p["ctx"] for p in pcbs)
    counts = [per.get(i, 0) for i in range(NR_CTX)]
    note("%s: %d connections, per context %s" % (what, len(pcbs), counts))
    ksft_true(max(counts) - min(counts) <= 1,
              "%s: round-robin spread %s" % (what, counts))
    if len(pcbs) > 1:
        ksft_true(len(per) > 1, "%s: all on one context" % what)
    for p in pcbs:
        ksft_eq((p["origin"], p.get("first_ctx", p["ctx"])),
                ("hash", p["ctx"]), "%s: origin of %s" % (what, p["remote"]))
        ksft_true(p["packets"] > 0, "%s: no packet on %s" %
                  (what, p["remote"]))


def check_carried(pcbs, n, size, what):
    """At least n connections carried size bytes or more each."""
    big = [p["bytes"] for p in pcbs if p["bytes"] >= size]
    ksft_true(len(big) >= n, "%s: %d connections with %d bytes or more, "
              "want %d: %r" % (what, len(big), size, n,
                               [p["bytes"] for p in pcbs]))


def check_tcp_threads(events, pcbs, laddr, port, owners, what):
    """Every segment the server's sockets on (laddr, port) received ran in
    its connection's context thread, on that context's CPU, or in one of
    the owners (comm prefixes: the application draining its socket's
    backlog); every connection was seen in its context's thread."""
    ctxs = ncctl(None, "ctx", "show")
    cpu_of = {c["id"]: c["cpu"] for c in ctxs}
    pids = Module.thread_pids()
    ctx_of = {(split_ep(p["remote"])): p["ctx"] for p in pcbs}
    bad = []
    n, in_ctx, by_app = 0, set(), collections.Counter()
    for e in events:
        if (e["laddr"], e["lport"]) != (laddr, port):
            continue
        n += 1
        ctx = ctx_of.get((e["raddr"], e["rport"]))
        if ctx is None:
            bad.append("no PCB: %r" % e)
        elif e["pid"] in pids:
            if (pids[e["pid"]], e["cpu"]) != (ctx, cpu_of[ctx]):
                bad.append("ctx %d on cpu %d: %r" % (ctx, cpu_of[ctx], e))
            else:
                in_ctx.add((e["raddr"], e["rport"]))
        elif any(e["comm"].startswith(o) for o in owners):
            by_app[e["comm"]] += 1
        else:
            bad.append("foreign task: %r" % e)
    note("%s: %d segments received, %d in the owner's backlog %s" %
         (what, n, sum(by_app.values()), dict(by_app)))
    ksft_true(n > 0, "%s: no tcp_probe event for %s:%d" % (what, laddr, port))
    ksft_eq(len(bad), 0, "%s: receives outside their context: %s" %
            (what, bad[:5]))
    ksft_eq(sorted(in_ctx), sorted(ctx_of),
            "%s: connections seen received by their context" % what)


def umount(holder, mnt):
    if holder.run(["umount", mnt], check=False, timeout=180).returncode:
        holder.run(["umount", "-l", mnt], check=False)


def app_case(body):
    """body as a case that reports its run time."""
    def test():
        start = time.time()
        try:
            body()
        finally:
            note("%s: %.1f s" % (body.__name__, time.time() - start))
    test.__name__ = body.__name__
    return test


def fresh_module():
    # PCBs outlive the connections, however slow the run: their counters
    # are compared after the application is done.
    return Module(nr_contexts=NR_CTX, linger_ms=3600000)


def rr(ns, proto, port):
    ncctl(ns, "port", "add", proto, port, "hash", "round-robin")


# ---- NFS ----------------------------------------------------------------

NFS_PORT = 2049


def watching(pid):
    """Whether process pid has an inotify instance (nfsdcld, once it
    waits for nfsd's pipe to appear)."""
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == \
                    "anon_inode:inotify":
                return True
        except OSError:
            pass
    return False


def nfs():
    """The kernel's NFS server (rpc.nfsd, rpc.mountd, nfsdcld in the
    server netns) and client: NFSv4.2 with nconnect=4, 4 MiB written and
    read back with O_DIRECT (so every byte crosses the wire) through the
    mount."""
    need(*[(b, "nfs-kernel-server") for b in
           ("rpc.nfsd", "rpc.mountd", "nfsdcld", "exportfs")],
         ("mount.nfs", "nfs-common"))
    load("nfsd", "nfsv4")
    with fresh_module(), Topo() as t, Workdir() as w:
        rr(t.srv, "tcp", NFS_PORT)
        data = w.random_file("data", 4 * MiB)
        export, mnt = w.mkdir("export"), w.mkdir("mnt")
        # rpc.mountd and nfsdcld keep their state in /var/lib/nfs, ours.
        pipefs = "/var/lib/nfs/rpc_pipefs"
        srv = Holder(t.srv, [("nfsd", "nfsd", "/proc/fs/nfsd"),
                             ("tmpfs", "tmpfs", "/var/lib/nfs")],
                     ["touch /var/lib/nfs/etab /var/lib/nfs/rmtab",
                      "mkdir -p %s /var/lib/nfs/nfsdcld" % pipefs,
                      "mount -t rpc_pipefs rpc_pipefs " + pipefs])
        cli, mountd, cld, mounted = None, None, None, False
        try:
            srv.run(["exportfs", "-o", "rw,sync,no_root_squash,insecure,"
                     "no_subtree_check,fsid=0", "%s:%s" % (CLI4, export)])
            # nfsdcld tracks the clients of this netns's nfsd (the kernel's
            # other ways refuse a container), so that the grace period
            # of a fresh server can be ended at once.
            cld = srv.spawn(["nfsdcld", "-F", "-p", pipefs, "-s",
                             "/var/lib/nfs/nfsdcld"], w("nfsdcld.log"))
            ksft_true(busywait(lambda: watching(cld.p.pid)),
                      "nfsdcld waiting for nfsd")
            # v4 only: no rpcbind needed. Grace and lease at their minimum.
            srv.run(["rpc.nfsd", "-N", "3", "-U", "-H", SRV4, "-G", "10",
                     "-L", "10", "4"])
            mountd = srv.spawn(["rpc.mountd", "-F", "-N", "3"],
                               w("mountd.log"))
            # With nfsdcld and no client to reclaim, nfsd skips its
            # grace period; else it is ended here (or the first open
            # waits for it).
            grace = "/proc/fs/nfsd/v4_end_grace"
            if srv.run(["cat", grace]).strip() != "Y":
                note("NFS: grace period ended by hand")
                srv.run(["sh", "-c", "echo Y > " + grace], check=False)
            cli = Holder(t.cli)
            with NftCounter(t.srv, "tcp", NFS_PORT) as nft, \
                    TcpTrace() as tp:
                cli.run(["mount", "-t", "nfs4", "-o",
                         "vers=4.2,nconnect=4,sec=sys,hard,timeo=600",
                         "%s:/" % SRV4, mnt], timeout=180)
                mounted = True
                cli.run(["dd", "if=" + data, "of=%s/data" % mnt, "bs=256k",
                         "oflag=direct", "conv=fsync"], timeout=300)
                cli.run(["dd", "if=%s/data" % mnt, "of=" + w("back"),
                         "bs=256k", "iflag=direct"], timeout=300)
                want = sha256(data)
                ksft_eq(sha256(w("back")), want, "NFS: read back")
                ksft_eq(sha256(os.path.join(export, "data")), want,
                        "NFS: file on the server")
                pcbs = check_counted(t.srv, "tcp", NFS_PORT, nft)
                events = tp.events()
            check_spread(pcbs, 4, "NFS nconnect=4")
            # The RPCs go round the transports.
            check_carried(pcbs, 4, MiB // 2, "NFS")
            check_tcp_threads(events, pcbs, SRV4, NFS_PORT, ["nfsd"],
                              "NFS")
        finally:
            if mounted:
                umount(cli, mnt)
            if cli:
                cli.close()
            srv.run(["rpc.nfsd", "0"], check=False)
            srv.run(["exportfs", "-ua"], check=False)
            for d in (mountd, cld):
                if d:
                    d.stop()
            srv.close()


# ---- iSCSI --------------------------------------------------------------

ISCSI_PORT = 3260
IQN = "iqn.2024-01.org.netctx:apps"
ISCSID_CONF = """node.startup = manual
node.session.scan = auto
node.session.nr_sessions = 2
node.session.timeo.replacement_timeout = 30
node.conn[0].timeo.login_timeout = 30
node.conn[0].timeo.noop_out_interval = 0
node.conn[0].timeo.noop_out_timeout = 0
node.session.iscsi.InitialR2T = No
node.session.iscsi.ImmediateData = Yes
"""


def iscsi_disks():
    """Block devices of the iSCSI sessions' LUN 1, one per session."""
    out = []
    base = "/sys/class/iscsi_session"
    for s in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        dev = os.path.join(base, s, "device")
        for tgt in os.listdir(dev):
            if not tgt.startswith("target"):
                continue
            for lun in os.listdir(os.path.join(dev, tgt)):
                blk = os.path.join(dev, tgt, lun, "block")
                if lun.endswith(":1") and os.path.isdir(blk):
                    out += ["/dev/" + b for b in os.listdir(blk)]
    return out


def iscsid_up():
    with open("/proc/net/unix") as f:
        return "@ISCSIADM_ABSTRACT_NAMESPACE" in f.read()


def iscsi():
    """tgt's target (tgtd in the server netns) and open-iscsi's initiator
    (iscsid, iscsi_tcp): a discovery, then two sessions to one LUN
    (nr_sessions=2, one TCP connection each); 4 MiB written through one
    session's disk and read back through the other's, with O_DIRECT."""
    need(("tgtd", "tgt"), ("tgtadm", "tgt"), ("iscsid", "open-iscsi"),
         ("iscsiadm", "open-iscsi"))
    load("crc32c_generic", "iscsi_tcp", "sd_mod")
    with fresh_module(), RootTopo() as t, Workdir() as w:
        rr(t.srv, "tcp", ISCSI_PORT)
        data = w.random_file("data", 4 * MiB)
        disk = w("disk.img")
        with open(disk, "wb") as f:
            f.truncate(16 * MiB)
        w.write("iscsid.conf", ISCSID_CONF)
        w.write("initiatorname.iscsi",
                "InitiatorName=iqn.2024-01.org.netctx:initiator\n")
        os.makedirs("/run/tgtd", exist_ok=True)
        tgtd = Daemon(["tgtd", "-f", "--iscsi", "portal=%s:%d" %
                       (SRV4, ISCSI_PORT)], w("tgtd.log"), ns=t.srv)
        ini, iscsid, logged_in = None, None, False
        adm = ["tgtadm", "--lld", "iscsi"]
        try:
            wait_listening(t.srv, "tcp", ISCSI_PORT, tgtd)
            cmd(adm + ["--op", "new", "--mode", "target", "--tid", "1",
                       "-T", IQN])
            cmd(adm + ["--op", "new", "--mode", "logicalunit", "--tid", "1",
                       "--lun", "1", "-b", disk])
            cmd(adm + ["--op", "bind", "--mode", "target", "--tid", "1",
                       "-I", "ALL"])
            ini = Holder(None, [("tmpfs", "tmpfs", "/etc/iscsi")],
                         ["cp %s %s /etc/iscsi/" % (w("iscsid.conf"),
                                                    w("initiatorname.iscsi"))])
            iscsid = ini.spawn(["iscsid", "-f"], w("iscsid.log"))
            ksft_true(busywait(iscsid_up), "iscsid listening")
            with NftCounter(t.srv, "tcp", ISCSI_PORT) as nft, \
                    TcpTrace() as tp:
                ini.run(["iscsiadm", "-m", "discovery", "-t", "sendtargets",
                         "-p", SRV4])
                ini.run(["iscsiadm", "-m", "node", "-T", IQN, "-p", SRV4,
                         "--login"], timeout=180)
                logged_in = True
                disks = busywait(lambda: (lambda d: d if len(d) == 2
                                          else None)(iscsi_disks()))
                ksft_true(disks, "two disks, one per session: %r" %
                          iscsi_disks())
                disks = disks or iscsi_disks()
                note("iSCSI disks: %s" % disks)
                cmd(["dd", "if=" + data, "of=" + disks[0], "bs=256k",
                     "oflag=direct"], timeout=300)
                cmd(["dd", "if=" + disks[-1], "of=" + w("back"), "bs=256k",
                     "count=16", "iflag=direct"], timeout=300)
                want = sha256(data)
                ksft_eq(sha256(w("back")), want,
                        "iSCSI: read back through the other session")
                ksft_eq(sha256(disk, 4 * MiB), want,
                        "iSCSI: the target's backing file")
                pcbs = check_counted(t.srv, "tcp", ISCSI_PORT, nft)
                events = tp.events()
            # The discovery session and the two sessions.
            check_spread(pcbs, 3, "iSCSI")
            # The data written through one session went over its own
            # connection.
            check_carried(pcbs, 1, 4 * MiB, "iSCSI")
            check_tcp_threads(events, pcbs, SRV4, ISCSI_PORT, ["tgtd"],
                              "iSCSI")
        finally:
            if logged_in:
                ini.run(["iscsiadm", "-m", "node", "-T", IQN, "-p", SRV4,
                         "--logout"], check=False, timeout=180)
            if iscsid:
                iscsid.stop()
            if ini:
                ini.close()
            # As tgt's own unit stops it: targets deleted, then the system.
            cmd(adm + ["--op", "delete", "--mode", "target", "--tid", "1",
                       "--force"], check=False)
            cmd(adm + ["--op", "delete", "--mode", "system"], check=False)
            busywait(lambda: not tgtd.alive(), timeout=10)
            tgtd.stop()


# ---- SMB ----------------------------------------------------------------

SMB_PORT = 445
SMB_PASS = "netctx-apps"
SMB_CONF = """[global]
  netbios name = NCAPPS
  workgroup = NCAPPS
  server role = standalone server
  security = user
  passdb backend = tdbsam:{w}/private/passdb.tdb
  private dir = {w}/private
  lock directory = {w}/lock
  state directory = {w}/state
  cache directory = {w}/cache
  pid directory = {w}/run
  ncalrpc dir = {w}/ncalrpc
  binddns dir = {w}/bind-dns
  log file = {w}/log.%m
  log level = 1
  usershare path =
  interfaces = "{addr};capability=RSS,speed=10000000000"
  bind interfaces only = yes
  smb ports = {port}
  disable netbios = yes
  server min protocol = SMB3
  server multi channel support = yes
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
[share]
  path = {w}/share
  read only = no
"""


def smb():
    """smbd in the server netns and the kernel's cifs client: SMB 3.1.1
    with multichannel (max_channels=4, the server's interface marked
    RSS-capable so that it gets several channels), cache=none, 4 MiB
    written and read back: the I/O goes round the channels."""
    need(("smbd", "samba"), ("smbpasswd", "samba-common-bin"),
         ("mount.cifs", "cifs-utils"))
    load("cmac", "ccm", "gcm", "ctr", "ghash", "sha512", "cifs")
    with fresh_module(), Topo() as t, Workdir() as w:
        rr(t.srv, "tcp", SMB_PORT)
        data = w.random_file("data", 4 * MiB)
        for d in ("private", "lock", "state", "cache", "run", "ncalrpc",
                  "bind-dns", "share"):
            w.mkdir(d)
        mnt = w.mkdir("mnt")
        conf = w.write("smb.conf", SMB_CONF.format(w=w.path, addr=SRV4,
                                                   port=SMB_PORT))
        cmd(["smbpasswd", "-c", conf, "-s", "-a", "root"],
            stdin="%s\n%s\n" % (SMB_PASS, SMB_PASS))
        smbd = Daemon(["smbd", "-F", "--no-process-group", "--debug-stdout",
                       "-s", conf], w("smbd.log"), ns=t.srv)
        cli, mounted = None, False
        try:
            wait_listening(t.srv, "tcp", SMB_PORT, smbd)
            cli = Holder(t.cli)
            with NftCounter(t.srv, "tcp", SMB_PORT) as nft, \
                    TcpTrace() as tp:
                cli.run(["mount", "-t", "cifs", "//%s/share" % SRV4, mnt,
                         "-o", "username=root,password=%s,vers=3.1.1,"
                         "multichannel,max_channels=4,cache=none" %
                         SMB_PASS], timeout=180)
                mounted = True
                ksft_true(busywait(lambda: len(server_pcbs(
                    t.srv, "tcp", SMB_PORT)) >= 2), "SMB channels")
                cli.run(["dd", "if=" + data, "of=%s/data" % mnt,
                         "bs=256k", "conv=fsync"], timeout=300)
                cli.run(["dd", "if=%s/data" % mnt, "of=" + w("back"),
                         "bs=256k"], timeout=300)
                want = sha256(data)
                ksft_eq(sha256(w("back")), want, "SMB: read back")
                ksft_eq(sha256(w("share", "data")), want,
                        "SMB: file on the server")
                pcbs = check_counted(t.srv, "tcp", SMB_PORT, nft)
                events = tp.events()
            check_spread(pcbs, 2, "SMB multichannel")
            # The I/O goes round the channels.
            check_carried(pcbs, 2, MiB // 2, "SMB")
            check_tcp_threads(events, pcbs, SRV4, SMB_PORT, ["smbd"], "SMB")
        finally:
            if mounted:
                umount(cli, mnt)
            if cli:
                cli.close()
            smbd.stop()


# ---- nginx + wrk --------------------------------------------------------

HTTP_PORT = 80
# Shared with tools/bench/apps.sh: nginx's configuration, @...@ filled
# in, and wrk's Lua comparing every response with the file.
NGINX_CONF = os.path.join(TOP, "selftests", "helpers", "nginx.conf")
WRK_LUA = os.path.join(TOP, "selftests", "helpers", "wrk_check.lua")


def nginx_conf(w, addr, port):
    """Writes w's nginx.conf: nginx on addr:port serving w/www."""
    with open(NGINX_CONF) as f:
        conf = f.read()
    for k, v in (("DIR", w.path), ("ADDR", addr), ("PORT", str(port))):
        conf = conf.replace("@%s@" % k, v)
    return w.write("nginx.conf", conf)


def nginx():
    """nginx serving a 64 KiB static file to wrk (2 threads, 8 keep-alive
    connections, 3 s): no socket error, no non-2xx answer, requests made,
    each response body compared with the file by wrk's Lua."""
    need(("nginx", "nginx"), ("wrk", "wrk"))
    with fresh_module(), Topo() as t, Workdir() as w:
        rr(t.srv, "tcp", HTTP_PORT)
        w.mkdir("www")
        w.mkdir("tmp")
        page = w.random_file("www/file", 64 << 10)
        conf = nginx_conf(w, SRV4, HTTP_PORT)
        srv = Daemon(["nginx", "-p", w.path, "-c", conf, "-e",
                      w("error.log")], w("nginx.log"), ns=t.srv)
        try:
            wait_listening(t.srv, "tcp", HTTP_PORT, srv)
            with NftCounter(t.srv, "tcp", HTTP_PORT) as nft, \
                    TcpTrace() as tp:
                out = cmd(["wrk", "-t", "2", "-c", "8", "-d", "3s",
                           "--timeout", "%ds" % deadline(20), "-s", WRK_LUA,
                           "http://%s:%d/file" % (SRV4, HTTP_PORT),
                           "--", page],
                          ns=t.cli, timeout=120)
                for line in out.splitlines():
                    note("wrk: " + line)
                reqs = re.search(r"(\d+) requests in", out)
                check = re.search(r"CHECK good=(\d+) bad=(\d+)", out)
                ksft_true(reqs and int(reqs.group(1)) > 0, "wrk requests")
                ksft_true(check, "wrk's Lua check ran")
                if reqs and check:
                    ksft_eq((int(check.group(1)), int(check.group(2))),
                            (int(reqs.group(1)), 0),
                            "responses (intact, bad)")
                ksft_true("Socket errors" not in out, "wrk socket errors")
                ksft_true("Non-2xx" not in out, "wrk non-2xx responses")
                pcbs = check_counted(t.srv, "tcp", HTTP_PORT, nft)
                events = tp.events()
            check_spread(pcbs, 8, "nginx")
            check_tcp_threads(events, pcbs, SRV4, HTTP_PORT, ["nginx"],
                              "nginx")
        finally:
            if srv.stop() not in (0, -signal.SIGTERM):
                srv.dump()


# ---- iperf3 -------------------------------------------------------------

IPERF_PORT = 5201


def iperf3_server(t, w, name):
    """iperf3 -s for one test, dual-stack (its default), JSON report."""
    srv = Daemon(["iperf3", "-s", "-1", "-J", "-p", str(IPERF_PORT)],
                 w(name), ns=t.srv)
    wait_listening(t.srv, "tcp", IPERF_PORT, srv)
    return srv


def iperf3_report(srv):
    ksft_eq(srv.p.wait(timeout=deadline(60)), 0, "iperf3 server status")
    try:
        return json.loads(srv.text())
    except ValueError:
        srv.dump()
        raise


def iperf3_tcp():
    """iperf3 over TCP, IPv6, 4 parallel streams, 8 MiB in all, to a
    dual-stack server: no error, every stream carried data. (iperf3
    checks no content, and its server stops reading at the end of the
    test: what was still in flight is sent but not counted received.)"""
    need(("iperf3", "iperf3"))
    with fresh_module(), Topo() as t, Workdir() as w:
        rr(t.srv, "tcp", IPERF_PORT)
        srv = iperf3_server(t, w, "server.json")
        try:
            with NftCounter(t.srv, "tcp", IPERF_PORT) as nft, \
                    TcpTrace() as tp:
                out = cmd(["iperf3", "-c", SRV6, "-p", str(IPERF_PORT),
                           "-P", "4", "-n", "8M", "-J"], ns=t.cli,
                          timeout=300)
                cli = json.loads(out)
                report = iperf3_report(srv)
                ksft_eq((cli.get("error"), report.get("error")),
                        (None, None), "iperf3 errors (client, server)")
                sent = cli["end"]["sum_sent"]["bytes"]
                got = report["end"]["sum_received"]["bytes"]
                note("iperf3 TCP: %d bytes sent, %d counted received" %
                     (sent, got))
                ksft_true(sent >= 8 * MiB, "bytes sent: %d" % sent)
                ksft_true(0 < got <= sent, "bytes received: %d" % got)
                streams = [s["receiver"]["bytes"] for s in
                           report["end"]["streams"]]
                ksft_true(len(streams) == 4 and all(streams),
                          "bytes received per stream: %r" % streams)
                pcbs = check_counted(t.srv, "tcp", IPERF_PORT, nft)
                events = tp.events()
            # The control connection and the 4 streams.
            check_spread(pcbs, 5, "iperf3 TCP")
            check_tcp_threads(events, pcbs, SRV6, IPERF_PORT, ["iperf3"],
                              "iperf3 TCP")
        finally:
            srv.stop()


def set_sysctl(name, value):
    path = "/proc/sys/" + name.replace(".", "/")
    with open(path) as f:
        old = f.read().strip()
    with open(path, "w") as f:
        f.write(str(value))
    return old


def iperf3_udp():
    """iperf3 over UDP, IPv4 to the dual-stack server, 2 streams at
    10 Mbit/s of 1 MiB each (its control connection over TCP): no
    datagram reordered, none lost but those the socket counted as
    dropped for want of buffer (RcvbufErrors), every datagram given to
    the socket by its flow's context thread on that context's CPU."""
    need(("iperf3", "iperf3"))
    with fresh_module(), Topo() as t, Workdir() as w:
        rr(t.srv, "tcp", IPERF_PORT)
        rr(t.srv, "udp", IPERF_PORT)
        # Room for the datagrams while the server waits for a CPU (-w,
        # which iperf3 sets on both ends' sockets).
        old = {k: set_sysctl(k, 8 * MiB) for k in
               ("net.core.rmem_max", "net.core.wmem_max")}
        srv = iperf3_server(t, w, "server.json")
        try:
            before = udp_stat(t.srv, "RcvbufErrors")
            noports = udp_stat(t.srv, "NoPorts", ipv6=True)
            with NftCounter(t.srv, "udp", IPERF_PORT) as nft, \
                    UdpTrace() as tp:
                out = cmd(["iperf3", "-c", SRV4, "-p", str(IPERF_PORT),
                           "-u", "-b", "10M", "-l", "1200", "-P", "2",
                           "-n", "1M", "-w", "4M", "-J"], ns=t.cli,
                          timeout=300)
                cli = json.loads(out)
                report = iperf3_report(srv)
                ksft_eq((cli.get("error"), report.get("error")),
                        (None, None), "iperf3 errors (client, server)")
                dropped = udp_stat(t.srv, "RcvbufErrors") - before
                end = report["end"]["sum"]
                note("iperf3 UDP server: %d datagrams, %d lost, %d out of "
                     "order; RcvbufErrors +%d" %
                     (end["packets"], end["lost_packets"],
                      end.get("out_of_order", 0), dropped))
                ksft_true(end["packets"] > 0, "datagrams received")
                ksft_eq(end.get("out_of_order", 0), 0, "reordered")
                ksft_eq(end["lost_packets"], dropped,
                        "lost = dropped by the socket")
                pcbs = check_counted(t.srv, "udp", IPERF_PORT, nft)
                # A stream's first datagrams can find no socket yet (the
                # server opens one per stream): NoPorts, no UDP receive.
                unsock = udp_stat(t.srv, "NoPorts", ipv6=True) - noports
                note("iperf3 UDP: %d datagrams found no socket" % unsock)
                events = tp.events(settled=lambda ev: len(
                    [e for e in ev if e["lport"] == IPERF_PORT]) >=
                    sum(p["packets"] for p in pcbs) - unsock)
                ctl = server_pcbs(t.srv, "tcp", IPERF_PORT)
            ksft_eq(len(ctl), 1, "PCB of the control connection")
            check_spread(pcbs, 2, "iperf3 UDP")
            check_udp_threads(events, pcbs, IPERF_PORT, unsock)
        finally:
            srv.stop()
            for k, v in old.items():
                set_sysctl(k, v)


def check_udp_threads(events, pcbs, port, unsock=0):
    """Every datagram given to a socket on port ran in a context thread,
    on its CPU, as many in each context as its PCBs counted, but for
    unsock of them that found no socket."""
    ctxs = ncctl(None, "ctx", "show")
    cpu_of = {c["id"]: c["cpu"] for c in ctxs}
    pids = Module.thread_pids()
    per, bad = collections.Counter(), []
    for e in events:
        if e["lport"] != port:
            continue
        if e["pid"] not in pids or e["cpu"] != cpu_of[pids[e["pid"]]]:
            bad.append(e)
        else:
            per[pids[e["pid"]]] += 1
    ksft_eq(bad, [], "UDP receives outside a context thread")
    want = collections.Counter()
    for p in pcbs:
        want[p["ctx"]] += p["packets"]
    if unsock:
        ksft_true(all(0 <= want[c] - per[c] <= unsock for c in want) and
                  sum(want.values()) - sum(per.values()) == unsock,
                  "UDP receives per context thread %r, counted %r, %d "
                  "without a socket" % (dict(per), dict(want), unsock))
    else:
        ksft_eq(dict(per), dict(want), "UDP receives per context thread")


CASES = [("nfs_v4_nconnect", app_case(nfs)),
         ("iscsi_tgt_open_iscsi", app_case(iscsi)),
         ("smb3_multichannel", app_case(smb)),
         ("nginx_wrk", app_case(nginx)),
         ("iperf3_tcp", app_case(iperf3_tcp)),
         ("iperf3_udp", app_case(iperf3_udp))]

if __name__ == "__main__":
    only = sys.argv[1:]
    sys.exit(ksft_run([c for c in CASES if not only or c[0] in only]))
