/* test_nd.c: the MAG's Neighbor Discovery codec (mag/nd.c): golden Router Solicitation frames
 * written by hand, commented field by field, and one test per rejection (RFC 4861 §6.1.1);
 * randomised truncation and mutation, each input in a heap block of exactly its size so that
 * AddressSanitizer catches a read one octet past the end; a golden Router Advertisement (§4.2,
 * §4.6) checked field by field; and tshark's reading of both, as an independent decoder. A
 * missing tshark fails the tests: a skip would hide a gap. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mag/nd.h"
#include "tests/check_main.h"

#define ETH_LEN    14
#define IP6_OFF    ETH_LEN
#define PLEN_OFF   (IP6_OFF + 4)
#define NEXT_OFF   (IP6_OFF + 6)
#define HLIM_OFF   (IP6_OFF + 7)
#define SRC_OFF    (IP6_OFF + 8)
#define DST_OFF    (IP6_OFF + 24)
#define ICMP_OFF   (IP6_OFF + 40)
#define CKSUM_OFF  (ICMP_OFF + 2)
#define OPT_OFF    (ICMP_OFF + 8)
#define FRAME_MAX  256
#define MUTATIONS  200000
#define LINK_ETHER 1             /* LINKTYPE_ETHERNET */
#define LINK_RAW   101           /* LINKTYPE_RAW: the packet starts with its IPv6 header */
#define WS_PI_WARN 0x00600000ull /* epan/proto.h PI_WARN: severities print as numbers */

/* An RS from a host that has its link-local address: fe80::ff:fe00:100 (EUI-64 of its MAC
 * 02:00:00:00:01:00) to all-routers, with a Source Link-Layer Address option. */
static const uint8_t rs_ll[] = {
	/* Ethernet: destination 33:33:00:00:00:02 (ff02::2), source 02:00:00:00:01:00, IPv6 */
	0x33, 0x33, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x86, 0xdd,
	/* IPv6: version 6, traffic class 0, flow label 0; payload length 16; next header 58;
	 * hop limit 255 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x3a, 0xff,
	/* source fe80::ff:fe00:100 */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x01,
	0x00,
	/* destination ff02::2 */
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02,
	/* ICMPv6: type 133, code 0, checksum 0x792e, reserved */
	0x85, 0x00, 0x79, 0x2e, 0x00, 0x00, 0x00, 0x00,
	/* option 1 (source link-layer address), length 1 (8 octets): 02:00:00:00:01:00 */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00
};

/* An RS sent before the host has an address (during DAD, RFC 4862 §5.4): source ::, and so
 * (§4.1) no Source Link-Layer Address option. */
static const uint8_t rs_unspec[] = {
	/* Ethernet: destination 33:33:00:00:00:02, source 02:00:00:00:02:00, IPv6 */
	0x33, 0x33, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x86, 0xdd,
	/* IPv6: version 6; payload length 8; next header 58; hop limit 255 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0xff,
	/* source :: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,
	/* destination ff02::2 */
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02,
	/* ICMPv6: type 133, code 0, checksum 0x7bb8, reserved */
	0x85, 0x00, 0x7b, 0xb8, 0x00, 0x00, 0x00, 0x00
};

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

/* --- helpers --- */

