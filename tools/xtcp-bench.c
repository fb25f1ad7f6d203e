// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-bench: the load generator of "make bench" (tools/bench).  The same
 * program drives XTCP (-f xtcp) and Linux TCP (-f inet), so the two are
 * measured with the same code in the same guest.
 *
 *   xtcp-bench server -f FAM -a ADDR -p PORT
 *   xtcp-bench stream -f FAM -a ADDR -p PORT [-s SIZE] [-w WRITESIZE]
 *   xtcp-bench rr     -f FAM -a ADDR -p PORT [-T SECS] [-m MSGSIZE]
 *   xtcp-bench crr    -f FAM -a ADDR -p PORT [-T SECS]
 *   xtcp-bench hold   -f FAM -a ADDR -p PORT [-n CONNS]
 *
 * The server is one thread around epoll; the first byte of a connection
 * says what it wants: 'S' (sink: read to EOF, then answer one byte and
 * close) or 'E' (echo every byte until EOF, then close).
 *
 * stream: one connection; the time from the first write of SIZE bytes
 *	(default 256M, in WRITESIZE writes, default 256K) to the server's
 *	answer, which it sends after reading all of them and the FIN.
 * rr:	one connection; MSGSIZE-byte (default 1) request and response,
 *	back to back, for SECS (default 5) seconds; latency percentiles.
 * crr:	a new connection per request (connect, 1-byte request, 1-byte
 *	response, close) for SECS seconds.
 * hold: opens CONNS (default 1000) connections, prints "held N" and
 *	keeps them until its standard input ends, then closes them.
 *
 * Results go to stdout as one line of "key=value" fields.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../selftests/lib.h"

#define IO_MAX		(1 << 20)
#define RR_SAMPLES	(1 << 20)
#define MAX_EVENTS	64

struct opts {
	int family;
	const char *addr;
	unsigned int port;
	uint64_t size;
	size_t wsize;
	size_t msize;
	unsigned int secs;
	unsigned int conns;
};

static char iobuf[IO_MAX];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(const struct opts *o)
{
	struct sockaddr_in sin;
	int fd = xsocket(o->family);

	if (fd < 0)
		exit(KSFT_FAIL);
	make_sin(&sin, o->addr, o->port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("connect %s: %s", sin_str(&sin), strerror(errno));
	return fd;
}

/* The server's view of one connection: its mode, once the first byte came. */
struct conn {
	int fd;
	char mode;
};

/* Write all of @len to a non-blocking @fd, waiting in poll() when full. */
static int write_nb(int fd, const char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			poll(&p, 1, 1000);
			continue;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Handle a readable connection; false when it is done with. */
static bool conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, iobuf, sizeof(iobuf));
		char *p = iobuf;

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		if (n == 0) {
			if (c->mode == 'S' && write_nb(c->fd, "K", 1))
				msg_errno("answer");
			return false;
		}
		if (!c->mode) {
			c->mode = *p++;
			n--;
			if (c->mode != 'S' && c->mode != 'E') {
				msg("unknown mode byte 0x%02x", c->mode);
				return false;
			}
		}
		if (c->mode == 'E' && n && write_nb(c->fd, p, n))
			return false;
	}
}

static int run_server(const struct opts *o)
{
	struct epoll_event ev, evs[MAX_EVENTS];
	struct sockaddr_in sin;
	int one = 1, lfd, ep;

	lfd = xsocket(o->family);
	if (lfd < 0)
		return KSFT_FAIL;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	make_sin(&sin, o->addr, o->port);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lfd, 4096) < 0)
		die("bind/listen %s: %s", sin_str(&sin), strerror(errno));
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll: %s", strerror(errno));
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int i, n = epoll_wait(ep, evs, MAX_EVENTS, -1);

		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			int fd;

			if (c) {
				if (!conn_read(c))
					conn_close(ep, c);
				continue;
			}
			fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
			if (fd < 0) {
				if (errno != EAGAIN && errno != EINTR &&
				    errno != ECONNABORTED)
					msg_errno("accept");
				continue;
			}
			c = calloc(1, sizeof(*c));
			if (!c)
				die("out of memory");
			c->fd = fd;
			ev.events = EPOLLIN;
			ev.data.ptr = c;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
				die("epoll_ctl: %s", strerror(errno));
		}
	}
}

