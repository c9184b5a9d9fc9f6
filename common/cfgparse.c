/* cfgparse.c: the configuration lexer and value parsers (see cfgparse.h). Input is read one line
 * at a time into a bounded buffer; every token and number is bounded too, so that a hostile or
 * broken file gets a "file:line: message" and nothing else. */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "proto/mh.h"

#define CLIP_MAX  60            /* characters of a token quoted in a message */
#define QUOTE_MAX CFG_QUOTE_MAX /* CLIP_MAX, "...", two quotes and the NUL */

void cfg_init(struct cfg *c, FILE *f, const char *name, char *err, size_t errlen)
{
	memset(c, 0, offsetof(struct cfg, buf));
	c->f = f;
	c->name = name;
	c->err = err;
	c->errlen = errlen;
	c->buf[0] = '\0';
	if (err && errlen)
		err[0] = '\0';
}

int cfg_error(struct cfg *c, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -1;
	c->failed = true;
	if (!c->err || c->errlen == 0)
		return -1;
	n = snprintf(c->err, c->errlen, "%s:%u: ", c->name, line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

bool cfg_failed(const struct cfg *c)
{
	return c->failed;
}

unsigned cfg_line(const struct cfg *c)
{
	return c->line ? c->line : 1;
}

/* A token for a message: at most CLIP_MAX characters, then "...". */
static const char *clip(const char *s, char buf[QUOTE_MAX])
{
	size_t n = strlen(s);

	if (n <= CLIP_MAX)
		return s;
	snprintf(buf, QUOTE_MAX, "%.*s...", CLIP_MAX, s);
	return buf;
}

const char *cfg_quote(const char *s, char buf[QUOTE_MAX])
{
	size_t n = strlen(s);

	snprintf(buf, QUOTE_MAX, "\"%.*s%s\"", CLIP_MAX, s, n > CLIP_MAX ? "..." : "");
	return buf;
}

/* --- the lexer --- */

static bool is_blank(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static bool is_ctrl(unsigned char ch)
{
	return (ch < 0x20 && !is_blank(ch)) || ch == 0x7f;
}

static bool ends_word(unsigned char ch)
{
	return is_blank(ch) || ch == '{' || ch == '}' || ch == '"' || ch == '#';
}

/* 1: a line is in buf; 0: end of input; -1: error. */
static int read_line(struct cfg *c)
{
	size_t n = 0;
	int ch;

	while ((ch = getc(c->f)) != EOF && ch != '\n') {
		if (n == CFG_LINE_MAX)
			return cfg_error(c, c->line + 1, "line is longer than %d characters",
			                 CFG_LINE_MAX);
		c->buf[n++] = (char)ch;
	}
	if (ch == EOF && ferror(c->f))
		return cfg_error(c, c->line + 1, "read error: %s", strerror(errno));
	if (ch == EOF && n == 0)
		return 0;
	c->line++;
	c->buf[n] = '\0';
	c->len = n;
	c->pos = 0;
	return 1;
}

static enum cfg_tok tok_set(struct cfg_token *t, enum cfg_tok type, unsigned line)
{
	t->type = type;
	t->line = line;
	t->text[t->len] = '\0';
	return type;
}

static int tok_put(struct cfg *c, struct cfg_token *t, unsigned char ch)
{
	if (is_ctrl(ch))
		return cfg_error(c, c->line, "invalid character 0x%02x", ch);
	if (t->len == CFG_TOKEN_MAX)
		return cfg_error(c, c->line, "token is longer than %d characters", CFG_TOKEN_MAX);
	t->text[t->len++] = (char)ch;
	return 0;
}

static enum cfg_tok scan_word(struct cfg *c, struct cfg_token *t)
{
	while (c->pos < c->len && !ends_word((unsigned char)c->buf[c->pos]))
		if (tok_put(c, t, (unsigned char)c->buf[c->pos++]) < 0)
			return tok_set(t, CFG_ERR, c->line);
	return tok_set(t, CFG_WORD, c->line);
}

static enum cfg_tok scan_string(struct cfg *c, struct cfg_token *t)
{
	unsigned char ch;

	c->pos++; /* the opening quote */
	while (c->pos < c->len) {
		ch = (unsigned char)c->buf[c->pos++];
		if (ch == '"')
			return tok_set(t, CFG_STRING, c->line);
		if (ch == '\\' && c->pos == c->len)
			break;
		if (ch == '\\') {
			ch = (unsigned char)c->buf[c->pos++];
			if (ch != '"' && ch != '\\') {
				cfg_error(c, c->line,
				          "only \\\" and \\\\ may follow \\ in a quoted string");
				return tok_set(t, CFG_ERR, c->line);
			}
		}
		if (tok_put(c, t, ch) < 0)
			return tok_set(t, CFG_ERR, c->line);
	}
	cfg_error(c, c->line, "unterminated quoted string");
	return tok_set(t, CFG_ERR, c->line);
}

static enum cfg_tok scan_token(struct cfg *c, struct cfg_token *t)
{
	char ch = c->buf[c->pos];

	if (ch == '{' || ch == '}') {
		c->pos++;
		t->text[t->len++] = ch;
		return tok_set(t, ch == '{' ? CFG_LBRACE : CFG_RBRACE, c->line);
	}
	if (ch == '"')
		return scan_string(c, t);
	return scan_word(c, t);
}

static enum cfg_tok scan(struct cfg *c, struct cfg_token *t)
{
	int r;

	t->len = 0;
	if (c->failed)
		return tok_set(t, CFG_ERR, cfg_line(c));
	if (!c->in_line) {
		r = read_line(c);
		if (r <= 0)
			return tok_set(t, r < 0 ? CFG_ERR : CFG_EOF, cfg_line(c));
		c->in_line = true;
	}
	while (c->pos < c->len && is_blank((unsigned char)c->buf[c->pos]))
		c->pos++;
	if (c->pos == c->len || c->buf[c->pos] == '#') {
		c->in_line = false;
		return tok_set(t, CFG_NL, c->line);
	}
	return scan_token(c, t);
}

static void tok_copy(struct cfg_token *to, const struct cfg_token *from)
{
	to->type = from->type;
	to->line = from->line;
	to->len = from->len;
	memcpy(to->text, from->text, from->len + 1);
}

enum cfg_tok cfg_next(struct cfg *c, struct cfg_token *t)
{
	if (!c->have_peek)
		return scan(c, t);
	c->have_peek = false;
	tok_copy(t, &c->peek);
	if (c->failed && t->type != CFG_ERR)
		return tok_set(t, CFG_ERR, t->line);
	return t->type;
}

const struct cfg_token *cfg_peek(struct cfg *c)
{
	if (!c->have_peek) {
		scan(c, &c->peek);
		c->have_peek = true;
	}
	return &c->peek;
}

/* --- statements and blocks --- */

int cfg_unexpected(struct cfg *c, const char *what, const struct cfg_token *t)
{
	char q[QUOTE_MAX];
	const char *s;

	if (t->type == CFG_ERR)
		return -1;
	if (t->type == CFG_EOF)
		s = "end of file";
	else if (t->type == CFG_NL)
		s = "end of line";
	else
		s = cfg_quote(t->text, q);
	if (what)
		return cfg_error(c, t->line, "%s: unexpected %s", what, s);
	return cfg_error(c, t->line, "unexpected %s", s);
}

int cfg_unknown_keyword(struct cfg *c, const char *block, const struct cfg_token *t)
{
	char q[QUOTE_MAX];

	if (block)
		return cfg_error(c, t->line, "unknown keyword %s in %s block",
		                 cfg_quote(t->text, q), block);
	return cfg_error(c, t->line, "unknown keyword %s", cfg_quote(t->text, q));
}

int cfg_end(struct cfg *c, const char *what)
{
	struct cfg_token t;

	switch (cfg_next(c, &t)) {
	case CFG_NL:
	case CFG_EOF:
		return 0;
	default:
		return cfg_unexpected(c, what, &t);
	}
}

int cfg_block_open(struct cfg *c, unsigned *line)
{
	const struct cfg_token *p = cfg_peek(c);
	struct cfg_token t;

	if (p->type == CFG_ERR)
		return -1;
	if (p->type != CFG_LBRACE)
		return 0;
	cfg_next(c, &t);
	*line = t.line;
	return 1;
}

int cfg_block_next(struct cfg *c, unsigned open_line, struct cfg_token *t)
{
	for (;;) {
		switch (cfg_next(c, t)) {
		case CFG_NL:
			continue;
		case CFG_RBRACE:
			return 0;
		case CFG_WORD:
			return 1;
		case CFG_EOF:
			return cfg_error(c, open_line, "\"{\" is never closed");
		default:
			return cfg_unexpected(c, NULL, t);
		}
	}
}

static int lookup_cmp(const void *key, const void *elem)
{
	const char *const *name = elem;

	return strcmp(key, *name);
}

const void *cfg_lookup(const void *table, size_t n, size_t size, const char *word)
{
	return bsearch(word, table, n, size, lookup_cmp);
}

/* --- values --- */

int cfg_value(struct cfg *c, const char *what, struct cfg_token *t)
{
	switch (cfg_next(c, t)) {
	case CFG_WORD:
	case CFG_STRING:
		return 0;
	case CFG_ERR:
		return -1;
	default: /* the end of the line or of the input, or a brace */
		return cfg_error(c, t->line, "%s: missing value", what);
	}
}

/* Decimal digits only; saturates at UINT64_MAX rather than wrapping. */
static bool parse_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

int cfg_uint(struct cfg *c, const char *what, uint32_t min, uint32_t max, uint32_t *out)
{
	struct cfg_token t;
	char q[QUOTE_MAX];
	uint64_t v;

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if (!parse_digits(t.text, t.len, &v))
		return cfg_error(c, t.line, "%s: %s is not a number", what, cfg_quote(t.text, q));
	if (v < min || v > max)
		return cfg_error(c, t.line, "%s: %s is out of range (%" PRIu32 "..%" PRIu32 ")",
		                 what, clip(t.text, q), min, max);
	*out = (uint32_t)v;
	return 0;
}

int cfg_options(struct cfg *c, unsigned line, const char *what, const char *const *words,
                unsigned n, int (*value)(void *arg, unsigned i), void *arg)
{
	uint32_t got = 0;
	unsigned i;

	do {
		if (cfg_choice(c, what, words, n, &i) < 0)
			return -1;
		if (got & (1u << i))
			return cfg_error(c, line, "%s: %s is given twice", what, words[i]);
		got |= 1u << i;
		if (value(arg, i) < 0)
			return -1;
	} while (cfg_peek(c)->type == CFG_WORD || cfg_peek(c)->type == CFG_STRING);
	return 0;
}

int cfg_rate(struct cfg *c, const char *what, uint32_t *per_s, uint32_t *burst)
{
	const struct cfg_token *t;
	struct cfg_token word;
	char burst_what[64];

	if (cfg_uint(c, what, 1, CFG_RATE_MAX, per_s) < 0)
		return -1;
	*burst = *per_s;
	t = cfg_peek(c);
	if (t->type != CFG_WORD || strcmp(t->text, "burst") != 0)
		return 0;
	cfg_next(c, &word);
	snprintf(burst_what, sizeof(burst_what), "%s burst", what);
	return cfg_uint(c, burst_what, *per_s, CFG_RATE_MAX, burst);
}

enum dur_err { DUR_OK, DUR_NOTNUM, DUR_NOUNIT, DUR_BADUNIT, DUR_NOTWHOLE };

static int duration_unit(const char *u, uint64_t *unit_ms)
{
	if (*u == '\0')
		return DUR_NOUNIT;
	if (strcmp(u, "ms") == 0)
		*unit_ms = 1;
	else if (strcmp(u, "s") == 0)
		*unit_ms = 1000;
	else if (strcmp(u, "m") == 0)
		*unit_ms = 60000;
	else
		return DUR_BADUNIT;
	return DUR_OK;
}

/* digits[.digits]unit, exactly in milliseconds; saturates at UINT64_MAX. */
static int parse_duration(const char *s, uint64_t *ms)
{
	static const char digits[] = "0123456789";
	size_t ni = strspn(s, digits), nf = 0;
	const char *frac = s + ni;
	uint64_t ip, fp = 0, unit = 0, scale = 1;
	int rc;

	if (!parse_digits(s, ni, &ip))
		return DUR_NOTNUM;
	if (*frac == '.' && (nf = strspn(++frac, digits)) == 0)
		return DUR_NOTNUM;
	if ((rc = duration_unit(frac + nf, &unit)) != DUR_OK)
		return rc;
	while (nf > 0 && frac[nf - 1] == '0')
		nf--;
	if (nf > 9)
		return DUR_NOTWHOLE;
	for (size_t i = 0; i < nf; i++, scale *= 10)
		fp = fp * 10 + (uint64_t)(frac[i] - '0');
	if (fp * unit % scale != 0)
		return DUR_NOTWHOLE;
	*ms = ip > UINT32_MAX ? UINT64_MAX : ip * unit + fp * unit / scale;
	return DUR_OK;
}

static int duration_error(struct cfg *c, const struct cfg_token *t, const char *what, int rc)
{
	static const char *const why[] = {
		[DUR_NOTNUM] = "is not a duration",
		[DUR_NOUNIT] = "has no unit (ms, s or m)",
		[DUR_BADUNIT] = "has an unknown unit (ms, s or m)",
		[DUR_NOTWHOLE] = "is not a whole number of milliseconds",
	};
	char q[QUOTE_MAX];

	return cfg_error(c, t->line, "%s: %s %s", what, cfg_quote(t->text, q), why[rc]);
}

int cfg_duration(struct cfg *c, const char *what, uint32_t min_ms, uint32_t max_ms,
                 uint32_t *out_ms)
{
	char q[QUOTE_MAX], lo[CFG_DURATION_STR], hi[CFG_DURATION_STR];
	struct cfg_token t;
	uint64_t ms = 0;
	int rc;

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if ((rc = parse_duration(t.text, &ms)) != DUR_OK)
		return duration_error(c, &t, what, rc);
	if (ms < min_ms || ms > max_ms)
		return cfg_error(c, t.line, "%s: %s is out of range (%s..%s)", what,
		                 clip(t.text, q), cfg_duration_str(min_ms, lo),
		                 cfg_duration_str(max_ms, hi));
	*out_ms = (uint32_t)ms;
	return 0;
}

bool cfg_duration_text(const char *s, uint64_t *out_ms)
{
	return parse_duration(s, out_ms) == DUR_OK;
}

int cfg_in6(struct cfg *c, const char *what, struct in6_addr *out)
{
	struct cfg_token t;
	char q[QUOTE_MAX];

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if (inet_pton(AF_INET6, t.text, out) != 1)
		return cfg_error(c, t.line, "%s: %s is not an IPv6 address", what,
		                 cfg_quote(t.text, q));
	return 0;
}

/* Splits "address/length"; false if it is not shaped like a prefix. */
static bool parse_prefix(const char *s, struct in6_addr *addr, uint64_t *len)
{
	const char *slash = strchr(s, '/');
	char abuf[INET6_ADDRSTRLEN];
	size_t n;

	if (!slash || (n = (size_t)(slash - s)) >= sizeof(abuf))
		return false;
	memcpy(abuf, s, n);
	abuf[n] = '\0';
	return inet_pton(AF_INET6, abuf, addr) == 1 &&
	       parse_digits(slash + 1, strlen(slash + 1), len);
}

int cfg_prefix(struct cfg *c, const char *what, unsigned min_len, struct in6_addr *addr,
               uint8_t *len)
{
	struct cfg_token t;
	char q[QUOTE_MAX];
	uint64_t v;

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if (!parse_prefix(t.text, addr, &v))
		return cfg_error(c, t.line, "%s: %s is not an IPv6 prefix (address/length)", what,
		                 cfg_quote(t.text, q));
	if (v < min_len || v > 128)
		return cfg_error(c, t.line, "%s: prefix length %s is out of range (%u..128)", what,
		                 clip(strchr(t.text, '/') + 1, q), min_len);
	if (!cfg_prefix_host_bits_zero(addr, (unsigned)v))
		return cfg_error(c, t.line, "%s: %s has host bits set", what, cfg_quote(t.text, q));
	*len = (uint8_t)v;
	return 0;
}

static bool ifname_valid(const char *s)
{
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == '/' || *s == ':')
			return false;
	return true;
}

int cfg_ifname(struct cfg *c, const char *what, char out[IFNAMSIZ])
{
	struct cfg_token t;
	char q[QUOTE_MAX];

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if (t.len == 0)
		return cfg_error(c, t.line, "%s: empty interface name", what);
	if (t.len >= IFNAMSIZ)
		return cfg_error(c, t.line, "%s: %s is longer than %d characters", what,
		                 cfg_quote(t.text, q), IFNAMSIZ - 1);
	if (!ifname_valid(t.text))
		return cfg_error(c, t.line, "%s: %s is not a valid interface name", what,
		                 cfg_quote(t.text, q));
	memcpy(out, t.text, t.len + 1);
	return 0;
}

int cfg_nai(struct cfg *c, const char *what, char *out, size_t size)
{
	struct cfg_token t;
	char q[QUOTE_MAX];

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if (t.len == 0)
		return cfg_error(c, t.line, "%s: empty MN-ID", what);
	if (t.len > MH_MNID_MAX || t.len >= size)
		return cfg_error(c, t.line, "%s: MN-ID is longer than %d characters", what,
		                 MH_MNID_MAX);
	if (!mh_nai_valid((const uint8_t *)t.text, t.len))
		return cfg_error(c, t.line, "%s: %s is not a valid NAI", what,
		                 cfg_quote(t.text, q));
	memcpy(out, t.text, t.len + 1);
	return 0;
}

static void join_names(const char *const *names, unsigned n, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < size; i++) {
		int k = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);

		if (k < 0)
			break;
		used += (size_t)k;
	}
}

