// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks: where packets leave the softirq path and where they
 * come back to it.
 *
 * netctx is about local receive, so the hooks sit last in IPv4 and IPv6
 * LOCAL_IN: routing has decided that the host itself delivers the packet,
 * conntrack, DNAT and the INPUT chain have seen it, and the tuple is the
 * one the local socket sees. Forwarded packets never get here, nor do
 * frames a bridge forwards through br_netfilter. A packet of a managed
 * flow is stolen with a device reference held and queued to its context;
 * that context's thread re-injects it by calling the hook's okfn
 * (ip_local_deliver_finish or ip6_input_finish) with bottom halves
 * disabled, as nf_reinject() does, so TCP/UDP receive runs there. Being
 * last, no other LOCAL_IN hook is skipped by resuming at okfn, except
 * conntrack's confirmation when it was registered before us (same
 * priority, the earlier one runs later): a packet with an unconfirmed
 * entry then goes on inline, its flow is steered from the next packet.
 *
 * Left alone: frames of a bridge with br_netfilter delivered locally,
 * packets decrypted by xfrm, which belong to other paths with their own
 * state. Fragments pass untouched: only a reassembled datagram has both
 * ports (IPv4 reassembles before LOCAL_IN; IPv6 only with conntrack).
 */
#include "hook.h"
#include "classify.h"
#include "context.h"
#include "params.h"
#include "netns.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

/*
 * Fills the ports and the TCP flags; thoff is the transport offset. With
 * nn, -ENOENT for a packet to or from no port the netns manages: most of
 * the packets of a host that manages one service go no further.
 */
static int netctx_parse_ports(const struct sk_buff *skb, unsigned int thoff,
			      struct netctx_net *nn, u8 proto,
			      struct netctx_tuple *t, unsigned int *meta)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int len;

	/* UDP and TCP both start with the source and destination ports. */
	len = proto == IPPROTO_TCP ? sizeof(_th) : sizeof(struct udphdr);
	th = skb_header_pointer(skb, thoff, len, &_th);
	if (!th)
		return -EINVAL;
	if (nn && !netctx_net_wants(nn, proto, th->dest, th->source))
		return -ENOENT;
	memset(t, 0, sizeof(*t));
	t->proto = proto;
	t->rport = th->source;
	t->lport = th->dest;
	/* slot.meta holds TCP's own flag bits. */
	BUILD_BUG_ON((NETCTX_META_FIN ^ TCPHDR_FIN) |
		     (NETCTX_META_SYN ^ TCPHDR_SYN) |
		     (NETCTX_META_RST ^ TCPHDR_RST) |
		     (NETCTX_META_ACK ^ TCPHDR_ACK));
	*meta = proto == IPPROTO_TCP ? tcp_flag_byte(th) : 0;
	return 0;
}

static int netctx_parse_v4(const struct sk_buff *skb, struct netctx_net *nn,
			   struct netctx_tuple *t, unsigned int *meta)
{
	const struct iphdr *iph = ip_hdr(skb);
	int ret;

	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	if (ip_is_fragment(iph))
		return -EINVAL;
	ret = netctx_parse_ports(skb, ip_hdrlen(skb), nn, iph->protocol, t,
				 meta);
	if (ret)
		return ret;
	t->family = AF_INET;
	ipv6_addr_set_v4mapped(iph->daddr, &t->laddr);
	ipv6_addr_set_v4mapped(iph->saddr, &t->raddr);
	return 0;
}

static int netctx_parse_v6(const struct sk_buff *skb, struct netctx_net *nn,
			   struct netctx_tuple *t, unsigned int *meta)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 nexthdr = ip6h->nexthdr;
	__be16 frag_off = 0;
	int thoff = sizeof(*ip6h);
	int ret;

	if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP) {
		thoff = ipv6_skip_exthdr(skb, thoff, &nexthdr, &frag_off);
		if (thoff < 0 || frag_off & htons(IP6_OFFSET | IP6_MF))
			return -EINVAL;
		if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
	}
	ret = netctx_parse_ports(skb, thoff, nn, nexthdr, t, meta);
	if (ret)
		return ret;
	t->family = AF_INET6;
	t->laddr = ip6h->daddr;
	t->raddr = ip6h->saddr;
	return 0;
}

