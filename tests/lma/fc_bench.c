/* fc_bench.c: how many new flows per second the flow classifier (lma/fc.c) takes, for
 * doc/benchmarks.md: per packet, fc_parse_packet(), a fc_flow_find() that misses, fc_select()
 * between two bindings through ten policies (nine that do not match the flow, or whose target
 * the MN lacks, then one that does) and fc_flow_add(). Packets are built beforehand, all TCP
 * SYNs of distinct flows. Prints figures and never judges them: the project's goal is at least
 * 100,000 new flows per second. Usage: fc_bench [FLOWS] (default 1,000,000). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lma/fc.h"

#define PKT_LEN   60 /* IPv6 and a bare TCP header */
#define N_POLICY  10
#define DEF_FLOWS 1000000u

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
			p.target = FC_TARGET_ATT;
			p.target_att = (uint8_t)(100 + i);
		}
		if (!fc_policy_add(fc, &p, 0))
			exit(1);
	}
	fc_policy_init(&p);
	p.match.have_proto = true;
	p.match.proto = 6;
	p.match.dport_lo = p.match.dport_hi = 443;
	p.target = FC_TARGET_ATT;
	p.target_att = 3;
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

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : DEF_FLOWS;
	struct fc_binding b[2] = {
		{ .id = 1, .att = 4, .mark = 100, .owns_dst = true },
		{ .id = 2, .att = 3, .mark = 101 },
	};
	uint8_t *pkts = malloc((size_t)n * PKT_LEN);
	struct fc *fc = fc_new();
	unsigned errors = 0, to_3gpp = 0;
	long rss0;
	double t0, t1;

	if (!pkts || !fc || n == 0) {
		fprintf(stderr, "usage: fc_bench [FLOWS > 0]\n");
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
	return errors ? 1 : 0;
}