static int run_stream(const struct opts *o)
{
	int fd = dial(o);
	uint64_t left = o->size;
	double t0, t;
	char k;

	memset(iobuf, 'x', sizeof(iobuf));
	if (write_full(fd, "S", 1) != 1)
		die("write: %s", strerror(errno));
	t0 = now();
	while (left) {
		size_t n = left < o->wsize ? left : o->wsize;

		if (write_full(fd, iobuf, n) != (ssize_t)n)
			die("write: %s", strerror(errno));
		left -= n;
	}
	shutdown(fd, SHUT_WR);
	if (read_full(fd, &k, 1) != 1 || k != 'K')
		die("no answer from the server");
	t = now() - t0;
	close(fd);
	printf("bytes=%llu secs=%.4f MBps=%.2f\n", (unsigned long long)o->size,
	       t, o->size / t / 1e6);
	return KSFT_PASS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run_rr(const struct opts *o)
{
	double *lat = calloc(RR_SAMPLES, sizeof(*lat));
	double t0, t, end;
	unsigned long n = 0, kept;
	int fd = dial(o), one = 1;

	if (!lat)
		die("out of memory");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(iobuf, 'r', o->msize);
	if (write_full(fd, "E", 1) != 1)
		die("write: %s", strerror(errno));
	t0 = now();
	end = t0 + o->secs;
	do {
		t = now();
		if (write_full(fd, iobuf, o->msize) != (ssize_t)o->msize ||
		    read_full(fd, iobuf, o->msize) != (ssize_t)o->msize)
			die("request %lu: %s", n, strerror(errno));
		lat[n % RR_SAMPLES] = now() - t;
		n++;
	} while (now() < end);
	t = now() - t0;
	close(fd);
	kept = n < RR_SAMPLES ? n : RR_SAMPLES;
	qsort(lat, kept, sizeof(*lat), cmp_double);
	printf("trans=%lu secs=%.4f tps=%.1f p50_us=%.1f p99_us=%.1f\n", n, t,
	       n / t, lat[kept / 2] * 1e6, lat[kept * 99 / 100] * 1e6);
	free(lat);
	return KSFT_PASS;
}

static int run_crr(const struct opts *o)
{
	double t0 = now(), end = t0 + o->secs, t;
	unsigned long n = 0;

	do {
		int fd = dial(o);
		char c;

		if (write_full(fd, "Ex", 2) != 2 || read_full(fd, &c, 1) != 1)
			die("connection %lu: %s", n, strerror(errno));
		close(fd);
		n++;
	} while (now() < end);
	t = now() - t0;
	printf("conns=%lu secs=%.4f cps=%.1f\n", n, t, n / t);
	return KSFT_PASS;
}

static int run_hold(const struct opts *o)
{
	int *fds = calloc(o->conns, sizeof(*fds));
	unsigned int i;
	char c;

	if (!fds)
		die("out of memory");
	for (i = 0; i < o->conns; i++) {
		fds[i] = dial(o);
		if (write_full(fds[i], "Eh", 2) != 2 ||
		    read_full(fds[i], &c, 1) != 1)
			die("connection %u: %s", i, strerror(errno));
	}
	printf("held %u\n", o->conns);
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	for (i = 0; i < o->conns; i++)
		close(fds[i]);
	free(fds);
	return KSFT_PASS;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xtcp-bench server|stream|rr|crr|hold -f xtcp|inet -a ADDR -p PORT\n"
		"       [-s SIZE] [-w WRITESIZE] [-m MSGSIZE] [-T SECS] [-n CONNS]\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.family = -1, .size = 256ULL << 20, .wsize = 256 << 10,
		.msize = 1, .secs = 5, .conns = 1000,
	};
	const char *mode;
	int c;

	prog_name = "xtcp-bench";
	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "f:a:p:s:w:m:T:n:")) != -1) {
		switch (c) {
		case 'f':
			o.family = parse_family(optarg);
			break;
		case 'a':
			o.addr = optarg;
			break;
		case 'p':
			o.port = parse_uint(optarg, "port");
			break;
		case 's':
			o.size = parse_size(optarg, "size");
			break;
		case 'w':
			o.wsize = parse_size(optarg, "write size");
			break;
		case 'm':
			o.msize = parse_size(optarg, "message size");
			break;
		case 'T':
			o.secs = parse_uint(optarg, "seconds");
			break;
		case 'n':
			o.conns = parse_uint(optarg, "connections");
			break;
		default:
			usage();
		}
	}
	if (o.family < 0 || !o.addr || !o.port || !o.wsize ||
	    o.wsize > IO_MAX || !o.msize || o.msize > IO_MAX || !o.secs)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "server"))
		return run_server(&o);
	if (!strcmp(mode, "stream"))
		return run_stream(&o);
	if (!strcmp(mode, "rr"))
		return run_rr(&o);
	if (!strcmp(mode, "crr"))
		return run_crr(&o);
	if (!strcmp(mode, "hold"))
		return run_hold(&o);
	usage();
	return KSFT_FAIL;
}