/* The ICMPv6 checksum, written here independently of mag/nd.c. */
static uint16_t icmp6_checksum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg,
                               size_t len)
{
	uint8_t ph[40] = { 0 };
	uint32_t sum = 0;

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[39] = 58;
	for (size_t i = 0; i < sizeof(ph); i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | (i + 1 < len ? msg[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t frame_plen(const struct frame *f)
{
	return (size_t)(f->b[PLEN_OFF] << 8 | f->b[PLEN_OFF + 1]);
}

/* Makes the checksum right again after a change, where the payload length allows. */
static void fix_checksum(struct frame *f)
{
	size_t plen = frame_plen(f);
	uint16_t c;

	if (f->len < ICMP_OFF + 4 || plen < 4 || ICMP_OFF + plen > f->len)
		return;
	f->b[CKSUM_OFF] = f->b[CKSUM_OFF + 1] = 0;
	c = icmp6_checksum(f->b + SRC_OFF, f->b + DST_OFF, f->b + ICMP_OFF, plen);
	f->b[CKSUM_OFF] = (uint8_t)(c >> 8);
	f->b[CKSUM_OFF + 1] = (uint8_t)c;
}

static void frame_from(struct frame *f, const uint8_t *b, size_t len)
{
	ck_assert_uint_le(len, sizeof(f->b));
	memset(f, 0, sizeof(*f));
	memcpy(f->b, b, len);
	f->len = len;
}

/* Appends option bytes to the ICMPv6 message and makes the lengths and checksum agree. */
static void frame_append(struct frame *f, const uint8_t *opt, size_t n)
{
	size_t plen = frame_plen(f) + n;

	ck_assert_uint_le(f->len + n, sizeof(f->b));
	memcpy(f->b + f->len, opt, n);
	f->len += n;
	f->b[PLEN_OFF] = (uint8_t)(plen >> 8);
	f->b[PLEN_OFF + 1] = (uint8_t)plen;
	fix_checksum(f);
}

/* Parses an exact-size heap copy and checks the result is a known code. */
static int parse_exact(const uint8_t *b, size_t len, struct nd_rs *rs)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, b, len);
	rc = nd_parse_rs_frame(len ? copy : NULL, len, rs);
	free(copy);
	ck_assert_int_ge(rc, ND_OK);
	ck_assert_int_lt(rc, ND_E_COUNT);
	return rc;
}

static int parse_frame(const struct frame *f)
{
	struct nd_rs rs;

	return parse_exact(f->b, f->len, &rs);
}

#define ck_assert_rc(f, want)                                                                      \
	do {                                                                                       \
		int rc_ = parse_frame(f);                                                          \
		ck_assert_msg(rc_ == (want), "got %s (%d), want %s", nd_err_name(rc_), rc_,        \
		              nd_err_name(want));                                                  \
	} while (0)

static void addr(struct in6_addr *a, const char *s)
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, a), 1);
}

/* --- golden Router Solicitations --- */

START_TEST(golden_rs_from_link_local_with_sllao)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x00 };
	struct in6_addr want;
	struct nd_rs rs;

	ck_assert_int_eq(parse_exact(rs_ll, sizeof(rs_ll), &rs), ND_OK);
	ck_assert_mem_eq(rs.eth_src, mac, 6);
	addr(&want, "fe80::ff:fe00:100");
	ck_assert(IN6_ARE_ADDR_EQUAL(&rs.src, &want));
	ck_assert(rs.have_sllao);
	ck_assert_mem_eq(rs.sllao, mac, 6);
}
END_TEST

START_TEST(golden_rs_from_unspecified)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x02, 0x00 };
	struct nd_rs rs;

	ck_assert_int_eq(parse_exact(rs_unspec, sizeof(rs_unspec), &rs), ND_OK);
	ck_assert_mem_eq(rs.eth_src, mac, 6);
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&rs.src));
	ck_assert(!rs.have_sllao);
}
END_TEST

START_TEST(golden_checksums_are_right)
{
	/* the hand-written checksums agree with this file's own computation */
	struct frame f;

	frame_from(&f, rs_ll, sizeof(rs_ll));
	fix_checksum(&f);
	ck_assert_mem_eq(f.b, rs_ll, sizeof(rs_ll));
	frame_from(&f, rs_unspec, sizeof(rs_unspec));
	fix_checksum(&f);
	ck_assert_mem_eq(f.b, rs_unspec, sizeof(rs_unspec));
}
END_TEST

START_TEST(ethernet_padding_is_ignored)
{
	struct frame f;

	frame_from(&f, rs_unspec, sizeof(rs_unspec));
	f.len += 4; /* zero octets after the IPv6 payload */
	ck_assert_rc(&f, ND_OK);
}
END_TEST

