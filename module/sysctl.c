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
static int xtcp_min_snd_mss = XTCP_MIN_SND_MSS;
static int xtcp_max_mss = 65535 - 40;

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

/* net.xtcp.congestion_control: the default algorithm of new sockets. */
static int xtcp_cong_sysctl(xtcp_ctl_table *table, int write, void *buffer,
			    size_t *lenp, loff_t *ppos)
{
	const struct xtcp_cong_ops **cur = table->data;
	char name[XTCP_CONG_NAME_MAX];
	struct ctl_table t = { .data = name, .maxlen = sizeof(name) };
	const struct xtcp_cong_ops *ops;
	int ret;

	strscpy(name, READ_ONCE(*cur)->name, sizeof(name));
	ret = proc_dostring(&t, write, buffer, lenp, ppos);
	if (!write || ret)
		return ret;
	ops = xtcp_cong_find(name);
	if (!ops)
		return -ENOENT;	/* as Linux for an unknown algorithm */
	WRITE_ONCE(*cur, ops);
	return 0;
}

/* net.xtcp.available_congestion_control, read-only. */
static int xtcp_cong_avail_sysctl(xtcp_ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	char list[64];
	struct ctl_table t = { .data = list, .maxlen = sizeof(list) };

	xtcp_cong_available(list, sizeof(list));
	return proc_dostring(&t, write, buffer, lenp, ppos);
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
	XTCP_SYSCTL("sack", sack, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("dsack", dsack, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("timestamps", timestamps, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("somaxconn", somaxconn, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("max_syn_backlog", max_syn_backlog, SYSCTL_ONE,
		    SYSCTL_INT_MAX),
	XTCP_SYSCTL("syncookies", syncookies, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL("ecn", ecn, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL("ecn_fallback", ecn_fallback, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("mtu_probing", mtu_probing, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL("base_mss", base_mss, &xtcp_min_snd_mss, &xtcp_max_mss),
	XTCP_SYSCTL("mtu_probe_floor", mtu_probe_floor, &xtcp_min_snd_mss,
		    &xtcp_max_mss),
	XTCP_SYSCTL("probe_interval", probe_interval, SYSCTL_ONE,
		    SYSCTL_INT_MAX),
	XTCP_SYSCTL("probe_threshold", probe_threshold, SYSCTL_ONE,
		    &xtcp_max_mss),
	{
		.procname	= "congestion_control",
		.data		= (void *)offsetof(struct xtcp_net, cong),
		.maxlen		= XTCP_CONG_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_cong_sysctl,
	},
	{
		.procname	= "available_congestion_control",
		.data		= (void *)0,
		.maxlen		= 64,
		.mode		= 0444,
		.proc_handler	= xtcp_cong_avail_sysctl,
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
	xn->sack = 1;
	xn->dsack = 1;
	xn->timestamps = 1;
	xn->somaxconn = XTCP_SOMAXCONN;
	xn->max_syn_backlog = XTCP_MAX_SYN_BACKLOG;
	xn->syncookies = 1;
	xn->ecn = 2;
	xn->ecn_fallback = 1;
	xn->mtu_probing = 0;
	xn->base_mss = XTCP_BASE_MSS;
	xn->mtu_probe_floor = XTCP_MTU_PROBE_FLOOR;
	xn->probe_interval = XTCP_PROBE_INTERVAL;
	xn->probe_threshold = XTCP_PROBE_THRESHOLD;
	xn->cong = &xtcp_cubic;
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
	xtcp_ctl_table *t = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(t);
}
