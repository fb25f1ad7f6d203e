// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_bulk: bulk transfer with end-to-end verification.
 *
 *   xtcp_bulk server -f FAM -a ADDR -p PORT [-n CONNS] [-r READMAX]
 *		      [-X OFFSET] [-t SECS]
 *   xtcp_bulk client -f FAM -a ADDR -p PORT [-d c2s|s2c|both] [-s SIZE]
 *		      [-S SEED] [-w WRITESIZE] [-r READMAX] [-X OFFSET]
 *		      [-t SECS]
 *
 * The client sends a header (direction, size, seed), then each sending
 * side writes SIZE bytes of a seeded pseudo-random stream in WRITESIZE
 * (default 256 KiB) blocking writes, followed by the SHA-256 of what it
 * sent, and shuts down its write side.  Each receiving side reads with
 * varying read sizes (1 byte up to READMAX, default 256 KiB), hashes
 * what it got, checks every byte against the regenerated stream and the
 * hash against the sender's, then reads until EOF.  With "-d both" the
 * two directions run at once (a sender thread next to the receiver).
 *
 * The client connects once: a refused connect fails (the callers wait
 * until the server listens, so it is never retried).
 *
 * -X OFFSET flips one bit of the byte at OFFSET of what this side sends
 * (after hashing), to check that the test catches corruption.
 *
 * Prints bytes and checksums; exits 0 only if everything matched.
 */
#include <endian.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define BULK_MAGIC	0x58544231	/* "XTB1" */
#define DIR_C2S		1
#define DIR_S2C		2
#define DIR_BOTH	(DIR_C2S | DIR_S2C)
#define S2C_SEED_XOR	0x5332435f73326321ULL
#define MAX_IO		(16 << 20)

struct hdr {
	uint32_t magic;
	uint32_t dir;
	uint64_t size;
	uint64_t seed;
} __attribute__((packed));

struct opts {
	int family;
	const char *addr;
	unsigned int port;
	unsigned int count;
	unsigned int dir;
	uint64_t size;
	uint64_t seed;
	size_t wsize;
	size_t rmax;
	int64_t corrupt;
	unsigned int timeout;
};

