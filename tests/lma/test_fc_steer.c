/* test_fc_steer.c: the steering modes of the flow classifier (lma/fc_steer.c): priority with
 * fail-back after the hold-down (and not before, and never with fail-back off), active-standby
 * switching on failure only, load-balance's split (3:1 over 10,000 flows), its determinism and
 * its minimal moves when a binding goes and comes back (of two and of three), bicast's pair;
 * each mode through fc_decide() for new and placed flows; the policies' grammar as words (modes,
 * weights, options, every refusal) and on the control socket (the record's new end, and a
 * version 1 record read as a policy to one target); smallest-delay's choice by RTT, its
 * hysteresis in % and in ms, new flows joining the policy's others, the hold-down of a binding
 * that comes back; load-balance by bytes correcting the imbalance with placed flows staying,
 * and flows of unequal sizes ending with bytes near the weights. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/fc.h"
#include "lma/fc_wire.h"
#include "lma/fc_words.h"
#include "tests/check_main.h"

#define MS      1000000ull
#define S       (1000 * MS)
#define T0      (100 * S) /* the bindings came up then */
#define HOLD_MS 5000u
#define NOW     (T0 + 60 * S) /* the bindings are settled */

enum { WLAN, CELL, WIRED, N_B };

/* WLAN (att 4), 3GPP (att 3), wired (att 1), all up since T0. */
static struct fc_binding all[N_B];

static void setup(void)
{
	static const uint8_t atts[N_B] = { 4, 3, 1 };

	memset(all, 0, sizeof(all));
	for (unsigned i = 0; i < N_B; i++) {
		all[i].id = 10 + i;
		all[i].att = atts[i];
		all[i].mark = 1001 + i;
		all[i].up_since_ns = T0;
		all[i].mag.s6_addr[15] = (uint8_t)(i + 1);
	}
	all[WLAN].owns_dst = true;
}

/* A UDP flow toward the MN, told apart by its source port. */
static struct fc_tuple flow_n(unsigned n)
{
	struct fc_tuple t = { .proto = 17, .dport = 5001 };

	inet_pton(AF_INET6, "2001:db8:c::1", &t.src);
	inet_pton(AF_INET6, "2001:db8:100::5", &t.dst);
	t.src.s6_addr[13] = (uint8_t)(n >> 16);
	t.sport = (uint16_t)n;
	return t;
}

/* A policy of this mode over the bindings listed by index (-1 ends), weights w (or NULL). */
static uint32_t add_mode(struct fc *fc, enum fc_mode mode, const int *which, const uint16_t *w)
{
	struct fc_policy p;

	fc_policy_init(&p);
	p.mode = mode;
	p.hold_down_ms = HOLD_MS;
	p.n_targets = 0;
	for (unsigned i = 0; which[i] >= 0; i++) {
		p.targets[i].kind = FC_TARGET_ATT;
		p.targets[i].att = all[which[i]].att;
		p.targets[i].weight = w ? w[i] : 0;
		p.n_targets++;
	}
	return fc_policy_add(fc, &p, 0);
}

/* The bindings present, by index. */
static size_t present(struct fc_binding *out, const int *which)
{
	size_t n = 0;

	for (unsigned i = 0; which[i] >= 0; i++)
		out[n++] = all[which[i]];
	return n;
}

/* A flow placed as fc_decide() put it. */
static struct fc_flow placed(const struct fc_decision *d)
{
	struct fc_flow f = { .binding_id = d->to->id, .policy_id = d->policy_id };

	return f;
}

/* --- priority --- */

START_TEST(priority_prefers_the_first_present)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(1);
	struct fc_decision d;
	uint32_t id = add_mode(fc, FC_MODE_PRIORITY, (int[]){ CELL, WLAN, -1 }, NULL);

	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, CELL, -1 }), NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_uint_eq(d.policy_id, id);
	ck_assert_int_eq(d.mode, FC_MODE_PRIORITY);
	ck_assert_int_eq(d.why, FC_WHY_PREFERRED);
	ck_assert_ptr_null(d.also);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, -1 }), NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_FAILOVER);
	/* neither present: the policy is passed over, the default decides */
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WIRED, -1 }), NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[WIRED].id);
	ck_assert_uint_eq(d.policy_id, 0);
	ck_assert_int_eq(d.why, FC_WHY_DEFAULT);
	fc_free(fc);
}
END_TEST

