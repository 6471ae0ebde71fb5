/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * netctx: application-controlled steering of received packets to per-CPU
 * network contexts.
 *
 * The module runs nr_contexts kernel threads "netctx/<i>". Each owns a queue,
 * a private table of connection control blocks (PCBs) and a timer wheel. A
 * netfilter hook (IPv4 and IPv6 LOCAL_IN, every netns) classifies each
 * TCP/UDP packet the host delivers locally (never forwarded or bridged
 * traffic) in this order:
 *
 *   1. exact connection: a PCB or a pre-assignment for the 5-tuple + netns,
 *      then a pre-assignment made without local address;
 *   2. local-port policy: destination port registered with match "local";
 *   3. remote-port policy: source port registered with match "remote";
 *   4. otherwise unmanaged: the packet is accepted untouched.
 *
 * A managed packet is stolen and queued to the owning context, whose thread
 * re-injects it so the IP and TCP/UDP receive processing run on that thread.
 *
 * Generic netlink family NETCTX_GENL_NAME, version NETCTX_GENL_VERSION.
 * Every request and reply carries flat attributes from enum netctx_attr.
 * All configuration is per network namespace: a request acts on the netns of
 * the requesting socket. Requests that change state need CAP_NET_ADMIN in
 * the user namespace owning that netns; reads are open to everyone.
 * A request may carry only the attributes listed for its command below
 * (each command has its own policy): any other, a reply-only one
 * included, is refused with -EINVAL ("Unknown attribute type"), and so is
 * any attribute in a NETCTX_CMD_GET_CTX or NETCTX_CMD_GET_PORT dump
 * request. Documentation/netlink/specs/netctx.yaml says the same, and
 * the kernel's tables are generated from it.
 * The family's policy (CTRL_CMD_GETPOLICY) gives NETCTX_A_PROTO the range
 * 6..17 and NETCTX_A_FAMILY 2..10 (ERANGE outside); within them, a value
 * other than TCP/UDP or AF_INET/AF_INET6 is refused with EPROTONOSUPPORT
 * or EAFNOSUPPORT, also as a NETCTX_CMD_GET_CONN filter.
 *
 * NETCTX_CMD_GET_CTX (dump)
 *   reply, one message per context:
 *     NETCTX_A_CTX_ID, NETCTX_A_CTX_CPU, NETCTX_A_CTX_CONNS,
 *     NETCTX_A_CTX_QUEUED, NETCTX_A_CTX_PACKETS, NETCTX_A_CTX_BYTES,
 *     NETCTX_A_CTX_DROPS, NETCTX_A_CTX_MIGRATIONS_IN,
 *     NETCTX_A_CTX_MIGRATIONS_OUT, NETCTX_A_CTX_TIMERS_FIRED,
 *     NETCTX_A_CTX_OVERFLOWS, NETCTX_A_CTX_LOAD (packets delivered per
 *     second over the last balance_ms period)
 *   To init_net's admin (CAP_NET_ADMIN there) the counters are
 *   module-wide (all namespaces). DROPS counts packets
 *   refused by a full queue (or float queue) or whose route was being
 *   released as they were stolen, and queued packets dropped
 *   because their device had moved to another netns or was being
 *   unregistered at delivery; OVERFLOWS counts packets
 *   opening a new flow (TCP SYN, any UDP datagram) that a policy gave
 *   this context but that got no PCB because a limit was reached
 *   (max_conns, netns_share_pct, netns_max_conns, netns_max_new): they
 *   are processed normally, unmanaged.
 *   Every other reader gets what the context did for the reader's own
 *   netns alone: NETCTX_A_CTX_ID, NETCTX_A_CTX_CPU, and the netns's
 *   NETCTX_A_CTX_CONNS, NETCTX_A_CTX_PACKETS and NETCTX_A_CTX_BYTES; the
 *   other attributes, which tell of other namespaces' traffic, are
 *   left out.
 *
 * NETCTX_CMD_ADD_PORT (admin)
 *   NETCTX_A_PROTO        required  u8, IPPROTO_TCP or IPPROTO_UDP
 *   NETCTX_A_PORT         required  u16, host order, 1..65535
 *   NETCTX_A_MATCH        optional  u8 enum netctx_match, default LOCAL
 *   NETCTX_A_HASH         optional  u8 enum netctx_hash, default DEFAULT
 *   NETCTX_A_HASH_KEY     optional  NETCTX_TOEPLITZ_KEY_LEN bytes
 *   NETCTX_A_BPF          for BPF   array of struct sock_filter
 *   NETCTX_A_CONTEXTS     optional  context set, bitmap of __u64 words,
 *                                   bit i = context i; default all
 *   NETCTX_A_FLAGS        optional  u32 NETCTX_F_*; NETCTX_F_REPLACE
 *                                   replaces an existing policy, otherwise
 *                                   adding an existing port is -EEXIST;
 *                                   NETCTX_F_BALANCE lets the balancer
 *                                   move its connections by load (module
 *                                   parameters balance_*). Other flags:
 *                                   -EINVAL.
 *   A policy only affects new flows: live connections keep their context.
 *
 * NETCTX_CMD_DEL_PORT (admin)
 *   NETCTX_A_PROTO, NETCTX_A_PORT required; NETCTX_A_MATCH optional.
 *   -ENOENT if no such policy.
 *
 * NETCTX_CMD_GET_PORT (dump)
 *   reply, one message per policy: NETCTX_A_PROTO, NETCTX_A_PORT,
 *   NETCTX_A_MATCH, NETCTX_A_HASH, NETCTX_A_CONTEXTS, NETCTX_A_HASH_KEY
 *   (toeplitz only), NETCTX_A_CONNS (live PCBs of the netns with the
 *   policy's protocol and, as it matches, local or remote port, counted
 *   once for the whole dump when it starts), NETCTX_A_FLAGS
 *   (NETCTX_F_BALANCE, if set; also in port events). If the netns's
 *   policies change during the dump, the first message after the change
 *   (or NLMSG_DONE) has NLM_F_DUMP_INTR set: the dump may miss or repeat
 *   a policy, and is best run again.
 *
 * NETCTX_CMD_GET_CONN (dump)
 *   request filters, all optional: NETCTX_A_CTX_ID, NETCTX_A_PROTO,
 *   NETCTX_A_PORT (matches the local or the remote port).
 *   reply, one message per PCB:
 *     NETCTX_A_PROTO, NETCTX_A_FAMILY, NETCTX_A_LADDR, NETCTX_A_LPORT,
 *     NETCTX_A_RADDR, NETCTX_A_RPORT, NETCTX_A_CTX_ID, NETCTX_A_ORIGIN,
 *     NETCTX_A_FLOW_HASH, NETCTX_A_PACKETS, NETCTX_A_BYTES,
 *     NETCTX_A_STATE, NETCTX_A_FIRST_CTX, NETCTX_A_PLACED_BY,
 *     NETCTX_A_GROUP (in a session group only)
 *   NETCTX_A_FLOW_HASH only if the reader has CAP_NET_ADMIN in the user
 *   namespace owning the netns: others do not see others' hashes.
 *   NETCTX_A_FIRST_CTX is the context that processed the first packet of
 *   the connection (absent while no packet was seen). NETCTX_A_ORIGIN
 *   says why the PCB is on its context now (MIGRATED once it was moved);
 *   NETCTX_A_PLACED_BY how it was placed first, HASH or ASSIGNED, which
 *   a migration does not change.
 *
 * NETCTX_CMD_ASSIGN_CONN (admin)
 *   pre-assign a connection that does not exist yet:
 *   NETCTX_A_PROTO, NETCTX_A_FAMILY, NETCTX_A_LPORT, NETCTX_A_RADDR,
 *   NETCTX_A_RPORT, NETCTX_A_CTX_ID required; NETCTX_A_LADDR optional
 *   (absent: any local address); NETCTX_A_TIMEOUT_MS optional lifetime of
 *   an assignment that sees no traffic; NETCTX_A_GROUP optional session
 *   group of the connection. In a netns owned by a user
 *   namespace other than the initial one, a timeout above the module's
 *   assign_timeout_ms is refused (-ERANGE), and the netns holds at most
 *   netns_max_conns PCBs (-ENOSPC), its socket options count as
 *   unprivileged ones.
 *
 * NETCTX_CMD_MIGRATE_CONN (admin)
 *   NETCTX_A_CTX_ID required, the target context, and which connections:
 *   - one: NETCTX_A_PROTO, NETCTX_A_FAMILY, NETCTX_A_LADDR, NETCTX_A_LPORT,
 *     NETCTX_A_RADDR, NETCTX_A_RPORT;
 *   - a session group: NETCTX_A_GROUP, every connection of the netns in
 *     that group;
 *   - a remote host: NETCTX_A_FAMILY and NETCTX_A_RADDR without ports,
 *     NETCTX_A_PROTO optional: every connection with that peer address.
 *   At most NETCTX_MAX_GROUP_CONNS connections (-E2BIG). They move as
 *   one: their packets are parked during the move (float_len module
 *   parameter) and delivered in order by the new context; either every one
 *   moved or none did. A migration takes no lock shared with others and
 *   no grace period: moves of different connections run in parallel.
 *   One form only (-EINVAL for a mix). NETCTX_A_FLAGS optional:
 *   NETCTX_F_NOWAIT (any other flag: -EINVAL) returns at once, and the
 *   result comes as events (CONN_MIGRATE per connection moved, or one
 *   CONN_MIGRATE_FAIL with NETCTX_A_ERROR). Otherwise the call waits,
 *   killably: a fatal signal ends the wait, the move goes on.
 *   -ENOENT: no such managed connection; -EBUSY: a connection is already
 *   moving, or its parking queue overflowed, and nothing moved, or (with
 *   NETCTX_F_NOWAIT) the netns has netns_max_moves (module parameter)
 *   requests under way already and this one was not taken.
 *   Once a waited move of a peer's session (the third form) is done, new
 *   connections from that peer under a remote-addr policy go to its
 *   context, not where the hash says: one peer remembered per hash slot
 *   (256 per netns), until it moves again or the netns goes.
 *
 * NETCTX_CMD_SET_CONN (admin)
 *   the connection as for MIGRATE_CONN's first form (NETCTX_A_LADDR
 *   optional: a pre-assignment to any local address), and NETCTX_A_GROUP:
 *   its session group, 0 for none.
 *
 * NETCTX_CMD_EVENT (multicast group NETCTX_MCGRP_EVENTS only; joining it
 * needs CAP_NET_ADMIN in the user namespace owning the netns, -EPERM)
 *   NETCTX_A_EVENT (u8 enum netctx_event) followed by the attributes of the
 *   object concerned, as in the GET replies.
 *
 * Errors carry an extended ack message naming the offending attribute.
 */
