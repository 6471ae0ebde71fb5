// SPDX-License-Identifier: GPL-2.0
/*
 * ncbench: a UDP packet-rate generator and sink for `make bench`.
 *
 *   ncbench sink ADDR PORT SECONDS        count datagrams, print pps and
 *                                         how many arrived out of order
 *                                         (after SECONDS, or at SIGTERM)
 *   ncbench flood ADDR PORT SECONDS FLOWS SIZE
 *                                         send from FLOWS source ports,
 *                                         a sequence number per flow in
 *                                         each datagram's first 4 bytes,
 *                                         whole rounds over the flows
 *   ncbench hold ADDR PORT                bind, print "ready", wait for a
 *                                         line on stdin, then drain what
 *                                         queued and check pktgen's
 *                                         sequence numbers per flow
 *   ncbench echo ADDR PORT SECONDS        send each datagram back
 *   ncbench rtt ADDR PORT COUNT           ping-pong COUNT datagrams one
 *                                         at a time, print the round
 *                                         trip's percentiles in us
 *
 * hold is the sink of the instruction-count benchmark: nothing reads the
 * socket while pktgen runs (no wake-up, no recvmsg inside the measured
 * window), and afterwards every datagram is counted and checked: pktgen's
 * magic, and per source (address, port) strictly increasing sequence
 * numbers, i.e. nothing reordered or duplicated.
 *
 * Batched with sendmmsg/recvmmsg so that the tool, not the kernel path
 * under test, is the cheap side.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static socklen_t parse(const char *addr, const char *port,
		       struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(port));
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(port));
		return sizeof(*s6);
	}
	fprintf(stderr, "ncbench: bad address %s\n", addr);
	exit(2);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int sink(int argc, char **argv)
{
	static char bufs[BATCH][2048];
	static uint32_t last[65536];
	struct sockaddr_in6 from[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage ss;
	struct timeval tv = { 0, 200000 };
	unsigned long long n = 0, reordered = 0;
	double t0 = 0, t1 = 0, end;
	int fd, i, r, size = 16 << 20;
	socklen_t len;

	if (argc != 5)
		return 2;
	len = parse(argv[2], argv[3], &ss);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len)) {
		perror("ncbench: bind");
		return 1;
	}
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
	}
	signal(SIGTERM, on_term);
	printf("ready\n");
	fflush(stdout);
	end = now() + atof(argv[4]);
	while (now() < end && !stop) {
		for (i = 0; i < BATCH; i++)
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		r = recvmmsg(fd, msgs, BATCH, 0, NULL);
		if (r <= 0)
			continue;
		if (!n)
			t0 = now();
		n += r;
		t1 = now();
		/* Per flow (source port), sequence numbers must increase. */
		for (i = 0; i < r; i++) {
			unsigned int port = ntohs(from[i].sin6_port);
			uint32_t v;

			if (msgs[i].msg_len < sizeof(v))
				continue;
			memcpy(&v, bufs[i], sizeof(v));
			v = ntohl(v);
			if (v <= last[port])
				reordered++;
			last[port] = v;
		}
	}
	printf("{\"packets\": %llu, \"seconds\": %.3f, \"pps\": %.0f, \"reordered\": %llu}\n",
	       n, t1 - t0, t1 > t0 ? n / (t1 - t0) : 0.0, reordered);
	return 0;
}

#define PKTGEN_MAGIC	0xbe9be955
#define HOLD_FLOWS	(1 << 18)

/* Open addressing over (address, port) keys; the last sequence number. */
struct flow {
	uint64_t key;
	uint32_t seq;
	int used;
};

static struct flow *flow_get(struct flow *tab, uint64_t key, int *nflows)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;
	unsigned int i = h >> 46;

	for (;; i = (i + 1) & (HOLD_FLOWS - 1)) {
		if (!tab[i].used) {
			if (*nflows >= HOLD_FLOWS / 2)
				return NULL;
			tab[i].used = 1;
			tab[i].key = key;
			tab[i].seq = 0;
			(*nflows)++;
			return &tab[i];
		}
		if (tab[i].key == key)
			return &tab[i];
	}
}

static int hold(int argc, char **argv)
{
	static char bufs[BATCH][2048];
	struct sockaddr_in from[BATCH];
	unsigned long long n = 0, bad = 0, reordered = 0;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage ss;
	int fd, i, r, nflows = 0, size = 1 << 30;
	struct flow *tab;
	socklen_t len;
	char line[64];

	if (argc != 4)
		return 2;
	len = parse(argv[2], argv[3], &ss);
	tab = calloc(HOLD_FLOWS, sizeof(*tab));
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || !tab ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) ||
	    bind(fd, (struct sockaddr *)&ss, len)) {
		perror("ncbench: hold");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	while ((r = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL)) > 0) {
		for (i = 0; i < r; i++) {
			uint32_t hdr[2];
			struct flow *f;

			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			n++;
			if (msgs[i].msg_len < sizeof(hdr)) {
				bad++;
				continue;
			}
			memcpy(hdr, bufs[i], sizeof(hdr));
			if (ntohl(hdr[0]) != PKTGEN_MAGIC) {
				bad++;
				continue;
			}
			f = flow_get(tab, (uint64_t)from[i].sin_addr.s_addr << 16 |
				     ntohs(from[i].sin_port), &nflows);
			if (!f)
				continue;
			if (f->seq && ntohl(hdr[1]) <= f->seq)
				reordered++;
			f->seq = ntohl(hdr[1]);
		}
	}
	printf("{\"packets\": %llu, \"flows\": %d, \"reordered\": %llu, \"bad\": %llu}\n",
	       n, nflows, reordered, bad);
	return bad || reordered;
}

