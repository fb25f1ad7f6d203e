// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control: the window arithmetic of NewReno (RFC 5681, RFC 6582)
 * and CUBIC (RFC 9438), and the registry that picks one per socket.
 *
 * Everything here works on a struct xtcp_cc alone, with the clock passed in,
 * so it has no locking of its own (the caller holds the socket lock) and the
 * KUnit suite can drive it directly.  The windows count segments of the
 * sender's MSS, as Linux's snd_cwnd does.  Loss detection and recovery
 * (which segments to resend, when recovery ends) live in module/recovery.c;
 * this file only answers "how large may the window be".
 */
#include <linux/math64.h>
#include <linux/string.h>

#include "xtcp.h"

/**
 * xtcp_cc_init() - a fresh window (RFC 6928 initial window, RFC 5681 ssthresh)
 * @cc: state to set
 *
 * cwnd starts at XTCP_INIT_CWND (10 segments, as Linux) and ssthresh
 * "arbitrarily high" (RFC 5681 3.1), so a new connection slow-starts.
 */
void xtcp_cc_init(struct xtcp_cc *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->cwnd = XTCP_INIT_CWND;
	cc->ssthresh = XTCP_INFINITE_SSTHRESH;
}

XTCP_EXPORT_FOR_TEST(xtcp_cc_init);

/**
 * xtcp_slow_start() - RFC 5681 3.1 slow start
 * @cc: state
 * @acked: segments newly acknowledged
 *
 * cwnd grows by the number of segments acknowledged (RFC 3465 byte
 * counting, with no limit L as Linux), but not past ssthresh.
 *
 * Return: the acknowledged segments left over for congestion avoidance.
 */
u32 xtcp_slow_start(struct xtcp_cc *cc, u32 acked)
{
	u32 cwnd = min(cc->cwnd + acked, cc->ssthresh);

	acked -= cwnd - cc->cwnd;
	cc->cwnd = min_t(u32, cwnd, XTCP_MAX_CWND);
	return acked;
}

XTCP_EXPORT_FOR_TEST(xtcp_slow_start);

/* cwnd += 1 for every @w segments acknowledged. */
static void xtcp_cong_avoid_ai(struct xtcp_cc *cc, u32 w, u32 acked)
{
	if (cc->cwnd_cnt >= w) {
		cc->cwnd_cnt = 0;
		cc->cwnd++;
	}
	cc->cwnd_cnt += acked;
	if (cc->cwnd_cnt >= w) {
		u32 delta = cc->cwnd_cnt / w;

		cc->cwnd_cnt -= delta * w;
		cc->cwnd += delta;
	}
	cc->cwnd = min_t(u32, cc->cwnd, XTCP_MAX_CWND);
}

static void newreno_init(struct xtcp_cc *cc)
{
}

/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS), with cwnd. */
static u32 newreno_ssthresh(struct xtcp_cc *cc)
{
	return max(cc->cwnd >> 1, 2U);
}

/* Slow start below ssthresh, then one segment per window of ACKs. */
static void newreno_cong_avoid(struct xtcp_cc *cc, u32 acked, u32 now_ms,
			       u32 srtt_us)
{
	if (cc->cwnd < cc->ssthresh) {
		acked = xtcp_slow_start(cc, acked);
		if (!acked)
			return;
	}
	xtcp_cong_avoid_ai(cc, cc->cwnd, acked);
}

static void newreno_on_loss(struct xtcp_cc *cc)
{
}

const struct xtcp_cong_ops xtcp_newreno = {
	.name		= "reno",	/* Linux's name for its NewReno */
	.init		= newreno_init,
	.ssthresh	= newreno_ssthresh,
	.cong_avoid	= newreno_cong_avoid,
	.on_rto		= newreno_on_loss,
};

XTCP_EXPORT_FOR_TEST(xtcp_newreno);

/*
 * CUBIC, RFC 9438.  W_cubic(t) = C (t - K)^3 + W_max with C = 0.4 segments
 * per second cubed, beta_cubic = 0.7, and K = cbrt(W_max (1 - beta) / C):
 * the time after a reduction at which the window is back at W_max.  Time
 * here is in milliseconds, so C (t - K)^3 = 0.4 dt^3 / 10^9 segments.
 */
#define CUBIC_BETA_SCALE	1024
#define CUBIC_BETA		717	/* 0.7 * 1024, as Linux */
#define CUBIC_MAX_DT_MS		BIT(20)	/* (2^20)^3 * 4 fits a u64 */

/**
 * xtcp_cbrt() - integer cube root
 * @x: value
 *
 * Return: the largest r with r^3 <= @x.
 */
