/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XTCP_CONNTRACK_H
#define _XTCP_CONNTRACK_H

#include <linux/skbuff.h>

unsigned int xtcp_ct_confirm(struct sk_buff *skb, unsigned int ihl);

#endif /* _XTCP_CONNTRACK_H */
