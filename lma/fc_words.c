/* fc_words.c: a flow policy written as words, the form pmipctl takes on its command line and
 * prints back: match words, then "to" and a target:
 *   [mn NAI] [src P/L] [dst P/L] [proto tcp|udp|icmpv6|sctp|udplite|N] [src-port N[-M]]
 *   [dst-port N[-M]] [flow-label N] [traffic-class N] to (att N | mag ADDR | llid MAC | default)
 * Numbers may be decimal or 0x-hexadecimal; every value is range-checked. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "lma/fc_words.h"

static int fail(char *err, size_t len, const char *word, const char *why)
{
	snprintf(err, len, "%s: %s", word, why);
	return -1;
}

static bool number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno == 0 && *end == '\0' && *out <= max;
}

static bool prefix(const char *s, struct mh_prefix *p)
{
	char buf[64];
	char *slash;
	unsigned long len;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash || !number(slash + 1, 128, &len))
		return false;
	*slash = '\0';
	p->len = (uint8_t)len;
	return inet_pton(AF_INET6, buf, &p->addr) == 1;
}

static bool port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[16];
	char *dash;
	unsigned long a, b;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!number(buf, 65535, &a) || (dash && !number(dash + 1, 65535, &b)))
		return false;
	*lo = (uint16_t)a;
	*hi = dash ? (uint16_t)b : (uint16_t)a;
	return *lo <= *hi;
}

static bool proto(const char *s, uint8_t *out)
{
	int by_name = fc_proto_by_name(s);
	unsigned long n;

	if (by_name >= 0) {
		*out = (uint8_t)by_name;
		return true;
	}
	if (!number(s, 255, &n))
		return false;
	*out = (uint8_t)n;
	return true;
}

/* A link-layer identifier: 1 to MH_LLID_MAX colon-separated hex pairs, not all zero, as
 * lmad.conf takes it. */
static bool llid(const char *s, uint8_t *out, uint8_t *len)
{
	unsigned n = 0;
	uint8_t any = 0;

	while (n < MH_LLID_MAX) {
		unsigned v;
		int used = 0;

		if (sscanf(s, "%2x%n", &v, &used) != 1 || used != 2)
			return false;
		out[n++] = (uint8_t)v;
		any |= (uint8_t)v;
		s += 2;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return false;
	}
	*len = (uint8_t)n;
	return *s == '\0' && any != 0;
}

/* One match keyword and its value; false if either is wrong. */
static bool match_word(struct fc_match *m, const char *key, const char *v)
{
	unsigned long n;

	if (!strcmp(key, "mn")) {
		if (strlen(v) == 0 || strlen(v) > MH_MNID_MAX ||
		    !mh_nai_valid((const uint8_t *)v, strlen(v)))
			return false;
		strcpy(m->mn_id, v);
		return true;
	}
	if (!strcmp(key, "src"))
		return (m->have_src = prefix(v, &m->src));
	if (!strcmp(key, "dst"))
		return (m->have_dst = prefix(v, &m->dst));
	if (!strcmp(key, "proto"))
		return (m->have_proto = proto(v, &m->proto));
	if (!strcmp(key, "src-port"))
		return port_range(v, &m->sport_lo, &m->sport_hi);
	if (!strcmp(key, "dst-port"))
		return port_range(v, &m->dport_lo, &m->dport_hi);
	if (!strcmp(key, "flow-label") && number(v, 0xfffff, &n)) {
		m->flow_label = (uint32_t)n;
		return (m->have_flow_label = true);
	}
	if (!strcmp(key, "traffic-class") && number(v, 255, &n)) {
		m->tclass = (uint8_t)n;
		return (m->have_tclass = true);
	}
	return false;
}

#define TARGET_WORDS "att N, mag ADDRESS, llid MAC or default"

/* One target's kind and value at w[0..n): the words it took, or 0 if w[0] names none, -1 with
 * *why if its value is missing or wrong. */
