#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The netlink spec is the one source of the family's rules.

Documentation/netlink/specs/netctx.yaml says which attributes each command
takes and what each may hold. From it this writes

  kmod/netlink-gen.[ch]   the per-command nla_policy tables and the
                          genl_ops table (handlers, flags, start/done)
  tools/ncctl/nl-gen.h    the attribute names, types and lengths and each
                          command's request attributes, for ncctl's reply
                          checks and the fake kernel of its tests

and checks (``check``, run by make unit) that the files on disk are what
the spec makes and that linux/netctx.h has the spec's values: every
command, attribute, enum entry, flag and constant, and nothing more. The
kernel's own ynl-gen-c needs a newer tree than linux-source-6.1; this
covers the subset of the genetlink-legacy schema the spec uses.

    nlspec.py gen      rewrite the generated files
    nlspec.py check    fail, with a diff, if anything disagrees
"""

import difflib
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC = "Documentation/netlink/specs/netctx.yaml"
HEADER = "uapi/linux/netctx.h"
KGEN_C = "kmod/netlink-gen.c"
KGEN_H = "kmod/netlink-gen.h"
UGEN_H = "tools/ncctl/nl-gen.h"

SCALARS = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}
# nla_policy's min and max are s16 in 6.1; larger bounds need a
# struct netlink_range_validation.
S16_MAX = 32767


def upper(name):
    return name.upper().replace("-", "_")


def lower(name):
    return name.lower().replace("-", "_")


class Spec:
    def __init__(self, path):
        with open(path) as f:
            text = f.read()
        self.raw = yaml.safe_load(text)
        self.licence = text.split("\n", 1)[0].strip()
        y = self.raw
        self.name = y["name"]
        self.prefix = upper(self.name) + "_"
        self.consts = {}
        self.enums = {}		# name -> (kind, [(C name, value)], y)
        for d in y.get("definitions", []):
            if d["type"] == "const":
                self.consts[d["name"]] = d["value"]
                continue
            pfx = upper(d.get("name-prefix", self.name + "-" + d["name"] + "-"))
            entries = []
            for i, e in enumerate(d["entries"]):
                ename = e if isinstance(e, str) else e["name"]
                val = e.get("value", i) if isinstance(e, dict) else i
                if d["type"] == "flags":
                    val = 1 << val
                entries.append((pfx + upper(ename), val))
            self.enums[d["name"]] = (d["type"], entries, d)
        aset = y["attribute-sets"]
        if len(aset) != 1:
            sys.exit("nlspec: one attribute set expected")
        aset = aset[0]
        self.attr_pfx = upper(aset["name-prefix"])
        self.attrs = {}		# name -> dict with "value"
        self.attr_list = []
        val = 1
        for a in aset["attributes"]:
            val = a.get("value", val)
            a = dict(a, value=val)
            self.attrs[a["name"]] = a
            self.attr_list.append(a)
            val += 1
        ops = y["operations"]
        self.cmd_pfx = upper(ops["name-prefix"])
        self.ops = []
        val = 1
        for o in ops["list"]:
            val = o.get("value", val)
            self.ops.append(dict(o, value=val))
            val += 1

    def cname(self, attr):
        return self.attr_pfx + upper(attr)

    def cmd(self, op):
        return self.cmd_pfx + upper(op["name"])

    def resolve(self, v):
        """A check's bound: a number or a definition's name."""
        if isinstance(v, int):
            return v
        if v in self.consts:
            return self.consts[v]
        sys.exit("nlspec: unknown bound %r" % v)

    def requests(self, op):
        """The request attributes of @op (do or dump), in value order."""
        names = set()
        for mode in ("do", "dump"):
            req = op.get(mode, {}).get("request", {})
            names.update(req.get("attributes", []))
        for n in names:
            if n not in self.attrs:
                sys.exit("nlspec: %s: unknown attribute %s" % (op["name"], n))
        return sorted(names, key=lambda n: self.attrs[n]["value"])

    def flags_mask(self, name):
        kind, entries, _ = self.enums[name]
        mask = 0
        for _, v in entries:
            mask |= v
        return mask


def out_header(spec, comment, kernel):
    lic = spec.licence.split(":", 1)[1].strip()
    first = ("// SPDX-License-Identifier: %s" if kernel == "c" else
             "/* SPDX-License-Identifier: %s */") % lic
    return [first,
            "/* Do not edit directly, auto-generated from: */",
            "/*\t%s */" % SPEC,
            "/* by tools/nlspec/nlspec.py: %s */" % comment,
            ""]


# ---- the kernel's policies and ops ----

def policy_entry(spec, a, ranges):
    """The nla_policy initializer of attribute @a."""
    t = a["type"]
    ck = a.get("checks", {})
    name = lower(a["name"])
    if t in SCALARS:
        nla = "NLA_" + upper(t)
        if "flags-mask" in ck:
            return "NLA_POLICY_MASK(%s, 0x%x)" % (
                nla, spec.flags_mask(ck["flags-mask"]))
        lo = spec.resolve(ck["min"]) if "min" in ck else None
        hi = spec.resolve(ck["max"]) if "max" in ck else None
        if (lo or 0) > S16_MAX or (hi or 0) > S16_MAX:
            ranges.append((name, lo or 0, hi if hi is not None else
                           (1 << (8 * SCALARS[t])) - 1))
            return "NLA_POLICY_FULL_RANGE(%s, &%s_%s_range)" % (
                nla, lower(spec.name), name)
        if lo is not None and hi is not None:
            return "NLA_POLICY_RANGE(%s, %d, %d)" % (nla, lo, hi)
        if lo is not None:
            return "NLA_POLICY_MIN(%s, %d)" % (nla, lo)
        if hi is not None:
            return "NLA_POLICY_MAX(%s, %d)" % (nla, hi)
        return "{ .type = %s, }" % nla
    if t == "binary":
        if "exact-len" in ck:
            return "NLA_POLICY_EXACT_LEN(%d)" % spec.resolve(ck["exact-len"])
        lo = spec.resolve(ck["min-len"]) if "min-len" in ck else None
        hi = spec.resolve(ck["max-len"]) if "max-len" in ck else None
        if lo is None and hi is not None:
            return "{ .type = NLA_BINARY, .len = %d, }" % hi
        if hi is not None and hi > S16_MAX:
            ranges.append((name, lo or 0, hi))
            return "NLA_POLICY_FULL_RANGE(NLA_BINARY, &%s_%s_range)" % (
                lower(spec.name), name)
        if lo is not None and hi is not None:
            return "NLA_POLICY_RANGE(NLA_BINARY, %d, %d)" % (lo, hi)
        if lo is not None:
            return "NLA_POLICY_MIN_LEN(%d)" % lo
        return "{ .type = NLA_BINARY, }"
    sys.exit("nlspec: %s: type %s not supported" % (a["name"], t))


def handler(spec, op, mode):
    return "%s_nl_%s_%sit" % (lower(spec.name), lower(op["name"]), mode)


def kernel_ops(spec):
    """The ops that have a handler (not events)."""
    return [o for o in spec.ops if "do" in o or "dump" in o]


def gen_kernel_c(spec):
    fam = lower(spec.name)
    lines = out_header(spec, "kernel policies and ops", "c")
    lines += ["#include <net/netlink.h>", "#include <net/genetlink.h>", "",
              '#include "netlink-gen.h"', ""]
    ranges = []
    body = []
    for o in kernel_ops(spec):
        req = spec.requests(o)
        if not req:
            continue
        last = spec.cname(req[-1])
        body += ["/* %s */" % spec.cmd(o),
                 "static const struct nla_policy %s_%s_nl_policy[%s + 1] = {"
                 % (fam, lower(o["name"]), last)]
        for n in req:
            body.append("\t[%s] = %s," % (spec.cname(n),
                                            policy_entry(spec, spec.attrs[n],
                                                         ranges)))
        body += ["};", ""]
    seen = set()
    for name, lo, hi in ranges:
        if name in seen:
            continue
        seen.add(name)
        # 6.1's nla_policy points to a non-const range.
        lines += ["static struct netlink_range_validation %s_%s_range = {"
                  % (fam, name), "\t.min\t= %dULL," % lo,
                  "\t.max\t= %dULL," % hi, "};", ""]
    lines += body
    lines += ["/* Ops table for %s */" % spec.name,
              "const struct genl_ops %s_nl_ops[%d] = {"
              % (fam, len(kernel_ops(spec)))]
    for o in kernel_ops(spec):
        req = spec.requests(o)
        lines += ["\t{", "\t\t.cmd\t\t= %s," % spec.cmd(o)]
        for mode, pre, post in (("do", "pre_doit", "post_doit"),
                                ("dump", "start", "done")):
            if mode not in o:
                continue
            if "pre" in o[mode]:
                lines.append("\t\t.%s\t\t= %s," % (pre, lower(o[mode]["pre"])))
            lines.append("\t\t.%sit\t\t= %s," % (mode, handler(spec, o, mode)))
            if "post" in o[mode]:
                lines.append("\t\t.%s\t\t= %s," % (post,
                                                   lower(o[mode]["post"])))
        if req:
            lines += ["\t\t.policy\t\t= %s_%s_nl_policy," % (fam, lower(o["name"])),
                      "\t\t.maxattr\t= %s," % spec.cname(req[-1])]
        flags = ["GENL_" + upper(f) for f in o.get("flags", [])]
        if flags:
            lines.append("\t\t.flags\t\t= %s," % " | ".join(flags))
        lines.append("\t},")
    lines += ["};"]
    return "\n".join(lines) + "\n"


def gen_kernel_h(spec):
    fam = lower(spec.name)
    guard = "_%s_NETLINK_GEN_H" % upper(spec.name)
    lines = out_header(spec, "kernel policies and ops", "h")
    lines += ["#ifndef " + guard, "#define " + guard, "",
              "#include <net/netlink.h>", "#include <net/genetlink.h>", "",
              '#include "../uapi/linux/%s.h"' % spec.name, "",
              "extern const struct genl_ops %s_nl_ops[%d];"
              % (fam, len(kernel_ops(spec))), ""]
    for o in kernel_ops(spec):
        for mode in ("do", "dump"):
            if mode not in o:
                continue
            if "pre" in o[mode]:
                lines.append("int %s(struct netlink_callback *cb);"
                             % lower(o[mode]["pre"]))
            if mode == "do":
                lines.append("int %s(struct sk_buff *skb, struct genl_info *info);"
                             % handler(spec, o, mode))
            else:
                lines.append("int %s(struct sk_buff *skb, struct netlink_callback *cb);"
                             % handler(spec, o, mode))
            if "post" in o[mode]:
                lines.append("int %s(struct netlink_callback *cb);"
                             % lower(o[mode]["post"]))
    lines += ["", "#endif /* %s */" % guard]
    return "\n".join(lines) + "\n"


# ---- userspace: ncctl and its fake kernel ----

def attr_lens(spec, a):
    t = a["type"]
    ck = a.get("checks", {})
    if t in SCALARS:
        return SCALARS[t], SCALARS[t]
    if t == "pad":
        return 0, 0xffff
    if "exact-len" in ck:
        n = spec.resolve(ck["exact-len"])
        return n, n
    return (spec.resolve(ck.get("min-len", 0)),
            spec.resolve(ck.get("max-len", 0xffff)))


def gen_user_h(spec):
    pfx = upper(spec.name)
    guard = "_NCCTL_NL_GEN_H"
    lines = out_header(spec, "attribute table of ncctl", "h")
    lines += ["#ifndef " + guard, "#define " + guard, "",
              "#include <stdint.h>", "",
              "#include <linux/%s.h>" % spec.name, "",
              "/* An attribute as the spec describes it: replies are checked"
              " against it. */",
              "struct nc_attr_spec {",
              "\tconst char *name;\t/* the uAPI's */",
              "\tuint16_t min_len;\t/* payload bytes */",
              "\tuint16_t max_len;",
              "};", "",
              "static const struct nc_attr_spec nc_attr_specs[__%s_A_MAX] = {"
              % pfx,
              "\t[%sUNSPEC] = { \"%sUNSPEC\", 0, 65535 }," % (spec.attr_pfx,
                                                    spec.attr_pfx)]
    for a in spec.attr_list:
        lo, hi = attr_lens(spec, a)
        lines.append("\t[%s] = { \"%s\", %d, %d }," % (
            spec.cname(a["name"]), spec.cname(a["name"]), lo, hi))
    lines += ["};", "",
              "/* Each command's request attributes (bit n: attribute n): the"
              " kernel", " * refuses any other. */",
              "static const uint64_t nc_cmd_requests[__%s_CMD_MAX] = {" % pfx]
    if spec.attr_list[-1]["value"] >= 64:
        sys.exit("nlspec: more than 63 attributes: widen nc_cmd_requests")
    for o in kernel_ops(spec):
        req = spec.requests(o)
        bits = " |\n\t\t".join("1ULL << %s" % spec.cname(n) for n in req)
        lines.append("\t[%s] = %s," % (spec.cmd(o), bits or "0"))
    lines += ["};", "",
              "static const char *const nc_cmd_names[__%s_CMD_MAX] = {" % pfx,
              "\t[%sUNSPEC] = \"%sUNSPEC\"," % (spec.cmd_pfx, spec.cmd_pfx)]
    for o in spec.ops:
        lines.append("\t[%s] = \"%s\"," % (spec.cmd(o), spec.cmd(o)))
    lines += ["};", "", "#endif /* %s */" % guard]
    return "\n".join(lines) + "\n"


# ---- the uAPI header agrees ----

def uapi_asserts(spec):
    """C that compiles only if linux/netctx.h has the spec's values."""
    pfx = upper(spec.name)
    y = spec.raw
    checks = []

    def eq(expr, val):
        checks.append((expr, val))

    for name, val in spec.consts.items():
        eq(pfx + "_" + upper(name), val)
    for name, (kind, entries, d) in spec.enums.items():
        for cname, val in entries:
            eq(cname, val)
        if kind == "enum":
            # The header's count member: nothing beyond the spec's entries.
            eq("__%s_%s_MAX" % (pfx, upper(name)), len(entries))
            if d.get("render-max"):
                eq("%s_%s_MAX" % (pfx, upper(name)), len(entries) - 1)
    for a in spec.attr_list:
        eq(spec.cname(a["name"]), a["value"])
    eq("__%s_A_MAX" % pfx, spec.attr_list[-1]["value"] + 1)
    for o in spec.ops:
        eq(spec.cmd(o), o["value"])
    eq("__%s_CMD_MAX" % pfx, spec.ops[-1]["value"] + 1)
    lines = ["#include <linux/%s.h>" % spec.name, "#include <string.h>", ""]
    for expr, val in checks:
        lines.append('_Static_assert((%s) == %d, "%s is %d in the spec");'
                     % (expr, val, expr, val))
    fam = upper(y.get("c-family-name", spec.name + "-genl-name"))
    ver = upper(y.get("c-version-name", spec.name + "-genl-version"))
    lines += ['_Static_assert(sizeof(%s) == sizeof("%s"), "family name");'
              % (fam, spec.name),
              '_Static_assert(%s == %d, "family version");'
              % (ver, y.get("version", 1))]
    for g in y.get("mcast-groups", {}).get("list", []):
        name = upper(g.get("c-define-name", "%s-mcgrp-%s" % (spec.name,
                                                             g["name"])))
        lines.append('_Static_assert(sizeof(%s) == sizeof("%s"), "%s");'
                     % (name, g["name"], name))
    lines.append('int main(void) { return strcmp(%s, "%s"); }'
                 % (fam, spec.name))
    return "\n".join(lines) + "\n"


