// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_echo: echo server and verifying client.
 *
 *   xtcp_echo server -f FAM -a ADDR -p PORT [-n CONNS] [-t SECS]
 *	listen on ADDR:PORT, accept CONNS connections (default 1), echo
 *	each until EOF in a child process, close; exit 0 when all went well.
 *
 *   xtcp_echo client -f FAM -a ADDR -p PORT [-s SIZE] [-n ROUNDS]
 *		      [-b LOCALADDR] [-m block|poll] [-S SEED] [-t SECS]
 *	connect once (a refused connect fails: the callers wait until the
 *	server listens, so it is never retried), send ROUNDS messages of
 *	SIZE bytes and check that each comes back
 *	byte-exact, shutdown(SHUT_WR), read until EOF, close.  "-m block"
 *	(default) uses blocking I/O in 16 KiB ping-pong chunks, "-m poll"
 *	uses non-blocking full-duplex I/O driven by poll().
 *
 *   xtcp_echo probe -f FAM
 *	exit 0 if socket(FAM, SOCK_STREAM, 0) works, 1 otherwise.
 *
 * Both sides check getsockname()/getpeername()/accept() addresses:
 * sin_family AF_INET, the right address and port.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "lib.h"

#define ECHO_CHUNK	(16 * 1024)
#define MAX_CONNS	1024

struct opts {
	int family;
	const char *addr;
	const char *local;
	unsigned int port;
	unsigned int count;
	uint64_t size;
	uint64_t seed;
	unsigned int timeout;
	bool poll_mode;
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: xtcp_echo server -f xtcp|inet -a ADDR -p PORT [-n CONNS] [-t SECS]\n"
		"       xtcp_echo client -f xtcp|inet -a ADDR -p PORT [-s SIZE] [-n ROUNDS]\n"
		"                        [-b LOCALADDR] [-m block|poll] [-S SEED] [-t SECS]\n"
		"       xtcp_echo probe -f xtcp|inet\n");
	exit(KSFT_FAIL);
}

static int echo_conn(int fd, unsigned int idx)
{
	static char buf[64 * 1024];
	uint64_t total = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			msg_errno("conn %u: read after %llu bytes", idx,
				  (unsigned long long)total);
			return -1;
		}
		if (n == 0)
			break;
		if (write_full(fd, buf, n) < 0) {
			msg_errno("conn %u: write after %llu bytes", idx,
				  (unsigned long long)total);
			return -1;
		}
		total += n;
	}
	if (close(fd)) {
		msg_errno("conn %u: close", idx);
		return -1;
	}
	printf("server: conn %u: echoed %llu bytes\n", idx,
	       (unsigned long long)total);
	return 0;
}

static int do_server(const struct opts *o)
{
	struct sockaddr_in sin, peer, name;
	unsigned int i, started = 0, failed = 0, left;
	socklen_t len;
	pid_t pid;
	int fd, c, status;

	make_sin(&sin, o->addr, o->port);
	fd = xsocket(o->family);
	if (fd < 0)
		return KSFT_FAIL;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		msg_errno("bind %s", sin_str(&sin));
		return KSFT_FAIL;
	}
	if (listen(fd, 64)) {
		msg_errno("listen");
		return KSFT_FAIL;
	}
	if (check_name(fd, false, &sin, NULL))
		return KSFT_FAIL;
	printf("server: %s listening on %s\n", family_name(o->family),
	       sin_str(&sin));
	fflush(stdout);

	for (i = 0; i < o->count; i++) {
		memset(&peer, 0, sizeof(peer));
		len = sizeof(peer);
		c = accept(fd, (struct sockaddr *)&peer, &len);
		if (c < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (c < 0) {
			msg_errno("accept");
			failed++;
			break;
		}
		if (len != sizeof(peer) || peer.sin_family != AF_INET ||
		    !peer.sin_port || !peer.sin_addr.s_addr) {
			msg("accept: bad peer address (len %u family %u %s)",
			    len, peer.sin_family, sin_str(&peer));
			failed++;
		}
		if (check_name(c, true, &peer, NULL) ||
		    check_name(c, false, &sin, &name))
			failed++;
		printf("server: conn %u: %s <- %s\n", i, sin_str(&name),
		       sin_str(&peer));
		fflush(stdout);
		fflush(stderr);

		/* fork() clears the alarm: the child gets what is left. */
		left = alarm(0);
		alarm(left);
		pid = fork();
		if (pid < 0) {
			msg_errno("fork");
			close(c);
			failed++;
			break;
		}
		if (pid == 0) {
			close(fd);
			alarm(left ? left : 1);
			exit(echo_conn(c, i) ? KSFT_FAIL : KSFT_PASS);
		}
		started++;
		close(c);
	}
	close(fd);

	while (started) {
		pid = wait(&status);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		started--;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	if (failed) {
		msg("%u failure(s)", failed);
		return KSFT_FAIL;
	}
	printf("server: %u connection(s) ok\n", o->count);
	return KSFT_PASS;
}

/*
 * One connect(), no retry: every caller waits until the server is seen in
 * LISTEN first, so ECONNREFUSED means the listener failed to take the SYN.
 */
static int connect_once(const struct opts *o, const struct sockaddr_in *dst)
{
	struct sockaddr_in local;
	int fd;

	fd = xsocket(o->family);
	if (fd < 0)
		return -1;
	if (o->local) {
		make_sin(&local, o->local, 0);
		if (bind(fd, (struct sockaddr *)&local, sizeof(local))) {
			msg_errno("bind %s", sin_str(&local));
			close(fd);
			return -1;
		}
		if (check_name(fd, false, &local, NULL)) {
			close(fd);
			return -1;
		}
	}
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst))) {
		connect_error(dst);
		close(fd);
		return -1;
	}
	return fd;
}

