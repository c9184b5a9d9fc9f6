/* fc.c: the LMA's flow classifier (draft-bernardos-mif-pmip-02 §5.3, see fc.h). §5.3.1: a flow
 * is identified by its 6-tuple, taken here from the packet NFQUEUE hands over (RFC 8200 §4 for
 * the extension header chain); §5.3.2: an ordered list of policies routes each new flow to one
 * of the MN's bindings. The flow table is four hash maps (common/hmap.h) — by tuple for the
 * packet path, by id for pmipctl, by connection (the tuple without its flow label) for conntrack's
 * destroy events, by MN-ID for the group of each MN's flows — and three lists: every flow in
 * order of addition, each MN's flows, every flow from the least recently touched. So that what
 * one packet, one connection or one MN causes costs what it touches, not the table's size, with
 * hundreds of thousands of flows. Since any host can start new flows toward an MN, the table is
 * bounded in all and per MN: a new flow evicts the least recently touched one, or is refused and
 * sent to the default binding; the idle sweep goes in bounded steps and the indexes shrink after
 * a flood. No system calls: lmad owns the queue and the marks. */
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
#define CONN_KEY_LEN     37      /* src, dst, sport, dport, proto */

/* Salts keep the indexes' hash families apart. */
enum { SALT_TUPLE, SALT_ID, SALT_CONN, SALT_MN };

struct policy_node {
	TAILQ_ENTRY(policy_node) entry;
	struct fc_policy p;
};

struct mn_flows;

struct flow_node {
	struct fc_flow f;
	struct hnode by_tuple, by_id, by_conn;
	struct mn_flows *mn;
	TAILQ_ENTRY(flow_node) entry, mn_entry, age_entry;
};

TAILQ_HEAD(flow_list, flow_node);

/* The flows of one MN-ID: there while it has one. */
struct mn_flows {
	struct hnode node;
	struct flow_list flows;
	size_t n_flows;
	size_t id_len;
	char id[]; /* NUL-terminated */
};

struct fc {
	TAILQ_HEAD(, policy_node) policies;
	size_t n_policies;
	uint32_t next_policy_id;
	struct hmap by_tuple, by_id, by_conn, by_mn;
	struct flow_list flows;  /* in order of addition */
	struct flow_list by_age; /* by last_ns, oldest first */
	uint32_t next_flow_id;
	bool flow_ids_wrapped;  /* from then on a new id is checked against those in use */
	size_t max, max_per_mn; /* 0: unbounded */
	struct fc_stats stats;
	uint64_t changes; /* flows added and removed */
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

static void maps_free(struct fc *fc)
{
	hmap_free(&fc->by_tuple);
	hmap_free(&fc->by_id);
	hmap_free(&fc->by_conn);
	hmap_free(&fc->by_mn);
}

struct fc *fc_new(void)
{
	struct fc *fc = calloc(1, sizeof(*fc));