START_TEST(unknown_options_are_skipped)
{
	static const uint8_t unknown[] = { 200, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
	static const uint8_t second_sllao[] = { 1, 1, 0x02, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
	struct nd_rs rs;
	struct frame f;

	frame_from(&f, rs_ll, sizeof(rs_ll));
	frame_append(&f, unknown, sizeof(unknown));
	frame_append(&f, second_sllao, sizeof(second_sllao));
	ck_assert_int_eq(parse_exact(f.b, f.len, &rs), ND_OK);
	ck_assert(rs.have_sllao);
	ck_assert_uint_eq(rs.sllao[1], 0x00); /* the first one counts, as in Linux */
}
END_TEST

/* --- one test per rejection --- */

START_TEST(reject_short)
{
	struct frame f;

	for (size_t len = 0; len < sizeof(rs_ll); len++) {
		frame_from(&f, rs_ll, len);
		ck_assert_rc(&f, ND_E_SHORT);
	}
	frame_from(&f, rs_ll, sizeof(rs_ll));
	f.b[PLEN_OFF + 1] = 17; /* one octet more than the frame has */
	ck_assert_rc(&f, ND_E_SHORT);
	frame_from(&f, rs_unspec, sizeof(rs_unspec));
	f.b[PLEN_OFF + 1] = 4; /* shorter than an RS */
	ck_assert_rc(&f, ND_E_SHORT);
}
END_TEST

START_TEST(reject_not_rs)
{
	static const struct {
		size_t off;
		uint8_t val;
	} cases[] = {
		{ 12, 0x08 },       /* ethertype 0x08dd */
		{ 13, 0x00 },       /* ethertype 0x8600 */
		{ IP6_OFF, 0x40 },  /* version 4 */
		{ NEXT_OFF, 0 },    /* a hop-by-hop options header first */
		{ NEXT_OFF, 17 },   /* UDP */
		{ ICMP_OFF, 134 },  /* a Router Advertisement */
		{ ICMP_OFF, 135 },  /* a Neighbor Solicitation */
		{ ICMP_OFF + 1, 1 } /* code 1 */
	};
	struct frame f;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		frame_from(&f, rs_ll, sizeof(rs_ll));
		f.b[cases[i].off] = cases[i].val;
		fix_checksum(&f);
		ck_assert_rc(&f, ND_E_NOT_RS);
	}
}
END_TEST

START_TEST(reject_hop_limit)
{
	static const uint8_t hl[] = { 0, 1, 64, 254 };
	struct frame f;

	for (size_t i = 0; i < sizeof(hl); i++) {
		frame_from(&f, rs_ll, sizeof(rs_ll));
		f.b[HLIM_OFF] = hl[i]; /* not in the pseudo-header: the checksum stays right */
		ck_assert_rc(&f, ND_E_HOPLIMIT);
	}
}
END_TEST

START_TEST(reject_checksum)
{
	static const size_t offs[] = { CKSUM_OFF,   CKSUM_OFF + 1, ICMP_OFF + 4,
		                       OPT_OFF + 7, SRC_OFF + 15,  DST_OFF + 15 };
	struct frame f;

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		frame_from(&f, rs_ll, sizeof(rs_ll));
		f.b[offs[i]] ^= 0x10;
		ck_assert_rc(&f, ND_E_CHECKSUM);
	}
}
END_TEST