/* The preferred binding comes back at T1: its flows return at T1 + hold-down, not before. */
START_TEST(priority_fails_back_after_the_hold_down)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(2);
	struct fc_decision d;
	struct fc_flow f;
	const uint64_t t1 = T0 + 60 * S;
	size_t n;

	add_mode(fc, FC_MODE_PRIORITY, (int[]){ CELL, WLAN, -1 }, NULL);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, -1 }), NULL, T0, &d);
	f = placed(&d); /* on WLAN: CELL was down */
	n = present(c, (int[]){ WLAN, CELL, -1 });
	c[1].up_since_ns = t1;
	fc_decide(fc, &t, NULL, c, n, &f, t1, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_HOLD_DOWN);
	ck_assert_uint_eq(d.due_ns, t1 + HOLD_MS * MS);
	fc_decide(fc, &t, NULL, c, n, &f, t1 + HOLD_MS * MS - 1, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	fc_decide(fc, &t, NULL, c, n, &f, t1 + HOLD_MS * MS, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_FAILED_BACK);
	ck_assert_uint_eq(d.due_ns, 0);
	/* decided again there (a refresh): it stays, and still says it failed back */
	f = placed(&d);
	f.why = FC_WHY_FAILED_BACK;
	fc_decide(fc, &t, NULL, c, n, &f, t1 + 10 * S, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_FAILED_BACK);
	/* a new flow goes to the preferred binding at once: it has nothing to fail back from */
	fc_decide(fc, &t, NULL, c, n, NULL, t1, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	fc_free(fc);
}
END_TEST

START_TEST(priority_without_fail_back_stays)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(3);
	struct fc_policy p;
	struct fc_decision d;
	struct fc_flow f;
	size_t n;

	fc_policy_init(&p);
	p.n_targets = 2;
	p.targets[0].kind = p.targets[1].kind = FC_TARGET_ATT;
	p.targets[0].att = all[CELL].att;
	p.targets[1].att = all[WLAN].att;
	p.fail_back = false;
	ck_assert_uint_ne(fc_policy_add(fc, &p, 0), 0);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, -1 }), NULL, T0, &d);
	f = placed(&d);
	n = present(c, (int[]){ WLAN, CELL, -1 });
	fc_decide(fc, &t, NULL, c, n, &f, T0 + 3600 * S, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_NO_FAIL_BACK);
	ck_assert_uint_eq(d.due_ns, 0);
	fc_free(fc);
}
END_TEST

/* Three ranks: back to the second once it has settled while the first still waits; the due
 * time then is the first's. */
START_TEST(priority_three_ranks)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(4);
	struct fc_decision d;
	struct fc_flow f;
	size_t n;

	add_mode(fc, FC_MODE_PRIORITY, (int[]){ WIRED, CELL, WLAN, -1 }, NULL);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, -1 }), NULL, T0, &d);
	f = placed(&d);
	n = present(c, (int[]){ WLAN, CELL, WIRED, -1 });
	c[1].up_since_ns = T0;          /* CELL settled */
	c[2].up_since_ns = T0 + 10 * S; /* WIRED just back */
	fc_decide(fc, &t, NULL, c, n, &f, T0 + 10 * S, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_FAILED_BACK);
	ck_assert_uint_eq(d.due_ns, T0 + 10 * S + HOLD_MS * MS);
	fc_free(fc);
}
END_TEST

/* --- active-standby --- */

START_TEST(active_standby_switches_on_failure_only)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(5);
	struct fc_decision d;
	struct fc_flow f;
	size_t n;

	add_mode(fc, FC_MODE_ACTIVE_STANDBY, (int[]){ WLAN, CELL, -1 }, NULL);
	/* the standby appearing moves nothing */
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, -1 }), NULL, T0, &d);
	f = placed(&d);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, CELL, -1 }), &f, T0 + S, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_PREFERRED);
	/* the active fails: to the standby */
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ CELL, -1 }), NULL, T0 + 2 * S, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_FAILOVER);
	f = placed(&d);
	/* it recovers: back after the hold-down only */
	n = present(c, (int[]){ CELL, WLAN, -1 });
	c[1].up_since_ns = T0 + 3 * S;
	fc_decide(fc, &t, NULL, c, n, &f, T0 + 3 * S, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_HOLD_DOWN);
	fc_decide(fc, &t, NULL, c, n, &f, T0 + 3 * S + HOLD_MS * MS, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	fc_free(fc);
}
END_TEST

