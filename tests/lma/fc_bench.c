/* fc_bench.c: how many new flows per second the flow classifier (lma/fc.c) takes, for
 * doc/benchmarks.md: per packet, fc_parse_packet(), a fc_flow_find() that misses, fc_select()
 * between two bindings through ten policies (nine that do not match the flow, or whose target
 * the MN lacks, then one that does) and fc_flow_add(). Packets are built beforehand, all TCP
 * SYNs of distinct flows. Prints figures and never judges them: the project's goal is at least
 * 100,000 new flows per second.
 * Then, in a table of EVENT_FLOWS flows spread over MNS MNs, what lmad's per-event work costs to
 * find its flows, through the table's indexes and, as the baseline they replaced, by a walk of
 * the whole table: an MN's flows (its group change, a binding's removal, show flows MN-ID), a
 * conntrack destroy event's flows (by connection: no flow label), and an idle sweep that finds
 * nothing idle. Usage: fc_bench [FLOWS [EVENT_FLOWS [MNS]]] (default 1,000,000, 100,000,
 * 10,000). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lma/fc.h"

#define PKT_LEN         60 /* IPv6 and a bare TCP header */
#define N_POLICY        10
#define DEF_FLOWS       1000000u
#define DEF_EVENT_FLOWS 100000u
#define DEF_MNS         10000u
#define N_WALKS         200 /* events timed by a walk of the table: each costs the whole table */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A SYN from correspondent i (2001:db8:c::/64) to the MN's 2001:db8:100::5. */
static void build_packet(uint8_t *p, uint32_t i)
{
	static const uint8_t hdr[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40, /* IPv6: 20 octets of TCP */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0,    0,    0, 0, 0, 0, 0, 0, 0, 0,
		0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0,    0,    0, 0, 0, 0, 0, 0, 0, 5,
	};
	uint16_t sport = (uint16_t)(1024 + i % 60000);

	memset(p, 0, PKT_LEN);
	memcpy(p, hdr, sizeof(hdr));
	p[1] |= (uint8_t)(i >> 16 & 0x0f); /* a flow label per flow, as a host would set */
	p[2] = (uint8_t)(i >> 8);
	p[3] = (uint8_t)i;
	p[20] = (uint8_t)(i >> 24);
	p[21] = (uint8_t)(i >> 16);
	p[22] = (uint8_t)(i >> 8);
	p[23] = (uint8_t)i;
	p[40] = (uint8_t)(sport >> 8);
	p[41] = (uint8_t)sport;
	p[42] = 0x01; /* destination port 443 */
	p[43] = 0xbb;
	p[52] = 0x50; /* data offset 5 */
	p[53] = 0x02; /* SYN */
}