static int target_word(struct fc_target *t, char *const *w, size_t n, const char **why)
{
	unsigned long v;

	if (!strcmp(w[0], "default")) {
		t->kind = FC_TARGET_DEFAULT;
		return 1;
	}
	if (strcmp(w[0], "att") && strcmp(w[0], "mag") && strcmp(w[0], "llid"))
		return 0;
	*why = "missing value";
	if (n < 2)
		return -1;
	if (!strcmp(w[0], "att")) {
		*why = "an access technology type is from 1 to 255";
		t->kind = FC_TARGET_ATT;
		if (!number(w[1], 255, &v) || v == 0)
			return -1;
		t->att = (uint8_t)v;
		return 2;
	}
	if (!strcmp(w[0], "mag")) {
		*why = "not an IPv6 address";
		t->kind = FC_TARGET_MAG;
		return inet_pton(AF_INET6, w[1], &t->mag) == 1 ? 2 : -1;
	}
	*why = "not a link-layer identifier (1 to 32 octets in hex, not all zero, such as "
	       "02:00:00:00:00:01)";
	t->kind = FC_TARGET_LLID;
	return llid(w[1], t->llid, &t->llid_len) ? 2 : -1;
}

/* "WORD VALUE: why" for a target's error. */
static int target_fail(char *err, size_t len, char *const *w, size_t n, const char *why)
{
	snprintf(err, len, "%s%s%s: %s", w[0], n > 1 ? " " : "", n > 1 ? w[1] : "", why);
	return -1;
}

/* "hysteresis N%" or "hysteresis DURATION": the one given, the other 0. */
static bool hysteresis_value(struct fc_policy *p, const char *s)
{
	size_t len = strlen(s);
	unsigned long v;
	char buf[16];
	uint64_t ms;

	if (len > 1 && len < sizeof(buf) && s[len - 1] == '%') {
		memcpy(buf, s, len - 1);
		buf[len - 1] = '\0';
		if (!number(buf, FC_HYSTERESIS_MAX_PCT, &v))
			return false;
		p->hysteresis_pct = (uint8_t)v;
		p->hysteresis_ms = 0;
		return true;
	}
	if (!cfg_duration_text(s, &ms) || ms > FC_HYSTERESIS_MAX_MS)
		return false;
	p->hysteresis_pct = 0;
	p->hysteresis_ms = (uint32_t)ms;
	return true;
}

static bool is_option(const char *w)
{
	static const char *const options[] = { "by", "fail-back", "hold-down", "hysteresis",
		                               "weight" };

	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (!strcmp(w, options[i]))
			return true;
	return false;
}

/* "hold-down DURATION", "fail-back yes|no", "weight N" (after a target), "hysteresis N%|D"
 * (smallest-delay), "by bytes|flows" (load-balance): the words taken, 0 if w[0] is none of
 * them, -1 if its value is wrong or its mode takes no such option. */
static int option_word(struct fc_policy *p, char *const *w, size_t n)
{
	enum fc_mode m = p->mode;
	unsigned long v;
	uint64_t ms;

	if (!is_option(w[0]))
		return 0;
	if (n < 2)
		return -1;
	if (!strcmp(w[0], "hold-down") && m != FC_MODE_BICAST && cfg_duration_text(w[1], &ms) &&
	    ms <= FC_HOLD_DOWN_MAX_MS) {
		p->hold_down_ms = (uint32_t)ms;
	} else if (!strcmp(w[0], "fail-back") && m != FC_MODE_BICAST &&
	           m != FC_MODE_SMALLEST_DELAY && (!strcmp(w[1], "yes") || !strcmp(w[1], "no"))) {
		p->fail_back = !strcmp(w[1], "yes");
	} else if (!strcmp(w[0], "weight") && m == FC_MODE_LOAD_BALANCE && p->n_targets &&
	           number(w[1], FC_WEIGHT_MAX, &v) && v > 0) {
		p->targets[p->n_targets - 1].weight = (uint16_t)v;
	} else if (!strcmp(w[0], "by") && m == FC_MODE_LOAD_BALANCE &&
	           (!strcmp(w[1], "bytes") || !strcmp(w[1], "flows"))) {
		p->by_bytes = !strcmp(w[1], "bytes");
	} else if (!(!strcmp(w[0], "hysteresis") && m == FC_MODE_SMALLEST_DELAY &&
	             hysteresis_value(p, w[1]))) {
		return -1;
	}
	return 2;
}