/* --- load-balance --- */

#define LB_FLOWS 10000

START_TEST(load_balance_splits_by_weight)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	size_t n = present(c, (int[]){ WLAN, CELL, -1 });
	unsigned on_wlan = 0;

	add_mode(fc, FC_MODE_LOAD_BALANCE, (int[]){ WLAN, CELL, -1 }, (uint16_t[]){ 3, 1 });
	for (unsigned i = 0; i < LB_FLOWS; i++) {
		struct fc_tuple t = flow_n(i);
		struct fc_decision d, again;

		fc_decide(fc, &t, NULL, c, n, NULL, T0, &d);
		fc_decide(fc, &t, NULL, c, n, NULL, T0 + S, &again);
		ck_assert_ptr_eq(d.to, again.to); /* deterministic */
		ck_assert_int_eq(d.why, FC_WHY_HASH);
		on_wlan += d.to->id == all[WLAN].id;
	}
	/* 75 % +- 2 % (the binomial's standard deviation is 0.43 %) */
	ck_assert_uint_ge(on_wlan, LB_FLOWS * 73 / 100);
	ck_assert_uint_le(on_wlan, LB_FLOWS * 77 / 100);
	fc_free(fc);
}
END_TEST

/* Of three, one goes: only its flows move; it comes back: exactly those return, after the
 * hold-down, and no other flow moves. */
START_TEST(load_balance_moves_only_what_must)
{
	struct fc *fc = fc_new();
	struct fc_binding c3[N_B], c2[N_B];
	size_t n3 = present(c3, (int[]){ WLAN, CELL, WIRED, -1 });
	size_t n2 = present(c2, (int[]){ WLAN, WIRED, -1 });
	const uint64_t back = T0 + 100 * S;
	unsigned moved_away = 0;

	add_mode(fc, FC_MODE_LOAD_BALANCE, (int[]){ WLAN, CELL, WIRED, -1 },
	         (uint16_t[]){ 2, 1, 1 });
	c3[1].up_since_ns = back;
	for (unsigned i = 0; i < 3000; i++) {
		struct fc_tuple t = flow_n(i);
		struct fc_decision before, gone, early, late;
		struct fc_flow f;

		fc_decide(fc, &t, NULL, c3, n3, NULL, T0, &before);
		f = placed(&before);
		fc_decide(fc, &t, NULL, c2, n2, before.to->id == all[CELL].id ? NULL : &f, T0,
		          &gone);
		if (before.to->id != all[CELL].id) {
			ck_assert_uint_eq(gone.to->id, before.to->id); /* not CELL's: stays */
			continue;
		}
		moved_away++;
		f = placed(&gone);
		fc_decide(fc, &t, NULL, c3, n3, &f, back + HOLD_MS * MS - 1, &early);
		ck_assert_uint_eq(early.to->id, gone.to->id);
		ck_assert_int_eq(early.why, FC_WHY_HOLD_DOWN);
		ck_assert_uint_eq(early.due_ns, back + HOLD_MS * MS);
		fc_decide(fc, &t, NULL, c3, n3, &f, back + HOLD_MS * MS, &late);
		ck_assert_uint_eq(late.to->id, all[CELL].id);
		ck_assert_int_eq(late.why, FC_WHY_FAILED_BACK);
	}
	ck_assert_uint_gt(moved_away, 600); /* about a quarter */
	ck_assert_uint_lt(moved_away, 900);
	fc_free(fc);
}
END_TEST

START_TEST(hash_pick_weights)
{
	struct fc_tuple t = flow_n(77);
	uint16_t none[3] = { 0, 0, 0 }, one[3] = { 0, 5, 0 };

	ck_assert_int_eq(fc_hash_pick(&t, none, 3), -1);
	ck_assert_int_eq(fc_hash_pick(&t, one, 3), 1);
}
END_TEST

/* --- bicast --- */

