/* test_bindings.c: the binding file (lma/bindings.c) and the restart it serves
 * (lma/engine_bindings.c): records survive a write and a read field for field, odd MN-IDs
 * included; a file without the header, of another version or cut short restores nothing or
 * only its whole records; every field made wrong in turn makes its record bad, never the file;
 * an engine restarted from the file has the same bindings, routes, tunnel ids and replay state,
 * accepts its MAGs' next refresh as a renewal, and lets a binding expire by the lifetime it had
 * left; records the running configuration or cache would refuse are refused. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/statefile.h"
#include "lma/bindings.h"
#include "tests/check_main.h"
#include "tests/lma/engine_harness.h"

/* --- the format --- */

/* What the reader handed over. */
struct sink_log {
	struct bind_record bce[8];
	struct flow_record flow[8];
	unsigned n_bce, n_flow;
	bool refuse; /* the sink says no to everything */
};

static bool log_bce(void *arg, const struct bind_record *r)
{
	struct sink_log *l = arg;

	if (l->refuse || l->n_bce == 8)
		return false;
	l->bce[l->n_bce++] = *r;
	return true;
}

static bool log_flow(void *arg, const struct flow_record *r)
{
	struct sink_log *l = arg;

	if (l->refuse || l->n_flow == 8)
		return false;
	l->flow[l->n_flow++] = *r;
	return true;
}

static int read_text(const char *text, struct sink_log *l, struct bindings_report *r)
{
	struct bindings_sink sink = { .bce = log_bce, .flow = log_flow, .arg = l };
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	ck_assert_ptr_nonnull(f);
	memset(l->bce, 0, sizeof(l->bce));
	l->n_bce = l->n_flow = 0;
	ret = bindings_read(f, &sink, r);
	fclose(f);
	return ret;
}

static struct bind_record sample_bce(void)
{
	struct bind_record r = { .id = 42,
		                 .mag = h_addr("2001:db8:ffff::1"),
		                 .tunnel = 7,
		                 .llid_len = 6,
		                 .llid = { 0x02, 0, 0, 0, 0, 0x11 },
		                 .att = 4,
		                 .hi = 1,
		                 .muho = true,
		                 .have_lla = true,
		                 .lla = h_addr("fe80::1"),
		                 .lifetime_s = 600,
		                 .registered_ns = 1795305600000000000ull,
		                 .expires_ns = 1795306200000000000ull,
		                 .seq = 65535,
		                 .have_ts = true,
		                 .ts = 0x1234567890abcdefull,
		                 .n_prefix = 2,
		                 .prefix = { h_prefix("2001:db8:100::/64"),
		                             h_prefix("2001:db8:5:1::/64") } };

	strcpy(r.mn_id, "mn1@example.org");
	return r;
}

static struct flow_record sample_flow(void)
{
	return (struct flow_record){ .bce_id = 42,
		                     .mark = 1007,
		                     .tuple = { .src = h_addr("2001:db8:c::1"),
		                                .dst = h_addr("2001:db8:100::10"),
		                                .sport = 5000,
		                                .dport = 443,
		                                .flow_label = 0xfffff,
		                                .proto = 6 },
		                     .policy_id = 3,
		                     .pinned = true };
}

