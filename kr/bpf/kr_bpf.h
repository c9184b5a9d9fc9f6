/* kr_bpf.h: what the eBPF tunnel driver's programs (kr_encap.bpf.c, kr_decap.bpf.c) and their
 * loader (kr/kr_ebpf.c) share: the slots of the counter map. Included by both the BPF and
 * the user-space build, so it holds plain constants only. */
#ifndef KR_BPF_KR_BPF_H
#define KR_BPF_KR_BPF_H

enum kr_bpf_stat {
	KR_BPF_ENCAP,        /* packets encapsulated (RFC 2473 §3) */
	KR_BPF_ENCAP_ERR,    /* not IPv6 inside, or the kernel refused the push: dropped */
	KR_BPF_DECAP,        /* packets decapsulated (RFC 2473 §3.2) */
	KR_BPF_UNKNOWN_PEER, /* tunnelled to us from an address that is no peer: dropped */
	KR_BPF_DECAP_ERR,    /* malformed inside, or the kernel refused to strip: dropped */
	KR_BPF_ENCAP_TAGGED, /* of the encapsulated: a binding tag in the outer flow label */
	KR_BPF_DECAP_TAGGED, /* of the decapsulated: a tag of ours, turned into its mark */
	KR_BPF_NSTATS
};

#define KR_BPF_MAX_PEERS 4096 /* KR_MAX_TUNNELS */
#define KR_BPF_HOP_LIMIT 64   /* of the outer header (RFC 2473 §6.3: the tunnel's own) */
/* The outer flow label (common/bindtag.h): the top bit says the 19 below are a binding tag;
 * without it they are a hash of the inner flow (RFC 6438). */
#define KR_BPF_TAG_FLAG  0x80000
#define KR_BPF_TAG_MASK  0x7ffff
#define KR_BPF_MAX_TAGS  4096 /* KR_MAX_TAGS */

#endif
