/* fc.c: the LMA's flow classifier (draft-bernardos-mif-pmip-02 §5.3, see fc.h). §5.3.1: a flow
 * is identified by its 6-tuple, taken here from the packet NFQUEUE hands over (RFC 8200 §4 for
 * the extension header chain); §5.3.2: an ordered list of policies routes each new flow to one
 * of the MN's bindings. The flow table is two hash maps (common/hmap.h), by tuple for the packet
 * path and by id for pmipctl, plus a list for iteration, so that a lookup stays O(1) with
 * hundreds of thousands of flows. No system calls: lmad owns the queue and the marks. */
#include <errno.h>
#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/hmap.h"
#include "lma/fc.h"
#include "proto/wire.h"

#define IP6_HDR_LEN      40
#define IP6_VERSION      6
#define FLOW_LABEL_MAX   0xfffffu
#define FRAG_OFFSET_MASK 0xfff8u /* of the fragment header's third and fourth octets */
#define FLOW_BUCKETS     1024    /* initial: the maps double as they fill */
#define TUPLE_KEY_LEN    41      /* src, dst, sport, dport, flow label, proto */

struct policy_node {
	TAILQ_ENTRY(policy_node) entry;
	struct fc_policy p;
};

struct flow_node {
	struct fc_flow f;
	struct hnode by_tuple, by_id;
	TAILQ_ENTRY(flow_node) entry;
};

struct fc {
	TAILQ_HEAD(, policy_node) policies;
	size_t n_policies;
	uint32_t next_policy_id;
	struct hmap by_tuple, by_id;
	TAILQ_HEAD(, flow_node) flows;
	uint32_t next_flow_id;
	bool flow_ids_wrapped; /* from then on a new id is checked against those in use */
};

/* --- packets --- */

static const char *const parse_errors[] = {
	[FC_OK] = "ok",
	[FC_E_SHORT] = "packet cut short of its headers",
	[FC_E_VERSION] = "not IPv6",
	[FC_E_EXTHDR] = "bad extension header chain or non-first fragment",
	[FC_E_LENGTH] = "more bytes than the payload length",
};

const char *fc_parse_strerror(int err)
{
	if (err < 0 || (size_t)err >= sizeof(parse_errors) / sizeof(parse_errors[0]))
		return "unknown error";
	return parse_errors[err];
}

/* The fixed header; returns the next header, or -1 if the version is not 6. */
static int parse_fixed(struct wire *w, struct fc_tuple *t, size_t *plen)
{
	uint32_t vtf = wire_get_u32(w);
	uint8_t nh;

	*plen = wire_get_u16(w);
	nh = wire_get_u8(w);
	wire_skip(w, 1); /* hop limit */
	wire_get_bytes(w, &t->src, sizeof(t->src));
	wire_get_bytes(w, &t->dst, sizeof(t->dst));
	if (vtf >> 28 != IP6_VERSION)
		return -1;
	t->tclass = (uint8_t)(vtf >> 20);
	t->flow_label = vtf & FLOW_LABEL_MAX;
	return nh;
}

/* Hop-by-hop, routing, destination options: Next Header, Hdr Ext Len in 8-octet units beyond
 * the first eight. */
static uint8_t skip_options(struct wire *w)
{
	uint8_t nh = wire_get_u8(w);

	wire_skip(w, 6u + 8u * wire_get_u8(w));
	return nh;
}

/* The fragment header: only the first fragment (offset 0) carries the upper-layer header. */
static void parse_fragment(struct wire *w, uint8_t *nh, bool *later)
{
	uint16_t off;

	*nh = wire_get_u8(w);
	wire_skip(w, 1);
	off = wire_get_u16(w);
	wire_skip(w, 4); /* identification */
	*later = (off & FRAG_OFFSET_MASK) != 0;
}

