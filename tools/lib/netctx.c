// SPDX-License-Identifier: LGPL-2.1-or-later
/* libnetctx: thin wrappers over the netctx socket options. */
#include "netctx.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <linux/netctx.h>

static int netctx_level(int fd)
{
	int domain;
	socklen_t len = sizeof(domain);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len))
		return -1;
	if (domain == AF_INET)
		return SOL_IP;
	if (domain == AF_INET6)
		return SOL_IPV6;
	errno = EAFNOSUPPORT;
	return -1;
}

static int netctx_set(int fd, int opt, const struct sockaddr *peer,
		      socklen_t len, unsigned int ctx)
{
	struct netctx_sockopt req;
	int level = netctx_level(fd);

	if (level < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.ctx = ctx;
	if (peer) {
		if (len > sizeof(req.remote)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(req.remote, peer, len);
	}
	return setsockopt(fd, level, opt, &req, sizeof(req));
}

/* Binds an unbound socket to an ephemeral port of its family. */
static int netctx_bind_any(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_port)
		return 0;
	if (ss.ss_family == AF_INET6 &&
	    ((struct sockaddr_in6 *)&ss)->sin6_port)
		return 0;
	return bind(fd, (struct sockaddr *)&ss, len);
}

int netctx_assign(int fd, const struct sockaddr *peer, socklen_t len,
		  unsigned int ctx)
{
	return netctx_set(fd, NETCTX_SO_ASSIGN, peer, len, ctx);
}

int netctx_connect(int fd, const struct sockaddr *addr, socklen_t len,
		   unsigned int ctx)
{
	if (netctx_bind_any(fd) || netctx_assign(fd, addr, len, ctx))
		return -1;
	return connect(fd, addr, len);
}

int netctx_migrate(int fd, unsigned int ctx)
{
	return netctx_set(fd, NETCTX_SO_MIGRATE, NULL, 0, ctx);
}

int netctx_get_context(int fd, struct netctx_info *info)
{
	struct netctx_sockopt rep;
	socklen_t len = sizeof(rep);
	int level = netctx_level(fd);

	if (level < 0)
		return -1;
	memset(&rep, 0, sizeof(rep));
	if (getsockopt(fd, level, NETCTX_SO_GET, &rep, &len))
		return -1;
	info->ctx = rep.ctx;
	info->origin = rep.origin;
	info->flow_hash = rep.flow_hash;
	return 0;
}

int netctx_set_group(int fd, uint32_t group)
{
	struct netctx_sockopt req;
	int level = netctx_level(fd);

	if (level < 0)
		return -1;
	memset(&req, 0, sizeof(req));	/* .ctx 0, .remote: ignored */
	req.group = group;
	return setsockopt(fd, level, NETCTX_SO_GROUP, &req, sizeof(req));
}