START_TEST(reject_option)
{
	static const uint8_t zero_len[] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t too_long[] = { 1, 2, 0, 0, 0, 0, 0, 0 }; /* 16 octets, 8 there */
	static const uint8_t sllao_16[] = { 1, 2, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t lone[] = { 200 };
	static const uint8_t *const opts[] = { zero_len, too_long, sllao_16, lone };
	static const size_t lens[] = { sizeof(zero_len), sizeof(too_long), sizeof(sllao_16),
		                       sizeof(lone) };
	struct frame f;

	for (size_t i = 0; i < 4; i++) {
		frame_from(&f, rs_unspec, sizeof(rs_unspec));
		f.b[SRC_OFF] = 0xfe; /* fe80:: as source, so that an SLLAO is allowed */
		f.b[SRC_OFF + 1] = 0x80;
		frame_append(&f, opts[i], lens[i]);
		ck_assert_rc(&f, ND_E_OPTION);
	}
}
END_TEST

START_TEST(reject_sllao_from_unspecified)
{
	static const uint8_t sllao[] = { 1, 1, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00 };
	struct frame f;

	frame_from(&f, rs_unspec, sizeof(rs_unspec));
	frame_append(&f, sllao, sizeof(sllao));
	ck_assert_rc(&f, ND_E_SLLAO);
}
END_TEST

START_TEST(reject_group_source)
{
	struct frame f;

	frame_from(&f, rs_ll, sizeof(rs_ll));
	f.b[6] |= 0x01; /* a group MAC as the frame's source */
	ck_assert_rc(&f, ND_E_SOURCE);
	frame_from(&f, rs_ll, sizeof(rs_ll));
	f.b[SRC_OFF] = 0xff; /* ff80::ff:fe00:100, a multicast source */
	fix_checksum(&f);
	ck_assert_rc(&f, ND_E_SOURCE);
}
END_TEST

START_TEST(error_names)
{
	for (int i = 0; i < ND_E_COUNT; i++) {
		ck_assert_ptr_nonnull(nd_err_name(i));
		ck_assert_str_ne(nd_err_name(i), "unknown");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(nd_err_name(i), nd_err_name(j));
	}
	ck_assert_str_eq(nd_err_name(ND_E_COUNT), "unknown");
	ck_assert_str_eq(nd_err_name(-1), "unknown");
}
END_TEST

/* --- randomised truncation and mutation --- */

static uint64_t rng_state;

static uint32_t rng_next(void)
{
	/* xorshift64*: small, seedable, good enough to pick positions and values */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Where mutations hurt most: lengths, next header, type, the options. */
static size_t pick_offset(size_t len)
{
	static const size_t hot[] = { PLEN_OFF,     PLEN_OFF + 1, NEXT_OFF,    HLIM_OFF,   ICMP_OFF,
		                      ICMP_OFF + 1, OPT_OFF,      OPT_OFF + 1, OPT_OFF + 9 };
	uint32_t r = rng_next();

	if (r % 2 == 0 && len > 0)
		return r / 2 % len;
	return hot[r / 2 % (sizeof(hot) / sizeof(hot[0]))];
}

static void mutate(struct frame *f)
{
	unsigned n = 1 + rng_next() % 4;

	if (rng_next() % 3 == 0) { /* grow with random octets, or cut */
		size_t len = rng_next() % (OPT_OFF + 48);

		for (size_t i = f->len; i < len; i++)
			f->b[i] = (uint8_t)rng_next();
		f->len = len;
	}
	for (unsigned i = 0; i < n; i++) {
		size_t off = pick_offset(f->len);

		if (off < sizeof(f->b))
			f->b[off] = (uint8_t)rng_next();
	}
	if (rng_next() % 2 == 0)
		fix_checksum(f); /* so that the checks after the checksum are reached */
}

/* What an accepted frame must satisfy, whatever it was. */
static void check_accepted(const struct frame *f, const struct nd_rs *rs)
{
	ck_assert_mem_eq(rs->eth_src, f->b + 6, 6);
	ck_assert_mem_eq(&rs->src, f->b + SRC_OFF, 16);
	ck_assert(!(IN6_IS_ADDR_UNSPECIFIED(&rs->src) && rs->have_sllao));
	ck_assert_uint_eq(f->b[HLIM_OFF], 255);
	ck_assert_uint_eq(f->b[ICMP_OFF], 133);
}

/* The seeds: the two golden frames, and the unspecified one with an SLLAO it may not have. */
static void seed_frame(struct frame *f, unsigned which)
{
	static const uint8_t sllao[] = { 1, 1, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00 };

	if (which == 0) {
		frame_from(f, rs_ll, sizeof(rs_ll));
		return;
	}
	frame_from(f, rs_unspec, sizeof(rs_unspec));
	if (which == 2)
		frame_append(f, sllao, sizeof(sllao));
}

START_TEST(random_mutation_stays_in_bounds)
{
	unsigned count[ND_E_COUNT] = { 0 };
	struct nd_rs rs;
	struct frame f;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < MUTATIONS; i++) {
		int rc;

		seed_frame(&f, rng_next() % 3);
		mutate(&f);
		rc = parse_exact(f.b, f.len, &rs);
		count[rc]++;
		if (rc == ND_OK)
			check_accepted(&f, &rs);
	}
	/* the mutations reached every check */
	for (int e = 0; e < ND_E_COUNT; e++)
		ck_assert_msg(count[e] > 0, "no mutation ended in %s", nd_err_name(e));
}
END_TEST

START_TEST(every_payload_length)
{
	struct frame f;

	for (size_t plen = 0; plen < 64; plen++) {
		struct nd_rs rs;

		frame_from(&f, rs_ll, sizeof(rs_ll));
		f.b[PLEN_OFF + 1] = (uint8_t)plen;
		fix_checksum(&f);
		(void)parse_exact(f.b, f.len, &rs);
		if (plen > 16 || plen < 8)
			ck_assert_rc(&f, ND_E_SHORT);
	}
}
END_TEST

/* --- Router Advertisement --- */

/* MTU 1500, router lifetime 1800 s, hop limit 64, two prefixes; the second one's host bits are
 * set, and must not reach the wire. */
static void sample_ra(struct nd_ra *ra)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	memset(ra, 0, sizeof(*ra));
	ra->router_lifetime_s = 1800;
	ra->cur_hop_limit = 64;
	ra->mtu = 1500;
	memcpy(ra->src_mac, mac, 6);
	ra->n_prefix = 2;
	addr(&ra->prefix[0].prefix, "2001:db8:1:1::");
	ra->prefix[0].len = 64;
	ra->prefix[0].valid_s = 86400;
	ra->prefix[0].preferred_s = 14400;
	addr(&ra->prefix[1].prefix, "2001:db8:1:2::5");
	ra->prefix[1].len = 64;
	ra->prefix[1].valid_s = 0xffffffff; /* infinity */
	ra->prefix[1].preferred_s = 3600;
}

