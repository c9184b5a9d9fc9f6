/* bindings.c: the binding file of bindings.h (RFC 5213 §5.1 Binding Cache Entries and
 * draft-bernardos-mif-pmip-02 §5.3 flows, kept across a restart): a record a line, written
 * whole, read back field by field with every field's syntax and range checked. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "common/statefile.h"
#include "lma/bindings.h"

#define BCE_WORDS_MIN  16 /* "bce" and its fields with one prefix (none: HI 6, parse_prefixes) */
#define FLOW_WORDS     11
#define LIFETIME_MAX_S (65535u * 4u) /* the Lifetime field's reach (RFC 6275 §6.1.7) */
#define FLOW_LABEL_MAX 0xfffffu

/* --- writing --- */

static void write_addr(FILE *out, const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	fputs(inet_ntop(AF_INET6, a, buf, sizeof(buf)), out);
}

static void write_llid(FILE *out, const uint8_t *llid, uint8_t len)
{
	if (len == 0)
		fputc('-', out);
	for (unsigned i = 0; i < len; i++)
		fprintf(out, "%02x", llid[i]);
}

static void write_prefixes(FILE *out, const struct mh_prefix *p, unsigned n)
{
	char buf[INET6_ADDRSTRLEN + 4];

	for (unsigned i = 0; i < n; i++)
		fprintf(out, " %s", cfg_prefix_str(&p[i].addr, p[i].len, buf, sizeof(buf)));
}

void bindings_write_header(FILE *out)
{
	fputs("# lmad bindings (lmad.conf(5), binding-file): written by lmad, read at its start\n"
	      "# bce ID MN-ID MAG TUNNEL LLID ATT HI MUHO LLA LIFETIME REGISTERED EXPIRES SEQ TS "
	      "PREFIX...\n"
	      "# flow BCE MARK PROTO SRC SPORT DST DPORT LABEL POLICY PINNED\n",
	      out);
	fprintf(out, "bindings %u\n", BINDINGS_VERSION);
}

void bindings_write_bce(FILE *out, const struct bind_record *r)
{
	char id[SF_ID_MAX + 1];

	sf_escape(r->mn_id, strlen(r->mn_id), id);
	fprintf(out, "bce %llu %s ", (unsigned long long)r->id, id);
	write_addr(out, &r->mag);
	fprintf(out, " %u ", r->tunnel);
	write_llid(out, r->llid, r->llid_len);
	fprintf(out, " %u %u %u ", r->att, r->hi, r->muho);
	if (r->have_lla)
		write_addr(out, &r->lla);
	else
		fputc('-', out);
	fprintf(out, " %u %llu %llu %u ", r->lifetime_s, (unsigned long long)r->registered_ns,
	        (unsigned long long)r->expires_ns, r->seq);
	if (r->have_ts)
		fprintf(out, "%llu", (unsigned long long)r->ts);
	else
		fputc('-', out);
	write_prefixes(out, r->prefix, r->n_prefix);
	fputc('\n', out);
}

void bindings_write_flow(FILE *out, const struct flow_record *r)
{
	const struct fc_tuple *t = &r->tuple;

	fprintf(out, "flow %llu %u %u ", (unsigned long long)r->bce_id, r->mark, t->proto);
	write_addr(out, &t->src);
	fprintf(out, " %u ", t->sport);
	write_addr(out, &t->dst);
	fprintf(out, " %u %u %u %u\n", t->dport, t->flow_label, r->policy_id, r->pinned);
}