/* Field by field: padding is not part of a record. */
static void assert_same_bce(const struct bind_record *a, const struct bind_record *b)
{
	ck_assert_uint_eq(a->id, b->id);
	ck_assert_str_eq(a->mn_id, b->mn_id);
	ck_assert_mem_eq(&a->mag, &b->mag, sizeof(a->mag));
	ck_assert_uint_eq(a->tunnel, b->tunnel);
	ck_assert_uint_eq(a->llid_len, b->llid_len);
	ck_assert_mem_eq(a->llid, b->llid, sizeof(a->llid));
	ck_assert_uint_eq(a->att, b->att);
	ck_assert_uint_eq(a->hi, b->hi);
	ck_assert_int_eq(a->muho, b->muho);
	ck_assert_int_eq(a->have_lla, b->have_lla);
	ck_assert_mem_eq(&a->lla, &b->lla, sizeof(a->lla));
	ck_assert_uint_eq(a->lifetime_s, b->lifetime_s);
	ck_assert_uint_eq(a->registered_ns, b->registered_ns);
	ck_assert_uint_eq(a->expires_ns, b->expires_ns);
	ck_assert_uint_eq(a->seq, b->seq);
	ck_assert_int_eq(a->have_ts, b->have_ts);
	ck_assert_uint_eq(a->ts, b->ts);
	ck_assert_uint_eq(a->n_prefix, b->n_prefix);
	for (unsigned i = 0; i < a->n_prefix; i++)
		ck_assert(mh_prefix_equal(&a->prefix[i], &b->prefix[i]));
}

static void assert_same_flow(const struct flow_record *a, const struct flow_record *b)
{
	ck_assert_uint_eq(a->bce_id, b->bce_id);
	ck_assert_uint_eq(a->mark, b->mark);
	ck_assert_mem_eq(&a->tuple.src, &b->tuple.src, sizeof(a->tuple.src));
	ck_assert_mem_eq(&a->tuple.dst, &b->tuple.dst, sizeof(a->tuple.dst));
	ck_assert_uint_eq(a->tuple.sport, b->tuple.sport);
	ck_assert_uint_eq(a->tuple.dport, b->tuple.dport);
	ck_assert_uint_eq(a->tuple.flow_label, b->tuple.flow_label);
	ck_assert_uint_eq(a->tuple.proto, b->tuple.proto);
	ck_assert_uint_eq(a->policy_id, b->policy_id);
	ck_assert_int_eq(a->pinned, b->pinned);
}

/* The file for these records (freed by the caller). */
static char *written(const struct bind_record *b, unsigned nb, const struct flow_record *f,
                     unsigned nf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	bindings_write_header(out);
	for (unsigned i = 0; i < nb; i++)
		bindings_write_bce(out, &b[i]);
	for (unsigned i = 0; i < nf; i++)
		bindings_write_flow(out, &f[i]);
	ck_assert_int_eq(bindings_write_end(out), 0);
	fclose(out);
	return text;
}

START_TEST(records_survive_a_round_trip)
{
	struct bind_record b[2] = { sample_bce(), sample_bce() };
	struct flow_record f = sample_flow();
	struct bindings_report r;
	struct sink_log l = { 0 };
	char *text;

	b[1].id = 43;
	b[1].llid_len = 0;
	memset(b[1].llid, 0, sizeof(b[1].llid));
	b[1].have_lla = false;
	b[1].lla = (struct in6_addr){ 0 };
	b[1].have_ts = false;
	b[1].ts = 0;
	b[1].muho = false;
	b[1].n_prefix = 1;
	b[1].prefix[1] = (struct mh_prefix){ 0 };
	strcpy(b[1].mn_id, "odd %id\twith spaces"); /* escaped on the way out */
	text = written(b, 2, &f, 1);
	ck_assert_int_eq(read_text(text, &l, &r), 0);
	ck_assert_uint_eq(r.version, BINDINGS_VERSION);
	ck_assert_uint_eq(r.bces, 2);
	ck_assert_uint_eq(r.flows, 1);
	ck_assert_uint_eq(r.bad, 0);
	assert_same_bce(&l.bce[0], &b[0]);
	assert_same_bce(&l.bce[1], &b[1]);
	assert_same_flow(&l.flow[0], &f);
	free(text);
}
END_TEST