static const uint8_t golden_ra[] = {
	/* type 134, code 0, checksum 0 (the kernel's); cur hop limit 64; M 0, O 0, reserved;
	 * router lifetime 1800 */
	0x86, 0x00, 0x00, 0x00, 0x40, 0x00, 0x07, 0x08,
	/* reachable time 0, retrans timer 0: unspecified */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* option 1 (source link-layer address), length 1: 02:00:00:00:00:01 */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* option 5 (MTU), length 1, reserved, 1500 */
	0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc,
	/* option 3 (prefix information), length 4; prefix length 64; L and A; valid 86400;
	 * preferred 14400; reserved2 */
	0x03, 0x04, 0x40, 0xc0, 0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00,
	0x00,
	/*   2001:db8:1:1:: */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,
	/* option 3, length 4; 64; L and A; valid infinity; preferred 3600; reserved2 */
	0x03, 0x04, 0x40, 0xc0, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x00,
	0x00,
	/*   2001:db8:1:2:: (the ::5 cleared) */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_prefix_option(const uint8_t *o, const struct nd_ra_prefix *p)
{
	struct in6_addr masked;

	ck_assert_uint_eq(o[0], 3);
	ck_assert_uint_eq(o[1], 4);
	ck_assert_uint_eq(o[2], p->len);
	ck_assert_uint_eq(o[3], 0xc0); /* L and A, nothing else */
	ck_assert_uint_eq(be32(o + 4), p->valid_s);
	ck_assert_uint_eq(be32(o + 8), p->preferred_s);
	ck_assert_uint_eq(be32(o + 12), 0);
	masked = p->prefix;
	memset(masked.s6_addr + 8, 0, 8); /* the /64s of these tests */
	ck_assert_mem_eq(o + 16, &masked, 16);
}

START_TEST(golden_ra_field_by_field)
{
	uint8_t buf[512];
	struct nd_ra ra;
	ssize_t n;

	sample_ra(&ra);
	n = nd_build_ra(&ra, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)sizeof(golden_ra));
	ck_assert_uint_eq(buf[0], 134);
	ck_assert_uint_eq(buf[1], 0);
	ck_assert_uint_eq(buf[4], 64);
	ck_assert_uint_eq(buf[5], 0);
	ck_assert_uint_eq((unsigned)(buf[6] << 8 | buf[7]), 1800);
	ck_assert_uint_eq(be32(buf + 8), 0);
	ck_assert_uint_eq(be32(buf + 12), 0);
	ck_assert_mem_eq(buf + 16, "\x01\x01", 2);
	ck_assert_mem_eq(buf + 18, ra.src_mac, 6);
	ck_assert_mem_eq(buf + 24, "\x05\x01\x00\x00", 4);
	ck_assert_uint_eq(be32(buf + 28), 1500);
	check_prefix_option(buf + 32, &ra.prefix[0]);
	check_prefix_option(buf + 64, &ra.prefix[1]);
	ck_assert_mem_eq(buf, golden_ra, sizeof(golden_ra));
}
END_TEST

START_TEST(ra_without_mtu_or_prefixes)
{
	uint8_t buf[512];
	struct nd_ra ra;

	sample_ra(&ra);
	ra.mtu = 0;
	ck_assert_int_eq(nd_build_ra(&ra, buf, sizeof(buf)), (ssize_t)sizeof(golden_ra) - 8);
	ck_assert_uint_eq(buf[24], 3); /* the prefixes follow the SLLAO */
	ra.n_prefix = 0;
	ck_assert_int_eq(nd_build_ra(&ra, buf, sizeof(buf)), 24);
	ra.n_prefix = ND_MAX_PREFIXES;
	for (unsigned i = 2; i < ND_MAX_PREFIXES; i++)
		ra.prefix[i] = ra.prefix[0];
	ck_assert_int_eq(nd_build_ra(&ra, buf, sizeof(buf)), 24 + 32 * ND_MAX_PREFIXES);
}
END_TEST

START_TEST(ra_that_does_not_fit)
{
	struct nd_ra ra;

	sample_ra(&ra);
	for (size_t cap = 0; cap < sizeof(golden_ra); cap++) {
		uint8_t *buf = malloc(cap ? cap : 1); /* exact size: an overrun is caught */

		ck_assert_ptr_nonnull(buf);
		errno = 0;
		ck_assert_int_eq(nd_build_ra(&ra, cap ? buf : NULL, cap), -1);
		ck_assert_int_eq(errno, ENOSPC);
		free(buf);
	}
}
END_TEST

