/* test_tshark.c: the independent-decoder cross-check of the Mobility Header codec: every golden
 * message is built from its struct mh_msg, encoded with mh_encode(), written into a pcap and read
 * back by tshark, and what tshark shows is compared field by field with the struct. A missing
 * tshark fails the tests: the project's test command installs it, so a skip would hide a gap. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/mh.h"
#include "tests/check_main.h"
#include "tests/proto/golden.h"
#include "tests/proto/pcap.h"

#define MAX_PACKETS 16
#define MAX_PARTS   (2 * MH_MAX_PREFIXES + 16) /* occurrences of one field in one packet */
#define SRC_ADDR    "2001:db8::a"
#define DST_ADDR    "2001:db8::b"
#define OPTS_OFF    12 /* options follow the 12-octet start of a BU, BA, Heartbeat or BR */
#define BE_OPTS_OFF 24 /* and the Home Address of a Binding Error */
#define WS_PI_WARN  0x00600000ull /* epan/proto.h PI_WARN: severities print as numbers */
#define TS_UNIT_NS  15259 /* one 1/65536 s step of the Timestamp: tshark may round either way */

/* Flags tshark shows that the codec has no name for (UDP encapsulation, TLV header, bulk
 * binding): the codec never sets them, so tshark must show them clear. */
#define BU_F 0x0100
#define BU_T 0x0080
#define BU_B 0x0040
#define BA_T 0x10
#define BA_B 0x08

/* What tshark is asked for (tshark -G fields, 4.0), one column each. */
/* clang-format off */
enum field {
	F_FRAME, F_MALFORMED, F_SEVERITY,
	F_PROTO, F_HLEN, F_MHTYPE, F_OPT_LEN, F_PAD1,
	F_BU_SEQ, F_BU_A, F_BU_H, F_BU_L, F_BU_K, F_BU_M, F_BU_R, F_BU_P, F_BU_F, F_BU_T, F_BU_B,
	F_BU_LIFETIME,
	F_BA_STATUS, F_BA_K, F_BA_R, F_BA_P, F_BA_T, F_BA_B, F_BA_SEQ, F_BA_LIFETIME,
	F_HB_U, F_HB_R, F_HB_SEQ,
	F_BR_TYPE, F_BR_TRIGGER, F_BR_STATUS, F_BR_SEQ,
	F_BRI_P, F_BRI_V, F_BRI_G, F_BRA_P, F_BRA_V, F_BRA_G,
	F_BE_STATUS, F_BE_HADDR,
	F_UNKNOWN_DATA,
	F_OPT_MNID, F_MNID_SUBTYPE, F_MNID_ID,
	F_OPT_HNP, F_HNP_LEN, F_HNP_PREFIX,
	F_OPT_HI, F_HI,
	F_OPT_ATT, F_ATT,
	F_OPT_MNLLI, F_LLI,
	F_OPT_LLA, F_LLA,
	F_OPT_TS, F_TS,
	F_OPT_RC, F_RC,
	F_OPT_EM,
	F_EXPERT_MSG, /* last: free text, so a separator inside it cannot shift the other columns */
	F_N
};
/* clang-format on */

/* The mip6.options.* items are whole options (type and length octets included), in hex. */
static const char *const field_names[F_N] = {
	[F_FRAME] = "frame.number",
	[F_MALFORMED] = "_ws.malformed",
	[F_SEVERITY] = "_ws.expert.severity",
	[F_PROTO] = "mip6.proto",
	[F_HLEN] = "mip6.hlen",
	[F_MHTYPE] = "mip6.mhtype",
	[F_OPT_LEN] = "mip6.mobility_opt.len",
	[F_PAD1] = "mip6.options.pad1",
	[F_BU_SEQ] = "mip6.bu.seqnr",
	[F_BU_A] = "mip6.bu.a_flag",
	[F_BU_H] = "mip6.bu.h_flag",
	[F_BU_L] = "mip6.bu.l_flag",
	[F_BU_K] = "mip6.bu.k_flag",
	[F_BU_M] = "mip6.bu.m_flag",
	[F_BU_R] = "mip6.nemo.bu.r_flag",
	[F_BU_P] = "mip6.bu.p_flag",
	[F_BU_F] = "mip6.bu.f_flag",
	[F_BU_T] = "mip6.bu.t_flag",
	[F_BU_B] = "mip6.bu.b_flag",
	[F_BU_LIFETIME] = "mip6.bu.lifetime",
	[F_BA_STATUS] = "mip6.ba.status",
	[F_BA_K] = "mip6.ba.k_flag",
	[F_BA_R] = "mip6.nemo.ba.r_flag",
	[F_BA_P] = "mip6.ba.p_flag",
	[F_BA_T] = "mip6.ba.t_flag",
	[F_BA_B] = "mip6.ba.b_flag",
	[F_BA_SEQ] = "mip6.ba.seqnr",
	[F_BA_LIFETIME] = "mip6.ba.lifetime",
	[F_HB_U] = "mip6.hb.u_flag",
	[F_HB_R] = "mip6.hb.r_flag",
	[F_HB_SEQ] = "mip6.hb.seqnr",
	[F_BR_TYPE] = "mip6.bri_br.type",
	[F_BR_TRIGGER] = "mip6.bri_r.trigger",
	[F_BR_STATUS] = "mip6.bri_status",
	[F_BR_SEQ] = "mip6.bri_seqnr",
	[F_BRI_P] = "mip6.bri_ip",
	[F_BRI_V] = "mip6.bri_iv",
	[F_BRI_G] = "mip6.bri_ig",
	[F_BRA_P] = "mip6.bri_ap",
	[F_BRA_V] = "mip6.bri_av",
	[F_BRA_G] = "mip6.bri_ag",
	[F_BE_STATUS] = "mip6.be.status",
	[F_BE_HADDR] = "mip6.be.haddr",
	[F_UNKNOWN_DATA] = "mip6.unknown_type_data",
	[F_OPT_MNID] = "mip6.options.mnid",
	[F_MNID_SUBTYPE] = "mip6.mnid.subtype",
	[F_MNID_ID] = "mip6.mnid.identifier",
	[F_OPT_HNP] = "mip6.options.hnp",
	[F_HNP_LEN] = "mip6.nemo.mnp.pfl",
	[F_HNP_PREFIX] = "mip6.nemo.mnp.mnp",
	[F_OPT_HI] = "mip6.options.hi",
	[F_HI] = "mip6.hi",
	[F_OPT_ATT] = "mip6.options.att",
	[F_ATT] = "mip6.att",
	[F_OPT_MNLLI] = "mip6.options.mnlli",
	[F_LLI] = "mip6.mnlli.lli",
	[F_OPT_LLA] = "mip6.options.lla",
	[F_LLA] = "mip6.lila_lla",
	[F_OPT_TS] = "mip6.options.ts",
	[F_TS] = "mip6.timestamp_tmp",
	[F_OPT_RC] = "mip6.options.rc",
	[F_RC] = "mip6.rc",
	[F_OPT_EM] = "mip6.options.em",
	[F_EXPERT_MSG] = "_ws.expert.message",
};

