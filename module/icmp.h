/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XTCP_ICMP_H
#define _XTCP_ICMP_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

struct msghdr;
struct sock;

bool xtcp_icmp_rcv(struct net *net, struct sk_buff *skb);
int xtcp_recv_error(struct sock *sk, struct msghdr *msg, int len,
		    int *addr_len);

#endif /* _XTCP_ICMP_H */
