/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the XTCP selftest programs.
 *
 * Every program takes the socket family of each role as an option
 * ("-f xtcp" or "-f inet"), so the same tests run XTCP against XTCP,
 * XTCP against Linux TCP, or Linux TCP against itself.
 */
#ifndef XTCP_SELFTEST_LIB_H
#define XTCP_SELFTEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <linux/xtcp.h>

/* kselftest exit codes */
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define DEFAULT_TIMEOUT	60	/* seconds, overall alarm() of a program */

extern const char *prog_name;

/* Diagnostics go to stderr, prefixed with the program's name. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Overall time limit: on expiry print a message and exit KSFT_FAIL. */
void set_timeout(unsigned int secs);
unsigned int parse_uint(const char *s, const char *what);
uint64_t parse_size(const char *s, const char *what);

/* "xtcp" -> AF_XTCP, "inet" -> AF_INET; -1 if unknown. */
int parse_family(const char *s);
const char *family_name(int family);

/* Fill @sin from a dotted quad and a port; dies on a bad address. */
void make_sin(struct sockaddr_in *sin, const char *addr, unsigned int port);
const char *sin_str(const struct sockaddr_in *sin);

/* socket(family, SOCK_STREAM, 0) with a diagnostic on failure. */
int xsocket(int family);

/*
 * The diagnostic of a failed connect() to @dst (errno set).  The clients
 * connect once, never retrying: their callers first wait until the server
 * is seen in LISTEN, so a refused connect is a listener's failure and is
 * said to be one.
 */
void connect_error(const struct sockaddr_in *dst);

/*
 * Check getsockname() (peer == false) or getpeername() (peer == true):
 * the length must be sizeof(struct sockaddr_in) and sin_family AF_INET.
 * A zero address or port in @expect means "any", except that the port
 * must then be nonzero.  On success the name is stored in @out if set.
 * Returns 0 or -1 (with a diagnostic).
 */
int check_name(int fd, bool peer, const struct sockaddr_in *expect,
	       struct sockaddr_in *out);

/* Loops over short transfers and EINTR; return bytes moved or -1. */
ssize_t read_full(int fd, void *buf, size_t len);
ssize_t write_full(int fd, const void *buf, size_t len);
/* Read until EOF; returns the number of bytes read or -1. */
ssize_t read_to_eof(int fd);

/*
 * A deterministic pseudo-random byte stream: byte @off of the stream
 * selected by @seed.  Filling is independent of how the stream is cut
 * into pieces, so a receiver can regenerate any part of it.
 */
uint64_t mix64(uint64_t x);
void pattern_fill(uint64_t seed, uint64_t off, void *buf, size_t len);

/* Small sequential generator (for read sizes and the like). */
uint64_t rng_next(uint64_t *state);

/* SHA-256 */
#define SHA256_DIGEST_SIZE	32

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);
void sha256_hex(const uint8_t d[SHA256_DIGEST_SIZE], char out[65]);

#endif /* XTCP_SELFTEST_LIB_H */
