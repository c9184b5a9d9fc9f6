/* mag_conf.c: magd.conf(5), the configuration of the MAG: its grammar (a sorted statement table of
 * common/cfgstmt.c over the lexer of common/cfgparse.c, as lma/lma_conf.c), the validation of the
 * whole, the printout of magd -nv, and the lookups the daemon makes per Router Solicitation (by
 * the MN's MAC) and per PBA (by MN-ID), both through hash indexes built while parsing. Defaults
 * are RFC 5213's and RFC 6275 §12's (INITIAL_BINDACK_TIMEOUT 1 s, MAX_BINDACK_TIMEOUT 32 s); the
 * Access Technology Types are RFC 5213 §8.5's (0 reserved, 4 IEEE 802.11a/b/g); the router
 * lifetime bounds are RFC 4861 §6.2.1's; the MuHo type is shared/reference pmipv6-protocol.md
 * §1.6's. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "common/cfgstmt.h"
#include "common/ctl.h"
#include "mag/mag_conf.h"

#define MS_PER_S        1000u
#define LIFETIME_UNIT   (4 * MS_PER_S)           /* the PBU's lifetime is in units of 4 s */
#define LIFETIME_MAX_MS (65535u * LIFETIME_UNIT) /* 262140 s */
#define RETRANSMIT_MAX  (3600 * MS_PER_S)
#define RA_INTERVAL_MIN (1 * MS_PER_S)
#define RA_INTERVAL_MAX (1800 * MS_PER_S)
#define RA_LIFETIME_MAX (9000 * MS_PER_S) /* RFC 4861 §6.2.1 AdvDefaultLifetime */
#define ATT_DEFAULT     4 /* IEEE 802.11a/b/g */
#define DEFAULT_LL      "fe80::1"
#define DEFAULT_SOCKET  "/run/pmip6/magd.sock"
#define MAC_STR         18 /* "xx:xx:xx:xx:xx:xx" and its NUL */
#define RA_MTU_MIN      1280 /* the IPv6 minimum link MTU (RFC 8200 §5) */
#define RA_MTU_MAX      65535

struct parser {
	struct cfg cfg;
	struct mag_conf *c;
	struct cfg_parser stmt; /* the statement table's dispatch (common/cfgstmt.h) */
};

static const char *const bool_names[] = { "no", "yes" };

/* --- the indexes and lookups --- */

static uint64_t hash_id(const char *id)
{
	return hash_bytes(id, strlen(id), 0);
}

static uint64_t hash_mac(const uint8_t mac[6])
{
	return hash_bytes(mac, 6, 0);
}

const struct mag_conf_mn *mag_conf_find_mn(const struct mag_conf *c, const char *id)
{
	uint64_t h = hash_id(id);

	for (struct hnode *n = hmap_first(&c->mn_index, h); n; n = hmap_next_same(n)) {
		const struct mag_conf_mn *mn = HMAP_ENTRY(n, struct mag_conf_mn, id_node);

		if (strcmp(mn->id, id) == 0)
			return mn;
	}
	return NULL;
}

static const struct mag_conf_mac_link *find_mac(const struct mag_conf *c, const uint8_t mac[6])
{
	uint64_t h = hash_mac(mac);

	for (struct hnode *n = hmap_first(&c->mac_index, h); n; n = hmap_next_same(n)) {
		const struct mag_conf_mac_link *l = HMAP_ENTRY(n, struct mag_conf_mac_link, node);

		if (memcmp(l->mn->macs[l - l->mn->mac_link], mac, 6) == 0)
			return l;
	}
	return NULL;
}

const struct mag_conf_mn *mag_conf_find_mac(const struct mag_conf *c, const uint8_t mac[6])
{
	const struct mag_conf_mac_link *l = find_mac(c, mac);

	return l ? l->mn : NULL;
}

/* A linear search: a MAG has a handful of access links. */
const struct mag_conf_access *mag_conf_find_access(const struct mag_conf *c, const char *ifname)
{
	const struct mag_conf_access *a;

	TAILQ_FOREACH(a, &c->access, entry)
	if (strcmp(a->ifname, ifname) == 0)
		return a;
	return NULL;
}

/* --- life cycle --- */

