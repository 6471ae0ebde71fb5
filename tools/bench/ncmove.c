// SPDX-License-Identifier: GPL-2.0
/*
 * ncmove: migrations as fast as a netlink client can ask, for `make bench`.
 *
 *   ncmove PORT NCTX THREADS SECONDS [MOVES]
 *
 * Dumps the netns's connections with local or remote port PORT (one
 * GET_CONN dump), deals them out to THREADS threads, each with its own
 * netlink socket, and has each thread move its connections one after the
 * other, round after round, each to the next context (id + 1 mod NCTX),
 * every request waited for (no NETCTX_F_NOWAIT), until SECONDS have
 * passed or MOVES moves were made in all. Prints one JSON line:
 *
 *   {"threads": T, "conns": N, "moves": M, "busy": B, "errors": E,
 *    "seconds": S, "rate": M/S, "call_us": {"p50": .., "p99": .., "max": ..}}
 *
 * call_us is what the caller waits, request sent to ack received (the
 * in-kernel figures come from the netctx:migrate_* tracepoints). EBUSY (a
 * connection still moving, or its parking queue full) is counted apart;
 * any other error stops the thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>
#include <linux/netctx.h>

#define MAX_CONNS	4096
#define MAX_THREADS	64
#define MAX_SAMPLES	(1 << 20)

struct conn {
	uint8_t proto, family, alen;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	uint32_t ctx;
};

static struct conn conns[MAX_CONNS];
static unsigned int nconns, nctx;
static uint16_t family_id;
static double end;
static long max_moves;
static atomic_long moves, busy, errors;
static double *samples;
static atomic_long nsamples;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int one = 1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ncmove: netlink");
		exit(1);
	}
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

static struct nlmsghdr *msg(char *buf, uint16_t type, uint16_t flags,
			    uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : NETCTX_GENL_VERSION;
	return nlh;
}

/* Runs cb on each reply until the ack or NLMSG_DONE; returns -errno. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	static __thread char buf[65536];
	int n, ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, 0, 0, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family_id = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int conn_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETCTX_A_MAX + 1] = { NULL };
	unsigned int port = *(unsigned int *)data;
	struct conn *c = &conns[nconns];
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) <= NETCTX_A_MAX)
			tb[mnl_attr_get_type(a)] = a;
	if (!tb[NETCTX_A_LPORT] || !tb[NETCTX_A_RPORT] || !tb[NETCTX_A_LADDR] ||
	    !tb[NETCTX_A_RADDR] || !tb[NETCTX_A_CTX_ID] ||
	    mnl_attr_get_u16(tb[NETCTX_A_LPORT]) != port ||
	    nconns == MAX_CONNS)
		return MNL_CB_OK;	/* a pre-assignment, or another port */
	c->proto = mnl_attr_get_u8(tb[NETCTX_A_PROTO]);
	c->family = mnl_attr_get_u8(tb[NETCTX_A_FAMILY]);
	c->alen = mnl_attr_get_payload_len(tb[NETCTX_A_LADDR]);
	if (c->alen > 16 || mnl_attr_get_payload_len(tb[NETCTX_A_RADDR]) !=
	    c->alen)
		return MNL_CB_OK;
	memcpy(c->laddr, mnl_attr_get_payload(tb[NETCTX_A_LADDR]), c->alen);
	memcpy(c->raddr, mnl_attr_get_payload(tb[NETCTX_A_RADDR]), c->alen);
	c->lport = port;
	c->rport = mnl_attr_get_u16(tb[NETCTX_A_RPORT]);
	c->ctx = mnl_attr_get_u32(tb[NETCTX_A_CTX_ID]);
	nconns++;
	return MNL_CB_OK;
}

struct share {
	unsigned int first, step;
};

