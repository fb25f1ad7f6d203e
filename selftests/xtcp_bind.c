// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_bind: bind() and connect() error cases, as TAP subtests.
 *
 *   xtcp_bind -f FAM -g FAM2 [-a ADDR] [-t SECS] [-o OFFSET]
 *   xtcp_bind -N
 *
 * -t is the time limit of each case (default 10 s).  -o numbers the
 * cases from OFFSET + 1 and prints no TAP header and plan, so that a
 * script can chain several runs into one TAP stream; -N prints the
 * number of cases.
 *
 * FAM is the family under test ("XTCP" in the names below), FAM2 the
 * other one ("Linux TCP", normally inet).  ADDR (default 127.0.0.1) must
 * be a local address; ports come from binding port 0, so the cases do
 * not depend on fixed port numbers.  Each case runs in its own child
 * process with its own alarm, so one hang cannot stop the others.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "lib.h"

#define CASE_TIMEOUT	10

static int fam1 = -1, fam2 = -1;
static const char *addr = "127.0.0.1";
static char *skip_reason;	/* shared with the case's child process */

/* A socket of @family bound to @a:@port (port 0: ephemeral); -1 on error. */
static int bound_socket(int family, const char *a, unsigned int port,
			unsigned int *port_out)
{
	struct sockaddr_in sin, name;
	int fd;

	make_sin(&sin, a, port);
	fd = xsocket(family);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		msg_errno("%s bind %s", family_name(family), sin_str(&sin));
		close(fd);
		return -1;
	}
	if (check_name(fd, false, &sin, &name)) {
		close(fd);
		return -1;
	}
	if (port_out)
		*port_out = ntohs(name.sin_port);
	return fd;
}