/* tshark's objections, for the second, independent look at the same packets. */
#define EXPERT_FILTER "_ws.malformed || _ws.expert.severity >= \"Warning\""
static const char filter_args[] =
        "-Y '" EXPERT_FILTER "' -T fields -e frame.number -e _ws.expert.message";

struct packet {
	const char *name;
	const uint8_t *bytes;
	size_t len;
};

struct row {
	const char *name; /* of the packet, for the messages */
	char *f[F_N];     /* into out[] */
};

struct occ {
	char buf[4096];
	char *v[MAX_PARTS];
	size_t n;
};

struct tmp {
	char dir[32];
	char pcap[64];
	char err[64];
};

/* Static rather than on the stack or the heap: the tests fork, and a failed assertion leaves
 * nothing to free. */
static struct mh_params params;
static struct mh_msg vec_msg[MAX_PACKETS];
static uint8_t vec_wire[MAX_PACKETS][MH_MAX_LEN];
static size_t vec_len[MAX_PACKETS];
static struct packet vec_pk[MAX_PACKETS];
static char out[1 << 16]; /* standard output of the last tshark run */
static struct row rows[MAX_PACKETS];

/* --- running tshark --- */

/* The build's tshark (configure puts it in TSHARK for make check), else the one on PATH. */
static const char *tshark_bin(void)
{
	const char *t = getenv("TSHARK");

	return t && *t ? t : "tshark";
}

static bool append(char *cmd, size_t cap, const char *s)
{
	size_t n = strlen(cmd), l = strlen(s);

	if (n + l >= cap)
		return false;
	memcpy(cmd + n, s, l + 1);
	return true;
}

/* Single quotes keep a path with spaces or quotes one shell word. */
static bool append_quoted(char *cmd, size_t cap, const char *s)
{
	bool ok = append(cmd, cap, "'");

	for (; *s && ok; s++) {
		char c[2] = { *s, '\0' };

		ok = append(cmd, cap, *s == '\'' ? "'\\''" : c);
	}
	return ok && append(cmd, cap, "'");
}

/* The first line of tshark's standard error that explains something (the "Running as user
 * root" notice does not). */
static void first_error_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[256];

	snprintf(buf, len, "(nothing on standard error)");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Running as user", 15) == 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line);
		break;
	}
	fclose(f);
}

static bool build_command(const struct tmp *t, const char *args, char *cmd, size_t cap)
{
	/* C locale and UTC: the Timestamp is parsed from its text */
	snprintf(cmd, cap, "LC_ALL=C TZ=UTC0 ");
	return append_quoted(cmd, cap, tshark_bin()) && append(cmd, cap, " -n -r ") &&
	       append_quoted(cmd, cap, t->pcap) && append(cmd, cap, " ") &&
	       append(cmd, cap, args) && append(cmd, cap, " 2>") && append_quoted(cmd, cap, t->err);
}