static int parse_ports(struct wire *w, struct fc_tuple *t)
{
	uint8_t type;

	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
		t->sport = wire_get_u16(w);
		t->dport = wire_get_u16(w);
		break;
	case IPPROTO_ICMPV6:
		type = wire_get_u8(w);
		wire_skip(w, 3); /* code, checksum */
		if (type == ICMP6_ECHO_REQUEST || type == ICMP6_ECHO_REPLY)
			t->sport = t->dport = wire_get_u16(w); /* the identifier */
		break;
	default:
		return FC_OK;
	}
	if (w->err) {
		t->sport = t->dport = 0;
		return FC_E_SHORT;
	}
	return FC_OK;
}

/* Walks the extension headers to the upper layer. An overrun is the copy's fault (FC_E_SHORT)
 * when NFQUEUE cut it, the chain's own (FC_E_EXTHDR) when the payload length itself ends
 * first. */
static int walk_chain(struct wire *w, uint8_t nh, bool truncated, struct fc_tuple *t)
{
	bool later = false;

	for (bool first = true;; first = false) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
			if (!first) /* RFC 8200 §4.1: only right after the IPv6 header */
				return FC_E_EXTHDR;
			nh = skip_options(w);
			break;
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			nh = skip_options(w);
			break;
		case IPPROTO_FRAGMENT:
			parse_fragment(w, &nh, &later);
			break;
		default:
			t->proto = nh;
			return parse_ports(w, t);
		}
		if (w->err)
			return truncated ? FC_E_SHORT : FC_E_EXTHDR;
		if (later)
			return FC_E_EXTHDR;
	}
}

int fc_parse_packet(const uint8_t *pkt, size_t len, struct fc_tuple *t)
{
	struct wire w;
	size_t plen, end;
	int nh;

	memset(t, 0, sizeof(*t));
	if (!pkt || len < IP6_HDR_LEN)
		return FC_E_SHORT;
	wire_init_read(&w, pkt, len);
	if ((nh = parse_fixed(&w, t, &plen)) < 0)
		return FC_E_VERSION;
	/* Payload length 0: a jumbogram (RFC 2675), or a packet Linux's BIG TCP aggregated past
	 * 64 KiB; either way the length is the one delivered. */
	end = plen ? IP6_HDR_LEN + plen : len;
	if (len > end)
		return FC_E_LENGTH;
	return walk_chain(&w, (uint8_t)nh, len < end, t);
}

/* Sorted by name for the printout's sake; few enough for a linear search. */
static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {
	{ "icmpv6", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP },       { "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },       { "udplite", IPPROTO_UDPLITE },
};
#define N_PROTO_NAMES (sizeof(proto_names) / sizeof(proto_names[0]))

const char *fc_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < N_PROTO_NAMES; i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return NULL;
}

int fc_proto_by_name(const char *name)
{
	for (size_t i = 0; i < N_PROTO_NAMES; i++)
		if (strcmp(proto_names[i].name, name) == 0)
			return proto_names[i].proto;
	return -1;
}

/* --- life cycle --- */

struct fc *fc_new(void)
{
	struct fc *fc = calloc(1, sizeof(*fc));

	if (!fc)
		return NULL;
	TAILQ_INIT(&fc->policies);
	TAILQ_INIT(&fc->flows);
	fc->next_policy_id = 1;
	fc->next_flow_id = 1;
	if (!hmap_init(&fc->by_tuple, FLOW_BUCKETS) || !hmap_init(&fc->by_id, FLOW_BUCKETS)) {
		hmap_free(&fc->by_tuple);
		free(fc);
		return NULL;
	}
	return fc;
}

void fc_free(struct fc *fc)
{
	struct policy_node *pn;
	struct flow_node *fn;

	if (!fc)
		return;
	while ((pn = TAILQ_FIRST(&fc->policies))) {
		TAILQ_REMOVE(&fc->policies, pn, entry);
		free(pn);
	}
	while ((fn = TAILQ_FIRST(&fc->flows))) {
		TAILQ_REMOVE(&fc->flows, fn, entry);
		free(fn);
	}
	hmap_free(&fc->by_tuple);
	hmap_free(&fc->by_id);
	free(fc);
}

/* --- policies --- */