/* TCP flags of a packet parked during a migration, parsed again. */
unsigned int netctx_hook_meta(const struct sk_buff *skb, u8 family)
{
	struct netctx_tuple t;
	unsigned int meta = 0;

	if (family == AF_INET)
		netctx_parse_v4(skb, NULL, &t, &meta);
	else
		netctx_parse_v6(skb, NULL, &t, &meta);
	return meta;
}

/*
 * conntrack confirms a new entry in its own LOCAL_IN hook, of our priority:
 * if it runs after us, resuming at okfn would skip it.
 */
static bool netctx_ct_unconfirmed(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	return ct && !nf_ct_is_confirmed(ct);
#else
	return false;
#endif
}

/*
 * The producer's half of the migration handshake (migrate.c): park a
 * packet of a PCB whose mig_seq is odd. False if it became even.
 */
static bool netctx_float_push(struct netctx_pcb *pcb, struct sk_buff *skb,
			      unsigned int *verdict)
{
	bool parked = false;

	spin_lock(&pcb->floatq.lock);
	if (pcb->mig_seq & 1) {
		parked = true;
		if (skb_queue_len(&pcb->floatq) >= netctx_float_len) {
			atomic_long_inc(&READ_ONCE(pcb->ctx)->shared.drops);
			/* On the classifier's lines: written once. */
			if (!pcb->float_full)
				WRITE_ONCE(pcb->float_full, true);
			*verdict = NF_DROP;
		} else {
			dev_hold(skb->dev);
			__skb_queue_tail(&pcb->floatq, skb);
			*verdict = NF_STOLEN;
		}
	}
	spin_unlock(&pcb->floatq.lock);
	return parked;
}

/*
 * Hands a stolen packet to its PCB's owner, or parks it while the PCB
 * migrates. mig_seq is read again after the ring slot is claimed: if a
 * migration began meanwhile, the owner may have stopped looking at its
 * queue, so the slot becomes a hole and the packet goes the new way.
 */
static unsigned int netctx_hook_queue(struct netctx_pcb *pcb,
				      struct sk_buff *skb, unsigned int meta)
{
	struct netctx_context *ctx;
	struct netctx_slot *slot;
	unsigned int verdict;
	unsigned long pos;
	u32 seq;

	for (;;) {
		/* Pairs with smp_store_release() in migrate.c. */
		seq = smp_load_acquire(&pcb->mig_seq);
		if (unlikely(seq & 1)) {
			if (netctx_float_push(pcb, skb, &verdict))
				return verdict;
			continue;	/* it just landed */
		}
		ctx = READ_ONCE(pcb->ctx);
		slot = netctx_queue_claim(&ctx->queue, &pos);
		if (unlikely(!slot)) {
			atomic_long_inc(&ctx->shared.drops);
			return NF_DROP;
		}
		/* The claim is fully ordered: this load cannot pass it. */
		if (likely(READ_ONCE(pcb->mig_seq) == seq))
			break;
		/*
		 * A hole, kicked like a packet: the owner may have gone to
		 * sleep on it unpublished, with packets published behind
		 * it whose producers found it awake and did not wake it.
		 */
		netctx_queue_publish(slot, pos, NULL, NULL, 0);
		netctx_ctx_kick(ctx);
	}
	dev_hold(skb->dev);
	netctx_queue_publish(slot, pos, skb, pcb, meta);
	netctx_ctx_kick(ctx);
	return NF_STOLEN;
}

