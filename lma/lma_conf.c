/* lma_conf.c: lmad.conf(5), the configuration of the LMA: its grammar (a sorted statement table of
 * common/cfgstmt.c over the lexer of common/cfgparse.c), the validation of the whole, the printout
 * of lmad -nv, and the lookups the engine makes per PBU. Defaults are RFC 5213's: §9.2 for the
 * LMA's variables (MinDelayBeforeBCEDelete, MaxDelayBeforeNewBCEAssign, TimestampValidityWindow),
 * §9.3 for the timestamp-based replay protection in use; the MuHo type is shared/reference
 * pmipv6-protocol.md §1.6's. MN lookups go through a hash index built while parsing, since a
 * configuration may list 100,000 MNs. "policy" statements are the flow classifier's policies
 * (draft-bernardos-mif-pmip-02 §5.3.2, lma/fc.h), kept in the file's order. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "common/cfgstmt.h"
#include "common/ctl.h"
#include "lma/fc_words.h"
#include "lma/lma_conf.h"

#define MS_PER_S         1000u
#define LIFETIME_MAX_MS  (65535u * 4 * MS_PER_S) /* the PBA's 16-bit lifetime, in units of 4 s */
#define DEFAULT_SOCKET   "/run/pmip6/lmad.sock"
#define DEFAULT_ALLOCLEN 64
#define LIMIT_MAX        (1u << 24) /* of the max-* statements */

#define FLOW_IDLE_MAX_MS (432000u * MS_PER_S) /* 5 days: conntrack's for established TCP */
#define FLOW_LABEL_MAX   0xfffffu

#define LINK_TO(l, type) ((type *)(void *)((char *)(l)-offsetof(type, hlink)))

struct parser {
	struct cfg cfg;
	struct lma_conf *c;
	struct cfg_parser stmt; /* the statement table's dispatch (common/cfgstmt.h) */
	unsigned any_line;
};

/* The keywords of a policy's match block; obj is its struct fc_match. */
struct block_keyword {
	const char *name;
	int (*parse)(struct parser *p, void *obj, unsigned line);
};

static const char *const replay_names[] = { "sequence", "timestamp" };
static const char *const fail_names[] = { "closed", "open" };

/* --- the indexes --- */

static uint32_t hash_bytes(const void *data, size_t n, uint32_t h)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u; /* FNV-1a */
	return h;
}

static uint32_t hash_mn(const char *id)
{
	return hash_bytes(id, strlen(id), 2166136261u);
}

static uint32_t hash_mag(const struct in6_addr *a)
{
	return hash_bytes(a, sizeof(*a), 2166136261u);
}

static uint32_t hash_mag_mn(const struct lma_conf_mag *mag, const char *id)
{
	return hash_bytes(id, strlen(id), hash_mag(&mag->addr));
}

static int index_grow(struct lma_conf_index *ix)
{
	size_t size = ix->size ? ix->size * 2 : 64;
	struct lma_conf_hlink **b = calloc(size, sizeof(*b)), *l, *next;

	if (!b)
		return -1;
	for (size_t i = 0; i < ix->size; i++) {
		for (l = ix->bucket[i]; l; l = next) {
			next = l->next;
			l->next = b[l->hash & (size - 1)];
			b[l->hash & (size - 1)] = l;
		}
	}
	free(ix->bucket);
	ix->bucket = b;
	ix->size = size;
	return 0;
}

static int index_add(struct lma_conf_index *ix, struct lma_conf_hlink *l, uint32_t hash)
{
	if (ix->count >= ix->size && index_grow(ix) < 0)
		return -1;
	l->hash = hash;
	l->next = ix->bucket[hash & (ix->size - 1)];
	ix->bucket[hash & (ix->size - 1)] = l;
	ix->count++;
	return 0;
}

static struct lma_conf_hlink *index_first(const struct lma_conf_index *ix, uint32_t hash)
{
	return ix->size ? ix->bucket[hash & (ix->size - 1)] : NULL;
}

const struct lma_conf_mn *lma_conf_find_mn(const struct lma_conf *c, const char *id)
{
	uint32_t h = hash_mn(id);
	struct lma_conf_hlink *l;

	for (l = index_first(&c->mn_index, h); l; l = l->next) {
		const struct lma_conf_mn *mn = LINK_TO(l, struct lma_conf_mn);

		if (l->hash == h && strcmp(mn->id, id) == 0)
			return mn;
	}
	return NULL;
}

const struct lma_conf_mag *lma_conf_find_mag(const struct lma_conf *c, const struct in6_addr *a)
{
	uint32_t h = hash_mag(a);
	struct lma_conf_hlink *l;

	for (l = index_first(&c->mag_index, h); l; l = l->next) {
		const struct lma_conf_mag *mag = LINK_TO(l, struct lma_conf_mag);

		if (l->hash == h && IN6_ARE_ADDR_EQUAL(&mag->addr, a))
			return mag;
	}
	return NULL;
}

static const struct lma_conf_mag_mn *find_mag_mn(const struct lma_conf *c,
                                                 const struct lma_conf_mag *mag, const char *id)
{
	uint32_t h = hash_mag_mn(mag, id);
	struct lma_conf_hlink *l;

	for (l = index_first(&c->mag_mn_index, h); l; l = l->next) {
		const struct lma_conf_mag_mn *m = LINK_TO(l, struct lma_conf_mag_mn);

		if (l->hash == h && m->mag == mag && strcmp(m->id, id) == 0)
			return m;
	}
	return NULL;
}

bool lma_conf_mag_may_serve(const struct lma_conf_mag *mag, const char *mn_id)
{
	const struct lma_conf *c = mag->conf;

	if (mag->n_mns > 0)
		return find_mag_mn(c, mag, mn_id) != NULL;
	return c->any_mn || lma_conf_find_mn(c, mn_id) != NULL;
}

