// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-preload.so: run an unmodified TCP program over XTCP (LD_PRELOAD;
 * tools/xtcp-run sets it up).
 *
 * What it interposes (dlsym(RTLD_NEXT) for the real functions):
 *
 * socket()	AF_INET + SOCK_STREAM with protocol 0 or IPPROTO_TCP becomes
 *		socket(AF_XTCP, same type and flags, same protocol).  If
 *		AF_XTCP is missing (EAFNOSUPPORT: the module is not loaded)
 *		the call fails with that errno and a message is printed
 *		once: there is no fallback to Linux TCP.
 *		AF_INET6 + SOCK_STREAM (protocol 0 or IPPROTO_TCP) fails with
 *		EAFNOSUPPORT, XTCP being IPv4 only, so that programs trying
 *		IPv6 first go on to IPv4; XTCP_RUN_INET6=linux leaves these
 *		sockets to Linux TCP instead.  Everything else is untouched.
 * setsockopt()	SOL_SOCKET/SO_REUSEPORT on an XTCP socket becomes
 *		SOL_XTCP/XTCP_REUSEPORT (Linux refuses SO_REUSEPORT for
 *		families other than AF_INET and AF_INET6).
 * getsockopt()	SOL_SOCKET/SO_DOMAIN of an XTCP socket reports AF_INET.
 *
 * An XTCP socket is recognised by asking the kernel (SO_DOMAIN is
 * AF_XTCP) at the time of the call, so descriptors that were dup()ed,
 * inherited or passed around need no bookkeeping here.
 *
 * XTCP_FAMILY=inet makes socket() create AF_INET sockets (Linux TCP)
 * where it would create AF_XTCP ones: a test hook, to check the
 * selftests on a machine without the module.
 *
 * Not covered: statically linked programs (Go, musl-static), sockets
 * made by raw syscalls or io_uring (IORING_OP_SOCKET), and glibc's own
 * internal socket() calls, which do not go through the symbol table
 * (they only make netlink and UDP sockets).  glibc's __socket is
 * GLIBC_PRIVATE, so no program can call it and it is not interposed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/xtcp.h>

#define MSG_NO_XTCP	"xtcp-run: AF_XTCP not available (is xtcp.ko loaded?)\n"

typedef int (*socket_fn)(int, int, int);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);
typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);

static socket_fn real_socket;
static setsockopt_fn real_setsockopt;
static getsockopt_fn real_getsockopt;
static int target_family;	/* AF_XTCP, or AF_INET with XTCP_FAMILY=inet */
static int inet6_to_linux;	/* XTCP_RUN_INET6=linux */
static int initialised;
static int warned;

/* The real function, or abort: running without it would be worse. */
static void *next_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	static const char msg[] = "xtcp-run: cannot find the real ";

	if (!p) {
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) >= 0 &&
		    write(STDERR_FILENO, name, strlen(name)) >= 0)
			(void)!write(STDERR_FILENO, "()\n", 3);
		abort();
	}
	return p;
}

/*
 * Runs as a constructor, and again from the wrappers if another library's
 * constructor calls them first.  Racing threads compute the same values.
 */
static void xtcp_preload_init(void)
{
	const char *fam, *inet6;

	if (__atomic_load_n(&initialised, __ATOMIC_ACQUIRE))
		return;
	real_socket = (socket_fn)next_sym("socket");
	real_setsockopt = (setsockopt_fn)next_sym("setsockopt");
	real_getsockopt = (getsockopt_fn)next_sym("getsockopt");
	fam = getenv("XTCP_FAMILY");
	target_family = fam && !strcmp(fam, "inet") ? AF_INET : AF_XTCP;
	inet6 = getenv("XTCP_RUN_INET6");
	inet6_to_linux = inet6 && !strcmp(inet6, "linux");
	__atomic_store_n(&initialised, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor))
static void xtcp_preload_ctor(void)
{
	xtcp_preload_init();
}

/* A TCP stream socket request: SOCK_STREAM, protocol 0 or IPPROTO_TCP. */
static int is_tcp(int type, int protocol)
{
	return (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

static int is_xtcp_fd(int fd)
{
	int domain = 0, saved = errno;
	socklen_t len = sizeof(domain);

	if (real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
	    len != sizeof(domain))
		domain = 0;
	errno = saved;
	return domain == AF_XTCP;
}

int socket(int domain, int type, int protocol)
{
	int fd, err;

	xtcp_preload_init();
	if (domain == AF_INET6 && is_tcp(type, protocol) && !inet6_to_linux) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (domain != AF_INET || !is_tcp(type, protocol))
		return real_socket(domain, type, protocol);

	fd = real_socket(target_family, type, protocol);
	if (fd < 0 && errno == EAFNOSUPPORT && target_family == AF_XTCP &&
	    !__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED)) {
		err = errno;
		(void)!write(STDERR_FILENO, MSG_NO_XTCP, sizeof(MSG_NO_XTCP) - 1);
		errno = err;
	}
	return fd;
}

int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen)
{
	xtcp_preload_init();
	if (level == SOL_SOCKET && optname == SO_REUSEPORT && is_xtcp_fd(fd))
		return real_setsockopt(fd, SOL_XTCP, XTCP_REUSEPORT, optval,
				       optlen);
	return real_setsockopt(fd, level, optname, optval, optlen);
}

int getsockopt(int fd, int level, int optname, void *optval,
	       socklen_t *optlen)
{
	int ret, domain;

	xtcp_preload_init();
	ret = real_getsockopt(fd, level, optname, optval, optlen);
	if (ret || level != SOL_SOCKET || optname != SO_DOMAIN || !optval ||
	    !optlen || *optlen != sizeof(domain))
		return ret;
	memcpy(&domain, optval, sizeof(domain));
	if (domain == AF_XTCP) {
		domain = AF_INET;
		memcpy(optval, &domain, sizeof(domain));
	}
	return ret;
}