static void *mover(void *arg)
{
	const struct share *sh = arg;
	struct mnl_socket *nl = nl_open();
	char buf[512];
	unsigned int i;

	while (now() < end) {
		for (i = sh->first; i < nconns && now() < end; i += sh->step) {
			struct conn *c = &conns[i];
			uint32_t to = (c->ctx + 1) % nctx;
			struct nlmsghdr *nlh;
			double t0;
			long n;
			int ret;

			if (max_moves && atomic_load(&moves) >= max_moves)
				goto out;
			nlh = msg(buf, family_id, NLM_F_ACK,
				  NETCTX_CMD_MIGRATE_CONN);
			mnl_attr_put_u32(nlh, NETCTX_A_CTX_ID, to);
			mnl_attr_put_u8(nlh, NETCTX_A_PROTO, c->proto);
			mnl_attr_put_u8(nlh, NETCTX_A_FAMILY, c->family);
			mnl_attr_put(nlh, NETCTX_A_LADDR, c->alen, c->laddr);
			mnl_attr_put_u16(nlh, NETCTX_A_LPORT, c->lport);
			mnl_attr_put(nlh, NETCTX_A_RADDR, c->alen, c->raddr);
			mnl_attr_put_u16(nlh, NETCTX_A_RPORT, c->rport);
			t0 = now();
			ret = talk(nl, nlh, NULL, NULL);
			if (ret == -EBUSY) {
				atomic_fetch_add(&busy, 1);
				continue;
			}
			if (ret) {
				fprintf(stderr, "ncmove: migrate: %s\n",
					strerror(-ret));
				atomic_fetch_add(&errors, 1);
				goto out;
			}
			n = atomic_fetch_add(&nsamples, 1);
			if (n < MAX_SAMPLES)
				samples[n] = (now() - t0) * 1e6;
			c->ctx = to;
			atomic_fetch_add(&moves, 1);
		}
	}
out:
	mnl_socket_close(nl);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(long n, double p)
{
	long i = (long)(p * (n - 1) + 0.5);

	return n ? samples[i] : 0;
}

int main(int argc, char **argv)
{
	static struct share shares[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	unsigned int port, threads, t;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	char buf[512];
	double start;
	long n;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: ncmove PORT NCTX THREADS SECONDS [MOVES]\n");
		return 2;
	}
	port = atoi(argv[1]);
	nctx = atoi(argv[2]);
	threads = atoi(argv[3]);
	max_moves = argc > 5 ? atol(argv[5]) : 0;
	if (!port || nctx < 2 || !threads || threads > MAX_THREADS)
		return 2;
	samples = calloc(MAX_SAMPLES, sizeof(*samples));
	nl = nl_open();
	nlh = msg(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETCTX_GENL_NAME);
	if (talk(nl, nlh, family_cb, NULL) || !family_id) {
		fprintf(stderr, "ncmove: no netctx family\n");
		return 1;
	}
	nlh = msg(buf, family_id, NLM_F_DUMP, NETCTX_CMD_GET_CONN);
	mnl_attr_put_u16(nlh, NETCTX_A_PORT, port);
	if (talk(nl, nlh, conn_cb, &port) || !nconns) {
		fprintf(stderr, "ncmove: no connection on port %u\n", port);
		return 1;
	}
	mnl_socket_close(nl);
	if (threads > nconns)
		threads = nconns;
	start = now();
	end = start + atof(argv[4]);
	for (t = 0; t < threads; t++) {
		shares[t].first = t;
		shares[t].step = threads;
		pthread_create(&tids[t], NULL, mover, &shares[t]);
	}
	for (t = 0; t < threads; t++)
		pthread_join(tids[t], NULL);
	end = now() - start;
	n = atomic_load(&nsamples);
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	qsort(samples, n, sizeof(*samples), cmp);
	printf("{\"threads\": %u, \"conns\": %u, \"moves\": %ld, \"busy\": %ld, "
	       "\"errors\": %ld, \"seconds\": %.3f, \"rate\": %.1f, "
	       "\"call_us\": {\"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f}}\n",
	       threads, nconns, atomic_load(&moves), atomic_load(&busy),
	       atomic_load(&errors), end, atomic_load(&moves) / end,
	       pct(n, 0.5), pct(n, 0.99), n ? samples[n - 1] : 0);
	return atomic_load(&errors) ? 1 : 0;
}