static int compare(const char *got, const char *want, size_t len,
		   unsigned int round, uint64_t off)
{
	size_t i;

	if (!memcmp(got, want, len))
		return 0;
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	msg("round %u: echo differs at offset %llu: got 0x%02x want 0x%02x",
	    round, (unsigned long long)(off + i), (uint8_t)got[i],
	    (uint8_t)want[i]);
	return -1;
}

/* Blocking I/O: write a chunk, read its echo back, and so on. */
static int round_block(int fd, const char *msgbuf, char *rbuf, size_t size,
		       unsigned int round)
{
	size_t off, n;
	ssize_t r;

	for (off = 0; off < size; off += n) {
		n = size - off < ECHO_CHUNK ? size - off : ECHO_CHUNK;
		if (write_full(fd, msgbuf + off, n) < 0) {
			msg_errno("round %u: write", round);
			return -1;
		}
		r = read_full(fd, rbuf, n);
		if (r < 0) {
			msg_errno("round %u: read", round);
			return -1;
		}
		if ((size_t)r != n) {
			msg("round %u: EOF after %llu of %zu bytes", round,
			    (unsigned long long)(off + r), size);
			return -1;
		}
		if (compare(rbuf, msgbuf + off, n, round, off))
			return -1;
	}
	return 0;
}

/* Non-blocking full-duplex I/O driven by poll(). */
static int round_poll(int fd, const char *msgbuf, char *rbuf, size_t size,
		      unsigned int round)
{
	size_t sent = 0, rcvd = 0;
	struct pollfd pfd;
	ssize_t n;
	int r;

	while (rcvd < size) {
		pfd.fd = fd;
		pfd.events = POLLIN | (sent < size ? POLLOUT : 0);
		pfd.revents = 0;
		r = poll(&pfd, 1, 10000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			msg_errno("round %u: poll", round);
			return -1;
		}
		if (r == 0) {
			msg("round %u: poll timed out (sent %zu, received %zu of %zu)",
			    round, sent, rcvd, size);
			return -1;
		}
		if (pfd.revents & POLLNVAL) {
			msg("round %u: POLLNVAL", round);
			return -1;
		}
		if ((pfd.revents & POLLOUT) && sent < size) {
			n = write(fd, msgbuf + sent, size - sent);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				msg_errno("round %u: write", round);
				return -1;
			}
			if (n > 0)
				sent += n;
		}
		if (pfd.revents & (POLLIN | POLLERR | POLLHUP)) {
			n = read(fd, rbuf + rcvd, size - rcvd);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				msg_errno("round %u: read", round);
				return -1;
			}
			if (n == 0) {
				msg("round %u: EOF after %zu of %zu bytes",
				    round, rcvd, size);
				return -1;
			}
			if (n > 0) {
				if (rcvd + n > sent) {
					msg("round %u: received more than sent",
					    round);
					return -1;
				}
				if (compare(rbuf + rcvd, msgbuf + rcvd, n,
					    round, rcvd))
					return -1;
				rcvd += n;
			}
		}
	}
	return 0;
}

