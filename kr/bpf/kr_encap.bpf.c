/* SPDX-License-Identifier: GPL-2.0-or-later (the licence of the whole project, LICENSE) */
/* kr_encap.bpf.c: the eBPF tunnel driver's encapsulation, an lwt "xmit" program on the nexthop
 * of one peer: it pushes a plain 40-octet IPv6 header (RFC 2473 §3.1, §6: next header 41, no
 * extension header; RFC 5213 §5.6.1 / §6.10 use this format) from our address to the peer's.
 * When the peer is on-link on the uplink, the nexthop has it as its gateway and the outer packet
 * goes on to the peer's neighbour entry at once; otherwise the kernel routes the outer packet
 * again (BPF_LWT_REROUTE, one more route lookup and output path a packet). One instance is loaded
 * per peer with its two addresses and that choice as read-only data (kr/kr_ebpf.c); the outer
 * flow label is a hash of the inner flow, or a binding tag for a packet whose mark has one. */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "kr_bpf_common.h"

/* Set by the loader before load; read only through these volatile names (a cast that drops the
 * volatile lets clang fold the zero initialiser: every header would go to ::). */
const volatile __u32 kr_src[4] = { 0 };
const volatile __u32 kr_dst[4] = { 0 };
const volatile __u32 kr_reroute = 1; /* 0: the nexthop's gateway is the peer */

/* RFC 6438: a flow label from the inner flow, so that ECMP inside the tunnel keeps each flow
 * on one path; its top bit clear. A packet whose mark is a binding tag's (kr_encap_tags) has
 * the top bit and the tag instead: the MAG delivers it on that binding's interface. */
static __always_inline __u32 kr_outer_label(struct __sk_buff *skb)
{
	__u32 mark = skb->mark, hash = skb->hash; /* hash: computed already for most packets */
	__u32 *tag = mark != 0 ? bpf_map_lookup_elem(&kr_encap_tags, &mark) : 0;

	if (tag != 0) {
		kr_count(KR_BPF_ENCAP_TAGGED);
		return KR_BPF_TAG_FLAG | (*tag & KR_BPF_TAG_MASK);
	}
	if (hash == 0)
		hash = bpf_get_hash_recalc(skb);
	return hash & KR_BPF_TAG_MASK;
}

/* RFC 2473 §6.4: the outer traffic class is the inner one. */
static __always_inline __be32 kr_outer_vtcfl(struct __sk_buff *skb, __be32 inner)
{
	__u32 tc = (bpf_ntohl(inner) >> 20) & 0xff;

	return bpf_htonl((6u << 28) | (tc << 20) | kr_outer_label(skb));
}

SEC("lwt_xmit")
int kr_encap(struct __sk_buff *skb)
{
	struct kr_ip6 h = { 0 };
	__be32 inner;

	if (skb->len > 0xffff || bpf_skb_load_bytes(skb, 0, &inner, sizeof(inner)) < 0 ||
	    (bpf_ntohl(inner) >> 28) != 6)
		goto drop;
	h.vtcfl = kr_outer_vtcfl(skb, inner);
	h.plen = bpf_htons((__u16)skb->len);
	h.nxt = IPPROTO_IPV6;
	h.hlim = KR_BPF_HOP_LIMIT;
	for (int i = 0; i < 4; i++) {
		h.src[i] = kr_src[i];
		h.dst[i] = kr_dst[i];
	}
	if (bpf_lwt_push_encap(skb, BPF_LWT_ENCAP_IP, &h, sizeof(h)) < 0)
		goto drop;
	kr_count(KR_BPF_ENCAP);
	return kr_reroute ? BPF_LWT_REROUTE : BPF_OK;
drop:
	kr_count(KR_BPF_ENCAP_ERR);
	return BPF_DROP;
}

char LICENSE[] SEC("license") = "GPL";
