/* test_fc.c: the flow classifier (lma/fc.c, draft-bernardos-mif-pmip-02 §5.3): golden IPv6
 * packets written byte by byte (TCP, UDP behind hop-by-hop and destination options, UDP-Lite
 * behind a routing header, SCTP, ICMPv6 echo and a neighbour solicitation, a first and a later
 * fragment, an unknown protocol), every parse error, every truncation and random mutations in
 * exact-size heap copies (so that AddressSanitizer catches a read one octet past the end); the
 * policy list and fc_select() field by field and target by target; the flow table, its ids and
 * its expiry; its indexes (each MN's flows, a connection's flows whatever their flow label, the
 * age order) against a walk over the whole table; its bounds (eviction of the least recently
 * touched, refusal and fail-open classification to the default binding when nothing can go), the
 * idle sweep's bound per step and the indexes' memory after a flood; 200,000 flows. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lma/fc.h"
#include "lma/fc_wire.h"
#include "tests/check_main.h"

/* --- golden packets --- */

/* 2001:db8:c::1, a correspondent node */
#define ADDR_CN 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
/* 2001:db8:100::5, an MN's address in one of its home network prefixes */
#define ADDR_MN 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05
/* fe80::1, a router's link-local address */
#define ADDR_LL 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
/* ff02::1:ff00:5, the MN address's solicited-node multicast group */
#define ADDR_SN 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x05

/* clang-format off: one line per field, as the packets are laid out */
static const uint8_t pkt_tcp[] = {
	0x62,    0x01, 0x23, 0x45, /* version 6, traffic class 0x20, flow label 0x12345 */
	0x00,    0x14, 0x06, 0x40, /* payload length 20, next header TCP, hop limit 64 */
	ADDR_CN,                   /* source */
	ADDR_MN,                   /* destination */
	0x01,    0xbb, 0xc3, 0x50, /* TCP: source port 443, destination port 50000 */
	0x00,    0x00, 0x00, 0x01, /* sequence number */
	0x00,    0x00, 0x00, 0x00, /* acknowledgement number */
	0x50,    0x02, 0xff, 0xff, /* data offset 5, SYN, window 65535 */
	0x00,    0x00, 0x00, 0x00, /* checksum (not checked), urgent pointer */
};

static const uint8_t pkt_udp_opts[] = {
	0x60,    0x00,    0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
	0x00,    0x24,    0x00, 0x01, /* payload length 36, next header hop-by-hop, hop limit 1 */
	ADDR_CN, ADDR_MN, 0x3c, 0x00, /* hop-by-hop: next header destination options, length 0 (8)
	                               */
	0x05,    0x02,    0x00, 0x00, /* Router Alert, value 0 */
	0x01,    0x00,                /* PadN, no octets */
	0x11,    0x01, /* destination options: next header UDP, length 1 (16 octets) */
	0x01,    0x0c, /* PadN, 12 octets */
	0,       0,       0,    0,    0,    0,    0,    0, 0,
	0,       0,       0,    0x14, 0xe9, 0x13, 0x89, /* UDP: source port 5353, destination port
	                                                   5001 */
	0x00,    0x0c,    0x00, 0x00,                   /* length 12, checksum */
	'p',     'i',     'n',  'g',                    /* data */
};

static const uint8_t pkt_udplite_rh[] = {
	0x60,    0x00,    0x00, 0x07, /* version 6, traffic class 0, flow label 7 */
	0x00,    0x20,    0x2b, 0x40, /* payload length 32, next header routing, hop limit 64 */
	ADDR_CN, ADDR_MN, 0x88, 0x02,
	0x04,    0x00, /* routing: next header UDP-Lite, length 2 (24), SRH, left 0 */
	0x00,    0x00,    0x00, 0x00, /* last entry 0, flags, tag */
	ADDR_MN,                      /* segment list[0] */
	0x1f,    0x90,    0x1f, 0x91, /* UDP-Lite: source port 8080, destination port 8081 */
	0x00,    0x08,    0x00, 0x00, /* checksum coverage 8, checksum */
};

static const uint8_t pkt_sctp[] = {
	0x60,    0x00,    0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
	0x00,    0x0c,    0x84, 0x40, /* payload length 12, next header SCTP, hop limit 64 */
	ADDR_CN, ADDR_MN, 0x0b, 0x59,
	0x0b,    0x5a,                /* SCTP: source port 2905, destination port 2906 */
	0xde,    0xad,    0xbe, 0xef, /* verification tag */
	0x00,    0x00,    0x00, 0x00, /* checksum */
};

static const uint8_t pkt_echo[] = {
	0x60,    0x00,    0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
	0x00,    0x0c,    0x3a, 0x40, /* payload length 12, next header ICMPv6, hop limit 64 */
	ADDR_CN, ADDR_MN, 0x80, 0x00, 0x00, 0x00, /* ICMPv6: echo request, code 0, checksum */
	0x12,    0x34,    0x00, 0x01,             /* identifier 0x1234, sequence number 1 */
	'a',     'b',     'c',  'd',              /* data */
};

static const uint8_t pkt_ns[] = {
	0x60,    0x00,    0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
	0x00,    0x20,    0x3a, 0xff, /* payload length 32, next header ICMPv6, hop limit 255 */
	ADDR_LL, ADDR_SN, 0x87, 0x00,
	0x00,    0x00,                /* ICMPv6: neighbour solicitation, code 0, checksum */
	0x00,    0x00,    0x00, 0x00, /* reserved */
	ADDR_MN,                      /* target address */
	0x01,    0x01,    0x02, 0x00, /* source link-layer address option: 02:00:00:00:00:01 */
	0x00,    0x00,    0x00, 0x01,
};

static const uint8_t pkt_frag_first[] = {
	0x60,    0x0a,    0xbc, 0xde, /* version 6, traffic class 0, flow label 0xabcde */
	0x00,    0x18,    0x2c, 0x40, /* payload length 24, next header fragment, hop limit 64 */
	ADDR_CN, ADDR_MN, 0x11, 0x00, 0x00, 0x01, /* fragment: next header UDP, reserved, offset 0,
	                                             M */
	0x11,    0x22,    0x33, 0x44,             /* identification */
	0x00,    0x35,    0x13, 0x8a,             /* UDP: source port 53, destination port 5002 */
	0x05,    0xd0,    0x00, 0x00,             /* length 1488 (the whole datagram), checksum */
	0,       1,       2,    3,    4,    5,    6, 7, /* the first data */
};

static const uint8_t pkt_frag_later[] = {
	0x60,    0x0a,    0xbc, 0xde, /* version 6, traffic class 0, flow label 0xabcde */
	0x00,    0x10,    0x2c, 0x40, /* payload length 16, next header fragment, hop limit 64 */
	ADDR_CN, ADDR_MN, 0x11, 0x00, 0x05, 0xa8, /* fragment: next header UDP, offset 181 (1448
	                                             octets), no M */
	0x11,    0x22,    0x33, 0x44,             /* identification */
	8,       9,       10,   11,   12,   13,   14, 15, /* data from the middle of the datagram */
};

static const uint8_t pkt_gre[] = {
	0x60,    0x00,    0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
	0x00,    0x04,    0x2f, 0x40, /* payload length 4, next header GRE (47), hop limit 64 */
	ADDR_CN, ADDR_MN, 0x00, 0x00, 0x86, 0xdd, /* GRE: no flags, protocol IPv6 */
};
/* clang-format on */

struct golden {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	size_t need; /* octets a copy needs for the result below; shorter is FC_E_SHORT */
	int rc;
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t flow_label;
	uint8_t tclass;
	const char *src, *dst;
};

#define G(p) #p, p, sizeof(p)
static const struct golden goldens[] = {
	{ G(pkt_tcp), 44, FC_OK, 6, 443, 50000, 0x12345, 0x20, "2001:db8:c::1", "2001:db8:100::5" },
	{ G(pkt_udp_opts), 68, FC_OK, 17, 5353, 5001, 0, 0, "2001:db8:c::1", "2001:db8:100::5" },
	{ G(pkt_udplite_rh), 68, FC_OK, 136, 8080, 8081, 7, 0, "2001:db8:c::1", "2001:db8:100::5" },
	{ G(pkt_sctp), 44, FC_OK, 132, 2905, 2906, 0, 0, "2001:db8:c::1", "2001:db8:100::5" },
	{ G(pkt_echo), 46, FC_OK, 58, 0x1234, 0x1234, 0, 0, "2001:db8:c::1", "2001:db8:100::5" },
	{ G(pkt_ns), 44, FC_OK, 58, 0, 0, 0, 0, "fe80::1", "ff02::1:ff00:5" },
	{ G(pkt_frag_first), 52, FC_OK, 17, 53, 5002, 0xabcde, 0, "2001:db8:c::1",
	  "2001:db8:100::5" },
	{ G(pkt_frag_later), 48, FC_E_EXTHDR, 0, 0, 0, 0, 0, NULL, NULL },
	{ G(pkt_gre), 40, FC_OK, 47, 0, 0, 0, 0, "2001:db8:c::1", "2001:db8:100::5" },
};
#define N_GOLDENS (sizeof(goldens) / sizeof(goldens[0]))