/* --- life cycle --- */

static struct lma_conf *conf_new(void)
{
	struct lma_conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	CFG_DEFAULTS_COMMON(c, DEFAULT_SOCKET);
	c->table_base = 1000;
	c->use_timestamps = true;
	c->timestamp_window_ms = 300;
	c->max_lifetime_s = 3600;
	c->bce_delete_delay_ms = 10000;
	c->new_bce_delay_ms = 1500;
	c->prefix_hold_ms = LMA_CONF_HOLD_ATTACHED;
	c->upn = (struct lma_conf_retransmit){ 1000, 32000, 6 };
	c->revoke = (struct lma_conf_retransmit){ 1000, 8000, 4 };
	c->reject_source = (struct rl_rate){ RL_SOURCE_PER_S, RL_SOURCE_BURST };
	c->reject_total = (struct rl_rate){ RL_TOTAL_PER_S, RL_TOTAL_BURST };
	c->max_bindings = LMA_CONF_DEFAULT_MAX_BINDINGS;
	c->max_bindings_mag = LMA_CONF_DEFAULT_MAX_BINDINGS_MAG;
	c->max_bindings_mn = LMA_CONF_DEFAULT_MAX_BINDINGS_MN;
	c->max_resting = LMA_CONF_DEFAULT_MAX_RESTING;
	c->fail_open = true;
	c->flow_idle_ms = 300 * MS_PER_S;
	c->flow_max = LMA_CONF_DEFAULT_FLOW_MAX;
	c->flow_max_mn = LMA_CONF_DEFAULT_FLOW_MAX_MN;
	c->lease_sync_ms = MS_PER_S;
	c->binding_sync_ms = MS_PER_S;
	TAILQ_INIT(&c->mns);
	TAILQ_INIT(&c->mags);
	TAILQ_INIT(&c->policies);
	return c;
}

static void mag_free(struct lma_conf_mag *mag)
{
	CFG_LIST_FREE(&mag->mns, struct lma_conf_mag_mn, free);
	free(mag);
}

void lma_conf_free(struct lma_conf *c)
{
	if (!c)
		return;
	CFG_LIST_FREE(&c->policies, struct lma_conf_policy, free);
	CFG_LIST_FREE(&c->mns, struct lma_conf_mn, free);
	CFG_LIST_FREE(&c->mags, struct lma_conf_mag, mag_free);
	free(c->mn_index.bucket);
	free(c->mag_index.bucket);
	free(c->mag_mn_index.bucket);
	free(c);
}

/* --- statements --- */

static int parse_replay(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	unsigned i;

	(void)line;
	if (cfg_choice(&p->cfg, kw->name, replay_names, 2, &i) < 0)
		return -1;
	p->c->use_timestamps = i == 1;
	return 0;
}

static bool peek_word(struct parser *p, const char *word)
{
	const struct cfg_token *t = cfg_peek(&p->cfg);

	return t->type == CFG_WORD && strcmp(t->text, word) == 0;
}

static int parse_pool(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	struct lma_conf *c = p->c;
	struct cfg_token t;
	uint32_t v = DEFAULT_ALLOCLEN;

	if (cfg_prefix(&p->cfg, kw->name, 1, &c->pool.addr, &c->pool.len) < 0)
		return -1;
	if (peek_word(p, "length")) {
		cfg_next(&p->cfg, &t);
		if (cfg_uint(&p->cfg, "prefix-pool length", c->pool.len, 128, &v) < 0)
			return -1;
	} else if (c->pool.len > DEFAULT_ALLOCLEN) {
		return cfg_error(&p->cfg, line,
		                 "%s: the pool is /%u but the allocation length is %u (the "
		                 "default): give \"length\"",
		                 kw->name, c->pool.len, DEFAULT_ALLOCLEN);
	}
	c->pool_alloc_len = (uint8_t)v;
	return 0;
}

/* What one retransmission option sets: its statement and the parameters. */
struct retransmit_arg {
	struct parser *p;
	const char *what;
	struct lma_conf_retransmit *r;
};

static int retransmit_value(void *arg, unsigned which)
{
	const struct retransmit_arg *ra = arg;
	struct parser *p = ra->p;
	char name[64];
	uint32_t v;

	snprintf(name, sizeof(name), "%s %s", ra->what,
	         which == 0   ? "initial"
	         : which == 1 ? "max"
	                      : "tries");
	switch (which) {
	case 0:
		return cfg_duration(&p->cfg, name, 1, 3600 * MS_PER_S, &ra->r->initial_ms);
	case 1:
		return cfg_duration(&p->cfg, name, 1, 3600 * MS_PER_S, &ra->r->max_ms);
	default:
		if (cfg_uint(&p->cfg, name, 1, 255, &v) < 0)
			return -1;
		ra->r->tries = v;
		return 0;
	}
}

/* One "reject-rate" option's value: which 0 per-source, 1 total. */
static int reject_value(void *arg, unsigned which)
{
	struct parser *p = arg;
	struct rl_rate *r = which ? &p->c->reject_total : &p->c->reject_source;

	return cfg_rate(&p->cfg, which ? "reject-rate total" : "reject-rate per-source", &r->per_s,
	                &r->burst);
}

/* "reject-rate [per-source RATE] [total RATE]", in either order, at least one. */
static int parse_reject(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	static const char *const words[] = { "per-source", "total" };

	return cfg_options(&p->cfg, line, kw->name, words, 2, reject_value, p);
}

/* "upn-retransmit" and "revocation-retransmit": [initial D] [max D] [tries N], in any order,
 * at least one; kw->off is the struct lma_conf_retransmit it sets. */