START_TEST(files_not_of_this_version_restore_nothing)
{
	static const char *const texts[] = {
		"",                               /* empty */
		"# only a comment\n",             /* no header */
		"bindings 2\nbce 1 x\n",          /* a later version */
		"bindings 0\n",                   /* no such version */
		"bindings one\n",                 /* not a number */
		"bindings 1 extra\n",             /* more than the header */
		"pool 2001:db8::/48 length 64\n", /* a lease file */
	};
	static const unsigned versions[] = { 0, 0, 2, 0, 0, 0, 0 };
	struct bindings_report r;
	struct sink_log l = { 0 };

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_int_eq(read_text(texts[i], &l, &r), -1);
		ck_assert_uint_eq(l.n_bce + l.n_flow, 0);
		ck_assert_uint_eq(r.version, versions[i]);
	}
}
END_TEST

START_TEST(a_truncated_file_keeps_its_whole_records)
{
	struct bind_record b[2] = { sample_bce(), sample_bce() };
	struct bindings_report r;
	struct sink_log l = { 0 };
	char *text, *cut;

	b[1].id = 43;
	b[1].prefix[0] = h_prefix("2001:db8:100:1::/64");
	b[1].prefix[1] = h_prefix("2001:db8:5:2::/64");
	text = written(b, 2, NULL, 0);
	/* every cut within the second record, up to its newline: only the first is restored */
	cut = strstr(text, "bce 43");
	ck_assert_ptr_nonnull(cut);
	for (size_t keep = 1; cut[keep - 1] != '\n'; keep++) {
		char *part = strndup(text, (size_t)(cut - text) + keep);

		ck_assert_int_eq(read_text(part, &l, &r), 0);
		ck_assert_uint_eq(r.bces, 1);
		ck_assert_uint_eq(l.bce[0].id, 42);
		ck_assert_uint_eq(r.bad, cut[keep - 1] == '\n' ? 0 : 1);
		free(part);
	}
	free(text);
}
END_TEST

/* Field i (0: the keyword) of the sample's "bce" line replaced by value. */
static char *bce_with(unsigned field, const char *value)
{
	struct bind_record b = sample_bce();
	char *text = written(&b, 1, NULL, 0), *line = strstr(text, "\nbce ") + 1;
	char *w[32], *out;
	unsigned n;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	line[strcspn(line, "\n")] = '\0';
	n = sf_split(line, w, 31);
	fputs("bindings 1\n", f);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", i == field ? value : w[i]);
	fputc('\n', f);
	fclose(f);
	free(text);
	return out;
}

START_TEST(every_bce_field_is_checked)
{
	static const struct {
		unsigned field;
		const char *value;
	} bad[] = {
		{ 0, "bcd" },
		{ 1, "0" },
		{ 1, "-1" },
		{ 1, "x" },
		{ 1, "18446744073709551616" },
		{ 2, "a%zz" },
		{ 2, "%00x" },
		{ 3, "::" },
		{ 3, "ff02::1" },
		{ 3, "10.0.0.1" },
		{ 4, "4294967296" },
		{ 5, "0" },
		{ 5, "0g" },
		{ 5, "00112233445566778899aabbccddeeff0011223344556677889900aabbccddeeff00" },
		{ 6, "0" },
		{ 6, "256" },
		{ 7, "256" },
		{ 7, "-" },
		{ 8, "2" },
		{ 9, "fe80::zz" },
		{ 10, "0" },
		{ 10, "262141" },
		{ 11, "+5" },
		{ 12, "1795305600000000000" },
		{ 13, "65536" },
		{ 14, "x" },
		{ 15, "2001:db8::1/64" },
		{ 15, "2001:db8::/129" },
		{ 16, "2001:db8:100::/64" }, /* the same prefix twice */
	};
	struct bindings_report r;
	struct sink_log l = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *text = bce_with(bad[i].field, bad[i].value);

		ck_assert_int_eq(read_text(text, &l, &r), 0);
		ck_assert_msg(r.bad == 1 && l.n_bce == 0, "field %u = %s taken:\n%s", bad[i].field,
		              bad[i].value, text);
		ck_assert_uint_eq(r.first_bad_line, 2);
		free(text);
	}
}
END_TEST

