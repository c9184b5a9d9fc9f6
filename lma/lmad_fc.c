/* lmad_fc.c: flow steering in lmad (draft-bernardos-mif-pmip-02 §5.3): the first packet of each
 * downlink flow toward a multihomed MN comes from NFQUEUE, the classifier (fc.c) picks one of the
 * MN's bindings by policy, and the verdict's mark — the fwmark of that binding's tunnel — sticks
 * to the connection, so the kernel routes the rest. When an MN's group changes, the prefixes
 * queued follow (only MNs with two or more bindings are classified) and flows on a binding that
 * went away move at once to another one; flows leave when conntrack destroys their connection
 * or after the idle timeout, swept in bounded steps. The table is bounded (flow-max,
 * flow-max-per-mn): past the bounds a new flow evicts an old one or goes to the default binding
 * unremembered, so a flood from anywhere costs bounded memory, given back once it has passed. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "lma/lmad_int.h"

#define MAX_CANDS LMAD_FC_MAX_CANDS
/* The idle sweep: every SWEEP_PERIOD_S, SWEEP_STEP conntrack requests at a time (a few ms of the
 * loop), SWEEP_PAUSE_S apart while idle flows remain. */
#define SWEEP_PERIOD_S   10.
#define SWEEP_STEP       256
#define SWEEP_PAUSE_S    0.005
#define SWEEP_TRIM_FLOWS 4096 /* flows gone since the last malloc_trim() worth another */

struct queued_prefix {
	struct hnode node;
	struct mh_prefix p;
	bool keep; /* marked during a recomputation */
};

static uint64_t mono_ns(void)
{
	struct lma_now now;

	lmad_now(&now);
	return now.mono_ns;
}

static uint64_t prefix_hash(const struct mh_prefix *p)
{
	return hash_bytes(&p->addr, sizeof(p->addr), 0x7163 + p->len);
}

static struct queued_prefix *queued_find(const struct lmad *d, const struct mh_prefix *p)
{
	for (struct hnode *n = hmap_first(&d->fc_queued, prefix_hash(p)); n;
	     n = hmap_next_same(n)) {
		struct queued_prefix *q = HMAP_ENTRY(n, struct queued_prefix, node);

		if (mh_prefix_equal(&q->p, p))
			return q;
	}
	return NULL;
}

static void queue_on(struct lmad *d, const struct mh_prefix *p)
{
	struct queued_prefix *q = queued_find(d, p);

	if (q) {
		q->keep = true;
		return;
	}
	q = calloc(1, sizeof(*q));
	if (!q || kr_fc_queue_prefix_later(d->kr, &p->addr, p->len, true) < 0) {
		log_warn("flow steering: cannot classify traffic to a prefix");
		free(q);
		return;
	}
	q->p = *p;
	q->keep = true;
	q->node.hash = prefix_hash(p);
	hmap_insert(&d->fc_queued, &q->node);
}

static void queue_off(struct lmad *d, struct queued_prefix *q)
{
	(void)kr_fc_queue_prefix_later(d->kr, &q->p.addr, q->p.len, false);
	hmap_remove(&d->fc_queued, &q->node);
	free(q);
}

/* Bindings that carry traffic or may again soon: active, or de-registered and waiting for
 * bce-delete-delay or held past it by prefix-hold (their prefixes rerouted through another
 * binding). */
static bool counts(const struct bce *b)
{
	return b->state == BCE_ACTIVE || b->state == BCE_DEREG_WAIT;
}

static unsigned live_bindings(const struct lma_mn *mn)
{
	const struct bce *b;
	unsigned n = 0;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	n += counts(b);
	return n;
}

/* The MN's prefixes go to the queue while it has two bindings or more, counting those in
 * de-registration wait: a link that drops and comes back (or a MAG's de-registration before a
 * handoff) then changes no rule, and the rule deletions, tens of ms of ip6tables-restore each,
 * wait for the binding's deletion. The kernel hears of it once the loop has nothing else to do
 * (prefixes_due): after the PBA that caused it, the routes and the flows' new marks. New flows
 * to a de-registered binding's prefix are classified among the MN's active bindings. */