static int parse_retransmit(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	static const char *const words[] = { "initial", "max", "tries" };
	char a[CFG_DURATION_STR], b[CFG_DURATION_STR];
	struct lma_conf_retransmit *r = cfg_stmt_field(sp, kw);
	struct parser *p = sp->ctx;
	struct retransmit_arg ra = { p, kw->name, r };

	if (cfg_options(&p->cfg, line, kw->name, words, 3, retransmit_value, &ra) < 0)
		return -1;
	if (r->max_ms < r->initial_ms)
		return cfg_error(&p->cfg, line, "%s: max %s is less than initial %s", kw->name,
		                 cfg_duration_str(r->max_ms, a),
		                 cfg_duration_str(r->initial_ms, b));
	return 0;
}

/* "prefix-hold attached | off | DURATION". */
static int parse_hold(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;

	(void)line;
	if (peek_word(p, "attached") || peek_word(p, "off")) {
		struct cfg_token t;

		cfg_next(&p->cfg, &t);
		p->c->prefix_hold_ms = strcmp(t.text, "off") == 0 ? 0 : LMA_CONF_HOLD_ATTACHED;
		return 0;
	}
	return cfg_duration(&p->cfg, kw->name, 1, kw->max, &p->c->prefix_hold_ms);
}

static int parse_mn_prefix(struct cfg_parser *sp, void *obj, unsigned line)
{
	struct parser *p = sp->ctx;
	struct lma_conf_mn *mn = obj;
	struct lma_conf_prefix pf;

	if (cfg_prefix(&p->cfg, "prefix", 1, &pf.addr, &pf.len) < 0)
		return -1;
	if (mn->n_static == LMA_CONF_MAX_STATIC)
		return cfg_error(&p->cfg, line, "mn %s: more than %d static prefixes", mn->id,
		                 LMA_CONF_MAX_STATIC);
	mn->static_prefix[mn->n_static++] = pf;
	return 0;
}

static const struct cfg_block_stmt mn_block[] = {
	{ .name = "prefix", .parse = parse_mn_prefix, .flags = CFG_STMT_REPEAT },
};

static int parse_mn_any(struct parser *p, unsigned line)
{
	struct cfg_token t;

	cfg_next(&p->cfg, &t);
	if (p->any_line)
		return cfg_error(&p->cfg, line, "mn any is already set on line %u", p->any_line);
	p->any_line = line;
	p->c->any_mn = true;
	return 0;
}

static int mn_add(struct parser *p, struct lma_conf_mn *mn)
{
	const struct lma_conf_mn *old;

	if (strcmp(mn->id, "any") == 0)
		return cfg_error(&p->cfg, mn->line,
		                 "mn: \"any\" is not an MN-ID (mn any allows every MN)");
	if ((old = lma_conf_find_mn(p->c, mn->id)))
		return cfg_error(&p->cfg, mn->line, "mn %s is already defined on line %u", mn->id,
		                 old->line);
	if (index_add(&p->c->mn_index, &mn->hlink, hash_mn(mn->id)) < 0)
		return cfg_stmt_oom(&p->stmt, mn->line);
	p->c->n_mns++;
	return 0;
}

/* "mn any" or "mn NAI [{ prefix P ... }]" */
static int parse_mn(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	struct lma_conf_mn *mn;

	if (peek_word(p, "any"))
		return parse_mn_any(p, line);
	if (!(mn = calloc(1, sizeof(*mn))))
		return cfg_stmt_oom(&p->stmt, line);
	TAILQ_INSERT_TAIL(&p->c->mns, mn, entry);
	mn->line = line;
	if (cfg_nai(&p->cfg, kw->name, mn->id, sizeof(mn->id)) < 0 || mn_add(p, mn) < 0)
		return -1;
	return cfg_parse_block(sp, "mn", "mn", mn_block, sizeof(mn_block) / sizeof(mn_block[0]), mn);
}

static int parse_mag_mn(struct cfg_parser *sp, void *obj, unsigned line)
{
	struct parser *p = sp->ctx;
	struct lma_conf_mag *mag = obj;
	char a[INET6_ADDRSTRLEN];
	struct lma_conf_mag_mn *m;

	inet_ntop(AF_INET6, &mag->addr, a, sizeof(a));
	if (!(m = calloc(1, sizeof(*m))))
		return cfg_stmt_oom(&p->stmt, line);
	TAILQ_INSERT_TAIL(&mag->mns, m, entry);
	m->line = line;
	m->mag = mag;
	if (cfg_nai(&p->cfg, "mn", m->id, sizeof(m->id)) < 0)
		return -1;
	if (strcmp(m->id, "any") == 0)
		return cfg_error(&p->cfg, line,
		                 "mag %s: \"mn any\" cannot be listed (a mag without a list serves "
		                 "every authorized MN)",
		                 a);
	if (find_mag_mn(p->c, mag, m->id))
		return cfg_error(&p->cfg, line, "mag %s: mn %s is listed twice", a, m->id);
	if (index_add(&p->c->mag_mn_index, &m->hlink, hash_mag_mn(mag, m->id)) < 0)
		return cfg_stmt_oom(&p->stmt, line);
	mag->n_mns++;
	return 0;
}

static const struct cfg_block_stmt mag_block[] = {
	{ .name = "mn", .parse = parse_mag_mn, .flags = CFG_STMT_REPEAT },
};