START_TEST(bicast_pairs_the_first_two_present)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(6);
	struct fc_decision d;

	add_mode(fc, FC_MODE_BICAST, (int[]){ CELL, WLAN, WIRED, -1 }, NULL);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, CELL, WIRED, -1 }), NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_uint_eq(d.also->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_BICAST);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WLAN, WIRED, -1 }), NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_uint_eq(d.also->id, all[WIRED].id);
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ WIRED, -1 }), NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[WIRED].id);
	ck_assert_ptr_null(d.also);
	ck_assert_int_eq(d.why, FC_WHY_SINGLE);
	fc_free(fc);
}
END_TEST

/* --- the grammar --- */

static int words(struct fc_policy *p, const char *line, char *err, size_t len)
{
	char buf[512], *w[64], *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *s = strtok_r(buf, " ", &save); s && n < 64; s = strtok_r(NULL, " ", &save))
		w[n++] = s;
	return fc_policy_from_words(p, w, n, err, len);
}

static const char *printed(const struct fc_policy *p)
{
	static char out[512];
	FILE *f = fmemopen(out, sizeof(out), "w");

	ck_assert_ptr_nonnull(f);
	fc_policy_print_words(f, p);
	fclose(f);
	return out;
}

START_TEST(words_round_trip)
{
	static const char *const lines[] = {
		"proto udp to att 7",
		"mn mn1@x load-balance att 4 weight 3 att 3 weight 1",
		"priority att 3 att 4 llid 02:00:00:00:00:01 hold-down 30s",
		"dst-port 443 priority att 3 att 4 fail-back no",
		"active-standby mag 2001:db8:ffff::1 mag 2001:db8:ffff::2 hold-down 500ms",
		"proto udp dst-port 5001 bicast att 4 att 3",
		"priority default att 3",
		"smallest-delay att 4 att 3",
		"proto tcp smallest-delay mag 2001:db8:ffff::1 mag 2001:db8:ffff::2 hysteresis 5ms",
		"smallest-delay att 4 att 3 att 1 hold-down 1s hysteresis 0%",
		"load-balance att 4 weight 3 att 3 weight 1 by bytes",
	};
	struct fc_policy p, q;
	char err[160];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		ck_assert_msg(words(&p, lines[i], err, sizeof(err)) == 0, "%s: %s", lines[i], err);
		ck_assert_str_eq(printed(&p), lines[i]);
		ck_assert_int_eq(words(&q, printed(&p), err, sizeof(err)), 0);
	}
	ck_assert_int_eq(words(&p, "load-balance att 4 att 3 weight 2", err, sizeof(err)), 0);
	ck_assert_uint_eq(p.targets[0].weight, 1); /* left out: 1 */
	ck_assert_uint_eq(p.targets[1].weight, 2);
	ck_assert_int_eq(words(&p, "priority att 4", err, sizeof(err)), 0);
	ck_assert_str_eq(printed(&p), "to att 4"); /* the same policy */
}
END_TEST

START_TEST(words_refused)
{
	static const char *const bad[] = {
		"active-standby att 4",
		"active-standby att 4 att 3 att 1",
		"bicast att 4",
		"bicast att 4 att 3 hold-down 1s",
		"priority att 4 weight 2",
		"load-balance att 4 weight 0",
		"load-balance att 4 weight 1001",
		"priority att 1 att 2 att 3 att 4 att 5",
		"priority att 4 hold-down 2h",
		"priority att 4 hold-down 3601s",
		"priority att 4 fail-back maybe",
		"priority",
		"fastest att 4",
		"to att 4 att 3",
		"priority att 0",
		"smallest-delay att 4 att 3 fail-back no",
		"smallest-delay att 4 att 3 hysteresis 101%",
		"smallest-delay att 4 att 3 hysteresis 11s",
		"smallest-delay att 4 att 3 hysteresis %",
		"smallest-delay att 4 weight 2",
		"priority att 4 hysteresis 20%",
		"load-balance att 4 by packets",
		"priority att 4 by bytes",
		"smallest-delay att 4 by bytes",
	};
	struct fc_policy p;
	char err[160];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(words(&p, bad[i], err, sizeof(err)) < 0, "%s taken", bad[i]);
	ck_assert_int_lt(words(&p, "active-standby att 4", err, sizeof(err)), 0);
	ck_assert_str_eq(err,
	                 "active-standby: active-standby needs 2 targets: active, then standby");
}
END_TEST