int cfg_choice(struct cfg *c, const char *what, const char *const *names, unsigned n, unsigned *out)
{
	char q[QUOTE_MAX], list[256];
	struct cfg_token t;

	if (cfg_value(c, what, &t) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(t.text, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	join_names(names, n, list, sizeof(list));
	return cfg_error(c, t.line, "%s: %s is not one of %s", what, cfg_quote(t.text, q), list);
}

int cfg_bool(struct cfg *c, const char *what, bool *out)
{
	static const char *const names[] = { "no", "yes" };
	unsigned i;

	if (cfg_choice(c, what, names, 2, &i) < 0)
		return -1;
	*out = i == 1;
	return 0;
}

int cfg_string(struct cfg *c, const char *what, char *out, size_t size)
{
	struct cfg_token t;

	if (cfg_value(c, what, &t) < 0)
		return -1;
	if (t.len == 0)
		return cfg_error(c, t.line, "%s: empty value", what);
	if (t.len >= size)
		return cfg_error(c, t.line, "%s: longer than %zu characters", what, size - 1);
	memcpy(out, t.text, t.len + 1);
	return 0;
}

static bool account_name_valid(const char *s)
{
	if (s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
	       strlen(s);
}

/* A user (user true) or group name that exists on this system. */
static int cfg_account(struct cfg *c, unsigned line, const char *what, char *out, size_t size,
                       bool user)
{
	const char *kind = user ? "user" : "group";
	char q[CFG_QUOTE_MAX];

	if (cfg_string(c, what, out, size) < 0)
		return -1;
	if (!account_name_valid(out))
		return cfg_error(c, line, "%s: %s is not a valid %s name", what, cfg_quote(out, q),
		                 kind);
	if (user ? getpwnam(out) == NULL : getgrnam(out) == NULL)
		return cfg_error(c, line, "%s: %s is not a %s on this system", what,
		                 cfg_quote(out, q), kind);
	return 0;
}

int cfg_group(struct cfg *c, unsigned line, const char *what, char *out, size_t size)
{
	return cfg_account(c, line, what, out, size, false);
}

int cfg_user(struct cfg *c, unsigned line, const char *what, char *out, size_t size)
{
	return cfg_account(c, line, what, out, size, true);
}

int cfg_check_routable(struct cfg *c, unsigned line, const char *what, const struct in6_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_MULTICAST(a))
		return cfg_error(c, line, "%s: %s is not a unicast address", what, s);
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return cfg_error(c, line, "%s: %s is a link-local address", what, s);
	if (IN6_IS_ADDR_V4MAPPED(a))
		return cfg_error(c, line, "%s: %s is an IPv4-mapped address", what, s);
	return 0;
}

int cfg_path(struct cfg *c, const char *what, char *out, size_t size)
{
	char q[CFG_QUOTE_MAX];

	if (cfg_string(c, what, out, size) < 0)
		return -1;
	if (out[0] != '/')
		return cfg_error(c, c->line, "%s: %s is not an absolute path", what,
		                 cfg_quote(out, q));
	return 0;
}

/* --- prefixes --- */

bool cfg_prefix_host_bits_zero(const struct in6_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned net = len > i * 8 ? len - i * 8 : 0;
		uint8_t host = net >= 8 ? 0 : (uint8_t)(0xffu >> net);

		if (a->s6_addr[i] & host)
			return false;
	}
	return true;
}

bool cfg_prefix_overlap(const struct in6_addr *a, unsigned alen, const struct in6_addr *b,
                        unsigned blen)
{
	unsigned n = alen < blen ? alen : blen;
	unsigned bytes = n / 8, bits = n % 8;
	uint8_t mask = (uint8_t)(0xff00u >> bits);

	if (memcmp(a->s6_addr, b->s6_addr, bytes) != 0)
		return false;
	return bits == 0 || ((a->s6_addr[bytes] ^ b->s6_addr[bytes]) & mask) == 0;
}

/* --- printing --- */

static bool needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s; s++)
		if (ends_word((unsigned char)*s) || *s == '\\')
			return true;
	return false;
}