START_TEST(ra_invalid)
{
	uint8_t buf[512];
	struct nd_ra ra;

	sample_ra(&ra);
	ra.n_prefix = ND_MAX_PREFIXES + 1;
	ck_assert_int_eq(nd_build_ra(&ra, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	sample_ra(&ra);
	ra.prefix[1].len = 129;
	ck_assert_int_eq(nd_build_ra(&ra, buf, sizeof(buf)), -1);
	sample_ra(&ra);
	ra.prefix[0].preferred_s = ra.prefix[0].valid_s + 1; /* §6.2.1: never sent */
	ck_assert_int_eq(nd_build_ra(&ra, buf, sizeof(buf)), -1);
	ck_assert_int_eq(nd_build_ra(NULL, buf, sizeof(buf)), -1);
}
END_TEST

START_TEST(prefix_bits_after_the_length_are_cleared)
{
	uint8_t buf[512];
	struct nd_ra ra;

	sample_ra(&ra);
	ra.n_prefix = 1;
	memset(&ra.prefix[0].prefix, 0xff, 16);
	ra.prefix[0].len = 61;
	ck_assert_int_eq(nd_build_ra(&ra, buf, sizeof(buf)), 64);
	ck_assert_mem_eq(buf + 48, "\xff\xff\xff\xff\xff\xff\xff\xf8\0\0\0\0\0\0\0\0", 16);
}
END_TEST

/* --- tshark --- */

static char out[1 << 16]; /* static: the tests fork, and a failed assertion frees nothing */

static bool put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, n, 1, f) == 1;
}

/* A classic pcap (magic a1b2c3d4, version 2.4) in the writer's byte order. */
static FILE *pcap_start(const char *path, uint32_t linktype)
{
	uint32_t hdr[6] = { 0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, linktype };
	FILE *f = fopen(path, "wb");

	if (f != NULL && !put(f, hdr, sizeof(hdr))) {
		fclose(f);
		return NULL;
	}
	return f;
}

static bool pcap_record(FILE *f, const uint8_t *p, size_t len)
{
	static uint32_t seconds = 1700000000;
	uint32_t rec[4] = { seconds++, 0, (uint32_t)len, (uint32_t)len };

	return put(f, rec, sizeof(rec)) && put(f, p, len);
}

/* The RA as the kernel sends it: fe80::1 -> ff02::1, hop limit 255, checksum filled in. */
static size_t ra_packet(const uint8_t *ra, size_t len, uint8_t *pkt)
{
	struct in6_addr src, dst;
	uint16_t c;

	addr(&src, "fe80::1");
	addr(&dst, "ff02::1");
	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)(len >> 8);
	pkt[5] = (uint8_t)len;
	pkt[6] = 58;
	pkt[7] = 255;
	memcpy(pkt + 8, &src, 16);
	memcpy(pkt + 24, &dst, 16);
	memcpy(pkt + 40, ra, len);
	c = icmp6_checksum(pkt + 8, pkt + 24, pkt + 40, len);
	pkt[42] = (uint8_t)(c >> 8);
	pkt[43] = (uint8_t)c;
	return 40 + len;
}

static const char *tshark_bin(void)
{
	const char *t = getenv("TSHARK");

	return t && *t ? t : "tshark";
}

/* Runs tshark over path with the fields asked for, its output into out[]. */
static void run_tshark(const char *path, const char *fields)
{
	char cmd[4096];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd),
	         "LC_ALL=C '%s' -n -r '%s' -T fields -E 'separator=|' -E occurrence=a "
	         "-E 'aggregator=;' %s 2>/dev/null",
	         tshark_bin(), path, fields);
	p = popen(cmd, "r");
	ck_assert_msg(p != NULL, "popen: %s", strerror(errno));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	              "cannot run tshark '%s' (%s %d): this cross-check needs it; install it "
	              "(apt-get install tshark) or set TSHARK to its path",
	              tshark_bin(), st != -1 && WIFEXITED(st) ? "exit status" : "wait status",
	              st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : st);
}

/* Splits one output line into its columns; returns how many. */
static size_t split(char *line, char **col, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *bar = strchr(line, '|');

		col[n++] = line;
		if (bar == NULL)
			break;
		*bar = '\0';
		line = bar + 1;
	}
	return n;
}