struct sender {
	pthread_t thread;
	int fd;
	uint64_t size;
	uint64_t seed;
	size_t wsize;
	int64_t corrupt;
	const char *who;
	uint8_t digest[SHA256_DIGEST_SIZE];
	int ret;
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: xtcp_bulk server -f xtcp|inet -a ADDR -p PORT [-n CONNS] [-r READMAX]\n"
		"                        [-X OFFSET] [-t SECS]\n"
		"       xtcp_bulk client -f xtcp|inet -a ADDR -p PORT [-d c2s|s2c|both] [-s SIZE]\n"
		"                        [-S SEED] [-w WRITESIZE] [-r READMAX] [-X OFFSET]\n"
		"                        [-t SECS]\n");
	exit(KSFT_FAIL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *send_stream(void *arg)
{
	struct sender *s = arg;
	struct sha256 sha;
	uint64_t off;
	size_t n;
	char *buf;

	s->ret = -1;
	buf = malloc(s->wsize);
	if (!buf) {
		msg("%s: out of memory", s->who);
		return NULL;
	}
	sha256_init(&sha);
	for (off = 0; off < s->size; off += n) {
		n = s->size - off < s->wsize ? s->size - off : s->wsize;
		pattern_fill(s->seed, off, buf, n);
		sha256_update(&sha, buf, n);
		if (s->corrupt >= 0 && (uint64_t)s->corrupt >= off &&
		    (uint64_t)s->corrupt < off + n) {
			buf[s->corrupt - off] ^= 0x01;
			msg("%s: corrupting sent byte at offset %lld (-X)",
			    s->who, (long long)s->corrupt);
		}
		if (write_full(s->fd, buf, n) < 0) {
			msg_errno("%s: write at offset %llu", s->who,
				  (unsigned long long)off);
			goto out;
		}
	}
	sha256_final(&sha, s->digest);
	if (write_full(s->fd, s->digest, sizeof(s->digest)) < 0) {
		msg_errno("%s: write checksum", s->who);
		goto out;
	}
	s->ret = 0;
out:
	free(buf);
	return NULL;
}

static size_t pick_read_size(uint64_t *rng, size_t rmax)
{
	static const size_t sizes[] = {
		1, 3, 100, 536, 1448, 4096, 16384, 65536, 131072, 262144,
	};
	uint64_t r = rng_next(rng);
	size_t n;

	if (r & 1)
		n = sizes[(r >> 1) % (sizeof(sizes) / sizeof(sizes[0]))];
	else
		n = 1 + (r >> 1) % rmax;
	return n < rmax ? n : rmax;
}

static int recv_stream(int fd, uint64_t size, uint64_t seed, size_t rmax,
		       const char *who)
{
	uint8_t digest[SHA256_DIGEST_SIZE], peer[SHA256_DIGEST_SIZE];
	char hex[65], phex[65];
	uint64_t got = 0, rng = seed ^ 0x72656164ULL, bad = 0;
	int64_t first_bad = -1;
	char *buf, *exp;
	struct sha256 sha;
	size_t want, i;
	ssize_t n;
	int ret = -1;

	buf = malloc(rmax);
	exp = malloc(rmax);
	if (!buf || !exp) {
		msg("%s: out of memory", who);
		goto out;
	}
	sha256_init(&sha);
	while (got < size) {
		want = pick_read_size(&rng, rmax);
		if (want > size - got)
			want = size - got;
		n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			msg_errno("%s: read at offset %llu", who,
				  (unsigned long long)got);
			goto out;
		}
		if (n == 0) {
			msg("%s: premature EOF after %llu of %llu bytes", who,
			    (unsigned long long)got,
			    (unsigned long long)size);
			goto out;
		}
		sha256_update(&sha, buf, n);
		pattern_fill(seed, got, exp, n);
		if (memcmp(buf, exp, n)) {
			for (i = 0; i < (size_t)n; i++) {
				if (buf[i] == exp[i])
					continue;
				if (first_bad < 0) {
					first_bad = got + i;
					msg("%s: data differs at offset %llu: got 0x%02x want 0x%02x",
					    who, (unsigned long long)(got + i),
					    (uint8_t)buf[i], (uint8_t)exp[i]);
				}
				bad++;
			}
		}
		got += n;
	}
	sha256_final(&sha, digest);
	sha256_hex(digest, hex);
	n = read_full(fd, peer, sizeof(peer));
	if (n < 0) {
		msg_errno("%s: read checksum", who);
		goto out;
	}
	if (n != sizeof(peer)) {
		msg("%s: EOF instead of the sender's checksum", who);
		goto out;
	}
	sha256_hex(peer, phex);
	if (memcmp(digest, peer, sizeof(digest)))
		msg("%s: checksum mismatch: received data %s, sender says %s",
		    who, hex, phex);
	if (bad)
		msg("%s: %llu byte(s) differ from the expected stream", who,
		    (unsigned long long)bad);
	printf("%s: received %llu bytes sha256 %s %s\n", who,
	       (unsigned long long)got, hex,
	       !bad && !memcmp(digest, peer, sizeof(digest)) ?
	       "OK" : "MISMATCH");
	if (!bad && !memcmp(digest, peer, sizeof(digest)))
		ret = 0;
out:
	free(buf);
	free(exp);
	return ret;
}

/*
 * What TCP_INFO (both families fill it) says of a connection once its data
 * is through: ECN agreed and seen, retransmissions, the window.
 */