/* Parses an exact-size heap copy. */
static int parse_exact(const uint8_t *bytes, size_t len, struct fc_tuple *t)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, bytes, len);
	rc = fc_parse_packet(copy, len, t);
	free(copy);
	ck_assert_int_ge(rc, FC_OK);
	ck_assert_int_le(rc, FC_E_LENGTH);
	return rc;
}

static bool addr_is(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &b), 1);
	return memcmp(a, &b, sizeof(b)) == 0;
}

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void check_tuple(const struct golden *g, const struct fc_tuple *t)
{
	ck_assert_msg(t->proto == g->proto, "%s: proto %u", g->name, t->proto);
	ck_assert_msg(t->sport == g->sport && t->dport == g->dport, "%s: ports %u %u", g->name,
	              t->sport, t->dport);
	ck_assert_msg(t->flow_label == g->flow_label, "%s: flow label %#x", g->name, t->flow_label);
	ck_assert_msg(t->tclass == g->tclass, "%s: traffic class %#x", g->name, t->tclass);
	ck_assert_msg(addr_is(&t->src, g->src) && addr_is(&t->dst, g->dst), "%s: addresses",
	              g->name);
}

START_TEST(golden_packets)
{
	const struct golden *g = &goldens[_i];
	struct fc_tuple t;

	ck_assert_int_eq(parse_exact(g->bytes, g->len, &t), g->rc);
	if (g->rc == FC_OK)
		check_tuple(g, &t);
}
END_TEST

/* A copy cut anywhere: FC_E_SHORT until it holds the headers, then the full result, the same
 * as NFQUEUE's copy range would give. */
START_TEST(every_truncation)
{
	const struct golden *g = &goldens[_i];
	struct fc_tuple t;

	for (size_t len = 0; len < g->len; len++) {
		int rc = parse_exact(g->bytes, len, &t);

		ck_assert_msg(rc == (len < g->need ? FC_E_SHORT : g->rc), "%s cut to %zu: %d",
		              g->name, len, rc);
		if (rc == FC_OK)
			check_tuple(g, &t);
	}
}
END_TEST

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Flipped octets (the header fields most often), a payload length anything, cut anywhere,
 * grown by a few octets: any result but a crash or an over-read. */
START_TEST(random_mutations)
{
	const struct golden *g = &goldens[_i];
	uint8_t buf[128];
	struct fc_tuple t;

	rng_state = 0x9e3779b97f4a7c15ull + _i;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = g->len;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, g->bytes, g->len);
		for (unsigned k = rng() % 4; k > 0; k--) {
			size_t at = rng() % 3 ? rng() % len : 40 + rng() % (len - 40);

			buf[at] = (uint8_t)rng();
		}
		if (rng() % 4 == 0) {
			buf[4] = (uint8_t)(rng() % 2);
			buf[5] = (uint8_t)rng();
		}
		if (rng() % 3 == 0)
			len = rng() % (len + 1);
		else if (rng() % 5 == 0)
			len += rng() % 9;
		if (parse_exact(buf, len, &t) != FC_OK)
			continue;
		ck_assert_uint_le(t.flow_label, 0xfffff);
		if (t.proto != 6 && t.proto != 17 && t.proto != 58 && t.proto != 132 &&
		    t.proto != 136)
			ck_assert(t.sport == 0 && t.dport == 0);
	}
}
END_TEST

START_TEST(random_garbage)
{
	uint8_t buf[256];
	struct fc_tuple t;

	rng_state = 0x243f6a8885a308d3ull;
	for (int iter = 0; iter < 50000; iter++) {
		size_t len = rng() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		if (len > 0 && rng() % 2)
			buf[0] =
			        0x60 | (buf[0] & 0x0f); /* version 6, to get past the first check */
		if (len > 6 && rng() % 2) {
			buf[4] = (uint8_t)((len - 40) >> 8); /* and the payload length to agree */
			buf[5] = (uint8_t)(len - 40);
			buf[6] = "\x00\x2b\x2c\x3c\x06\x11\x3a"[rng() % 7];
		}
		parse_exact(buf, len, &t);
	}
}
END_TEST

/* --- parse errors, one by one --- */

static void set_plen(uint8_t *p, unsigned plen)
{
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
}

START_TEST(error_short)
{
	uint8_t p[sizeof(pkt_tcp)];
	struct fc_tuple t;

	ck_assert_int_eq(fc_parse_packet(NULL, 0, &t), FC_E_SHORT);
	ck_assert_int_eq(parse_exact(pkt_tcp, 0, &t), FC_E_SHORT);
	ck_assert_int_eq(parse_exact(pkt_tcp, 39, &t), FC_E_SHORT);
	/* the copy holds one port out of two */
	ck_assert_int_eq(parse_exact(pkt_tcp, 42, &t), FC_E_SHORT);
	ck_assert_uint_eq(t.sport, 0);
	/* the payload length itself ends inside the ports: nothing more to deliver */
	memcpy(p, pkt_tcp, sizeof(p));
	set_plen(p, 2);
	ck_assert_int_eq(parse_exact(p, 42, &t), FC_E_SHORT);
	set_plen(p, 0); /* no payload at all, but next header TCP */
	ck_assert_int_eq(parse_exact(p, 40, &t), FC_E_SHORT);
	/* the echo identifier cut off: the ICMPv6 header alone is not enough */
	ck_assert_int_eq(parse_exact(pkt_echo, 45, &t), FC_E_SHORT);
	ck_assert_int_eq(parse_exact(pkt_ns, 43, &t), FC_E_SHORT);
}
END_TEST

START_TEST(error_version)
{
	/* an IPv4 header (and 20 octets more) in an IPv6 queue */
	static const uint8_t v4[40] = { 0x45, 0x00, 0x00, 0x28, 0, 0, 0x40, 0, 0x40, 0x06 };
	uint8_t p[sizeof(pkt_tcp)];
	struct fc_tuple t;

	ck_assert_int_eq(parse_exact(v4, sizeof(v4), &t), FC_E_VERSION);
	memcpy(p, pkt_tcp, sizeof(p));
	p[0] = 0x72; /* version 7 */
	ck_assert_int_eq(parse_exact(p, sizeof(p), &t), FC_E_VERSION);
	p[0] = 0x02; /* version 0 */
	ck_assert_int_eq(parse_exact(p, sizeof(p), &t), FC_E_VERSION);
}
END_TEST

START_TEST(error_exthdr)
{
	uint8_t p[sizeof(pkt_udp_opts)];
	struct fc_tuple t;

	/* the destination options header runs past the payload length (10): the chain is
	 * broken, not cut by the copy */
	memcpy(p, pkt_udp_opts, sizeof(p));
	set_plen(p, 10);
	ck_assert_int_eq(parse_exact(p, 50, &t), FC_E_EXTHDR);
	/* the same header cut by the copy is FC_E_SHORT */
	ck_assert_int_eq(parse_exact(pkt_udp_opts, 50, &t), FC_E_SHORT);
	/* a hop-by-hop header after the destination options (RFC 8200 §4.1) */
	memcpy(p, pkt_udp_opts, sizeof(p));
	p[6] = 0x3c;  /* the IPv6 header says destination options, */
	p[40] = 0x00; /* which says hop-by-hop */
	ck_assert_int_eq(parse_exact(p, sizeof(p), &t), FC_E_EXTHDR);
	/* a later fragment: no ports to read */
	ck_assert_int_eq(parse_exact(pkt_frag_later, sizeof(pkt_frag_later), &t), FC_E_EXTHDR);
	/* a hop-by-hop header longer than the whole packet */
	memcpy(p, pkt_udp_opts, sizeof(p));
	p[41] = 0xff;
	ck_assert_int_eq(parse_exact(p, sizeof(p), &t), FC_E_EXTHDR);
}
END_TEST

START_TEST(error_length)
{
	uint8_t p[sizeof(pkt_tcp) + 1];
	struct fc_tuple t;

	memcpy(p, pkt_tcp, sizeof(pkt_tcp));
	p[sizeof(pkt_tcp)] = 0;
	ck_assert_int_eq(parse_exact(p, sizeof(p), &t), FC_E_LENGTH);
	set_plen(p, 19);
	ck_assert_int_eq(parse_exact(p, sizeof(pkt_tcp), &t), FC_E_LENGTH);
	ck_assert_str_eq(fc_parse_strerror(FC_E_LENGTH), "more bytes than the payload length");
	ck_assert_str_eq(fc_parse_strerror(FC_OK), "ok");
	ck_assert_str_eq(fc_parse_strerror(99), "unknown error");
	ck_assert_str_eq(fc_parse_strerror(-1), "unknown error");
}
END_TEST

START_TEST(jumbogram)
{
	/* clang-format off */
	static const uint8_t p[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x00, 0x00, 0x40, /* payload length 0, next header hop-by-hop */
		ADDR_CN,
		ADDR_MN,
		0x06, 0x00,             /* hop-by-hop: next header TCP, length 0 (8 octets) */
		0xc2, 0x04,             /* Jumbo Payload (RFC 2675), 4 octets: */
		0x00, 0x00, 0x00, 0x1c, /* 28 (a real one would be over 65535) */
		0x01, 0xbb, 0xc3, 0x50, /* TCP: source port 443, destination port 50000 */
		0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0,
	};
	/* clang-format on */
	uint8_t big[sizeof(pkt_tcp)];
	struct fc_tuple t;

	ck_assert_int_eq(parse_exact(p, sizeof(p), &t), FC_OK);
	ck_assert_uint_eq(t.proto, 6);
	ck_assert_uint_eq(t.sport, 443);
	ck_assert_uint_eq(t.dport, 50000);
	/* Linux's BIG TCP: payload length 0 and no hop-by-hop header */
	memcpy(big, pkt_tcp, sizeof(big));
	set_plen(big, 0);
	ck_assert_int_eq(parse_exact(big, sizeof(big), &t), FC_OK);
	ck_assert_uint_eq(t.sport, 443);
}
END_TEST