int bindings_write_end(FILE *out)
{
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* --- reading: one field at a time --- */

/* A decimal number of digits only, at most max. */
static bool parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!parse_num(s, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_u16(const char *s, uint16_t *out)
{
	uint32_t v;

	if (!parse_u32(s, UINT16_MAX, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool parse_u8(const char *s, uint8_t min, uint8_t *out)
{
	uint64_t v;

	if (!parse_num(s, UINT8_MAX, &v) || v < min)
		return false;
	*out = (uint8_t)v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
		return false;
	*out = s[0] == '1';
	return true;
}

/* A unicast address: what a tunnel end or a flow's end may be. */
static bool parse_addr(const char *s, struct in6_addr *a)
{
	return inet_pton(AF_INET6, s, a) == 1;
}

/* "-" (none, *have false), or what parse() takes. */
static bool parse_addr_opt(const char *s, bool *have, struct in6_addr *a)
{
	*have = strcmp(s, "-") != 0;
	return !*have || parse_addr(s, a);
}

static bool parse_llid(const char *s, uint8_t *llid, uint8_t *len)
{
	size_t n = strlen(s);

	*len = 0;
	if (strcmp(s, "-") == 0)
		return true;
	if (n == 0 || n % 2 != 0 || n / 2 > MH_LLID_MAX)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = cfg_hex_digit(s[i]), lo = cfg_hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		llid[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint8_t)(n / 2);
	return true;
}

static bool parse_ts(const char *s, bool *have, uint64_t *ts)
{
	*have = strcmp(s, "-") != 0;
	return !*have || parse_num(s, UINT64_MAX, ts);
}

/* The prefixes from w[0] on, n of them: 1..BCE_MAX_PREFIXES, none twice; none only for a
 * session sharing the MN's prefixes (RFC 7864, HI 6, parsed before). */
static bool parse_prefixes(char **w, unsigned n, struct bind_record *r)
{
	if ((n == 0 && r->hi != MH_HI_NEW_IF_SHARED) || n > BCE_MAX_PREFIXES)
		return false;
	for (unsigned i = 0; i < n; i++) {
		if (!sf_prefix(w[i], &r->prefix[i]))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (mh_prefix_equal(&r->prefix[i], &r->prefix[j]))
				return false;
	}
	r->n_prefix = (uint8_t)n;
	return true;
}

/* Lifetimes within the Lifetime field's reach; the expiry after the registration. */
static bool times_ok(const struct bind_record *r)
{
	return r->lifetime_s > 0 && r->lifetime_s <= LIFETIME_MAX_S &&
	       r->expires_ns > r->registered_ns;
}

bool bindings_parse_bce(char *line, struct bind_record *r)
{
	char *w[BCE_WORDS_MIN + BCE_MAX_PREFIXES];
	unsigned n = sf_split(line, w, BCE_WORDS_MIN + BCE_MAX_PREFIXES - 1);

	memset(r, 0, sizeof(*r));
	if (n < BCE_WORDS_MIN - 1 || n >= BCE_WORDS_MIN + BCE_MAX_PREFIXES ||
	    strcmp(w[0], "bce") != 0)
		return false;
	return parse_num(w[1], UINT64_MAX, &r->id) && r->id > 0 && sf_unescape_id(w[2], r->mn_id) &&
	       parse_addr(w[3], &r->mag) && !IN6_IS_ADDR_UNSPECIFIED(&r->mag) &&
	       !IN6_IS_ADDR_MULTICAST(&r->mag) && parse_u32(w[4], UINT32_MAX, &r->tunnel) &&
	       parse_llid(w[5], r->llid, &r->llid_len) && parse_u8(w[6], 1, &r->att) &&
	       parse_u8(w[7], 0, &r->hi) && parse_bool(w[8], &r->muho) &&
	       parse_addr_opt(w[9], &r->have_lla, &r->lla) &&
	       parse_u32(w[10], UINT32_MAX, &r->lifetime_s) &&
	       parse_num(w[11], UINT64_MAX, &r->registered_ns) &&
	       parse_num(w[12], UINT64_MAX, &r->expires_ns) && parse_u16(w[13], &r->seq) &&
	       parse_ts(w[14], &r->have_ts, &r->ts) && parse_prefixes(w + 15, n - 15, r) &&
	       times_ok(r);
}

bool bindings_parse_flow(char *line, struct flow_record *r)
{
	char *w[FLOW_WORDS];
	struct fc_tuple *t = &r->tuple;

	memset(r, 0, sizeof(*r));
	if (sf_split(line, w, FLOW_WORDS) != FLOW_WORDS || strcmp(w[0], "flow") != 0)
		return false;
	return parse_num(w[1], UINT64_MAX, &r->bce_id) && r->bce_id > 0 &&
	       parse_u32(w[2], UINT32_MAX, &r->mark) && r->mark > 0 &&
	       parse_u8(w[3], 0, &t->proto) && parse_addr(w[4], &t->src) &&
	       parse_u16(w[5], &t->sport) && parse_addr(w[6], &t->dst) &&
	       parse_u16(w[7], &t->dport) && parse_u32(w[8], FLOW_LABEL_MAX, &t->flow_label) &&
	       parse_u32(w[9], UINT32_MAX, &r->policy_id) && parse_bool(w[10], &r->pinned);
}

/* --- reading the file --- */

/* "bindings N": the version in *version. */
static bool read_header(char *line, unsigned *version)
{
	char *w[2];
	uint32_t v;

	if (sf_split(line, w, 2) != 2 || strcmp(w[0], "bindings") != 0 ||
	    !parse_u32(w[1], UINT32_MAX, &v) || v == 0)
		return false;
	*version = v;
	return true;
}

static void count_bad(struct bindings_report *r, unsigned lineno)
{
	if (r->bad++ == 0)
		r->first_bad_line = lineno;
}

/* One record: to the sink if well-formed. */
static void read_record(char *line, const struct bindings_sink *sink, struct bindings_report *r,
                        unsigned lineno)
{
	struct bind_record b;
	struct flow_record f;
	bool took;

	if (strncmp(line, "bce ", 4) == 0 && bindings_parse_bce(line, &b))
		took = sink->bce(sink->arg, &b);
	else if (strncmp(line, "flow ", 5) == 0 && bindings_parse_flow(line, &f))
		took = sink->flow(sink->arg, &f);
	else {
		count_bad(r, lineno);
		return;
	}
	if (!took)
		r->refused++;
	else if (line[0] == 'b')
		r->bces++;
	else
		r->flows++;
}

int bindings_read(FILE *in, const struct bindings_sink *sink, struct bindings_report *r)
{
	char line[BINDINGS_LINE_MAX];
	bool long_line;
	unsigned lineno = 0;

	memset(r, 0, sizeof(*r));
	while (sf_next_line(in, line, sizeof(line), &long_line)) {
		lineno++;
		if (!long_line && sf_blank(line))
			continue;
		if (r->version == 0) {
			if (long_line || !read_header(line, &r->version) ||
			    r->version != BINDINGS_VERSION) {
				count_bad(r, lineno);
				return -1;
			}
			continue;
		}
		if (long_line || feof(in)) /* no newline: the file was cut in this record */
			count_bad(r, lineno);
		else
			read_record(line, sink, r, lineno);
	}
	return r->version == BINDINGS_VERSION ? 0 : -1;
}
