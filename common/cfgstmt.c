/* cfgstmt.c: the statement framework of lmad.conf(5) and magd.conf(5): the dispatcher of a
 * grammar's sorted statement table and of its blocks' tables, and the handlers and printers of
 * the statements both grammars share (common/cfgstmt.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgstmt.h"
#include "common/ratelimit.h"
#include "proto/mh.h"

#define MS_PER_S 1000u

void cfg_parser_init(struct cfg_parser *p, struct cfg *cfg, const struct cfg_stmt *table, size_t n,
                     void *conf, void *ctx)
{
	*p = (struct cfg_parser){ .cfg = cfg, .conf = conf, .ctx = ctx, .table = table, .n = n };
}

static const struct cfg_stmt *stmt_find(const struct cfg_parser *p, const char *word)
{
	return cfg_lookup(p->table, p->n, sizeof(p->table[0]), word);
}

static int parse_statement(struct cfg_parser *p, const struct cfg_token *t)
{
	const struct cfg_stmt *s = stmt_find(p, t->text);
	unsigned *seen;

	if (!s)
		return cfg_unknown_keyword(p->cfg, NULL, t);
	seen = &p->seen[s - p->table];
	if (!(s->flags & CFG_STMT_REPEAT) && *seen)
		return cfg_error(p->cfg, t->line, "%s is already set on line %u", s->name, *seen);
	*seen = t->line;
	if (s->parse(p, s, t->line) < 0)
		return -1;
	return cfg_end(p->cfg, s->name);
}

int cfg_parse_statements(struct cfg_parser *p)
{
	struct cfg_token t;

	for (;;) {
		switch (cfg_next(p->cfg, &t)) {
		case CFG_NL:
			continue;
		case CFG_EOF:
			return 0;
		case CFG_WORD:
			if (parse_statement(p, &t) < 0)
				return -1;
			continue;
		default:
			return cfg_unexpected(p->cfg, NULL, &t);
		}
	}
}

unsigned cfg_stmt_seen(const struct cfg_parser *p, const char *name)
{
	return p->seen[stmt_find(p, name) - p->table];
}

int cfg_parse_block(struct cfg_parser *p, const char *block, const char *what,
                    const struct cfg_block_stmt *table, size_t n, void *obj)
{
	const struct cfg_block_stmt *s;
	struct cfg_token t;
	unsigned open;
	uint64_t got = 0;
	int r;

	if ((r = cfg_block_open(p->cfg, &open)) <= 0)
		return r;
	while ((r = cfg_block_next(p->cfg, open, &t)) == 1) {
		s = cfg_lookup(table, n, sizeof(*table), t.text);
		if (!s)
			return cfg_unknown_keyword(p->cfg, block, &t);
		if (!(s->flags & CFG_STMT_REPEAT) && (got & (1ull << (s - table))))
			return cfg_error(p->cfg, t.line, "%s: %s is given twice", what, s->name);
		got |= 1ull << (s - table);
		if (s->parse(p, obj, t.line) < 0)
			return -1;
	}
	return r;
}

void *cfg_conf_parse(const struct cfg_grammar *g, FILE *f, const char *name, char *err,
                     size_t errlen)
{
	void *ctx = calloc(1, g->ctx_size), *conf = g->conf_new();
	struct cfg_parser *p;

	if (!name)
		name = "-";
	if (!ctx || !conf) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		free(ctx);
		g->conf_free(conf);
		return NULL;
	}
	p = g->bind(ctx, conf);
	cfg_init(p->cfg, f, name, err, errlen);
	if (cfg_parse_statements(p) < 0 || g->validate(p) < 0) {
		g->conf_free(conf);
		conf = NULL;
	}
	free(ctx);
	return conf;
}

void *cfg_conf_load(const struct cfg_grammar *g, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	void *conf;

	if (!f) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	conf = cfg_conf_parse(g, f, path, err, errlen);
	fclose(f);
	return conf;
}

void *cfg_stmt_field(const struct cfg_parser *p, const struct cfg_stmt *s)
{
	return (char *)p->conf + s->off;
}

int cfg_stmt_oom(struct cfg_parser *p, unsigned line)
{
	return cfg_error(p->cfg, line, "out of memory");
}

/* --- the shared statements --- */

