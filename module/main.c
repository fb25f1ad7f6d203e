// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP module glue: registration of the protocol and the AF_XTCP family,
 * per network namespace state (netfilter hook, sysctls, /proc), and unload.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "xtcp.h"

unsigned int xtcp_net_id __read_mostly;
struct workqueue_struct *xtcp_wq;

bool xtcp_trace_states;
module_param_named(trace_states, xtcp_trace_states, bool, 0644);
MODULE_PARM_DESC(trace_states, "Log every state change with seq/ack numbers");

static int __net_init xtcp_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	xn->mib = alloc_percpu(struct xtcp_mib);
	if (!xn->mib)
		return -ENOMEM;
	err = xtcp_sysctl_init(net);
	if (err)
		goto mib;
	err = xtcp_proc_init(net);
	if (err)
		goto sysctl;
	err = xtcp_nf_register(net);
	if (err)
		goto proc;
	return 0;
proc:
	xtcp_proc_exit(net);
sysctl:
	xtcp_sysctl_exit(net);
mib:
	free_percpu(xn->mib);
	return err;
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	xtcp_nf_unregister(net);
	/* no segment is in the receive path any more */
	synchronize_net();
	xtcp_tw_purge(net);
	xtcp_proc_exit(net);
	xtcp_sysctl_exit(net);
	/* kernel TCP sockets reserving ports must go before TCP's own exit */
	flush_workqueue(xtcp_wq);
	free_percpu(xtcp_pernet(net)->mib);
}

static struct pernet_operations xtcp_net_ops = {
	.init	= xtcp_net_init,
	.exit	= xtcp_net_exit,
	.id	= &xtcp_net_id,
	.size	= sizeof(struct xtcp_net),
};

static int __init xtcp_init(void)
{
	int err;

	xtcp_isn_init();
	xtcp_cookie_init();
	err = xtcp_req_init();
	if (err)
		return err;
	xtcp_wq = alloc_workqueue("xtcp", 0, 0);
	if (!xtcp_wq) {
		err = -ENOMEM;
		goto req;
	}
	err = xtcp_hash_init();
	if (err)
		goto wq;
	err = proto_register(&xtcp_prot, 1);
	if (err)
		goto hash;
	err = register_pernet_subsys(&xtcp_net_ops);
	if (err)
		goto proto;
	err = sock_register(&xtcp_family_ops);
	if (err) {
		pr_err("address family %d (AF_XTCP) is already registered by another module; XTCP cannot load\n",
		       AF_XTCP);
		goto pernet;
	}
	pr_info("AF_XTCP (family %d) registered\n", AF_XTCP);
	return 0;
pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
proto:
	proto_unregister(&xtcp_prot);
hash:
	xtcp_hash_exit();
wq:
	destroy_workqueue(xtcp_wq);
req:
	xtcp_req_exit();
	return err;
}

static void __exit xtcp_exit(void)
{
	sock_unregister(PF_XTCP);
	unregister_pernet_subsys(&xtcp_net_ops);
	/* sockets are freed after a grace period (SOCK_RCU_FREE) */
	rcu_barrier();
	destroy_workqueue(xtcp_wq);
	proto_unregister(&xtcp_prot);
	xtcp_hash_exit();
	xtcp_req_exit();
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XTCP: TCP from scratch in its own socket family");
MODULE_ALIAS_NETPROTO(PF_XTCP);