START_TEST(protocol_names)
{
	ck_assert_str_eq(fc_proto_name(6), "tcp");
	ck_assert_str_eq(fc_proto_name(17), "udp");
	ck_assert_str_eq(fc_proto_name(58), "icmpv6");
	ck_assert_str_eq(fc_proto_name(132), "sctp");
	ck_assert_str_eq(fc_proto_name(136), "udplite");
	ck_assert_ptr_null(fc_proto_name(47));
	ck_assert_int_eq(fc_proto_by_name("udplite"), 136);
	ck_assert_int_eq(fc_proto_by_name("icmpv6"), 58);
	ck_assert_int_eq(fc_proto_by_name("gre"), -1);
	ck_assert_int_eq(fc_proto_by_name("TCP"), -1);
}
END_TEST

/* --- policies --- */

static uint32_t add_att(struct fc *fc, uint8_t att, uint32_t before)
{
	struct fc_policy p;

	fc_policy_init(&p);
	p.targets[0].kind = FC_TARGET_ATT;
	p.targets[0].att = att;
	return fc_policy_add(fc, &p, before);
}

/* The targets' att values, in list order, as a string ("3 1 2"). */
static const char *order(const struct fc *fc)
{
	static char buf[256];
	const struct fc_policy *p;
	size_t n = 0;

	buf[0] = '\0';
	for (p = fc_policy_first(fc); p; p = fc_policy_next(fc, p))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", n ? " " : "",
		                      p->targets[0].att);
	return buf;
}

START_TEST(policy_list)
{
	struct fc *fc = fc_new();
	uint32_t a, b, c, d, e;

	ck_assert_ptr_nonnull(fc);
	ck_assert_ptr_null(fc_policy_first(fc));
	a = add_att(fc, 1, 0);
	b = add_att(fc, 2, 0);
	c = add_att(fc, 3, a); /* before the first */
	ck_assert_str_eq(order(fc), "3 1 2");
	d = add_att(fc, 4, b); /* in the middle */
	ck_assert_str_eq(order(fc), "3 1 4 2");
	ck_assert(a == 1 && b == 2 && c == 3 && d == 4);
	ck_assert_uint_eq(fc_policy_count(fc), 4);
	ck_assert_int_eq(fc_policy_del(fc, a), 0);
	ck_assert_str_eq(order(fc), "3 4 2");
	ck_assert_int_eq(fc_policy_del(fc, a), -1); /* gone */
	ck_assert_int_eq(fc_policy_del(fc, 0), -1);
	ck_assert_int_eq(fc_policy_del(fc, 99), -1);
	ck_assert_uint_eq(add_att(fc, 5, a), 0); /* before a policy that is gone */
	e = add_att(fc, 6, 0);
	ck_assert_uint_eq(e, 5); /* a deleted policy's id is not given again */
	ck_assert_ptr_nonnull(fc_policy_by_id(fc, d));
	ck_assert_uint_eq(fc_policy_by_id(fc, d)->targets[0].att, 4);
	ck_assert_ptr_null(fc_policy_by_id(fc, a));
	ck_assert_ptr_null(fc_policy_by_id(fc, 0));
	ck_assert_int_eq(fc_policy_del(fc, c), 0);
	ck_assert_int_eq(fc_policy_del(fc, e), 0); /* the last */
	ck_assert_str_eq(order(fc), "4 2");
	ck_assert_uint_eq(fc_policy_count(fc), 2);
	fc_free(fc);
	fc_free(NULL);
}
END_TEST

START_TEST(policy_invalid)
{
	struct fc *fc = fc_new();
	struct fc_policy p;

	fc_policy_init(&p);
	ck_assert_uint_eq(p.match.sport_lo, 0);
	ck_assert_uint_eq(p.match.sport_hi, 65535);
	ck_assert_uint_eq(p.match.dport_hi, 65535);
	ck_assert_int_eq(p.targets[0].kind, FC_TARGET_DEFAULT);
	p.match.dport_lo = 10;
	p.match.dport_hi = 9;
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	fc_policy_init(&p);
	p.match.sport_lo = 2;
	p.match.sport_hi = 1;
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	fc_policy_init(&p);
	p.match.have_flow_label = true;
	p.match.flow_label = 0x100000;
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	fc_policy_init(&p);
	p.match.have_dst = true;
	p.match.dst.len = 129;
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	fc_policy_init(&p);
	memset(p.match.mn_id, 'a', sizeof(p.match.mn_id)); /* no terminating NUL */
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	fc_policy_init(&p);
	p.targets[0].kind = FC_TARGET_ATT; /* att 0 */
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	p.targets[0].kind = FC_TARGET_LLID; /* an empty LLID */
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	p.targets[0].llid_len = MH_LLID_MAX + 1;
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	p.targets[0].kind = (enum fc_target_kind)42;
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 0);
	ck_assert_uint_eq(fc_policy_count(fc), 0);
	fc_policy_init(&p);
	p.id = 77; /* ignored */
	ck_assert_uint_eq(fc_policy_add(fc, &p, 0), 1);
	fc_free(fc);
}
END_TEST

/* Two bindings of mn1: WLAN (att 4) at MAG ::1, owning the destination, and 3GPP (att 3) at
 * MAG ::2. */
static struct fc_binding cands[2];

static void setup_cands(void)
{
	memset(cands, 0, sizeof(cands));
	cands[0] = (struct fc_binding){ .id = 10,
		                        .att = 4,
		                        .mag = addr("2001:db8:ffff::1"),
		                        .llid_len = 6,
		                        .llid = { 2, 0, 0, 0, 0, 1 },
		                        .mark = 100,
		                        .owns_dst = true };
	cands[1] = (struct fc_binding){ .id = 11,
		                        .att = 3,
		                        .mag = addr("2001:db8:ffff::2"),
		                        .llid_len = 6,
		                        .llid = { 2, 0, 0, 0, 0, 2 },
		                        .mark = 101 };
}

static struct fc_tuple tcp_tuple(void)
{
	struct fc_tuple t;

	ck_assert_int_eq(fc_parse_packet(pkt_tcp, sizeof(pkt_tcp), &t), FC_OK);
	return t; /* 2001:db8:c::1 443 -> 2001:db8:100::5 50000, tcp, 0x12345, tclass 0x20 */
}

