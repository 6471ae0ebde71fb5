// SPDX-License-Identifier: GPL-2.0
/*
 * Socket options: an application steers its own TCP or UDP socket, at
 * level SOL_IP or SOL_IPV6, through nf_register_sockopt(). The socket
 * names the connection, so no capability is needed: a process can only
 * place connections whose local port it holds, and without CAP_NET_ADMIN
 * only those the stack delivers to this socket, on a port no other user's
 * socket shares (owner.c).
 */
#include "sockopt.h"
#include "context.h"
#include "migrate.h"
#include "netns.h"
#include "owner.h"
#include "pcb.h"

#include <linux/netfilter.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "../uapi/linux/netctx.h"

/* The socket's connection as a tuple; *connected tells if it has a peer. */
static int netctx_sk_tuple(struct sock *sk, struct netctx_tuple *t,
			   bool *connected)
{
	struct inet_sock *inet = inet_sk(sk);
	int ret = 0;

	if (!(sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP) &&
	    !(sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP))
		return -EOPNOTSUPP;
	memset(t, 0, sizeof(*t));
	lock_sock(sk);
	if (!inet->inet_num) {
		ret = -EINVAL;	/* not bound: no local port yet */
		goto out;
	}
	t->proto = sk->sk_protocol;
	t->lport = inet->inet_sport;
	t->rport = inet->inet_dport;
	if (sk->sk_family == AF_INET) {
		t->family = AF_INET;
		ipv6_addr_set_v4mapped(inet->inet_rcv_saddr, &t->laddr);
		ipv6_addr_set_v4mapped(inet->inet_daddr, &t->raddr);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		t->laddr = sk->sk_v6_rcv_saddr;
		t->raddr = sk->sk_v6_daddr;
		t->family = ipv6_addr_v4mapped(&t->raddr) ? AF_INET : AF_INET6;
#else
		ret = -EAFNOSUPPORT;
#endif
	}
	/* A v4-mapped wildcard is still "any local address". */
	if (ipv6_addr_v4mapped_any(&t->laddr))
		memset(&t->laddr, 0, sizeof(t->laddr));
	*connected = t->rport != 0;
out:
	release_sock(sk);
	return ret;
}

/*
 * Without CAP_NET_ADMIN, the connection must be the socket's: another
 * user's flow on a shared UDP port, or a tuple the stack would deliver
 * elsewhere, is refused (-EPERM).
 */
static int netctx_so_owned(struct sock *sk, const struct netctx_tuple *t,
			   bool connected)
{
	if (!netctx_owner_port_own(sk))
		return -EPERM;
	if (connected && !netctx_owner_delivers(sk, t))
		return -EPERM;
	return 0;
}

/*
 * The peer of a pre-assignment, given as a sockaddr in the request. The
 * connection is IPv4 if the peer is (sockaddr_in, or v4-mapped on an
 * IPv6 socket); the socket's local address must then be IPv4 too.
 */
static int netctx_so_remote(const struct sock *sk,
			    const struct netctx_sockopt *req,
			    struct netctx_tuple *t)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	bool laddr_v4, v4;

	memcpy(&sin, req->remote, sizeof(sin));
	if (sin.sin_family == AF_INET) {
		ipv6_addr_set_v4mapped(sin.sin_addr.s_addr, &t->raddr);
		t->rport = sin.sin_port;
	} else if (sin.sin_family == AF_INET6 && sk->sk_family == AF_INET6) {
		memcpy(&sin6, req->remote, sizeof(sin6));
		t->raddr = sin6.sin6_addr;
		t->rport = sin6.sin6_port;
	} else {
		return -EAFNOSUPPORT;
	}
	v4 = ipv6_addr_v4mapped(&t->raddr);
	t->family = v4 ? AF_INET : AF_INET6;
	laddr_v4 = sk->sk_family == AF_INET || ipv6_addr_v4mapped(&t->laddr);
	if (!ipv6_addr_any(&t->laddr) && laddr_v4 != v4)
		return -EAFNOSUPPORT;
	if (!t->rport || ipv6_addr_any(&t->raddr))
		return -EINVAL;
	return 0;
}

/*
 * An unprivileged uid has one migration under way at most (netns.c): a
 * second one meanwhile gets -EBUSY, so that no loop of its own queues
 * more than one move ahead of another user's in a context.
 */
static int netctx_so_migrate(struct sock *sk, const struct netctx_tuple *t,
			     struct netctx_context *ctx, bool user)
{
	struct netctx_net *nn = netctx_net(sock_net(sk));
	kuid_t uid = sock_i_uid(sk);
	int ret;

	if (user) {
		ret = netctx_umove_take(nn, uid);
		if (ret)
			return ret;
	}
	ret = netctx_conn_migrate(sock_net(sk), t, ctx, 0, NULL);
	if (user)
		netctx_umove_put(nn, uid);
	return ret;
}