static void requeue_mn(struct lmad *d, const struct lma_mn *mn)
{
	bool multi = live_bindings(mn) >= 2;
	const struct bce *b;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	{
		for (unsigned i = 0; i < b->n_prefix; i++) {
			struct queued_prefix *q = queued_find(d, &b->prefix[i].p);

			if (multi && counts(b))
				queue_on(d, &b->prefix[i].p);
			else if (q)
				queue_off(d, q);
		}
	}
}

void lmad_fc_prefix_unrouted(struct lmad *d, const struct mh_prefix *p)
{
	struct queued_prefix *q;

	if (d->fc && (q = queued_find(d, p)))
		queue_off(d, q); /* nothing of ours carries it now: nothing to classify */
}

static void describe(const struct lmad *d, const struct bce *b, const struct bce *owner,
                     struct fc_binding *out)
{
	memset(out, 0, sizeof(*out));
	out->id = b->id;
	out->att = b->att;
	out->mag = b->mag->addr;
	out->llid_len = b->llid_len;
	memcpy(out->llid, b->llid, b->llid_len);
	/* a binding sharing its MAG with another of the MN is reached by its tag, unless the MAG
	 * routes the destination to it anyway: that flow's outer label stays a hash */
	out->mark =
	        b != owner && b->tag_mark ? b->tag_mark : kr_tunnel_fwmark(d->kr, b->mag->tunnel);
	out->owns_dst = b == owner;
	out->rtt_ns = lmad_steer_rtt(d, b);
}

/* The MN's active bindings as the classifier sees them; owner: the one with the destination. */
static size_t candidates(const struct lmad *d, const struct lma_mn *mn, const struct bce *owner,
                         struct fc_binding *out)
{
	const struct bce *b;
	size_t n = 0;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	if (b->state == BCE_ACTIVE && b->mag->tunnel && n < MAX_CANDS)
		describe(d, b, owner, &out[n++]);
	lmad_steer_fill_up(d, mn->id, out, n);
	return n;
}

/* The binding whose prefix holds addr: the LMA's prefixes are few lengths, tried in turn. */
static const struct bce *owner_of(const struct lmad *d, const struct in6_addr *addr)
{
	const struct bc *bc = lma_engine_cache(d->engine);
	static const uint8_t lens[] = { 64, 56, 48, 60, 62, 63, 80, 96, 112, 127, 128 };

	for (size_t i = 0; i < sizeof(lens); i++) {
		struct mh_prefix p = { .len = lens[i], .addr = *addr };
		const struct bce *b;

		for (unsigned bit = lens[i]; bit < 128; bit++)
			p.addr.s6_addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
		b = bc_bce_by_prefix(bc, &p);
		if (b)
			return b;
	}
	return NULL;
}

static int set_flow_mark(struct lmad *d, struct fc_flow *f, uint64_t binding_id, uint32_t mark)
{
	const struct fc_tuple *t = &f->tuple;

	if (kr_fc_ct_set_mark(d->kr, &t->src, &t->dst, t->proto, t->sport, t->dport, mark) < 0 &&
	    errno != ENOENT)
		return -1;
	f->binding_id = binding_id;
	f->mark = mark;
	d->fc_marks_set++;
	return 0;
}

static const struct bce *bce_of(const struct lmad *d, uint64_t id)
{
	return bc_bce_by_id(lma_engine_cache(d->engine), id);
}

/* The mark that sends packets through `to` and copies them through `also` (its bicast slot);
 * *also_id is 0 when there is no copy: none asked, or no slot to be had. */
static uint32_t pair_mark(struct lmad *d, uint32_t to_mark, uint64_t also, uint64_t *also_id)
{
	const struct bce *b = also ? bce_of(d, also) : NULL;
	uint16_t slot = b ? lmad_steer_dup_slot(d, b) : 0;

	*also_id = slot ? also : 0;
	return to_mark | (uint32_t)slot << KR_FC_DUP_SHIFT;
}

