// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: random and malformed requests to the netctx generic netlink
 * family and its socket options, as fast as the caller can send them.
 * Run by selftests/harden.py as root, as the root of a user namespace and
 * as an unprivileged user; the kernel must refuse what is wrong, survive,
 * and leave the kernel log clean.
 *
 * usage: nlfuzz [-n NETLINK_MSGS] [-o SOCKOPT_CALLS] [-s SEED]
 * prints: {"netlink": N, "sockopt": N, "seconds": S, "rate": R, "seed": X}
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../uapi/linux/netctx.h"

#define BUF_LEN		(64 * 1024)

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fast and reproducible from the printed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static void fill(void *p, size_t len)
{
	unsigned char *b = p;

	while (len--)
		*b++ = rnd();
}

static unsigned char buf[BUF_LEN], rbuf[BUF_LEN];

static void drain(int fd)
{
	while (recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
		;
}

static int family_id(int fd)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char attrs[64];
	} req = {};
	struct nlattr *a = (struct nlattr *)req.attrs;
	struct nlmsghdr *n = (struct nlmsghdr *)rbuf;
	ssize_t len;

	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(NETCTX_GENL_NAME);
	memcpy(a + 1, NETCTX_GENL_NAME, sizeof(NETCTX_GENL_NAME));
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0)
		return -1;
	len = recv(fd, rbuf, sizeof(rbuf), 0);
	if (len < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN) ||
	    n->nlmsg_type == NLMSG_ERROR)
		return -1;
	len = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	a = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)(a + 1);
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return -1;
}

/* A value that often passes the policy, so that handlers run too. */
static size_t plausible(int type, unsigned char *p)
{
	uint32_t v32;
	uint16_t v16;

	switch (type) {
	case NETCTX_A_PROTO:
		*p = below(2) ? (below(2) ? IPPROTO_TCP : IPPROTO_UDP) : rnd();
		return 1;
	case NETCTX_A_FAMILY:
		*p = below(2) ? (below(2) ? AF_INET : AF_INET6) : rnd();
		return 1;
	case NETCTX_A_MATCH:
	case NETCTX_A_HASH:
		*p = below(8);
		return 1;
	case NETCTX_A_PORT:
	case NETCTX_A_LPORT:
	case NETCTX_A_RPORT:
		v16 = below(4) ? 40000 + below(16) : rnd();
		memcpy(p, &v16, 2);
		return 2;
	case NETCTX_A_LADDR:
	case NETCTX_A_RADDR:
		fill(p, 16);
		if (below(2))
			p[0] = 10;
		return below(2) ? 4 : 16;
	case NETCTX_A_CONTEXTS:
		fill(p, 8 * (1 + below(2)));
		return 8 * (1 + below(2));
	case NETCTX_A_HASH_KEY:
		fill(p, NETCTX_TOEPLITZ_KEY_LEN);
		return NETCTX_TOEPLITZ_KEY_LEN - below(2);
	case NETCTX_A_BPF:
		fill(p, 8 * (1 + below(4)));
		return 8 * (1 + below(4));
	default:
		v32 = below(2) ? below(8) : rnd();
		memcpy(p, &v32, 4);
		return 4;
	}
}

/* Random attributes at p, at most room bytes; returns the length used. */
static size_t attrs(unsigned char *p, size_t room, int depth)
{
	size_t used = 0, len;
	int n = below(10), type;
	struct nlattr *a;

	while (n-- > 0 && room - used >= NLA_HDRLEN + 64) {
		a = (struct nlattr *)(p + used);
		type = below(8) ? (int)below(NETCTX_A_MAX + 3) :
			(int)below(65536);
		switch (below(8)) {
		case 0:		/* nested garbage */
			len = depth < 3 ?
			      attrs((unsigned char *)(a + 1),
				    room - used - NLA_HDRLEN, depth + 1) : 0;
			type |= NLA_F_NESTED;
			break;
		case 1:		/* any length, any bytes */
			len = below(room - used - NLA_HDRLEN);
			if (len > 2048 && below(4))
				len = below(64);
			fill(a + 1, len);
			break;
		case 2:		/* short */
			len = below(4);
			fill(a + 1, len);
			break;
		default:
			len = plausible(type, (unsigned char *)(a + 1));
			break;
		}
		a->nla_type = type;
		a->nla_len = NLA_HDRLEN + len;
		if (!below(32))		/* lies about its length */
			a->nla_len = below(65536);
		used += NLA_ALIGN(NLA_HDRLEN + len);
	}
	return used;
}

/* The family's policy, of every op or of one (any number). */
static void policy_dump(struct nlmsghdr *n, int family)
{
	struct genlmsghdr *g = NLMSG_DATA(n);
	struct nlattr *a = (struct nlattr *)(g + 1);
	uint32_t op = below(NETCTX_CMD_MAX + 3);

	n->nlmsg_type = GENL_ID_CTRL;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	g->cmd = CTRL_CMD_GETPOLICY;
	a->nla_type = CTRL_ATTR_FAMILY_ID;
	a->nla_len = NLA_HDRLEN + 2;
	*(uint16_t *)(a + 1) = family;
	n->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	if (below(2)) {
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
		a->nla_type = CTRL_ATTR_OP;
		a->nla_len = NLA_HDRLEN + 4;
		memcpy(a + 1, &op, 4);
		n->nlmsg_len += NLA_ALIGN(a->nla_len);
	}
}