	if (!fc)
		return NULL;
	TAILQ_INIT(&fc->policies);
	TAILQ_INIT(&fc->flows);
	TAILQ_INIT(&fc->by_age);
	fc->next_policy_id = 1;
	fc->next_flow_id = 1;
	if (!hmap_init(&fc->by_tuple, FLOW_BUCKETS) || !hmap_init(&fc->by_id, FLOW_BUCKETS) ||
	    !hmap_init(&fc->by_conn, FLOW_BUCKETS) || !hmap_init(&fc->by_mn, FLOW_BUCKETS)) {
		maps_free(fc); /* those not reached are still zeroed */
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
	while ((fn = TAILQ_FIRST(&fc->flows)))
		fc_flow_del(fc, &fn->f); /* which frees the MNs' groups too */
	maps_free(fc);
	free(fc);
}

/* --- policies --- */

void fc_policy_init(struct fc_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->match.sport_hi = UINT16_MAX;
	p->match.dport_hi = UINT16_MAX;
	p->mode = FC_MODE_PRIORITY;
	p->n_targets = 1;
	p->targets[0].kind = FC_TARGET_DEFAULT;
	p->fail_back = true;
	p->hold_down_ms = FC_HOLD_DOWN_DEFAULT_MS;
	p->hysteresis_pct = FC_HYSTERESIS_DEFAULT_PCT;
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

static bool target_valid(const struct fc_target *t, enum fc_mode mode)
{
	if ((mode == FC_MODE_LOAD_BALANCE) != (t->weight != 0) || t->weight > FC_WEIGHT_MAX)
		return false;
	switch (t->kind) {
	case FC_TARGET_DEFAULT:
	case FC_TARGET_MAG:
		return true;
	case FC_TARGET_ATT:
		return t->att != 0;
	case FC_TARGET_LLID:
		return t->llid_len > 0 && t->llid_len <= MH_LLID_MAX;
	default:
		return false;
	}
}

/* Active-standby names exactly two bindings, bicast at least two (it needs a second one to
 * duplicate through); the others one or more. */
static bool targets_valid(const struct fc_policy *p)
{
	unsigned min = p->mode == FC_MODE_ACTIVE_STANDBY || p->mode == FC_MODE_BICAST ? 2 : 1;

	if (p->n_targets < min || p->n_targets > FC_TARGETS_MAX ||
	    (p->mode == FC_MODE_ACTIVE_STANDBY && p->n_targets != 2))
		return false;
	for (unsigned i = 0; i < p->n_targets; i++)
		if (!target_valid(&p->targets[i], p->mode))
			return false;
	return true;
}

bool fc_policy_valid(const struct fc_policy *p)
{
	if (!match_valid(&p->match) || (unsigned)p->mode >= FC_MODE_COUNT)
		return false;
	if (p->hysteresis_pct > FC_HYSTERESIS_MAX_PCT || p->hysteresis_ms > FC_HYSTERESIS_MAX_MS ||
	    (p->hysteresis_pct && p->hysteresis_ms))
		return false;
	if (p->by_bytes && p->mode != FC_MODE_LOAD_BALANCE)
		return false;
	return p->hold_down_ms <= FC_HOLD_DOWN_MAX_MS && targets_valid(p);
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

	if (!fc_policy_valid(p) || fc->next_policy_id == 0) /* 0: all 2^32 - 1 ids are spent */
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

/* --- flows: keys and lookups --- */

/* A connection as conntrack names it (no flow label), in a fixed layout: struct fc_tuple has
 * padding, a flow label and tclass. */
static uint64_t conn_hash(const struct fc_tuple *t)
{
	uint8_t k[CONN_KEY_LEN];

	memcpy(k, &t->src, 16);
	memcpy(k + 16, &t->dst, 16);
	memcpy(k + 32, &t->sport, 2);
	memcpy(k + 34, &t->dport, 2);
	k[36] = t->proto;
	return hash_bytes(k, sizeof(k), SALT_CONN);
}

/* The flow's identity: its flow label hashed on top of its connection's hash, so that one pass
 * over the addresses serves both maps. */
static uint64_t tuple_hash_of(uint64_t conn_h, uint32_t flow_label)
{
	return hash_bytes(&flow_label, sizeof(flow_label), conn_h ^ SALT_TUPLE);
}

static uint64_t tuple_hash(const struct fc_tuple *t)
{
	return tuple_hash_of(conn_hash(t), t->flow_label);
}

static uint64_t id_hash(uint32_t id)
{
	return hash_bytes(&id, sizeof(id), SALT_ID);
}

static uint64_t mn_hash(const char *id, size_t len)
{
	return hash_bytes(id, len, SALT_MN);
}

static bool conn_equal(const struct fc_tuple *a, const struct fc_tuple *b)
{
	return a->sport == b->sport && a->dport == b->dport && a->proto == b->proto &&
	       IN6_ARE_ADDR_EQUAL(&a->src, &b->src) && IN6_ARE_ADDR_EQUAL(&a->dst, &b->dst);
}

static bool tuple_equal(const struct fc_tuple *a, const struct fc_tuple *b)
{
	return a->flow_label == b->flow_label && conn_equal(a, b);
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

/* From n on along its hash chain, the first flow of connection t. */
static struct fc_flow *conn_from(const struct hnode *n, const struct fc_tuple *t)
{
	for (; n; n = hmap_next_same(n)) {
		struct flow_node *fn = HMAP_ENTRY(n, struct flow_node, by_conn);

		if (conn_equal(&fn->f.tuple, t))
			return &fn->f;
	}
	return NULL;
}

struct fc_flow *fc_flow_conn_first(const struct fc *fc, const struct fc_tuple *t)
{
	return conn_from(hmap_first(&fc->by_conn, conn_hash(t)), t);
}

struct fc_flow *fc_flow_conn_next(const struct fc *fc, const struct fc_flow *f)
{
	const struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);

	(void)fc;
	return conn_from(hmap_next_same(&fn->by_conn), &f->tuple);
}

/* --- flows: each MN's group --- */

static struct mn_flows *mn_find(const struct fc *fc, const char *id, size_t len)
{
	uint64_t h = mn_hash(id, len);

	for (struct hnode *n = hmap_first(&fc->by_mn, h); n; n = hmap_next_same(n)) {
		struct mn_flows *mn = HMAP_ENTRY(n, struct mn_flows, node);

		if (mn->id_len == len && memcmp(mn->id, id, len) == 0)
			return mn;
	}
	return NULL;
}

/* The MN's group, made if it has none yet; NULL if out of memory. */
static struct mn_flows *mn_get(struct fc *fc, const char *id, size_t len)
{
	struct mn_flows *mn = mn_find(fc, id, len);

	if (mn)
		return mn;
	if (!(mn = calloc(1, sizeof(*mn) + len + 1)))
		return NULL;
	memcpy(mn->id, id, len);
	mn->id_len = len;
	TAILQ_INIT(&mn->flows);
	mn->node.hash = mn_hash(id, len);
	hmap_insert(&fc->by_mn, &mn->node);
	return mn;
}

/* A group goes with its last flow. */
static void mn_put(struct fc *fc, struct mn_flows *mn)
{
	if (mn->n_flows > 0)
		return;
	hmap_remove(&fc->by_mn, &mn->node);
	free(mn);
}

static struct fc_flow *flow_of(struct flow_node *fn)
{
	return fn ? &fn->f : NULL;
}

struct fc_flow *fc_flow_mn_first(const struct fc *fc, const char *mn_id)
{
	const struct mn_flows *mn = mn_find(fc, mn_id, strlen(mn_id));

	return mn ? flow_of(TAILQ_FIRST(&mn->flows)) : NULL;
}

struct fc_flow *fc_flow_mn_next(const struct fc *fc, const struct fc_flow *f)
{
	const struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);

	(void)fc;
	return flow_of(TAILQ_NEXT(fn, mn_entry));
}

size_t fc_flow_mn_count(const struct fc *fc, const char *mn_id)
{
	const struct mn_flows *mn = mn_find(fc, mn_id, strlen(mn_id));

	return mn ? mn->n_flows : 0;
}

/* --- flows: by age --- */

/* In order of last_ns, looking back from the newest: one step when times only grow. */
static void age_insert(struct fc *fc, struct flow_node *fn)
{
	struct flow_node *after = TAILQ_LAST(&fc->by_age, flow_list);

	while (after && after->f.last_ns > fn->f.last_ns)
		after = TAILQ_PREV(after, flow_list, age_entry);
	if (after)
		TAILQ_INSERT_AFTER(&fc->by_age, after, fn, age_entry);
	else
		TAILQ_INSERT_HEAD(&fc->by_age, fn, age_entry);
}

void fc_flow_touch(struct fc *fc, struct fc_flow *f, uint64_t now_ns)
{
	struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);

	TAILQ_REMOVE(&fc->by_age, fn, age_entry);
	f->last_ns = now_ns;
	age_insert(fc, fn);
}

struct fc_flow *fc_flow_oldest(const struct fc *fc)
{
	return flow_of(TAILQ_FIRST(&fc->by_age));
}

struct fc_flow *fc_flow_newer(const struct fc *fc, const struct fc_flow *f)
{
	const struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);

