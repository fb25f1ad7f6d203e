// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-demo-peer: one side of the paced exchange "make demo" shows.
 *
 *   xtcp-demo-peer server ADDR PORT   accept one connection, read a line,
 *                                     answer it, wait for the peer's FIN,
 *                                     then close (passive close)
 *   xtcp-demo-peer client ADDR PORT   connect, send a line, read the answer,
 *                                     then close first (active close)
 *
 * Pauses between steps so the segments and state changes of each step are
 * printed before the next step starts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/xtcp.h>

static void die(const char *what)
{
	fprintf(stderr, "xtcp-demo-peer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void say(const char *role, const char *what)
{
	printf("  [%s] %s\n", role, what);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_XTCP };
	char buf[256];
	ssize_t n;
	int fd, c, tries;

	if (argc != 4 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
		fprintf(stderr, "usage: xtcp-demo-peer server|client ADDR PORT\n");
		return 2;
	}
	alarm(60);
	if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1)
		die("address");
	sin.sin_port = htons(atoi(argv[3]));
	fd = socket(AF_XTCP, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket(AF_XTCP)");

	if (!strcmp(argv[1], "server")) {
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fd, 8))
			die("bind/listen");
		say("server", "listen() done, waiting in accept()");
		c = accept(fd, NULL, NULL);
		if (c < 0)
			die("accept");
		say("server", "accept() returned a connection");
		n = read(c, buf, sizeof(buf) - 1);
		if (n <= 0)
			die("read");
		buf[n] = 0;
		say("server", "read a request, sending the answer");
		if (write(c, "hello from the XTCP server\n", 27) != 27)
			die("write");
		n = read(c, buf, sizeof(buf));
		say("server", n == 0 ? "read() = 0: the client closed (FIN)" :
				       "unexpected data");
		sleep(1);
		say("server", "close(): our FIN");
		close(c);
		close(fd);
		sleep(1);
		return 0;
	}

	for (tries = 0; connect(fd, (struct sockaddr *)&sin, sizeof(sin)); tries++) {
		if (errno != ECONNREFUSED || tries > 50)
			die("connect");
		close(fd);
		usleep(100000);
		fd = socket(AF_XTCP, SOCK_STREAM, 0);
	}
	say("client", "connect() returned: three-way handshake done");
	sleep(1);
	say("client", "sending a request");
	if (write(fd, "hello from the XTCP client\n", 27) != 27)
		die("write");
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		die("read");
	buf[n] = 0;
	printf("  [client] got: %s", buf);
	say("client", "keeping the connection open for 5 s");
	fflush(stdout);
	sleep(5);
	say("client", "close(): our FIN (active close)");
	close(fd);
	return 0;
}
