/* cfgparse.h: the lexer and value parsers behind the daemons' configuration files (lmad.conf(5),
 * later magd.conf): words, quoted strings, "{" and "}", a newline ending each statement, "#"
 * comments. Every error reads "file:line: message"; the first one sticks and ends the parse.
 * Inputs are untrusted: lines, tokens and numbers are bounded, and nothing here can crash on
 * any byte sequence. A hand-written lexer in the spirit of OpenBSD parse.y's, without yacc. */
#ifndef COMMON_CFGPARSE_H
#define COMMON_CFGPARSE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CFG_LINE_MAX     4096 /* characters in a line, newline excluded */
#define CFG_TOKEN_MAX    1024 /* characters in a word or a quoted string */
#define CFG_DURATION_STR 24   /* room for cfg_duration_str() */

enum cfg_tok {
	CFG_ERR,    /* an error was reported: stop */
	CFG_EOF,    /* end of input (returned again on every later call) */
	CFG_NL,     /* end of a line: the end of a statement outside blocks */
	CFG_WORD,   /* bare word */
	CFG_STRING, /* "quoted string", with \" and \\ as its only escapes */
	CFG_LBRACE,
	CFG_RBRACE,
};

struct cfg_token {
	enum cfg_tok type;
	unsigned line;
	size_t len;
	char text[CFG_TOKEN_MAX + 1]; /* NUL-terminated; never contains a NUL itself */
};

/* One input being parsed. Fill it with cfg_init(); the fields are the lexer's own. */
struct cfg {
	FILE *f;
	const char *name;
	char *err;
	size_t errlen;
	bool failed;
	bool in_line; /* buf holds a line whose end has not been returned yet */
	unsigned line;
	size_t pos, len;
	bool have_peek;
	struct cfg_token peek;
	char buf[CFG_LINE_MAX + 1];
};