/* Nine policies that never decide for these flows, then one that sends port 443 to 3GPP. */
static void add_policies(struct fc *fc)
{
	struct fc_policy p;

	for (unsigned i = 0; i < N_POLICY - 1; i++) {
		fc_policy_init(&p);
		if (i % 3 == 0) { /* another MN */
			snprintf(p.match.mn_id, sizeof(p.match.mn_id), "other%u@example.org", i);
		} else if (i % 3 == 1) { /* UDP ports */
			p.match.have_proto = true;
			p.match.proto = 17;
			p.match.dport_lo = (uint16_t)(5000 + i * 10);
			p.match.dport_hi = (uint16_t)(5009 + i * 10);
		} else { /* a target this MN lacks */
			p.targets[0].kind = FC_TARGET_ATT;
			p.targets[0].att = (uint8_t)(100 + i);
		}
		if (!fc_policy_add(fc, &p, 0))
			exit(1);
	}
	fc_policy_init(&p);
	p.match.have_proto = true;
	p.match.proto = 6;
	p.match.dport_lo = p.match.dport_hi = 443;
	p.targets[0].kind = FC_TARGET_ATT;
	p.targets[0].att = 3;
	if (!fc_policy_add(fc, &p, 0))
		exit(1);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* --- per-event lookups --- */

#define MN_NAME_LEN 32

/* A table and, made beforehand so that only lookups are timed, what events name: each MN, and
 * each flow's connection as a destroy event gives it (no flow label). */
struct events {
	struct fc *fc;
	uint32_t n, mns;
	struct fc_tuple *conns;
	char (*names)[MN_NAME_LEN];
};

/* Flow i: from correspondent i (2001:db8:c::/64) to MN i % mns (2001:db8:100:MN::5). */
static struct fc_tuple event_tuple(uint32_t i, uint32_t mns)
{
	struct fc_tuple t = { .sport = (uint16_t)(1024 + i % 60000), .dport = 443, .proto = 6 };
	uint32_t m = i % mns;

	inet_pton(AF_INET6, "2001:db8:c::", &t.src);
	inet_pton(AF_INET6, "2001:db8:100::5", &t.dst);
	memcpy(&t.src.s6_addr[12], &i, 4);
	memcpy(&t.dst.s6_addr[4], &m, 4);
	t.flow_label = i & 0xfffff;
	return t;
}

static void events_make(struct events *ev, uint32_t n, uint32_t mns)
{
	ev->n = n;
	ev->mns = mns;
	ev->fc = fc_new();
	ev->conns = calloc(n, sizeof(*ev->conns));
	ev->names = calloc(mns, sizeof(*ev->names));
	if (!ev->fc || !ev->conns || !ev->names)
		exit(1);
	for (uint32_t m = 0; m < mns; m++)
		snprintf(ev->names[m], sizeof(ev->names[m]), "mn%u@example.org", m);
	for (uint32_t i = 0; i < n; i++) {
		struct fc_tuple t = event_tuple(i, mns);

		if (!fc_flow_add(ev->fc, &t, ev->names[i % mns], 1 + i % 2, 100 + i % 2, 0, i))
			exit(1);
		ev->conns[i] = t;
		ev->conns[i].flow_label = 0;
	}
}

static void events_free(struct events *ev)
{
	fc_free(ev->fc);
	free(ev->conns);
	free(ev->names);
}

/* The old ways, as lmad did them: every flow compared. */
static size_t mn_by_walk(const struct fc *fc, const char *mn)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_first(fc); f; f = fc_flow_next(fc, f))
		n += strcmp(f->mn_id, mn) == 0;
	return n;
}

static size_t conn_by_walk(const struct fc *fc, const struct fc_tuple *c)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_first(fc); f; f = fc_flow_next(fc, f))
		n += f->tuple.proto == c->proto && f->tuple.sport == c->sport &&
		     f->tuple.dport == c->dport && !memcmp(&f->tuple.src, &c->src, 16) &&
		     !memcmp(&f->tuple.dst, &c->dst, 16);
	return n;
}

static size_t idle_by_walk(const struct fc *fc, uint64_t before)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_first(fc); f; f = fc_flow_next(fc, f))
		n += f->last_ns < before;
	return n;
}

/* The new ways, through the indexes. */
static size_t mn_by_index(const struct fc *fc, const char *mn)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_mn_first(fc, mn); f; f = fc_flow_mn_next(fc, f))
		n++;
	return n;
}

static size_t conn_by_index(const struct fc *fc, const struct fc_tuple *c)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_conn_first(fc, c); f; f = fc_flow_conn_next(fc, f))
		n++;
	return n;
}

static size_t idle_by_age(const struct fc *fc, uint64_t before)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_oldest(fc); f && f->last_ns < before;
	     f = fc_flow_newer(fc, f))
		n++;
	return n;
}

enum lookup { BY_MN, BY_CONN, IDLE };

/* Event e: MN e % mns, the connection of flow e % n, a sweep for flows older than the table.
 * Nanoseconds per event; *found: how many flows the events found in all. */
static double time_events(const struct events *ev, enum lookup what, bool walk, uint32_t events,
                          size_t *found)
{
	double t0 = now_s();

	for (uint32_t e = 0; e < events; e++) {
		const char *mn = ev->names[e % ev->mns];
		const struct fc_tuple *c = &ev->conns[e % ev->n];

		if (what == BY_MN)
			*found += walk ? mn_by_walk(ev->fc, mn) : mn_by_index(ev->fc, mn);
		else if (what == BY_CONN)
			*found += walk ? conn_by_walk(ev->fc, c) : conn_by_index(ev->fc, c);
		else
			*found += walk ? idle_by_walk(ev->fc, 0) : idle_by_age(ev->fc, 0);
	}
	return (now_s() - t0) * 1e9 / events;
}