/* Runs tshark over t->pcap with args, its standard output into out[]. */
static bool run_tshark(const struct tmp *t, const char *args, char *err, size_t errlen)
{
	char cmd[4096], why[256];
	bool full;
	FILE *p;
	size_t n;
	int st;

	if (!build_command(t, args, cmd, sizeof(cmd))) {
		snprintf(err, errlen, "tshark command line too long");
		return false;
	}
	p = popen(cmd, "r");
	if (!p) {
		snprintf(err, errlen, "popen(%s): %s", tshark_bin(), strerror(errno));
		return false;
	}
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	full = n == sizeof(out) - 1 && fgetc(p) != EOF;
	st = pclose(p);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		first_error_line(t->err, why, sizeof(why));
		snprintf(err, errlen,
		         "cannot run tshark '%s' (%s %d): %s. This cross-check needs tshark: "
		         "install it (apt-get install tshark) or set TSHARK to its path",
		         tshark_bin(), st != -1 && WIFEXITED(st) ? "exit status" : "wait status",
		         st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : st, why);
		return false;
	}
	if (full) {
		snprintf(err, errlen, "tshark printed more than %zu octets", sizeof(out) - 1);
		return false;
	}
	return true;
}

static bool write_pcap(const char *path, const struct packet *pk, size_t n)
{
	struct in6_addr src, dst;
	bool ok = true;
	FILE *f;

	if (inet_pton(AF_INET6, SRC_ADDR, &src) != 1 || inet_pton(AF_INET6, DST_ADDR, &dst) != 1)
		return false;
	f = pcap_open(path);
	if (!f)
		return false;
	for (size_t i = 0; i < n && ok; i++)
		ok = pcap_write_mh(f, &src, &dst, pk[i].bytes, pk[i].len);
	return pcap_close(f) && ok;
}

/* Writes the packets into a pcap in a fresh directory, one per record in order, runs tshark
 * once over it, and removes the directory before asserting, so a failure leaves nothing. */
static void tshark_over(const struct packet *pk, size_t n, const char *args)
{
	char err[768] = "";
	struct tmp t;
	bool ok;

	snprintf(t.dir, sizeof(t.dir), "/tmp/test_tshark.XXXXXX");
	ck_assert_msg(mkdtemp(t.dir), "mkdtemp: %s", strerror(errno));
	snprintf(t.pcap, sizeof(t.pcap), "%s/mh.pcap", t.dir);
	snprintf(t.err, sizeof(t.err), "%s/stderr", t.dir);
	ok = write_pcap(t.pcap, pk, n);
	if (!ok)
		snprintf(err, sizeof(err), "cannot write %s: %s", t.pcap, strerror(errno));
	else
		ok = run_tshark(&t, args, err, sizeof(err));
	unlink(t.pcap);
	unlink(t.err);
	rmdir(t.dir);
	ck_assert_msg(ok, "%s", err);
}

/* --- reading tshark's fields --- */

static const char *field_args(void)
{
	static char args[4096];

	snprintf(args, sizeof(args),
	         "-T fields -E 'separator=|' -E occurrence=a -E 'aggregator=;'");
	for (int f = 0; f < F_N; f++) {
		size_t n = strlen(args);

		snprintf(args + n, sizeof(args) - n, " -e %s", field_names[f]);
	}
	return args;
}

static bool parse_uint(const char *s, unsigned long long *v)
{
	int base = strncmp(s, "0x", 2) == 0 ? 16 : 10;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

static int hexval(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c ? strchr(digits, tolower((unsigned char)c)) : NULL;

	return p ? (int)(p - digits) : -1;
}

/* tshark 4.0 prints bytes as "0a1b"; other versions put colons between them. */
static bool parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *n)
{
	*n = 0;
	while (*s) {
		if (*s == ':') {
			s++;
			continue;
		}
		if (hexval(s[0]) < 0 || hexval(s[1]) < 0 || *n == cap)
			return false;
		buf[(*n)++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		s += 2;
	}
	return true;
}

static void split_row(struct row *r, char *line)
{
	for (int f = 0; f < F_N; f++) {
		char *bar = f < F_N - 1 ? strchr(line, '|') : NULL;

		ck_assert_msg(f == F_N - 1 || bar, "tshark printed %d columns, want %d: %s", f + 1,
		              F_N, line);
		r->f[f] = line;
		if (bar) {
			*bar = '\0';
			line = bar + 1;
		}
	}
}

/* One row per packet; the packet's frame number says tshark kept them in order. */
static void parse_rows(const struct packet *pk, size_t n)
{
	char *line = out, *nl;
	size_t got = 0;

	while ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		ck_assert_msg(got < n, "tshark printed more than the %zu packets written", n);
		split_row(&rows[got], line);
		rows[got].name = pk[got].name;
		ck_assert_msg(strcmp(rows[got].f[F_FRAME], "") != 0 &&
		                      strtoull(rows[got].f[F_FRAME], NULL, 10) == got + 1,
		              "row %zu is frame %s", got + 1, rows[got].f[F_FRAME]);
		got++;
		line = nl + 1;
	}
	ck_assert_msg(*line == '\0', "tshark's output ends without a newline: %s", line);
	ck_assert_msg(got == n, "tshark printed %zu packets, %zu were written", got, n);
}

static void decode_packets(const struct packet *pk, size_t n)
{
	tshark_over(pk, n, field_args());
	parse_rows(pk, n);
}