static const struct fc_binding *find_cand(const struct fc_binding *cands, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (cands[i].id == id)
			return &cands[i];
	return NULL;
}

/* A bicast flow without a copy (no slot to be had) says so. */
static uint8_t why_with_copy(int why, uint64_t also_id)
{
	return (uint8_t)(why == FC_WHY_BICAST && !also_id ? FC_WHY_SINGLE : why);
}

/* The flow goes where the decision says: its mark rewritten if that changes it. */
static void apply_decision(struct lmad *d, struct fc_flow *f, const struct fc_decision *dec)
{
	uint64_t also_id;
	uint32_t mark = pair_mark(d, dec->to->mark, dec->also ? dec->also->id : 0, &also_id);

	if (dec->to->id != f->binding_id)
		d->fc_moved++;
	if (mark != f->mark || dec->to->id != f->binding_id)
		set_flow_mark(d, f, dec->to->id, mark);
	f->also_id = also_id;
	f->policy_id = dec->policy_id;
	f->mode = (uint8_t)dec->mode;
	f->why = why_with_copy(dec->why, also_id);
	f->due_ns = dec->due_ns;
}

/* A flow moved by hand stays on its binding; a make-before-break copy stops if its old binding
 * went. Its binding may have moved to another MAG: the mark follows. */
static void keep_pinned(struct lmad *d, struct fc_flow *f, const struct fc_binding *cur,
                        const struct fc_binding *cands, size_t n)
{
	uint64_t also = f->also_id && find_cand(cands, n, f->also_id) ? f->also_id : 0;
	uint32_t mark = pair_mark(d, cur->mark, also, &also);

	if (mark != f->mark)
		set_flow_mark(d, f, cur->id, mark);
	if (!also && f->why == FC_WHY_MOVING) {
		f->why = FC_WHY_MOVED;
		f->due_ns = 0;
	}
	f->also_id = also;
}

/* Re-decides a flow after a change of its MN's bindings, a hold-down's end or (fresh) a policy
 * change: it moves only if its policy's mode says so. */
static void reconsider_flow(struct lmad *d, struct fc_flow *f, bool fresh, uint64_t now)
{
	struct fc_binding cands[MAX_CANDS];
	const struct bce *owner = owner_of(d, &f->tuple.dst);
	const struct fc_binding *cur;
	struct fc_decision dec;
	size_t n;

	if (!owner) {
		fc_flow_del(d->fc, f); /* its MN has no binding left */
		return;
	}
	n = candidates(d, owner->mn, owner, cands);
	cur = find_cand(cands, n, f->binding_id);
	if (f->pinned && cur) {
		keep_pinned(d, f, cur, cands, n);
		return;
	}
	f->pinned = false; /* its pinned binding is gone */
	fc_decide(d->fc, &f->tuple, owner->mn->id, cands, n, fresh || !cur ? NULL : f, now, &dec);
	if (!dec.to) {
		fc_flow_del(d->fc, f);
		return;
	}
	apply_decision(d, f, &dec);
	if (dec.due_ns)
		lmad_steer_due(d, owner->mn->id, dec.due_ns);
}

const struct bce *lmad_fc_owner(const struct lmad *d, const struct in6_addr *addr)
{
	return owner_of(d, addr);
}

/* Two bindings of one MN behind one MAG share its tunnel, and the MAG routes each packet by its
 * destination prefix: only a binding tag chooses between their interfaces. */
bool lmad_fc_reaches(const struct lmad *d, const struct fc_flow *f, const struct bce *to)
{
	return to == owner_of(d, &f->tuple.dst) || to->tag_mark || !bc_bce_has_sibling(to);
}