START_TEST(wire_round_trip_modes)
{
	struct fc_policy p, q;
	struct ctl_policy w;
	char err[160];

	ck_assert_int_eq(words(&p,
	                       "mn a@x load-balance att 4 weight 3 mag 2001:db8::1 weight 1 "
	                       "llid 02:00:00:00:00:07 weight 2 hold-down 2s fail-back no",
	                       err, sizeof(err)),
	                 0);
	fc_wire_encode(&p, &w);
	ck_assert(fc_wire_decode(&w, &q));
	ck_assert_str_eq(printed(&q), printed(&p));
	/* a version 1 record: its end zero, a policy to its one target */
	memset((uint8_t *)&w + CTL_POLICY_V1_SIZE, 0, sizeof(w) - CTL_POLICY_V1_SIZE);
	ck_assert(fc_wire_decode(&w, &q));
	ck_assert_int_eq(q.mode, FC_MODE_PRIORITY);
	ck_assert_uint_eq(q.n_targets, 1);
	ck_assert(q.fail_back);
	ck_assert_uint_eq(q.hold_down_ms, FC_HOLD_DOWN_DEFAULT_MS);
	ck_assert_int_eq(q.targets[0].kind, FC_TARGET_ATT);
	/* out of range */
	fc_wire_encode(&p, &w);
	w.mode = FC_MODE_COUNT;
	ck_assert(!fc_wire_decode(&w, &q));
	fc_wire_encode(&p, &w);
	w.n_targets = FC_TARGETS_MAX + 1;
	ck_assert(!fc_wire_decode(&w, &q));
	fc_wire_encode(&p, &w);
	w.fail_back = 2;
	ck_assert(!fc_wire_decode(&w, &q));
	fc_wire_encode(&p, &w);
	w.more[1].kind = 9;
	ck_assert(!fc_wire_decode(&w, &q));
	fc_wire_encode(&p, &w);
	w.more[1].llid_len = MH_LLID_MAX + 1;
	ck_assert(!fc_wire_decode(&w, &q));
	fc_wire_encode(&p, &w);
	w.weight[2] = 0; /* load-balance: every target weighs */
	ck_assert(!fc_wire_decode(&w, &q));
	fc_wire_encode(&p, &w);
	w.hold_down_ms = FC_HOLD_DOWN_MAX_MS + 1;
	ck_assert(!fc_wire_decode(&w, &q));
}
END_TEST

/* Smallest-delay's hysteresis and load-balance by bytes through the record, each range checked;
 * a version 2 record (before them) balances flows. */
START_TEST(wire_delay_and_bytes)
{
	struct fc_policy p, q;
	struct ctl_policy w;
	char err[160];

	ck_assert_int_eq(words(&p, "smallest-delay att 4 att 3 hysteresis 15ms", err, sizeof(err)),
	                 0);
	fc_wire_encode(&p, &w);
	ck_assert(fc_wire_decode(&w, &q));
	ck_assert_str_eq(printed(&q), "smallest-delay att 4 att 3 hysteresis 15ms");
	w.hysteresis_pct = 10; /* and ms: one or the other */
	ck_assert(!fc_wire_decode(&w, &q));
	w.hysteresis_ms = 0;
	w.hysteresis_pct = FC_HYSTERESIS_MAX_PCT + 1;
	ck_assert(!fc_wire_decode(&w, &q));
	w.hysteresis_pct = 0;
	w.hysteresis_ms = FC_HYSTERESIS_MAX_MS + 1;
	ck_assert(!fc_wire_decode(&w, &q));
	ck_assert_int_eq(words(&p, "load-balance att 4 att 3 by bytes", err, sizeof(err)), 0);
	fc_wire_encode(&p, &w);
	ck_assert(fc_wire_decode(&w, &q));
	ck_assert(q.by_bytes);
	w.by_bytes = 2;
	ck_assert(!fc_wire_decode(&w, &q));
	memset((uint8_t *)&w + CTL_POLICY_V2_SIZE, 0, sizeof(w) - CTL_POLICY_V2_SIZE);
	ck_assert(fc_wire_decode(&w, &q));
	ck_assert(!q.by_bytes);
}
END_TEST

