/* cfgstmt.h: the statement framework both configuration grammars use (lmad.conf(5),
 * magd.conf(5)): one table type for the statements of a file and one for those of a block, each
 * sorted by name for a binary search, one dispatcher with the same "file:line" messages, and the
 * handlers of the statements both grammars have, written once (the addresses, the kernel side's
 * settings, the control socket, the privileges, heartbeat, rates, durations, numbers). */
#ifndef COMMON_CFGSTMT_H
#define COMMON_CFGSTMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "common/cfgparse.h"
#include "common/ctl.h"
#include "common/ratelimit.h"
#include "kr/kr.h"
#include "proto/mh.h"

#define CFG_STMT_MAX 64 /* statements in a grammar's table */

enum cfg_stmt_flag {
	CFG_STMT_REPEAT = 1u << 0, /* may be given more than once */
};

struct cfg_parser;

/* A statement of the file: a handler reads its values, up to the end of the statement, which
 * the dispatcher checks; off is the configuration's member it sets, min and max its bounds
 * (for a string member, max is the member's size). */
struct cfg_stmt {
	const char *name;
	int (*parse)(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
	unsigned flags;
	size_t off;
	uint32_t min, max;
};

/* A statement inside a block; obj is what the block belongs to. */
struct cfg_block_stmt {
	const char *name;
	int (*parse)(struct cfg_parser *p, void *obj, unsigned line);
	unsigned flags;
};

/* The member f of the configuration type, for a table entry: its offset, then for a string its
 * size as the entry's min (0) and max. */
#define CFG_FIELD(type, f)  offsetof(type, f)
#define CFG_STRING(type, f) offsetof(type, f), 0, sizeof(((type *)0)->f)

/* The table entries of the statements both grammars have, for a configuration type with the
 * members they name (lma_conf, mag_conf), each written once with its bounds; a grammar puts
 * each in its place in its sorted table. */
#define CFG_TABLE_BASE_MIN 256u /* above the reserved tables (253 default .. 255 local) */
#define CFG_TABLE_BASE_MAX (UINT32_MAX - KR_MAX_TUNNELS - KR_MAX_TAGS) /* the last tag's fits */
/* clang-format off */
#define CFG_STMT_BINDING_ERROR_RATE(type) \
	{ "binding-error-rate", cfg_stmt_rate, 0, CFG_FIELD(type, be_rate), 0, 0 }
/* control-group, control-idle-timeout, control-max-clients, control-socket */
#define CFG_STMTS_CONTROL(type) \
	{ "control-group", cfg_stmt_group, 0, CFG_STRING(type, ctl_group) }, \
	{ "control-idle-timeout", cfg_stmt_ms, 0, CFG_FIELD(type, ctl_idle_ms), 1000, 86400 * 1000 }, \
	{ "control-max-clients", cfg_stmt_u32, 0, CFG_FIELD(type, ctl_max_clients), 1, 4096 }, \
	{ "control-socket", cfg_stmt_path, 0, CFG_STRING(type, ctl_path) }
#define CFG_STMT_GROUP(type) \
	{ "group", cfg_stmt_group, 0, CFG_STRING(type, run_group) }
#define CFG_STMT_HEARTBEAT(type) \
	{ "heartbeat", cfg_stmt_heartbeat, 0, CFG_FIELD(type, heartbeat), 0, 0 }
#define CFG_STMT_LMA_ADDRESS(type) \
	{ "lma-address", cfg_stmt_routable, 0, CFG_FIELD(type, lma_addr), 0, 0 }
#define CFG_STMT_MUHO(type) \
	{ "muho-option-type", cfg_stmt_muho, 0, CFG_FIELD(type, muho_type), 0, 0 }
#define CFG_STMT_RULE_PRIORITY(type) \
	{ "rule-priority", cfg_stmt_u32, 0, CFG_FIELD(type, rule_priority), 1, KR_RULE_PRIORITY_MAX }
#define CFG_STMT_TABLE_BASE(type) \
	{ "table-base", cfg_stmt_u32, 0, CFG_FIELD(type, table_base), CFG_TABLE_BASE_MIN, \
	  CFG_TABLE_BASE_MAX }
/* tunnel-driver, tunnel-mtu */
#define CFG_STMTS_TUNNEL(type) \
	{ "tunnel-driver", cfg_stmt_driver, 0, CFG_FIELD(type, driver), 0, 0 }, \
	{ "tunnel-mtu", cfg_stmt_u32, 0, CFG_FIELD(type, tunnel_mtu), KR_TUNNEL_MTU_MIN, \
	  KR_TUNNEL_MTU_MAX }
#define CFG_STMT_UPLINK(type) \
	{ "uplink-interface", cfg_stmt_ifname, 0, CFG_FIELD(type, uplink), 0, 0 }
#define CFG_STMT_USER(type) \
	{ "user", cfg_stmt_user, 0, CFG_STRING(type, run_user) }
/* clang-format on */

/* The defaults of the members behind those statements but the kernel side's tables, both
 * grammars' (lmad.conf(5), magd.conf(5)); socket is the daemon's control socket. */
#define CFG_DEFAULTS_COMMON(c, socket)                                                             \
	do {                                                                                       \
		(c)->driver = KR_DRIVER_AUTO;                                                      \
		(c)->rule_priority = 1000;                                                         \
		(c)->muho_type = MH_MUHO_TYPE_DEFAULT;                                             \
		cfg_heartbeat_default(&(c)->heartbeat);                                            \
		(c)->be_rate = (struct rl_rate){ RL_BE_PER_S, RL_BE_BURST };                       \
		snprintf((c)->ctl_path, sizeof((c)->ctl_path), "%s", (socket));                    \
		snprintf((c)->ctl_group, sizeof((c)->ctl_group), "%s", "root");                    \
		(c)->ctl_max_clients = CTL_MAX_CONNS;                                              \
		(c)->ctl_idle_ms = (uint32_t)(CTL_IDLE_S * 1000);                                  \
	} while (0)

/* Frees every element of the TAILQ head (linked through "entry") with free_fn. */
#define CFG_LIST_FREE(head, type, free_fn)                                                         \
	do {                                                                                       \
		type *e_;                                                                          \
		while ((e_ = TAILQ_FIRST(head))) {                                                 \
			TAILQ_REMOVE(head, e_, entry);                                             \
			free_fn(e_);                                                               \
		}                                                                                  \
	} while (0)

/* One parse: the lexer's input, the configuration being filled (the base of the offsets), the
 * grammar's own state (ctx), and the line each statement was last given on. */
struct cfg_parser {
	struct cfg *cfg;
	void *conf;
	void *ctx;
	const struct cfg_stmt *table;
	size_t n;
	unsigned seen[CFG_STMT_MAX];
};

/* table (n <= CFG_STMT_MAX entries, sorted by strcmp()) for the input cfg, filling conf. */
void cfg_parser_init(struct cfg_parser *p, struct cfg *cfg, const struct cfg_stmt *table, size_t n,
                     void *conf, void *ctx);
/* Every statement up to the end of the input: an unknown keyword, a statement given twice
 * without CFG_STMT_REPEAT ("x is already set on line N"), anything but a keyword at the start
 * of a statement, or a handler's error ends it. 0 or -1. */
int cfg_parse_statements(struct cfg_parser *p);
/* The line statement name was last given on, 0 if never (name must be in the table). */
unsigned cfg_stmt_seen(const struct cfg_parser *p, const char *name);
/* A block after a statement, if there is one ("{" on the statement's line): its keywords
 * looked up in table (sorted); one without CFG_STMT_REPEAT given twice is "what: x is given
 * twice"; an unknown one is reported " in <block> block". 0 or -1. */
int cfg_parse_block(struct cfg_parser *p, const char *block, const char *what,
                    const struct cfg_block_stmt *table, size_t n, void *obj);
/* A grammar, for cfg_conf_parse() and cfg_conf_load(): its configuration's life cycle, its
 * parser state (ctx_size bytes, zeroed), bind() which ties a state to the configuration it
 * fills and returns its struct cfg_parser (cfg_parser_init), and the validation of the whole,
 * once every statement is read. */
struct cfg_grammar {
	size_t ctx_size;
	void *(*conf_new)(void);
	void (*conf_free)(void *conf);
	struct cfg_parser *(*bind)(void *ctx, void *conf);
	int (*validate)(struct cfg_parser *p);
};

/* The configuration read from f (name in messages, "-" if NULL), or NULL with the first error
 * in err: "name:line: message", or "name: out of memory". */
void *cfg_conf_parse(const struct cfg_grammar *g, FILE *f, const char *name, char *err,
                     size_t errlen);
/* The same from the file at path; "path: strerror" when it cannot be opened. */
void *cfg_conf_load(const struct cfg_grammar *g, const char *path, char *err, size_t errlen);

/* Defines prefix_parse() and prefix_load() of a grammar, and its struct cfg_grammar: conf_type
 * its configuration, made by new_fn() and freed by prefix_free(); parser_type its parser state,
 * with the members cfg (struct cfg), c (conf_type *) and stmt (struct cfg_parser); table its
 * statements (an array); validate_fn(parser_type *) the check of the whole. The casts from
 * void live here, once for both grammars. */
#define CFG_GRAMMAR(prefix, conf_type, parser_type, table, new_fn, validate_fn)                    \
	_Static_assert(sizeof(table) / sizeof(table[0]) <= CFG_STMT_MAX,                           \
	               "struct cfg_parser needs more room in seen[]");                             \
	static void *prefix##_new_any(void)                                                        \
	{                                                                                          \
		return new_fn();                                                                   \
	}                                                                                          \
	static void prefix##_free_any(void *c)                                                     \
	{                                                                                          \
		prefix##_free(c);                                                                  \
	}                                                                                          \
	static struct cfg_parser *prefix##_bind(void *ctx, void *c)                                \
	{                                                                                          \
		parser_type *p = ctx;                                                              \
                                                                                                   \
		p->c = c;                                                                          \
		cfg_parser_init(&p->stmt, &p->cfg, table, sizeof(table) / sizeof(table[0]), c, p); \
		return &p->stmt;                                                                   \
	}                                                                                          \
	static int prefix##_validate_any(struct cfg_parser *sp)                                    \
	{                                                                                          \
		return validate_fn(sp->ctx);                                                       \
	}                                                                                          \
	static const struct cfg_grammar prefix##_grammar = { sizeof(parser_type),                  \
		                                             prefix##_new_any, prefix##_free_any,  \
		                                             prefix##_bind,                        \
		                                             prefix##_validate_any };              \
	conf_type *prefix##_parse(FILE *f, const char *name, char *err, size_t errlen)             \
	{                                                                                          \
		return cfg_conf_parse(&prefix##_grammar, f, name, err, errlen);                    \
	}                                                                                          \
	conf_type *prefix##_load(const char *path, char *err, size_t errlen)                       \
	{                                                                                          \
		return cfg_conf_load(&prefix##_grammar, path, err, errlen);                        \
	}

/* The member s sets. */
void *cfg_stmt_field(const struct cfg_parser *p, const struct cfg_stmt *s);
/* Reports "out of memory" at line; -1. */
int cfg_stmt_oom(struct cfg_parser *p, unsigned line);

/* --- handlers of the statements both grammars have, into the member s->off --- */
int cfg_stmt_u32(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
int cfg_stmt_ms(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
/* "N [burst B]" into a struct rl_rate. */
int cfg_stmt_rate(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
/* A duration kept in whole seconds (a uint32_t), within [min, max] ms. */
int cfg_stmt_seconds(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
/* The same, a multiple of unit_ms. */
int cfg_stmt_seconds_unit(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line,
                          uint32_t unit_ms);
/* An address the daemons exchange Mobility Headers or tunnel with (cfg_check_routable). */
int cfg_stmt_routable(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
int cfg_stmt_ifname(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
/* "tunnel-driver NAME" into an enum kr_driver. */
int cfg_stmt_driver(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
/* "muho-option-type N" into a uint8_t: a type no other mobility option uses. */
int cfg_stmt_muho(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
/* An absolute path, a group, a user, into a char[s->max]. */
int cfg_stmt_path(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
int cfg_stmt_group(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
int cfg_stmt_user(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);
/* "heartbeat off" or "heartbeat [interval D] [misses N]" into a struct cfg_heartbeat. */
int cfg_stmt_heartbeat(struct cfg_parser *p, const struct cfg_stmt *s, unsigned line);

/* --- printing back (-nv) --- */
void cfg_print_addr(FILE *out, const char *kw, const struct in6_addr *a);
void cfg_print_ms(FILE *out, const char *kw, uint64_t ms);
/* "tunnel-driver", "tunnel-mtu" (when set), "table-base", "rule-priority",
 * "muho-option-type": the kernel side's statements, in both grammars' order. */
void cfg_print_tunnel(FILE *out, enum kr_driver driver, uint32_t mtu, uint32_t table_base,
                      uint32_t rule_priority, unsigned muho_type);

#endif
