#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report: reads RESULTS/raw/{cost,scale,pps}.jsonl (written
by tools/bench/cost.sh and pps.sh in the guests), writes RESULTS/results.json,
RESULTS/results.md and, with gnuplot, RESULTS/{cost,pps,scale}.png; prints
the Markdown.  Targets are those of the performance issue, see
Documentation/performance.rst.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

COST_ROWS = [
    ("plain", "plain receive, no module"),
    ("rps", "RPS onto the same CPU"),
    ("loaded", "netctx loaded, no policy"),
    ("policy-other-port", "netctx, a policy on another port"),
    ("managed", "netctx managed, 1 context, same CPU"),
    ("managed-batch", "the same, context SCHED_BATCH (chrt -b)"),
]
PPS_SETUPS = [
    ("none", "no module"),
    ("unmanaged", "netctx loaded, port unmanaged"),
    ("managed", "netctx managed, one context per vCPU"),
    ("rps", "RPS over the same vCPUs"),
    ("cpumap", "XDP cpumap over the same vCPUs"),
]
# What the managed path is held against, as the targets name it.
STEERING = {"rps": "RPS", "cpumap": "XDP cpumap"}
# The issue's earlier figures (instructions per packet).
ISSUE = {"plain": 4638, "rps": 5910, "loaded": 4769,
         "policy-other-port": 5150, "managed": 7794}


def jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def cost_section(raw, problems, notes):
    runs = jsonl(os.path.join(raw, "cost.jsonl"))
    rows = {}
    for name, label in COST_ROWS:
        rs = [r for r in runs if r["row"] == name]
        if not rs:
            continue
        short = [r["ins_per_pkt"] for r in rs if r["run"] > 0]
        long_ = [r["ins_per_pkt"] for r in rs if r["run"] == 0]
        for r in rs:
            s = r["sink"]
            if s["packets"] != r["packets"] or s["reordered"] or s["bad"]:
                problems.append("cost %s run %d: sink %s for %d packets" %
                                (name, r["run"], s, r["packets"]))
            for c in r.get("ctx") or []:
                if c.get("drops"):
                    problems.append("cost %s run %d: %d context drops" %
                                    (name, r["run"], c["drops"]))
        sw = [r["switches"] / r["packets"] for r in rs
              if r["run"] > 0 and "switches" in r]
        rows[name] = {"label": label, "runs": short,
                      "switches_per_pkt": statistics.mean(sw) if sw else None,
                      "ins_per_pkt": statistics.mean(short),
                      "double_length": long_[0] if long_ else None,
                      "packets": rs[0]["packets"]}
    plain = rows.get("plain", {}).get("ins_per_pkt")
    for name, r in rows.items():
        r["delta"] = r["ins_per_pkt"] - plain if plain else None
        r["issue"] = ISSUE.get(name)
        if r["double_length"] and abs(r["double_length"] / r["ins_per_pkt"] - 1) > 0.01:
            notes.append("cost %s: %.0f ins/pkt over 2N packets vs %.0f over N: "
                            "the hand-off's cost varies with how the scheduler interleaves "
                            "pktgen and the context (compare runs 1 and 2)" %
                            (name, r["double_length"], r["ins_per_pkt"]))
    return rows


def scale_section(raw):
    out = []
    for s in jsonl(os.path.join(raw, "scale.jsonl")):
        m = s["measure"]
        d = s["pcb_objects_delta"]
        out.append({"extra_pcbs": s["extra_pcbs"], "conns": s["conns"],
                    "ins_per_pkt": m["ins_per_pkt"],
                    "pcb_slab_size": s["pcb_slab_size"],
                    "slab_bytes_per_pcb": (s["slab_kb_delta"] * 1024 / d) if d else None,
                    "sink_ok": m["sink"]["packets"] == m["packets"] and not m["sink"]["reordered"]})
    return out


def latency_section(raw, problems):
    out = []
    for r in jsonl(os.path.join(raw, "latency.jsonl")):
        rtt = r["rtt"]
        if rtt.get("lost"):
            problems.append("latency %s/%s: %d of %d round trips lost" %
                            (r["setup"], r["load"], rtt["lost"], r["count"]))
        managed = sum(c["packets"] for c in r.get("ctx") or [])
        out.append({"setup": r["setup"], "load": r["load"],
                    "count": r["count"], "managed_packets": managed,
                    **{k: rtt.get(k) for k in
                       ("p50_us", "p90_us", "p99_us", "max_us")}})
    return out