static unsigned int netctx_hook_steal(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      struct netctx_net *nn,
				      const struct netctx_tuple *t,
				      unsigned int meta)
{
	struct netctx_pcb *pcb;
	netctx_okfn_t okfn;

	pcb = netctx_classify(state->net, nn, skb, t, meta, state->okfn);
	if (!pcb)
		return NF_ACCEPT;
	/*
	 * A PCB's okfn is written once: at its creation, or here by the
	 * first packet of a pre-assignment. Only packets resuming at that
	 * okfn are stolen, so the okfn the owner calls is always the one
	 * seen when the packet was stolen.
	 */
	okfn = READ_ONCE(pcb->okfn);
	if (unlikely(!okfn))
		okfn = cmpxchg(&pcb->okfn, NULL, state->okfn) ?: state->okfn;
	if (unlikely(okfn != state->okfn || netctx_ct_unconfirmed(skb)))
		return NF_ACCEPT;
	/*
	 * A noref dst would not survive the trip. One being released as
	 * we look cannot be held, and the receive path would meet a NULL
	 * dst (tcp_v4_conn_request(), __udp4_lib_rcv()): drop, as
	 * nf_queue does, rather than accept it past the packets of its
	 * flow that are queued already.
	 */
	if (unlikely(!skb_dst_force(skb))) {
		atomic_long_inc(&READ_ONCE(pcb->ctx)->shared.drops);
		return NF_DROP;
	}
	return netctx_hook_queue(pcb, skb, meta);
}

/*
 * Hooks normally run in softirq; nf_reinject() after an NFQUEUE verdict
 * runs them in process context. Producers must not be preempted between
 * claiming a ring slot and publishing it: keep bottom halves off.
 */
static unsigned int netctx_hook_steal_bh(struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 struct netctx_net *nn,
					 const struct netctx_tuple *t,
					 unsigned int meta)
{
	unsigned int verdict;

	if (likely(softirq_count()))
		return netctx_hook_steal(skb, state, nn, t, meta);
	local_bh_disable();
	verdict = netctx_hook_steal(skb, state, nn, t, meta);
	local_bh_enable();
	return verdict;
}

/* Local delivery of a bridge's br_netfilter path or of xfrm: not ours. */
static bool netctx_foreign(const struct sk_buff *skb)
{
	return unlikely(nf_bridge_info_exists(skb) || secpath_exists(skb));
}

static unsigned int netctx_hook_v4(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct netctx_net *nn = netctx_net(state->net);
	struct netctx_tuple t;
	unsigned int meta;

	if (netctx_parse_v4(skb, nn, &t, &meta) || netctx_foreign(skb))
		return NF_ACCEPT;
	return netctx_hook_steal_bh(skb, state, nn, &t, meta);
}

static unsigned int netctx_hook_v6(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct netctx_net *nn = netctx_net(state->net);
	struct netctx_tuple t;
	unsigned int meta;

	if (netctx_parse_v6(skb, nn, &t, &meta) || netctx_foreign(skb))
		return NF_ACCEPT;
	return netctx_hook_steal_bh(skb, state, nn, &t, meta);
}

static const struct nf_hook_ops netctx_hook_ops[] = {
	{
		.hook		= netctx_hook_v4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_LAST,
	},
	{
		.hook		= netctx_hook_v6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_LAST,
	},
};

/*
 * A netns that manages nothing pays nothing: its hooks are registered
 * before its first policy or pre-assignment is published, and stay until
 * the netns goes (then a hook that finds nothing to do costs a few
 * instructions; taking them away under live PCBs would need the packets
 * in flight drained first). The caller's request holds the netns, so it
 * is not exiting.
 */
int netctx_hook_enable(struct net *net)
{
	struct netctx_net *nn = netctx_net(net);
	int ret = 0;

	/* Pairs with the release below. */
	if (smp_load_acquire(&nn->hooked))
		return 0;
	mutex_lock(&nn->lock);
	if (!nn->hooked) {
		ret = netctx_stats_alloc(nn, netctx_nr_contexts);
		if (!ret)
			ret = nf_register_net_hooks(net, netctx_hook_ops,
						    ARRAY_SIZE(netctx_hook_ops));
		if (ret)
			netctx_stats_free(nn);
		if (!ret) {
			/* Pairs with the acquire above. */
			smp_store_release(&nn->hooked, true);
		}
	}
	mutex_unlock(&nn->lock);
	return ret;
}

/* CPUs may still run the hooks until the next grace period. */
void netctx_hook_disable(struct net *net)
{
	if (netctx_net(net)->hooked)
		nf_unregister_net_hooks(net, netctx_hook_ops,
					ARRAY_SIZE(netctx_hook_ops));
}
