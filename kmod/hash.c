// SPDX-License-Identifier: GPL-2.0
/*
 * The hash library: how a policy maps a new flow to a context of its set.
 *
 *   default      SipHash-2-4 over (remote addr, remote port << 16 | local
 *                port) with the module's key: the patent's 3-tuple hash;
 *   toeplitz     the NIC RSS hash over (src addr, dst addr, src port,
 *                dst port) of the received packet, with the policy's key;
 *   remote-addr  SipHash-2-4 over the remote address with the module's key;
 *   round-robin  a per-policy counter;
 *   least-loaded the context of the set owning the fewest PCBs;
 *   bpf          the return value of the policy's classic BPF program.
 *
 * The set member is hash % set size, the hash the low 32 bits. The key is
 * the hash_key module parameter (random when empty), so tests can predict
 * the choice. A keyed PRF, not jhash: flow hashes are shown to users, and
 * from a few of them and their known inputs a 32-bit jhash seed falls to
 * a search of a minute, after which anyone could aim flows at a context.
 * The 128-bit key does not fall that way.
 */
#include "hash.h"
#include "context.h"
#include "policy.h"
#include "toeplitz.h"

#include <linux/filter.h>
#include <linux/siphash.h>

/* The Microsoft RSS verification key, what most NICs use by default. */
const u8 netctx_toeplitz_default_key[NETCTX_TOEPLITZ_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static siphash_key_t netctx_hash_key __read_mostly;

void netctx_hash_init(const siphash_key_t *key)
{
	netctx_hash_key = *key;
}

static u32 netctx_hash_default(const struct netctx_tuple *t)
{
	struct {
		struct in6_addr raddr;
		u32 ports;
	} in;

	BUILD_BUG_ON(sizeof(in) != 20);
	in.raddr = t->raddr;
	in.ports = (u32)ntohs(t->rport) << 16 | ntohs(t->lport);
	return siphash(&in, sizeof(in), &netctx_hash_key);
}

static u32 netctx_hash_remote_addr(const struct netctx_tuple *t)
{
	return siphash(&t->raddr, sizeof(t->raddr), &netctx_hash_key);
}

/* Input order of RSS: source address, destination address, ports. */
static u32 netctx_hash_toeplitz(const u8 *key, const struct netctx_tuple *t)
{
	unsigned int alen = t->family == AF_INET ? 4 : 16;
	const u8 *raddr = t->raddr.s6_addr + 16 - alen;
	const u8 *laddr = t->laddr.s6_addr + 16 - alen;
	u8 in[36];

	memcpy(in, raddr, alen);
	memcpy(in + alen, laddr, alen);
	memcpy(in + 2 * alen, &t->rport, 2);
	memcpy(in + 2 * alen + 2, &t->lport, 2);
	return netctx_toeplitz(key, in, 2 * alen + 4);
}

static unsigned int netctx_least_loaded(const struct netctx_policy *p)
{
	unsigned int i, best = 0, load, best_load = UINT_MAX;

	for (i = 0; i < p->nr_ctx; i++) {
		/*
		 * A PCB may leave before its hand-over is counted: the load
		 * can dip below zero for a moment.
		 */
		load = max(atomic_read(&netctx_context(p->ctx_ids[i])->shared.load),
			   0);
		if (load < best_load) {
			best_load = load;
			best = i;
		}
	}
	return best;
}

/* Returns the context of the set that a new flow goes to. */
struct netctx_context *netctx_policy_pick(struct netctx_policy *p,
					  const struct netctx_tuple *t,
					  struct sk_buff *skb, u32 *flow_hash)
{
	u32 hash;

	switch (p->hash) {
	case NETCTX_HASH_TOEPLITZ:
		hash = netctx_hash_toeplitz(p->key, t);
		break;
	case NETCTX_HASH_REMOTE_ADDR:
		hash = netctx_hash_remote_addr(t);
		break;
	case NETCTX_HASH_ROUND_ROBIN:
		hash = (u32)atomic_inc_return(&p->rr) - 1;
		break;
	case NETCTX_HASH_LEAST_LOADED:
		hash = netctx_least_loaded(p);
		break;
	case NETCTX_HASH_BPF:
		hash = bpf_prog_run_save_cb(p->prog, skb);
		break;
	default:
		hash = netctx_hash_default(t);
		break;
	}
	*flow_hash = hash;
	return netctx_context(p->ctx_ids[hash % p->nr_ctx]);
}