START_TEST(every_flow_field_is_checked)
{
	static const char *const bad[] = {
		"flow 0 1007 6 2001:db8:c::1 5000 2001:db8:100::10 443 0 0 0",
		"flow 42 0 6 2001:db8:c::1 5000 2001:db8:100::10 443 0 0 0",
		"flow 42 1007 256 2001:db8:c::1 5000 2001:db8:100::10 443 0 0 0",
		"flow 42 1007 6 2001:db8:c:: 1 5000 2001:db8:100::10 443 0 0 0",
		"flow 42 1007 6 2001:db8:c::1 65536 2001:db8:100::10 443 0 0 0",
		"flow 42 1007 6 2001:db8:c::1 5000 nowhere 443 0 0 0",
		"flow 42 1007 6 2001:db8:c::1 5000 2001:db8:100::10 -443 0 0 0",
		"flow 42 1007 6 2001:db8:c::1 5000 2001:db8:100::10 443 1048576 0 0",
		"flow 42 1007 6 2001:db8:c::1 5000 2001:db8:100::10 443 0 4294967296 0",
		"flow 42 1007 6 2001:db8:c::1 5000 2001:db8:100::10 443 0 0 yes",
		"flow 42 1007 6 2001:db8:c::1 5000 2001:db8:100::10 443 0 0",
		"flows 42 1007 6 2001:db8:c::1 5000 2001:db8:100::10 443 0 0 0",
	};
	struct bindings_report r;
	struct sink_log l = { 0 };
	char text[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "bindings 1\n%s\n", bad[i]);
		ck_assert_int_eq(read_text(text, &l, &r), 0);
		ck_assert_msg(r.bad == 1 && l.n_flow == 0, "taken: %s", bad[i]);
	}
}
END_TEST

START_TEST(long_lines_and_refusals_are_counted_apart)
{
	struct bindings_report r;
	struct sink_log l = { .refuse = true };
	char *text, *big = malloc(BINDINGS_LINE_MAX * 2 + 64);
	struct bind_record b = sample_bce();
	char *good = written(&b, 1, NULL, 0);

	memset(big, 'x', BINDINGS_LINE_MAX * 2);
	big[BINDINGS_LINE_MAX * 2] = '\0';
	ck_assert_int_ge(asprintf(&text, "%sbce %s\n", good, big), 0);
	ck_assert_int_eq(read_text(text, &l, &r), 0);
	ck_assert_uint_eq(r.refused, 1); /* the sink said no to the good one */
	ck_assert_uint_eq(r.bad, 1);     /* the long line, read past whole */
	ck_assert_uint_eq(r.bces, 0);
	free(text);
	free(good);
	free(big);
}
END_TEST

/* --- a restart of the engine --- */

#define MAG1 "2001:db8:ffff::1"
#define MAG2 "2001:db8:ffff::2"

#define CONF_TEXT                                                                                  \
	"lma-address 2001:db8:ffff::100\n"                                                         \
	"uplink-interface eth0\n"                                                                  \
	"prefix-pool 2001:db8:100::/48 length 64\n"                                                \
	"max-lifetime 3600s\n"                                                                     \
	"mn mn1@example.org\n"                                                                     \
	"mn mn2@example.org\n"                                                                     \
	"mn fixed@example.org { prefix 2001:db8:5:1::/64 }\n"                                      \
	"mag 2001:db8:ffff::1\n"                                                                   \
	"mag 2001:db8:ffff::2\n"
static const char conf_text[] = CONF_TEXT;
/* Without heartbeats: for the tests that let minutes pass with nobody to answer them. */
static const char conf_quiet[] = CONF_TEXT "heartbeat off\n";

static struct harness h1, h2;

/* Restores into h2's engine, counting what ran out during the restart apart. */
struct restore_count {
	unsigned expired;
};

static bool restore_one(void *arg, const struct bind_record *b)
{
	enum lma_restore res = lma_engine_restore_binding(h2.e, b, &h2.now);

	((struct restore_count *)arg)->expired += res == LMA_RESTORE_EXPIRED;
	return res == LMA_RESTORE_OK;
}