/* One policy to the 3GPP binding; a flow it matches goes there, one it does not to WLAN. */
static void check_field(const struct fc_policy *p, const struct fc_tuple *yes,
                        const struct fc_tuple *no, const char *mn_yes, const char *mn_no)
{
	struct fc *fc = fc_new();
	uint32_t id = fc_policy_add(fc, p, 0), pid = 99;

	ck_assert_uint_ne(id, 0);
	ck_assert_ptr_eq(fc_select(fc, yes, mn_yes, cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, id);
	ck_assert_ptr_eq(fc_select(fc, no, mn_no, cands, 2, &pid), &cands[0]);
	ck_assert_uint_eq(pid, 0);
	fc_free(fc);
}

static struct fc_policy to_3gpp(void)
{
	struct fc_policy p;

	fc_policy_init(&p);
	p.targets[0].kind = FC_TARGET_ATT;
	p.targets[0].att = 3;
	return p;
}

/* A policy that matches both flows. */
static void check_matches_both(const struct fc_policy *p, const struct fc_tuple *a,
                               const struct fc_tuple *b)
{
	struct fc *fc = fc_new();
	uint32_t id = fc_policy_add(fc, p, 0), pid = 0;

	ck_assert_uint_ne(id, 0);
	ck_assert_ptr_eq(fc_select(fc, a, "mn1@x", cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, id);
	ck_assert_ptr_eq(fc_select(fc, b, NULL, cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, id);
	fc_free(fc);
}

START_TEST(match_each_field)
{
	struct fc_tuple t = tcp_tuple(), u, v;
	struct fc_policy p;

	p = to_3gpp(); /* nothing set: every flow, any MN or none */
	u = t;
	u.proto = 58;
	u.sport = u.dport = 0;
	u.tclass = 0xff;
	check_matches_both(&p, &t, &u);

	p = to_3gpp();
	strcpy(p.match.mn_id, "mn1@x");
	check_field(&p, &t, &t, "mn1@x", "mn2@x");
	check_field(&p, &t, &t, "mn1@x", NULL);
	check_field(&p, &t, &t, "mn1@x", "mn1@x2");
	check_field(&p, &t, &t, "mn1@x", "mn1@");

	p = to_3gpp();
	p.match.have_src = true;
	p.match.src = (struct mh_prefix){ .len = 63, .addr = addr("2001:db8:c::") };
	u = t;
	u.src = addr("2001:db8:c:1::1"); /* inside the /63 */
	v = t;
	v.src = addr("2001:db8:c:2::1"); /* outside it by one bit */
	check_field(&p, &t, &v, NULL, NULL);
	check_field(&p, &u, &v, NULL, NULL);
	p.match.src.len = 0; /* ::/0 */
	check_matches_both(&p, &t, &v);
	p.match.src = (struct mh_prefix){ .len = 128, .addr = addr("2001:db8:c::1") };
	v.src = addr("2001:db8:c::3");
	check_field(&p, &t, &v, NULL, NULL);

	p = to_3gpp();
	p.match.have_dst = true;
	p.match.dst = (struct mh_prefix){ .len = 48, .addr = addr("2001:db8:100::") };
	v = t;
	v.dst = addr("2001:db8:101::5");
	check_field(&p, &t, &v, NULL, NULL);

	p = to_3gpp();
	p.match.have_proto = true;
	p.match.proto = 6;
	v = t;
	v.proto = 17;
	check_field(&p, &t, &v, NULL, NULL);

	p = to_3gpp();
	p.match.sport_lo = 443;
	p.match.sport_hi = 443;
	v = t;
	v.sport = 444;
	check_field(&p, &t, &v, NULL, NULL);
	v.sport = 442;
	check_field(&p, &t, &v, NULL, NULL);

	p = to_3gpp();
	p.match.dport_lo = 50001;
	p.match.dport_hi = 50010;
	u = t;
	u.dport = 50010; /* the bounds are inclusive */
	check_field(&p, &u, &t, NULL, NULL);
	u.dport = 50001;
	check_field(&p, &u, &t, NULL, NULL);
	v = t;
	v.dport = 50011;
	check_field(&p, &u, &v, NULL, NULL);

	p = to_3gpp();
	p.match.have_flow_label = true;
	p.match.flow_label = 0x12345;
	v = t;
	v.flow_label = 0x12344;
	check_field(&p, &t, &v, NULL, NULL);
	p.match.flow_label = 0; /* 0 is a value like any other when set */
	v.flow_label = 0;
	check_field(&p, &v, &t, NULL, NULL);

	p = to_3gpp();
	p.match.have_tclass = true;
	p.match.tclass = 0x20;
	v = t;
	v.tclass = 0;
	check_field(&p, &t, &v, NULL, NULL);
	p.match.tclass = 0;
	check_field(&p, &v, &t, NULL, NULL);
}
END_TEST

START_TEST(match_all_fields_together)
{
	struct fc_tuple t = tcp_tuple(), u;
	struct fc_policy p = to_3gpp();

	strcpy(p.match.mn_id, "mn1@x");
	p.match.have_src = p.match.have_dst = p.match.have_proto = true;
	p.match.src = (struct mh_prefix){ .len = 48, .addr = addr("2001:db8:c::") };
	p.match.dst = (struct mh_prefix){ .len = 64, .addr = addr("2001:db8:100::") };
	p.match.proto = 6;
	p.match.sport_lo = 1;
	p.match.sport_hi = 1023;
	p.match.dport_lo = 50000;
	p.match.dport_hi = 50000;
	p.match.have_flow_label = p.match.have_tclass = true;
	p.match.flow_label = 0x12345;
	p.match.tclass = 0x20;
	check_field(&p, &t, &t, "mn1@x", "mn2@x");
	u = t;
	u.tclass = 0x21; /* one field off is enough */
	check_field(&p, &t, &u, "mn1@x", "mn1@x");
}
END_TEST

START_TEST(each_target_kind)
{
	struct fc_tuple t = tcp_tuple();
	struct fc *fc = fc_new();
	struct fc_policy p;
	uint32_t id, pid;

	fc_policy_init(&p);
	p.targets[0].kind = FC_TARGET_MAG;
	p.targets[0].mag = addr("2001:db8:ffff::2");
	id = fc_policy_add(fc, &p, 0);
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, id);
	fc_policy_del(fc, id);

	fc_policy_init(&p);
	p.targets[0].kind = FC_TARGET_LLID;
	p.targets[0].llid_len = 6;
	memcpy(p.targets[0].llid, (uint8_t[]){ 2, 0, 0, 0, 0, 2 }, 6);
	id = fc_policy_add(fc, &p, 0);
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, id);
	fc_policy_del(fc, id);
	p.targets[0].llid_len = 5; /* a prefix of an LLID is not that LLID */
	id = fc_policy_add(fc, &p, 0);
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, &pid), &cands[0]);
	ck_assert_uint_eq(pid, 0);
	fc_policy_del(fc, id);

	/* "to default" decides (its id is reported) but picks the destination's owner */
	fc_policy_init(&p);
	id = fc_policy_add(fc, &p, 0);
	add_att(fc, 3, 0); /* never reached */
	cands[1].owns_dst = true;
	cands[0].owns_dst = false;
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, id);
	fc_free(fc);
}
END_TEST

START_TEST(att_picks_the_first_binding_with_it)
{
	struct fc_binding three[3];
	struct fc_tuple t = tcp_tuple();
	struct fc *fc = fc_new();

	memcpy(three, cands, sizeof(cands));
	three[2] = cands[1];
	three[2].id = 12;
	three[0].att = 3; /* now the first with att 3, and the owner */
	add_att(fc, 3, 0);
	ck_assert_ptr_eq(fc_select(fc, &t, NULL, three, 3, NULL), &three[0]);
	three[0].att = 4;
	ck_assert_ptr_eq(fc_select(fc, &t, NULL, three, 3, NULL), &three[1]);
	fc_free(fc);
}
END_TEST

START_TEST(skips_a_target_the_mn_lacks)
{
	struct fc_tuple t = tcp_tuple();
	struct fc *fc = fc_new();
	struct fc_policy p;
	uint32_t id, pid;

	add_att(fc, 9, 0); /* no such binding */
	fc_policy_init(&p);
	p.targets[0].kind = FC_TARGET_MAG;
	p.targets[0].mag = addr("2001:db8:ffff::9"); /* no such MAG */
	fc_policy_add(fc, &p, 0);
	p.targets[0].mag = addr("2001:db8:ffff::2");
	id = fc_policy_add(fc, &p, 0);
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, id);
	/* with only the WLAN binding, nothing but the default is left */
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 1, &pid), &cands[0]);
	ck_assert_uint_eq(pid, 0);
	fc_free(fc);
}
END_TEST

START_TEST(first_match_wins)
{
	struct fc_tuple t = tcp_tuple();
	struct fc *fc = fc_new();
	uint32_t a, b, pid;

	a = add_att(fc, 4, 0);
	b = add_att(fc, 3, 0);
	ck_assert_ptr_eq(fc_select(fc, &t, NULL, cands, 2, &pid), &cands[0]);
	ck_assert_uint_eq(pid, a);
	fc_policy_del(fc, a);
	ck_assert_ptr_eq(fc_select(fc, &t, NULL, cands, 2, &pid), &cands[1]);
	ck_assert_uint_eq(pid, b);
	a = add_att(fc, 4, b); /* back in front */
	ck_assert_ptr_eq(fc_select(fc, &t, NULL, cands, 2, &pid), &cands[0]);
	ck_assert_uint_eq(pid, a);
	fc_free(fc);
}
END_TEST

START_TEST(default_choice)
{
	struct fc_tuple t = tcp_tuple();
	struct fc *fc = fc_new();
	uint32_t pid = 99;

	/* no policy: the owner of the destination, wherever it is in the list */
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, &pid), &cands[0]);
	ck_assert_uint_eq(pid, 0);
	cands[0].owns_dst = false;
	cands[1].owns_dst = true;
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, NULL), &cands[1]);
	/* no owner: the first */
	cands[1].owns_dst = false;
	ck_assert_ptr_eq(fc_select(fc, &t, "mn1@x", cands, 2, &pid), &cands[0]);
	/* no bindings: nothing, whatever the policies */
	add_att(fc, 3, 0);
	pid = 99;
	ck_assert_ptr_null(fc_select(fc, &t, "mn1@x", cands, 0, &pid));
	ck_assert_uint_eq(pid, 0);
	fc_free(fc);
}
END_TEST

/* --- the flow table --- */

static struct fc_tuple nth_tuple(uint32_t i)
{
	struct fc_tuple t = tcp_tuple();

	t.src.s6_addr[12] = (uint8_t)(i >> 24);
	t.src.s6_addr[13] = (uint8_t)(i >> 16);
	t.src.s6_addr[14] = (uint8_t)(i >> 8);
	t.src.s6_addr[15] = (uint8_t)i;
	t.sport = (uint16_t)(1024 + i % 60000);
	return t;
}