static int netctx_so_set(struct sock *sk, int optval, sockptr_t arg,
			 unsigned int len)
{
	struct netctx_context *ctx;
	struct netctx_sockopt req;
	struct netctx_tuple t;
	bool connected, user;
	int ret;

	BUILD_BUG_ON(sizeof(struct netctx_sockopt) != 48);
	if (len != sizeof(req))
		return -EINVAL;
	if (copy_from_sockptr(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved2 || req.ctx >= netctx_nr_contexts ||
	    (req.group && optval != NETCTX_SO_GROUP))
		return -EINVAL;
	ctx = netctx_context(req.ctx);
	/* The root of a user namespace is charged as an unprivileged user. */
	user = !ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN) ||
	       sock_net(sk)->user_ns != &init_user_ns;
	ret = netctx_sk_tuple(sk, &t, &connected);
	if (!ret && user)
		ret = netctx_so_owned(sk, &t, connected);
	if (ret)
		return ret;

	switch (optval) {
	case NETCTX_SO_ASSIGN:
		if (connected) {
			/* Already managed: move it; otherwise place it. */
			ret = netctx_so_migrate(sk, &t, ctx, user);
			if (ret == -ENOENT)
				ret = netctx_conn_assign(sock_net(sk), &t, ctx,
							 0, 0, user ? sk : NULL,
							 NULL);
			return ret;
		}
		ret = netctx_so_remote(sk, &req, &t);
		if (ret)
			return ret;
		return netctx_conn_assign(sock_net(sk), &t, ctx, 0, 0,
					  user ? sk : NULL, NULL);
	case NETCTX_SO_MIGRATE:
		if (!connected)
			return -ENOTCONN;
		return netctx_so_migrate(sk, &t, ctx, user);
	case NETCTX_SO_GROUP:
		/* A group is the netns's: what its admin moves together. */
		if (!ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN))
			return -EPERM;
		if (!connected)
			return -ENOTCONN;
		return netctx_conn_set_group(sock_net(sk), &t, req.group, NULL);
	default:
		return -EINVAL;
	}
}

static int netctx_so_get(struct sock *sk, int optval, void __user *user,
			 int *len)
{
	struct netctx_sockopt rep;
	struct netctx_tuple t;
	struct netctx_pcb *pcb;
	bool connected;
	int ret;

	if (optval != NETCTX_SO_GET)
		return -EINVAL;
	if (*len != sizeof(rep))
		return -EINVAL;
	ret = netctx_sk_tuple(sk, &t, &connected);
	if (ret)
		return ret;
	if (!connected)
		return -ENOTCONN;
	if (!ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN)) {
		ret = netctx_so_owned(sk, &t, connected);
		if (ret)
			return ret;
	}
	memset(&rep, 0, sizeof(rep));
	rcu_read_lock();
	pcb = netctx_pcb_lookup(sock_net(sk), &t,
				netctx_tuple_hash(sock_net(sk), &t));
	if (pcb) {
		rep.ctx = READ_ONCE(pcb->ctx)->id;
		rep.origin = READ_ONCE(pcb->origin);
		rep.flow_hash = pcb->flow_hash;
	}
	rcu_read_unlock();
	if (!pcb)
		return -ENOENT;
	return copy_to_user(user, &rep, sizeof(rep)) ? -EFAULT : 0;
}

static struct nf_sockopt_ops netctx_sockopts[] = {
	{
		.pf		= PF_INET,
		.set_optmin	= NETCTX_SO_BASE,
		.set_optmax	= NETCTX_SO_SET_MAX + 1,
		.set		= netctx_so_set,
		.get_optmin	= NETCTX_SO_BASE,
		.get_optmax	= NETCTX_SO_GET_MAX + 1,
		.get		= netctx_so_get,
		.owner		= THIS_MODULE,
	},
	{
		.pf		= PF_INET6,
		.set_optmin	= NETCTX_SO_BASE,
		.set_optmax	= NETCTX_SO_SET_MAX + 1,
		.set		= netctx_so_set,
		.get_optmin	= NETCTX_SO_BASE,
		.get_optmax	= NETCTX_SO_GET_MAX + 1,
		.get		= netctx_so_get,
		.owner		= THIS_MODULE,
	},
};

int netctx_sockopt_init(void)
{
	int ret;

	ret = nf_register_sockopt(&netctx_sockopts[0]);
	if (ret)
		return ret;
	ret = nf_register_sockopt(&netctx_sockopts[1]);
	if (ret)
		nf_unregister_sockopt(&netctx_sockopts[0]);
	return ret;
}

void netctx_sockopt_uninit(void)
{
	nf_unregister_sockopt(&netctx_sockopts[1]);
	nf_unregister_sockopt(&netctx_sockopts[0]);
}
