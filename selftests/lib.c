// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the XTCP selftest programs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib.h"

const char *prog_name = "xtcp_selftest";

static void vmsg(const char *fmt, va_list ap, int err)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "%s: ", prog_name);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (err)
		fprintf(stderr, "%s: %s\n", line, strerror(err));
	else
		fprintf(stderr, "%s\n", line);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void msg_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, err);
	va_end(ap);
	errno = err;
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(KSFT_FAIL);
}

static void alarm_handler(int sig)
{
	static const char text[] = ": timeout, giving up\n";
	ssize_t r;

	(void)sig;
	r = write(STDERR_FILENO, prog_name, strlen(prog_name));
	r = write(STDERR_FILENO, text, sizeof(text) - 1);
	(void)r;
	_exit(KSFT_FAIL);
}

void set_timeout(unsigned int secs)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alarm_handler;
	sigaction(SIGALRM, &sa, NULL);
	/* A peer that went away must show up as EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	alarm(secs);
}

unsigned int parse_uint(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > 0xffffffffUL)
		die("bad %s: '%s'", what, s);
	return v;
}

/* A byte count, with an optional K, M or G suffix (powers of 1024). */
uint64_t parse_size(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad %s: '%s'", what, s);
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end)
		die("bad %s: '%s'", what, s);
	return v;
}

int parse_family(const char *s)
{
	if (!strcmp(s, "xtcp"))
		return AF_XTCP;
	if (!strcmp(s, "inet") || !strcmp(s, "tcp"))
		return AF_INET;
	return -1;
}

const char *family_name(int family)
{
	switch (family) {
	case AF_XTCP:
		return "xtcp";
	case AF_INET:
		return "inet";
	default:
		return "?";
	}
}

void make_sin(struct sockaddr_in *sin, const char *addr, unsigned int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		die("bad IPv4 address '%s'", addr);
	if (port > 65535)
		die("bad port %u", port);
}

const char *sin_str(const struct sockaddr_in *sin)
{
	static char bufs[4][48];
	static int next;
	char a[INET_ADDRSTRLEN];
	char *b = bufs[next++ & 3];

	if (!inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)))
		strcpy(a, "?");
	snprintf(b, sizeof(bufs[0]), "%s:%u", a, ntohs(sin->sin_port));
	return b;
}

int xsocket(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		msg_errno("socket(%s)", family_name(family));
	return fd;
}

void connect_error(const struct sockaddr_in *dst)
{
	if (errno == ECONNREFUSED)
		msg("connect %s: %s (the listener was seen listening)",
		    sin_str(dst), strerror(errno));
	else
		msg_errno("connect %s", sin_str(dst));
}

int check_name(int fd, bool peer, const struct sockaddr_in *expect,
	       struct sockaddr_in *out)
{
	const char *what = peer ? "getpeername" : "getsockname";
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len = sizeof(ss);
	int ret;

	memset(&ss, 0xa5, sizeof(ss));
	if (peer)
		ret = getpeername(fd, (struct sockaddr *)&ss, &len);
	else
		ret = getsockname(fd, (struct sockaddr *)&ss, &len);
	if (ret) {
		msg_errno("%s", what);
		return -1;
	}
	if (len != sizeof(struct sockaddr_in)) {
		msg("%s: length %u, expected %zu", what, len,
		    sizeof(struct sockaddr_in));
		return -1;
	}
	if (sin->sin_family != AF_INET) {
		msg("%s: sin_family %u, expected AF_INET (%u)", what,
		    sin->sin_family, AF_INET);
		return -1;
	}
	if (expect && expect->sin_addr.s_addr &&
	    expect->sin_addr.s_addr != sin->sin_addr.s_addr) {
		msg("%s: %s, expected %s", what, sin_str(sin),
		    sin_str(expect));
		return -1;
	}
	if (!sin->sin_port ||
	    (expect && expect->sin_port &&
	     expect->sin_port != sin->sin_port)) {
		msg("%s: %s, expected port %u", what, sin_str(sin),
		    expect ? ntohs(expect->sin_port) : 0);
		return -1;
	}
	if (out)
		*out = *sin;
	return 0;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += n;
	}
	return done;
}

ssize_t read_to_eof(int fd)
{
	char buf[4096];
	ssize_t total = 0, n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return total;
		total += n;
	}
}

/* splitmix64 finaliser */
uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void pattern_fill(uint64_t seed, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t w;
	unsigned int i;

	seed = mix64(seed);
	while (len) {
		w = mix64(seed ^ ((off >> 3) * 0xd6e8feb86659fd93ULL));
		for (i = off & 7; i < 8 && len; i++, len--, off++)
			*p++ = w >> (8 * i);
	}
}

uint64_t rng_next(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix64(*state);
}

/* SHA-256 (FIPS 180-4), compact and unoptimised. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR32(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		t1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^
		     (w[i - 2] >> 10);
		t2 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^
		     (w[i - 15] >> 3);
		w[i] = t1 + w[i - 7] + t2 + w[i - 16];
	}
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
	f = s->h[5];
	g = s->h[6];
	h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	s->h[5] += f;
	s->h[6] += g;
	s->h[7] += h;
}

void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->fill = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	s->len += len;
	if (s->fill) {
		n = 64 - s->fill;
		if (n > len)
			n = len;
		memcpy(s->buf + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill < 64)
			return;
		sha256_block(s, s->buf);
		s->fill = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha256_block(s, p);
	memcpy(s->buf, p, len);
	s->fill = len;
}

void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE])
{
	uint64_t bits = s->len * 8;
	int i;

	s->buf[s->fill++] = 0x80;
	if (s->fill > 56) {
		memset(s->buf + s->fill, 0, 64 - s->fill);
		sha256_block(s, s->buf);
		s->fill = 0;
	}
	memset(s->buf + s->fill, 0, 56 - s->fill);
	for (i = 0; i < 8; i++)
		s->buf[56 + i] = bits >> (56 - 8 * i);
	sha256_block(s, s->buf);
	for (i = 0; i < 8; i++) {
		out[4 * i] = s->h[i] >> 24;
		out[4 * i + 1] = s->h[i] >> 16;
		out[4 * i + 2] = s->h[i] >> 8;
		out[4 * i + 3] = s->h[i];
	}
}

void sha256_hex(const uint8_t d[SHA256_DIGEST_SIZE], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}