def check_uapi(spec):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "uapi_check.c")
        with open(src, "w") as f:
            f.write(uapi_asserts(spec))
        r = subprocess.run(["cc", "-Wall", "-Werror", "-I",
                            os.path.join(ROOT, "uapi"), "-o",
                            os.path.join(tmp, "uapi_check"), src],
                           capture_output=True, text=True)
        if r.returncode:
            sys.stderr.write(r.stderr)
            return ["%s disagrees with %s" % (HEADER, SPEC)]
        if subprocess.run([os.path.join(tmp, "uapi_check")]).returncode:
            return ["%s: family name differs from %s" % (HEADER, SPEC)]
    return []


# Bounds the schema cannot write as a definition's expression: each must
# equal what it is derived from (definitions by name, "enum:X" the last
# value of enum X).
DERIVED = {
    ("ctx-id", "max"): lambda c, e: c["max-contexts"] - 1,
    ("contexts", "max-len"): lambda c, e: c["max-contexts"] // 8,
    ("bpf", "max-len"): lambda c, e: c["bpf-max-insns"] * 8,
    ("hash-key", "exact-len"): lambda c, e: c["toeplitz-key-len"],
}


def check_spec(spec):
    """What the generator relies on and the schema does not say."""
    errs = []
    for a in spec.attr_list:
        ck = a.get("checks", {})
        for (name, key), fn in DERIVED.items():
            if a["name"] == name and ck.get(key) != fn(spec.consts,
                                                       spec.enums):
                errs.append("%s %s is %r, not %r" % (name, key, ck.get(key),
                            fn(spec.consts, spec.enums)))
        e = spec.enums.get(a.get("enum"))
        if e and e[0] == "enum" and "max" in ck and \
                ck["max"] != e[1][-1][1]:
            errs.append("%s max is %r, not the last of enum %s (%d)" %
                        (a["name"], ck["max"], a["enum"], e[1][-1][1]))
    if spec.licence != ("# SPDX-License-Identifier: "
                        "((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)"):
        errs.append("%s: the licence of in-tree specs, please" % SPEC)
    if spec.raw.get("kernel-policy") != "per-op":
        errs.append("%s: kernel-policy must be per-op" % SPEC)
    for o in spec.ops:
        for mode in ("do", "dump"):
            for part in ("request", "reply"):
                for n in o.get(mode, {}).get(part, {}).get("attributes", []):
                    if n not in spec.attrs:
                        errs.append("%s %s %s: no attribute %s" %
                                    (o["name"], mode, part, n))
        for n in o.get("event", {}).get("attributes", []):
            if n not in spec.attrs:
                errs.append("%s event: no attribute %s" % (o["name"], n))
    return errs