/* "mag ADDRESS [{ mn NAI ... }]" */
static int parse_mag(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	const struct lma_conf_mag *old;
	struct lma_conf_mag *mag;
	char a[INET6_ADDRSTRLEN];

	if (!(mag = calloc(1, sizeof(*mag))))
		return cfg_stmt_oom(&p->stmt, line);
	TAILQ_INIT(&mag->mns);
	TAILQ_INSERT_TAIL(&p->c->mags, mag, entry);
	mag->line = line;
	mag->conf = p->c;
	if (cfg_in6(&p->cfg, kw->name, &mag->addr) < 0 ||
	    cfg_check_routable(&p->cfg, line, kw->name, &mag->addr) < 0)
		return -1;
	inet_ntop(AF_INET6, &mag->addr, a, sizeof(a));
	if ((old = lma_conf_find_mag(p->c, &mag->addr)))
		return cfg_error(&p->cfg, line, "mag %s is already defined on line %u", a,
		                 old->line);
	if (index_add(&p->c->mag_index, &mag->hlink, hash_mag(&mag->addr)) < 0)
		return cfg_stmt_oom(&p->stmt, line);
	p->c->n_mags++;
	return cfg_parse_block(sp, "mag", "mag", mag_block, sizeof(mag_block) / sizeof(mag_block[0]),
	                       mag);
}

static int parse_queue(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	uint32_t v;

	(void)line;
	if (cfg_uint(&p->cfg, kw->name, 0, UINT16_MAX, &v) < 0)
		return -1;
	p->c->queue_num = (uint16_t)v;
	return 0;
}

static int parse_fail(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	unsigned i;

	(void)line;
	if (cfg_choice(&p->cfg, kw->name, fail_names, 2, &i) < 0)
		return -1;
	p->c->fail_open = i == 1;
	return 0;
}

/* --- policies: "policy { MATCH ... } to TARGET" --- */

/* Decimal, or hexadecimal after "0x"; saturates rather than wrapping. False if s is neither. */
static bool parse_number(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((d = cfg_hex_digit(s[i])) < 0 || (unsigned)d >= base)
			return false;
		v = v > (UINT64_MAX - 15) / 16 ? UINT64_MAX : v * base + (unsigned)d;
	}
	*out = v;
	return true;
}

/* A number from the next token, within 0..max; range names max in the message. */
static int policy_number(struct parser *p, const char *what, uint64_t max, const char *range,
                         uint64_t *out)
{
	struct cfg_token t;
	char q[CFG_QUOTE_MAX];

	if (cfg_value(&p->cfg, what, &t) < 0)
		return -1;
	if (!parse_number(t.text, t.len, out))
		return cfg_error(&p->cfg, t.line, "%s: %s is not a number", what,
		                 cfg_quote(t.text, q));
	if (*out > max)
		return cfg_error(&p->cfg, t.line, "%s: %s is out of range (%s)", what,
		                 cfg_quote(t.text, q), range);
	return 0;
}

static int match_mn(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;

	if (cfg_nai(&p->cfg, "policy mn", m->mn_id, sizeof(m->mn_id)) < 0)
		return -1;
	if (strcmp(m->mn_id, "any") == 0)
		return cfg_error(
		        &p->cfg, line,
		        "policy mn: \"any\" is not an MN-ID (leave mn out to match every MN)");
	return 0;
}

static int match_src(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;

	(void)line;
	m->have_src = true;
	return cfg_prefix(&p->cfg, "policy src", 0, &m->src.addr, &m->src.len);
}

static int match_dst(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;

	(void)line;
	m->have_dst = true;
	return cfg_prefix(&p->cfg, "policy dst", 0, &m->dst.addr, &m->dst.len);
}

static int match_proto(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;
	char q[CFG_QUOTE_MAX];
	struct cfg_token t;
	uint64_t v;
	int named;

	(void)line;
	if (cfg_value(&p->cfg, "policy proto", &t) < 0)
		return -1;
	if ((named = fc_proto_by_name(t.text)) >= 0)
		v = (uint64_t)named;
	else if (!parse_number(t.text, t.len, &v) || v > UINT8_MAX)
		return cfg_error(&p->cfg, t.line,
		                 "policy proto: %s is not a protocol (tcp, udp, icmpv6, sctp, "
		                 "udplite or 0..255)",
		                 cfg_quote(t.text, q));
	m->have_proto = true;
	m->proto = (uint8_t)v;
	return 0;
}