def migrate_section(raw, problems):
    out = []
    for r in jsonl(os.path.join(raw, "migrate.jsonl")):
        mv, tr = r["move"], r["trace"]
        for port, n in r["reordered"].items():
            if n:
                problems.append("migrate %s/%s: %d datagrams of port %s "
                                "out of order" % (r["mode"], r["load"], n, port))
        if mv["errors"]:
            problems.append("migrate %s/%s: %d failed moves" %
                            (r["mode"], r["load"], mv["errors"]))
        if tr["lost_events"]:
            problems.append("migrate %s/%s: %d trace events lost" %
                            (r["mode"], r["load"], tr["lost_events"]))
        out.append({"mode": r["mode"], "load": r["load"],
                    "threads": mv["threads"], "conns": mv["conns"],
                    "moves": mv["moves"], "busy": mv["busy"],
                    "rate": mv["rate"], "call_us": mv["call_us"],
                    "deliver_us": tr["deliver_us"], "done_us": tr["done_us"]})
    return out


def pps_section(raw, problems, notes):
    runs = jsonl(os.path.join(raw, "pps.jsonl"))
    out = {}
    for name, label in PPS_SETUPS:
        rs = [r for r in runs if r["setup"] == name]
        if not rs:
            continue
        pps = [r["sink"]["pps"] for r in rs]
        for r in rs:
            if not r["sink"].get("reordered"):
                continue
            # Only netctx's setups fail the run; a baseline's disorder
            # is the kernel's, and said.
            (problems if name in ("unmanaged", "managed") else notes).append(
                "pps %s round %d: %d reordered" %
                (name, r["round"], r["sink"]["reordered"]))
        out[name] = {"label": label, "pps": pps,
                     "median": statistics.median(pps),
                     "min": min(pps), "max": max(pps),
                     "cpus": rs[0]["cpus"], "flows": rs[0]["flows"]}
    base = out.get("none", {}).get("median")
    for r in out.values():
        r["ratio"] = r["median"] / base if base else None
        r["ratio_min"] = r["min"] / base if base else None
        r["ratio_max"] = r["max"] / base if base else None
    return out


APPS = [("iperf3", "bps", "iperf3, 8 TCP streams", "Gbit/s", 1e9),
        ("nginx", "rps", "nginx + wrk, 64 connections", "requests/s", 1)]


def apps_section(raw, problems):
    runs = jsonl(os.path.join(raw, "apps.jsonl"))
    out = {}
    for app, key, label, unit, scale in APPS:
        for r in runs:
            if r["app"] != app:
                continue
            if r.get("error"):
                problems.append("%s %s round %d: %s" % (app, r["setup"], r["round"], r["error"]))
            if app == "nginx" and (r["bad"] or r["errors"] or not r["good"]):
                problems.append("nginx %s round %d: %d good, %d bad responses%s" % (
                    r["setup"], r["round"], r["good"], r["bad"],
                    ", socket errors or non-2xx" if r["errors"] else ""))
        sets = {}
        for setup in ("none", "managed"):
            v = [r[key] / scale for r in runs if r["app"] == app and r["setup"] == setup]
            if v:
                sets[setup] = {"runs": v, "median": statistics.median(v),
                               "min": min(v), "max": max(v)}
                if app == "iperf3":
                    sets[setup]["retransmits"] = [r["retransmits"] for r in runs
                                                  if r["app"] == app and r["setup"] == setup]
        if {"none", "managed"} <= sets.keys():
            base = sets["none"]["median"]
            sets["ratio"] = sets["managed"]["median"] / base if base else None
        if sets:
            out[app] = {"label": label, "unit": unit, **sets}
    return out


