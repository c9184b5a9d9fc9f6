/* kr_bpf_common.h: the BPF side's shared declarations: the per-CPU counter map both programs
 * count in (the loader makes one and hands it to every program) and its increment, the map of
 * the LMA's binding tags (shared the same way). */
#ifndef KR_BPF_KR_BPF_COMMON_H
#define KR_BPF_KR_BPF_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "kr_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KR_BPF_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} kr_stats SEC(".maps");

/* The LMA's binding tags: a packet whose mark is a key leaves with its value, a tag, in the
 * outer flow label. Used by the encapsulation programs only, declared here so that the one
 * the loader makes first (with the decapsulation program) is handed to every one of them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KR_BPF_MAX_TAGS);
	__type(key, __u32);   /* a mark */
	__type(value, __u32); /* a tag */
} kr_encap_tags SEC(".maps");

static __always_inline void kr_count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&kr_stats, &slot);

	if (v != 0)
		*v += 1;
}

/* The first 40 octets of an IPv6 packet, without the kernel's bit fields. */
struct kr_ip6 {
	__be32 vtcfl; /* version 4 bits, traffic class 8, flow label 20 */
	__be16 plen;
	__u8 nxt;
	__u8 hlim;
	__u32 src[4];
	__u32 dst[4];
};

#endif