static bool no_flow(void *arg, const struct flow_record *f)
{
	(void)arg;
	(void)f;
	return false;
}

/* What h1's engine writes, read into h2's (leases too when with_leases), the clock having
 * moved on by later_ms; returns the reader's report. */
static struct bindings_report restart_as(const char *conf, bool with_leases, uint64_t later_ms,
                                         unsigned *expired)
{
	struct restore_count count = { 0 };
	struct bindings_sink sink = { .bce = restore_one, .flow = no_flow, .arg = &count };
	struct bindings_report r;
	struct leases_report lr;
	char *text = NULL, *leases = NULL;
	size_t len = 0, llen = 0;
	FILE *f = open_memstream(&text, &len), *lf = open_memstream(&leases, &llen);

	lma_engine_write_bindings(h1.e, f, &h1.now);
	ck_assert_int_eq(bindings_write_end(f), 0);
	ck_assert_int_eq(lma_engine_save_leases(h1.e, lf), 0);
	fclose(f);
	fclose(lf);
	h_init(&h2, conf);
	h2.now.mono_ns = 5 * 1000000000ull; /* another boot: monotonic time starts afresh */
	h2.now.real_ns = h1.now.real_ns + later_ms * 1000000ull;
	if (with_leases) {
		f = fmemopen(leases, llen, "r");
		ck_assert_int_eq(lma_engine_load_leases(h2.e, f, &lr), 0);
		fclose(f);
	}
	f = fmemopen(text, len, "r");
	ck_assert_int_eq(bindings_read(f, &sink, &r), 0);
	ck_assert_uint_eq(r.bad, 0);
	fclose(f);
	lma_engine_restore_done(h2.e);
	h_flush(&h2);
	free(text);
	free(leases);
	*expired = count.expired;
	return r;
}

static struct bindings_report restart(bool with_leases, uint64_t later_ms, unsigned *expired)
{
	return restart_as(conf_text, with_leases, later_ms, expired);
}

static void setup(void)
{
	h_init(&h1, conf_text);
}

static void teardown(void)
{
	h_free(&h1);
	if (h2.e)
		h_free(&h2);
	memset(&h2, 0, sizeof(h2));
}

static const struct bce *only_bce_of(const struct harness *h, const char *nai)
{
	const struct lma_mn *mn = bc_mn_find(lma_engine_cache(h->e), nai, strlen(nai));

	ck_assert_ptr_nonnull(mn);
	ck_assert_uint_eq(mn->n_bce, 1);
	return LIST_FIRST(&mn->bces);
}

START_TEST(a_restarted_engine_has_the_same_bindings)
{
	struct pbu_spec s1 = { .llid = 1, .seq = 100, .muho = true };
	struct pbu_spec s2 = { .nai = "mn2@example.org", .llid = 2, .seq = 7 };
	struct pbu_spec s3 = { .nai = "fixed@example.org", .llid = 3, .seq = 9 };
	const struct bce *a, *b;
	struct bindings_report r;
	unsigned expired;

	h_pbu(&h1, MAG1, &s1);
	h_pbu(&h1, MAG2, &s2);
	h_pbu(&h1, MAG2, &s3);
	h_advance(&h1, 30000);
	r = restart(true, 2000, &expired);
	ck_assert_uint_eq(r.bces, 3);
	ck_assert_uint_eq(expired, 0);
	h_check_consistent(&h2);
	a = only_bce_of(&h1, "mn1@example.org");
	b = only_bce_of(&h2, "mn1@example.org");
	ck_assert_uint_eq(b->id, a->id);
	ck_assert_uint_eq(b->mag->tunnel, a->mag->tunnel); /* the flows' marks name it */
	ck_assert_uint_eq(b->last_seq, 100);
	ck_assert(b->have_replay && b->muho);
	ck_assert_uint_eq(b->last_timestamp, a->last_timestamp);
	ck_assert_uint_eq(b->llid_len, a->llid_len);
	ck_assert_mem_eq(&b->lla, &a->lla, sizeof(a->lla));
	ck_assert(mh_prefix_equal(&b->prefix[0].p, &a->prefix[0].p));
	ck_assert(b->prefix[0].pooled);
	ck_assert(!only_bce_of(&h2, "fixed@example.org")->prefix[0].pooled);
	/* 600 s granted, 30 s passed, 2 s of restart: 568 s left */
	ck_assert_uint_eq(b->expires_ns - h2.now.mono_ns, 568 * 1000000000ull);
	ck_assert_str_eq(h_route_peer(&h2, h_ptext(&b->prefix[0].p)), MAG1);
	ck_assert_uint_eq(h2.n_sent, 0); /* nobody is told: the MAGs know */
	ck_assert_uint_eq(h2.mn_changed, 3);
}
END_TEST