	(void)fc;
	return flow_of(TAILQ_NEXT(fn, age_entry));
}

/* --- flows: the table --- */

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

static void flow_fill(struct fc_flow *f, const struct fc_tuple *t, const struct mn_flows *mn,
                      uint64_t now_ns)
{
	f->tuple = *t;
	memcpy(f->mn_id, mn->id, mn->id_len + 1);
	f->created_ns = now_ns;
	f->last_ns = now_ns;
}

static void flow_link(struct fc *fc, struct flow_node *fn, uint64_t conn_h, uint64_t tuple_h)
{
	fn->by_tuple.hash = tuple_h;
	fn->by_id.hash = id_hash(fn->f.id);
	fn->by_conn.hash = conn_h;
	hmap_insert(&fc->by_tuple, &fn->by_tuple);
	hmap_insert(&fc->by_id, &fn->by_id);
	hmap_insert(&fc->by_conn, &fn->by_conn);
	TAILQ_INSERT_TAIL(&fc->flows, fn, entry);
	TAILQ_INSERT_TAIL(&fn->mn->flows, fn, mn_entry);
	fn->mn->n_flows++;
	age_insert(fc, fn);
}

/* --- flows: bounds --- */

void fc_set_limits(struct fc *fc, size_t max, size_t max_per_mn)
{
	fc->max = max;
	fc->max_per_mn = max_per_mn;
}

void fc_get_stats(const struct fc *fc, struct fc_stats *s)
{
	*s = fc->stats;
}

uint64_t fc_changes(const struct fc *fc)
{
	return fc->changes;
}

/* By age the first flow not pinned is the least recently touched one. */
static struct flow_node *evictable_by_age(const struct fc *fc)
{
	struct flow_node *fn = TAILQ_FIRST(&fc->by_age);

