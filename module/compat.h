/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between kernel versions lives here, and nowhere else.
 * Kbuild force-includes this file into each object.  Prefer probes of a
 * feature over version numbers: distributions backport.
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/version.h>
#include <linux/export.h>
#include <net/sock.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "XTCP needs Linux 6.1 or later"
#endif

/*
 * Functions of pure logic are exported to the KUnit test module when the
 * kernel has KUnit; a stock kernel without it exports nothing extra.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define XTCP_EXPORT_FOR_TEST(sym) EXPORT_SYMBOL_GPL(sym)
#else
#define XTCP_EXPORT_FOR_TEST(sym)
#endif

/* register_net_sysctl_sz() replaced register_net_sysctl() in 6.6. */
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
#define xtcp_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define xtcp_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/*
 * sendfile() and splice() reach sendmsg() with MSG_SENDPAGE_NOTLAST (more
 * pages follow) until 6.4 and with MSG_SPLICE_PAGES from 6.5; XTCP copies
 * the data either way.  XTCP_MSG_SPLICE: those flags; XTCP_MSG_NOTLAST:
 * the one that means more follows (MSG_MORE does that from 6.5 on).
 */
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
#define XTCP_MSG_SPLICE		MSG_SPLICE_PAGES
#define XTCP_MSG_NOTLAST	0
#else
#define XTCP_MSG_SPLICE		MSG_SENDPAGE_NOTLAST
#define XTCP_MSG_NOTLAST	MSG_SENDPAGE_NOTLAST
#endif

/*
 * 6.12 moved the unaligned accessors to <linux/unaligned.h> and the
 * fragment reference helpers (skb_frag_unref()) to <linux/skbuff_ref.h>.
 */
#ifdef XTCP_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#ifdef XTCP_HAVE_SKBUFF_REF_H
#include <linux/skbuff_ref.h>
#endif

/*
 * proto_ops.accept() takes a struct proto_accept_arg from 6.10 ("net: have
 * do_accept() take a struct proto_accept_arg argument"); XTCP's accept
 * works from the flags alone (module/socket.c's xtcp_do_accept()).
 */
int xtcp_do_accept(struct socket *sock, struct socket *newsock, int flags);
#ifdef XTCP_HAVE_PROTO_ACCEPT_ARG
static inline int xtcp_accept(struct socket *sock, struct socket *newsock,
			      struct proto_accept_arg *arg)
{
	return xtcp_do_accept(sock, newsock, arg->flags);
}
#else
static inline int xtcp_accept(struct socket *sock, struct socket *newsock,
			      int flags, bool kern)
{
	return xtcp_do_accept(sock, newsock, flags);
}
#endif

/* proto_ops.sendpage is gone from 6.5 (splice uses MSG_SPLICE_PAGES). */
#ifdef XTCP_HAVE_SENDPAGE
#define XTCP_OPS_SENDPAGE	.sendpage = sock_no_sendpage,
#else
#define XTCP_OPS_SENDPAGE
#endif

/*
 * The sysctl tables the kernel hands back, to proc handlers and in
 * ctl_table_header.ctl_table_arg, are const from 6.11 ("sysctl: treewide:
 * constify the ctl_table argument of proc_handlers" and its companion).
 */
#ifdef XTCP_HAVE_CONST_CTL_TABLE
#define xtcp_ctl_table const struct ctl_table
#else
#define xtcp_ctl_table struct ctl_table
#endif

/* inet_sock's bit fields became inet_flags bits (inet_test_bit()) in 6.6. */
#ifdef XTCP_HAVE_INET_FLAGS
#define xtcp_sk_recverr(sk)	inet_test_bit(RECVERR, sk)
#else
#define xtcp_sk_recverr(sk)	(inet_sk(sk)->recverr)
#endif

/*
 * RT_CONN_FLAGS() is gone from 6.10: the route's TOS is ip_sock_rt_tos()
 * and its scope comes from the socket inside ip_route_output_ports().
 */
#ifdef XTCP_HAVE_RT_CONN_FLAGS
#define xtcp_rt_conn_flags(sk)	RT_CONN_FLAGS(sk)
#else
#define xtcp_rt_conn_flags(sk)	ip_sock_rt_tos(sk)
#endif

/*
 * nf_confirm() became a netfilter hook function, (priv, skb, state), when
 * conntrack's confirmation moved into it (6.6); before, it took (skb,
 * protoff, ct, ctinfo).  XTCP finds it with symbol_get(), typed by the
 * header, and calls it with what its own hook has.
 */
#ifdef XTCP_HAVE_NF_CONFIRM_HOOK
#define xtcp_call_nf_confirm(fn, skb, protoff, ct, ctinfo, state) \
	((fn)(NULL, skb, state))
#else
#define xtcp_call_nf_confirm(fn, skb, protoff, ct, ctinfo, state) \
	((fn)(skb, protoff, ct, ctinfo))
#endif

#endif /* _XTCP_COMPAT_H */