static int steer_word(struct fc_policy *p, char *const *w, size_t n, const char **why)
{
	int used = option_word(p, w, n);

	*why = "bad or missing value";
	if (used != 0)
		return used;
	used = target_word(&p->targets[p->n_targets < FC_TARGETS_MAX ? p->n_targets : 0], w, n,
	                   why);
	if (used > 0 && p->n_targets == FC_TARGETS_MAX) {
		*why = "more than 4 targets";
		return -1;
	}
	if (used > 0)
		p->n_targets++;
	return used;
}

/* The counts each mode takes, and a load-balance target without a weight gets 1. */
static int steer_check(struct fc_policy *p, char *err, size_t len)
{
	static const char *const need[FC_MODE_COUNT] = {
		[FC_MODE_PRIORITY] = "priority needs 1 to 4 targets",
		[FC_MODE_ACTIVE_STANDBY] = "active-standby needs 2 targets: active, then standby",
		[FC_MODE_LOAD_BALANCE] = "load-balance needs 1 to 4 targets",
		[FC_MODE_BICAST] = "bicast needs 2 to 4 targets",
		[FC_MODE_SMALLEST_DELAY] = "smallest-delay needs 1 to 4 targets",
	};

	if (p->mode == FC_MODE_LOAD_BALANCE)
		for (unsigned i = 0; i < p->n_targets; i++)
			if (!p->targets[i].weight)
				p->targets[i].weight = 1;
	if (!fc_policy_valid(p))
		return fail(err, len, fc_mode_name(p->mode), need[p->mode]);
	return 0;
}

int fc_steering_from_words(struct fc_policy *p, char *const *w, size_t n, char *err, size_t len)
{
	const char *why = NULL;
	int mode, used;

	if (n == 0)
		return fail(err, len, "policy", "needs \"to TARGET\" or a mode and its targets");
	p->n_targets = 0;
	if (!strcmp(w[0], "to")) {
		p->mode = FC_MODE_PRIORITY;
		if (n < 2)
			return fail(err, len, "to", "missing target (" TARGET_WORDS ")");
		if ((used = target_word(&p->targets[0], w + 1, n - 1, &why)) < 0)
			return target_fail(err, len, w + 1, n - 1, why);
		if (used == 0)
			return fail(err, len, w[1], "not a target (" TARGET_WORDS ")");
		if ((size_t)used + 1 < n)
			return fail(err, len, w[used + 1], "unexpected");
		p->n_targets = 1;
		return 0;
	}
	if ((mode = fc_mode_by_name(w[0])) < 0)
		return fail(err, len, w[0], "not \"to\" or a mode (priority, active-standby, "
		                            "load-balance, bicast, smallest-delay)");
	p->mode = (enum fc_mode)mode;
	for (size_t i = 1; i < n; i += (size_t)used) {
		if ((used = steer_word(p, w + i, n - i, &why)) < 0)
			return target_fail(err, len, w + i, n - i, why);
		if (used == 0)
			return fail(err, len, w[i], "unexpected");
	}
	return steer_check(p, err, len);
}

int fc_policy_from_words(struct fc_policy *p, char *const *w, size_t n, char *err, size_t len)
{
	size_t i = 0;

	fc_policy_init(p);
	for (; i < n && strcmp(w[i], "to") != 0 && fc_mode_by_name(w[i]) < 0; i += 2) {
		if (i + 1 >= n)
			return fail(err, len, w[i], "needs a value");
		if (!match_word(&p->match, w[i], w[i + 1]))
			return fail(err, len, w[i], "unknown match word or bad value");
	}
	if (i >= n)
		return fail(err, len, n ? w[n - 1] : "policy",
		            "needs \"to TARGET\" or a mode and its targets");
	return fc_steering_from_words(p, w + i, n - i, err, len);
}

static void print_prefix(FILE *out, const char *key, const struct mh_prefix *p)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &p->addr, a, sizeof(a));
	fprintf(out, " %s %s/%u", key, a, p->len);
}

static void print_ports(FILE *out, const char *key, uint16_t lo, uint16_t hi)
{
	if (lo == 0 && hi == 65535)
		return;
	if (lo == hi)
		fprintf(out, " %s %u", key, lo);
	else
		fprintf(out, " %s %u-%u", key, lo, hi);
}

