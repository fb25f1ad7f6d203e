// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table (keyed by namespace and 4-tuple) and the listener
 * table (keyed by namespace and local port), plus the reservation of local
 * ports in Linux TCP's bind table.
 *
 * Readers walk the chains under RCU and take a reference with
 * refcount_inc_not_zero(); sockets are freed after a grace period
 * (SOCK_RCU_FREE).  Writers take the bucket's spinlock, so the receive path
 * never takes a global lock.
 */
#include <linux/jhash.h>
#include <linux/net.h>
#include <linux/vmalloc.h>
#include <net/netns/hash.h>

#include "xtcp.h"

#define XTCP_EHASH_BITS	16
#define XTCP_LHASH_BITS	8

struct xtcp_bucket {
	spinlock_t		lock;	/* writers of @chain */
	struct hlist_head	chain;
};

static struct xtcp_bucket *xtcp_ehash;
static struct xtcp_bucket *xtcp_twhash;
static struct xtcp_bucket *xtcp_lhash;
static struct xtcp_bucket *xtcp_reqhash;
static u32 xtcp_hash_secret __read_mostly;

/* A 32-bit hash of a 4-tuple: table buckets and the SO_REUSEPORT choice. */
static u32 xtcp_flowhash(const struct net *net, __be32 laddr, __be16 lport,
			 __be32 raddr, __be16 rport)
{
	return jhash_3words((__force u32)laddr, (__force u32)raddr,
			    (__force u32)lport << 16 | (__force u32)rport,
			    xtcp_hash_secret + net_hash_mix(net));
}

static u32 xtcp_ehashfn(const struct net *net, __be32 laddr, __be16 lport,
			__be32 raddr, __be16 rport)
{
	return xtcp_flowhash(net, laddr, lport, raddr, rport) &
	       ((1U << XTCP_EHASH_BITS) - 1);
}

static u32 xtcp_lhashfn(const struct net *net, __be16 lport)
{
	return hash_32((__force u32)lport ^ net_hash_mix(net), XTCP_LHASH_BITS);
}

static struct xtcp_bucket *xtcp_alloc_table(unsigned int bits)
{
	struct xtcp_bucket *t;
	unsigned int i;

