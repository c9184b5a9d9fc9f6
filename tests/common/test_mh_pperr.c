/* test_mh_pperr.c: the ICMPv6 Parameter Problem for a malformed Mobility Header header
 * (common/mh_pperr.c). The messages are written here octet by octet from the RFC figures (RFC
 * 6275 §6.1.1 for the Mobility Header, RFC 4443 §3.4 for the Parameter Problem, RFC 8200 §3 for
 * the IPv6 header in front of the invoking packet), not made by our codec. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/mh_pperr.h"
#include "proto/mh.h"
#include "tests/check_main.h"

/* A Binding Update (type 5) of 16 octets: Payload Proto, Header Len 1, MH Type 5, Reserved,
 * Checksum, then Sequence 1, flags A|P, lifetime 150 (4 s units), PadN of 4. */
static const uint8_t bu_ok[16] = { 59, 1, 5, 0, 0, 0, 0, 1, 0x82, 0, 0, 150, 1, 2, 0, 0 };

static void arrival(struct mh_arrival *a)
{
	memset(a, 0, sizeof(*a));
	inet_pton(AF_INET6, "2001:db8:ffff::1", &a->src);
	inet_pton(AF_INET6, "2001:db8:ffff::100", &a->dst);
	a->hop_limit = 64;
	a->tclass = 0xb8;
	a->flow_label = 0x12345;
}

START_TEST(which_field_is_at_fault)
{
	uint8_t m[16];
	size_t off = 99;

	ck_assert_int_eq(mh_check_header(bu_ok, sizeof(bu_ok), &off), MH_OK);
	memcpy(m, bu_ok, sizeof(m));
	m[0] = 6; /* Payload Proto TCP */
	ck_assert_int_eq(mh_check_header(m, sizeof(m), &off), MH_E_PROTO);
	ck_assert_uint_eq(off, 0);
	/* Header Len 0: 8 octets, under a Binding Update's 12 (header and fixed part) */
	m[0] = 59;
	m[1] = 0;
	ck_assert_int_eq(mh_check_header(m, 8, &off), MH_E_MSGLEN);
	ck_assert_uint_eq(off, 1);
	/* Header Len beyond what arrived: truncated, no error to report at a field */
	m[1] = 3;
	ck_assert_int_eq(mh_check_header(m, sizeof(m), &off), MH_E_HDRLEN);
}
END_TEST

START_TEST(the_error_as_rfc_4443_draws_it)
{
	struct mh_arrival a;
	uint8_t m[16], out[MH_PPERR_MAX];
	size_t n;

	arrival(&a);
	memcpy(m, bu_ok, sizeof(m));
	m[0] = 6;
	n = mh_pperr_build(out, &a, m, sizeof(m), 0);
	ck_assert_uint_eq(n, 8 + 40 + 16);
	ck_assert_uint_eq(out[0], 4); /* Type: Parameter Problem */
	ck_assert_uint_eq(out[1], 0); /* Code 0: erroneous header field encountered */
	ck_assert_uint_eq(out[2] | out[3], 0); /* Checksum: the kernel's */
	ck_assert_mem_eq(out + 4, "\x00\x00\x00\x28", 4); /* Pointer 40: Payload Proto */
	/* the invoking packet: version 6, traffic class 0xb8, flow label 0x12345 */
	ck_assert_mem_eq(out + 8, "\x6b\x81\x23\x45", 4);
	ck_assert_mem_eq(out + 12, "\x00\x10\x87\x40", 4); /* length 16, next header 135, hlim 64 */
	ck_assert_mem_eq(out + 16, &a.src, 16);
	ck_assert_mem_eq(out + 32, &a.dst, 16);
	ck_assert_mem_eq(out + 48, m, 16);
	n = mh_pperr_build(out, &a, m, 8, 1);
	ck_assert_mem_eq(out + 4, "\x00\x00\x00\x29", 4); /* Pointer 41: Header Len */
}
END_TEST

START_TEST(as_much_as_fits_in_the_minimum_mtu)
{
	static uint8_t big[2048];
	struct mh_arrival a;
	uint8_t out[MH_PPERR_MAX];

	arrival(&a);
	ck_assert_uint_eq(mh_pperr_build(out, &a, big, sizeof(big), 0), 1280 - 40);
}
END_TEST

/* A sender whose socket is a UDP one that cannot send there (port 0): what counts is what it
 * tries to send, sent or not. */
static void udp_sender(struct mh_pperr *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = socket(AF_INET6, SOCK_DGRAM, 0);
	ck_assert_int_ge(p->fd, 0);
}

/* A message as recvmsg() returns it, from `from`, with a Destination Options header reported
 * in its ancillary data when dstopts. */
struct received {
	struct sockaddr_in6 from;
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(8)];
	} ctl;
	struct msghdr m;
};