	for (unsigned i = 0; fn && i < FC_EVICT_SCAN; i++, fn = TAILQ_NEXT(fn, age_entry))
		if (!fn->f.pinned)
			return fn;
	return NULL;
}

/* An MN's list is in order of addition: its head holds its oldest flows, not always in order of
 * last_ns (the sweep touches those still active). */
static struct flow_node *evictable_of_mn(const struct mn_flows *mn)
{
	struct flow_node *fn = TAILQ_FIRST(&mn->flows), *best = NULL;

	for (unsigned i = 0; fn && i < FC_EVICT_SCAN; i++, fn = TAILQ_NEXT(fn, mn_entry))
		if (!fn->f.pinned && (!best || fn->f.last_ns < best->f.last_ns))
			best = fn;
	return best;
}

static bool evict(struct fc *fc, struct flow_node *fn)
{
	if (!fn)
		return false;
	fc_flow_del(fc, &fn->f);
	fc->stats.evicted++;
	return true;
}

/* Room for one more flow of MN `id` within the bounds, evicting if need be; false if none. The
 * MN's group may go with its last flow here: the caller gets it afterwards. */
static bool make_room(struct fc *fc, const char *id, size_t len)
{
	const struct mn_flows *mn = fc->max_per_mn ? mn_find(fc, id, len) : NULL;

	if (mn && mn->n_flows >= fc->max_per_mn && !evict(fc, evictable_of_mn(mn)))
		return false;
	return !fc->max || fc_flow_count(fc) < fc->max || evict(fc, evictable_by_age(fc));
}

struct fc_flow *fc_flow_add(struct fc *fc, const struct fc_tuple *t, const char *mn_id,
                            uint64_t binding_id, uint32_t mark, uint32_t policy_id, uint64_t now_ns)
{
	uint64_t conn_h = conn_hash(t), h = tuple_hash_of(conn_h, t->flow_label);
	size_t mn_len = mn_id ? strnlen(mn_id, MH_MNID_MAX + 1) : 0;
	struct flow_node *fn;
	struct mn_flows *mn;

	if (mn_len > MH_MNID_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if (find_hashed(fc, t, h)) {
		errno = EEXIST;
		return NULL;
	}
	if (!make_room(fc, mn_id ? mn_id : "", mn_len)) {
		fc->stats.refused++;
		errno = ENOSPC;
		return NULL;
	}
	if (!(mn = mn_get(fc, mn_id ? mn_id : "", mn_len)))
		return NULL;
	if (!(fn = calloc(1, sizeof(*fn)))) {
		mn_put(fc, mn);
		return NULL;
	}
	fn->mn = mn;
	flow_fill(&fn->f, t, mn, now_ns);
	fn->f.id = flow_id_next(fc);
	fn->f.binding_id = binding_id;
	fn->f.mark = mark;
	fn->f.policy_id = policy_id;
	flow_link(fc, fn, conn_h, h);
	fc->changes++;
	return &fn->f;
}

void fc_flow_del(struct fc *fc, struct fc_flow *f)
{
	struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);

	hmap_remove(&fc->by_tuple, &fn->by_tuple);
	hmap_remove(&fc->by_id, &fn->by_id);
	hmap_remove(&fc->by_conn, &fn->by_conn);
	TAILQ_REMOVE(&fc->flows, fn, entry);
	TAILQ_REMOVE(&fc->by_age, fn, age_entry);
	TAILQ_REMOVE(&fn->mn->flows, fn, mn_entry);
	fn->mn->n_flows--;
	mn_put(fc, fn->mn);
	free(fn);
	fc->changes++;
}

struct fc_flow *fc_flow_first(const struct fc *fc)
{
	return flow_of(TAILQ_FIRST(&fc->flows));
}

struct fc_flow *fc_flow_next(const struct fc *fc, const struct fc_flow *f)
{
	const struct flow_node *fn = CONTAINER_OF(f, struct flow_node, f);

