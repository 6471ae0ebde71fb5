/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_NETNS_H
#define _NETCTX_NETNS_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#define NETCTX_POLICY_BITS	8
#define NETCTX_UQUOTA_BITS	6
#define NETCTX_SESS_BITS	8
#define NETCTX_PORTMAP_BITS	7

struct netctx_context;

/*
 * What one context did for one netns, so that a netns is shown its own
 * figures (GET_CTX), not its neighbours'. Written by that context's
 * thread alone; a cache line each, as contexts run on different CPUs.
 */
struct netctx_ctx_stats {
	u64 packets;
	u64 bytes;
	unsigned int conns;
} ____cacheline_aligned_in_smp;

/* netctx state of one network namespace; it vanishes with the netns. */
struct netctx_net {
	struct hlist_head policies[1 << NETCTX_POLICY_BITS];
	struct mutex lock;		/* serialises policy changes */
	unsigned int nr_policies;	/* READ_ONCE by the classifier */
	/* Bumped by every policy change, never 0: for dumps (netlink.c) */
	unsigned int policy_gen;
	bool hooked;			/* hooks registered (pernet.c) */
	/* [context id], from the hooks' registration on (netns.c) */
	struct netctx_ctx_stats *stats;
	/*
	 * PCBs it may hold: netns_share_pct of max_conns, and at most
	 * netns_max_conns if a user namespace other than the initial one
	 * owns it (pcb.c). Set at its creation.
	 */
	unsigned int max_pcbs;
	/* Counted by pcb.c alone (insertion, confirmation, unlink): */
	atomic_t nr_pcbs;		/* PCBs of this netns in the directory */
	atomic_t nr_wild;		/* of which pre-assignments to any laddr */
	atomic_t nr_new;		/* of which unconfirmed flows (pcb.h) */
	atomic_t moves;			/* migration requests under way */
	/*
	 * The ports this netns manages, for the hook to pass every other
	 * packet after reading its ports alone: per protocol (TCP, UDP) and
	 * port slot, the policies matching a local port and the PCBs with
	 * that local port in lports, the policies matching a remote port
	 * in rports. A slot is shared by several ports: zero means none.
	 */
	atomic_t lports[2][1 << NETCTX_PORTMAP_BITS];
	atomic_t rports[2][1 << NETCTX_PORTMAP_BITS];
	/*
	 * Where each peer's session was moved (migrate.c): new connections
	 * of a remote-addr policy follow it. One slot per SipHash bucket.
	 */
	atomic_t nr_sess;
	struct netctx_sess __rcu *sess[1 << NETCTX_SESS_BITS];
	/* uid -> pre-assignments of its unprivileged sockets (netns.c) */
	spinlock_t uquota_lock;
	struct hlist_head uquota[1 << NETCTX_UQUOTA_BITS];
};

/* Where a peer's session was moved (migrate.c writes, classify.c reads). */
struct netctx_sess {
	struct rcu_head rcu;
	struct in6_addr raddr;
	struct netctx_context *ctx;
};

static inline unsigned int netctx_sess_slot(const struct in6_addr *raddr)
{
	return jhash(raddr, sizeof(*raddr), 0) & ((1 << NETCTX_SESS_BITS) - 1);
}

extern unsigned int netctx_net_id;

static inline struct netctx_net *netctx_net(const struct net *net)
{
	return net_generic(net, netctx_net_id);
}

static inline atomic_t *netctx_port_count(struct netctx_net *nn, u8 proto,
					  bool remote, __be16 port)
{
	unsigned int p = ntohs(port);

	p = (p ^ p >> NETCTX_PORTMAP_BITS) & ((1 << NETCTX_PORTMAP_BITS) - 1);
	return remote ? &nn->rports[proto == IPPROTO_UDP][p] :
			&nn->lports[proto == IPPROTO_UDP][p];
}

/* Whether a packet to lport from rport may be managed: the hook's test. */
static inline bool netctx_net_wants(struct netctx_net *nn, u8 proto,
				    __be16 lport, __be16 rport)
{
	return atomic_read(netctx_port_count(nn, proto, false, lport)) ||
	       atomic_read(netctx_port_count(nn, proto, true, rport));
}

int netctx_stats_alloc(struct netctx_net *nn, unsigned int nr_contexts);
void netctx_stats_free(struct netctx_net *nn);

/* The owner's figures for a PCB's netns (context.c). */
static inline struct netctx_ctx_stats *
netctx_stats(const struct net *net, unsigned int ctx_id)
{
	return &netctx_net(net)->stats[ctx_id];
}

int netctx_uquota_take(struct netctx_net *nn, kuid_t uid);
void netctx_uquota_put(struct netctx_net *nn, kuid_t uid);
int netctx_umove_take(struct netctx_net *nn, kuid_t uid);
void netctx_umove_put(struct netctx_net *nn, kuid_t uid);

#endif /* _NETCTX_NETNS_H */