/* Malformed, or an expert item of severity Warning or above: tshark objects. */
static void check_no_objection(const char *malformed, const char *severities, const char *msg)
{
	char buf[512];
	char *save = NULL;

	ck_assert_msg(malformed[0] == '\0', "tshark: malformed: %s", msg);
	snprintf(buf, sizeof(buf), "%s", severities);
	for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save))
		ck_assert_msg(strtoull(t, NULL, 0) < WS_PI_WARN, "tshark: severity %s: %s", t, msg);
}

/* The columns of ra_fields, in order. */
/* clang-format off */
enum ra_col {
	RA_MALFORMED, RA_SEVERITY, RA_HLIM, RA_SRC, RA_DST, RA_TYPE, RA_CODE, RA_CKSUM,
	RA_HOPS, RA_M, RA_O, RA_LIFETIME, RA_REACH, RA_RETRANS, RA_OPT_TYPE, RA_OPT_LEN,
	RA_LLADDR, RA_MTU, RA_PFX_LEN, RA_PFX_L, RA_PFX_A, RA_PFX_R, RA_PFX_VALID,
	RA_PFX_PREF, RA_PFX, RA_MSG, RA_NCOL
};
/* clang-format on */

static const char ra_fields[] =
        "-e _ws.malformed -e _ws.expert.severity -e ipv6.hlim -e ipv6.src -e ipv6.dst "
        "-e icmpv6.type -e icmpv6.code -e icmpv6.checksum.status -e icmpv6.nd.ra.cur_hop_limit "
        "-e icmpv6.nd.ra.flag.m -e icmpv6.nd.ra.flag.o -e icmpv6.nd.ra.router_lifetime "
        "-e icmpv6.nd.ra.reachable_time -e icmpv6.nd.ra.retrans_timer -e icmpv6.opt.type "
        "-e icmpv6.opt.length -e icmpv6.opt.linkaddr -e icmpv6.opt.mtu "
        "-e icmpv6.opt.prefix.length -e icmpv6.opt.prefix.flag.l -e icmpv6.opt.prefix.flag.a "
        "-e icmpv6.opt.prefix.flag.r -e icmpv6.opt.prefix.valid_lifetime "
        "-e icmpv6.opt.prefix.preferred_lifetime -e icmpv6.opt.prefix -e _ws.expert.message";

static void expect(char **col, enum ra_col c, const char *want)
{
	ck_assert_msg(strcmp(col[c], want) == 0, "tshark column %d is \"%s\", want \"%s\"", c,
	              col[c], want);
}

static void check_ra_columns(char **col)
{
	check_no_objection(col[RA_MALFORMED], col[RA_SEVERITY], col[RA_MSG]);
	expect(col, RA_HLIM, "255");
	expect(col, RA_SRC, "fe80::1");
	expect(col, RA_DST, "ff02::1");
	expect(col, RA_TYPE, "134");
	expect(col, RA_CODE, "0");
	expect(col, RA_CKSUM, "1"); /* good */
	expect(col, RA_HOPS, "64");
	expect(col, RA_M, "0");
	expect(col, RA_O, "0");
	expect(col, RA_LIFETIME, "1800");
	expect(col, RA_REACH, "0");
	expect(col, RA_RETRANS, "0");
	expect(col, RA_OPT_TYPE, "1;5;3;3");
	expect(col, RA_OPT_LEN, "1;1;4;4");
	expect(col, RA_LLADDR, "02:00:00:00:00:01");
	expect(col, RA_MTU, "1500");
	expect(col, RA_PFX_LEN, "64;64");
	expect(col, RA_PFX_L, "1;1");
	expect(col, RA_PFX_A, "1;1");
	expect(col, RA_PFX_R, "0;0");
	expect(col, RA_PFX_VALID, "86400;4294967295");
	expect(col, RA_PFX_PREF, "14400;3600");
	expect(col, RA_PFX, "2001:db8:1:1::;2001:db8:1:2::");
}

/* Writes one pcap into a fresh directory, runs tshark, and removes the directory before
 * asserting on what tshark said, so a failure leaves nothing behind. */
static void tshark_over(uint32_t linktype, const uint8_t *const *pk, const size_t *len, size_t n,
                        const char *fields)
{
	char dir[] = "/tmp/test_nd.XXXXXX", path[64];
	bool ok;
	FILE *f;

	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/nd.pcap", dir);
	f = pcap_start(path, linktype);
	ok = f != NULL;
	for (size_t i = 0; ok && i < n; i++)
		ok = pcap_record(f, pk[i], len[i]);
	ok = f != NULL && fclose(f) == 0 && ok;
	if (ok)
		run_tshark(path, fields);
	unlink(path);
	rmdir(dir);
	ck_assert_msg(ok, "cannot write %s", path);
}