	t = kvmalloc_array(1U << bits, sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	for (i = 0; i < 1U << bits; i++) {
		spin_lock_init(&t[i].lock);
		INIT_HLIST_HEAD(&t[i].chain);
	}
	return t;
}

int xtcp_hash_init(void)
{
	xtcp_hash_secret = get_random_u32();
	xtcp_ehash = xtcp_alloc_table(XTCP_EHASH_BITS);
	xtcp_twhash = xtcp_alloc_table(XTCP_EHASH_BITS);
	xtcp_lhash = xtcp_alloc_table(XTCP_LHASH_BITS);
	xtcp_reqhash = xtcp_alloc_table(XTCP_EHASH_BITS);
	if (!xtcp_ehash || !xtcp_twhash || !xtcp_lhash || !xtcp_reqhash) {
		xtcp_hash_exit();
		return -ENOMEM;
	}
	return 0;
}

void xtcp_hash_exit(void)
{
	kvfree(xtcp_ehash);
	kvfree(xtcp_twhash);
	kvfree(xtcp_lhash);
	kvfree(xtcp_reqhash);
	xtcp_reqhash = NULL;
	xtcp_ehash = NULL;
	xtcp_twhash = NULL;
	xtcp_lhash = NULL;
}

static struct xtcp_bucket *xtcp_sk_bucket(struct sock *sk)
{
	if (sk->sk_state == XTCP_LISTEN)
		return &xtcp_lhash[xtcp_lhashfn(sock_net(sk), sk->sk_num ?
				   htons(sk->sk_num) : 0)];
	return &xtcp_ehash[xtcp_ehashfn(sock_net(sk), sk->sk_rcv_saddr,
					htons(sk->sk_num), sk->sk_daddr,
					sk->sk_dport)];
}

/**
 * xtcp_dev_match() - may a socket take a segment from this device?
 * @net: namespace
 * @bound: the socket's SO_BINDTODEVICE index, 0 for none
 * @dif: the device the segment arrived on
 * @sdif: the VRF (L3 master) device above it, 0 for none
 *
 * As Linux's inet_bound_dev_eq(): a bound socket takes only what arrives
 * through its device or its VRF; an unbound one takes what arrives outside
 * any VRF, and what arrives in a VRF only with net.ipv4.tcp_l3mdev_accept.
 */
bool xtcp_dev_match(const struct net *net, int bound, int dif, int sdif)
{
	if (!bound) {
#if IS_ENABLED(CONFIG_NET_L3_MASTER_DEV)
		return !sdif || READ_ONCE(net->ipv4.sysctl_tcp_l3mdev_accept);
#else
		return true;
#endif
	}
	return bound == dif || bound == sdif;
}

static bool xtcp_match(const struct sock *sk, const struct net *net,
		       __be32 laddr, __be16 lport, __be32 raddr, __be16 rport)
{
	return sk->sk_rcv_saddr == laddr && sk->sk_daddr == raddr &&
	       htons(sk->sk_num) == lport && sk->sk_dport == rport &&
	       net_eq(sock_net(sk), net);
}

/**
 * xtcp_ehash_insert() - add a connection to the connection table
 * @sk: socket with its 4-tuple set
 *
 * Return: 0, or -EADDRINUSE if the 4-tuple is already taken, by a
 * connection or by a TIME_WAIT minisock.
 */
int xtcp_ehash_insert(struct sock *sk)
{
	struct xtcp_bucket *b = xtcp_sk_bucket(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_sock *other;
	int err = 0;

	if (xtcp_tw_exists(sock_net(sk), sk->sk_rcv_saddr, htons(sk->sk_num),
			   sk->sk_daddr, sk->sk_dport))
		return -EADDRINUSE;
	spin_lock_bh(&b->lock);
	hlist_for_each_entry(other, &b->chain, hnode) {
		if (xtcp_match(&other->inet.sk, sock_net(sk), sk->sk_rcv_saddr,
			       htons(sk->sk_num), sk->sk_daddr, sk->sk_dport)) {
			err = -EADDRINUSE;
			goto out;
		}
	}
	sock_hold(sk);
	hlist_add_head_rcu(&xs->hnode, &b->chain);
	xs->hashed = true;
	xs->hbucket = b;
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
out:
	spin_unlock_bh(&b->lock);
	return err;
}

/*
 * Two listeners on one address, port and device need SO_REUSEPORT on both
 * and the same owner, as in Linux.  Caller holds @b's lock.
 */
static bool xtcp_lhash_conflict(struct xtcp_bucket *b, struct sock *sk)
{
	struct xtcp_sock *xs;

	hlist_for_each_entry(xs, &b->chain, hnode) {
		struct sock *o = &xs->inet.sk;

		if (o->sk_num != sk->sk_num ||
		    !net_eq(sock_net(o), sock_net(sk)) ||
		    o->sk_rcv_saddr != sk->sk_rcv_saddr ||
		    o->sk_bound_dev_if != sk->sk_bound_dev_if)
			continue;
		if (!o->sk_reuseport || !sk->sk_reuseport ||
		    !uid_eq(sock_i_uid(o), sock_i_uid(sk)))
			return true;
	}
	return false;
}

/**
 * xtcp_lhash_insert() - add a listener to the listener table
 * @sk: socket in LISTEN with its local port set
 *
 * Return: 0, or -EADDRINUSE if another listener holds the same address
 * and port and the two may not share it (SO_REUSEPORT).
 */
int xtcp_lhash_insert(struct sock *sk)
{
	struct xtcp_bucket *b = xtcp_sk_bucket(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);

	spin_lock_bh(&b->lock);
	if (xtcp_lhash_conflict(b, sk)) {
		spin_unlock_bh(&b->lock);
		return -EADDRINUSE;
	}
	sock_hold(sk);
	hlist_add_tail_rcu(&xs->hnode, &b->chain);
	xs->hashed = true;
	xs->hbucket = b;
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	spin_unlock_bh(&b->lock);
	return 0;
}

/**
 * xtcp_unhash() - remove a socket from its table
 * @sk: socket; its state and addresses must be those it was hashed with
 *
 * Drops the table's reference; the caller must hold its own.
 */
void xtcp_unhash(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_bucket *b;

	if (!xs->hashed)
		return;
	b = xs->hbucket;
	spin_lock_bh(&b->lock);
	hlist_del_init_rcu(&xs->hnode);
	xs->hashed = false;
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	spin_unlock_bh(&b->lock);
	__sock_put(sk);
}

/**
 * xtcp_lookup_established() - find the connection of a received segment
 * @net: namespace the segment arrived in
 * @saddr: segment's source address (the peer)
 * @sport: segment's source port
 * @daddr: segment's destination address (local)
 * @dport: segment's destination port
 * @dif: device it arrived on
 * @sdif: VRF device above @dif, or 0
 *
 * Context: RCU read side (softirq).
 * Return: the socket with a reference held, or NULL.
 */
struct sock *xtcp_lookup_established(const struct net *net, __be32 saddr,
				     __be16 sport, __be32 daddr, __be16 dport,
				     int dif, int sdif)
{
	struct xtcp_bucket *b;
	struct xtcp_sock *xs;

	b = &xtcp_ehash[xtcp_ehashfn(net, daddr, dport, saddr, sport)];
	hlist_for_each_entry_rcu(xs, &b->chain, hnode) {
		struct sock *sk = &xs->inet.sk;

		if (xtcp_match(sk, net, daddr, dport, saddr, sport) &&
		    xtcp_dev_match(net, READ_ONCE(sk->sk_bound_dev_if), dif,
				   sdif) &&
		    refcount_inc_not_zero(&sk->sk_refcnt))
			return sk;
	}
	return NULL;
}

/* How well listener @sk matches: 2 bound to @daddr, 1 wildcard, 0 not. */
static unsigned int xtcp_listen_score(const struct sock *sk,
				      const struct net *net, __be32 daddr,
				      __be16 dport, int dif, int sdif)
{
	if (htons(sk->sk_num) != dport || !net_eq(sock_net(sk), net) ||
	    !xtcp_dev_match(net, READ_ONCE(sk->sk_bound_dev_if), dif, sdif))
		return 0;
	if (sk->sk_rcv_saddr == daddr)
		return 2;
	return sk->sk_rcv_saddr == htonl(INADDR_ANY);
}

/**
 * xtcp_lookup_listener() - find the listener for a segment
 * @net: namespace
 * @saddr: the segment's source address (the peer)
 * @sport: its source port
 * @daddr: local address the segment was sent to
 * @dport: local port
 * @dif: device it arrived on
 * @sdif: VRF device above @dif, or 0
 *
 * A listener bound to @daddr wins over one bound to INADDR_ANY.  Among
 * SO_REUSEPORT listeners of the same address and port, a hash of the
 * 4-tuple picks one, so each connection's segments go to the same listener
 * and connections spread evenly.
 *
 * Context: RCU read side (softirq).
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp_lookup_listener(const struct net *net, __be32 saddr,
				  __be16 sport, __be32 daddr, __be16 dport,
				  int dif, int sdif)
{
	unsigned int score = 0, n = 0, i = 0, idx;
	struct sock *best = NULL;
	struct xtcp_bucket *b;
	struct xtcp_sock *xs;

	b = &xtcp_lhash[xtcp_lhashfn(net, dport)];
	hlist_for_each_entry_rcu(xs, &b->chain, hnode) {
		struct sock *sk = &xs->inet.sk;
		unsigned int s = xtcp_listen_score(sk, net, daddr, dport, dif,
						   sdif);

		if (s > score) {
			best = sk;
			score = s;
			n = 1;
		} else if (s && s == score && sk->sk_reuseport) {
			n++;
		}
	}
	if (n > 1 && best->sk_reuseport) {
		idx = reciprocal_scale(xtcp_flowhash(net, daddr, dport, saddr,
						     sport), n);
		hlist_for_each_entry_rcu(xs, &b->chain, hnode) {
			struct sock *sk = &xs->inet.sk;

			if (xtcp_listen_score(sk, net, daddr, dport, dif,
					      sdif) == score &&
			    sk->sk_reuseport && i++ == idx) {
				best = sk;
				break;
			}
		}
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	return best;
}

/**
 * xtcp_req_hash_insert() - add a request sock to the request table
 * @req: request with its 4-tuple set; the table takes over one reference
 *
 * Return: 0, or -EADDRINUSE if a request with the same 4-tuple exists.
 */
int xtcp_req_hash_insert(struct xtcp_request *req)
{
	struct net *net = read_pnet(&req->net);
	struct xtcp_request *other;
	struct xtcp_bucket *b;
	int err = 0;

	b = &xtcp_reqhash[xtcp_ehashfn(net, req->laddr, req->lport,
				       req->raddr, req->rport)];
	spin_lock_bh(&b->lock);
	hlist_for_each_entry(other, &b->chain, hnode) {
		if (other->laddr == req->laddr && other->raddr == req->raddr &&
		    other->lport == req->lport && other->rport == req->rport &&
		    net_eq(read_pnet(&other->net), net)) {
			err = -EADDRINUSE;
			goto out;
		}
	}
	hlist_add_head_rcu(&req->hnode, &b->chain);
	req->hashed = true;
	req->hbucket = b;
out:
	spin_unlock_bh(&b->lock);
	return err;
}

/**
 * xtcp_req_unhash() - remove a request sock from the request table
 * @req: request; the table's reference stays with the caller
 */
void xtcp_req_unhash(struct xtcp_request *req)
{
	struct xtcp_bucket *b = req->hbucket;

	spin_lock_bh(&b->lock);
	if (req->hashed) {
		hlist_del_init_rcu(&req->hnode);
		req->hashed = false;
	}
	spin_unlock_bh(&b->lock);
}

/**
 * xtcp_lookup_req() - find the request sock of a received segment
 * @net: namespace
 * @saddr: segment's source address (the peer)
 * @sport: segment's source port
 * @daddr: segment's destination address (local)
 * @dport: segment's destination port
 * @dif: device it arrived on
 * @sdif: VRF device above @dif, or 0
 *
 * Context: RCU read side.
 * Return: the request with a reference held, or NULL.
 */
struct xtcp_request *xtcp_lookup_req(const struct net *net, __be32 saddr,
				     __be16 sport, __be32 daddr, __be16 dport,
				     int dif, int sdif)
{
	struct xtcp_request *req;
	struct xtcp_bucket *b;

	b = &xtcp_reqhash[xtcp_ehashfn(net, daddr, dport, saddr, sport)];
	hlist_for_each_entry_rcu(req, &b->chain, hnode) {
		if (req->laddr == daddr && req->raddr == saddr &&
		    req->lport == dport && req->rport == sport &&
		    net_eq(read_pnet(&req->net), net) &&
		    xtcp_dev_match(net, req->bound_dev_if, dif, sdif) &&
		    refcount_inc_not_zero(&req->refcnt))
			return req;
	}
	return NULL;
}

/**
 * xtcp_walk_reqs() - call @fn on every request sock of a namespace
 * @net: namespace
 * @fn: callback, called under RCU
 * @w: its state
 */
void xtcp_walk_reqs(const struct net *net,
		    void (*fn)(struct xtcp_request *req, struct xtcp_walk *w),
		    struct xtcp_walk *w)
{
	struct xtcp_request *req;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < 1U << XTCP_EHASH_BITS; i++) {
		hlist_for_each_entry_rcu(req, &xtcp_reqhash[i].chain, hnode) {
			if (net_eq(read_pnet(&req->net), net))
				fn(req, w);
		}
	}
	rcu_read_unlock();
}

static bool xtcp_tw_match(const struct xtcp_tw *tw, const struct net *net,
			  __be32 laddr, __be16 lport, __be32 raddr,
			  __be16 rport)
{
	return tw->laddr == laddr && tw->raddr == raddr &&
	       tw->lport == lport && tw->rport == rport &&
	       net_eq(read_pnet(&tw->net), net);
}

/**
 * xtcp_tw_hash_insert() - add a TIME_WAIT minisock to its table
 * @tw: minisock with its 4-tuple set; the table takes over one reference
 */
void xtcp_tw_hash_insert(struct xtcp_tw *tw)
{
	struct xtcp_bucket *b;

	b = &xtcp_twhash[xtcp_ehashfn(read_pnet(&tw->net), tw->laddr,
				      tw->lport, tw->raddr, tw->rport)];
	spin_lock_bh(&b->lock);
	hlist_add_head_rcu(&tw->hnode, &b->chain);
	tw->hashed = true;
	tw->hbucket = b;
	spin_unlock_bh(&b->lock);
}

/**
 * xtcp_tw_unhash() - remove a TIME_WAIT minisock from its table
 * @tw: minisock; the table's reference is dropped
 */
void xtcp_tw_unhash(struct xtcp_tw *tw)
{
	struct xtcp_bucket *b = tw->hbucket;
	bool was_hashed;

	spin_lock_bh(&b->lock);
	was_hashed = tw->hashed;
	if (was_hashed) {
		hlist_del_init_rcu(&tw->hnode);
		tw->hashed = false;
	}
	spin_unlock_bh(&b->lock);
	if (was_hashed)
		xtcp_tw_put(tw);
}

/**
 * xtcp_lookup_tw() - find the TIME_WAIT minisock of a received segment
 * @net: namespace
 * @saddr: segment's source address (the peer)
 * @sport: segment's source port
 * @daddr: segment's destination address (local)
 * @dport: segment's destination port
 * @dif: device it arrived on, or -1 for any device
 * @sdif: VRF device above @dif, or 0
 *
 * Context: RCU read side.
 * Return: the minisock with a reference held, or NULL.
 */
struct xtcp_tw *xtcp_lookup_tw(const struct net *net, __be32 saddr,
			       __be16 sport, __be32 daddr, __be16 dport,
			       int dif, int sdif)
{
	struct xtcp_bucket *b;
	struct xtcp_tw *tw;

	b = &xtcp_twhash[xtcp_ehashfn(net, daddr, dport, saddr, sport)];
	hlist_for_each_entry_rcu(tw, &b->chain, hnode) {
		if (xtcp_tw_match(tw, net, daddr, dport, saddr, sport) &&
		    (dif < 0 || xtcp_dev_match(net, tw->bound_dev_if, dif,
						sdif)) &&
		    refcount_inc_not_zero(&tw->refcnt))
			return tw;
	}
	return NULL;
}

/**
 * xtcp_tw_exists() - is a 4-tuple in TIME_WAIT?
 * @net: namespace
 * @laddr: local address
 * @lport: local port
 * @raddr: remote address
 * @rport: remote port
 *
 * Return: true if a TIME_WAIT minisock holds the 4-tuple.
 */
bool xtcp_tw_exists(const struct net *net, __be32 laddr, __be16 lport,
		    __be32 raddr, __be16 rport)
{
	struct xtcp_tw *tw;

	rcu_read_lock();
	tw = xtcp_lookup_tw(net, raddr, rport, laddr, lport, -1, 0);
	rcu_read_unlock();
	if (!tw)
		return false;
	xtcp_tw_put(tw);
	return true;
}

/**
 * xtcp_walk_tw() - call @fn on every TIME_WAIT minisock of a namespace
 * @net: namespace
 * @fn: callback, called under RCU
 * @w: its state
 */
void xtcp_walk_tw(const struct net *net,
		  void (*fn)(struct xtcp_tw *tw, struct xtcp_walk *w),
		  struct xtcp_walk *w)
{
	struct xtcp_tw *tw;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < 1U << XTCP_EHASH_BITS; i++) {
		hlist_for_each_entry_rcu(tw, &xtcp_twhash[i].chain, hnode) {
			if (net_eq(read_pnet(&tw->net), net))
				fn(tw, w);
		}
	}
	rcu_read_unlock();
}