/* bind() that must fail with @want. */
static int bind_expect(int fd, const void *sa, socklen_t len, int want,
		       const char *what)
{
	if (!bind(fd, sa, len)) {
		msg("%s: bind succeeded, expected %s", what, strerror(want));
		return KSFT_FAIL;
	}
	if (errno != want) {
		msg("%s: bind failed with \"%s\", expected \"%s\"", what,
		    strerror(errno), strerror(want));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/*
 * First socket (@f1 on @a1, port 0, optionally listening) holds port P;
 * a second socket (@f2 on @a2:P) must get EADDRINUSE.
 */
static int conflict(int f1, const char *a1, bool do_listen, int f2,
		    const char *a2)
{
	struct sockaddr_in sin;
	unsigned int port;
	char what[128];
	int fd1, fd2, ret;

	fd1 = bound_socket(f1, a1, 0, &port);
	if (fd1 < 0)
		return KSFT_FAIL;
	if (do_listen && listen(fd1, 8)) {
		msg_errno("%s listen", family_name(f1));
		return KSFT_FAIL;
	}
	fd2 = xsocket(f2);
	if (fd2 < 0)
		return KSFT_FAIL;
	make_sin(&sin, a2, port);
	snprintf(what, sizeof(what), "%s %s:%u%s then %s %s",
		 family_name(f1), a1, port, do_listen ? " (listening)" : "",
		 family_name(f2), sin_str(&sin));
	ret = bind_expect(fd2, &sin, sizeof(sin), EADDRINUSE, what);
	close(fd2);
	close(fd1);
	return ret;
}

static int t_ephemeral(void)
{
	unsigned int p1, p2;
	int fd1, fd2;

	fd1 = bound_socket(fam1, addr, 0, &p1);
	if (fd1 < 0)
		return KSFT_FAIL;
	fd2 = bound_socket(fam1, addr, 0, &p2);
	if (fd2 < 0)
		return KSFT_FAIL;
	if (p1 == p2) {
		msg("two sockets bound to port 0 both got port %u", p1);
		return KSFT_FAIL;
	}
	printf("# ephemeral ports %u and %u\n", p1, p2);
	close(fd1);
	close(fd2);
	return KSFT_PASS;
}

static int t_same_family(void)
{
	return conflict(fam1, addr, false, fam1, addr);
}

static int t_f_then_g(void)
{
	return conflict(fam1, addr, false, fam2, addr);
}

static int t_g_then_f(void)
{
	return conflict(fam2, addr, false, fam1, addr);
}

static int t_f_listen_then_g(void)
{
	return conflict(fam1, addr, true, fam2, addr);
}

static int t_g_listen_then_f(void)
{
	return conflict(fam2, addr, true, fam1, addr);
}

static int t_f_any_then_g(void)
{
	return conflict(fam1, "0.0.0.0", false, fam2, addr);
}

static int t_g_any_then_f(void)
{
	return conflict(fam2, "0.0.0.0", false, fam1, addr);
}

static int t_rebind_after_close(void)
{
	unsigned int port;
	int fd;

	fd = bound_socket(fam1, addr, 0, &port);
	if (fd < 0)
		return KSFT_FAIL;
	close(fd);
	fd = bound_socket(fam1, addr, port, NULL);
	if (fd < 0) {
		msg("%s could not re-bind port %u after close",
		    family_name(fam1), port);
		return KSFT_FAIL;
	}
	close(fd);
	fd = bound_socket(fam2, addr, port, NULL);
	if (fd < 0) {
		msg("%s could not bind port %u after %s closed it",
		    family_name(fam2), port, family_name(fam1));
		return KSFT_FAIL;
	}
	close(fd);
	return KSFT_PASS;
}

static int t_bad_addrlen(void)
{
	struct sockaddr_in sin;
	int fd, ret;

	fd = xsocket(fam1);
	if (fd < 0)
		return KSFT_FAIL;
	make_sin(&sin, addr, 0);
	ret = bind_expect(fd, &sin, sizeof(sin) - 1, EINVAL,
			  "addrlen sizeof(sockaddr_in) - 1");
	if (ret == KSFT_PASS)
		ret = bind_expect(fd, &sin, 0, EINVAL, "addrlen 0");
	close(fd);
	return ret;
}

static int t_bad_family(void)
{
	struct sockaddr_in sin;
	int fd, ret;

	fd = xsocket(fam1);
	if (fd < 0)
		return KSFT_FAIL;
	make_sin(&sin, addr, 0);
	sin.sin_family = AF_INET6;
	ret = bind_expect(fd, &sin, sizeof(sin), EAFNOSUPPORT,
			  "sin_family AF_INET6");
	close(fd);
	return ret;
}

static int t_af_xtcp_addr(void)
{
	struct sockaddr_in sin;
	int fd;

	if (fam1 != AF_XTCP) {
		snprintf(skip_reason, 128, "sin_family AF_XTCP is for %s only",
			 family_name(AF_XTCP));
		return KSFT_SKIP;
	}
	fd = xsocket(fam1);
	if (fd < 0)
		return KSFT_FAIL;
	make_sin(&sin, addr, 0);
	sin.sin_family = AF_XTCP;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		msg_errno("bind with sin_family AF_XTCP");
		return KSFT_FAIL;
	}
	make_sin(&sin, addr, 0);
	if (check_name(fd, false, &sin, NULL))
		return KSFT_FAIL;
	close(fd);
	return KSFT_PASS;
}

static int t_bind_twice(void)
{
	struct sockaddr_in sin;
	unsigned int port;
	int fd, ret;

	fd = bound_socket(fam1, addr, 0, &port);
	if (fd < 0)
		return KSFT_FAIL;
	make_sin(&sin, addr, 0);
	ret = bind_expect(fd, &sin, sizeof(sin), EINVAL,
			  "second bind, port 0");
	make_sin(&sin, addr, port);
	if (ret == KSFT_PASS)
		ret = bind_expect(fd, &sin, sizeof(sin), EINVAL,
				  "second bind, same port");
	close(fd);
	return ret;
}

static int connect_expect_refused(unsigned int port)
{
	struct sockaddr_in sin;
	int fd;

	fd = xsocket(fam1);
	if (fd < 0)
		return KSFT_FAIL;
	make_sin(&sin, addr, port);
	if (!connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		msg("connect %s succeeded, expected ECONNREFUSED",
		    sin_str(&sin));
		return KSFT_FAIL;
	}
	if (errno != ECONNREFUSED) {
		msg_errno("connect %s: expected ECONNREFUSED, got",
			  sin_str(&sin));
		return KSFT_FAIL;
	}
	close(fd);
	return KSFT_PASS;
}

/* Port held by a bound socket that does not listen. */
static int t_refused_bound(void)
{
	unsigned int port;
	int fd, ret;

	fd = bound_socket(fam1, addr, 0, &port);
	if (fd < 0)
		return KSFT_FAIL;
	ret = connect_expect_refused(port);
	close(fd);
	return ret;
}

/* Port that nothing holds (it was free a moment ago). */
static int t_refused_free(void)
{
	unsigned int port;
	int fd;

	fd = bound_socket(fam2, addr, 0, &port);
	if (fd < 0)
		return KSFT_FAIL;
	close(fd);
	return connect_expect_refused(port);
}

struct test_case {
	const char *name;
	int (*fn)(void);
};

static const struct test_case cases[] = {
	{ "bind port 0 gets distinct nonzero ephemeral ports", t_ephemeral },
	{ "F then F on the same port: EADDRINUSE", t_same_family },
	{ "F then G on the same port: EADDRINUSE", t_f_then_g },
	{ "G then F on the same port: EADDRINUSE", t_g_then_f },
	{ "F listening then G on the same port: EADDRINUSE",
	  t_f_listen_then_g },
	{ "G listening then F on the same port: EADDRINUSE",
	  t_g_listen_then_f },
	{ "F on 0.0.0.0 then G on ADDR, same port: EADDRINUSE",
	  t_f_any_then_g },
	{ "G on 0.0.0.0 then F on ADDR, same port: EADDRINUSE",
	  t_g_any_then_f },
	{ "port is free again after close (F, then G)",
	  t_rebind_after_close },
	{ "bad address length: EINVAL", t_bad_addrlen },
	{ "sin_family AF_INET6: EAFNOSUPPORT", t_bad_family },
	{ "sin_family AF_XTCP accepted, getsockname says AF_INET",
	  t_af_xtcp_addr },
	{ "bind twice on one socket: EINVAL", t_bind_twice },
	{ "connect to a bound, non-listening port: ECONNREFUSED",
	  t_refused_bound },
	{ "connect to a free port: ECONNREFUSED", t_refused_free },
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Case name with F, G and ADDR replaced by the actual families/address. */
static void case_name(const char *tmpl, char *out, size_t size)
{
	bool addr_done = false;
	size_t n = 0;
	const char *s;

	for (s = tmpl; *s && n + 16 < size; s++) {
		bool word = (s == tmpl || !is_word(s[-1])) && !is_word(s[1]);

		if (word && (s[0] == 'F' || s[0] == 'G'))
			n += snprintf(out + n, size - n, "%s%s",
				      family_name(s[0] == 'F' ? fam1 : fam2),
				      fam1 != fam2 ? "" :
				      s[0] == 'F' ? "(F)" : "(G)");
		else if ((s == tmpl || !is_word(s[-1])) &&
			 !strncmp(s, "ADDR", 4) && !is_word(s[4]) &&
			 n + 20 < size) {
			n += snprintf(out + n, size - n, "%s", addr);
			s += 3;
			addr_done = true;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	if (!addr_done)
		snprintf(out + n, size - n, " [%s]", addr);
}

static int run_case(unsigned int idx, unsigned int num, unsigned int timeout)
{
	char name[256];
	int status, ret;
	pid_t pid;

	case_name(cases[idx].name, name, sizeof(name));
	skip_reason[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		set_timeout(timeout);
		exit(cases[idx].fn());
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	}
	if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else
		ret = KSFT_FAIL;
	if (WIFSIGNALED(status))
		printf("# killed by signal %d\n", WTERMSIG(status));

	if (ret == KSFT_PASS)
		printf("ok %u - %s\n", num, name);
	else if (ret == KSFT_SKIP)
		printf("ok %u - %s # SKIP %s\n", num, name,
		       skip_reason[0] ? skip_reason : "");
	else
		printf("not ok %u - %s\n", num, name);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int i, timeout = CASE_TIMEOUT, failed = 0, skipped = 0;
	struct sockaddr_in sin;
	int c, ret, offset = -1;

	prog_name = "# xtcp_bind";
	while ((c = getopt(argc, argv, "f:g:a:t:o:N")) != -1) {
		switch (c) {
		case 'N':
			printf("%zu\n", NCASES);
			return KSFT_PASS;
		case 'o':
			offset = parse_uint(optarg, "offset");
			break;
		case 'f':
			fam1 = parse_family(optarg);
			break;
		case 'g':
			fam2 = parse_family(optarg);
			break;
		case 'a':
			addr = optarg;
			break;
		case 't':
			timeout = parse_uint(optarg, "timeout");
			break;
		default:
			fam1 = -1;
			break;
		}
	}
	if (fam1 < 0 || fam2 < 0 || optind != argc) {
		fprintf(stderr,
			"usage: xtcp_bind -f xtcp|inet -g xtcp|inet [-a ADDR] [-t SECS] [-o OFFSET]\n"
			"       xtcp_bind -N\n");
		return KSFT_FAIL;
	}
	make_sin(&sin, addr, 0);	/* validates ADDR */
	/* The whole run is bounded too: NCASES cases plus some slack. */
	set_timeout(timeout * NCASES + 10);
	setvbuf(stdout, NULL, _IONBF, 0);
	skip_reason = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (skip_reason == MAP_FAILED)
		die("mmap: %s", strerror(errno));

	if (offset < 0) {
		printf("TAP version 13\n");
		printf("1..%zu\n", NCASES);
		offset = 0;
	}
	printf("# F = %s, G = %s, ADDR = %s\n", family_name(fam1),
	       family_name(fam2), addr);
	for (i = 0; i < NCASES; i++) {
		ret = run_case(i, offset + i + 1, timeout);
		if (ret == KSFT_SKIP)
			skipped++;
		else if (ret != KSFT_PASS)
			failed++;
	}
	printf("# %u passed, %u failed, %u skipped\n",
	       (unsigned int)NCASES - failed - skipped, failed, skipped);
	if (failed)
		return KSFT_FAIL;
	return skipped == NCASES ? KSFT_SKIP : KSFT_PASS;
}
