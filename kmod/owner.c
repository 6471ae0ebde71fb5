// SPDX-License-Identifier: GPL-2.0
/*
 * Which socket a connection belongs to, for what a process without
 * CAP_NET_ADMIN asks through socket options:
 *
 *   - it steers or reads a tuple only if the stack delivers that tuple to
 *     its own socket, and, for UDP, only if no other user's socket shares
 *     the port (SO_REUSEADDR lets anyone bind a port already bound, and a
 *     connect() then makes the other user's flow look like its own);
 *   - its pre-assignment serves only a flow that the stack delivers to the
 *     very socket that made it (the socket's cookie): closed, the socket
 *     takes its assignments' power with it, even before they expire.
 *
 * The lookups are the stack's own (udp*_lib_lookup(), inet*_lookup()),
 * so the answer is the socket a packet of the tuple would reach.
 */
#include "owner.h"

#include <linux/sock_diag.h>
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/ipv6.h>
#include <net/udp.h>

static struct sock *__netctx_owner_lookup(struct net *net,
					  const struct netctx_tuple *t,
					  int dif)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;

	if (t->family == AF_INET) {
		__be32 saddr = t->raddr.s6_addr32[3];
		__be32 daddr = t->laddr.s6_addr32[3];

		if (t->proto == IPPROTO_UDP)
			return udp4_lib_lookup(net, saddr, t->rport, daddr,
					       t->lport, dif);
		return inet_lookup(net, hinfo, NULL, 0, saddr, t->rport, daddr,
				   t->lport, dif);
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (t->proto == IPPROTO_UDP)
		return udp6_lib_lookup(net, &t->raddr, t->rport, &t->laddr,
				       t->lport, dif);
	return inet6_lookup(net, hinfo, NULL, 0, &t->raddr, t->rport,
			    &t->laddr, t->lport, dif);
#else
	return NULL;
#endif
}

/*
 * The socket that a packet of t arriving on dif reaches, referenced.
 * The lookups walk RCU lists and expect their caller to be a reader, as
 * the receive path is; the control path is not.
 */
static struct sock *netctx_owner_lookup(struct net *net,
					const struct netctx_tuple *t, int dif)
{
	struct sock *sk;

	rcu_read_lock();
	sk = __netctx_owner_lookup(net, t, dif);
	rcu_read_unlock();
	return sk;
}

/* Control path: whether the stack delivers the connected tuple t to sk. */
bool netctx_owner_delivers(struct sock *sk, const struct netctx_tuple *t)
{
	struct sock *found;
	bool own;

	found = netctx_owner_lookup(sock_net(sk), t,
				    READ_ONCE(sk->sk_bound_dev_if));
	own = found == sk;
	if (found)
		sock_gen_put(found);
	return own;
}

/* Whether every UDP socket on sk's port in its netns has sk's owner. */
bool netctx_owner_port_own(struct sock *sk)
{
	unsigned short hnum = inet_sk(sk)->inet_num;
	struct net *net = sock_net(sk);
	kuid_t uid = sock_i_uid(sk);
	struct udp_hslot *hslot;
	struct sock *sk2;
	bool own = true;

	if (sk->sk_protocol != IPPROTO_UDP)
		return true;	/* TCP: bind() keeps other users off */
	hslot = udp_hashslot(&udp_table, net, hnum);
	spin_lock_bh(&hslot->lock);
	sk_for_each(sk2, &hslot->head) {
		if (net_eq(sock_net(sk2), net) &&
		    udp_sk(sk2)->udp_port_hash == hnum &&
		    !uid_eq(sock_i_uid(sk2), uid)) {
			own = false;
			break;
		}
	}
	spin_unlock_bh(&hslot->lock);
	return own;
}

/* A pre-assignment of sk's: remember the socket. */
void netctx_owner_save(struct netctx_pcb *pcb, struct sock *sk)
{
	sock_diag_save_cookie(sk, pcb->owner_cookie);
}

/*
 * Classifier, softirq: whether the first packet (tuple t, arrived on dif)
 * of a connection pre-assigned by an unprivileged socket goes to that
 * socket. A PCB without owner (made by an administrator) always matches.
 */
bool netctx_owner_match(struct net *net, const struct netctx_pcb *pcb,
			const struct netctx_tuple *t, int dif)
{
	struct sock *sk;
	bool match;

	if (!pcb->user)
		return true;
	sk = netctx_owner_lookup(net, t, dif);
	if (!sk)
		return false;
	match = !sock_diag_check_cookie(sk, pcb->owner_cookie);
	sock_gen_put(sk);
	return match;
}