#ifndef _UAPI_LINUX_NETCTX_H
#define _UAPI_LINUX_NETCTX_H

#include <linux/types.h>

#define NETCTX_GENL_NAME	"netctx"
#define NETCTX_GENL_VERSION	1
#define NETCTX_MCGRP_EVENTS	"events"

/* Most connections one NETCTX_CMD_MIGRATE_CONN may move at once. */
#define NETCTX_MAX_GROUP_CONNS	256

/* Upper bound of nr_contexts; sizes NETCTX_A_CONTEXTS. */
#define NETCTX_MAX_CONTEXTS	1024
#define NETCTX_TOEPLITZ_KEY_LEN	40
/* Upper bound of a classic BPF program in NETCTX_A_BPF, in instructions. */
#define NETCTX_BPF_MAX_INSNS	4096

enum netctx_cmd {
	NETCTX_CMD_UNSPEC,
	NETCTX_CMD_GET_CTX,
	NETCTX_CMD_ADD_PORT,
	NETCTX_CMD_DEL_PORT,
	NETCTX_CMD_GET_PORT,
	NETCTX_CMD_GET_CONN,
	NETCTX_CMD_ASSIGN_CONN,
	NETCTX_CMD_MIGRATE_CONN,
	NETCTX_CMD_EVENT,
	NETCTX_CMD_SET_CONN,
	__NETCTX_CMD_MAX
};