def targets(cost, pps, migrate=(), apps=None, scale=()):
    t = []
    if {"plain", "loaded"} <= cost.keys():
        p = cost["plain"]["ins_per_pkt"]
        d = cost["loaded"]["delta"]
        t.append(("unmanaged (loaded, no policy) <= +1% instructions",
                  "%+.0f (%+.2f%%, limit %+.0f)" % (d, 100 * d / p, p / 100),
                  d <= p / 100))
    if {"plain", "policy-other-port"} <= cost.keys():
        p = cost["plain"]["ins_per_pkt"]
        d = cost["policy-other-port"]["delta"]
        t.append(("unmanaged (a policy on another port) <= +1% instructions",
                  "%+.0f (%+.2f%%, limit %+.0f)" % (d, 100 * d / p, p / 100),
                  d <= p / 100))
    for row in ("managed", "managed-batch"):
        if not {"plain", "rps", row} <= cost.keys():
            continue
        rps = cost["rps"]["delta"]
        m = cost[row]["delta"]
        t.append(("%s hop <= 0.9 x RPS's cost over plain" % row,
                  "%+.0f vs RPS %+.0f: %.2f x" % (m, rps, m / rps if rps else 0),
                  rps > 0 and m <= 0.9 * rps))
    if scale:
        small = min(scale, key=lambda x: x["extra_pcbs"])
        big = max(scale, key=lambda x: x["extra_pcbs"])
        if big["extra_pcbs"] >= 1000000 and small is not big:
            r = big["ins_per_pkt"] / small["ins_per_pkt"]
            t.append(("cost at %s live PCBs <= 1.2 x at %s" % (
                      "{:,}".format(big["conns"]), "{:,}".format(small["conns"])),
                      "%.3f x" % r, r <= 1.2))
        if big["slab_bytes_per_pcb"]:
            # The directory: max_conns / 2 buckets of 8 bytes, full.
            b = big["slab_bytes_per_pcb"] + 4
            t.append(("kernel memory per PCB <= 160 bytes with its index",
                      "%.0f (slab object %d, directory 4)" % (b, big["pcb_slab_size"]),
                      b <= 160))
    if "unmanaged" in pps and pps["unmanaged"]["ratio"] is not None:
        r = pps["unmanaged"]
        t.append(("unmanaged pps ratio >= 0.98",
                  "%.3f (runs %.3f-%.3f)" % (r["ratio"], r["ratio_min"], r["ratio_max"]),
                  r["ratio"] >= 0.98))
    for name, label in STEERING.items():
        if name not in pps or "managed" not in pps:
            continue
        m, o = pps["managed"]["median"], pps[name]["median"]
        t.append(("managed pps >= %s over the same vCPUs" % label,
                  "%.3f x" % (m / o if o else 0), m >= o))
    if "managed" in pps and pps["managed"]["ratio"] is not None:
        t.append(("managed pps >= 0.9 of no steering",
                  "%.3f" % pps["managed"]["ratio"], pps["managed"]["ratio"] >= 0.9))
    for app, a in (apps or {}).items():
        if a.get("ratio") is not None:
            t.append(("%s managed >= 0.95 of no module" % a["label"],
                      "%.3f" % a["ratio"], a["ratio"] >= 0.95))
    for r in migrate:
        # One at a time: request to the first packet the new context
        # delivers; in parallel: request to the end of each move.
        lat = r["deliver_us"] if r["mode"] == "serial" else r["done_us"]
        what = "%s, %s" % (r["mode"], r["load"])
        if lat.get("n"):
            t.append(("migration (%s) median < 200 us" % what,
                      "%.0f us" % lat["p50"], lat["p50"] < 200))
            t.append(("migration (%s) p99 < 2 ms" % what,
                      "%.0f us" % lat["p99"], lat["p99"] < 2000))
        if r["mode"] == "parallel" and r["load"] == "flood":
            t.append((">= 2,000 migrations/s across %d connections while "
                      "data flows" % r["conns"], "%.0f/s" % r["rate"],
                      r["rate"] >= 2000))
    return t