	(void)fc;
	return flow_of(TAILQ_NEXT(fn, entry));
}

size_t fc_flow_count(const struct fc *fc)
{
	return fc->by_tuple.count;
}

size_t fc_flow_expire(struct fc *fc, uint64_t older_than_ns)
{
	struct fc_flow *f, *next;
	size_t n = 0;

	for (f = fc_flow_oldest(fc); f && f->last_ns < older_than_ns; f = next) {
		next = fc_flow_newer(fc, f);
		fc_flow_del(fc, f);
		n++;
	}
	fc_compact(fc);
	return n;
}

uint32_t fc_classify_new(struct fc *fc, const struct fc_tuple *t, const char *mn_id,
                         const struct fc_binding *cands, size_t n, uint64_t now_ns,
                         struct fc_flow **added)
{
	uint64_t refused = fc->stats.refused;
	struct fc_decision d;
	struct fc_flow *f;

	if (added)
		*added = NULL;
	fc_decide(fc, t, mn_id, cands, n, NULL, now_ns, &d);
	if (!d.to)
		return 0;
	if ((f = fc_flow_add(fc, t, mn_id, d.to->id, d.to->mark, d.policy_id, now_ns))) {
		fc->stats.classified++;
		f->also_id = d.also ? d.also->id : 0;
		f->mode = (uint8_t)d.mode;
		f->why = (uint8_t)d.why;
		f->due_ns = d.due_ns;
		if (added)
			*added = f;
		return d.to->mark;
	}
	if (fc->stats.refused == refused)
		fc->stats.unclassified++; /* memory, not the bounds */
	return fc_default_binding(cands, n)->mark;
}

bool fc_flow_sweep(struct fc *fc, uint64_t older_than_ns, uint64_t now_ns, size_t max,
                   bool (*still_active)(void *arg, struct fc_flow *f), void *arg)
{
	struct fc_flow *f;

	for (size_t i = 0; i < max && (f = fc_flow_oldest(fc)) && f->last_ns < older_than_ns; i++) {
		if (still_active(arg, f))
			fc_flow_touch(fc, f, now_ns);
		else
			fc_flow_del(fc, f);
	}
	fc_compact(fc);
	f = fc_flow_oldest(fc);
	return f && f->last_ns < older_than_ns;
}

void fc_compact(struct fc *fc)
{
	hmap_shrink(&fc->by_tuple);
	hmap_shrink(&fc->by_id);
	hmap_shrink(&fc->by_conn);
	hmap_shrink(&fc->by_mn);
}

size_t fc_index_memory(const struct fc *fc)
{
	return hmap_memory(&fc->by_tuple) + hmap_memory(&fc->by_id) + hmap_memory(&fc->by_conn) +
	       hmap_memory(&fc->by_mn);
}