/* Every golden message, from the struct its expect() fills, through mh_encode(). */
static void encode_golden(void)
{
	ck_assert_msg(golden_count <= MAX_PACKETS, "%zu golden vectors, room for %d", golden_count,
	              MAX_PACKETS);
	mh_params_init(&params);
	/* tshark dissects option type 18 as Experimental: this is what lets it see MuHo */
	ck_assert_uint_eq(params.muho_type, MH_OPT_EXPERIMENTAL);
	for (size_t i = 0; i < golden_count; i++) {
		const struct golden *g = &golden_vectors[i];
		ssize_t n;

		g->expect(&vec_msg[i]);
		n = mh_encode(&vec_msg[i], &params, vec_wire[i], sizeof(vec_wire[i]));
		ck_assert_msg(n > 0, "%s: mh_encode: %s", g->name, mh_strerror((int)-n));
		vec_len[i] = (size_t)n;
		vec_pk[i] = (struct packet){ g->name, vec_wire[i], vec_len[i] };
	}
}

static void decode_golden(void)
{
	encode_golden();
	decode_packets(vec_pk, golden_count);
}

/* The occurrences of one field in one packet, which tshark joins with ';'. */
static void occurrences(const struct row *r, enum field f, struct occ *o)
{
	char *save = NULL, *tok;

	ck_assert_msg(strlen(r->f[f]) < sizeof(o->buf), "%s: %s too long", r->name, field_names[f]);
	snprintf(o->buf, sizeof(o->buf), "%s", r->f[f]);
	o->n = 0;
	for (tok = strtok_r(o->buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		ck_assert_msg(o->n < MAX_PARTS, "%s: too many %s", r->name, field_names[f]);
		o->v[o->n++] = tok;
	}
}

static unsigned long long max_severity(const struct row *r)
{
	unsigned long long max = 0, v;
	struct occ sev;

	occurrences(r, F_SEVERITY, &sev);
	for (size_t i = 0; i < sev.n; i++) {
		ck_assert_msg(parse_uint(sev.v[i], &v), "%s: severity \"%s\"", r->name, sev.v[i]);
		if (v > max)
			max = v;
	}
	return max;
}

/* Whether tshark objects to the packet: malformed, or an expert item of severity Warning or
 * above (Note and Chat are commentary, not objections). */
static bool flagged(const struct row *r, char *why, size_t len)
{
	if (r->f[F_MALFORMED][0]) {
		snprintf(why, len, "malformed: %s", r->f[F_EXPERT_MSG]);
		return true;
	}
	if (max_severity(r) >= WS_PI_WARN) {
		snprintf(why, len, "expert severity 0x%llx: %s", max_severity(r),
		         r->f[F_EXPERT_MSG]);
		return true;
	}
	return false;
}

/* --- comparing with the struct --- */

static void expect_uint(const struct row *r, enum field f, unsigned long long want)
{
	unsigned long long got;

	ck_assert_msg(parse_uint(r->f[f], &got), "%s: tshark's %s is \"%s\", want %llu", r->name,
	              field_names[f], r->f[f], want);
	ck_assert_msg(got == want, "%s: tshark's %s is %llu, the struct's %llu", r->name,
	              field_names[f], got, want);
}

static void expect_bool(const struct row *r, enum field f, bool want)
{
	const char *s = r->f[f];
	bool on = strcmp(s, "1") == 0 || strcmp(s, "True") == 0;
	bool off = strcmp(s, "0") == 0 || strcmp(s, "False") == 0;

	ck_assert_msg(on || off, "%s: tshark's %s is \"%s\", not a flag", r->name, field_names[f],
	              s);
	ck_assert_msg(on == want, "%s: tshark's %s is %s, the struct has it %s", r->name,
	              field_names[f], s, want ? "set" : "clear");
}

static void expect_absent(const struct row *r, enum field f)
{
	ck_assert_msg(r->f[f][0] == '\0', "%s: tshark shows %s \"%s\", not in this message",
	              r->name, field_names[f], r->f[f]);
}

static void expect_addr(const struct row *r, const char *what, const char *text,
                        const struct in6_addr *want)
{
	char w[INET6_ADDRSTRLEN] = "?";
	struct in6_addr a;

	inet_ntop(AF_INET6, want, w, sizeof(w));
	ck_assert_msg(inet_pton(AF_INET6, text, &a) == 1 && memcmp(&a, want, sizeof(a)) == 0,
	              "%s: tshark's %s is \"%s\", the struct's %s", r->name, what, text, w);
}

static void expect_hex(const struct row *r, const char *what, const char *text, const uint8_t *want,
                       size_t n)
{
	uint8_t got[MH_MAX_LEN];
	size_t len;

	ck_assert_msg(parse_hex(text, got, sizeof(got), &len), "%s: tshark's %s \"%s\" is not hex",
	              r->name, what, text);
	ck_assert_msg(len == n, "%s: tshark's %s has %zu octets, want %zu: %s", r->name, what, len,
	              n, text);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "%s: tshark's %s octet %zu is 0x%02x, want 0x%02x",
		              r->name, what, i, got[i], want[i]);
}

struct flag {
	enum field f;
	unsigned bit;
};

