// SPDX-License-Identifier: GPL-2.0
/*
 * net.xtcp.* sysctls, one set per network namespace.
 */
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "xtcp.h"

static int xtcp_msl_min = 1;
static int xtcp_msl_max = 600;
static int xtcp_fin_timeout_min = 1;
static int xtcp_fin_timeout_max = 600;
static int xtcp_ratelimit_max = 60000;
static int xtcp_retries_max = 127;

static struct ctl_table xtcp_sysctl_template[] = {
	{
		.procname	= "msl",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_msl_min,
		.extra2		= &xtcp_msl_max,
	},
	{
		.procname	= "fin_timeout",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_fin_timeout_min,
		.extra2		= &xtcp_fin_timeout_max,
	},
	{
		.procname	= "invalid_ratelimit",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_ratelimit_max,
	},
	{
		.procname	= "syn_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries_max,
	},
	{
		.procname	= "synack_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries_max,
	},
	{
		.procname	= "retries2",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries_max,
	},
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

	xn->msl = XTCP_DEFAULT_MSL;
	xn->fin_timeout = XTCP_DEFAULT_FIN_TIMEOUT;
	xn->invalid_ratelimit = XTCP_DEFAULT_INVALID_RATELIMIT;
	xn->syn_retries = XTCP_SYN_RETRIES;
	xn->synack_retries = XTCP_SYNACK_RETRIES;
	xn->retries2 = XTCP_DATA_RETRIES;
	t = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
		    GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t[0].data = &xn->msl;
	t[1].data = &xn->fin_timeout;
	t[2].data = &xn->invalid_ratelimit;
	t[3].data = &xn->syn_retries;
	t[4].data = &xn->synack_retries;
	t[5].data = &xn->retries2;
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