void fc_policy_init(struct fc_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->match.sport_hi = UINT16_MAX;
	p->match.dport_hi = UINT16_MAX;
	p->target = FC_TARGET_DEFAULT;
}

static bool match_valid(const struct fc_match *m)
{
	if (!memchr(m->mn_id, '\0', sizeof(m->mn_id)))
		return false;
	if ((m->have_src && m->src.len > 128) || (m->have_dst && m->dst.len > 128))
		return false;
	if (m->sport_lo > m->sport_hi || m->dport_lo > m->dport_hi)
		return false;
	return !m->have_flow_label || m->flow_label <= FLOW_LABEL_MAX;
}

static bool policy_valid(const struct fc_policy *p)
{
	if (!match_valid(&p->match))
		return false;
	switch (p->target) {
	case FC_TARGET_DEFAULT:
	case FC_TARGET_MAG:
		return true;
	case FC_TARGET_ATT:
		return p->target_att != 0;
	case FC_TARGET_LLID:
		return p->target_llid_len > 0 && p->target_llid_len <= MH_LLID_MAX;
	default:
		return false;
	}
}

static struct policy_node *policy_find(const struct fc *fc, uint32_t id)
{
	struct policy_node *pn;

	TAILQ_FOREACH(pn, &fc->policies, entry)
	if (pn->p.id == id)
		return pn;
	return NULL;
}

uint32_t fc_policy_add(struct fc *fc, const struct fc_policy *p, uint32_t before)
{
	struct policy_node *pn, *at = NULL;

	if (!policy_valid(p) || fc->next_policy_id == 0) /* 0: all 2^32 - 1 ids are spent */
		return 0;
	if (before && !(at = policy_find(fc, before)))
		return 0;
	if (!(pn = malloc(sizeof(*pn))))
		return 0;
	pn->p = *p;
	pn->p.id = fc->next_policy_id++;
	if (at)
		TAILQ_INSERT_BEFORE(at, pn, entry);
	else
		TAILQ_INSERT_TAIL(&fc->policies, pn, entry);
	fc->n_policies++;
	return pn->p.id;
}

int fc_policy_del(struct fc *fc, uint32_t id)
{
	struct policy_node *pn = id ? policy_find(fc, id) : NULL;

	if (!pn)
		return -1;
	TAILQ_REMOVE(&fc->policies, pn, entry);
	fc->n_policies--;
	free(pn);
	return 0;
}

const struct fc_policy *fc_policy_by_id(const struct fc *fc, uint32_t id)
{
	const struct policy_node *pn = id ? policy_find(fc, id) : NULL;

	return pn ? &pn->p : NULL;
}

size_t fc_policy_count(const struct fc *fc)
{
	return fc->n_policies;
}

const struct fc_policy *fc_policy_first(const struct fc *fc)
{
	const struct policy_node *pn = TAILQ_FIRST(&fc->policies);

	return pn ? &pn->p : NULL;
}

const struct fc_policy *fc_policy_next(const struct fc *fc, const struct fc_policy *p)
{
	const struct policy_node *pn = CONTAINER_OF(p, struct policy_node, p);

	(void)fc;
	pn = TAILQ_NEXT(pn, entry);
	return pn ? &pn->p : NULL;
}

/* --- selection --- */

static bool prefix_contains(const struct mh_prefix *p, const struct in6_addr *a)
{
	unsigned bytes = p->len / 8u, bits = p->len % 8u;

	if (memcmp(p->addr.s6_addr, a->s6_addr, bytes) != 0)
		return false;
	return bits == 0 || ((p->addr.s6_addr[bytes] ^ a->s6_addr[bytes]) & (0xff00u >> bits)) == 0;
}

