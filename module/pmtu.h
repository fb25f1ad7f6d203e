/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XTCP_PMTU_H
#define _XTCP_PMTU_H

#include <linux/types.h>

struct sk_buff;
struct sock;
struct xtcp_sock;

u32 xtcp_mtu_to_mss(const struct xtcp_sock *xs, u32 pmtu);
void xtcp_sync_mss(struct sock *sk, u32 pmtu);
void xtcp_check_pmtu(struct sock *sk);
void xtcp_mtu_reduced(struct sock *sk);
void xtcp_mtup_init(struct sock *sk);
void xtcp_mtu_black_hole(struct sock *sk);
u32 xtcp_mtu_probe_len(struct sock *sk, const struct sk_buff *skb);
int xtcp_mtu_probe_xmit(struct sock *sk, struct sk_buff *skb);
void xtcp_mtu_probe_acked(struct sock *sk);
bool xtcp_mtu_probe_lost(struct sock *sk);

#endif /* _XTCP_PMTU_H */