static bool parse_port(const char *s, size_t n, uint16_t *out)
{
	uint64_t v;

	if (n == 0 || strspn(s, "0123456789") < n || !parse_number(s, n, &v) || v > UINT16_MAX)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* "N" or "N-M", decimal, 0..65535, N <= M. */
static int parse_port_range(struct parser *p, const char *what, uint16_t *lo, uint16_t *hi)
{
	char q[CFG_QUOTE_MAX];
	struct cfg_token t;
	const char *dash;
	size_t n;

	if (cfg_value(&p->cfg, what, &t) < 0)
		return -1;
	dash = strchr(t.text, '-');
	n = dash ? (size_t)(dash - t.text) : t.len;
	if (!parse_port(t.text, n, lo) ||
	    !parse_port(dash ? dash + 1 : t.text, dash ? t.len - n - 1 : n, hi))
		return cfg_error(&p->cfg, t.line,
		                 "%s: %s is not a port or a range of ports (0..65535, N or N-M)",
		                 what, cfg_quote(t.text, q));
	if (*lo > *hi)
		return cfg_error(&p->cfg, t.line, "%s: range %s ends before it starts", what,
		                 cfg_quote(t.text, q));
	return 0;
}

static int match_sport(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;

	(void)line;
	return parse_port_range(p, "policy src-port", &m->sport_lo, &m->sport_hi);
}

static int match_dport(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;

	(void)line;
	return parse_port_range(p, "policy dst-port", &m->dport_lo, &m->dport_hi);
}

static int match_flow_label(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;
	uint64_t v;

	(void)line;
	if (policy_number(p, "policy flow-label", FLOW_LABEL_MAX, "0..0xfffff", &v) < 0)
		return -1;
	m->have_flow_label = true;
	m->flow_label = (uint32_t)v;
	return 0;
}

static int match_tclass(struct parser *p, void *obj, unsigned line)
{
	struct fc_match *m = obj;
	uint64_t v;

	(void)line;
	if (policy_number(p, "policy traffic-class", UINT8_MAX, "0..255", &v) < 0)
		return -1;
	m->have_tclass = true;
	m->tclass = (uint8_t)v;
	return 0;
}

/* Sorted by strcmp(). */
static const struct block_keyword match_block[] = {
	{ .name = "dst", .parse = match_dst },
	{ .name = "dst-port", .parse = match_dport },
	{ .name = "flow-label", .parse = match_flow_label },
	{ .name = "mn", .parse = match_mn },
	{ .name = "proto", .parse = match_proto },
	{ .name = "src", .parse = match_src },
	{ .name = "src-port", .parse = match_sport },
	{ .name = "traffic-class", .parse = match_tclass },
};
#define N_MATCH (sizeof(match_block) / sizeof(match_block[0]))

/* "{ KEYWORD VALUE ... }": each keyword at most once; "{ }" matches every flow. */
static int parse_match(struct parser *p, struct fc_match *m, unsigned line)
{
	const struct block_keyword *kw;
	struct cfg_token t;
	unsigned open, got = 0, bit;
	int r;

	if ((r = cfg_block_open(&p->cfg, &open)) == 0)
		return cfg_error(
		        &p->cfg, line,
		        "policy: missing \"{\" (\"policy { } to ...\" matches every flow)");
	while (r > 0 && (r = cfg_block_next(&p->cfg, open, &t)) == 1) {
		if (!(kw = cfg_lookup(match_block, N_MATCH, sizeof(*kw), t.text)))
			return cfg_unknown_keyword(&p->cfg, "policy", &t);
		bit = 1u << (kw - match_block);
		if (got & bit)
			return cfg_error(&p->cfg, t.line, "policy: %s is given twice", kw->name);
		got |= bit;
		if (kw->parse(p, m, t.line) < 0)
			return -1;
	}
	return r;
}

/* The words after the match block, up to the end of the line. */
static int steering_words(struct parser *p, char words[][CFG_TOKEN_MAX + 1], size_t max,
                          size_t *n)
{
	struct cfg_token t;

	for (*n = 0; cfg_peek(&p->cfg)->type != CFG_NL && cfg_peek(&p->cfg)->type != CFG_EOF;) {
		cfg_next(&p->cfg, &t);
		if ((t.type != CFG_WORD && t.type != CFG_STRING) || *n == max)
			return cfg_unexpected(&p->cfg, "policy", &t);
		memcpy(words[(*n)++], t.text, t.len + 1);
	}
	return 0;
}

/* A MAG a policy names takes the same addresses as a "mag" statement. */
static int check_targets(struct parser *p, const struct fc_policy *fp, unsigned line)
{
	for (unsigned i = 0; i < fp->n_targets; i++)
		if (fp->targets[i].kind == FC_TARGET_MAG &&
		    cfg_check_routable(&p->cfg, line, "policy mag", &fp->targets[i].mag) < 0)
			return -1;
	return 0;
}

/* "to TARGET" or "MODE TARGET [weight N] ... [OPTION VALUE] ...", on the line of
 * the closing "}", read by the words' grammar pmipctl shares (lma/fc_words.c). */
static int parse_target(struct parser *p, struct fc_policy *fp)
{
	static char words[2 + 4 * FC_TARGETS_MAX + 8][CFG_TOKEN_MAX + 1];
	char *argv[sizeof(words) / sizeof(words[0])];
	unsigned line = cfg_peek(&p->cfg)->line;
	char err[256];
	size_t n;

	if (steering_words(p, words, sizeof(words) / sizeof(words[0]), &n) < 0)
		return -1;
	if (n == 0)
		return cfg_error(&p->cfg, line,
		                 "policy: missing target (to att N, to mag ADDRESS, to llid MAC or "
		                 "to default, or a mode and its targets)");
	for (size_t i = 0; i < n; i++)
		argv[i] = words[i];
	if (fc_steering_from_words(fp, argv, n, err, sizeof(err)) < 0)
		return cfg_error(&p->cfg, line, "policy: %s", err);
	return check_targets(p, fp, line);
}

/* "policy { MATCH ... } to TARGET" */
static int parse_policy(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	struct lma_conf_policy *cp;

	(void)kw;
	if (!(cp = calloc(1, sizeof(*cp))))
		return cfg_stmt_oom(&p->stmt, line);
	TAILQ_INSERT_TAIL(&p->c->policies, cp, entry);
	p->c->n_policies++;
	cp->line = line;
	fc_policy_init(&cp->policy);
	if (parse_match(p, &cp->policy.match, line) < 0)
		return -1;
	return parse_target(p, &cp->policy);
}

#define FIELD(f)  CFG_FIELD(struct lma_conf, f)
#define STRING(f) CFG_STRING(struct lma_conf, f)
#define REPEAT    CFG_STMT_REPEAT

/* Sorted by strcmp(): looked up with bsearch(). */
static const struct cfg_stmt keywords[] = {
	/* name, parser, flags, field, min, max */
	{ "bce-delete-delay", cfg_stmt_ms, 0, FIELD(bce_delete_delay_ms), 0, 3600 * MS_PER_S },
	CFG_STMT_BINDING_ERROR_RATE(struct lma_conf),
	{ "binding-file", cfg_stmt_path, 0, STRING(binding_path) },
	{ "binding-sync", cfg_stmt_ms, 0, FIELD(binding_sync_ms), 100, 3600 * MS_PER_S },
	CFG_STMTS_CONTROL(struct lma_conf),
	{ "flow-fail", parse_fail, 0, 0, 0, 0 },
	{ "flow-idle-timeout", cfg_stmt_ms, 0, FIELD(flow_idle_ms), MS_PER_S, FLOW_IDLE_MAX_MS },
	{ "flow-max", cfg_stmt_u32, 0, FIELD(flow_max), 1, LIMIT_MAX },
	{ "flow-max-per-mn", cfg_stmt_u32, 0, FIELD(flow_max_mn), 1, LIMIT_MAX },
	{ "flow-queue", parse_queue, 0, 0, 0, 0 },
	CFG_STMT_GROUP(struct lma_conf),
	CFG_STMT_HEARTBEAT(struct lma_conf),
	{ "lease-file", cfg_stmt_path, 0, STRING(lease_path) },
	{ "lease-sync", cfg_stmt_ms, 0, FIELD(lease_sync_ms), 100, 3600 * MS_PER_S },
	CFG_STMT_LMA_ADDRESS(struct lma_conf),
	{ "mag", parse_mag, REPEAT, 0, 0, 0 },
	{ "max-bindings", cfg_stmt_u32, 0, FIELD(max_bindings), 1, LIMIT_MAX },
	{ "max-bindings-per-mag", cfg_stmt_u32, 0, FIELD(max_bindings_mag), 1, LIMIT_MAX },
	{ "max-bindings-per-mn", cfg_stmt_u32, 0, FIELD(max_bindings_mn), 1, 1024 },
	{ "max-lifetime", cfg_stmt_seconds, 0, FIELD(max_lifetime_s), 4 * MS_PER_S,
	  LIFETIME_MAX_MS },
	{ "max-resting-prefixes", cfg_stmt_u32, 0, FIELD(max_resting), 0, LIMIT_MAX },
	{ "mn", parse_mn, REPEAT, 0, 0, 0 },
	CFG_STMT_MUHO(struct lma_conf),
	{ "new-bce-delay", cfg_stmt_ms, 0, FIELD(new_bce_delay_ms), 0, 60 * MS_PER_S },
	{ "policy", parse_policy, REPEAT, 0, 0, 0 },
	{ "prefix-hold", parse_hold, 0, 0, 0, 86400 * MS_PER_S },
	{ "prefix-pool", parse_pool, 0, 0, 0, 0 },
	{ "reject-rate", parse_reject, 0, 0, 0, 0 },
	{ "replay-protection", parse_replay, 0, 0, 0, 0 },
	{ "revocation-retransmit", parse_retransmit, 0, FIELD(revoke), 0, 0 },
	CFG_STMT_RULE_PRIORITY(struct lma_conf),
	CFG_STMT_TABLE_BASE(struct lma_conf),
	{ "timestamp-window", cfg_stmt_ms, 0, FIELD(timestamp_window_ms), 1, 60 * MS_PER_S },
	CFG_STMTS_TUNNEL(struct lma_conf),
	CFG_STMT_UPLINK(struct lma_conf),
	{ "upn-retransmit", parse_retransmit, 0, FIELD(upn), 0, 0 },
	CFG_STMT_USER(struct lma_conf),
};

/* --- validation of the whole --- */

static unsigned seen_line(const struct parser *p, const char *name)
{
	return cfg_stmt_seen(&p->stmt, name);
}

static int check_required(struct parser *p)
{
	unsigned end = cfg_line(&p->cfg);

	if (!seen_line(p, "lma-address"))
		return cfg_error(&p->cfg, end, "lma-address is required");
	if (!seen_line(p, "uplink-interface"))
		return cfg_error(&p->cfg, end, "uplink-interface is required");
	if (p->c->n_mns == 0 && !p->c->any_mn)
		return cfg_error(&p->cfg, end,
		                 "no MN is authorized: add \"mn\" statements or \"mn any\"");
	if (p->c->n_mags == 0)
		return cfg_error(&p->cfg, end, "no MAG is authorized: add \"mag\" statements");
	return 0;
}

/* Without a pool, only MNs with static prefixes can be served: all must have some. */
static int check_pool_needed(struct parser *p)
{
	const struct lma_conf_mn *mn;

	if (p->c->pool_alloc_len != 0)
		return 0;
	if (p->c->any_mn)
		return cfg_error(&p->cfg, p->any_line, "mn any needs a prefix-pool");
	TAILQ_FOREACH(mn, &p->c->mns, entry)
	if (mn->n_static == 0)
		return cfg_error(&p->cfg, mn->line,
		                 "mn %s has no static prefix and there is no prefix-pool", mn->id);
	return 0;
}

static int check_mag(struct parser *p, const struct lma_conf_mag *mag)
{
	const struct lma_conf *c = p->c;
	const struct lma_conf_mag_mn *m;
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &mag->addr, a, sizeof(a));
	if (IN6_ARE_ADDR_EQUAL(&mag->addr, &c->lma_addr))
		return cfg_error(&p->cfg, mag->line, "mag %s is the lma-address", a);
	if (c->any_mn)
		return 0;
	TAILQ_FOREACH(m, &mag->mns, entry)
	if (!lma_conf_find_mn(c, m->id))
		return cfg_error(&p->cfg, m->line,
		                 "mag %s: mn %s is not authorized (no \"mn %s\" and no \"mn any\")",
		                 a, m->id, m->id);
	return 0;
}