def markdown(res):
    L = []
    c = res["cost"]
    if c:
        n = next(iter(c.values()))["packets"]
        L += ["### Instructions per packet (1 vCPU, -icount shift=0, pktgen netif_receive, "
              "64-byte UDP, 256 flows, %d packets per run)" % n, "",
              "| setup | run 1 | run 2 | mean | over plain | 2N run | context switches per packet | issue before |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, _ in COST_ROWS:
            if name not in c:
                continue
            r = c[name]
            runs = r["runs"] + [None] * (2 - len(r["runs"]))
            L.append("| %s | %s | %s | %.0f | %s | %s | %s | %s |" % (
                r["label"],
                *["%.0f" % x if x is not None else "" for x in runs[:2]],
                r["ins_per_pkt"],
                "%+.0f" % r["delta"] if name != "plain" else "",
                "%.0f" % r["double_length"] if r["double_length"] else "",
                "%.3f" % r["switches_per_pkt"] if r.get("switches_per_pkt") is not None else "",
                "{:,}".format(r["issue"]) if r["issue"] else ""))
        L.append("")
    if res["scale"]:
        L += ["### Managed, with more live PCBs (same 1-vCPU icount guest)", "",
              "| extra PCBs | PCBs in table | ins/pkt | over plain | PCB object (bytes) | slab growth per PCB (bytes) |",
              "|---:|---:|---:|---:|---:|---:|"]
        p = c.get("plain", {}).get("ins_per_pkt")
        for s in res["scale"]:
            L.append("| %d | %d | %.0f | %s | %d | %s |" % (
                s["extra_pcbs"], s["conns"], s["ins_per_pkt"],
                "%+.0f" % (s["ins_per_pkt"] - p) if p else "",
                s["pcb_slab_size"],
                "%.0f" % s["slab_bytes_per_pcb"] if s["slab_bytes_per_pcb"] else ""))
        L.append("")
    pp = res["pps"]
    if pp:
        any_ = next(iter(pp.values()))
        L += ["### Received packets per second (%d vCPUs, TCG, %d UDP flows, median of %d alternated runs)"
              % (any_["cpus"], any_["flows"], len(any_["pps"])), "",
              "| setup | median pps | min-max | ratio to no module | ratio range |",
              "|---|---:|---:|---:|---:|"]
        for name, _ in PPS_SETUPS:
            if name not in pp:
                continue
            r = pp[name]
            L.append("| %s | %.0f | %.0f-%.0f | %.3f | %.3f-%.3f |" % (
                r["label"], r["median"], r["min"], r["max"], r["ratio"],
                r["ratio_min"], r["ratio_max"]))
        L.append("")
    if res["latency"]:
        L += ["### UDP round trip through a managed port (2 vCPUs, TCG; the context "
              "alone on CPU 1, or beside a busy loop)", "",
              "| context policy | CPU 1 | p50 us | p90 us | p99 us | max us |",
              "|---|---|---:|---:|---:|---:|"]
        names = {"none": "no module", "normal": "SCHED_NORMAL (default)",
                 "batch": "SCHED_BATCH (chrt -b)"}
        for r in res["latency"]:
            L.append("| %s | %s | %.0f | %.0f | %.0f | %.0f |" % (
                names.get(r["setup"], r["setup"]),
                "busy loop" if r["load"] == "hog" else "idle",
                r["p50_us"] or 0, r["p90_us"] or 0, r["p99_us"] or 0,
                r["max_us"] or 0))
        L.append("")
    if res.get("migrate"):
        L += ["### Migrations (2 vCPUs, TCG, one context per vCPU; guest clock, "
              "from the netctx:migrate_* tracepoints)", "",
              "One at a time: one UDP flow streaming to a managed port moved back "
              "and forth, each move awaited; *to first packet* is from the "
              "request to the first packet the new context delivers "
              "(netctx:migrate_deliver). In parallel: ncmove threads move 64 "
              "connections of another port round after round; *to done* is "
              "from the request to the end of the move (netctx:migrate_done). "
              "*flood*: 64 flows streaming meanwhile. *call* is what the "
              "netlink caller waits.", "",
              "| moves | load | threads | moves done | per s | to first packet p50 / p99 us "
              "| to done p50 / p99 us | call p50 / p99 us |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]

        def pp(x):
            return "%.0f / %.0f" % (x["p50"], x["p99"]) if "p50" in x else "-"
        for r in res["migrate"]:
            L.append("| %s | %s | %d | %d | %.0f | %s | %s | %s |" % (
                "one at a time" if r["mode"] == "serial" else "in parallel",
                r["load"], r["threads"], r["moves"], r["rate"],
                pp(r["deliver_us"]) if r["mode"] == "serial" else "-",
                pp(r["done_us"]), pp(r["call_us"])))
        L.append("")
    if res.get("apps"):
        L += ["### Applications through a managed port (same guest, TCG; median of "
              "alternated runs, managed against no module)", "",
              "| application | unit | no module | managed | ratio | runs (none; managed) |",
              "|---|---|---:|---:|---:|---|"]
        for app, a in res["apps"].items():
            if not {"none", "managed"} <= a.keys():
                continue
            fmt = "%.2f" if a["unit"] == "Gbit/s" else "%.0f"
            runs = "; ".join(", ".join(fmt % x for x in a[s]["runs"])
                             for s in ("none", "managed"))
            if "retransmits" in a["none"]:
                runs += " (retransmits: %s; %s)" % tuple(
                    ", ".join(str(x) for x in a[s]["retransmits"])
                    for s in ("none", "managed"))
            L.append("| %s | %s | %s | %s | %.3f | %s |" % (
                a["label"], a["unit"], fmt % a["none"]["median"],
                fmt % a["managed"]["median"], a["ratio"] or 0, runs))
        L.append("")
    if res["targets"]:
        L += ["### Targets", "", "| target | measured | met |", "|---|---|---|"]
        for name, v, ok in res["targets"]:
            L.append("| %s | %s | %s |" % (name, v, "yes" if ok else "**no**"))
        L.append("")
    if res["problems"]:
        L += ["### Checks that failed", ""] + ["* " + p for p in res["problems"]] + [""]
    else:
        L += ["Checks: every packet reached the socket, in order per flow; no context drops.", ""]
    if res["notes"]:
        L += ["Notes:", ""] + ["* " + n for n in res["notes"]] + [""]
    if res.get("seconds"):
        L.append("Wall time: %s s (icount guest), %s s (pps guest)." % tuple(res["seconds"][:2]))
        L.append("")
    return "\n".join(L)


def gnuplot(out, res):
    if not shutil.which("gnuplot"):
        print("report.py: no gnuplot, no plots (make bench installs gnuplot-nox)",
              file=sys.stderr)
        return
    term = "set terminal pngcairo size 900,480 noenhanced" \
        if b"pngcairo" in subprocess.run(["gnuplot", "-e", "set terminal"],
                                         capture_output=True).stderr + \
        subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True).stdout \
        else "set terminal png size 900,480"
    jobs = []
    if res["cost"]:
        with open(os.path.join(out, "cost.dat"), "w") as f:
            for name, _ in COST_ROWS:
                if name in res["cost"]:
                    r = res["cost"][name]
                    f.write('"%s" %.1f %d\n' % (name, r["ins_per_pkt"], r["issue"] or 0))
        jobs.append(("cost", """%s
set output '%s/cost.png'
set title 'Instructions per received packet (1 vCPU, icount)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'instructions / packet'
set yrange [0:*]
set grid ytics
set key top left
plot '%s/cost.dat' using 2:xtic(1) title 'measured', '' using 3 title 'issue, before'
""" % (term, out, out)))
    if res["pps"]:
        with open(os.path.join(out, "pps.dat"), "w") as f:
            for i, (name, _) in enumerate(PPS_SETUPS):
                if name in res["pps"]:
                    r = res["pps"][name]
                    f.write('%d "%s" %.0f %.0f %.0f\n' % (i, name, r["median"], r["min"], r["max"]))
        jobs.append(("pps", """%s
set output '%s/pps.png'
set title 'Received packets per second (median, min-max)'
set style fill solid 0.8 border -1
set boxwidth 0.6
set ylabel 'packets / s'
set yrange [0:*]
set xrange [-0.5:3.5]
set grid ytics
plot '%s/pps.dat' using 1:3:xtic(2) with boxes notitle, '' using 1:3:4:5 with yerrorbars lc rgb 'black' notitle
""" % (term, out, out)))
    if res["scale"]:
        with open(os.path.join(out, "scale.dat"), "w") as f:
            for s in res["scale"]:
                f.write("%d %.1f\n" % (max(s["conns"], 1), s["ins_per_pkt"]))
        jobs.append(("scale", """%s
set output '%s/scale.png'
set title 'Managed receive cost vs live PCBs (1 vCPU, icount)'
set logscale x
set xlabel 'PCBs in the table'
set ylabel 'instructions / packet'
set yrange [0:*]
set grid
plot '%s/scale.dat' using 1:2 with linespoints pt 7 title 'managed, 1 context'
""" % (term, out, out)))
    for name, script in jobs:
        p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
        if p.returncode:
            print("report.py: gnuplot %s: %s" % (name, p.stderr.strip()), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--seconds", default="")
    a = ap.parse_args()
    out = os.path.abspath(a.results)
    raw = os.path.join(out, "raw")
    problems = []
    notes = []
    res = {"cost": cost_section(raw, problems, notes), "scale": scale_section(raw),
           "pps": pps_section(raw, problems, notes),
           "latency": latency_section(raw, problems),
           "migrate": migrate_section(raw, problems),
           "apps": apps_section(raw, problems), "problems": problems,
           "notes": notes,
           "seconds": [int(x) for x in a.seconds.split(",") if x]}
    res["targets"] = targets(res["cost"], res["pps"], res["migrate"], res["apps"],
                             res["scale"])
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    md = markdown(res)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(md)
    gnuplot(out, res)
    print(md)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