static const struct flag bu_flags[] = {
	{ F_BU_A, MH_BU_A }, { F_BU_H, MH_BU_H }, { F_BU_L, MH_BU_L }, { F_BU_K, MH_BU_K },
	{ F_BU_M, MH_BU_M }, { F_BU_R, MH_BU_R }, { F_BU_P, MH_BU_P }, { F_BU_F, BU_F },
	{ F_BU_T, BU_T },    { F_BU_B, BU_B },
};
static const struct flag ba_flags[] = {
	{ F_BA_K, MH_BA_K }, { F_BA_R, MH_BA_R }, { F_BA_P, MH_BA_P },
	{ F_BA_T, BA_T },    { F_BA_B, BA_B },
};
static const struct flag hb_flags[] = { { F_HB_U, MH_HB_U }, { F_HB_R, MH_HB_R } };
static const struct flag bri_flags[] = { { F_BRI_P, MH_BR_P },
	                                 { F_BRI_V, MH_BR_V },
	                                 { F_BRI_G, MH_BR_G } };
static const struct flag bra_flags[] = { { F_BRA_P, MH_BR_P },
	                                 { F_BRA_V, MH_BR_V },
	                                 { F_BRA_G, MH_BR_G } };

#define EXPECT_FLAGS(r, table, want) expect_flags(r, table, sizeof(table) / sizeof(table[0]), want)

/* Each flag tshark shows is set exactly when the struct has it; and the struct holds no bit
 * tshark does not show, which would go unchecked. */
static void expect_flags(const struct row *r, const struct flag *fl, size_t n, unsigned want)
{
	unsigned shown = 0;

	for (size_t i = 0; i < n; i++) {
		expect_bool(r, fl[i].f, (want & fl[i].bit) != 0);
		shown |= fl[i].bit;
	}
	ck_assert_msg((want & ~shown) == 0, "%s: flags 0x%x hold bits tshark does not show",
	              r->name, want);
}

/* The single-instance options: presence bit in the struct, type, and tshark's item. */
static const struct {
	uint32_t have;
	uint8_t type;
	enum field item;
} single_opts[] = {
	{ MH_HAVE_MNID, MH_OPT_MNID, F_OPT_MNID },
	{ MH_HAVE_HI, MH_OPT_HI, F_OPT_HI },
	{ MH_HAVE_ATT, MH_OPT_ATT, F_OPT_ATT },
	{ MH_HAVE_MNLLID, MH_OPT_MNLLID, F_OPT_MNLLI },
	{ MH_HAVE_LLA, MH_OPT_LLA, F_OPT_LLA },
	{ MH_HAVE_TIMESTAMP, MH_OPT_TIMESTAMP, F_OPT_TS },
	{ MH_HAVE_RESTART_COUNTER, MH_OPT_RESTART_COUNTER, F_OPT_RC },
};

/* tshark shows the option as often as the struct has it, each item starting with the type
 * octet and spanning the length its second octet gives. */
static void expect_items(const struct row *r, enum field item, size_t want, uint8_t type)
{
	uint8_t b[MH_MAX_LEN];
	struct occ o;
	size_t len;

	occurrences(r, item, &o);
	ck_assert_msg(o.n == want, "%s: tshark shows %zu %s, the struct has %zu", r->name, o.n,
	              field_names[item], want);
	for (size_t i = 0; i < o.n; i++) {
		ck_assert_msg(parse_hex(o.v[i], b, sizeof(b), &len) && len >= 2,
		              "%s: %s #%zu is \"%s\"", r->name, field_names[item], i, o.v[i]);
		ck_assert_msg(b[0] == type, "%s: %s #%zu has type %u, want %u", r->name,
		              field_names[item], i, b[0], type);
		ck_assert_msg(len == b[1] + 2u, "%s: %s #%zu has length %u but spans %zu octets",
		              r->name, field_names[item], i, b[1], len);
	}
}

static void expect_option_items(const struct row *r, const struct mh_opts *o)
{
	for (size_t i = 0; i < sizeof(single_opts) / sizeof(single_opts[0]); i++)
		expect_items(r, single_opts[i].item, (o->present & single_opts[i].have) ? 1 : 0,
		             single_opts[i].type);
	expect_items(r, F_OPT_HNP, o->n_hnp, MH_OPT_HNP);
	expect_items(r, F_OPT_EM, o->n_muho, params.muho_type);
}

/* tshark's walk through the options ends exactly at the end of the message. */
static void expect_options_cover(const struct row *r, size_t opts_len)
{
	unsigned long long v;
	struct occ lens, pad1;
	size_t sum;

	occurrences(r, F_OPT_LEN, &lens);
	occurrences(r, F_PAD1, &pad1);
	sum = pad1.n;
	for (size_t i = 0; i < lens.n; i++) {
		ck_assert_msg(parse_uint(lens.v[i], &v), "%s: option length \"%s\"", r->name,
		              lens.v[i]);
		sum += 2 + (size_t)v;
	}
	ck_assert_msg(sum == opts_len, "%s: tshark's options span %zu octets, the message's %zu",
	              r->name, sum, opts_len);
}

static void expect_mnid(const struct row *r, const struct mh_mnid *id)
{
	const char *got = r->f[F_MNID_ID];

	expect_uint(r, F_MNID_SUBTYPE, id->subtype);
	ck_assert_msg(strlen(got) == id->len && memcmp(got, id->id, id->len) == 0,
	              "%s: tshark's %s is \"%s\", the struct's \"%.*s\"", r->name,
	              field_names[F_MNID_ID], got, (int)id->len, (const char *)id->id);
}