/**
 * xtcp_tw_next() - a TIME_WAIT minisock of a namespace, for purging
 * @net: namespace
 * @pos: bucket to start at (0 the first time); updated
 *
 * Return: a minisock with a reference held, or NULL if no bucket from @pos
 * on holds one.
 */
struct xtcp_tw *xtcp_tw_next(const struct net *net, unsigned int *pos)
{
	struct xtcp_tw *tw;
	unsigned int i;

	rcu_read_lock();
	for (i = *pos; i < 1U << XTCP_EHASH_BITS; i++) {
		*pos = i;
		hlist_for_each_entry_rcu(tw, &xtcp_twhash[i].chain, hnode) {
			if (net_eq(read_pnet(&tw->net), net) &&
			    refcount_inc_not_zero(&tw->refcnt)) {
				rcu_read_unlock();
				return tw;
			}
		}
	}
	rcu_read_unlock();
	return NULL;
}

static void xtcp_walk_table(struct xtcp_bucket *t, unsigned int bits,
			    const struct net *net, struct xtcp_walk *w)
{
	struct xtcp_sock *xs;
	unsigned int i;

	for (i = 0; i < 1U << bits; i++) {
		hlist_for_each_entry_rcu(xs, &t[i].chain, hnode) {
			if (net_eq(sock_net(&xs->inet.sk), net))
				w->fn(&xs->inet.sk, w);
		}
	}
}