#define NETCTX_CMD_MAX (__NETCTX_CMD_MAX - 1)

enum netctx_attr {
	NETCTX_A_UNSPEC,
	NETCTX_A_PAD,
	NETCTX_A_CTX_ID,		/* u32 */
	NETCTX_A_CTX_CPU,		/* u32 */
	NETCTX_A_CTX_CONNS,		/* u32 */
	NETCTX_A_CTX_QUEUED,		/* u32 */
	NETCTX_A_CTX_PACKETS,		/* u64 */
	NETCTX_A_CTX_BYTES,		/* u64 */
	NETCTX_A_CTX_DROPS,		/* u64 */
	NETCTX_A_CTX_MIGRATIONS_IN,	/* u64 */
	NETCTX_A_CTX_MIGRATIONS_OUT,	/* u64 */
	NETCTX_A_CTX_TIMERS_FIRED,	/* u64 */
	NETCTX_A_PROTO,			/* u8, IPPROTO_TCP or IPPROTO_UDP */
	NETCTX_A_PORT,			/* u16, host order */
	NETCTX_A_MATCH,			/* u8, enum netctx_match */
	NETCTX_A_HASH,			/* u8, enum netctx_hash */
	NETCTX_A_HASH_KEY,		/* NETCTX_TOEPLITZ_KEY_LEN bytes */
	NETCTX_A_BPF,			/* struct sock_filter[] */
	NETCTX_A_CONTEXTS,		/* __u64[], bitmap of context ids */
	NETCTX_A_FLAGS,			/* u32, NETCTX_F_* */
	NETCTX_A_CONNS,			/* u32 */
	NETCTX_A_FAMILY,		/* u8, AF_INET or AF_INET6 */
	NETCTX_A_LADDR,			/* struct in_addr or struct in6_addr */
	NETCTX_A_LPORT,			/* u16, host order */
	NETCTX_A_RADDR,			/* struct in_addr or struct in6_addr */
	NETCTX_A_RPORT,			/* u16, host order */
	NETCTX_A_ORIGIN,		/* u8, enum netctx_origin */
	NETCTX_A_FLOW_HASH,		/* u32 */
	NETCTX_A_PACKETS,		/* u64 */
	NETCTX_A_BYTES,			/* u64 */
	NETCTX_A_STATE,			/* u8, enum netctx_state */
	NETCTX_A_FIRST_CTX,		/* u32 */
	NETCTX_A_TIMEOUT_MS,		/* u32 */
	NETCTX_A_EVENT,			/* u8, enum netctx_event */
	NETCTX_A_CTX_OVERFLOWS,		/* u64 */
	NETCTX_A_PLACED_BY,		/* u8, enum netctx_origin */
	NETCTX_A_GROUP,			/* u32, session group, 1.. */
	NETCTX_A_ERROR,			/* u32, a positive errno */
	NETCTX_A_CTX_LOAD,		/* u64, packets/s */
	__NETCTX_A_MAX
};

