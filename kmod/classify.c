// SPDX-License-Identifier: GPL-2.0
/*
 * Classification of one received packet, in softirq under RCU:
 *
 *   1. exact connection: a PCB for the tuple (hash-created, pre-assigned
 *      or migrated) decides, so live connections never move when a
 *      policy changes; then a pre-assignment for any local address;
 *   2. the policy of the destination port (match local);
 *   3. the policy of the source port (match remote);
 *   4. none: the packet is not managed.
 *
 * A flow found by 2 or 3 gets its PCB here, on the first packet that can
 * open it: a TCP SYN or SYN-ACK, any UDP datagram. Creating it here rather
 * than in the context makes the choice once, so round-robin or
 * least-loaded cannot split a flow whose packets race on two CPUs.
 *
 * Anyone can send such a packet from a forged address, so the PCB is
 * unconfirmed until the flow shows it is real (context.c): for TCP, a
 * socket through its handshake, which a forger cannot complete; for UDP,
 * which has no handshake, a second datagram, which only doubles a
 * forger's cost. Unconfirmed, it lives new_timeout_ms, and a netns holds
 * at most netns_max_new of them. A flood of forged SYNs or single
 * datagrams fills that share, not the table; while it is full, new flows
 * of the netns go unmanaged (counted in the context's overflows).
 */
#include "classify.h"
#include "context.h"
#include "hash.h"
#include "queue.h"
#include "netns.h"
#include "owner.h"
#include "params.h"
#include "policy.h"

#include <net/ipv6.h>

/*
 * Creates the PCB of a flow on its first packet and hands it to ctx.
 * Returns the PCB holding the tuple (another CPU may have created it
 * first), or NULL when max_conns is reached.
 */
static struct netctx_pcb *
netctx_classify_spawn(struct net *net, const struct netctx_tuple *t,
		      u32 hash, struct netctx_context *ctx, u8 origin,
		      u32 flow_hash, netctx_okfn_t okfn)
{
	struct netctx_pcb *pcb, *old;

	pcb = netctx_pcb_alloc(net, t, hash, GFP_ATOMIC);
	if (!pcb) {
		atomic_long_inc(&ctx->shared.overflows);
		return NULL;
	}
	pcb->ctx = ctx;
	pcb->flow_hash = flow_hash;
	pcb->origin = origin;
	pcb->placed_by = origin;
	pcb->from_wild = origin == NETCTX_ORIGIN_ASSIGNED;
	pcb->state = NETCTX_STATE_ACTIVE;
	pcb->unconfirmed = origin == NETCTX_ORIGIN_HASH;
	pcb->okfn = okfn;
	old = netctx_pcb_insert(pcb);
	if (old) {
		netctx_pcb_free(pcb);
		return old;
	}
	netctx_ctx_adopt(ctx, pcb);
	return pcb;
}

/*
 * Classifier, softirq: a first packet matching a wild pre-assignment
 * gets an exact PCB on the assignment's context.
 */
static struct netctx_pcb *netctx_wild_claim(struct net *net,
					    const struct netctx_tuple *t,
					    int dif, netctx_okfn_t okfn)
{
	struct netctx_tuple wt = *t;
	struct netctx_pcb *wild, *pcb;

	memset(&wt.laddr, 0, sizeof(wt.laddr));
	wild = netctx_pcb_lookup(net, &wt, netctx_tuple_hash(net, &wt));
	/* One connection only may take it; a user's, only its socket's. */
	if (!wild || !netctx_owner_match(net, wild, t, dif) ||
	    atomic_cmpxchg(&wild->claimed, 0, 1))
		return NULL;
	pcb = netctx_classify_spawn(net, t, netctx_tuple_hash(net, t),
				    READ_ONCE(wild->ctx),
				    NETCTX_ORIGIN_ASSIGNED, 0, okfn);
	if (!pcb)
		atomic_set(&wild->claimed, 0);
	else
		WRITE_ONCE(pcb->group, READ_ONCE(wild->group));
	return pcb;
}

/* Classifier: the context a peer's session was moved to, if it was. */
static struct netctx_context *netctx_sess_ctx(struct net *net,
					      const struct in6_addr *raddr)
{
	struct netctx_net *nn = netctx_net(net);
	struct netctx_sess *s;

	if (likely(!atomic_read(&nn->nr_sess)))
		return NULL;
	s = rcu_dereference(nn->sess[netctx_sess_slot(raddr)]);
	return s && ipv6_addr_equal(&s->raddr, raddr) ? s->ctx : NULL;
}

static bool netctx_opens_flow(const struct netctx_tuple *t,
			      unsigned int meta)
{
	if (t->proto != IPPROTO_TCP)
		return true;
	return (meta & (NETCTX_META_SYN | NETCTX_META_RST | NETCTX_META_FIN)) ==
	       NETCTX_META_SYN;
}

struct netctx_pcb *netctx_classify(struct net *net, struct netctx_net *nn,
				   struct sk_buff *skb,
				   const struct netctx_tuple *t,
				   unsigned int meta, netctx_okfn_t okfn)
{
	int dif = skb->dev ? skb->dev->ifindex : 0;
	u32 hash = netctx_tuple_hash(net, t);
	struct netctx_context *ctx;
	struct netctx_policy *p;
	struct netctx_pcb *pcb;
	u32 flow_hash;

	if (atomic_read(&nn->nr_pcbs)) {
		pcb = netctx_pcb_lookup(net, t, hash);
		if (pcb) {
			if (unlikely(pcb->wild))
				return NULL;
			/* A user's, still waiting: only for its socket. */
			if (unlikely(pcb->user) &&
			    READ_ONCE(pcb->state) == NETCTX_STATE_ASSIGNED &&
			    !netctx_owner_match(net, pcb, t, dif))
				return NULL;
			return pcb;
		}
		if (atomic_read(&nn->nr_wild) && netctx_opens_flow(t, meta)) {
			pcb = netctx_wild_claim(net, t, dif, okfn);
			if (pcb)
				return pcb;
		}
	}
	if (!READ_ONCE(nn->nr_policies))
		return NULL;
	p = netctx_policy_lookup(nn, t->proto, NETCTX_MATCH_LOCAL,
				 ntohs(t->lport));
	if (!p)
		p = netctx_policy_lookup(nn, t->proto, NETCTX_MATCH_REMOTE,
					 ntohs(t->rport));
	if (!p || !netctx_opens_flow(t, meta))
		return NULL;
	/*
	 * Over its share of unconfirmed flows (a flood, most likely), before
	 * the hash: a refused flow runs no BPF program and takes no
	 * round-robin turn. Counted in the port's first context.
	 */
	if (atomic_read(&nn->nr_new) >= netctx_netns_max_new) {
		ctx = netctx_context(p->ctx_ids[0]);
		atomic_long_inc(&ctx->shared.overflows);
		return NULL;
	}
	ctx = netctx_policy_pick(p, t, skb, &flow_hash);
	/* A peer's session moved as a whole: its new connections follow. */
	if (p->hash == NETCTX_HASH_REMOTE_ADDR)
		ctx = netctx_sess_ctx(net, &t->raddr) ?: ctx;
	pcb = netctx_classify_spawn(net, t, hash, ctx, NETCTX_ORIGIN_HASH,
				    flow_hash, okfn);
	if (unlikely(p->balance) && pcb && !READ_ONCE(pcb->balance))
		WRITE_ONCE(pcb->balance, true);
	return pcb;
}
