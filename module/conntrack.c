// SPDX-License-Identifier: GPL-2.0
/*
 * Conntrack and NAT for XTCP's flows.
 *
 * Linux confirms the conntrack entry of a new flow in the last LOCAL_IN
 * hook (NF_IP_PRI_CONNTRACK_CONFIRM), once every rule has accepted the
 * packet.  XTCP takes its segments in the hook just before that one
 * (module/netfilter.c), so it confirms them itself, as that hook would
 * have: otherwise a flow's entry dies with its first segment, the replies
 * are never translated back (REDIRECT, DNAT), and "ct state established"
 * never matches them (stateful firewalls).
 *
 * nf_conntrack is not a dependency of XTCP: where no rule uses conntrack it
 * stays unloaded and packets carry no entry.  A packet that carries an
 * unconfirmed entry proves that nf_conntrack is loaded; XTCP then takes a
 * reference on it (symbol_get()) for as long as the confirmation takes.
 * That happens once per flow, for its first segment.
 *
 * Conntrack helpers (the FTP or SIP ALGs) see XTCP's incoming segments only
 * through this confirmation, that is for the first segment of a flow.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "conntrack.h"

/**
 * xtcp_ct_confirm() - confirm the conntrack entry of a segment XTCP takes
 * @skb: the segment, at LOCAL_IN, skb->data at its IP header
 * @ihl: its IP header length
 * @state: the hook's state
 *
 * Return: NF_ACCEPT, or NF_DROP if conntrack refuses the entry (a clash
 * with another entry, or the table is full): the segment must be dropped,
 * as Linux's own confirmation hook would drop it.
 */
unsigned int xtcp_ct_confirm(struct sk_buff *skb, unsigned int ihl,
			     const struct nf_hook_state *state)
{
	typeof(nf_confirm) *confirm;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	unsigned int ret;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	confirm = symbol_get(nf_confirm);
	if (!confirm)
		return NF_ACCEPT;	/* not loaded: the entry cannot be live */
	ret = xtcp_call_nf_confirm(confirm, skb, skb_network_offset(skb) + ihl,
				   ct, ctinfo, state);
	symbol_put(nf_confirm);
	return ret;
}
