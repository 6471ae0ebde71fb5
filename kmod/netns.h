/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_NETNS_H
#define _NETCTX_NETNS_H

#include <linux/atomic.h>
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

struct netctx_context;

/* netctx state of one network namespace; it vanishes with the netns. */
struct netctx_net {
	struct hlist_head policies[1 << NETCTX_POLICY_BITS];
	struct mutex lock;		/* serialises policy changes */
	unsigned int nr_policies;	/* READ_ONCE by the classifier */
	atomic_t nr_pcbs;		/* PCBs of this netns in the directory */
	atomic_t nr_wild;		/* of which pre-assignments to any laddr */
	atomic_t moves;			/* migration requests under way */
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

/* Whether the classifier has anything to look for in this netns. */
static inline bool netctx_net_active(const struct netctx_net *nn)
{
	return READ_ONCE(nn->nr_policies) || atomic_read(&nn->nr_pcbs);
}

int netctx_uquota_take(struct netctx_net *nn, kuid_t uid);
void netctx_uquota_put(struct netctx_net *nn, kuid_t uid);
int netctx_umove_take(struct netctx_net *nn, kuid_t uid);
void netctx_umove_put(struct netctx_net *nn, kuid_t uid);

#endif /* _NETCTX_NETNS_H */