static int do_client(const struct opts *o)
{
	struct sockaddr_in dst, local;
	char *msgbuf, *rbuf;
	unsigned int i;
	ssize_t extra;
	int fd, ret;

	make_sin(&dst, o->addr, o->port);
	msgbuf = malloc(o->size ? o->size : 1);
	rbuf = malloc(o->size ? o->size : 1);
	if (!msgbuf || !rbuf)
		die("out of memory");

	fd = connect_once(o, &dst);
	if (fd < 0)
		return KSFT_FAIL;
	if (o->local)
		make_sin(&local, o->local, 0);
	if (check_name(fd, true, &dst, NULL) ||
	    check_name(fd, false, o->local ? &local : NULL, &local))
		return KSFT_FAIL;
	printf("client: %s %s -> %s\n", family_name(o->family),
	       sin_str(&local), sin_str(&dst));

	if (o->poll_mode &&
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		msg_errno("fcntl O_NONBLOCK");
		return KSFT_FAIL;
	}
	for (i = 0; i < o->count; i++) {
		pattern_fill(o->seed + i, 0, msgbuf, o->size);
		if (o->poll_mode)
			ret = round_poll(fd, msgbuf, rbuf, o->size, i);
		else
			ret = round_block(fd, msgbuf, rbuf, o->size, i);
		if (ret)
			return KSFT_FAIL;
	}
	if (o->poll_mode &&
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		msg_errno("fcntl ~O_NONBLOCK");
		return KSFT_FAIL;
	}
	if (shutdown(fd, SHUT_WR)) {
		msg_errno("shutdown(SHUT_WR)");
		return KSFT_FAIL;
	}
	extra = read_to_eof(fd);
	if (extra < 0) {
		msg_errno("read to EOF");
		return KSFT_FAIL;
	}
	if (extra) {
		msg("%zd unexpected bytes before EOF", extra);
		return KSFT_FAIL;
	}
	if (close(fd)) {
		msg_errno("close");
		return KSFT_FAIL;
	}
	printf("client: %u round(s) of %llu bytes echoed ok (%s)\n", o->count,
	       (unsigned long long)o->size, o->poll_mode ? "poll" : "block");
	free(msgbuf);
	free(rbuf);
	return KSFT_PASS;
}

static int do_probe(const struct opts *o)
{
	int fd = xsocket(o->family);

	if (fd < 0)
		return KSFT_FAIL;
	close(fd);
	printf("probe: socket(%s) ok\n", family_name(o->family));
	return KSFT_PASS;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.family = -1,
		.count = 1,
		.size = 1000,
		.seed = 1,
		.timeout = DEFAULT_TIMEOUT,
	};
	const char *mode;
	int c;

	prog_name = "xtcp_echo";
	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "f:a:p:n:s:b:m:S:t:")) != -1) {
		switch (c) {
		case 'f':
			o.family = parse_family(optarg);
			if (o.family < 0)
				die("bad family '%s'", optarg);
			break;
		case 'a':
			o.addr = optarg;
			break;
		case 'p':
			o.port = parse_uint(optarg, "port");
			break;
		case 'n':
			o.count = parse_uint(optarg, "count");
			break;
		case 's':
			o.size = parse_size(optarg, "size");
			break;
		case 'b':
			o.local = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "poll"))
				o.poll_mode = true;
			else if (strcmp(optarg, "block"))
				die("bad mode '%s'", optarg);
			break;
		case 'S':
			o.seed = parse_size(optarg, "seed");
			break;
		case 't':
			o.timeout = parse_uint(optarg, "timeout");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o.family < 0)
		usage();
	set_timeout(o.timeout);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(mode, "probe"))
		return do_probe(&o);
	if (!o.addr || !o.port || o.port > 65535)
		usage();
	if (!strcmp(mode, "server")) {
		prog_name = "xtcp_echo server";
		if (!o.count || o.count > MAX_CONNS)
			die("bad connection count %u", o.count);
		return do_server(&o);
	}
	if (!strcmp(mode, "client")) {
		prog_name = "xtcp_echo client";
		if (o.size > (1ULL << 30))
			die("size too large");
		return do_client(&o);
	}
	usage();
}