#define NETCTX_A_MAX (__NETCTX_A_MAX - 1)

enum netctx_flags {
	NETCTX_F_REPLACE = 1U << 0,	/* ADD_PORT: replace a policy */
	NETCTX_F_NOWAIT = 1U << 1,	/* MIGRATE_CONN: do not wait */
	NETCTX_F_BALANCE = 1U << 2,	/* ADD_PORT: rebalance by load */
	__NETCTX_F_ALL = NETCTX_F_REPLACE | NETCTX_F_NOWAIT | NETCTX_F_BALANCE
};

/* Which port of a received packet a policy matches. */
enum netctx_match {
	NETCTX_MATCH_LOCAL,	/* destination port: server side */
	NETCTX_MATCH_REMOTE,	/* source port: client side */
	__NETCTX_MATCH_MAX
};

#define NETCTX_MATCH_MAX (__NETCTX_MATCH_MAX - 1)

/* How a policy maps a new flow to a context of its set. */
enum netctx_hash {
	NETCTX_HASH_DEFAULT,	/* SipHash(raddr, rport, lport), boot key */
	NETCTX_HASH_TOEPLITZ,	/* RSS Toeplitz over the 4-tuple */
	NETCTX_HASH_REMOTE_ADDR,	/* SipHash(raddr), boot key */
	NETCTX_HASH_ROUND_ROBIN,	/* turn by turn at flow creation */
	NETCTX_HASH_LEAST_LOADED,	/* fewest live PCBs */
	NETCTX_HASH_BPF,		/* classic BPF return value */
	__NETCTX_HASH_MAX
};