int cfg_stmt_u32(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	(void)line;
	return cfg_uint(p->cfg, s->name, s->min, s->max, cfg_stmt_field(p, s));
}

int cfg_stmt_ms(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	(void)line;
	return cfg_duration(p->cfg, s->name, s->min, s->max, cfg_stmt_field(p, s));
}

int cfg_stmt_rate(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	struct rl_rate *r = cfg_stmt_field(p, s);

	(void)line;
	return cfg_rate(p->cfg, s->name, &r->per_s, &r->burst);
}

int cfg_stmt_seconds_unit(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line,
                          uint32_t unit_ms)
{
	char d[CFG_DURATION_STR], u[CFG_DURATION_STR];
	uint32_t ms, *out = cfg_stmt_field(p, s);

	if (cfg_duration(p->cfg, s->name, s->min, s->max, &ms) < 0)
		return -1;
	if (ms % unit_ms != 0 && unit_ms == MS_PER_S)
		return cfg_error(p->cfg, line, "%s: %s is not a whole number of seconds", s->name,
		                 cfg_duration_str(ms, d));
	if (ms % unit_ms != 0)
		return cfg_error(p->cfg, line, "%s: %s is not a multiple of %s", s->name,
		                 cfg_duration_str(ms, d), cfg_duration_str(unit_ms, u));
	*out = ms / MS_PER_S;
	return 0;
}

int cfg_stmt_seconds(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	return cfg_stmt_seconds_unit(p, s, line, MS_PER_S);
}

int cfg_stmt_routable(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	struct in6_addr *a = cfg_stmt_field(p, s);

	if (cfg_in6(p->cfg, s->name, a) < 0)
		return -1;
	return cfg_check_routable(p->cfg, line, s->name, a);
}

int cfg_stmt_ifname(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	(void)line;
	return cfg_ifname(p->cfg, s->name, cfg_stmt_field(p, s));
}

int cfg_stmt_driver(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	enum kr_driver *out = cfg_stmt_field(p, s);
	unsigned i;

	(void)line;
	if (cfg_choice(p->cfg, s->name, kr_driver_names, KR_DRIVER_COUNT, &i) < 0)
		return -1;
	*out = (enum kr_driver)i;
	return 0;
}

int cfg_stmt_muho(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	uint8_t *out = cfg_stmt_field(p, s);
	uint32_t v;

	if (cfg_uint(p->cfg, s->name, 0, 255, &v) < 0)
		return -1;
	if (!mh_muho_type_usable(v))
		return cfg_error(p->cfg, line, "%s: %u is already used by another mobility option",
		                 s->name, (unsigned)v);
	*out = (uint8_t)v;
	return 0;
}

int cfg_stmt_path(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	(void)line;
	return cfg_path(p->cfg, s->name, cfg_stmt_field(p, s), s->max);
}

int cfg_stmt_group(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	return cfg_group(p->cfg, line, s->name, cfg_stmt_field(p, s), s->max);
}

int cfg_stmt_user(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	return cfg_user(p->cfg, line, s->name, cfg_stmt_field(p, s), s->max);
}

int cfg_stmt_heartbeat(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line)
{
	return cfg_heartbeat(p->cfg, s->name, line, cfg_stmt_field(p, s));
}

/* --- printing back --- */

void cfg_print_addr(FILE *out, const char *kw, const struct in6_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	fprintf(out, "%s %s\n", kw, inet_ntop(AF_INET6, a, s, sizeof(s)));
}

void cfg_print_ms(FILE *out, const char *kw, uint64_t ms)
{
	char d[CFG_DURATION_STR];

	fprintf(out, "%s %s\n", kw, cfg_duration_str(ms, d));
}

void cfg_print_tunnel(FILE *out, enum kr_driver driver, uint32_t mtu, uint32_t table_base,
                      uint32_t rule_priority, unsigned muho_type)
{
	fprintf(out, "tunnel-driver %s\n", kr_driver_name(driver));
	if (mtu != 0)
		fprintf(out, "tunnel-mtu %u\n", (unsigned)mtu);
	fprintf(out, "table-base %u\n", (unsigned)table_base);
	fprintf(out, "rule-priority %u\n", (unsigned)rule_priority);
	fprintf(out, "muho-option-type %u\n", muho_type);
}
