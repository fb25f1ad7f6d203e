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

#endif /* _XTCP_COMPAT_H */