/**
 * xtcp_walk_socks() - call w->fn on every hashed socket of a namespace
 * @net: namespace
 * @w: the callback, called under RCU with no socket lock held, and its
 *     state; w->fn gets @w back
 */
void xtcp_walk_socks(const struct net *net, struct xtcp_walk *w)
{
	rcu_read_lock();
	xtcp_walk_table(xtcp_lhash, XTCP_LHASH_BITS, net, w);
	xtcp_walk_table(xtcp_ehash, XTCP_EHASH_BITS, net, w);
	rcu_read_unlock();
}

/**
 * xtcp_port_reserve() - reserve a local address and port
 * @sk: XTCP socket, locked by the user (process context)
 * @addr: local address, or INADDR_ANY
 * @port: port, or 0 to let Linux choose an ephemeral one
 *
 * Binds a kernel TCP socket to the same address and port, so Linux TCP's
 * own conflict rules (including SO_REUSEADDR) decide, and neither stack
 * can take a port the other holds.
 *
 * Return: 0 with sk->sk_num set, or a negative errno (-EADDRINUSE,
 * -EADDRNOTAVAIL, -EACCES, ...).
 */
int xtcp_port_reserve(struct sock *sk, __be32 addr, __be16 port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = addr,
		.sin_port = port,
	};
	struct xtcp_port *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	refcount_set(&p->refcnt, 1);
	err = sock_create_kern(sock_net(sk), AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &p->sock);
	if (err)
		goto free;
	if (sk->sk_reuse)
		sock_set_reuseaddr(p->sock->sk);
	/* SO_REUSEPORT shares a port between sockets of one owner */
	p->sock->sk->sk_reuseport = sk->sk_reuseport;
	if (sk->sk_socket)
		SOCK_INODE(p->sock)->i_uid = sock_i_uid(sk);
	p->sock->sk->sk_bound_dev_if = sk->sk_bound_dev_if;
	err = kernel_bind(p->sock, (struct sockaddr *)&sin, sizeof(sin));
	if (err)
		goto release;
	err = kernel_getsockname(p->sock, (struct sockaddr *)&sin);
	if (err < 0)
		goto release;
	xtcp_sk(sk)->port = p;
	sk->sk_num = ntohs(sin.sin_port);
	sk->sk_rcv_saddr = addr;
	inet_sk(sk)->inet_saddr = addr;
	inet_sk(sk)->inet_sport = sin.sin_port;
	return 0;