static void conf_defaults(struct mag_conf *c)
{
	inet_pton(AF_INET6, DEFAULT_LL, &c->link_local);
	CFG_DEFAULTS_COMMON(c, DEFAULT_SOCKET);
	c->table_base = 2000;
	c->lifetime_s = 600;
	c->refresh_margin_s = 30;
	c->retransmit_initial_ms = 1000;
	c->retransmit_max_ms = 32000;
	c->retransmit_tries = 0; /* unlimited */
	c->ra_interval_ms = 10000;
	c->ra_router_lifetime_s = 1800;
	c->ra_mtu = RA_MTU_MIN;
	c->state_sync_ms = MS_PER_S;
}

static struct mag_conf *conf_new(void)
{
	struct mag_conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	TAILQ_INIT(&c->access);
	TAILQ_INIT(&c->mns);
	if (!hmap_init(&c->mn_index, 16) || !hmap_init(&c->mac_index, 16)) {
		mag_conf_free(c);
		return NULL;
	}
	conf_defaults(c);
	return c;
}

void mag_conf_free(struct mag_conf *c)
{
	if (!c)
		return;
	CFG_LIST_FREE(&c->access, struct mag_conf_access, free);
	CFG_LIST_FREE(&c->mns, struct mag_conf_mn, free);
	hmap_free(&c->mn_index);
	hmap_free(&c->mac_index);
	free(c);
}

/* --- statements --- */

static int parse_lifetime(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	return cfg_stmt_seconds_unit(sp, kw, line, LIFETIME_UNIT);
}

static int parse_link_local(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	struct in6_addr *a = &p->c->link_local;
	char s[INET6_ADDRSTRLEN];

	if (cfg_in6(&p->cfg, kw->name, a) < 0)
		return -1;
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return 0;
	inet_ntop(AF_INET6, a, s, sizeof(s));
	return cfg_error(&p->cfg, line, "%s: %s is not a link-local address (fe80::/10)", kw->name,
	                 s);
}

/* "tries N" (1..255, then the MN is given up) or "tries unlimited" (0: RFC 5213 §6.9.4, retry
 * until an answer comes). */
static int retransmit_tries(struct parser *p)
{
	struct cfg_token t;
	uint32_t v;

	if (strcmp(cfg_peek(&p->cfg)->text, "unlimited") == 0) {
		(void)cfg_value(&p->cfg, "retransmit tries", &t);
		p->c->retransmit_tries = 0;
		return 0;
	}
	if (cfg_uint(&p->cfg, "retransmit tries", 1, 255, &v) < 0)
		return -1;
	p->c->retransmit_tries = v;
	return 0;
}

static int retransmit_value(void *arg, unsigned which)
{
	struct parser *p = arg;
	struct mag_conf *c = p->c;

	switch (which) {
	case 0:
		return cfg_duration(&p->cfg, "retransmit initial", 1, RETRANSMIT_MAX,
		                    &c->retransmit_initial_ms);
	case 1:
		return cfg_duration(&p->cfg, "retransmit max", 1, RETRANSMIT_MAX,
		                    &c->retransmit_max_ms);
	default:
		return retransmit_tries(p);
	}
}

/* "retransmit [initial D] [max D] [tries N]", in any order, at least one. */
static int parse_retransmit(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	static const char *const words[] = { "initial", "max", "tries" };
	char a[CFG_DURATION_STR], b[CFG_DURATION_STR];
	const struct mag_conf *c = p->c;

	if (cfg_options(&p->cfg, line, kw->name, words, 3, retransmit_value, p) < 0)
		return -1;
	if (c->retransmit_max_ms < c->retransmit_initial_ms)
		return cfg_error(&p->cfg, line, "%s: max %s is less than initial %s", kw->name,
		                 cfg_duration_str(c->retransmit_max_ms, a),
		                 cfg_duration_str(c->retransmit_initial_ms, b));
	return 0;
}

/* --- blocks --- */

static int parse_att(struct cfg_parser *p, void *obj, unsigned line)
{
	struct mag_conf_access *a = obj;
	uint32_t v;

	(void)line;
	if (cfg_uint(p->cfg, "access-technology", 1, 255, &v) < 0)
		return -1;
	a->att = (uint8_t)v;
	return 0;
}