/* name is used in messages; err (errlen bytes) receives the first error, if any. */
void cfg_init(struct cfg *c, FILE *f, const char *name, char *err, size_t errlen);
/* Reports "name:line: message" unless an error was already reported; always returns -1. */
int cfg_error(struct cfg *c, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
bool cfg_failed(const struct cfg *c);
/* The line the lexer has reached: for errors found once the whole input is read. */
unsigned cfg_line(const struct cfg *c);

enum cfg_tok cfg_next(struct cfg *c, struct cfg_token *t);
/* The next token, left in place for cfg_next(). */
const struct cfg_token *cfg_peek(struct cfg *c);
/* Reports an unknown keyword: "unknown keyword "x"", with " in <block> block" inside a block
 * (block may be NULL). Returns -1. */
int cfg_unknown_keyword(struct cfg *c, const char *block, const struct cfg_token *t);
/* Reports t as out of place: "what: unexpected "x"" (what may be NULL). Returns -1. */
int cfg_unexpected(struct cfg *c, const char *what, const struct cfg_token *t);
/* The end of a statement: a newline or the end of input. */
int cfg_end(struct cfg *c, const char *what);

/* Blocks: "{" must follow on the statement's line; inside, statements may share lines or span
 * several. cfg_block_open() returns 1 and the brace's line in *line after consuming a "{", 0 if
 * there is none. cfg_block_next() returns 1 with the next keyword in t, 0 at the closing "}",
 * -1 on error (a "{" never closed is reported on its own line). */
int cfg_block_open(struct cfg *c, unsigned *line);
int cfg_block_next(struct cfg *c, unsigned open_line, struct cfg_token *t);

/* Binary search of a table sorted by strcmp() on its first member, a const char *name. */
const void *cfg_lookup(const void *table, size_t n, size_t size, const char *word);

/* Value parsers: each reads the next token, which must be a word or a quoted string, and reports
 * errors as "what: ...". They return 0 or -1. */
int cfg_value(struct cfg *c, const char *what, struct cfg_token *t);
int cfg_uint(struct cfg *c, const char *what, uint32_t min, uint32_t max, uint32_t *out);
/* A number with a unit, "ms", "s" or "m", and an optional decimal fraction ("1.5s"); the result
 * must be a whole number of milliseconds within [min_ms, max_ms]. */
int cfg_duration(struct cfg *c, const char *what, uint32_t min_ms, uint32_t max_ms,
                 uint32_t *out_ms);
/* The same grammar from a string (pmipctl's words): false if s is not a duration. */
bool cfg_duration_text(const char *s, uint64_t *out_ms);
int cfg_in6(struct cfg *c, const char *what, struct in6_addr *out);
/* "address/length" with min_len <= length <= 128 and every bit past the length zero. */
int cfg_prefix(struct cfg *c, const char *what, unsigned min_len, struct in6_addr *addr,
               uint8_t *len);
int cfg_ifname(struct cfg *c, const char *what, char out[IFNAMSIZ]);
/* An NAI as mh_nai_valid() accepts it, 1..MH_MNID_MAX characters; size >= MH_MNID_MAX + 1. */
int cfg_nai(struct cfg *c, const char *what, char *out, size_t size);
/* One of n words; *out is its index. */
int cfg_choice(struct cfg *c, const char *what, const char *const *names, unsigned n,
               unsigned *out);
int cfg_bool(struct cfg *c, const char *what, bool *out); /* yes | no */
/* Any non-empty string shorter than size. */
int cfg_string(struct cfg *c, const char *what, char *out, size_t size);
/* A group that exists on this system (getgrnam), its name of letters, digits, "_", "." and "-",
 * not starting with "-", shorter than size; line is the statement's, for the messages. */
int cfg_group(struct cfg *c, unsigned line, const char *what, char *out, size_t size);
/* The same for a user (getpwnam). */
int cfg_user(struct cfg *c, unsigned line, const char *what, char *out, size_t size);
/* The rule for the addresses the daemons exchange Mobility Headers and tunnel between (the LMA
 * address, a MAG's, the Proxy-CoA), the same at both ends: unicast, neither link-local nor
 * IPv4-mapped. 0, or -1 with "what: ADDRESS is ..." reported at line. */
int cfg_check_routable(struct cfg *c, unsigned line, const char *what, const struct in6_addr *a);
/* An absolute path shorter than size. */
int cfg_path(struct cfg *c, const char *what, char *out, size_t size);
/* Options of a statement, as in "retransmit initial 1s max 8s": one of n words (n <= 32), then
 * its value, which value(arg, index) reads; in any order, each at most once, at least one, up
 * to the end of the statement. line is the statement's, for the messages. */
int cfg_options(struct cfg *c, unsigned line, const char *what, const char *const *words,
                unsigned n, int (*value)(void *arg, unsigned i), void *arg);
/* A rate limit: "N [burst B]", at most N messages a second (1..CFG_RATE_MAX), B at once
 * (N..CFG_RATE_MAX, N when not given). */
#define CFG_RATE_MAX 1000000
int cfg_rate(struct cfg *c, const char *what, uint32_t *per_s, uint32_t *burst);

/* The heartbeat statement of both daemons (RFC 5847 §5): "heartbeat off", or
 * "heartbeat [interval D] [misses N]" in any order, at least one. The RFC's defaults:
 * HEARTBEAT_INTERVAL 60 s, MISSING_HEARTBEATS_ALLOWED 3; intervals down to 10 ms are taken (the
 * RFC asks for at least 30 s: shorter ones are for labs that time failovers). */
#define CFG_HB_INTERVAL_MS   60000u
#define CFG_HB_MISSES        3u
#define CFG_HB_INTERVAL_MIN  10u
#define CFG_HB_INTERVAL_MAX  3600000u
#define CFG_HB_MISSES_MAX    255u

struct cfg_heartbeat {
	uint32_t interval_ms; /* 0: off */
	uint32_t misses;      /* requests in a row without a response: the peer is unreachable */
};

void cfg_heartbeat_default(struct cfg_heartbeat *h);
int cfg_heartbeat(struct cfg *c, const char *what, unsigned line, struct cfg_heartbeat *out);
void cfg_heartbeat_print(FILE *out, const struct cfg_heartbeat *h);

/* s in double quotes for a message, cut to 60 characters ("..." then). */
#define CFG_QUOTE_MAX 66
const char *cfg_quote(const char *s, char buf[CFG_QUOTE_MAX]);

/* Prefix arithmetic for validation. */
/* The value of a hexadecimal digit, either case; -1 if c is none. */
int cfg_hex_digit(char c);
bool cfg_prefix_host_bits_zero(const struct in6_addr *a, unsigned len);
bool cfg_prefix_overlap(const struct in6_addr *a, unsigned alen, const struct in6_addr *b,
                        unsigned blen);

/* Printing back in the same grammar. cfg_print_word() quotes s when it would not read back as
 * one word. cfg_duration_str() writes "Ns" for whole seconds and "Nms" otherwise. */
void cfg_print_word(FILE *out, const char *s);
/* "user U" and "group G" lines, each only when set (both grammars' privilege statements). */
void cfg_print_account(FILE *out, const char *user, const char *group);
const char *cfg_duration_str(uint64_t ms, char buf[CFG_DURATION_STR]);
const char *cfg_prefix_str(const struct in6_addr *a, unsigned len, char *buf, size_t size);
/* "N burst B", as cfg_rate() reads it. */
void cfg_print_rate(FILE *out, uint32_t per_s, uint32_t burst);

#endif
