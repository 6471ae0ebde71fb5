/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libnetctx: steer your own sockets' received packets to netctx contexts.
 *
 * Every function returns 0 on success or -1 with errno set, like the
 * system calls underneath (setsockopt/getsockopt at level SOL_IP or
 * SOL_IPV6, see <linux/netctx.h>). No privilege is needed, but for
 * netctx_set_group() (CAP_NET_ADMIN).
 */
#ifndef NETCTX_LIB_H
#define NETCTX_LIB_H

#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct netctx_info {
	unsigned int ctx;	/* context processing the connection */
	unsigned int origin;	/* enum netctx_origin */
	unsigned int flow_hash;	/* hash computed by the port's policy */
};

/*
 * bind (to an ephemeral port if fd is unbound) + pre-assign the connection
 * to addr on context ctx + connect: the first packet of the connection
 * (SYN-ACK, or the first datagram back) is already processed on ctx.
 */
int netctx_connect(int fd, const struct sockaddr *addr, socklen_t len,
		   unsigned int ctx);

/* Pre-assign the future connection of a bound socket to peer. */
int netctx_assign(int fd, const struct sockaddr *peer, socklen_t len,
		  unsigned int ctx);

/* Move a connected socket's connection to context ctx, live. */
int netctx_migrate(int fd, unsigned int ctx);

/* Where a connected socket's connection is processed. */
int netctx_get_context(int fd, struct netctx_info *info);

/*
 * Put a connected socket's managed connection in session group @group
 * (0: none), which moves as one: ncctl conn migrate group, the balancer.
 * Needs CAP_NET_ADMIN in the network namespace's user namespace.
 */
int netctx_set_group(int fd, uint32_t group);

#ifdef __cplusplus
}
#endif

#endif /* NETCTX_LIB_H */
