/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Classic BPF programs in the text forms of the usual tools, for
 * "port add ... hash bpf FILE" (iproute2 keeps its lib/bpf_legacy.c apart
 * from lib/utils.c the same way).
 */
#ifndef NCCTL_BPF_H
#define NCCTL_BPF_H

#include <stddef.h>
#include <linux/filter.h>

/*
 * A classic BPF program in one of the text forms of the usual tools:
 *   tcpdump -ddd:  "N" then N lines "code jt jf k" (decimal)
 *   bpf_asm:       "N,code jt jf k,code jt jf k,..." (same, commas)
 *   bpf_asm -c, tcpdump -dd:  "{ 0x28, 0, 0, 0x0000000c }," per insn
 * Numbers are decimal or 0x hex; '#' and "//" start comments. Between 1
 * and NETCTX_BPF_MAX_INSNS instructions. On success *prog is malloc()ed.
 * On failure @err holds a one-line reason ("line 3: ...").
 */
int nc_bpf_parse(const char *text, struct sock_filter **prog,
		 unsigned int *len, char *err, size_t errlen);
/* nc_bpf_parse() of a file's contents ("-": stdin). */
int nc_bpf_load(const char *path, struct sock_filter **prog,
		unsigned int *len, char *err, size_t errlen);

#endif /* NCCTL_BPF_H */