static void netlink_one(int fd, int family)
{
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(n);
	size_t room = sizeof(buf) - NLMSG_LENGTH(GENL_HDRLEN), len;

	if (below(4))
		room = 1024;	/* most messages are small */
	len = attrs((unsigned char *)(g + 1), room, 0);
	n->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + len;
	/* Other families are not ours to fuzz: only the controller's. */
	n->nlmsg_type = below(32) ? (unsigned int)family :
			(below(2) ? GENL_ID_CTRL : below(NLMSG_MIN_TYPE));
	n->nlmsg_flags = NLM_F_REQUEST;
	if (below(2))
		n->nlmsg_flags |= NLM_F_ACK;
	if (below(3) == 0)
		n->nlmsg_flags |= NLM_F_DUMP;
	if (!below(8))
		n->nlmsg_flags |= rnd();
	n->nlmsg_seq = rnd();
	n->nlmsg_pid = 0;
	g->cmd = below(8) ? below(NETCTX_CMD_MAX + 3) : rnd();
	g->version = below(4) ? NETCTX_GENL_VERSION : rnd();
	g->reserved = below(4) ? 0 : rnd();
	if (!below(64))
		policy_dump(n, family);
	switch (below(16)) {
	case 0:		/* truncated: the header says more than sent */
		send(fd, buf, below(n->nlmsg_len), MSG_DONTWAIT);
		break;
	case 1:		/* header claims any length */
		n->nlmsg_len = rnd();
		send(fd, buf, NLMSG_LENGTH(GENL_HDRLEN) + len, MSG_DONTWAIT);
		break;
	default:
		send(fd, buf, n->nlmsg_len, MSG_DONTWAIT);
		break;
	}
	drain(fd);
}

struct target {
	int fd;
	int v6;
};

static int socket_of(int family, int type, int proto, int bound, int conn)
{
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa = {};
	socklen_t len;
	int fd;

	fd = socket(family, type, proto);
	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		sa.v4.sin_family = AF_INET;
		sa.v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(sa.v4);
	} else {
		sa.v6.sin6_family = AF_INET6;
		sa.v6.sin6_addr = in6addr_loopback;
		len = sizeof(sa.v6);
	}
	if (bound)
		bind(fd, (struct sockaddr *)&sa, len);
	if (conn && type == SOCK_DGRAM) {
		if (family == AF_INET)
			sa.v4.sin_port = htons(9);
		else
			sa.v6.sin6_port = htons(9);
		connect(fd, (struct sockaddr *)&sa, len);
	}
	return fd;
}

static int targets(struct target *t)
{
	static const int types[][2] = {
		{ SOCK_STREAM, IPPROTO_TCP }, { SOCK_DGRAM, IPPROTO_UDP },
		{ SOCK_RAW, IPPROTO_UDP },
	};
	int n = 0, f, i, state, fd;

	for (f = 0; f < 2; f++)
		for (i = 0; i < 3; i++)
			for (state = 0; state < 3; state++) {
				fd = socket_of(f ? AF_INET6 : AF_INET,
					       types[i][0], types[i][1],
					       state >= 1, state == 2);
				if (fd < 0)
					continue;	/* raw: not for users */
				t[n].fd = fd;
				t[n++].v6 = f;
			}
	return n;
}

static void sockopt_one(struct target *t, int nt)
{
	struct target *s = &t[below(nt)];
	int level, opt;
	socklen_t len;

	level = below(8) ? (s->v6 ? IPPROTO_IPV6 : IPPROTO_IP) :
		(below(2) ? (s->v6 ? IPPROTO_IP : IPPROTO_IPV6) : (int)rnd());
	opt = below(8) ? NETCTX_SO_BASE - 2 + (int)below(6) : (int)rnd();
	len = below(2) ? sizeof(struct netctx_sockopt) : below(128);
	fill(buf, len);
	if (below(2)) {
		struct netctx_sockopt *req = (void *)buf;

		if (len >= sizeof(*req)) {
			req->ctx = below(8);
			req->group = 0;
			req->reserved2 = 0;
			if (below(2))
				memset(req->remote + 8, 0, 20);
			((struct sockaddr *)req->remote)->sa_family =
				below(2) ? AF_INET : AF_INET6;
		}
	}
	if (below(2))
		setsockopt(s->fd, level, opt, below(16) ? buf : NULL, len);
	else
		getsockopt(s->fd, level, opt, below(16) ? buf : NULL, &len);
}

int main(int argc, char **argv)
{
	unsigned long nl_msgs = 100000, so_calls = 50000, i;
	struct target t[18];
	struct timespec a, b;
	int fd, family, opt, nt, rcv = 1 << 20;
	uint64_t seed = 0;
	double secs;

	while ((opt = getopt(argc, argv, "n:o:s:")) != -1) {
		switch (opt) {
		case 'n':
			nl_msgs = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			so_calls = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n N] [-o N] [-s SEED]\n",
				argv[0]);
			return 2;
		}
	}
	if (!seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = time(NULL);
	rng_state = seed | 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("netlink socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	family = family_id(fd);
	if (family < 0) {
		fprintf(stderr, "netctx family not found\n");
		return 1;
	}
	nt = targets(t);
	if (!nt) {
		perror("sockets");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < nl_msgs; i++)
		netlink_one(fd, family);
	for (i = 0; i < so_calls; i++)
		sockopt_one(t, nt);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("{\"netlink\": %lu, \"sockopt\": %lu, ", nl_msgs, so_calls);
	printf("\"seconds\": %.2f, \"rate\": %.0f, ", secs,
	       (nl_msgs + so_calls) / (secs > 0 ? secs : 1));
	printf("\"seed\": %llu}\n", (unsigned long long)seed);
	return 0;
}