/* The MAGs of restored bindings get their heartbeat as those of new ones do: the first Heartbeat
 * Request an interval (60 s, the default) after the restore, so that a MAG that died while lmad
 * was down is found (netns-lab/bench found the restored ones without any). */
START_TEST(restored_mags_get_heartbeats)
{
	struct pbu_spec s1 = { .llid = 1, .seq = 100, .muho = true };
	struct pbu_spec s2 = { .nai = "mn2@example.org", .llid = 2, .seq = 7 };
	unsigned expired;

	h_pbu(&h1, MAG1, &s1);
	h_pbu(&h1, MAG2, &s2);
	restart(true, 1000, &expired);
	ck_assert_uint_eq(h2.n_sent, 0);
	h_advance(&h2, 59999);
	ck_assert_uint_eq(h2.n_sent, 0);
	h_advance(&h2, 1);
	ck_assert_ptr_nonnull(h_last_to(&h2, MAG1, 0));
	ck_assert_uint_eq(h_last_to(&h2, MAG1, 0)->type, MH_TYPE_HB);
	ck_assert_ptr_nonnull(h_last_to(&h2, MAG2, 0));
	ck_assert_uint_eq(h_last_to(&h2, MAG2, 0)->type, MH_TYPE_HB);
}
END_TEST

START_TEST(the_mags_next_refresh_is_a_renewal)
{
	struct pbu_spec s = { .llid = 1, .seq = 100 };
	const struct mh_msg *pba;
	struct bindings_report r;
	unsigned expired;
	uint64_t id;

	h_pbu(&h1, MAG1, &s);
	id = only_bce_of(&h1, "mn1@example.org")->id;
	h_advance(&h1, 1000);
	r = restart(false, 1000, &expired); /* no lease file: the pool takes the prefix anyway */
	ck_assert_uint_eq(r.bces, 1);
	s.seq = 101;
	s.hnp[0] = h_ptext(&only_bce_of(&h2, "mn1@example.org")->prefix[0].p);
	/* older than the last accepted before the restart: refused, that timestamp was kept */
	s.ts_offset_ms = -2500;
	h_pbu(&h2, MAG1, &s);
	ck_assert_uint_eq(h_last_to(&h2, MAG1, 0)->u.ba.status, 157);
	s.ts_offset_ms = 0;
	h_pbu(&h2, MAG1, &s);
	pba = h_last_to(&h2, MAG1, 0);
	ck_assert_ptr_nonnull(pba);
	ck_assert_uint_eq(pba->u.ba.status, 0);
	ck_assert_uint_eq(only_bce_of(&h2, "mn1@example.org")->id, id);
	ck_assert_uint_eq(lma_engine_cache(h2.e)->n_bce, 1);
	/* a new MN does not get the restored prefix */
	h_pbu(&h2, MAG2, &(struct pbu_spec){ .nai = "mn2@example.org", .llid = 2 });
	ck_assert_uint_eq(h_last_to(&h2, MAG2, 0)->u.ba.status, 0);
	h_check_consistent(&h2);
}
END_TEST