static int parse_attach_on_link_up(struct cfg_parser *p, void *obj, unsigned line)
{
	struct mag_conf_access *a = obj;

	(void)line;
	return cfg_bool(p->cfg, "attach-on-link-up", &a->attach_on_link_up);
}

static const struct cfg_block_stmt access_block[] = {
	{ .name = "access-technology", .parse = parse_att },
	{ .name = "attach-on-link-up", .parse = parse_attach_on_link_up },
};

/* "access-interface NAME [{ access-technology N attach-on-link-up yes|no }]" */
static int parse_access(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	const struct mag_conf_access *old;
	struct mag_conf_access *a;
	char what[IFNAMSIZ + 32];

	if (!(a = calloc(1, sizeof(*a))))
		return cfg_stmt_oom(&p->stmt, line);
	a->line = line;
	a->att = ATT_DEFAULT;
	if (cfg_ifname(&p->cfg, kw->name, a->ifname) < 0) {
		free(a);
		return -1;
	}
	if ((old = mag_conf_find_access(p->c, a->ifname))) {
		cfg_error(&p->cfg, line, "access-interface %s is already defined on line %u",
		          a->ifname, old->line);
		free(a);
		return -1;
	}
	TAILQ_INSERT_TAIL(&p->c->access, a, entry);
	p->c->n_access++;
	snprintf(what, sizeof(what), "access-interface %s", a->ifname);
	return cfg_parse_block(sp, "access-interface", what, access_block,
	                       sizeof(access_block) / sizeof(access_block[0]), a);
}

static const char *mac_str(const uint8_t mac[6], char buf[MAC_STR])
{
	snprintf(buf, MAC_STR, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
	         mac[4], mac[5]);
	return buf;
}