int lmad_fc_move(struct lmad *d, struct fc_flow *f, const struct bce *to, uint32_t bicast_ms)
{
	const struct bce *owner = owner_of(d, &f->tuple.dst);
	uint64_t old = f->binding_id, also = 0, now = mono_ns();
	struct fc_binding target;
	uint32_t mark;

	describe(d, to, owner, &target);
	mark = target.mark;
	if (bicast_ms && old != to->id) {
		mark = pair_mark(d, target.mark, old, &also);
		if (!also)
			return -2; /* no copy to be had: nothing changed */
	}
	if (set_flow_mark(d, f, to->id, mark) < 0)
		return -1;
	f->pinned = true;
	f->policy_id = 0;
	f->also_id = also;
	f->why = also ? FC_WHY_MOVING : FC_WHY_MOVED;
	f->due_ns = also ? now + (uint64_t)bicast_ms * 1000000u : 0;
	if (also && lmad_steer_moving(d, f->id, f->due_ns) < 0)
		lmad_fc_move_done(d, f->id); /* no memory to remember it: no copy */
	d->fc_moved++;
	return 0;
}

void lmad_fc_move_done(struct lmad *d, uint32_t flow_id)
{
	struct fc_flow *f = fc_flow_by_id(d->fc, flow_id);

	if (!f || f->why != FC_WHY_MOVING)
		return; /* gone, or moved again since */
	set_flow_mark(d, f, f->binding_id, f->mark & ~KR_FC_DUP_MASK);
	f->also_id = 0;
	f->why = FC_WHY_MOVED;
	f->due_ns = 0;
}

static void reconsider_mn(struct lmad *d, const char *mn_id)
{
	uint64_t now = mono_ns();
	struct fc_flow *f, *next;

	for (f = fc_flow_mn_first(d->fc, mn_id); f; f = next) {
		next = fc_flow_mn_next(d->fc, f);
		reconsider_flow(d, f, false, now);
	}
}

void lmad_fc_mn_changed(struct lmad *d, const struct lma_mn *mn)
{
	uint64_t moved;

	if (!d->fc)
		return;
	moved = d->fc_moved;
	requeue_mn(d, mn);
	lmad_steer_mn_changed(d, mn);
	reconsider_mn(d, mn->id);
	lmad_steer_dup_gc(d);
	if (lma_engine_peer_failing(d->engine))
		d->fc_failed_over += d->fc_moved - moved;
}

void lmad_fc_mn_recheck(struct lmad *d, const char *mn_id)
{
	reconsider_mn(d, mn_id);
}

void lmad_fc_delay_recheck(struct lmad *d, const char *mn_id)
{
	uint64_t now = mono_ns();
	struct fc_flow *f, *next;

	for (f = fc_flow_mn_first(d->fc, mn_id); f; f = next) {
		next = fc_flow_mn_next(d->fc, f);
		if (f->policy_id && f->mode == FC_MODE_SMALLEST_DELAY)
			reconsider_flow(d, f, false, now);
	}
}

/* Reads the flow's connection counters for load-balance by bytes: a flow whose counters moved
 * is in use (touched, as flow_still_active would find it). */
void lmad_fc_read_bytes(struct lmad *d, struct fc_flow *f)
{
	const struct fc_tuple *t = &f->tuple;
	uint64_t packets = 0, bytes = 0;

	if (kr_fc_ct_counters(d->kr, &t->src, &t->dst, t->proto, t->sport, t->dport, &packets,
	                      &bytes) < 0 ||
	    packets == f->packets)
		return;
	f->packets = packets;
	f->bytes = bytes;
	fc_flow_touch(d->fc, f, mono_ns());
}

/* A whole-table walk, and rightly so: a policy may name any MN, prefix or port, so any flow may
 * move. */
void lmad_fc_policies_changed(struct lmad *d)
{
	uint64_t now = mono_ns();
	struct fc_flow *f, *next;

	for (f = fc_flow_first(d->fc); f; f = next) {
		next = fc_flow_next(d->fc, f);
		reconsider_flow(d, f, true, now);
	}
}

/* --- the binding file --- */

uint64_t lmad_fc_changes(const struct lmad *d)
{
	return d->fc ? fc_changes(d->fc) + d->fc_marks_set : 0;
}

