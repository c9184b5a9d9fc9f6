/* SPDX-License-Identifier: GPL-2.0-or-later (the licence of the whole project, LICENSE) */
/* kr_decap.bpf.c: the eBPF tunnel driver's decapsulation, a tc ingress direct-action program on
 * the uplink: an IPv6-in-IPv6 packet (RFC 2473 §3.2; next header 41, or an 8-octet Destination
 * Options header holding the Tunnel Encapsulation Limit option of RFC 2473 §5.1 that an ip6tnl
 * peer adds by default) addressed to our tunnel address from a known peer loses its outer
 * header(s) and goes on up the stack as if it had arrived so; from any other source it is
 * dropped and counted (RFC 5213 §5.6.1 / §6.10: a tunnel exists only between an LMA and a MAG
 * that signalled). Everything else passes untouched. On a bridge whose frames pass ip6tables
 * (br_netfilter), the outer packet already has a conntrack entry when tc sees it, and the inner
 * one would carry it on: there the inner packet is re-injected, which gives it a fresh start.
 * An outer flow label carrying one of our binding tags (kr_decap_tags) gives the inner packet
 * that tag's mark (doc/datapath.md, "Two bindings behind one MAG"). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "kr_bpf_common.h"

#define KR_DSTOPT_LEN 8 /* the only Destination Options header we accept: one 8-octet unit */
#define KR_OPT_TEL    4 /* Tunnel Encapsulation Limit, RFC 2473 §5.1 */

/* Set by the loader: our tunnel address, the link-layer header length (14 on Ethernet), and
 * whether to re-inject the inner packet rather than let it go on. */
const volatile __u32 kr_local[4] = { 0 };
const volatile __u32 kr_l2len = ETH_HLEN;
const volatile __u32 kr_reinject = 0;

/* Peers allowed to tunnel to us, filled by the loader as tunnels come and go. */
struct kr_addr {
	__u32 a[4];
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KR_BPF_MAX_PEERS);
	__type(key, struct kr_addr);
	__type(value, __u32); /* the tunnel id */
} kr_peers SEC(".maps");

/* The MAG's binding tags: a packet whose outer flow label has the top bit and one of these
 * tags below gets its mark, whose rule routes it to one interface of an MN. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KR_BPF_MAX_TAGS);
	__type(key, __u32);   /* a tag */
	__type(value, __u32); /* a mark */
} kr_decap_tags SEC(".maps");

/* An unknown tag (someone else's label with the top bit, say) leaves the packet as it was. */
static __always_inline void kr_tag_mark(struct __sk_buff *skb, const struct kr_ip6 *ip)
{
	__u32 label = bpf_ntohl(ip->vtcfl) & 0xfffff, tag = label & KR_BPF_TAG_MASK;
	__u32 *mark;

	if (!(label & KR_BPF_TAG_FLAG) || (mark = bpf_map_lookup_elem(&kr_decap_tags, &tag)) == 0)
		return;
	skb->mark = *mark;
	kr_count(KR_BPF_DECAP_TAGGED);
}

static __always_inline int kr_to_us(const struct kr_ip6 *ip)
{
	for (int i = 0; i < 4; i++)
		if (ip->dst[i] != kr_local[i])
			return 0;
	return 1;
}

/* The octets of outer header(s) before the inner packet, 0 when this is no tunnel packet. */
static __always_inline int kr_outer_len(struct __sk_buff *skb, __u32 off, const struct kr_ip6 *ip)
{
	__u8 opt[4];

	if (ip->nxt == IPPROTO_IPV6)
		return sizeof(*ip);
	if (ip->nxt != IPPROTO_DSTOPTS ||
	    bpf_skb_load_bytes(skb, off + sizeof(*ip), opt, sizeof(opt)) < 0)
		return 0;
	/* next header 41, length 0 (8 octets), first option the encapsulation limit */
	if (opt[0] != IPPROTO_IPV6 || opt[1] != 0 || opt[2] != KR_OPT_TEL || opt[3] != 1)
		return 0;
	return sizeof(*ip) + KR_DSTOPT_LEN;
}

static __always_inline int kr_inner_ok(struct __sk_buff *skb, __u32 off)
{
	__u8 v;

	return bpf_skb_load_bytes(skb, off, &v, 1) == 0 && (v >> 4) == 6;
}

SEC("tc")
int kr_decap(struct __sk_buff *skb)
{
	__u32 off = kr_l2len;
	struct kr_ip6 ip;
	struct kr_addr peer;
	int len;

	if (skb->protocol != bpf_htons(ETH_P_IPV6) ||
	    bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) < 0 || !kr_to_us(&ip))
		return TC_ACT_OK;
	len = kr_outer_len(skb, off, &ip);
	if (len == 0)
		return TC_ACT_OK;
	__builtin_memcpy(peer.a, ip.src, sizeof(peer.a));
	if (bpf_map_lookup_elem(&kr_peers, &peer) == 0) {
		kr_count(KR_BPF_UNKNOWN_PEER);
		return TC_ACT_SHOT;
	}
	if (!kr_inner_ok(skb, off + len) || bpf_skb_adjust_room(skb, -len, BPF_ADJ_ROOM_MAC, 0) < 0) {
		kr_count(KR_BPF_DECAP_ERR);
		return TC_ACT_SHOT;
	}
	kr_count(KR_BPF_DECAP);
	kr_tag_mark(skb, &ip);
	if (kr_reinject)
		return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