static void plain_word(FILE *out, const char *word)
{
	fputs(word, out);
}

void fc_match_print_words(FILE *out, const struct fc_match *m,
                          void (*word)(FILE *out, const char *word))
{
	const char *name;

	if (m->mn_id[0]) {
		fputs(" mn ", out);
		(word ? word : plain_word)(out, m->mn_id);
	}
	if (m->have_src)
		print_prefix(out, "src", &m->src);
	if (m->have_dst)
		print_prefix(out, "dst", &m->dst);
	if (m->have_proto && (name = fc_proto_name(m->proto)))
		fprintf(out, " proto %s", name);
	else if (m->have_proto)
		fprintf(out, " proto %u", m->proto);
	print_ports(out, "src-port", m->sport_lo, m->sport_hi);
	print_ports(out, "dst-port", m->dport_lo, m->dport_hi);
	if (m->have_flow_label)
		fprintf(out, " flow-label 0x%x", (unsigned)m->flow_label);
	if (m->have_tclass)
		fprintf(out, " traffic-class 0x%02x", m->tclass);
}

static void print_target(FILE *out, const struct fc_target *t)
{
	char a[INET6_ADDRSTRLEN];

	switch (t->kind) {
	case FC_TARGET_ATT:
		fprintf(out, "att %u", t->att);
		break;
	case FC_TARGET_MAG:
		fprintf(out, "mag %s", inet_ntop(AF_INET6, &t->mag, a, sizeof(a)));
		break;
	case FC_TARGET_LLID:
		fputs("llid ", out);
		for (unsigned i = 0; i < t->llid_len && i < MH_LLID_MAX; i++)
			fprintf(out, "%s%02x", i ? ":" : "", t->llid[i]);
		break;
	default:
		fputs("default", out);
	}
}

/* The "to TARGET" of before modes: priority, one target, the default fail-back. */
static bool plain_to(const struct fc_policy *p)
{
	return p->mode == FC_MODE_PRIORITY && p->n_targets == 1 && p->fail_back &&
	       p->hold_down_ms == FC_HOLD_DOWN_DEFAULT_MS;
}

/* Only when it is not the default. */
static void print_hysteresis(FILE *out, const struct fc_policy *p)
{
	char d[CFG_DURATION_STR];

	if (p->hysteresis_ms)
		fprintf(out, " hysteresis %s", cfg_duration_str(p->hysteresis_ms, d));
	else if (p->hysteresis_pct != FC_HYSTERESIS_DEFAULT_PCT)
		fprintf(out, " hysteresis %u%%", p->hysteresis_pct);
}

void fc_target_print_words(FILE *out, const struct fc_policy *p)
{
	char d[CFG_DURATION_STR];

	fputs(plain_to(p) ? "to" : fc_mode_name(p->mode), out);
	for (unsigned i = 0; i < p->n_targets && i < FC_TARGETS_MAX; i++) {
		fputc(' ', out);
		print_target(out, &p->targets[i]);
		if (p->mode == FC_MODE_LOAD_BALANCE)
			fprintf(out, " weight %u", p->targets[i].weight);
	}
	if (p->mode == FC_MODE_BICAST || plain_to(p))
		return;
	if (p->by_bytes)
		fputs(" by bytes", out);
	if (p->hold_down_ms != FC_HOLD_DOWN_DEFAULT_MS)
		fprintf(out, " hold-down %s", cfg_duration_str(p->hold_down_ms, d));
	if (!p->fail_back && p->mode != FC_MODE_SMALLEST_DELAY)
		fputs(" fail-back no", out);
	if (p->mode == FC_MODE_SMALLEST_DELAY)
		print_hysteresis(out, p);
}

void fc_policy_print_words(FILE *out, const struct fc_policy *p)
{
	/* the match words each start with a space: the line starts with the first one's word.
	 * open_memstream, not fmemopen: its buffer is always terminated, even when nothing was
	 * written (glibc's fmemopen "w" leaves an untouched buffer as it was). */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m) {
		fc_match_print_words(m, &p->match, NULL);
		if (fclose(m) == 0 && buf && len > 0)
			fprintf(out, "%s ", buf[0] == ' ' ? buf + 1 : buf);
		free(buf);
	}
	fc_target_print_words(out, p);
}