START_TEST(with_sequence_numbers_the_next_one_is_accepted)
{
	static char seq_conf[sizeof(conf_text) + 32];
	struct pbu_spec s = { .llid = 1, .seq = 65535, .no_ts = true };
	struct bindings_report r;
	unsigned expired;

	snprintf(seq_conf, sizeof(seq_conf), "%sreplay-protection sequence\n", conf_text);
	h_free(&h1);
	h_init(&h1, seq_conf);
	h_pbu(&h1, MAG1, &s);
	r = restart_as(seq_conf, true, 1000, &expired);
	ck_assert_uint_eq(r.bces, 1);
	s.hnp[0] = h_ptext(&only_bce_of(&h2, "mn1@example.org")->prefix[0].p);
	h_pbu(&h2, MAG1, &s); /* the last one accepted before the restart, again */
	ck_assert_uint_eq(h_last_to(&h2, MAG1, 0)->u.ba.status, 135);
	s.seq = 0; /* the next one, modulo 2^16 */
	h_pbu(&h2, MAG1, &s);
	ck_assert_uint_eq(h_last_to(&h2, MAG1, 0)->u.ba.status, 0);
	ck_assert_uint_eq(lma_engine_cache(h2.e)->n_bce, 1);
}
END_TEST

/* A shared-prefix session (RFC 7864, HI 6) has no prefix of its own: it is kept all the same,
 * and after the restart its MAG's refresh naming the shared prefix is still not a handoff. */
START_TEST(a_shared_prefix_session_survives_a_restart)
{
	struct bindings_report r;
	const struct bce *owner;
	unsigned expired;
	const char *p1;

	h_pbu(&h1, MAG1, &(struct pbu_spec){ .llid = 1, .muho = true });
	h_pbu(&h1, MAG2, &(struct pbu_spec){ .llid = 2, .att = 7, .hi = 6, .muho = true });
	ck_assert_uint_eq(lma_engine_cache(h1.e)->n_bce, 2);
	r = restart(true, 2000, &expired);
	ck_assert_uint_eq(r.bces, 2);
	ck_assert_uint_eq(lma_engine_cache(h2.e)->n_bce, 2);
	owner = LIST_FIRST(&bc_mn_find(lma_engine_cache(h2.e), "mn1@example.org", 15)->bces);
	while (owner->n_prefix == 0)
		owner = LIST_NEXT(owner, mn_entry);
	p1 = h_ptext(&owner->prefix[0].p);
	h_pbu(&h2, MAG2,
	      &(struct pbu_spec){
	              .llid = 2, .att = 7, .hi = 5, .seq = 1, .muho = true, .hnp = { p1 } });
	ck_assert_uint_eq(h_last_to(&h2, MAG2, 0)->u.ba.status, 0);
	ck_assert_str_eq(h_route_peer(&h2, p1), MAG1);
	ck_assert_uint_eq(lma_engine_stats(h2.e)->handoffs, 0);
	h_check_consistent(&h2);
}
END_TEST

START_TEST(restored_bindings_expire_by_what_was_left)
{
	struct pbu_spec s = { .llid = 1, .lifetime = 15 }; /* 60 s */
	struct bindings_report r;
	unsigned expired;

	h_pbu(&h1, MAG1, &s);
	h_pbu(&h1, MAG2, &(struct pbu_spec){ .nai = "mn2@example.org", .lifetime = 150 });
	h_advance(&h1, 50000);
	r = restart_as(conf_quiet, true, 20000, &expired); /* mn1's 10 s ran out meanwhile */
	ck_assert_uint_eq(r.bces, 1);
	ck_assert_uint_eq(expired, 1);
	h_advance(&h2, 529000); /* mn2: 600 - 50 - 20 = 530 s left */
	ck_assert_uint_eq(lma_engine_cache(h2.e)->n_bce, 1);
	h_advance(&h2, 2000);
	ck_assert_uint_eq(lma_engine_cache(h2.e)->n_bce, 0);
	ck_assert_uint_eq(h_tunnels(&h2), 0);
	h_check_consistent(&h2);
}
END_TEST