/* Every HNP, in the order of the struct. */
static void expect_hnps(const struct row *r, const struct mh_opts *o)
{
	unsigned long long len;
	struct occ lens, pfx;
	char what[64];

	occurrences(r, F_HNP_LEN, &lens);
	occurrences(r, F_HNP_PREFIX, &pfx);
	ck_assert_msg(lens.n == o->n_hnp && pfx.n == o->n_hnp,
	              "%s: tshark shows %zu prefix lengths and %zu prefixes, the struct %u HNPs",
	              r->name, lens.n, pfx.n, o->n_hnp);
	for (size_t i = 0; i < o->n_hnp; i++) {
		ck_assert_msg(parse_uint(lens.v[i], &len) && len == o->hnp[i].len,
		              "%s: tshark's %s #%zu is \"%s\", the struct's %u", r->name,
		              field_names[F_HNP_LEN], i, lens.v[i], o->hnp[i].len);
		snprintf(what, sizeof(what), "%s #%zu", field_names[F_HNP_PREFIX], i);
		expect_addr(r, what, pfx.v[i], &o->hnp[i].addr);
	}
}

static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* tshark prints the Timestamp as "Feb 27, 2026 15:05:39.500000000 UTC". */
static bool parse_utc(const char *s, long long *sec, unsigned long long *nsec)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int day, year, h, mi, se, used = -1;
	char mon[4], frac[10], zone[4];
	const char *m;

	if (sscanf(s, "%3s %d, %d %d:%d:%d.%9[0-9] %3s%n", mon, &day, &year, &h, &mi, &se, frac,
	           zone, &used) != 8 ||
	    used < 0 || s[used] != '\0' || strcmp(zone, "UTC") != 0 || strlen(mon) != 3)
		return false;
	m = strstr(months, mon);
	if (!m || (m - months) % 3 != 0)
		return false;
	*sec = days_from_civil(year, (int)(m - months) / 3 + 1, day) * 86400 + h * 3600LL +
	       mi * 60LL + se;
	*nsec = strtoull(frac, NULL, 10);
	for (size_t i = strlen(frac); i < 9; i++)
		*nsec *= 10;
	return true;
}

/* Seconds exactly, the 1/65536 fraction to within a step; and the option's octets. */
static void expect_timestamp(const struct row *r, uint64_t ts)
{
	long long want_sec = (long long)(ts >> 16), sec;
	unsigned long long want_ns = ((ts & 0xffff) * 1000000000ull) >> 16, ns;
	uint8_t opt[10] = { MH_OPT_TIMESTAMP, 8 };

	ck_assert_msg(parse_utc(r->f[F_TS], &sec, &ns), "%s: tshark's %s \"%s\" is not a UTC time",
	              r->name, field_names[F_TS], r->f[F_TS]);
	ck_assert_msg(sec == want_sec, "%s: tshark's Timestamp is %lld s (%s), the struct's %lld s",
	              r->name, sec, r->f[F_TS], want_sec);
	ck_assert_msg(ns + TS_UNIT_NS >= want_ns && ns <= want_ns + TS_UNIT_NS,
	              "%s: tshark's Timestamp fraction is %llu ns, the struct's %llu ns", r->name,
	              ns, want_ns);
	for (int i = 0; i < 8; i++)
		opt[2 + i] = (uint8_t)(ts >> (56 - 8 * i));
	expect_hex(r, field_names[F_OPT_TS], r->f[F_OPT_TS], opt, sizeof(opt));
}

/* The value of every option the struct has (expect_option_items() checked the counts). */
static void expect_option_values(const struct row *r, const struct mh_opts *o)
{
	expect_option_items(r, o);
	if (o->present & MH_HAVE_MNID)
		expect_mnid(r, &o->mnid);
	expect_hnps(r, o);
	if (o->present & MH_HAVE_HI)
		expect_uint(r, F_HI, o->hi);
	if (o->present & MH_HAVE_ATT)
		expect_uint(r, F_ATT, o->att);
	if (o->present & MH_HAVE_MNLLID)
		expect_hex(r, field_names[F_LLI], r->f[F_LLI], o->llid, o->llid_len);
	if (o->present & MH_HAVE_LLA)
		expect_addr(r, field_names[F_LLA], r->f[F_LLA], &o->lla);
	if (o->present & MH_HAVE_TIMESTAMP)
		expect_timestamp(r, o->timestamp);
	if (o->present & MH_HAVE_RESTART_COUNTER)
		expect_uint(r, F_RC, o->restart_counter);
}

/* tshark 4.0 dissects every message of the codec but RFC 7077's UPN and UPA. */
static bool tshark_dissects(uint8_t type)
{
	return type != MH_TYPE_UPN && type != MH_TYPE_UPA;
}

/* Runs check on every golden vector of the type; there must be one. */
static void check_each(uint8_t type, void (*check)(size_t i))
{
	size_t seen = 0;

	decode_golden();
	for (size_t i = 0; i < golden_count; i++) {
		if (vec_msg[i].type != type)
			continue;
		check(i);
		seen++;
	}
	ck_assert_msg(seen > 0, "no golden vector of MH type %u", type);
}

/* --- the tests --- */