START_TEST(flow_add_find_del)
{
	struct fc *fc = fc_new();
	struct fc_tuple t = tcp_tuple(), u;
	struct fc_flow *f, *g;

	ck_assert_ptr_null(fc_flow_find(fc, &t));
	ck_assert_ptr_null(fc_flow_first(fc));
	f = fc_flow_add(fc, &t, "mn1@x", 10, 100, 3, 5000);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->id, 1);
	ck_assert_str_eq(f->mn_id, "mn1@x");
	ck_assert(f->binding_id == 10 && f->mark == 100 && f->policy_id == 3);
	ck_assert(f->created_ns == 5000 && f->last_ns == 5000 && !f->pinned);
	ck_assert(f->packets == 0 && f->bytes == 0);
	ck_assert_ptr_eq(fc_flow_find(fc, &t), f);
	ck_assert_ptr_eq(fc_flow_by_id(fc, 1), f);
	ck_assert_ptr_null(fc_flow_by_id(fc, 2));
	/* the traffic class is not part of a flow's identity; every other field is */
	u = t;
	u.tclass = 0;
	ck_assert_ptr_eq(fc_flow_find(fc, &u), f);
	u = t;
	u.flow_label ^= 1;
	ck_assert_ptr_null(fc_flow_find(fc, &u));
	u = t;
	u.proto = 17;
	ck_assert_ptr_null(fc_flow_find(fc, &u));
	u = t;
	u.dport++;
	ck_assert_ptr_null(fc_flow_find(fc, &u));
	u = t;
	u.dst.s6_addr[0] ^= 0x80;
	ck_assert_ptr_null(fc_flow_find(fc, &u));
	/* the same tuple twice */
	errno = 0;
	ck_assert_ptr_null(fc_flow_add(fc, &t, "mn1@x", 11, 101, 0, 6000));
	ck_assert_int_eq(errno, EEXIST);
	/* a reversed tuple is another flow */
	u = t;
	u.src = t.dst;
	u.dst = t.src;
	u.sport = t.dport;
	u.dport = t.sport;
	g = fc_flow_add(fc, &u, NULL, 11, 101, 0, 6000);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->id, 2);
	ck_assert_str_eq(g->mn_id, "");
	ck_assert_uint_eq(fc_flow_count(fc), 2);
	fc_flow_del(fc, f);
	ck_assert_ptr_null(fc_flow_find(fc, &t));
	ck_assert_ptr_null(fc_flow_by_id(fc, 1));
	ck_assert_uint_eq(fc_flow_count(fc), 1);
	/* added again: a new id, never the old one */
	f = fc_flow_add(fc, &t, "mn1@x", 10, 100, 0, 7000);
	ck_assert_uint_eq(f->id, 3);
	ck_assert_ptr_eq(fc_flow_by_id(fc, 2), g);
	fc_free(fc); /* frees the flows left */
}
END_TEST

START_TEST(flow_mn_id_bounds)
{
	char id[MH_MNID_MAX + 2];
	struct fc *fc = fc_new();
	struct fc_tuple t = tcp_tuple();
	struct fc_flow *f;

	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0'; /* MH_MNID_MAX + 1 characters */
	errno = 0;
	ck_assert_ptr_null(fc_flow_add(fc, &t, id, 1, 1, 0, 0));
	ck_assert_int_eq(errno, EINVAL);
	id[MH_MNID_MAX] = '\0';
	f = fc_flow_add(fc, &t, id, 1, 1, 0, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(strlen(f->mn_id), MH_MNID_MAX);
	fc_free(fc);
}
END_TEST

START_TEST(flow_iterate_and_expire)
{
	struct fc *fc = fc_new();
	struct fc_flow *f, *next;
	uint32_t want = 1;
	struct fc_tuple t;

	for (uint32_t i = 0; i < 100; i++) {
		t = nth_tuple(i);
		ck_assert_ptr_nonnull(fc_flow_add(fc, &t, "mn1@x", 10, 100, 0, 1000 + i));
	}
	for (f = fc_flow_first(fc); f; f = fc_flow_next(fc, f))
		ck_assert_uint_eq(f->id, want++); /* in order of addition */
	ck_assert_uint_eq(want, 101);
	/* deleting while iterating: take the next first */
	for (f = fc_flow_first(fc); f; f = next) {
		next = fc_flow_next(fc, f);
		if (f->id % 10 == 0)
			fc_flow_del(fc, f);
	}
	ck_assert_uint_eq(fc_flow_count(fc), 90);
	/* a packet seen refreshes a flow: the caller touches it */
	fc_flow_touch(fc, fc_flow_by_id(fc, 3), 5000);
	ck_assert_uint_eq(fc_flow_expire(fc, 1000), 0); /* nothing older than 1000 */
	/* last_ns 1000..1049 (ids 1..50) but the five deleted and id 3 */
	ck_assert_uint_eq(fc_flow_expire(fc, 1050), 44);
	ck_assert_uint_eq(fc_flow_count(fc), 46);
	ck_assert_ptr_nonnull(fc_flow_by_id(fc, 3));
	ck_assert_ptr_null(fc_flow_by_id(fc, 4));
	ck_assert_ptr_nonnull(fc_flow_by_id(fc, 51));
	t = nth_tuple(50);
	ck_assert_ptr_eq(fc_flow_find(fc, &t), fc_flow_by_id(fc, 51)); /* ids stay put */
	ck_assert_uint_eq(fc_flow_expire(fc, UINT64_MAX), 46);
	ck_assert_uint_eq(fc_flow_count(fc), 0);
	ck_assert_ptr_null(fc_flow_first(fc));
	t = nth_tuple(0);
	ck_assert_uint_eq(fc_flow_add(fc, &t, "mn1@x", 10, 100, 0, 0)->id, 101);
	fc_free(fc);
}
END_TEST

START_TEST(flow_ids_wrap_skipping_those_in_use)
{
	struct fc *fc = fc_new();
	struct fc_tuple t;
	struct fc_flow *f;

	t = nth_tuple(0);
	fc_flow_add(fc, &t, NULL, 1, 1, 0, 0); /* id 1, still in use after the wrap */
	t = nth_tuple(1);
	fc_flow_add(fc, &t, NULL, 1, 1, 0, 0); /* id 2, gone by then */
	fc_flow_del(fc, fc_flow_by_id(fc, 2));
	fc_flow_set_next_id(fc, UINT32_MAX - 1);
	t = nth_tuple(2);
	ck_assert_uint_eq(fc_flow_add(fc, &t, NULL, 1, 1, 0, 0)->id, UINT32_MAX - 1);
	t = nth_tuple(3);
	ck_assert_uint_eq(fc_flow_add(fc, &t, NULL, 1, 1, 0, 0)->id, UINT32_MAX);
	t = nth_tuple(4);
	f = fc_flow_add(fc, &t, NULL, 1, 1, 0, 0);
	ck_assert_uint_eq(f->id, 2); /* never 0, never 1 while flow 1 lives */
	ck_assert_ptr_eq(fc_flow_by_id(fc, 2), f);
	ck_assert_uint_eq(fc_flow_by_id(fc, 1)->tuple.src.s6_addr[15], 0);
	fc_flow_set_next_id(fc, 0);
	t = nth_tuple(5);
	ck_assert_uint_eq(fc_flow_add(fc, &t, NULL, 1, 1, 0, 0)->id, 3);
	fc_free(fc);
}
END_TEST

/* --- the indexes: each MN's flows, a connection's flows, the age order --- */

static size_t mn_walk_count(const struct fc *fc, const char *mn_id)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_mn_first(fc, mn_id); f; f = fc_flow_mn_next(fc, f)) {
		ck_assert_str_eq(f->mn_id, mn_id);
		n++;
	}
	return n;
}

/* What the index must agree with: a walk over the whole table. */
static size_t mn_scan_count(const struct fc *fc, const char *mn_id)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_first(fc); f; f = fc_flow_next(fc, f))
		n += strcmp(f->mn_id, mn_id) == 0;
	return n;
}

static void mn_name(char *buf, size_t len, uint32_t i)
{
	snprintf(buf, len, "mn%u@x", i);
}

START_TEST(flow_mn_index)
{
	static const char *const mns[] = { "mn0@x", "mn1@x", "mn2@x" };
	struct fc *fc = fc_new();
	struct fc_flow *f;
	struct fc_tuple t;
	uint32_t last = 0;

	ck_assert_ptr_null(fc_flow_mn_first(fc, "mn0@x"));
	ck_assert_uint_eq(fc_flow_mn_count(fc, "mn0@x"), 0);
	for (uint32_t i = 0; i < 30; i++) { /* interleaved: ids 1, 4, 7... are mn0's */
		t = nth_tuple(i);
		ck_assert_ptr_nonnull(fc_flow_add(fc, &t, mns[i % 3], i % 3, 100, 0, i));
	}
	t = nth_tuple(30);
	fc_flow_add(fc, &t, NULL, 9, 100, 0, 30); /* no MN-ID: the group "" */
	for (unsigned m = 0; m < 3; m++) {
		ck_assert_uint_eq(fc_flow_mn_count(fc, mns[m]), 10);
		ck_assert_uint_eq(mn_walk_count(fc, mns[m]), 10);
	}
	ck_assert_uint_eq(fc_flow_mn_count(fc, ""), 1);
	ck_assert_uint_eq(fc_flow_mn_first(fc, "")->id, 31);
	/* in order of addition, as the whole table */
	for (f = fc_flow_mn_first(fc, "mn1@x"); f; f = fc_flow_mn_next(fc, f)) {
		ck_assert_uint_gt(f->id, last);
		ck_assert_uint_eq(f->id % 3, 2);
		last = f->id;
	}
	/* no prefix or case folding: MN-IDs are compared whole */
	ck_assert_ptr_null(fc_flow_mn_first(fc, "mn1@"));
	ck_assert_ptr_null(fc_flow_mn_first(fc, "MN1@x"));
	ck_assert_ptr_null(fc_flow_mn_first(fc, "mn1@xy"));
	/* a group goes with its last flow, and comes back with a new one */
	while ((f = fc_flow_mn_first(fc, "mn2@x")))
		fc_flow_del(fc, f);
	ck_assert_uint_eq(fc_flow_mn_count(fc, "mn2@x"), 0);
	ck_assert_uint_eq(fc_flow_count(fc), 21);
	ck_assert_uint_eq(mn_walk_count(fc, "mn0@x"), 10);
	t = nth_tuple(2);
	f = fc_flow_add(fc, &t, "mn2@x", 2, 100, 0, 40);
	ck_assert_ptr_eq(fc_flow_mn_first(fc, "mn2@x"), f);
	ck_assert_ptr_null(fc_flow_mn_next(fc, f));
	fc_free(fc);
}
END_TEST

