// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * session: an application keeping every connection of one session on one
 * network context, as an NFS client with nconnect or an SMB multichannel
 * session would. It opens N TCP connections to SERVER:PORT, each
 * pre-assigned with netctx_connect(), sends a request on each, and prints
 * where each one is processed.
 *
 *   session ADDR PORT CONNS CTX
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../netctx.h"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct netctx_info info;
	unsigned int ctx;
	int i, n, fd, ret = 0;
	socklen_t len;

	if (argc != 5) {
		fprintf(stderr, "usage: session ADDR PORT CONNS CTX\n");
		return 2;
	}
	n = atoi(argv[3]);
	ctx = atoi(argv[4]);
	if (inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(argv[2]));
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(argv[2]));
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "session: bad address %s\n", argv[1]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0 || netctx_connect(fd, (struct sockaddr *)&ss, len,
					     ctx)) {
			perror("session: netctx_connect");
			return 1;
		}
		if (write(fd, "hello\n", 6) != 6 ||
		    netctx_get_context(fd, &info)) {
			perror("session");
			return 1;
		}
		printf("conn %d ctx %u origin %u\n", i, info.ctx, info.origin);
		if (info.ctx != ctx)
			ret = 1;
	}
	fflush(stdout);
	/* Keep the session open until told to stop (stdin closes). */
	while (getchar() != EOF)
		;
	return ret;
}
