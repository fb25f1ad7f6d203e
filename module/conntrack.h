/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XTCP_CONNTRACK_H
#define _XTCP_CONNTRACK_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

unsigned int xtcp_ct_confirm(struct sk_buff *skb, unsigned int ihl,
			     const struct nf_hook_state *state);

#endif /* _XTCP_CONNTRACK_H */