START_TEST(flow_mn_delete_while_iterating)
{
	struct fc *fc = fc_new();
	struct fc_flow *f, *next;
	struct fc_tuple t;
	char mn[32];

	for (uint32_t i = 0; i < 400; i++) {
		t = nth_tuple(i);
		mn_name(mn, sizeof(mn), i % 4);
		ck_assert_ptr_nonnull(fc_flow_add(fc, &t, mn, i, 100, 0, i));
	}
	/* every other flow of mn1, then every flow of mn2 */
	for (f = fc_flow_mn_first(fc, "mn1@x"); f; f = next) {
		next = fc_flow_mn_next(fc, f);
		if (f->id % 8 == 2)
			fc_flow_del(fc, f);
	}
	ck_assert_uint_eq(fc_flow_mn_count(fc, "mn1@x"), 50);
	for (f = fc_flow_mn_first(fc, "mn2@x"); f; f = next) {
		next = fc_flow_mn_next(fc, f);
		fc_flow_del(fc, f);
	}
	ck_assert_ptr_null(fc_flow_mn_first(fc, "mn2@x"));
	ck_assert_uint_eq(fc_flow_count(fc), 250);
	for (uint32_t m = 0; m < 4; m++) {
		mn_name(mn, sizeof(mn), m);
		ck_assert_uint_eq(mn_walk_count(fc, mn), mn_scan_count(fc, mn));
		ck_assert_uint_eq(fc_flow_mn_count(fc, mn), mn_scan_count(fc, mn));
	}
	for (f = fc_flow_first(fc); f; f = fc_flow_next(fc, f)) /* and the other indexes */
		ck_assert_ptr_eq(fc_flow_find(fc, &f->tuple), f);
	fc_free(fc);
}
END_TEST

static size_t conn_count(const struct fc *fc, const struct fc_tuple *t)
{
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_conn_first(fc, t); f; f = fc_flow_conn_next(fc, f))
		n++;
	return n;
}

START_TEST(flow_conn_lookup)
{
	struct fc *fc = fc_new();
	struct fc_tuple t = tcp_tuple(), u, ev;
	struct fc_flow *a, *b, *f, *next;
	bool seen_a = false, seen_b = false;

	a = fc_flow_add(fc, &t, "mn1@x", 1, 100, 0, 0);
	u = t;
	u.flow_label = 7; /* the same connection, another flow label: another flow */
	b = fc_flow_add(fc, &u, "mn1@x", 2, 101, 0, 0);
	/* near misses, one field each: none of them is the connection */
	u = t;
	u.sport++;
	fc_flow_add(fc, &u, "mn1@x", 1, 100, 0, 0);
	u = t;
	u.dport++;
	fc_flow_add(fc, &u, "mn1@x", 1, 100, 0, 0);
	u = t;
	u.proto = 17;
	fc_flow_add(fc, &u, "mn1@x", 1, 100, 0, 0);
	u = t;
	u.src.s6_addr[15] ^= 1;
	fc_flow_add(fc, &u, "mn1@x", 1, 100, 0, 0);
	u = t;
	u.dst.s6_addr[0] ^= 0x80;
	fc_flow_add(fc, &u, "mn2@x", 1, 100, 0, 0);
	u = t; /* the reply direction */
	u.src = t.dst;
	u.dst = t.src;
	u.sport = t.dport;
	u.dport = t.sport;
	fc_flow_add(fc, &u, "mn1@x", 1, 100, 0, 0);
	ck_assert_uint_eq(fc_flow_count(fc), 8);
	/* a destroy event: no flow label, no traffic class */
	ev = t;
	ev.flow_label = 0;
	ev.tclass = 0;
	for (f = fc_flow_conn_first(fc, &ev); f; f = fc_flow_conn_next(fc, f)) {
		ck_assert(f == a || f == b);
		seen_a |= f == a;
		seen_b |= f == b;
	}
	ck_assert(seen_a && seen_b);
	ev.flow_label = 0xfffff; /* whatever label the event's tuple holds */
	ck_assert_uint_eq(conn_count(fc, &ev), 2);
	u = t;
	u.sport++;
	ck_assert_uint_eq(conn_count(fc, &u), 1);
	/* both go, the rest stay */
	for (f = fc_flow_conn_first(fc, &ev); f; f = next) {
		next = fc_flow_conn_next(fc, f);
		fc_flow_del(fc, f);
	}
	ck_assert_ptr_null(fc_flow_conn_first(fc, &ev));
	ck_assert_uint_eq(fc_flow_count(fc), 6);
	ck_assert_uint_eq(fc_flow_mn_count(fc, "mn1@x"), 5);
	for (f = fc_flow_first(fc); f; f = fc_flow_next(fc, f))
		ck_assert_ptr_eq(fc_flow_conn_first(fc, &f->tuple), f);
	fc_free(fc);
}
END_TEST

static void check_age_order(const struct fc *fc)
{
	uint64_t last = 0;
	size_t n = 0;

	for (struct fc_flow *f = fc_flow_oldest(fc); f; f = fc_flow_newer(fc, f)) {
		ck_assert_uint_ge(f->last_ns, last);
		last = f->last_ns;
		n++;
	}
	ck_assert_uint_eq(n, fc_flow_count(fc));
}

START_TEST(flow_age_order)
{
	static const uint64_t added[] = { 50, 10, 30, 30, 70, 20, 60 }; /* not in order */
	struct fc *fc = fc_new();
	struct fc_flow *f;
	struct fc_tuple t;

	for (uint32_t i = 0; i < sizeof(added) / sizeof(added[0]); i++) {
		t = nth_tuple(i);
		fc_flow_add(fc, &t, "mn1@x", 1, 100, 0, added[i]);
	}
	check_age_order(fc);
	ck_assert_uint_eq(fc_flow_oldest(fc)->id, 2);
	ck_assert_ptr_eq(fc_flow_first(fc), fc_flow_by_id(fc, 1)); /* addition order unchanged */
	f = fc_flow_by_id(fc, 2);
	fc_flow_touch(fc, f, 80); /* the oldest becomes the newest */
	ck_assert_uint_eq(f->last_ns, 80);
	ck_assert_ptr_null(fc_flow_newer(fc, f));
	ck_assert_uint_eq(f->created_ns, 10);
	fc_flow_touch(fc, fc_flow_by_id(fc, 5), 5); /* and back in time */
	ck_assert_uint_eq(fc_flow_oldest(fc)->id, 5);
	check_age_order(fc);
	ck_assert_uint_eq(fc_flow_expire(fc, 30), 2); /* 5 (5) and 6 (20) */
	ck_assert_uint_eq(fc_flow_oldest(fc)->last_ns, 30);
	check_age_order(fc);
	ck_assert_uint_eq(fc_flow_expire(fc, 81), 5);
	ck_assert_ptr_null(fc_flow_oldest(fc));
	fc_free(fc);
}
END_TEST

/* --- bounds: a flood of new flows from anywhere --- */

static struct fc_flow *add_nth(struct fc *fc, uint32_t i, const char *mn, uint64_t now)
{
	struct fc_tuple t = nth_tuple(i);

	return fc_flow_add(fc, &t, mn, 10, 100, 0, now);
}

static bool has_nth(const struct fc *fc, uint32_t i)
{
	struct fc_tuple t = nth_tuple(i);

	return fc_flow_find(fc, &t) != NULL;
}

static struct fc_stats stats_of(const struct fc *fc)
{
	struct fc_stats s;

	fc_get_stats(fc, &s);
	return s;
}

/* At the bound a new flow evicts the least recently touched one, not the first added. */
START_TEST(bound_total_evicts_the_oldest_idle)
{
	struct fc *fc = fc_new();

	fc_set_limits(fc, 4, 0);
	for (uint32_t i = 0; i < 4; i++)
		ck_assert_ptr_nonnull(add_nth(fc, i, "mn1@x", 10 + i));
	fc_flow_touch(fc, fc_flow_by_id(fc, 1), 20); /* still in use: 2 is the oldest now */
	ck_assert_ptr_nonnull(add_nth(fc, 4, "mn2@x", 21));
	ck_assert_uint_eq(fc_flow_count(fc), 4);
	ck_assert(has_nth(fc, 0) && !has_nth(fc, 1) && has_nth(fc, 2) && has_nth(fc, 4));
	ck_assert_ptr_nonnull(add_nth(fc, 5, "mn2@x", 22));
	ck_assert(!has_nth(fc, 2) && has_nth(fc, 3));
	ck_assert_uint_eq(fc_flow_count(fc), 4);
	ck_assert_uint_eq(stats_of(fc).evicted, 2);
	ck_assert_uint_eq(stats_of(fc).refused, 0);
	fc_free(fc);
}
END_TEST

