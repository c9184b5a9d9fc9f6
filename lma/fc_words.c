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

/* A link-layer identifier: 1 to MH_LLID_MAX colon-separated hex pairs, as lmad.conf takes it. */
static bool llid(const char *s, uint8_t *out, uint8_t *len)
{
	unsigned n = 0;

	while (n < MH_LLID_MAX) {
		unsigned v;
		int used = 0;

		if (sscanf(s, "%2x%n", &v, &used) != 1 || used != 2)
			return false;
		out[n++] = (uint8_t)v;
		s += 2;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return false;
	}
	*len = (uint8_t)n;
	return *s == '\0';
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

static int target_words(struct fc_policy *p, char *const *w, size_t n, char *err, size_t len)
{
	unsigned long v;

	if (n == 1 && !strcmp(w[0], "default")) {
		p->target = FC_TARGET_DEFAULT;
		return 0;
	}
	if (n != 2)
		return fail(err, len, n ? w[0] : "to",
		            "a target is att N, mag ADDRESS, llid MAC or default");
	if (!strcmp(w[0], "att") && number(w[1], 255, &v) && v > 0) {
		p->target = FC_TARGET_ATT;
		p->target_att = (uint8_t)v;
	} else if (!strcmp(w[0], "mag") && inet_pton(AF_INET6, w[1], &p->target_mag) == 1) {
		p->target = FC_TARGET_MAG;
	} else if (!strcmp(w[0], "llid") && llid(w[1], p->target_llid, &p->target_llid_len)) {
		p->target = FC_TARGET_LLID;
	} else {
		return fail(err, len, w[1], "bad target");
	}
	return 0;
}

int fc_policy_from_words(struct fc_policy *p, char *const *w, size_t n, char *err, size_t len)
{
	size_t i = 0;

	fc_policy_init(p);
	for (; i < n && strcmp(w[i], "to") != 0; i += 2) {
		if (i + 1 >= n)
			return fail(err, len, w[i], "needs a value");
		if (!match_word(&p->match, w[i], w[i + 1]))
			return fail(err, len, w[i], "unknown match word or bad value");
	}
	if (i >= n)
		return fail(err, len, n ? w[n - 1] : "policy", "needs \"to\" and a target");
	return target_words(p, w + i + 1, n - i - 1, err, len);
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

void fc_target_print_words(FILE *out, const struct fc_policy *p)
{
	char a[INET6_ADDRSTRLEN];

	switch (p->target) {
	case FC_TARGET_ATT:
		fprintf(out, "att %u", p->target_att);
		break;
	case FC_TARGET_MAG:
		fprintf(out, "mag %s", inet_ntop(AF_INET6, &p->target_mag, a, sizeof(a)));
		break;
	case FC_TARGET_LLID:
		fputs("llid ", out);
		for (unsigned i = 0; i < p->target_llid_len && i < MH_LLID_MAX; i++)
			fprintf(out, "%s%02x", i ? ":" : "", p->target_llid[i]);
		break;
	default:
		fputs("default", out);
	}
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
	fputs("to ", out);
	fc_target_print_words(out, p);
}