/* --- smallest-delay --- */

/* A policy of this mode over WLAN then CELL. */
static void wlan_cell(struct fc_policy *p, enum fc_mode mode)
{
	fc_policy_init(p);
	p->mode = mode;
	p->hold_down_ms = HOLD_MS;
	p->n_targets = 2;
	p->targets[0].kind = p->targets[1].kind = FC_TARGET_ATT;
	p->targets[0].att = all[WLAN].att;
	p->targets[1].att = all[CELL].att;
}

/* Smallest-delay over WLAN then CELL with this hysteresis. */
static uint32_t add_delay(struct fc *fc, uint8_t pct, uint32_t ms)
{
	struct fc_policy p;

	wlan_cell(&p, FC_MODE_SMALLEST_DELAY);
	p.hysteresis_pct = pct;
	p.hysteresis_ms = ms;
	return fc_policy_add(fc, &p, 0);
}

/* WLAN and CELL present with these RTTs (ms; 0: none measured). */
static size_t two_rtts(struct fc_binding *c, unsigned wlan_ms, unsigned cell_ms)
{
	size_t n = present(c, (int[]){ WLAN, CELL, -1 });

	c[0].rtt_ns = wlan_ms * MS;
	c[1].rtt_ns = cell_ms * MS;
	return n;
}

START_TEST(delay_picks_the_lowest_rtt)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(20);
	struct fc_decision d;
	uint32_t id = add_delay(fc, FC_HYSTERESIS_DEFAULT_PCT, 0);

	fc_decide(fc, &t, NULL, c, two_rtts(c, 60, 10), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_uint_eq(d.policy_id, id);
	ck_assert_int_eq(d.mode, FC_MODE_SMALLEST_DELAY);
	ck_assert_int_eq(d.why, FC_WHY_SMALLEST_DELAY);
	fc_decide(fc, &t, NULL, c, two_rtts(c, 10, 60), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	/* a tie: the first named */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 30, 30), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	/* a binding not measured yet is not taken while another is */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 0, 60), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_SMALLEST_DELAY);
	/* none measured: the order given */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 0, 0), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_NO_RTT);
	/* the one present, measured or not */
	fc_decide(fc, &t, NULL, c, present(c, (int[]){ CELL, -1 }), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_NO_RTT);
	fc_free(fc);
}
END_TEST

/* Placed on CELL (10 ms against 60): it stays while WLAN is not lower by more than 20 % of
 * CELL's RTT, and moves once it is; then the same back the other way. */
START_TEST(delay_hysteresis_in_percent)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(21);
	struct fc_decision d;
	struct fc_flow f;
	size_t n;

	add_delay(fc, 20, 0);
	fc_decide(fc, &t, NULL, c, two_rtts(c, 60, 10), NULL, NOW, &d);
	f = placed(&d);
	ck_assert_uint_eq(f.binding_id, all[CELL].id);
	/* CELL 50, WLAN 41: lower, but by 9 < 10 (20 % of 50) */
	n = two_rtts(c, 41, 50);
	fc_decide(fc, &t, NULL, c, n, &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_HYSTERESIS);
	/* by exactly 10: still not more than the margin */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 40, 50), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	/* WLAN 39: it moves */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 39, 50), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_SMALLEST_DELAY);
	f = placed(&d);
	/* the delays swap back: CELL must beat WLAN's 60 by more than 12 */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 60, 49), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_int_eq(d.why, FC_WHY_HYSTERESIS);
	fc_decide(fc, &t, NULL, c, two_rtts(c, 60, 47), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	/* its own binding loses its RTT (not measured again yet): to the measured one */
	f = placed(&d);
	fc_decide(fc, &t, NULL, c, two_rtts(c, 60, 0), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	/* neither measured: it stays */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 0, 0), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_NO_RTT);
	fc_free(fc);
}
END_TEST

