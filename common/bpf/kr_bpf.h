/* kr_bpf.h: what the eBPF tunnel driver's programs (kr_encap.bpf.c, kr_decap.bpf.c) and their
 * loader (common/kr_ebpf.c) share: the slots of the counter map. Included by both the BPF and
 * the user-space build, so it holds plain constants only. */
#ifndef COMMON_BPF_KR_BPF_H
#define COMMON_BPF_KR_BPF_H

enum kr_bpf_stat {
	KR_BPF_ENCAP,        /* packets encapsulated (RFC 2473 §3) */
	KR_BPF_ENCAP_ERR,    /* not IPv6 inside, or the kernel refused the push: dropped */
	KR_BPF_DECAP,        /* packets decapsulated (RFC 2473 §3.2) */
	KR_BPF_UNKNOWN_PEER, /* tunnelled to us from an address that is no peer: dropped */
	KR_BPF_DECAP_ERR,    /* malformed inside, or the kernel refused to strip: dropped */
	KR_BPF_NSTATS
};

#define KR_BPF_MAX_PEERS 4096 /* KR_MAX_TUNNELS */
#define KR_BPF_HOP_LIMIT 64   /* of the outer header (RFC 2473 §6.3: the tunnel's own) */

#endif