void lmad_fc_write_flows(const struct lmad *d, FILE *out)
{
	struct flow_record r;

	for (const struct fc_flow *f = d->fc ? fc_flow_first(d->fc) : NULL; f;
	     f = fc_flow_next(d->fc, f)) {
		r = (struct flow_record){ .bce_id = f->binding_id,
			                  .mark = f->mark,
			                  .tuple = f->tuple,
			                  .policy_id = f->policy_id,
			                  .pinned = f->pinned };
		r.tuple.tclass = 0;
		if (r.mark != 0 && r.bce_id != 0)
			bindings_write_flow(out, &r);
	}
}

/* A flow of the file: its connection kept its mark in the kernel. If its tunnel came back with
 * another id, the connection's mark follows. */
bool lmad_fc_restore_flow(struct lmad *d, const struct flow_record *r)
{
	const struct bce *b = bce_of(d, r->bce_id);
	const struct bce *owner = owner_of(d, &r->tuple.dst);
	struct fc_binding to;
	struct fc_flow *f;

	if (!d->fc || !b || b->state != BCE_ACTIVE || !b->mag->tunnel || !owner ||
	    owner->mn != b->mn)
		return false;
	f = fc_flow_add(d->fc, &r->tuple, b->mn->id, b->id, r->mark,
	                fc_policy_by_id(d->fc, r->policy_id) ? r->policy_id : 0, mono_ns());
	if (!f)
		return false;
	f->pinned = r->pinned;
	describe(d, b, owner, &to);
	if (to.mark != f->mark)
		set_flow_mark(d, f, to.id, to.mark);
	return true;
}

/* The MN's active binding whose tunnel the mark names. */
static const struct bce *bce_of_mark(const struct lmad *d, const struct lma_mn *mn, uint32_t mark)
{
	const struct bce *b;

	LIST_FOREACH(b, &mn->bces, mn_entry)
	if (b->state == BCE_ACTIVE && b->mag->tunnel &&
	    (kr_tunnel_fwmark(d->kr, b->mag->tunnel) == mark || b->tag_mark == mark))
		return b;
	return NULL;
}

/* The kernel's mark is newer than the file's flows (at most binding-sync older): a flow moved
 * since keeps its move when the mark names one of its MN's restored bindings. */
static bool keep_mark(void *arg, const struct in6_addr *src, const struct in6_addr *dst,
                      uint8_t proto, uint16_t sport, uint16_t dport, uint32_t mark)
{
	struct fc_tuple t = {
		.src = *src, .dst = *dst, .sport = sport, .dport = dport, .proto = proto
	};
	struct lmad *d = arg;
	struct fc_flow *f = fc_flow_conn_first(d->fc, &t);
	const struct bce *owner = owner_of(d, dst);
	const struct bce *b = owner ? bce_of_mark(d, owner->mn, mark) : NULL;

	if (f && f->mark == mark)
		return true; /* as the file has it */
	if (!b)
		return false; /* its binding did not come back */
	/* a connection new since the file was written: its flow learnt again */
	if (!f)
		return fc_flow_add(d->fc, &t, owner->mn->id, b->id, mark, 0, mono_ns()) != NULL;
	f->binding_id = b->id;
	f->mark = mark;
	d->fc_marks_set++;
	return true;
}

void lmad_fc_reconcile_marks(struct lmad *d)
{
	size_t before;
	int cleared;

	if (!d->fc)
		return;
	before = fc_flow_count(d->fc);
	cleared = kr_fc_reconcile_marks(d->kr, keep_mark, d);
	if (cleared >= 0)
		log_info("flow steering: %zu flows learnt from conntrack, %d marks cleared",
		         fc_flow_count(d->fc) - before, cleared);
}

/* --- the queue --- */

