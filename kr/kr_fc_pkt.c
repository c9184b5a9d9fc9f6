/* kr_fc_pkt.c: the conntrack tuple of a queued packet, read from its headers: the connection kr
 * makes for a new flow (seg6 driver, kr.h) must carry the tuple conntrack will look up for the
 * flow's next packets. The kernel could send its own entry along (NFQA_CT), but not without
 * CONFIG_NETFILTER_NETLINK_GLUE_CT, which the project's kernel lacks. So: the IPv6 header, the
 * extension headers conntrack skips (RFC 8200 §4), then TCP, UDP or UDP-Lite ports, or an ICMPv6
 * echo request's identifier (RFC 4443 §4.1). The packet is untrusted and cut at copy_range:
 * every read is bounded, and anything unexpected means "no tuple". */
#include <string.h>

#include "kr/kr_fc.h"

#define KR_FC_IP6_HLEN    40
#define KR_FC_EXTHDRS_MAX 16 /* a longer chain is nobody's real traffic */
#define KR_FC_TCP_RST     0x04

/* One extension header at off: its next header and length, or -1. */
static int kr_fc_pkt_exthdr(const uint8_t *pkt, size_t len, size_t off, uint8_t type, uint8_t *next,
                            size_t *hlen)
{
	if (len - off < 8)
		return -1;
	*next = pkt[off];
	switch (type) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
		*hlen = ((size_t)pkt[off + 1] + 1) * 8;
		return 0;
	case IPPROTO_FRAGMENT: /* a later fragment has no ports */
		*hlen = 8;
		return (pkt[off + 2] << 8 | pkt[off + 3]) & 0xfff8 ? -1 : 0;
	case IPPROTO_AH:
		*hlen = ((size_t)pkt[off + 1] + 2) * 4;
		return 0;
	default:
		return -1;
	}
}

static bool kr_fc_pkt_is_exthdr(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

/* The upper-layer header at off: ports, or the echo identifier as both. */
static int kr_fc_pkt_l4(const uint8_t *p, size_t left, struct kr_fc_tuple *t, bool *rst)
{
	*rst = false;
	switch (t->proto) {
	case IPPROTO_TCP:
		if (left >= 14)
			*rst = (p[13] & KR_FC_TCP_RST) != 0;
		/* fall through */
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (left < 4)
			return -1;
		t->sport = (uint16_t)(p[0] << 8 | p[1]);
		t->dport = (uint16_t)(p[2] << 8 | p[3]);
		return 0;
	case IPPROTO_ICMPV6:
		if (left < 6 || p[0] != 128 || p[1] != 0)
			return -1;
		t->sport = t->dport = (uint16_t)(p[4] << 8 | p[5]);
		return 0;
	default:
		return -1;
	}
}

int kr_fc_pkt_tuple(const uint8_t *pkt, size_t len, struct kr_fc_tuple *t, bool *rst)
{
	size_t off = KR_FC_IP6_HLEN, hlen;
	uint8_t nh, next;

	memset(t, 0, sizeof(*t));
	if (pkt == NULL || len < KR_FC_IP6_HLEN || (pkt[0] >> 4) != 6)
		return -1;
	memcpy(&t->src, pkt + 8, sizeof(t->src));
	memcpy(&t->dst, pkt + 24, sizeof(t->dst));
	nh = pkt[6];
	for (int i = 0; kr_fc_pkt_is_exthdr(nh); i++) {
		if (i == KR_FC_EXTHDRS_MAX ||
		    kr_fc_pkt_exthdr(pkt, len, off, nh, &next, &hlen) == -1 || hlen > len - off)
			return -1;
		off += hlen;
		nh = next;
	}
	t->proto = nh;
	return kr_fc_pkt_l4(pkt + off, len - off, t, rst);
}