/* One line: the index's cost against the walk's, over every MN or connection by index and the
 * first N_WALKS by walk; the index must find what the walk finds. Returns 1 if it did not. */
static unsigned compare(const struct events *ev, enum lookup what, const char *name)
{
	uint32_t events = what == BY_MN ? ev->mns : what == BY_CONN ? ev->n : N_WALKS;
	uint32_t walks = N_WALKS < events ? N_WALKS : events;
	size_t by_index = 0, by_walk = 0, check = 0;
	double ns_index = time_events(ev, what, false, events, &by_index);
	double ns_walk = time_events(ev, what, true, walks, &by_walk);

	(void)time_events(ev, what, false, walks, &check);
	printf("fc_bench: %s: %.0f ns by index (%u events, %.1f flows each), %.0f ns by a walk of "
	       "the table (%u events): %.0fx\n",
	       name, ns_index, events, (double)by_index / events, ns_walk, walks,
	       ns_walk / ns_index);
	return check != by_walk;
}

static unsigned bench_events(uint32_t n, uint32_t mns)
{
	struct events ev;
	unsigned errors = 0;

	events_make(&ev, n, mns);
	printf("fc_bench: %u flows of %u MNs:\n", n, mns);
	errors += compare(&ev, BY_MN, "an MN's flows (group change, show flows MN-ID)");
	errors += compare(&ev, BY_CONN, "a destroy event's flows");
	errors += compare(&ev, IDLE, "an idle sweep finding none idle");
	events_free(&ev);
	return errors;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : DEF_FLOWS;
	uint32_t n_ev = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : DEF_EVENT_FLOWS;
	uint32_t mns = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : DEF_MNS;
	struct fc_binding b[2] = {
		{ .id = 1, .att = 4, .mark = 100, .owns_dst = true },
		{ .id = 2, .att = 3, .mark = 101 },
	};
	uint8_t *pkts = malloc((size_t)n * PKT_LEN);
	struct fc *fc = fc_new();
	unsigned errors = 0, to_3gpp = 0;
	long rss0;
	double t0, t1;

	if (!pkts || !fc || n == 0 || n_ev == 0 || mns == 0) {
		fprintf(stderr, "usage: fc_bench [FLOWS > 0 [EVENT_FLOWS > 0 [MNS > 0]]]\n");
		return 1;
	}
	inet_pton(AF_INET6, "2001:db8:ffff::1", &b[0].mag);
	inet_pton(AF_INET6, "2001:db8:ffff::2", &b[1].mag);
	for (uint32_t i = 0; i < n; i++)
		build_packet(pkts + (size_t)i * PKT_LEN, i);
	add_policies(fc);
	rss0 = rss_kib();
	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		const struct fc_binding *sel;
		struct fc_tuple t;
		uint32_t pid;

		if (fc_parse_packet(pkts + (size_t)i * PKT_LEN, PKT_LEN, &t) != FC_OK ||
		    fc_flow_find(fc, &t)) {
			errors++;
			continue;
		}
		sel = fc_select(fc, &t, "mn1@example.org", b, 2, &pid);
		to_3gpp += sel == &b[1];
		if (!fc_flow_add(fc, &t, "mn1@example.org", sel->id, sel->mark, pid, i))
			errors++;
	}
	t1 = now_s();
	printf("fc_bench: %u new flows (parse + find miss + select among 2 bindings with %d "
	       "policies + add) in %.3f s: %.0f new flows/s, %.0f ns per flow\n",
	       n, N_POLICY, t1 - t0, n / (t1 - t0), (t1 - t0) * 1e9 / n);
	printf("fc_bench: %zu flows in the table, %u to the policy's binding, %u errors, "
	       "%.0f bytes of RSS per flow\n",
	       fc_flow_count(fc), to_3gpp, errors, (double)(rss_kib() - rss0) * 1024.0 / n);
	fc_free(fc);
	free(pkts);
	errors += bench_events(n_ev, mns);
	return errors ? 1 : 0;
}