static uint32_t classify(void *arg, const uint8_t *pkt, size_t len)
{
	struct lmad *d = arg;
	struct fc_binding cands[MAX_CANDS];
	const struct bce *owner;
	struct fc_tuple t;
	struct fc_flow *f;
	uint32_t mark;
	size_t n;

	if (fc_parse_packet(pkt, len, &t) != FC_OK || !(owner = owner_of(d, &t.dst)))
		return 0; /* not ours to steer: the main table routes it */
	f = fc_flow_find(d->fc, &t);
	if (f)
		return f->mark; /* its connection lost the mark (or is new again): same answer */
	n = candidates(d, owner->mn, owner, cands);
	/* past the bounds: the default binding, and the table does not grow (fail open) */
	mark = fc_classify_new(d->fc, &t, owner->mn->id, cands, n, mono_ns(), &f);
	if (!f)
		return mark;
	if (f->also_id) /* bicast: the copy's slot in the mark */
		mark = f->mark = pair_mark(d, mark, f->also_id, &f->also_id);
	f->why = why_with_copy(f->why, f->also_id);
	if (f->due_ns)
		lmad_steer_due(d, owner->mn->id, f->due_ns);
	return mark;
}

static void queue_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lmad *d = w->data;

	(void)loop;
	(void)revents;
	kr_fc_queue_read(d->kr, classify, d);
}

static void connection_gone(void *arg, const struct in6_addr *src, const struct in6_addr *dst,
                            uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct fc_tuple conn = {
		.src = *src, .dst = *dst, .sport = sport, .dport = dport, .proto = proto
	};
	struct lmad *d = arg;
	struct fc_flow *f, *next;

	/* the flow label is not part of a connection: every flow of it goes */
	for (f = fc_flow_conn_first(d->fc, &conn); f; f = next) {
		next = fc_flow_conn_next(d->fc, f);
		fc_flow_del(d->fc, f);
	}
}

static void events_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lmad *d = w->data;

	(void)loop;
	(void)revents;
	kr_fc_events_read(d->kr, connection_gone, d);
	fc_compact(d->fc); /* a flood's connections ending: its buckets go back */
}

/* A flow whose connection's counters moved since last asked is still in use; one whose
 * connection is gone, or was never made (a flood's), is not. */
static bool flow_still_active(void *arg, struct fc_flow *f)
{
	struct lmad *d = arg;
	const struct fc_tuple *t = &f->tuple;
	uint64_t packets = 0, bytes = 0;

	if (kr_fc_ct_counters(d->kr, &t->src, &t->dst, t->proto, t->sport, t->dport, &packets,
	                      &bytes) < 0 ||
	    packets == f->packets)
		return false;
	f->packets = packets;
	f->bytes = bytes;
	return true;
}

/* After a flood has left: the flows' own memory back to the system, not only the buckets. */
static void give_memory_back(struct lmad *d)
{
	size_t n = fc_flow_count(d->fc);

	if (n > d->fc_peak)
		d->fc_peak = n;
	if (d->fc_peak - n < SWEEP_TRIM_FLOWS)
		return;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	d->fc_peak = n;
}

/* Flows whose connection counters did not move for the idle time leave the table. Only flows
 * not seen active for that long are asked about (one ctnetlink request each), oldest first, at
 * most SWEEP_STEP per run of the loop: after a flood of flows that had no connection made, tens
 * of thousands are due at once, and a PBU must not wait for them all. */
static void idle_sweep(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lmad *d = w->data;
	uint64_t now = mono_ns(), idle = (uint64_t)d->conf->flow_idle_ms * 1000000ull;
	bool more;

	(void)revents;
	more = fc_flow_sweep(d->fc, now > idle ? now - idle : 0, now, SWEEP_STEP, flow_still_active,
	                     d);
	w->repeat = more ? SWEEP_PAUSE_S : SWEEP_PERIOD_S;
	ev_timer_again(loop, w);
	if (!more)
		give_memory_back(d);
}

/* Before the loop sleeps: the queueing changes of this iteration, in one ip6tables-restore run. */
static void prefixes_due(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct lmad *d = w->data;

	(void)loop;
	(void)revents;
	if (kr_fc_prefixes_flush(d->kr) > 0)
		log_warnx("flow steering: new traffic to some prefixes goes unclassified (see "
		          "above)");
}