/* Exactly six pairs of hex digits separated by colons. */
bool mag_conf_mac_parse(const char *s, size_t len, uint8_t mac[6])
{
	if (len != MAC_STR - 1)
		return false;
	for (unsigned i = 0; i < 6; i++, s += 3) {
		int hi = cfg_hex_digit(s[0]), lo = cfg_hex_digit(s[1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* An MN's MAC: a unicast, non-zero Ethernet address. */
static int mac_value(struct cfg *c, const char *what, uint8_t mac[6])
{
	static const uint8_t zero[6];
	char q[CFG_QUOTE_MAX], s[MAC_STR];
	struct cfg_token t;

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if (!mag_conf_mac_parse(t.text, t.len, mac))
		return cfg_error(c, t.line, "%s: %s is not a MAC address (like 02:00:00:00:00:01)",
		                 what, cfg_quote(t.text, q));
	if (mac[0] & 1)
		return cfg_error(c, t.line, "%s: %s is a multicast address", what, mac_str(mac, s));
	if (memcmp(mac, zero, 6) == 0)
		return cfg_error(c, t.line, "%s: %s is the all-zero address", what,
		                 mac_str(mac, s));
	return 0;
}

/* Indexes mn's MAC number i, unless an MN already has it. */
static int mac_add(struct parser *p, struct mag_conf_mn *mn, unsigned i, unsigned line)
{
	const struct mag_conf_mac_link *old = find_mac(p->c, mn->macs[i]);
	struct mag_conf_mac_link *l = &mn->mac_link[i];
	char s[MAC_STR];

	mac_str(mn->macs[i], s);
	if (old && old->mn == mn)
		return cfg_error(&p->cfg, line, "mn %s: mac %s is listed twice", mn->id, s);
	if (old)
		return cfg_error(&p->cfg, line, "mn %s: mac %s is already mn %s's (line %u)",
		                 mn->id, s, old->mn->id, old->mn->line);
	l->mn = mn;
	l->node.hash = hash_mac(mn->macs[i]);
	if (!hmap_insert(&p->c->mac_index, &l->node))
		return cfg_stmt_oom(&p->stmt, line);
	mn->n_macs++;
	return 0;
}

static int parse_mn_mac(struct cfg_parser *sp, void *obj, unsigned line)
{
	struct parser *p = sp->ctx;
	struct mag_conf_mn *mn = obj;
	uint8_t mac[6];

	if (mac_value(&p->cfg, "mac", mac) < 0)
		return -1;
	if (mn->n_macs == MAG_CONF_MAX_MACS)
		return cfg_error(&p->cfg, line, "mn %s: more than %d mac addresses", mn->id,
		                 MAG_CONF_MAX_MACS);
	memcpy(mn->macs[mn->n_macs], mac, 6);
	return mac_add(p, mn, mn->n_macs, line);
}

static int parse_mn_muho(struct cfg_parser *p, void *obj, unsigned line)
{
	struct mag_conf_mn *mn = obj;

	(void)line;
	return cfg_bool(p->cfg, "multihoming", &mn->multihoming);
}

/* Sorted by strcmp(). */
static const struct cfg_block_stmt mn_block[] = {
	{ .name = "mac", .parse = parse_mn_mac, .flags = CFG_STMT_REPEAT },
	{ .name = "multihoming", .parse = parse_mn_muho },
};

static int mn_add(struct parser *p, struct mag_conf_mn *mn)
{
	const struct mag_conf_mn *old;

	if (strcmp(mn->id, "any") == 0)
		return cfg_error(&p->cfg, mn->line,
		                 "mn: \"any\" is not an MN-ID (magd serves the MNs it lists)");
	if ((old = mag_conf_find_mn(p->c, mn->id)))
		return cfg_error(&p->cfg, mn->line, "mn %s is already defined on line %u", mn->id,
		                 old->line);
	mn->id_node.hash = hash_id(mn->id);
	if (!hmap_insert(&p->c->mn_index, &mn->id_node))
		return cfg_stmt_oom(&p->stmt, mn->line);
	p->c->n_mns++;
	return 0;
}

/* "mn NAI [{ mac M ... multihoming yes|no }]" */
static int parse_mn(struct cfg_parser *sp, const struct cfg_stmt *kw, unsigned line)
{
	struct parser *p = sp->ctx;
	char what[MH_MNID_MAX + 4];
	struct mag_conf_mn *mn;

	if (!(mn = calloc(1, sizeof(*mn))))
		return cfg_stmt_oom(&p->stmt, line);
	TAILQ_INSERT_TAIL(&p->c->mns, mn, entry);
	mn->line = line;
	if (cfg_nai(&p->cfg, kw->name, mn->id, sizeof(mn->id)) < 0 || mn_add(p, mn) < 0)
		return -1;
	snprintf(what, sizeof(what), "mn %s", mn->id);
	return cfg_parse_block(sp, "mn", what, mn_block, sizeof(mn_block) / sizeof(mn_block[0]),
	                       mn);
}

#define FIELD(f)  CFG_FIELD(struct mag_conf, f)
#define STRING(f) CFG_STRING(struct mag_conf, f)
#define REPEAT    CFG_STMT_REPEAT

/* Sorted by strcmp(): looked up with bsearch(). */
static const struct cfg_stmt keywords[] = {
	/* name, parser, flags, field, min, max */
	{ "access-interface", parse_access, REPEAT, 0, 0, 0 },
	CFG_STMT_BINDING_ERROR_RATE(struct mag_conf),
	CFG_STMTS_CONTROL(struct mag_conf),
	CFG_STMT_GROUP(struct mag_conf),
	CFG_STMT_HEARTBEAT(struct mag_conf),
	{ "lifetime", parse_lifetime, 0, FIELD(lifetime_s), LIFETIME_UNIT, LIFETIME_MAX_MS },
	{ "link-local-address", parse_link_local, 0, 0, 0, 0 },
	CFG_STMT_LMA_ADDRESS(struct mag_conf),
	{ "mn", parse_mn, REPEAT, 0, 0, 0 },
	CFG_STMT_MUHO(struct mag_conf),
	{ "proxy-coa", cfg_stmt_routable, 0, FIELD(proxy_coa), 0, 0 },
	{ "ra-interval", cfg_stmt_ms, 0, FIELD(ra_interval_ms), RA_INTERVAL_MIN, RA_INTERVAL_MAX },
	{ "ra-mtu", cfg_stmt_u32, 0, FIELD(ra_mtu), RA_MTU_MIN, RA_MTU_MAX },
	{ "ra-router-lifetime", cfg_stmt_seconds, 0, FIELD(ra_router_lifetime_s), 0,
	  RA_LIFETIME_MAX },
	{ "refresh-before", cfg_stmt_seconds, 0, FIELD(refresh_margin_s), MS_PER_S,
	  LIFETIME_MAX_MS / 2 },
	{ "retransmit", parse_retransmit, 0, 0, 0, 0 },
	CFG_STMT_RULE_PRIORITY(struct mag_conf),
	{ "state-file", cfg_stmt_path, 0, STRING(state_path) },
	{ "state-sync", cfg_stmt_ms, 0, FIELD(state_sync_ms), 100, 3600 * MS_PER_S },
	CFG_STMT_TABLE_BASE(struct mag_conf),
	CFG_STMTS_TUNNEL(struct mag_conf),
	CFG_STMT_UPLINK(struct mag_conf),
	CFG_STMT_USER(struct mag_conf),
};

/* --- validation of the whole --- */

static unsigned seen_line(const struct parser *p, const char *name)
{
	return cfg_stmt_seen(&p->stmt, name);
}

static int check_required(struct parser *p)
{
	static const char *const required[] = { "lma-address", "proxy-coa", "uplink-interface" };
	unsigned end = cfg_line(&p->cfg);

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!seen_line(p, required[i]))
			return cfg_error(&p->cfg, end, "%s is required", required[i]);
	if (p->c->n_access == 0)
		return cfg_error(&p->cfg, end,
		                 "no access link: add \"access-interface\" statements");
	if (p->c->n_mns == 0)
		return cfg_error(&p->cfg, end, "no MN is served: add \"mn\" statements");
	return 0;
}

static int check_addresses(struct parser *p)
{
	char s[INET6_ADDRSTRLEN];

	if (!IN6_ARE_ADDR_EQUAL(&p->c->proxy_coa, &p->c->lma_addr))
		return 0;
	inet_ntop(AF_INET6, &p->c->proxy_coa, s, sizeof(s));
	return cfg_error(&p->cfg, seen_line(p, "proxy-coa"), "proxy-coa %s is the lma-address", s);
}

static int check_access(struct parser *p)
{
	const struct mag_conf_access *a = mag_conf_find_access(p->c, p->c->uplink);

	if (!a)
		return 0;
	return cfg_error(&p->cfg, a->line, "access-interface %s is the uplink-interface",
	                 a->ifname);
}

/* An MN is recognised by the source MAC of its Router Solicitations: one without a MAC could
 * never be served. */
static int check_mns(struct parser *p)
{
	const struct mag_conf_mn *mn;

	TAILQ_FOREACH(mn, &p->c->mns, entry)
	if (mn->n_macs == 0)
		return cfg_error(&p->cfg, mn->line,
		                 "mn %s has no mac address (an MN is recognised by its MACs)",
		                 mn->id);
	return 0;
}

/* The line of whichever of two statements came last (0 if neither was given). */
static unsigned later_line(const struct parser *p, const char *a, const char *b)
{
	unsigned la = seen_line(p, a), lb = seen_line(p, b);

	return la > lb ? la : lb;
}

/* A refresh is due refresh-before the binding expires, and the margin may be at most half the
 * lifetime the LMA grants: ask for a lifetime that leaves room for it. */
static int check_refresh(struct parser *p)
{
	const struct mag_conf *c = p->c;
	char r[CFG_DURATION_STR], l[CFG_DURATION_STR];

	if ((uint64_t)c->refresh_margin_s * 2 < c->lifetime_s)
		return 0;
	return cfg_error(&p->cfg, later_line(p, "refresh-before", "lifetime"),
	                 "refresh-before %s%s must be less than half the lifetime (%s)",
	                 cfg_duration_str((uint64_t)c->refresh_margin_s * MS_PER_S, r),
	                 seen_line(p, "refresh-before") ? "" : " (the default)",
	                 cfg_duration_str((uint64_t)c->lifetime_s * MS_PER_S, l));
}

/* RFC 4861 §6.2.1: a router lifetime is 0 or at least the interval between advertisements,
 * lest hosts drop the default route between two of them. */
static int check_ra(struct parser *p)
{
	const struct mag_conf *c = p->c;
	char l[CFG_DURATION_STR], i[CFG_DURATION_STR];
	uint64_t ms = (uint64_t)c->ra_router_lifetime_s * MS_PER_S;

	if (ms == 0 || ms >= c->ra_interval_ms)
		return 0;
	return cfg_error(&p->cfg, later_line(p, "ra-router-lifetime", "ra-interval"),
	                 "ra-router-lifetime %s is less than ra-interval %s (it must be 0 or at "
	                 "least the interval, RFC 4861 6.2.1)",
	                 cfg_duration_str(ms, l), cfg_duration_str(c->ra_interval_ms, i));
}

static int validate(struct parser *p)
{
	if (check_required(p) < 0 || check_addresses(p) < 0 || check_access(p) < 0 ||
	    check_mns(p) < 0)
		return -1;
	return check_refresh(p) < 0 ? -1 : check_ra(p);
}

CFG_GRAMMAR(mag_conf, struct mag_conf, struct parser, keywords, conf_new, validate);

/* --- printing (magd -nv) --- */

static void print_word(FILE *out, const char *kw, const char *s)
{
	fprintf(out, "%s ", kw);
	cfg_print_word(out, s);
	fputc('\n', out);
}

static void print_timers(FILE *out, const struct mag_conf *c)
{
	char a[CFG_DURATION_STR], b[CFG_DURATION_STR];

	cfg_print_ms(out, "lifetime", (uint64_t)c->lifetime_s * MS_PER_S);
	cfg_print_ms(out, "refresh-before", (uint64_t)c->refresh_margin_s * MS_PER_S);
	fprintf(out, "retransmit initial %s max %s tries ", cfg_duration_str(c->retransmit_initial_ms, a),
	        cfg_duration_str(c->retransmit_max_ms, b));
	if (c->retransmit_tries)
		fprintf(out, "%u\n", c->retransmit_tries);
	else
		fprintf(out, "unlimited\n");
	cfg_heartbeat_print(out, &c->heartbeat);
	fputs("binding-error-rate ", out);
	cfg_print_rate(out, c->be_rate.per_s, c->be_rate.burst);
	fputc('\n', out);
	cfg_print_ms(out, "ra-interval", c->ra_interval_ms);
	fprintf(out, "ra-mtu %u\n", c->ra_mtu);
	cfg_print_ms(out, "ra-router-lifetime", (uint64_t)c->ra_router_lifetime_s * MS_PER_S);
}

static void print_settings(FILE *out, const struct mag_conf *c)
{
	cfg_print_addr(out, "lma-address", &c->lma_addr);
	cfg_print_addr(out, "proxy-coa", &c->proxy_coa);
	print_word(out, "uplink-interface", c->uplink);
	cfg_print_addr(out, "link-local-address", &c->link_local);
	cfg_print_tunnel(out, c->driver, c->tunnel_mtu, c->table_base, c->rule_priority,
	                 c->muho_type);
	print_timers(out, c);
	print_word(out, "control-socket", c->ctl_path);
	if (c->state_path[0])
		print_word(out, "state-file", c->state_path);
	cfg_print_ms(out, "state-sync", c->state_sync_ms);
	print_word(out, "control-group", c->ctl_group);
	cfg_print_account(out, c->run_user, c->run_group);
	fprintf(out, "control-max-clients %u\n", (unsigned)c->ctl_max_clients);
	cfg_print_ms(out, "control-idle-timeout", c->ctl_idle_ms);
}

static void print_access(FILE *out, const struct mag_conf_access *a)
{
	fputs("access-interface ", out);
	cfg_print_word(out, a->ifname);
	fprintf(out, " {\n\taccess-technology %u\n\tattach-on-link-up %s\n}\n", a->att,
	        bool_names[a->attach_on_link_up]);
}

static void print_mn(FILE *out, const struct mag_conf_mn *mn)
{
	char s[MAC_STR];

	fputs("mn ", out);
	cfg_print_word(out, mn->id);
	fputs(" {\n", out);
	for (unsigned i = 0; i < mn->n_macs; i++)
		fprintf(out, "\tmac %s\n", mac_str(mn->macs[i], s));
	fprintf(out, "\tmultihoming %s\n}\n", bool_names[mn->multihoming]);
}

void mag_conf_print(FILE *out, const struct mag_conf *c)
{
	const struct mag_conf_access *a;
	const struct mag_conf_mn *mn;

	print_settings(out, c);
	TAILQ_FOREACH(a, &c->access, entry)
	print_access(out, a);
	TAILQ_FOREACH(mn, &c->mns, entry)
	print_mn(out, mn);
}