#define NETCTX_HASH_MAX (__NETCTX_HASH_MAX - 1)

/* Why a PCB is on its context. */
enum netctx_origin {
	NETCTX_ORIGIN_HASH,
	NETCTX_ORIGIN_ASSIGNED,
	NETCTX_ORIGIN_MIGRATED,
	NETCTX_ORIGIN_BALANCED,	/* moved by the balancer (balance on) */
	__NETCTX_ORIGIN_MAX
};

enum netctx_state {
	NETCTX_STATE_ASSIGNED,	/* pre-assigned, no packet seen yet */
	NETCTX_STATE_ACTIVE,	/* packets flowing */
	NETCTX_STATE_CLOSING,	/* FIN or RST seen, lingering */
	NETCTX_STATE_MIGRATING,	/* changing context */
	__NETCTX_STATE_MAX
};

enum netctx_event {
	NETCTX_EVENT_CONN_NEW,
	NETCTX_EVENT_CONN_CLOSE,
	NETCTX_EVENT_CONN_ASSIGN,
	NETCTX_EVENT_CONN_MIGRATE,
	NETCTX_EVENT_PORT_ADD,
	NETCTX_EVENT_PORT_DEL,
	NETCTX_EVENT_CONN_MIGRATE_FAIL,
	__NETCTX_EVENT_MAX
};

/*
 * Socket options, at level SOL_IP (IPv4 sockets) or SOL_IPV6 (IPv6
 * sockets), on the caller's own TCP or UDP socket. No capability is needed:
 * a socket can only steer itself. Without CAP_NET_ADMIN, every option
 * fails with -EPERM on a UDP port that another user's socket also has
 * bound (SO_REUSEADDR), and on a connected socket to which the stack
 * would not deliver its own tuple.
 *
 * NETCTX_SO_ASSIGN (set, struct netctx_sockopt)
 *   bound, unconnected socket: pre-assign its connection to .remote on
 *   context .ctx; connected socket: place (or move) its connection on .ctx.
 *   Without CAP_NET_ADMIN the sockets of one uid in a netns may hold at
 *   most user_assign_max (module parameter) pre-assignments: then
 *   -ENOSPC. Such a pre-assignment serves only a flow that the stack
 *   delivers to the socket that made it: once that socket is closed it
 *   steers nothing, and it expires as any other.
 * NETCTX_SO_MIGRATE (set, struct netctx_sockopt, .remote ignored)
 *   move the socket's live connection to context .ctx. Without
 *   CAP_NET_ADMIN, a uid has one migration under way at most per netns
 *   (also by NETCTX_SO_ASSIGN on a connected socket): another one
 *   meanwhile gets -EBUSY.
 * NETCTX_SO_GROUP (set, struct netctx_sockopt, .group; .ctx and .remote
 *   ignored) put the socket's managed connection in session group .group
 *   (0: none). Needs CAP_NET_ADMIN in the netns's user namespace (-EPERM):
 *   a group is the netns's, every member moves with it.
 * NETCTX_SO_GET (get, struct netctx_sockopt)
 *   the context, origin and flow hash of the socket's connection; -ENOENT
 *   when the connection is not managed.
 */
#define NETCTX_SO_BASE		3600
#define NETCTX_SO_ASSIGN	(NETCTX_SO_BASE + 0)
#define NETCTX_SO_MIGRATE	(NETCTX_SO_BASE + 1)
#define NETCTX_SO_GROUP		(NETCTX_SO_BASE + 2)
#define NETCTX_SO_SET_MAX	NETCTX_SO_GROUP
#define NETCTX_SO_GET		(NETCTX_SO_BASE + 0)
#define NETCTX_SO_GET_MAX	NETCTX_SO_GET

struct netctx_sockopt {
	__u32 ctx;
	__u32 origin;		/* get: enum netctx_origin */
	__u32 flow_hash;	/* get */
	__u32 group;		/* SO_GROUP; zero for the others */
	/* assign on an unconnected socket: the peer, AF_INET or AF_INET6 */
	__u8 remote[28];	/* struct sockaddr_in or sockaddr_in6 */
	__u32 reserved2;	/* must be zero */
};

#endif /* _UAPI_LINUX_NETCTX_H */