/* One MN's flows evict only that MN's own, least recently touched first. */
START_TEST(bound_per_mn)
{
	struct fc *fc = fc_new();

	fc_set_limits(fc, 0, 3);
	for (uint32_t i = 0; i < 3; i++)
		add_nth(fc, i, "a@x", 100 + i);
	add_nth(fc, 3, "b@x", 1); /* older than all of a's: not a's to evict */
	add_nth(fc, 4, "b@x", 2);
	fc_flow_touch(fc, fc_flow_by_id(fc, 1), 200);
	ck_assert_ptr_nonnull(add_nth(fc, 5, "a@x", 201));
	ck_assert_uint_eq(fc_flow_mn_count(fc, "a@x"), 3);
	ck_assert_uint_eq(fc_flow_mn_count(fc, "b@x"), 2);
	ck_assert(has_nth(fc, 0) && !has_nth(fc, 1) && has_nth(fc, 2) && has_nth(fc, 5));
	for (uint32_t i = 6; i < 1000; i++)
		add_nth(fc, i, "a@x", 300 + i);
	ck_assert_uint_eq(fc_flow_mn_count(fc, "a@x"), 3);
	ck_assert_uint_eq(fc_flow_count(fc), 5);
	ck_assert_uint_eq(stats_of(fc).evicted, 995);
	fc_set_limits(fc, 0, 1); /* lowered: each new flow evicts one, the MN does not grow */
	ck_assert_ptr_nonnull(add_nth(fc, 1000, "b@x", 2000));
	ck_assert_uint_eq(fc_flow_mn_count(fc, "b@x"), 2);
	fc_free(fc);
}
END_TEST

/* Flows moved by hand are not evicted: with nothing else to evict, a new flow is refused. */
START_TEST(bound_refuses_when_nothing_is_evictable)
{
	struct fc *fc = fc_new();
	struct fc_flow *f;

	fc_set_limits(fc, 2, 0);
	add_nth(fc, 0, "mn1@x", 1)->pinned = true;
	add_nth(fc, 1, "mn1@x", 2)->pinned = true;
	errno = 0;
	ck_assert_ptr_null(add_nth(fc, 2, "mn1@x", 3));
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_uint_eq(fc_flow_count(fc), 2);
	ck_assert_uint_eq(stats_of(fc).refused, 1);
	ck_assert_uint_eq(stats_of(fc).evicted, 0);
	f = fc_flow_by_id(fc, 2);
	f->pinned = false;
	ck_assert_ptr_nonnull(add_nth(fc, 2, "mn1@x", 4));
	ck_assert(!has_nth(fc, 1) && has_nth(fc, 0));
	fc_free(fc);
}
END_TEST

/* A new flow goes where the policy says while there is room; when there is none, to the
 * default binding (the one owning the destination), unremembered and counted. */
START_TEST(full_table_fails_open_to_the_default_binding)
{
	struct fc *fc = fc_new();
	struct fc_policy p = to_3gpp();
	struct fc_tuple t = nth_tuple(0), u = nth_tuple(1);

	ck_assert_uint_ne(fc_policy_add(fc, &p, 0), 0);
	fc_set_limits(fc, 1, 0);
	ck_assert_uint_eq(fc_classify_new(fc, &t, "mn1@x", cands, 2, 1, NULL), 101);
	ck_assert_uint_eq(stats_of(fc).classified, 1);
	fc_flow_find(fc, &t)->pinned = true;
	ck_assert_uint_eq(fc_classify_new(fc, &u, "mn1@x", cands, 2, 2, NULL), 100);
	ck_assert_ptr_null(fc_flow_find(fc, &u));
	ck_assert_uint_eq(fc_flow_count(fc), 1);
	ck_assert_uint_eq(stats_of(fc).refused, 1);
	ck_assert_uint_eq(stats_of(fc).classified, 1);
	ck_assert_uint_eq(stats_of(fc).unclassified, 0);
	ck_assert_uint_eq(fc_classify_new(fc, &u, "mn1@x", cands, 0, 3, NULL), 0);
	fc_flow_find(fc, &t)->pinned = false; /* now evictable: u takes its place */
	ck_assert_uint_eq(fc_classify_new(fc, &u, "mn1@x", cands, 2, 4, NULL), 101);
	ck_assert_ptr_nonnull(fc_flow_find(fc, &u));
	ck_assert_uint_eq(stats_of(fc).evicted, 1);
	fc_free(fc);
}
END_TEST

#define FLOOD_FLOWS 100000
#define FLOOD_MAX   1000

/* The issue's flood: new 5-tuples without end keep the table, and its indexes, at the bound. */
START_TEST(flood_stays_at_the_bound)
{
	struct fc *fc = fc_new();
	size_t idle_mem = fc_index_memory(fc);
	unsigned refused = 0;

	fc_set_limits(fc, FLOOD_MAX, FLOOD_MAX);
	for (uint32_t i = 0; i < FLOOD_FLOWS; i++) {
		struct fc_tuple t = nth_tuple(i);

		refused += fc_classify_new(fc, &t, "mn1@x", cands, 2, i, NULL) != 100;
	}
	ck_assert_uint_eq(refused, 0);
	ck_assert_uint_eq(fc_flow_count(fc), FLOOD_MAX);
	ck_assert_uint_eq(stats_of(fc).evicted, FLOOD_FLOWS - FLOOD_MAX);
	ck_assert_uint_eq(stats_of(fc).classified, FLOOD_FLOWS);
	ck_assert_uint_le(fc_index_memory(fc), idle_mem * 2);
	ck_assert(has_nth(fc, FLOOD_FLOWS - 1) && !has_nth(fc, FLOOD_FLOWS - FLOOD_MAX - 1));
	fc_free(fc);
}
END_TEST

struct sweep_probe {
	unsigned asked;
	unsigned keep_every; /* still active: every n-th one asked (0: none) */
};

static bool probe_active(void *arg, struct fc_flow *f)
{
	struct sweep_probe *p = arg;

	(void)f;
	p->asked++;
	return p->keep_every && p->asked % p->keep_every == 0;
}

/* Each sweep step asks about at most its bound of idle flows and says whether more remain, so
 * that the daemon comes back rather than block its loop on them all. */
START_TEST(sweep_does_bounded_work_per_tick)
{
	struct fc *fc = fc_new();
	struct sweep_probe probe = { .keep_every = 4 };
	unsigned steps = 0;
	bool more;

	for (uint32_t i = 0; i < 1000; i++)
		add_nth(fc, i, "mn1@x", i);
	add_nth(fc, 1000, "mn1@x", 5000); /* recent: never asked about */
	do {
		unsigned before = probe.asked;

		more = fc_flow_sweep(fc, 2000, 3000, 64, probe_active, &probe);
		ck_assert_uint_le(probe.asked - before, 64);
		steps++;
	} while (more && steps < 100);
	ck_assert(!more);
	ck_assert_uint_eq(steps, 16); /* 1000 / 64, rounded up */
	ck_assert_uint_eq(probe.asked, 1000);
	ck_assert_uint_eq(fc_flow_count(fc), 251); /* a quarter kept, and the recent one */
	ck_assert_uint_eq(fc_flow_oldest(fc)->last_ns, 3000);
	ck_assert(!fc_flow_sweep(fc, 2000, 3000, 64, probe_active, &probe));
	ck_assert_uint_eq(probe.asked, 1000);
	fc_free(fc);
}
END_TEST

/* After a flood leaves (swept, expired or ended), the indexes' buckets go back down. */
START_TEST(memory_shrinks_after_a_flood)
{
	struct fc *fc = fc_new();
	struct sweep_probe probe = { 0 };
	size_t idle_mem = fc_index_memory(fc), flood_mem;

	for (uint32_t i = 0; i < FLOOD_FLOWS; i++)
		add_nth(fc, i, "mn1@x", i);
	flood_mem = fc_index_memory(fc);
	ck_assert_uint_ge(flood_mem, idle_mem * 50);
	while (fc_flow_sweep(fc, FLOOD_FLOWS / 8 * 7, FLOOD_FLOWS, 4096, probe_active, &probe))
		;
	ck_assert_uint_eq(fc_flow_count(fc), FLOOD_FLOWS / 8);
	ck_assert_uint_le(fc_index_memory(fc), flood_mem / 4 + idle_mem);
	ck_assert_uint_eq(fc_flow_expire(fc, FLOOD_FLOWS), FLOOD_FLOWS / 8);
	ck_assert_uint_eq(fc_index_memory(fc), idle_mem);
	for (uint32_t i = 0; i < FLOOD_FLOWS; i++)
		add_nth(fc, i, "mn1@x", i);
	while ((fc_flow_first(fc)))
		fc_flow_del(fc, fc_flow_first(fc));
	fc_compact(fc);
	ck_assert_uint_eq(fc_index_memory(fc), idle_mem);
	fc_free(fc);
}
END_TEST

/* --- scale --- */