release:
	sock_release(p->sock);
free:
	kfree(p);
	return err;
}

static void xtcp_port_release_work(struct work_struct *work)
{
	struct xtcp_port *p = container_of(work, struct xtcp_port, work);

	sock_release(p->sock);
	kfree(p);
}

/**
 * xtcp_port_get() - share a port reservation
 * @p: reservation, or NULL
 *
 * A listener's children and every TIME_WAIT minisock hold the reservation
 * of the socket they came from, so the port stays in use for Linux TCP and
 * XTCP alike until the last of them goes.
 *
 * Return: @p.
 */
struct xtcp_port *xtcp_port_get(struct xtcp_port *p)
{
	if (p)
		refcount_inc(&p->refcnt);
	return p;
}

/**
 * xtcp_port_put() - drop a reference to a port reservation
 * @p: reservation, or NULL; any context
 *
 * The kernel socket is released from process context on xtcp_wq, which
 * namespace exit and module unload drain.
 */
void xtcp_port_put(struct xtcp_port *p)
{
	if (!p || !refcount_dec_and_test(&p->refcnt))
		return;
	INIT_WORK(&p->work, xtcp_port_release_work);
	queue_work(xtcp_wq, &p->work);
}

/**
 * xtcp_port_put_sync() - drop a reference, releasing the port at once
 * @p: reservation, or NULL
 *
 * Context: process context, no spinlock held, so that a close() followed by
 * a bind() of the same port in the same process succeeds.
 */
void xtcp_port_put_sync(struct xtcp_port *p)
{
	if (!p || !refcount_dec_and_test(&p->refcnt))
		return;
	sock_release(p->sock);
	kfree(p);
}

/**
 * xtcp_port_release() - give back a socket's port reservation
 * @sk: socket; any context
 */
void xtcp_port_release(struct sock *sk)
{
	struct xtcp_port *p = xtcp_sk(sk)->port;

	xtcp_sk(sk)->port = NULL;
	xtcp_port_put(p);
}