static void print_tcp_info(int fd, const char *who)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		msg_errno("%s: getsockopt(TCP_INFO)", who);
		return;
	}
	printf("%s: tcp_info ecn %d ecn_seen %d total_retrans %u snd_cwnd %u snd_ssthresh %u\n",
	       who, !!(ti.tcpi_options & TCPI_OPT_ECN),
	       !!(ti.tcpi_options & TCPI_OPT_ECN_SEEN), ti.tcpi_total_retrans,
	       ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh);
}

/*
 * Run one transfer on a connected socket: send and/or receive, then
 * shutdown(SHUT_WR), read until EOF, report TCP_INFO and close.
 */
static int transfer(int fd, bool sending, bool receiving, uint64_t size,
		    uint64_t send_seed, uint64_t recv_seed,
		    const struct opts *o, const char *who)
{
	struct sender s = {
		.fd = fd,
		.size = size,
		.seed = send_seed,
		.wsize = o->wsize,
		.corrupt = o->corrupt,
		.who = who,
		.ret = -1,
	};
	double t0 = now(), dt;
	bool threaded = sending && receiving;
	int ret = 0, err;
	char hex[65];
	ssize_t extra;

	if (threaded) {
		err = pthread_create(&s.thread, NULL, send_stream, &s);
		if (err) {
			errno = err;
			msg_errno("%s: pthread_create", who);
			return -1;
		}
	} else if (sending) {
		send_stream(&s);
	}
	if (receiving &&
	    recv_stream(fd, size, recv_seed, o->rmax, who))
		ret = -1;
	if (threaded)
		pthread_join(s.thread, NULL);
	if (sending) {
		if (s.ret)
			ret = -1;
		sha256_hex(s.digest, hex);
		if (!s.ret)
			printf("%s: sent %llu bytes sha256 %s\n", who,
			       (unsigned long long)size, hex);
	}
	if (shutdown(fd, SHUT_WR)) {
		msg_errno("%s: shutdown(SHUT_WR)", who);
		ret = -1;
	}
	extra = read_to_eof(fd);
	if (extra < 0) {
		msg_errno("%s: read to EOF", who);
		ret = -1;
	} else if (extra) {
		msg("%s: %zd unexpected bytes before EOF", who, extra);
		ret = -1;
	}
	print_tcp_info(fd, who);
	if (close(fd)) {
		msg_errno("%s: close", who);
		ret = -1;
	}
	dt = now() - t0;
	printf("%s: %s in %.3f s (%.1f MB/s per direction)\n", who,
	       ret ? "FAILED" : "done", dt,
	       dt > 0 ? size / dt / 1e6 : 0.0);
	return ret;
}

static int do_server(struct opts *o)
{
	struct sockaddr_in sin, peer;
	unsigned int i, failed = 0;
	socklen_t len;
	struct hdr h;
	ssize_t n;
	int fd, c;

	make_sin(&sin, o->addr, o->port);
	fd = xsocket(o->family);
	if (fd < 0)
		return KSFT_FAIL;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		msg_errno("bind %s", sin_str(&sin));
		return KSFT_FAIL;
	}
	if (listen(fd, 16)) {
		msg_errno("listen");
		return KSFT_FAIL;
	}
	printf("server: %s listening on %s\n", family_name(o->family),
	       sin_str(&sin));

	for (i = 0; i < o->count; i++) {
		len = sizeof(peer);
		c = accept(fd, (struct sockaddr *)&peer, &len);
		if (c < 0) {
			msg_errno("accept");
			return KSFT_FAIL;
		}
		if (check_name(c, true, NULL, NULL) ||
		    check_name(c, false, &sin, NULL)) {
			failed++;
			close(c);
			continue;
		}
		n = read_full(c, &h, sizeof(h));
		if (n != sizeof(h) || be32toh(h.magic) != BULK_MAGIC) {
			msg("conn %u: bad or missing header", i);
			failed++;
			close(c);
			continue;
		}
		o->dir = be32toh(h.dir);
		o->size = be64toh(h.size);
		o->seed = be64toh(h.seed);
		printf("server: conn %u from %s: dir %s size %llu seed %llu\n",
		       i, sin_str(&peer),
		       o->dir == DIR_BOTH ? "both" :
		       o->dir == DIR_C2S ? "c2s" : "s2c",
		       (unsigned long long)o->size,
		       (unsigned long long)o->seed);
		if (!o->dir || o->dir > DIR_BOTH) {
			msg("conn %u: bad direction %u", i, o->dir);
			failed++;
			close(c);
			continue;
		}
		if (transfer(c, o->dir & DIR_S2C, o->dir & DIR_C2S, o->size,
			     o->seed ^ S2C_SEED_XOR, o->seed, o, "server"))
			failed++;
	}
	close(fd);
	return failed ? KSFT_FAIL : KSFT_PASS;
}