static struct msghdr *received(struct received *r, const char *from, bool dstopts)
{
	struct cmsghdr *c;

	memset(r, 0, sizeof(*r));
	r->from.sin6_family = AF_INET6;
	inet_pton(AF_INET6, from, &r->from.sin6_addr);
	r->m.msg_name = &r->from;
	r->m.msg_namelen = sizeof(r->from);
	if (!dstopts)
		return &r->m;
	r->m.msg_control = r->ctl.buf;
	r->m.msg_controllen = sizeof(r->ctl.buf);
	c = CMSG_FIRSTHDR(&r->m);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_DSTOPTS;
	c->cmsg_len = CMSG_LEN(8); /* an empty option header: next header, length 0, PadN */
	memcpy(CMSG_DATA(c), "\x87\x00\x01\x04\x00\x00\x00\x00", 8);
	return &r->m;
}

START_TEST(only_what_deserves_it_and_at_the_rate)
{
	const struct rl_rate rate = { .per_s = 10, .burst = 10 };
	struct in6_addr local;
	struct received r;
	struct mh_pperr p;
	uint8_t m[16];

	udp_sender(&p);
	inet_pton(AF_INET6, "2001:db8:ffff::100", &local);
	mh_pperr_input(&p, &rate, received(&r, "::1", false), &local, bu_ok, sizeof(bu_ok), 0);
	ck_assert_uint_eq(p.sent + p.limited + p.unsent, 0); /* a good one */
	memcpy(m, bu_ok, sizeof(m));
	m[0] = 6;
	for (int i = 0; i < 25; i++)
		mh_pperr_input(&p, &rate, received(&r, "::1", false), &local, m, sizeof(m), 1000);
	ck_assert_uint_eq(p.sent + p.unsent, 10);
	ck_assert_uint_eq(p.limited, 15);
	mh_pperr_input(&p, &rate, received(&r, "::1", true), &local, m, sizeof(m), 2000000000ull);
	ck_assert_uint_eq(p.sent + p.unsent, 11); /* the pointer could not be right: unsent */
	mh_pperr_input(&p, &rate, received(&r, "ff02::1", false), &local, m, sizeof(m),
	               3000000000ull);
	ck_assert_uint_eq(p.sent + p.unsent + p.limited, 26); /* nothing to a multicast source */
	mh_pperr_close(&p);
}
END_TEST

/* What the socket reports with a message is what the rebuilt header carries. */
START_TEST(the_arrival_from_the_ancillary_data)
{
	union {
		struct cmsghdr align;
		uint8_t buf[3 * CMSG_SPACE(sizeof(int))];
	} ctl;
	const int values[3] = { 7, 0x2e, 0 };
	const int types[3] = { IPV6_HOPLIMIT, IPV6_TCLASS, 11 /* IPV6_FLOWINFO */ };
	uint32_t flowinfo = htonl(0xb812345);
	struct received r;
	struct msghdr *m = received(&r, "2001:db8::9", false);
	struct in6_addr local;
	struct mh_arrival a;
	struct cmsghdr *c;
	int k = 0;

	memset(&ctl, 0, sizeof(ctl));
	m->msg_control = ctl.buf;
	m->msg_controllen = sizeof(ctl.buf);
	for (c = CMSG_FIRSTHDR(m); c && k < 3; c = CMSG_NXTHDR(m, c), k++) {
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = types[k];
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), k == 2 ? (const void *)&flowinfo : (const void *)&values[k],
		       sizeof(int));
	}
	inet_pton(AF_INET6, "2001:db8:ffff::100", &local);
	mh_arrival_read(m, &local, &a);
	ck_assert_uint_eq(a.hop_limit, 7);
	ck_assert_uint_eq(a.tclass, 0x2e);
	ck_assert_uint_eq(a.flow_label, 0x12345); /* the traffic class bits above it dropped */
	ck_assert(!a.ext_headers);
	ck_assert_mem_eq(&a.src, &r.from.sin6_addr, 16);
	ck_assert_mem_eq(&a.dst, &local, 16);
	m->msg_flags = MSG_CTRUNC; /* a control message dropped: it may have been a header's */
	mh_arrival_read(m, &local, &a);
	ck_assert(a.ext_headers);
}
END_TEST

static Suite *pperr_suite(void)
{
	Suite *s = suite_create("mh_pperr");
	TCase *tc = tcase_create("parameter_problem");

	tcase_add_test(tc, which_field_is_at_fault);
	tcase_add_test(tc, the_error_as_rfc_4443_draws_it);
	tcase_add_test(tc, as_much_as_fits_in_the_minimum_mtu);
	tcase_add_test(tc, only_what_deserves_it_and_at_the_rate);
	tcase_add_test(tc, the_arrival_from_the_ancillary_data);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pperr_suite)