static bool match_flow(const struct fc_match *m, const struct fc_tuple *t, const char *mn_id)
{
	if (m->mn_id[0] && (!mn_id || strcmp(m->mn_id, mn_id) != 0))
		return false;
	if ((m->have_src && !prefix_contains(&m->src, &t->src)) ||
	    (m->have_dst && !prefix_contains(&m->dst, &t->dst)))
		return false;
	if ((m->have_proto && m->proto != t->proto) ||
	    (m->have_flow_label && m->flow_label != t->flow_label) ||
	    (m->have_tclass && m->tclass != t->tclass))
		return false;
	return t->sport >= m->sport_lo && t->sport <= m->sport_hi && t->dport >= m->dport_lo &&
	       t->dport <= m->dport_hi;
}

/* The binding owning the destination, else the first. */
static const struct fc_binding *default_binding(const struct fc_binding *cands, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cands[i].owns_dst)
			return &cands[i];
	return n ? &cands[0] : NULL;
}

static bool is_target(const struct fc_policy *p, const struct fc_binding *b)
{
	switch (p->target) {
	case FC_TARGET_ATT:
		return b->att == p->target_att;
	case FC_TARGET_MAG:
		return IN6_ARE_ADDR_EQUAL(&b->mag, &p->target_mag);
	case FC_TARGET_LLID:
		return b->llid_len == p->target_llid_len &&
		       memcmp(b->llid, p->target_llid, p->target_llid_len) == 0;
	default:
		return false;
	}
}

static const struct fc_binding *find_target(const struct fc_policy *p,
                                            const struct fc_binding *cands, size_t n)
{
	if (p->target == FC_TARGET_DEFAULT)
		return default_binding(cands, n);
	for (size_t i = 0; i < n; i++)
		if (is_target(p, &cands[i]))
			return &cands[i];
	return NULL;
}

const struct fc_binding *fc_select(const struct fc *fc, const struct fc_tuple *t, const char *mn_id,
                                   const struct fc_binding *cands, size_t n, uint32_t *policy_id)
{
	const struct policy_node *pn;
	const struct fc_binding *b;

	if (policy_id)
		*policy_id = 0;
	if (n == 0)
		return NULL;
	TAILQ_FOREACH(pn, &fc->policies, entry)
	{
		if (!match_flow(&pn->p.match, t, mn_id) || !(b = find_target(&pn->p, cands, n)))
			continue;
		if (policy_id)
			*policy_id = pn->p.id;
		return b;
	}
	return default_binding(cands, n);
}

/* --- flows --- */

/* The identity only, in a fixed layout: struct fc_tuple has padding and tclass. */
static uint64_t tuple_hash(const struct fc_tuple *t)
{
	uint8_t k[TUPLE_KEY_LEN];

	memcpy(k, &t->src, 16);
	memcpy(k + 16, &t->dst, 16);
	memcpy(k + 32, &t->sport, 2);
	memcpy(k + 34, &t->dport, 2);
	memcpy(k + 36, &t->flow_label, 4);
	k[40] = t->proto;
	return hash_bytes(k, sizeof(k), 0);
}

static uint64_t id_hash(uint32_t id)
{
	return hash_bytes(&id, sizeof(id), 1);
}

static bool tuple_equal(const struct fc_tuple *a, const struct fc_tuple *b)
{
	return a->sport == b->sport && a->dport == b->dport && a->proto == b->proto &&
	       a->flow_label == b->flow_label && IN6_ARE_ADDR_EQUAL(&a->src, &b->src) &&
	       IN6_ARE_ADDR_EQUAL(&a->dst, &b->dst);
}

static struct flow_node *find_hashed(const struct fc *fc, const struct fc_tuple *t, uint64_t h)
{
	struct hnode *n;

	for (n = hmap_first(&fc->by_tuple, h); n; n = hmap_next_same(n)) {
		struct flow_node *fn = HMAP_ENTRY(n, struct flow_node, by_tuple);

		if (tuple_equal(&fn->f.tuple, t))
			return fn;
	}
	return NULL;
}

struct fc_flow *fc_flow_find(const struct fc *fc, const struct fc_tuple *t)
{
	struct flow_node *fn = find_hashed(fc, t, tuple_hash(t));

	return fn ? &fn->f : NULL;
}

struct fc_flow *fc_flow_by_id(const struct fc *fc, uint32_t id)
{
	uint64_t h = id_hash(id);
	struct hnode *n;