static int do_client(struct opts *o)
{
	struct sockaddr_in dst, local;
	struct hdr h;
	int fd;

	make_sin(&dst, o->addr, o->port);
	fd = xsocket(o->family);
	if (fd < 0)
		return KSFT_FAIL;
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		connect_error(&dst);
		return KSFT_FAIL;
	}
	if (check_name(fd, true, &dst, NULL) ||
	    check_name(fd, false, NULL, &local))
		return KSFT_FAIL;
	printf("client: %s %s -> %s: dir %s size %llu seed %llu\n",
	       family_name(o->family), sin_str(&local), sin_str(&dst),
	       o->dir == DIR_BOTH ? "both" : o->dir == DIR_C2S ? "c2s" : "s2c",
	       (unsigned long long)o->size, (unsigned long long)o->seed);

	h.magic = htobe32(BULK_MAGIC);
	h.dir = htobe32(o->dir);
	h.size = htobe64(o->size);
	h.seed = htobe64(o->seed);
	if (write_full(fd, &h, sizeof(h)) < 0) {
		msg_errno("write header");
		return KSFT_FAIL;
	}
	if (transfer(fd, o->dir & DIR_C2S, o->dir & DIR_S2C, o->size,
		     o->seed, o->seed ^ S2C_SEED_XOR, o, "client"))
		return KSFT_FAIL;
	return KSFT_PASS;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.family = -1,
		.count = 1,
		.dir = DIR_C2S,
		.size = 1 << 20,
		.seed = 1,
		.wsize = 256 * 1024,
		.rmax = 256 * 1024,
		.corrupt = -1,
		.timeout = DEFAULT_TIMEOUT,
	};
	const char *mode;
	int c;

	prog_name = "xtcp_bulk";
	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "f:a:p:n:d:s:S:w:r:X:t:")) != -1) {
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
		case 'd':
			if (!strcmp(optarg, "c2s"))
				o.dir = DIR_C2S;
			else if (!strcmp(optarg, "s2c"))
				o.dir = DIR_S2C;
			else if (!strcmp(optarg, "both"))
				o.dir = DIR_BOTH;
			else
				die("bad direction '%s'", optarg);
			break;
		case 's':
			o.size = parse_size(optarg, "size");
			break;
		case 'S':
			o.seed = parse_size(optarg, "seed");
			break;
		case 'w':
			o.wsize = parse_size(optarg, "write size");
			break;
		case 'r':
			o.rmax = parse_size(optarg, "read size");
			break;
		case 'X':
			o.corrupt = parse_size(optarg, "corrupt offset");
			break;
		case 't':
			o.timeout = parse_uint(optarg, "timeout");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o.family < 0 || !o.addr || !o.port ||
	    o.port > 65535)
		usage();
	if (!o.wsize || o.wsize > MAX_IO || !o.rmax || o.rmax > MAX_IO)
		die("read/write sizes must be 1..%d", MAX_IO);
	set_timeout(o.timeout);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(mode, "server")) {
		return do_server(&o);
	}
	if (!strcmp(mode, "client")) {
		return do_client(&o);
	}
	usage();
}