OUTPUTS = ((KGEN_C, gen_kernel_c), (KGEN_H, gen_kernel_h),
           (UGEN_H, gen_user_h))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    spec = Spec(os.path.join(ROOT, SPEC))
    errs = check_spec(spec)
    if mode == "gen":
        if errs:
            sys.exit("\n".join(errs))
        for path, gen in OUTPUTS:
            with open(os.path.join(ROOT, path), "w") as f:
                f.write(gen(spec))
        return 0
    if mode != "check":
        sys.exit(__doc__)
    for path, gen in OUTPUTS:
        want = gen(spec)
        try:
            with open(os.path.join(ROOT, path)) as f:
                have = f.read()
        except FileNotFoundError:
            have = ""
        if have != want:
            sys.stderr.writelines(difflib.unified_diff(
                have.splitlines(True), want.splitlines(True),
                path, path + " (from the spec)"))
            errs.append("%s is stale: run make spec" % path)
    errs += check_uapi(spec)
    for e in errs:
        print("nlspec: " + e, file=sys.stderr)
    if errs:
        return 1
    print("nlspec: %s, %s, %s, %s and %s agree" %
          (SPEC, HEADER, KGEN_C, KGEN_H, UGEN_H))
    return 0


if __name__ == "__main__":
    sys.exit(main())