static int flood(int argc, char **argv)
{
	static char payload[BATCH][1500];
	struct mmsghdr msgs[BATCH];
	struct sockaddr_storage ss;
	unsigned long long sent = 0;
	int flows, size, i, f, *fds;
	struct iovec iov[BATCH];
	uint32_t *seq;
	double end;
	socklen_t len;

	if (argc != 7)
		return 2;
	len = parse(argv[2], argv[3], &ss);
	flows = atoi(argv[5]);
	size = atoi(argv[6]);
	if (flows < 1 || size < (int)sizeof(uint32_t) ||
	    size > (int)sizeof(payload[0]))
		return 2;
	fds = calloc(flows, sizeof(*fds));
	seq = calloc(flows, sizeof(*seq));
	for (f = 0; f < flows; f++) {
		fds[f] = socket(ss.ss_family, SOCK_DGRAM, 0);
		if (fds[f] < 0 || connect(fds[f], (struct sockaddr *)&ss, len)) {
			perror("ncbench: connect");
			return 1;
		}
	}
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload[i];
		iov[i].iov_len = size;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now() + atof(argv[4]);
	/* Whole rounds: every flow sends, however short the time. */
	for (f = 0; now() < end || f; f = (f + 1) % flows) {
		int r;

		/* Each datagram carries its flow's sequence number. */
		for (i = 0; i < BATCH; i++) {
			uint32_t v = htonl(seq[f] + i + 1);

			memcpy(payload[i], &v, sizeof(v));
		}
		r = sendmmsg(fds[f], msgs, BATCH, 0);
		if (r > 0) {
			sent += r;
			seq[f] += r;
		}
		else if (errno != ENOBUFS && errno != ECONNREFUSED)
			break;
	}
	printf("{\"sent\": %llu}\n", sent);
	return 0;
}

static int echo(int argc, char **argv)
{
	struct timeval tv = { 0, 200000 };
	struct sockaddr_storage ss, from;
	socklen_t len, flen;
	char buf[2048];
	double end;
	ssize_t r;
	int fd;

	if (argc != 5)
		return 2;
	len = parse(argv[2], argv[3], &ss);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len)) {
		perror("ncbench: bind");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	signal(SIGTERM, on_term);
	printf("ready\n");
	fflush(stdout);
	end = now() + atof(argv[4]);
	while (now() < end && !stop) {
		flen = sizeof(from);
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (r > 0)
			sendto(fd, buf, r, 0, (struct sockaddr *)&from, flen);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One datagram at a time; a lost one (1 s) counts as lost, not as time. */
static int rtt(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct pollfd pfd;
	unsigned int n, i, got = 0, lost = 0;
	uint32_t seq, back;
	double *t, t0;
	socklen_t len;
	int fd;

	if (argc != 5)
		return 2;
	n = atoi(argv[4]);
	len = parse(argv[2], argv[3], &ss);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
		perror("ncbench: connect");
		return 1;
	}
	t = calloc(n, sizeof(*t));
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (seq = 1; seq <= n; seq++) {
		t0 = now();
		if (send(fd, &seq, sizeof(seq), 0) != sizeof(seq)) {
			lost++;
			continue;
		}
		for (;;) {
			if (poll(&pfd, 1, 1000) != 1) {
				lost++;
				break;
			}
			if (recv(fd, &back, sizeof(back), 0) == sizeof(back) &&
			    back == seq) {
				t[got++] = (now() - t0) * 1e6;
				break;
			}
		}
	}
	if (!got) {
		printf("{\"got\": 0, \"lost\": %u}\n", lost);
		return 1;
	}
	qsort(t, got, sizeof(*t), cmp_double);
	i = got * 99 / 100;
	printf("{\"got\": %u, \"lost\": %u, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f}\n",
	       got, lost, t[got / 2], t[got * 9 / 10], t[i], t[got - 1]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "sink"))
		return sink(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "flood"))
		return flood(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "hold"))
		return hold(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "echo"))
		return echo(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "rtt"))
		return rtt(argc, argv);
	fprintf(stderr, "usage: ncbench sink ADDR PORT SECONDS\n"
		"       ncbench flood ADDR PORT SECONDS FLOWS SIZE\n"
		"       ncbench hold ADDR PORT\n"
		"       ncbench echo ADDR PORT SECONDS\n"
		"       ncbench rtt ADDR PORT COUNT\n");
	return 2;
}