struct static_ref {
	const struct lma_conf_prefix *pf;
	const struct lma_conf_mn *mn;
};

static int static_cmp(const void *a, const void *b)
{
	const struct lma_conf_prefix *x = ((const struct static_ref *)a)->pf;
	const struct lma_conf_prefix *y = ((const struct static_ref *)b)->pf;
	int r = memcmp(&x->addr, &y->addr, sizeof(x->addr));

	return r ? r : (int)x->len - (int)y->len;
}

static int overlap_error(struct parser *p, const struct static_ref *a, const struct static_ref *b)
{
	char x[INET6_ADDRSTRLEN + 4], y[INET6_ADDRSTRLEN + 4];

	if (a->mn->line > b->mn->line) {
		const struct static_ref *t = a;

		a = b;
		b = t;
	}
	cfg_prefix_str(&b->pf->addr, b->pf->len, x, sizeof(x));
	cfg_prefix_str(&a->pf->addr, a->pf->len, y, sizeof(y));
	if (a->mn == b->mn)
		return cfg_error(&p->cfg, b->mn->line, "mn %s: prefix %s overlaps its prefix %s",
		                 b->mn->id, x, y);
	return cfg_error(&p->cfg, b->mn->line,
	                 "mn %s: prefix %s overlaps prefix %s of mn %s (line %u)", b->mn->id, x, y,
	                 a->mn->id, a->mn->line);
}