START_TEST(delay_hysteresis_in_ms)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(22);
	struct fc_decision d;
	struct fc_flow f;

	add_delay(fc, 0, 5);
	fc_decide(fc, &t, NULL, c, two_rtts(c, 100, 200), NULL, NOW, &d);
	f = placed(&d);
	ck_assert_uint_eq(f.binding_id, all[WLAN].id);
	fc_decide(fc, &t, NULL, c, two_rtts(c, 100, 95), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id); /* 5 ms lower: not more than 5 ms */
	fc_decide(fc, &t, NULL, c, two_rtts(c, 100, 94), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	/* no hysteresis at all: the lowest, however little lower */
	fc_free(fc);
	fc = fc_new();
	add_delay(fc, 0, 0);
	f.policy_id = fc_policy_first(fc)->id;
	f.binding_id = all[WLAN].id;
	fc_decide(fc, &t, NULL, c, two_rtts(c, 100, 99), &f, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	fc_free(fc);
}
END_TEST

/* A new flow joins the MN's flows of the policy: held by the same hysteresis, so that the
 * policy's flows sit together; with none placed, the lowest RTT. */
START_TEST(delay_new_flows_join_the_others)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t1 = flow_n(23), t2 = flow_n(24);
	struct fc_decision d;
	uint32_t id = add_delay(fc, 20, 0);

	fc_decide(fc, &t1, "mn1", c, two_rtts(c, 60, 10), NULL, NOW, &d);
	ck_assert_ptr_nonnull(fc_flow_add(fc, &t1, "mn1", d.to->id, d.to->mark, id, T0));
	/* WLAN is now a little lower than CELL: a new flow still goes to CELL ... */
	fc_decide(fc, &t2, "mn1", c, two_rtts(c, 45, 50), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_HYSTERESIS);
	/* ... but another MN's goes to the lowest, and so does it once WLAN is lower enough */
	fc_decide(fc, &t2, "mn2", c, two_rtts(c, 45, 50), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	fc_decide(fc, &t2, "mn1", c, two_rtts(c, 30, 50), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	/* the others' binding gone: the lowest of those present */
	fc_decide(fc, &t2, "mn1", c, present(c, (int[]){ WLAN, WIRED, -1 }), NULL, NOW, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	fc_free(fc);
}
END_TEST

/* A binding back from an absence takes placed flows only after the hold-down (new flows at
 * once); due_ns says when. */
START_TEST(delay_hold_down_for_a_returning_binding)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(25);
	struct fc_decision d;
	struct fc_flow f;
	const uint64_t t1 = T0 + 60 * S;
	size_t n;

	add_delay(fc, 20, 0);
	fc_decide(fc, &t, NULL, c, two_rtts(c, 60, 0), NULL, T0, &d);
	f = placed(&d);
	n = two_rtts(c, 60, 10);
	c[1].up_since_ns = t1;
	fc_decide(fc, &t, NULL, c, n, &f, t1, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	ck_assert_uint_eq(d.due_ns, t1 + HOLD_MS * MS);
	fc_decide(fc, &t, NULL, c, n, &f, t1 + HOLD_MS * MS, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_uint_eq(d.due_ns, 0);
	fc_decide(fc, &t, NULL, c, n, NULL, t1, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	fc_free(fc);
}
END_TEST

/* --- load-balance by bytes --- */

static uint32_t add_bytes(struct fc *fc, unsigned w_wlan, unsigned w_cell)
{
	struct fc_policy p;

	wlan_cell(&p, FC_MODE_LOAD_BALANCE);
	p.by_bytes = true;
	p.targets[0].weight = (uint16_t)w_wlan;
	p.targets[1].weight = (uint16_t)w_cell;
	return fc_policy_add(fc, &p, 0);
}

/* A new flow goes to the binding furthest below its share of the bytes; placed flows stay. */
START_TEST(bytes_correct_the_imbalance)
{
	struct fc *fc = fc_new();
	struct fc_binding c[N_B];
	struct fc_tuple t = flow_n(30), t1 = flow_n(31), t2 = flow_n(32);
	struct fc_decision d;
	struct fc_flow *big, *f;
	size_t n = present(c, (int[]){ WLAN, CELL, -1 });
	uint32_t id = add_bytes(fc, 3, 1);

	big = fc_flow_add(fc, &t1, "mn1", all[WLAN].id, all[WLAN].mark, id, T0);
	big->bytes = 3000000;
	f = fc_flow_add(fc, &t2, "mn1", all[CELL].id, all[CELL].mark, id, T0);
	f->bytes = 999999; /* 3 MB for 3 against 1 MB less one for 1: CELL is below */
	fc_decide(fc, &t, "mn1", c, n, NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_BYTES);
	f->bytes = 1000001;
	fc_decide(fc, &t, "mn1", c, n, NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	/* a placed flow stays, whatever the bytes */
	fc_decide(fc, &t, "mn1", c, n, f, T0, &d);
	ck_assert_uint_eq(d.to->id, all[CELL].id);
	ck_assert_int_eq(d.why, FC_WHY_BYTES);
	/* until its binding goes */
	fc_decide(fc, &t, "mn1", c, present(c, (int[]){ WLAN, -1 }), NULL, T0, &d);
	ck_assert_uint_eq(d.to->id, all[WLAN].id);
	/* other MNs' flows do not count */
	fc_decide(fc, &t, "mn2", c, n, NULL, T0, &d);
	ck_assert_int_eq(d.why, FC_WHY_BYTES);
	fc_free(fc);
}
END_TEST

/* Flows of very unequal sizes (one in ten a hundred times the others), placed one after the
 * other with 3:1 weights: the bytes end near 3:1 though the flow counts do not, and the same
 * sequence gives the same placement (deterministic). */
START_TEST(bytes_follow_the_weights)
{
	uint64_t first[400];

	for (int run = 0; run < 2; run++) {
		struct fc *fc = fc_new();
		struct fc_binding c[N_B];
		size_t n = present(c, (int[]){ WLAN, CELL, -1 });
		uint32_t id = add_bytes(fc, 3, 1);
		double bytes[2] = { 0, 0 };

		for (unsigned i = 0; i < 400; i++) {
			struct fc_tuple t = flow_n(1000 + i);
			struct fc_decision d;
			struct fc_flow *f;

			fc_decide(fc, &t, "mn1", c, n, NULL, T0, &d);
			f = fc_flow_add(fc, &t, "mn1", d.to->id, d.to->mark, id, T0);
			f->bytes = i % 10 == 0 ? 1000000 : 10000;
			bytes[d.to->id == all[CELL].id] += (double)f->bytes;
			if (run == 0)
				first[i] = d.to->id;
			else
				ck_assert_uint_eq(first[i], d.to->id);
		}
		ck_assert_msg(bytes[0] / (bytes[0] + bytes[1]) > 0.70 &&
		                      bytes[0] / (bytes[0] + bytes[1]) < 0.80,
		              "WLAN's share of the bytes %.3f, not near 0.75",
		              bytes[0] / (bytes[0] + bytes[1]));
		fc_free(fc);
	}
}
END_TEST

static Suite *fc_steer_suite(void)
{
	Suite *s = suite_create("fc_steer");
	TCase *modes = tcase_create("modes");
	TCase *grammar = tcase_create("grammar");

	tcase_add_checked_fixture(modes, setup, NULL);
	tcase_add_test(modes, priority_prefers_the_first_present);
	tcase_add_test(modes, priority_fails_back_after_the_hold_down);
	tcase_add_test(modes, priority_without_fail_back_stays);
	tcase_add_test(modes, priority_three_ranks);
	tcase_add_test(modes, active_standby_switches_on_failure_only);
	tcase_add_test(modes, load_balance_splits_by_weight);
	tcase_add_test(modes, load_balance_moves_only_what_must);
	tcase_add_test(modes, hash_pick_weights);
	tcase_add_test(modes, bicast_pairs_the_first_two_present);
	tcase_add_test(modes, delay_picks_the_lowest_rtt);
	tcase_add_test(modes, delay_hysteresis_in_percent);
	tcase_add_test(modes, delay_hysteresis_in_ms);
	tcase_add_test(modes, delay_new_flows_join_the_others);
	tcase_add_test(modes, delay_hold_down_for_a_returning_binding);
	tcase_add_test(modes, bytes_correct_the_imbalance);
	tcase_add_test(modes, bytes_follow_the_weights);
	tcase_add_test(grammar, words_round_trip);
	tcase_add_test(grammar, words_refused);
	tcase_add_test(grammar, wire_round_trip_modes);
	tcase_add_test(grammar, wire_delay_and_bytes);
	suite_add_tcase(s, modes);
	suite_add_tcase(s, grammar);
	return s;
}

CHECK_MAIN(fc_steer_suite)