u32 xtcp_cbrt(u64 x)
{
	u32 lo = 0, hi = 2642245;	/* 2642245^3 < 2^64 < 2642246^3 */

	while (lo < hi) {
		u32 mid = lo + (hi - lo + 1) / 2;

		if ((u64)mid * mid * mid <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

XTCP_EXPORT_FOR_TEST(xtcp_cbrt);

static void cubic_init(struct xtcp_cc *cc)
{
	cc->w_max = 0;
	cc->epoch_start = 0;
}

/*
 * RFC 9438 4.6 and 4.7: on congestion, remember the window (W_max), less
 * with fast convergence when it shrank since the last time, and cut to
 * beta_cubic times it.
 */
static u32 cubic_ssthresh(struct xtcp_cc *cc)
{
	cc->epoch_start = 0;
	if (cc->cwnd < cc->w_max)
		cc->w_max = cc->cwnd * (CUBIC_BETA_SCALE + CUBIC_BETA) /
			    (2 * CUBIC_BETA_SCALE);
	else
		cc->w_max = cc->cwnd;
	return max(cc->cwnd * CUBIC_BETA / CUBIC_BETA_SCALE, 2U);
}

/**
 * xtcp_cubic_target() - W_cubic(t) of RFC 9438 (4.2)
 * @origin: W_max of the epoch (or cwnd at its start when above W_max)
 * @k_ms: K in milliseconds
 * @t_ms: time since the epoch started, plus one RTT, in milliseconds
 *
 * Return: the window the cubic function gives, in segments (at least 1).
 */
u32 xtcp_cubic_target(u32 origin, u32 k_ms, u32 t_ms)
{
	u32 dt = t_ms > k_ms ? t_ms - k_ms : k_ms - t_ms;
	u64 offs;

	dt = min(dt, CUBIC_MAX_DT_MS);
	offs = div64_u64(4ULL * dt * dt * dt, 10000000000ULL);
	if (t_ms >= k_ms)
		return min_t(u64, (u64)origin + offs, XTCP_MAX_CWND);
	return offs >= origin ? 1 : origin - offs;
}

XTCP_EXPORT_FOR_TEST(xtcp_cubic_target);

/*
 * RFC 9438 4.2 to 4.4: in congestion avoidance the window follows
 * W_cubic(t + RTT), but never grows slower than the Reno-friendly estimate
 * W_est (alpha_cubic = 3 (1 - beta) / (1 + beta), about 0.53 segment per
 * RTT), and never by more than half a window per RTT (4.4).
 */
static void cubic_cong_avoid(struct xtcp_cc *cc, u32 acked, u32 now_ms,
			     u32 srtt_us)
{
	u32 target, w;

	if (cc->cwnd < cc->ssthresh) {
		acked = xtcp_slow_start(cc, acked);
		if (!acked)
			return;
	}
	if (!cc->epoch_start) {
		cc->epoch_start = now_ms ? : 1;
		cc->w_est = cc->cwnd;
		cc->w_est_cnt = 0;
		if (cc->cwnd < cc->w_max) {
			/* K = cbrt((W_max - cwnd) / C), in ms */
			cc->k_ms = xtcp_cbrt((u64)(cc->w_max - cc->cwnd) *
					     2500000000ULL);
			cc->origin = cc->w_max;
		} else {
			cc->k_ms = 0;
			cc->origin = cc->cwnd;
		}
	}
	target = xtcp_cubic_target(cc->origin, cc->k_ms,
				   now_ms - cc->epoch_start + srtt_us / 1000);

	/* Reno-friendly region: W_est += alpha * acked / cwnd (4.3) */
	cc->w_est_cnt += acked * 542;	/* alpha_cubic * 1024 */
	while (cc->w_est_cnt >= cc->cwnd * 1024U) {
		cc->w_est_cnt -= cc->cwnd * 1024U;
		cc->w_est++;
	}
	if (cc->w_est > target)
		target = cc->w_est;

	target = min(target, cc->cwnd + cc->cwnd / 2);
	if (target > cc->cwnd)
		w = cc->cwnd / (target - cc->cwnd);	/* ACKs per +1 */
	else
		w = 100 * cc->cwnd;	/* at the plateau: barely grow */
	xtcp_cong_avoid_ai(cc, max(w, 1U), acked);
}

static void cubic_on_rto(struct xtcp_cc *cc)
{
	cc->epoch_start = 0;
}

const struct xtcp_cong_ops xtcp_cubic = {
	.name		= "cubic",
	.init		= cubic_init,
	.ssthresh	= cubic_ssthresh,
	.cong_avoid	= cubic_cong_avoid,
	.on_rto		= cubic_on_rto,
};

XTCP_EXPORT_FOR_TEST(xtcp_cubic);

static const struct xtcp_cong_ops *const xtcp_cong_list[] = {
	&xtcp_cubic,
	&xtcp_newreno,
};

/**
 * xtcp_cong_find() - look an algorithm up by name
 * @name: "cubic", or "reno" (Linux's name for its NewReno) or "newreno"
 *
 * Return: the algorithm, or NULL.
 */
const struct xtcp_cong_ops *xtcp_cong_find(const char *name)
{
	unsigned int i;

	if (!strcmp(name, "newreno"))
		return &xtcp_newreno;
	for (i = 0; i < ARRAY_SIZE(xtcp_cong_list); i++)
		if (!strcmp(name, xtcp_cong_list[i]->name))
			return xtcp_cong_list[i];
	return NULL;
}

XTCP_EXPORT_FOR_TEST(xtcp_cong_find);

/**
 * xtcp_cong_available() - the names of the algorithms, for sysctl and docs
 * @buf: destination
 * @len: its size
 */
void xtcp_cong_available(char *buf, size_t len)
{
	unsigned int i;
	size_t n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(xtcp_cong_list) && n < len; i++)
		n += scnprintf(buf + n, len - n, "%s%s", i ? " " : "",
			       xtcp_cong_list[i]->name);
}