START_TEST(header_fields)
{
	const struct mh_msg *m = &vec_msg[_i];
	const struct row *r = &rows[_i];
	char why[512];

	decode_golden();
	ck_assert_uint_eq(vec_len[_i] % 8, 0);
	expect_uint(r, F_PROTO, MH_PAYLOAD_PROTO);
	expect_uint(r, F_HLEN, vec_len[_i] / 8 - 1);
	expect_uint(r, F_MHTYPE, m->type);
	ck_assert_msg(!flagged(r, why, sizeof(why)), "%s: tshark: %s", r->name, why);
	if (!tshark_dissects(m->type))
		return;
	expect_options_cover(r, vec_len[_i] - (m->type == MH_TYPE_BE ? BE_OPTS_OFF : OPTS_OFF));
	expect_option_items(r, &m->opts);
}
END_TEST

static void check_bu(size_t i)
{
	const struct mh_bu *bu = &vec_msg[i].u.bu;

	expect_uint(&rows[i], F_BU_SEQ, bu->seq);
	EXPECT_FLAGS(&rows[i], bu_flags, bu->flags);
	expect_uint(&rows[i], F_BU_LIFETIME, bu->lifetime); /* in 4 s units, as on the wire */
	expect_option_values(&rows[i], &vec_msg[i].opts);
}

START_TEST(binding_update)
{
	check_each(MH_TYPE_BU, check_bu);
}
END_TEST

static void check_ba(size_t i)
{
	const struct mh_ba *ba = &vec_msg[i].u.ba;

	expect_uint(&rows[i], F_BA_STATUS, ba->status);
	EXPECT_FLAGS(&rows[i], ba_flags, ba->flags);
	expect_uint(&rows[i], F_BA_SEQ, ba->seq);
	expect_uint(&rows[i], F_BA_LIFETIME, ba->lifetime);
	expect_option_values(&rows[i], &vec_msg[i].opts);
}

START_TEST(binding_ack)
{
	check_each(MH_TYPE_BA, check_ba);
}
END_TEST

static void check_hb(size_t i)
{
	const struct mh_hb *hb = &vec_msg[i].u.hb;

	EXPECT_FLAGS(&rows[i], hb_flags, hb->flags);
	expect_uint(&rows[i], F_HB_SEQ, hb->seq);
	expect_option_values(&rows[i], &vec_msg[i].opts);
}

START_TEST(heartbeat)
{
	check_each(MH_TYPE_HB, check_hb);
}
END_TEST

/* The code is the revocation trigger in a BRI and the status in a BRA (RFC 5846 §5.1, §5.2). */
static void check_br(size_t i)
{
	const struct mh_br *br = &vec_msg[i].u.br;
	const struct row *r = &rows[i];
	bool bri = br->br_type == MH_BR_TYPE_BRI;

	ck_assert_msg(bri || br->br_type == MH_BR_TYPE_BRA, "%s: B.R. type %u", r->name,
	              br->br_type);
	expect_uint(r, F_BR_TYPE, br->br_type);
	expect_uint(r, bri ? F_BR_TRIGGER : F_BR_STATUS, br->code);
	expect_absent(r, bri ? F_BR_STATUS : F_BR_TRIGGER);
	expect_uint(r, F_BR_SEQ, br->seq);
	if (bri)
		EXPECT_FLAGS(r, bri_flags, br->flags);
	else
		EXPECT_FLAGS(r, bra_flags, br->flags);
	expect_option_values(r, &vec_msg[i].opts);
}

START_TEST(revocation)
{
	check_each(MH_TYPE_BR, check_br);
}
END_TEST

static void check_be(size_t i)
{
	expect_uint(&rows[i], F_BE_STATUS, vec_msg[i].u.be.status);
	expect_addr(&rows[i], field_names[F_BE_HADDR], rows[i].f[F_BE_HADDR],
	            &vec_msg[i].u.be.home_addr);
	expect_option_values(&rows[i], &vec_msg[i].opts);
}

START_TEST(binding_error)
{
	check_each(MH_TYPE_BE, check_be);
}
END_TEST

/* tshark 4.0 does not dissect UPN and UPA: it must at least carry the body over unchanged,
 * which is everything after the 6-octet MH header. */
static void check_undissected(size_t i)
{
	const struct row *r = &rows[i];

	ck_assert_msg(r->f[F_UNKNOWN_DATA][0],
	              "%s: tshark shows no %s for MH type %u: if it dissects the type now, check "
	              "its fields here",
	              r->name, field_names[F_UNKNOWN_DATA], vec_msg[i].type);
	expect_hex(r, "mip6.unknown_type_data (MH octets 6 on)", r->f[F_UNKNOWN_DATA],
	           vec_wire[i] + MH_HDR_LEN, vec_len[i] - MH_HDR_LEN);
}

START_TEST(update_notification)
{
	check_each(MH_TYPE_UPN, check_undissected);
	check_each(MH_TYPE_UPA, check_undissected);
}
END_TEST

/* tshark 4.0 takes the Experimental option's data two octets short, so what is compared is
 * the whole option item, which tshark bounds by the option's own length. */