static int check_in_pool(struct parser *p, const struct static_ref *r)
{
	const struct lma_conf *c = p->c;
	char x[INET6_ADDRSTRLEN + 4], y[INET6_ADDRSTRLEN + 4];

	if (c->pool_alloc_len == 0 ||
	    !cfg_prefix_overlap(&r->pf->addr, r->pf->len, &c->pool.addr, c->pool.len))
		return 0;
	return cfg_error(&p->cfg, r->mn->line, "mn %s: prefix %s overlaps prefix-pool %s",
	                 r->mn->id, cfg_prefix_str(&r->pf->addr, r->pf->len, x, sizeof(x)),
	                 cfg_prefix_str(&c->pool.addr, c->pool.len, y, sizeof(y)));
}

/* Prefixes are nested or disjoint: sorted by address then length, any overlap shows between
 * neighbours. */
static int check_overlaps(struct parser *p, struct static_ref *refs, size_t n)
{
	qsort(refs, n, sizeof(*refs), static_cmp);
	for (size_t i = 0; i + 1 < n; i++)
		if (cfg_prefix_overlap(&refs[i].pf->addr, refs[i].pf->len, &refs[i + 1].pf->addr,
		                       refs[i + 1].pf->len))
			return overlap_error(p, &refs[i], &refs[i + 1]);
	return 0;
}

static int check_static(struct parser *p)
{
	const struct lma_conf_mn *mn;
	struct static_ref *refs;
	size_t n = 0;
	int rc = 0;

	TAILQ_FOREACH(mn, &p->c->mns, entry)
	n += mn->n_static;
	if (n == 0)
		return 0;
	if (!(refs = calloc(n, sizeof(*refs))))
		return cfg_stmt_oom(&p->stmt, cfg_line(&p->cfg));
	n = 0;
	TAILQ_FOREACH(mn, &p->c->mns, entry)
	{
		for (unsigned i = 0; i < mn->n_static && rc == 0; i++, n++) {
			refs[n] = (struct static_ref){ .pf = &mn->static_prefix[i], .mn = mn };
			rc = check_in_pool(p, &refs[n]);
		}
	}
	if (rc == 0)
		rc = check_overlaps(p, refs, n);
	free(refs);
	return rc;
}

/* A policy naming an MN or a MAG that can never register would never apply. */
static int check_policy(struct parser *p, const struct lma_conf_policy *cp)
{
	const struct fc_policy *fp = &cp->policy;
	const struct lma_conf *c = p->c;
	char a[INET6_ADDRSTRLEN];

	if (fp->match.mn_id[0] && !c->any_mn && !lma_conf_find_mn(c, fp->match.mn_id))
		return cfg_error(&p->cfg, cp->line,
		                 "policy: mn %s is not authorized (no \"mn %s\" and no \"mn any\")",
		                 fp->match.mn_id, fp->match.mn_id);
	for (unsigned i = 0; i < fp->n_targets; i++) {
		const struct fc_target *t = &fp->targets[i];

		if (t->kind != FC_TARGET_MAG || lma_conf_find_mag(c, &t->mag))
			continue;
		inet_ntop(AF_INET6, &t->mag, a, sizeof(a));
		return cfg_error(&p->cfg, cp->line, "policy: mag %s: no \"mag %s\" statement", a,
		                 a);
	}
	return 0;
}

static int validate(struct parser *p)
{
	const struct lma_conf_policy *cp;
	const struct lma_conf_mag *mag;

	if (check_required(p) < 0 || check_pool_needed(p) < 0)
		return -1;
	TAILQ_FOREACH(mag, &p->c->mags, entry)
	if (check_mag(p, mag) < 0)
		return -1;
	TAILQ_FOREACH(cp, &p->c->policies, entry)
	if (check_policy(p, cp) < 0)
		return -1;
	return check_static(p);
}

CFG_GRAMMAR(lma_conf, struct lma_conf, struct parser, keywords, conf_new, validate);

/* --- printing (lmad -nv) --- */

/* A state file's statement, if it names one. */
static void print_file(FILE *out, const char *kw, const char *path)
{
	if (!path[0])
		return;
	fprintf(out, "%s ", kw);
	cfg_print_word(out, path);
	fputc('\n', out);
}

static void print_pool(FILE *out, const struct lma_conf *c)
{
	char s[INET6_ADDRSTRLEN + 4];

	if (c->pool_alloc_len == 0) {
		fputs("# no prefix-pool: every mn has static prefixes\n", out);
		return;
	}
	fprintf(out, "prefix-pool %s length %u\n",
	        cfg_prefix_str(&c->pool.addr, c->pool.len, s, sizeof(s)), c->pool_alloc_len);
}