void cfg_print_word(FILE *out, const char *s)
{
	if (!needs_quotes(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

const char *cfg_duration_str(uint64_t ms, char buf[CFG_DURATION_STR])
{
	if (ms % 1000 == 0)
		snprintf(buf, CFG_DURATION_STR, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, CFG_DURATION_STR, "%" PRIu64 "ms", ms);
	return buf;
}

void cfg_heartbeat_default(struct cfg_heartbeat *h)
{
	h->interval_ms = CFG_HB_INTERVAL_MS;
	h->misses = CFG_HB_MISSES;
}

static int heartbeat_value(struct cfg *c, const char *what, unsigned which,
                           struct cfg_heartbeat *out)
{
	char w[64];

	snprintf(w, sizeof(w), "%s %s", what, which == 0 ? "interval" : "misses");
	if (which == 0)
		return cfg_duration(c, w, CFG_HB_INTERVAL_MIN, CFG_HB_INTERVAL_MAX, &out->interval_ms);
	return cfg_uint(c, w, 1, CFG_HB_MISSES_MAX, &out->misses);
}

int cfg_heartbeat(struct cfg *c, const char *what, unsigned line, struct cfg_heartbeat *out)
{
	static const char *const words[] = { "interval", "misses", "off" };
	struct cfg_heartbeat h = *out;
	unsigned got = 0, i;

	do {
		if (cfg_choice(c, what, words, 3, &i) < 0)
			return -1;
		if (i == 2 && got == 0) {
			out->interval_ms = 0;
			return 0; /* "off" alone */
		}
		if (i == 2 || (got & (1u << i)))
			return cfg_error(c, line, "%s: %s is out of place", what, words[i]);
		got |= 1u << i;
		if (heartbeat_value(c, what, i, &h) < 0)
			return -1;
	} while (cfg_peek(c)->type == CFG_WORD || cfg_peek(c)->type == CFG_STRING);
	if (h.interval_ms == 0) /* "misses N" after a default of off: the RFC's interval */
		h.interval_ms = CFG_HB_INTERVAL_MS;
	*out = h;
	return 0;
}

void cfg_heartbeat_print(FILE *out, const struct cfg_heartbeat *h)
{
	char d[CFG_DURATION_STR];

	if (h->interval_ms == 0)
		fputs("heartbeat off\n", out);
	else
		fprintf(out, "heartbeat interval %s misses %u\n", cfg_duration_str(h->interval_ms, d),
		        (unsigned)h->misses);
}

const char *cfg_prefix_str(const struct in6_addr *a, unsigned len, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, a, addr, sizeof(addr)))
		addr[0] = '\0';
	snprintf(buf, size, "%s/%u", addr, len);
	return buf;
}

int cfg_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void cfg_print_account(FILE *out, const char *user, const char *group)
{
	if (user[0]) {
		fputs("user ", out);
		cfg_print_word(out, user);
		fputc('\n', out);
	}
	if (group[0]) {
		fputs("group ", out);
		cfg_print_word(out, group);
		fputc('\n', out);
	}
}

void cfg_print_rate(FILE *out, uint32_t per_s, uint32_t burst)
{
	fprintf(out, "%" PRIu32 " burst %" PRIu32, per_s, burst);
}