#define BIG_FLOWS 200000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(two_hundred_thousand_flows)
{
	struct fc *fc = fc_new();
	double t0 = now_s(), t1, t2;
	unsigned wrong = 0;
	struct fc_tuple t;

	for (uint32_t i = 0; i < BIG_FLOWS; i++) { /* one assert at the end: Check's are slow */
		t = nth_tuple(i);
		wrong += fc_flow_add(fc, &t, "mn1@x", i % 2, 100 + i % 2, 0, i) == NULL;
	}
	t1 = now_s();
	ck_assert_uint_eq(wrong, 0);
	ck_assert_uint_eq(fc_flow_count(fc), BIG_FLOWS);
	for (uint32_t i = 0; i < BIG_FLOWS; i++) {
		struct fc_flow *f;

		t = nth_tuple(i);
		f = fc_flow_find(fc, &t);
		wrong += !f || f->id != i + 1 || f->binding_id != i % 2 ||
		         fc_flow_by_id(fc, i + 1) != f;
	}
	t2 = now_s();
	ck_assert_uint_eq(wrong, 0);
	t = nth_tuple(BIG_FLOWS);
	ck_assert_ptr_null(fc_flow_find(fc, &t));
	ck_assert_uint_eq(fc_flow_expire(fc, BIG_FLOWS / 2), BIG_FLOWS / 2);
	ck_assert_uint_eq(fc_flow_count(fc), BIG_FLOWS / 2);
	printf("%d flows: added in %.0f ms, found by tuple and id in %.0f ms\n", BIG_FLOWS,
	       (t1 - t0) * 1e3, (t2 - t1) * 1e3);
	fc_free(fc);
}
END_TEST

#define MANY_FLOWS 50000
#define MANY_MNS   1000

/* Many flows of many MNs, deleted at random through every index in turn: the indexes agree with
 * a walk over the whole table after each round. */
START_TEST(many_flows_of_many_mns)
{
	struct fc *fc = fc_new();
	unsigned wrong = 0, seed = 1;
	struct fc_tuple t;
	char mn[32];

	for (uint32_t i = 0; i < MANY_FLOWS; i++) {
		t = nth_tuple(i);
		t.flow_label = i % 3; /* no two the same connection: nth_tuple's addresses differ */
		mn_name(mn, sizeof(mn), i % MANY_MNS);
		wrong += fc_flow_add(fc, &t, mn, i % 7, 100, 0, i) == NULL;
	}
	ck_assert_uint_eq(wrong, 0);
	for (unsigned round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < MANY_FLOWS; i++) { /* a third of those left goes */
			struct fc_flow *f;

			t = nth_tuple(i);
			f = fc_flow_conn_first(fc, &t);
			if (f && rand_r(&seed) % 3 == 0) {
				wrong += fc_flow_conn_next(fc, f) != NULL;
				fc_flow_del(fc, f);
			}
		}
		for (uint32_t m = 0; m < MANY_MNS; m += 37) {
			mn_name(mn, sizeof(mn), m);
			wrong += fc_flow_mn_count(fc, mn) != mn_scan_count(fc, mn);
			wrong += mn_walk_count(fc, mn) != fc_flow_mn_count(fc, mn);
		}
		ck_assert_uint_eq(wrong, 0);
		check_age_order(fc);
	}
	fc_free(fc);
}
END_TEST

/* --- policies on the control socket (fc_wire.c) --- */

START_TEST(wire_round_trip)
{
	struct fc_policy p, q;
	struct ctl_policy w;

	fc_policy_init(&p);
	p.id = 7;
	snprintf(p.match.mn_id, sizeof(p.match.mn_id), "mn1@example.org");
	p.match.have_dst = true;
	p.match.dst.len = 64;
	p.match.dst.addr.s6_addr[0] = 0x20;
	p.match.have_proto = true;
	p.match.proto = 17;
	p.match.dport_lo = 5001;
	p.match.dport_hi = 5010;
	p.match.have_tclass = true;
	p.match.tclass = 0x20;
	p.targets[0].kind = FC_TARGET_LLID;
	p.targets[0].llid_len = 6;
	p.targets[0].llid[5] = 2;
	fc_wire_encode(&p, &w);
	ck_assert_uint_eq(w.have, CTL_POLICY_DST | CTL_POLICY_PROTO | CTL_POLICY_TCLASS);
	ck_assert(fc_wire_decode(&w, &q));
	ck_assert_uint_eq(q.id, 7);
	ck_assert_str_eq(q.match.mn_id, "mn1@example.org");
	ck_assert(q.match.have_dst && !q.match.have_src && q.match.have_proto &&
	          !q.match.have_flow_label && q.match.have_tclass);
	ck_assert(mh_prefix_equal(&q.match.dst, &p.match.dst));
	ck_assert_uint_eq(q.match.dport_hi, 5010);
	ck_assert_int_eq(q.targets[0].kind, FC_TARGET_LLID);
	ck_assert_mem_eq(q.targets[0].llid, p.targets[0].llid, 6);
}
END_TEST

/* Every byte of the record is checked: what a client could send that is out of range. */
START_TEST(wire_refuses_what_is_out_of_range)
{
	struct fc_policy p, q;
	struct ctl_policy good, w;

	fc_policy_init(&p);
	p.targets[0].kind = FC_TARGET_ATT;
	p.targets[0].att = 4;
	fc_wire_encode(&p, &good);
	ck_assert(fc_wire_decode(&good, &q));
	w = good;
	w.have = 0x20; /* an unknown flag */
	ck_assert(!fc_wire_decode(&w, &q));
	w = good;
	w.target = 4;
	ck_assert(!fc_wire_decode(&w, &q));
	w = good;
	w.dst_len = 129;
	ck_assert(!fc_wire_decode(&w, &q));
	w = good;
	memset(w.mn_id, 'a', sizeof(w.mn_id)); /* no NUL */
	ck_assert(!fc_wire_decode(&w, &q));
	w = good;
	w.target = FC_TARGET_LLID;
	w.target_llid_len = MH_LLID_MAX + 1;
	ck_assert(!fc_wire_decode(&w, &q));
	w = good;
	w.target_att = 0; /* fc_policy_valid(): an att target needs a type */
	ck_assert(!fc_wire_decode(&w, &q));
	w = good;
	w.have = CTL_POLICY_DST;
	w.dst_len = 64;
	w.dst[15] = 1; /* host bits */
	ck_assert(!fc_wire_decode(&w, &q));
}
END_TEST

static Suite *fc_suite(void)
{
	Suite *s = suite_create("fc");
	TCase *parse = tcase_create("parse");
	TCase *err = tcase_create("parse errors");
	TCase *pol = tcase_create("policies");
	TCase *flow = tcase_create("flows");
	TCase *bound = tcase_create("bounds");
	TCase *big = tcase_create("scale");

	tcase_add_loop_test(parse, golden_packets, 0, N_GOLDENS);
	tcase_add_loop_test(parse, every_truncation, 0, N_GOLDENS);
	tcase_add_loop_test(parse, random_mutations, 0, N_GOLDENS);
	tcase_add_test(parse, random_garbage);
	tcase_add_test(parse, jumbogram);
	tcase_add_test(parse, protocol_names);
	tcase_add_test(err, error_short);
	tcase_add_test(err, error_version);
	tcase_add_test(err, error_exthdr);
	tcase_add_test(err, error_length);
	tcase_add_checked_fixture(pol, setup_cands, NULL);
	tcase_add_test(pol, policy_list);
	tcase_add_test(pol, policy_invalid);
	tcase_add_test(pol, match_each_field);
	tcase_add_test(pol, match_all_fields_together);
	tcase_add_test(pol, each_target_kind);
	tcase_add_test(pol, att_picks_the_first_binding_with_it);
	tcase_add_test(pol, skips_a_target_the_mn_lacks);
	tcase_add_test(pol, first_match_wins);
	tcase_add_test(pol, default_choice);
	tcase_add_test(pol, wire_round_trip);
	tcase_add_test(pol, wire_refuses_what_is_out_of_range);
	tcase_add_test(flow, flow_add_find_del);
	tcase_add_test(flow, flow_mn_id_bounds);
	tcase_add_test(flow, flow_iterate_and_expire);
	tcase_add_test(flow, flow_ids_wrap_skipping_those_in_use);
	tcase_add_test(flow, flow_mn_index);
	tcase_add_test(flow, flow_mn_delete_while_iterating);
	tcase_add_test(flow, flow_conn_lookup);
	tcase_add_test(flow, flow_age_order);
	tcase_add_checked_fixture(bound, setup_cands, NULL);
	tcase_add_test(bound, bound_total_evicts_the_oldest_idle);
	tcase_add_test(bound, bound_per_mn);
	tcase_add_test(bound, bound_refuses_when_nothing_is_evictable);
	tcase_add_test(bound, full_table_fails_open_to_the_default_binding);
	tcase_add_test(bound, flood_stays_at_the_bound);
	tcase_add_test(bound, sweep_does_bounded_work_per_tick);
	tcase_add_test(bound, memory_shrinks_after_a_flood);
	tcase_add_test(big, two_hundred_thousand_flows);
	tcase_add_test(big, many_flows_of_many_mns);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, err);
	suite_add_tcase(s, pol);
	suite_add_tcase(s, flow);
	suite_add_tcase(s, bound);
	suite_add_tcase(s, big);
	return s;
}

CHECK_MAIN(fc_suite)
