// SPDX-License-Identifier: GPL-2.0
/*
 * net.xtcp.* sysctls, one set per network namespace.
 */
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "xtcp.h"

static int xtcp_msl_max = 600;
static int xtcp_fin_timeout_max = 600;
static int xtcp_ratelimit_max = 60000;
static int xtcp_retries_max = 127;
static int xtcp_keepidle_max = XTCP_MAX_KEEPIDLE;

/*
 * One integer of struct xtcp_net within [*min, *max]: the template's data
 * field holds the offset, made a pointer into each namespace's xtcp_net.
 */
#define XTCP_SYSCTL(name, field, min, max) {				\
	.procname	= name,						\
	.data		= (void *)offsetof(struct xtcp_net, field),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= min,						\
	.extra2		= max,						\
}

static struct ctl_table xtcp_sysctl_template[] = {
	XTCP_SYSCTL("msl", msl, SYSCTL_ONE, &xtcp_msl_max),
	XTCP_SYSCTL("fin_timeout", fin_timeout, SYSCTL_ONE,
		    &xtcp_fin_timeout_max),
	XTCP_SYSCTL("invalid_ratelimit", invalid_ratelimit, SYSCTL_ZERO,
		    &xtcp_ratelimit_max),
	XTCP_SYSCTL("syn_retries", syn_retries, SYSCTL_ONE, &xtcp_retries_max),
	XTCP_SYSCTL("synack_retries", synack_retries, SYSCTL_ONE,
		    &xtcp_retries_max),
	XTCP_SYSCTL("retries2", retries2, SYSCTL_ONE, &xtcp_retries_max),
	XTCP_SYSCTL("keepalive_time", keepalive_time, SYSCTL_ONE,
		    &xtcp_keepidle_max),
	XTCP_SYSCTL("keepalive_intvl", keepalive_intvl, SYSCTL_ONE,
		    &xtcp_keepidle_max),
	XTCP_SYSCTL("keepalive_probes", keepalive_probes, SYSCTL_ONE,
		    &xtcp_retries_max),
	{ }
};

/**
 * xtcp_sysctl_init() - register net.xtcp.* for a namespace
 * @net: namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_sysctl_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *t;
	int i;

	xn->msl = XTCP_DEFAULT_MSL;
	xn->fin_timeout = XTCP_DEFAULT_FIN_TIMEOUT;
	xn->invalid_ratelimit = XTCP_DEFAULT_INVALID_RATELIMIT;
	xn->syn_retries = XTCP_SYN_RETRIES;
	xn->synack_retries = XTCP_SYNACK_RETRIES;
	xn->retries2 = XTCP_DATA_RETRIES;
	xn->keepalive_time = XTCP_KEEPALIVE_TIME;
	xn->keepalive_intvl = XTCP_KEEPALIVE_INTVL;
	xn->keepalive_probes = XTCP_KEEPALIVE_PROBES;
	t = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
		    GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(xtcp_sysctl_template) - 1; i++)
		t[i].data = (char *)xn + (uintptr_t)t[i].data;
	xn->sysctl_hdr = xtcp_register_net_sysctl(net, "net/xtcp", t,
						  ARRAY_SIZE(xtcp_sysctl_template) - 1);
	if (!xn->sysctl_hdr) {
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

void xtcp_sysctl_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *t = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(t);
}