int lmad_fc_start(struct lmad *d)
{
	struct kr_fc_config c = { .queue_num = d->conf->queue_num,
		                  .fail_open = d->conf->fail_open,
		                  .keep_marks = d->conf->binding_path[0] != '\0',
		                  .copy_range = 128 };
	char err[256];

	if (kr_fc_open(d->kr, &c, err, sizeof(err)) < 0) {
		log_warnx("flow steering: %s", err);
		return -1;
	}
	d->fc = fc_new();
	if (!d->fc || !hmap_init(&d->fc_queued, 64) || lmad_steer_start(d) < 0)
		return -1;
	lmad_fc_load_conf(d);
	/* a loop turn serves PBUs and control requests before a batch of queued packets: under
	 * a flood of new flows they wait for at most one batch, not for theirs to come round */
	ev_io_init(&d->queue_w, queue_readable, kr_fc_queue_fd(d->kr), EV_READ);
	ev_set_priority(&d->queue_w, EV_MINPRI);
	d->queue_w.data = d;
	ev_io_start(d->loop, &d->queue_w);
	ev_io_init(&d->events_w, events_readable, kr_fc_events_fd(d->kr), EV_READ);
	ev_set_priority(&d->events_w, EV_MINPRI);
	d->events_w.data = d;
	ev_io_start(d->loop, &d->events_w);
	ev_timer_init(&d->idle_w, idle_sweep, SWEEP_PERIOD_S, SWEEP_PERIOD_S);
	d->idle_w.data = d;
	ev_timer_start(d->loop, &d->idle_w);
	ev_prepare_init(&d->prefixes_w, prefixes_due);
	d->prefixes_w.data = d;
	ev_prepare_start(d->loop, &d->prefixes_w);
	return 0;
}

/* The configuration's policies replace the previous configuration's, its bounds apply (start,
 * reload). Those added with pmipctl keep their ids and order; the configuration's come after
 * them. */
size_t lmad_fc_load_conf(struct lmad *d)
{
	const struct lma_conf_policy *cp;
	uint32_t *ids;
	size_t n = 0;

	fc_set_limits(d->fc, d->conf->flow_max, d->conf->flow_max_mn);
	for (size_t i = 0; i < d->fc_n_conf; i++)
		fc_policy_del(d->fc, d->fc_conf_ids[i]);
	ids = realloc(d->fc_conf_ids, (d->conf->n_policies + 1) * sizeof(*ids));
	if (!ids) {
		log_warnx("flow steering: out of memory, no policy of the configuration applies");
		d->fc_n_conf = 0;
		return fc_policy_count(d->fc);
	}
	d->fc_conf_ids = ids;
	TAILQ_FOREACH(cp, &d->conf->policies, entry)
	{
		uint32_t id = fc_policy_add(d->fc, &cp->policy, 0);

		if (id)
			ids[n++] = id;
	}
	d->fc_n_conf = n;
	return fc_policy_count(d->fc) - n;
}

void lmad_fc_stop(struct lmad *d)
{
	if (!d->fc)
		return;
	ev_io_stop(d->loop, &d->queue_w);
	ev_io_stop(d->loop, &d->events_w);
	ev_timer_stop(d->loop, &d->idle_w);
	ev_prepare_stop(d->loop, &d->prefixes_w);
	/* no rule deletion per prefix: kr_fc_close removes the chains whole, pending changes too */
	for (size_t i = 0; i <= d->fc_queued.last; i++)
		while (d->fc_queued.buckets[i]) {
			struct queued_prefix *q =
			        HMAP_ENTRY(d->fc_queued.buckets[i], struct queued_prefix, node);

			hmap_remove(&d->fc_queued, &q->node);
			free(q);
		}
	hmap_free(&d->fc_queued);
	lmad_steer_stop(d);
	kr_fc_close(d->kr);
	fc_free(d->fc);
	d->fc = NULL;
	free(d->fc_conf_ids);
	d->fc_conf_ids = NULL;
	d->fc_n_conf = 0;
}
