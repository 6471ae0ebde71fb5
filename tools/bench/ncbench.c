// SPDX-License-Identifier: GPL-2.0
/*
 * ncbench: a UDP packet-rate generator and sink for `make bench`.
 *
 *   ncbench sink ADDR PORT SECONDS        count datagrams, print pps
 *   ncbench flood ADDR PORT SECONDS FLOWS SIZE
 *                                         send from FLOWS source ports
 *
 * Batched with sendmmsg/recvmmsg so that the tool, not the kernel path
 * under test, is the cheap side.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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

static int sink(int argc, char **argv)
{
	static char bufs[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage ss;
	struct timeval tv = { 0, 200000 };
	unsigned long long n = 0;
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
	}
	printf("ready\n");
	fflush(stdout);
	end = now() + atof(argv[4]);
	while (now() < end) {
		r = recvmmsg(fd, msgs, BATCH, 0, NULL);
		if (r <= 0)
			continue;
		if (!n)
			t0 = now();
		n += r;
		t1 = now();
	}
	printf("{\"packets\": %llu, \"seconds\": %.3f, \"pps\": %.0f}\n", n,
	       t1 - t0, t1 > t0 ? n / (t1 - t0) : 0.0);
	return 0;
}

static int flood(int argc, char **argv)
{
	struct mmsghdr msgs[BATCH];
	struct sockaddr_storage ss;
	static char payload[1500];
	unsigned long long sent = 0;
	int flows, size, i, f, *fds;
	struct iovec iov;
	double end;
	socklen_t len;

	if (argc != 7)
		return 2;
	len = parse(argv[2], argv[3], &ss);
	flows = atoi(argv[5]);
	size = atoi(argv[6]);
	if (flows < 1 || size < 1 || size > (int)sizeof(payload))
		return 2;
	fds = calloc(flows, sizeof(*fds));
	for (f = 0; f < flows; f++) {
		fds[f] = socket(ss.ss_family, SOCK_DGRAM, 0);
		if (fds[f] < 0 || connect(fds[f], (struct sockaddr *)&ss, len)) {
			perror("ncbench: connect");
			return 1;
		}
	}
	iov.iov_base = payload;
	iov.iov_len = size;
	for (i = 0; i < BATCH; i++) {
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now() + atof(argv[4]);
	for (f = 0; now() < end; f = (f + 1) % flows) {
		int r = sendmmsg(fds[f], msgs, BATCH, 0);

		if (r > 0)
			sent += r;
		else if (errno != ENOBUFS && errno != ECONNREFUSED)
			break;
	}
	printf("{\"sent\": %llu}\n", sent);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "sink"))
		return sink(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "flood"))
		return flood(argc, argv);
	fprintf(stderr, "usage: ncbench sink ADDR PORT SECONDS\n"
		"       ncbench flood ADDR PORT SECONDS FLOWS SIZE\n");
	return 2;
}