	for (n = hmap_first(&fc->by_id, h); n; n = hmap_next_same(n)) {
		struct flow_node *fn = HMAP_ENTRY(n, struct flow_node, by_id);

		if (fn->f.id == id)
			return &fn->f;
	}
	return NULL;
}

/* Up to 2^32 - 1 ids are fresh; after the wrap, ids of flows still in the table are skipped
 * (there is always a free one: the table cannot hold 2^32 - 1 flows). */
static uint32_t flow_id_next(struct fc *fc)
{
	uint32_t id;

	do {
		id = fc->next_flow_id++;
		if (fc->next_flow_id == 0) {
			fc->next_flow_id = 1;
			fc->flow_ids_wrapped = true;
		}
	} while (fc->flow_ids_wrapped && fc_flow_by_id(fc, id));
	return id;
}

void fc_flow_set_next_id(struct fc *fc, uint32_t id)
{
	if (id < fc->next_flow_id)
		fc->flow_ids_wrapped = true; /* ids below may be in use */
	fc->next_flow_id = id ? id : 1;
}

static void flow_fill(struct fc_flow *f, const struct fc_tuple *t, const char *mn_id, size_t mn_len,
                      uint64_t now_ns)
{
	f->tuple = *t;
	memcpy(f->mn_id, mn_id, mn_len);
	f->mn_id[mn_len] = '\0';
	f->created_ns = now_ns;
	f->last_ns = now_ns;
}

struct fc_flow *fc_flow_add(struct fc *fc, const struct fc_tuple *t, const char *mn_id,
                            uint64_t binding_id, uint32_t mark, uint32_t policy_id, uint64_t now_ns)
{
	uint64_t h = tuple_hash(t);
	size_t mn_len = mn_id ? strnlen(mn_id, MH_MNID_MAX + 1) : 0;
	struct flow_node *fn;

	if (mn_len > MH_MNID_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if (find_hashed(fc, t, h)) {
		errno = EEXIST;
		return NULL;
	}
	if (!(fn = calloc(1, sizeof(*fn))))
		return NULL;
	flow_fill(&fn->f, t, mn_id ? mn_id : "", mn_len, now_ns);
	fn->f.id = flow_id_next(fc);
	fn->f.binding_id = binding_id;
	fn->f.mark = mark;
	fn->f.policy_id = policy_id;
	fn->by_tuple.hash = h;
	fn->by_id.hash = id_hash(fn->f.id);
	hmap_insert(&fc->by_tuple, &fn->by_tuple);
	hmap_insert(&fc->by_id, &fn->by_id);
	TAILQ_INSERT_TAIL(&fc->flows, fn, entry);
	return &fn->f;
}

void fc_flow_del(struct fc *fc, struct fc_flow *f)
{
	struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);

	hmap_remove(&fc->by_tuple, &fn->by_tuple);
	hmap_remove(&fc->by_id, &fn->by_id);
	TAILQ_REMOVE(&fc->flows, fn, entry);
	free(fn);
}

struct fc_flow *fc_flow_first(const struct fc *fc)
{
	struct flow_node *fn = TAILQ_FIRST(&fc->flows);

	return fn ? &fn->f : NULL;
}

struct fc_flow *fc_flow_next(const struct fc *fc, const struct fc_flow *f)
{
	const struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);
	struct flow_node *next = TAILQ_NEXT(fn, entry);

	(void)fc;
	return next ? &next->f : NULL;
}

size_t fc_flow_count(const struct fc *fc)
{
	return fc->by_tuple.count;
}

size_t fc_flow_expire(struct fc *fc, uint64_t older_than_ns)
{
	struct flow_node *fn, *next;
	size_t n = 0;

	for (fn = TAILQ_FIRST(&fc->flows); fn; fn = next) {
		next = TAILQ_NEXT(fn, entry);
		if (fn->f.last_ns < older_than_ns) {
			fc_flow_del(fc, &fn->f);
			n++;
		}
	}
	return n;
}