static void print_retransmit(FILE *out, const char *name, const struct lma_conf_retransmit *r)
{
	char a[CFG_DURATION_STR], b[CFG_DURATION_STR];

	fprintf(out, "%s initial %s max %s tries %u\n", name, cfg_duration_str(r->initial_ms, a),
	        cfg_duration_str(r->max_ms, b), r->tries);
}

static void print_hold(FILE *out, uint32_t ms)
{
	if (ms == LMA_CONF_HOLD_ATTACHED)
		fputs("prefix-hold attached\n", out);
	else if (ms == 0)
		fputs("prefix-hold off\n", out);
	else
		cfg_print_ms(out, "prefix-hold", ms);
}

static void print_settings(FILE *out, const struct lma_conf *c)
{

	cfg_print_addr(out, "lma-address", &c->lma_addr);
	fputs("uplink-interface ", out);
	cfg_print_word(out, c->uplink);
	fputc('\n', out);
	cfg_print_tunnel(out, c->driver, c->tunnel_mtu, c->table_base, c->rule_priority,
	                 c->muho_type);
	fprintf(out, "replay-protection %s\n", replay_names[c->use_timestamps]);
	cfg_print_ms(out, "timestamp-window", c->timestamp_window_ms);
	cfg_print_ms(out, "max-lifetime", (uint64_t)c->max_lifetime_s * MS_PER_S);
	cfg_print_ms(out, "bce-delete-delay", c->bce_delete_delay_ms);
	cfg_print_ms(out, "new-bce-delay", c->new_bce_delay_ms);
	print_hold(out, c->prefix_hold_ms);
	print_retransmit(out, "upn-retransmit", &c->upn);
	print_retransmit(out, "revocation-retransmit", &c->revoke);
	cfg_heartbeat_print(out, &c->heartbeat);
	fputs("reject-rate per-source ", out);
	cfg_print_rate(out, c->reject_source.per_s, c->reject_source.burst);
	fputs(" total ", out);
	cfg_print_rate(out, c->reject_total.per_s, c->reject_total.burst);
	fputs("\nbinding-error-rate ", out);
	cfg_print_rate(out, c->be_rate.per_s, c->be_rate.burst);
	fputc('\n', out);
	fprintf(out, "max-bindings %u\n", (unsigned)c->max_bindings);
	fprintf(out, "max-bindings-per-mag %u\n", (unsigned)c->max_bindings_mag);
	fprintf(out, "max-bindings-per-mn %u\n", (unsigned)c->max_bindings_mn);
	print_pool(out, c);
	fprintf(out, "max-resting-prefixes %u\n", (unsigned)c->max_resting);
	print_file(out, "lease-file", c->lease_path);
	cfg_print_ms(out, "lease-sync", c->lease_sync_ms);
	print_file(out, "binding-file", c->binding_path);
	cfg_print_ms(out, "binding-sync", c->binding_sync_ms);
	fputs("control-socket ", out);
	cfg_print_word(out, c->ctl_path);
	fputs("\ncontrol-group ", out);
	cfg_print_word(out, c->ctl_group);
	fprintf(out, "\ncontrol-max-clients %u\n", (unsigned)c->ctl_max_clients);
	cfg_print_account(out, c->run_user, c->run_group);
	cfg_print_ms(out, "control-idle-timeout", c->ctl_idle_ms);
	fprintf(out, "flow-queue %u\n", c->queue_num);
	fprintf(out, "flow-fail %s\n", fail_names[c->fail_open]);
	cfg_print_ms(out, "flow-idle-timeout", c->flow_idle_ms);
	fprintf(out, "flow-max %u\n", (unsigned)c->flow_max);
	fprintf(out, "flow-max-per-mn %u\n", (unsigned)c->flow_max_mn);
}

static void print_mn(FILE *out, const struct lma_conf_mn *mn)
{
	char s[INET6_ADDRSTRLEN + 4];

	fputs("mn ", out);
	cfg_print_word(out, mn->id);
	if (mn->n_static == 0) {
		fputc('\n', out);
		return;
	}
	fputs(" {\n", out);
	for (unsigned i = 0; i < mn->n_static; i++)
		fprintf(out, "\tprefix %s\n",
		        cfg_prefix_str(&mn->static_prefix[i].addr, mn->static_prefix[i].len, s,
		                       sizeof(s)));
	fputs("}\n", out);
}

static void print_mag(FILE *out, const struct lma_conf_mag *mag)
{
	const struct lma_conf_mag_mn *m;
	char s[INET6_ADDRSTRLEN];

	fprintf(out, "mag %s", inet_ntop(AF_INET6, &mag->addr, s, sizeof(s)));
	if (mag->n_mns == 0) {
		fputc('\n', out);
		return;
	}
	fputs(" {\n", out);
	TAILQ_FOREACH(m, &mag->mns, entry)
	{
		fputs("\tmn ", out);
		cfg_print_word(out, m->id);
		fputc('\n', out);
	}
	fputs("}\n", out);
}

static void print_policy(FILE *out, const struct fc_policy *fp)
{
	fputs("policy {", out);
	fc_match_print_words(out, &fp->match, cfg_print_word);
	fputs(" } ", out);
	fc_target_print_words(out, fp);
	fputc('\n', out);
}

void lma_conf_print(FILE *out, const struct lma_conf *c)
{
	const struct lma_conf_policy *cp;
	const struct lma_conf_mn *mn;
	const struct lma_conf_mag *mag;

	print_settings(out, c);
	if (c->any_mn)
		fputs("mn any\n", out);
	TAILQ_FOREACH(mn, &c->mns, entry)
	print_mn(out, mn);
	TAILQ_FOREACH(mag, &c->mags, entry)
	print_mag(out, mag);
	TAILQ_FOREACH(cp, &c->policies, entry)
	print_policy(out, &cp->policy);
}