START_TEST(muho_options)
{
	size_t seen = 0;

	decode_golden();
	for (size_t i = 0; i < golden_count; i++) {
		const struct mh_opts *o = &vec_msg[i].opts;
		struct occ em;

		if (!tshark_dissects(vec_msg[i].type))
			continue;
		expect_items(&rows[i], F_OPT_EM, o->n_muho, MH_OPT_EXPERIMENTAL);
		occurrences(&rows[i], F_OPT_EM, &em);
		for (size_t k = 0; k < o->n_muho; k++) {
			uint8_t want[20] = { params.muho_type, 18, 0, o->muho[k].len };
			char what[64];

			memcpy(want + 4, &o->muho[k].addr, 16);
			snprintf(what, sizeof(what), "%s #%zu", field_names[F_OPT_EM], k);
			expect_hex(&rows[i], what, em.v[k], want, sizeof(want));
		}
		seen += o->n_muho;
	}
	ck_assert_msg(seen > 0, "no MuHo option in a message tshark dissects");
}
END_TEST

/* The display filter is the second look, apart from the per-packet columns: nothing in the
 * golden capture may match it. */
START_TEST(no_malformed_or_warning)
{
	encode_golden();
	tshark_over(vec_pk, golden_count, filter_args);
	ck_assert_msg(out[0] == '\0', "tshark objects (frame, expert messages): %.600s", out);
}
END_TEST

/* clang-format off */
/* A PBU whose HNP says length 17 (RFC 5213 §8.3 fixes 18): malformed, and warned about. */
static const uint8_t bad_hnp_len[] = {
	59, 3, 5, 0, 0, 0,      /* 0: header len 3 (32 octets), MH type 5 */
	0, 1, 0x82, 0x00, 0, 1, /* 6: sequence 1, flags A and P, lifetime 1 */
	22, 17, 0, 64,          /* 12: HNP with length 17 */
	0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* 16: 15 octets of prefix */
	0,                      /* 31: Pad1 */
};

/* A PBU whose Handoff Indicator runs one octet past the end: warned about, not malformed. */
static const uint8_t bad_hi_overrun[] = {
	59, 1, 5, 0, 0, 0,      /* 0: header len 1 (16 octets), MH type 5 */
	0, 1, 0x82, 0x00, 0, 1, /* 6: sequence 1, flags A and P, lifetime 1 */
	23, 3, 0, 1,            /* 12: Handoff Indicator with length 3: 2 octets remain */
};

/* A Binding Error cut inside its Home Address: malformed. */
static const uint8_t bad_be_short[] = {
	59, 1, 7, 0, 0, 0,      /* 0: header len 1 (16 octets), MH type 7: a BE needs 24 */
	2, 0,                   /* 6: status 2, reserved */
	0, 0, 0, 0, 0, 0, 0, 0, /* 8: half a Home Address */
};
/* clang-format on */

/* The frame numbers the filter run printed, as "1,2,3". */
static void filter_frames(char *buf, size_t len)
{
	const char *line = out;

	buf[0] = '\0';
	while (*line) {
		size_t n = strlen(buf), eol = strcspn(line, "\n");

		snprintf(buf + n, len - n, "%s%.*s", n ? "," : "", (int)strcspn(line, "\t\n"),
		         line);
		line += eol + (line[eol] == '\n');
	}
}

/* Both looks must see each broken packet, or the clean result above proves nothing; the
 * second packet is only warned about and the third only malformed, so each half of the check
 * fires on its own. */
START_TEST(detects_malformed_and_warning)
{
	static const struct packet bad[] = {
		{ "hnp_len_17", bad_hnp_len, sizeof(bad_hnp_len) },
		{ "hi_overrun", bad_hi_overrun, sizeof(bad_hi_overrun) },
		{ "be_short", bad_be_short, sizeof(bad_be_short) },
	};
	char why[512], frames[64];
	struct mh_msg m;

	mh_params_init(&params);
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(mh_decode(bad[i].bytes, bad[i].len, &params, &m) != MH_OK,
		              "%s: our codec accepts it", bad[i].name);
	decode_packets(bad, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(flagged(&rows[i], why, sizeof(why)), "%s: not detected", bad[i].name);
	ck_assert_msg(rows[0].f[F_MALFORMED][0] && rows[2].f[F_MALFORMED][0],
	              "_ws.malformed is not seen");
	ck_assert_msg(!rows[1].f[F_MALFORMED][0] && max_severity(&rows[1]) >= WS_PI_WARN,
	              "a Warning alone is not seen: malformed \"%s\", severity 0x%llx",
	              rows[1].f[F_MALFORMED], max_severity(&rows[1]));
	tshark_over(bad, 3, filter_args);
	filter_frames(frames, sizeof(frames));
	ck_assert_msg(strcmp(frames, "1,2,3") == 0, "the filter matches frames \"%s\": %.400s",
	              frames, out);
}
END_TEST

static Suite *tshark_suite(void)
{
	Suite *s = suite_create("tshark");
	TCase *fields = tcase_create("fields");
	TCase *expert = tcase_create("expert");

	tcase_add_loop_test(fields, header_fields, 0, (int)golden_count);
	tcase_add_test(fields, binding_update);
	tcase_add_test(fields, binding_ack);
	tcase_add_test(fields, heartbeat);
	tcase_add_test(fields, revocation);
	tcase_add_test(fields, binding_error);
	tcase_add_test(fields, update_notification);
	tcase_add_test(fields, muho_options);
	suite_add_tcase(s, fields);

	tcase_add_test(expert, no_malformed_or_warning);
	tcase_add_test(expert, detects_malformed_and_warning);
	suite_add_tcase(s, expert);
	return s;
}

CHECK_MAIN(tshark_suite)
