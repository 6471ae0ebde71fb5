/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NETCTX_PCB_H
#define _NETCTX_PCB_H

#include "timer.h"

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

struct netctx_context;
struct sk_buff;
struct sock;

typedef int (*netctx_okfn_t)(struct net *net, struct sock *sk,
			     struct sk_buff *skb);

/*
 * A connection as seen from this host. IPv4 addresses are stored
 * v4-mapped so that one layout (and one hash) serves both families.
 */
struct netctx_tuple {
	struct in6_addr laddr;
	struct in6_addr raddr;
	__be16 lport;
	__be16 rport;
	u8 family;		/* AF_INET or AF_INET6 */
	u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	u8 pad[2];
};

/*
 * Per-connection control block. The classifier finds it on any CPU through
 * the flow directory (RCU) and reads only the first group of fields; every
 * other field is written by the owning context's thread alone.
 */
struct netctx_pcb {
	/*
	 * Read by the classifier under RCU (the first two cache lines). Set
	 * before insertion and read only since, but for those that say who
	 * writes them later; none of those is written per packet.
	 */
	struct hlist_node dir_node;
	struct netctx_tuple tuple;
	possible_net_t net;
	u32 dir_hash;
	u32 flow_hash;
	struct netctx_context *ctx;	/* owner: WRITE_ONCE by migration */
	/*
	 * Where re-injection resumes; NULL in a pre-assignment until the
	 * hook of its first packet sets it (cmpxchg, hook.c).
	 */
	netctx_okfn_t okfn;
	u8 origin;		/* enum netctx_origin: WRITE_ONCE by migration */
	u8 placed_by;		/* origin before any migration */
	bool wild;		/* pre-assignment for any local address */
	bool from_wild;		/* created by claiming a wild assignment */
	bool user;		/* pre-assigned by an unprivileged socket */
	bool balance;		/* its policy rebalances by load */
	bool float_full;	/* floatq overflowed: abort if still possible */
	u8 state;		/* enum netctx_state: the owner's */
	atomic_t claimed;	/* wild: a connection took it over */
	u32 owner_cookie[2];	/* user: that socket's cookie (owner.c) */
	kuid_t uid;		/* user: whose quota it counts against */
	u32 group;		/* session group, 0 for none (migrate.c) */
	/*
	 * Migration handshake (migrate.c): while mig_seq is odd, the
	 * classifier parks packets in floatq instead of a context's queue.
	 * It only grows: a producer that sees it change after claiming a
	 * ring slot knows the owner may have stopped looking.
	 */
	u32 mig_seq;
	u32 assign_timeout;	/* jiffies, for state ASSIGNED */
	s16 first_ctx;
	/*
	 * Made by a flow's first packet, no second one yet (TCP: no
	 * handshake ACK): lives new_timeout_ms and counts in the netns's
	 * nr_new, so that spoofed floods cannot fill the table. Set before
	 * insertion, then the owner's.
	 */
	bool unconfirmed;
	bool attached;		/* the owner's */

	/*
	 * The owner's private state. The fields it writes per packet
	 * (last_seen, packets, bytes) fall on the last two cache lines,
	 * which no classifier reads: 256 bytes in all.
	 */
	struct sk_buff_head floatq;
	/* In the owner's table; once buried, in its graveyard. */
	union {
		struct list_head ctx_node;
		struct list_head grave_node;
	};
	struct llist_node adopt_node;
	struct netctx_timer timer;
	unsigned long last_seen;
	union {
		unsigned long expire_tail;	/* queue tail when found expired */
		unsigned long grave_cookie;	/* RCU state at burial */
	};
	int dif;		/* ingress ifindex of the first packet */
	int sdif;		/* its l3mdev slave ifindex, or 0 */
	u64 packets;
	u64 bytes;
	u64 mig_start;		/* ns: a migration's request, until delivery */
	u32 bal_packets;	/* packets at the last units scan, mod 2^32 */
	bool dead;
	bool expiring;		/* expire_tail is set */
	/*
	 * Published, not yet taken off its owner's adopt list: set at
	 * allocation (every PCB is handed over after its insertion), then
	 * cleared by the owner. No migration may take it meanwhile.
	 */
	bool adopting;
};

/*
 * The layout above, where spinlock_t is the 4 bytes of a kernel without
 * lock debugging: the classifier's fields on the first two cache lines,
 * the owner's on the last two.
 */
#if !IS_ENABLED(CONFIG_DEBUG_SPINLOCK) && !IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC)
static_assert(sizeof(struct netctx_pcb) == 256);
static_assert(offsetof(struct netctx_pcb, floatq) == 128);
#endif

int netctx_pcb_init(unsigned int max_conns);
/* The PCBs one netns may hold (netns.h's max_pcbs), after init. */
unsigned int netctx_pcb_netns_max(const struct net *net);
void netctx_pcb_uninit(void);

u32 netctx_tuple_hash(const struct net *net, const struct netctx_tuple *t);
struct netctx_pcb *netctx_pcb_lookup(const struct net *net,
				     const struct netctx_tuple *t, u32 hash);
struct netctx_pcb *netctx_pcb_alloc(struct net *net,
				    const struct netctx_tuple *t, u32 hash,
				    gfp_t gfp);
void netctx_pcb_free(struct netctx_pcb *pcb);
struct netctx_pcb *netctx_pcb_insert(struct netctx_pcb *pcb);
void netctx_pcb_unlink(struct netctx_pcb *pcb);
void netctx_pcb_confirm(struct netctx_pcb *pcb);
unsigned int netctx_dir_buckets(void);
struct hlist_head *netctx_dir_bucket(unsigned int i);

/* Whether the PCB is between its two owners (migrate.c). */
static inline bool netctx_pcb_moving(const struct netctx_pcb *pcb)
{
	return READ_ONCE(pcb->mig_seq) & 1;
}

static inline struct net *netctx_pcb_net(const struct netctx_pcb *pcb)
{
	return read_pnet(&pcb->net);
}

#endif /* _NETCTX_PCB_H */