START_TEST(tshark_reads_the_ra)
{
	uint8_t ra[512], pkt[600];
	const uint8_t *pk[1] = { pkt };
	size_t len[1];
	char *col[RA_NCOL + 1], *nl;
	struct nd_ra r;
	ssize_t n;

	sample_ra(&r);
	n = nd_build_ra(&r, ra, sizeof(ra));
	ck_assert_int_gt(n, 0);
	len[0] = ra_packet(ra, (size_t)n, pkt);
	tshark_over(LINK_RAW, pk, len, 1, ra_fields);
	nl = strchr(out, '\n');
	ck_assert_msg(nl != NULL && nl[1] == '\0', "tshark printed not one line: %s", out);
	*nl = '\0';
	ck_assert_uint_eq(split(out, col, RA_NCOL + 1), RA_NCOL);
	check_ra_columns(col);
}
END_TEST

/* The hand-written frames as tshark reads them: good checksums, the same addresses. */
START_TEST(tshark_reads_the_golden_rs)
{
	const uint8_t *pk[2] = { rs_ll, rs_unspec };
	const size_t len[2] = { sizeof(rs_ll), sizeof(rs_unspec) };
	const char *want[2][6] = {
		{ "02:00:00:00:01:00", "fe80::ff:fe00:100", "255", "133", "1",
		  "02:00:00:00:01:00" },
		{ "02:00:00:00:02:00", "::", "255", "133", "1", "" },
	};
	char *line = out, *col[10];

	tshark_over(LINK_ETHER, pk, len, 2,
	            "-e eth.src -e ipv6.src -e ipv6.hlim -e icmpv6.type -e icmpv6.checksum.status "
	            "-e icmpv6.opt.linkaddr -e _ws.malformed -e _ws.expert.severity "
	            "-e _ws.expert.message");
	for (int i = 0; i < 2; i++) {
		char *nl = strchr(line, '\n');

		ck_assert_msg(nl != NULL, "tshark printed %d lines, want 2: %s", i, out);
		*nl = '\0';
		ck_assert_uint_eq(split(line, col, 10), 9);
		for (int c = 0; c < 6; c++)
			ck_assert_msg(strcmp(col[c], want[i][c]) == 0,
			              "frame %d column %d: \"%s\", want \"%s\"", i + 1, c, col[c],
			              want[i][c]);
		check_no_objection(col[6], col[7], col[8]);
		line = nl + 1;
	}
}
END_TEST

static Suite *nd_suite(void)
{
	Suite *s = suite_create("nd");
	TCase *rs = tcase_create("rs"), *mut = tcase_create("mutation");
	TCase *ra = tcase_create("ra"), *ts = tcase_create("tshark");

	tcase_add_test(rs, golden_rs_from_link_local_with_sllao);
	tcase_add_test(rs, golden_rs_from_unspecified);
	tcase_add_test(rs, golden_checksums_are_right);
	tcase_add_test(rs, ethernet_padding_is_ignored);
	tcase_add_test(rs, unknown_options_are_skipped);
	tcase_add_test(rs, reject_short);
	tcase_add_test(rs, reject_not_rs);
	tcase_add_test(rs, reject_hop_limit);
	tcase_add_test(rs, reject_checksum);
	tcase_add_test(rs, reject_option);
	tcase_add_test(rs, reject_sllao_from_unspecified);
	tcase_add_test(rs, reject_group_source);
	tcase_add_test(rs, error_names);
	tcase_add_test(mut, random_mutation_stays_in_bounds);
	tcase_add_test(mut, every_payload_length);
	tcase_add_test(ra, golden_ra_field_by_field);
	tcase_add_test(ra, ra_without_mtu_or_prefixes);
	tcase_add_test(ra, ra_that_does_not_fit);
	tcase_add_test(ra, ra_invalid);
	tcase_add_test(ra, prefix_bits_after_the_length_are_cleared);
	tcase_add_test(ts, tshark_reads_the_ra);
	tcase_add_test(ts, tshark_reads_the_golden_rs);
	tcase_set_timeout(ts, 60);
	suite_add_tcase(s, rs);
	suite_add_tcase(s, mut);
	suite_add_tcase(s, ra);
	suite_add_tcase(s, ts);
	return s;
}

CHECK_MAIN(nd_suite)