START_TEST(records_the_configuration_refuses_are_refused)
{
	static const char other_conf[] = "lma-address 2001:db8:ffff::100\n"
	                                 "uplink-interface eth0\n"
	                                 "prefix-pool 2001:db8:100::/48 length 64\n"
	                                 "mn mn1@example.org\n"
	                                 "mag 2001:db8:ffff::1\n";
	struct bind_record r = sample_bce();

	h_init(&h2, other_conf);
	r.expires_ns = h2.now.real_ns + 100 * 1000000000ull;
	r.registered_ns = h2.now.real_ns - 1;
	r.n_prefix = 1;
	r.mag = h_addr(MAG2); /* no mag statement for it now */
	ck_assert_int_eq(lma_engine_restore_binding(h2.e, &r, &h2.now), LMA_RESTORE_REFUSED);
	r.mag = h_addr(MAG1);
	strcpy(r.mn_id, "mn2@example.org"); /* no such MN now */
	ck_assert_int_eq(lma_engine_restore_binding(h2.e, &r, &h2.now), LMA_RESTORE_REFUSED);
	strcpy(r.mn_id, "mn1@example.org");
	r.prefix[0] = h_prefix("2001:db8:200::/64"); /* neither static nor the pool's */
	ck_assert_int_eq(lma_engine_restore_binding(h2.e, &r, &h2.now), LMA_RESTORE_REFUSED);
	ck_assert_uint_eq(lma_engine_cache(h2.e)->n_bce, 0);
	ck_assert_uint_eq(h_tunnels(&h2), 0);
	r.prefix[0] = h_prefix("2001:db8:100:5::/64");
	ck_assert_int_eq(lma_engine_restore_binding(h2.e, &r, &h2.now), LMA_RESTORE_OK);
	r.id++; /* the same prefix a second time */
	r.llid[0] = 0x0a;
	ck_assert_int_eq(lma_engine_restore_binding(h2.e, &r, &h2.now), LMA_RESTORE_REFUSED);
	r.prefix[0] = h_prefix("2001:db8:100:6::/64");
	r.id--; /* the same id a second time */
	ck_assert_int_eq(lma_engine_restore_binding(h2.e, &r, &h2.now), LMA_RESTORE_REFUSED);
	h_flush(&h2);
	ck_assert_uint_eq(lma_engine_cache(h2.e)->n_bce, 1);
	ck_assert_uint_gt(lma_engine_cache(h2.e)->next_id, r.id); /* new ones come after */
	h_check_consistent(&h2);
}
END_TEST

static Suite *bindings_suite(void)
{
	Suite *s = suite_create("bindings");
	TCase *tc = tcase_create("format");
	TCase *te = tcase_create("restart");

	tcase_add_test(tc, records_survive_a_round_trip);
	tcase_add_test(tc, files_not_of_this_version_restore_nothing);
	tcase_add_test(tc, a_truncated_file_keeps_its_whole_records);
	tcase_add_test(tc, every_bce_field_is_checked);
	tcase_add_test(tc, every_flow_field_is_checked);
	tcase_add_test(tc, long_lines_and_refusals_are_counted_apart);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(te, setup, teardown);
	tcase_add_test(te, a_restarted_engine_has_the_same_bindings);
	tcase_add_test(te, restored_mags_get_heartbeats);
	tcase_add_test(te, the_mags_next_refresh_is_a_renewal);
	tcase_add_test(te, with_sequence_numbers_the_next_one_is_accepted);
	tcase_add_test(te, restored_bindings_expire_by_what_was_left);
	tcase_add_test(te, a_shared_prefix_session_survives_a_restart);
	tcase_add_test(te, records_the_configuration_refuses_are_refused);
	suite_add_tcase(s, te);
	return s;
}

CHECK_MAIN(bindings_suite)
