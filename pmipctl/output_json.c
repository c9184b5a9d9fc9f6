/* output_json.c: pmipctl -j, built with jansson so that the document is well-formed by
 * construction: bindings as [{"mn_id": ..., "bindings": [...]}, ...], counters as
 * {"group": {"name": value, ...}, ...} (a group's counters in one object wherever they come in
 * the answer; a counter sent twice is an error, never a duplicate key), flows and policies as
 * arrays of objects (a policy with its steering mode and targets), the version as one object. Shapes documented in pmipctl(8). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <jansson.h>

#include "pmipctl/output.h"

static json_t *root;    /* the document being built */
static bool incomplete; /* something could not be added: the document is not printed whole */

/* A string from a record: its bytes up to a NUL or max; anything not UTF-8 (a daemon bug) is
 * shown with '?' for each byte that is not plain ASCII. */
static json_t *text(const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	json_t *j = json_stringn(s, len);
	char safe[256];

	if (j || len >= sizeof(safe))
		return j;
	for (size_t i = 0; i < len; i++)
		safe[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	return json_stringn(safe, len);
}

static json_t *address(const uint8_t addr[16])
{
	char a[INET6_ADDRSTRLEN];

	format_addr(addr, a, sizeof(a));
	return json_string(a);
}

/* Adds value under key, taking the reference; notes a failure (out of memory, bad string). */
static void put(json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value || json_object_set_new(obj, key, value) < 0)
		incomplete = true;
}

static void append(json_t *array, json_t *value)
{
	if (!array || !value || json_array_append_new(array, value) < 0)
		incomplete = true;
}

static void json_begin(int kind)
{
	incomplete = false;
	json_decref(root);
	if (kind == OUT_NOTHING)
		root = NULL;
	else
		root = kind == OUT_STATS || kind == OUT_VERSION ? json_object() : json_array();
}

static json_t *prefixes(const struct ctl_prefix *p, unsigned n)
{
	json_t *a = json_array();
	char pfx[64];

	for (unsigned i = 0; i < n && i < CTL_BINDING_MAX_PREFIXES; i++) {
		format_prefix(&p[i], pfx, sizeof(pfx));
		append(a, json_string(pfx));
	}
	return a;
}

/* The bindings array of the MN: the last one's if the records are still about it. */
static json_t *mn_bindings(const char *mn_id, size_t max)
{
	json_t *last = json_array_get(root, json_array_size(root) - 1);
	const char *id = json_string_value(json_object_get(last, "mn_id"));
	json_t *mn;

	if (id && strncmp(id, mn_id, max) == 0 && strlen(id) == strnlen(mn_id, max))
		return json_object_get(last, "bindings");
	mn = json_object();
	put(mn, "mn_id", text(mn_id, max));
	put(mn, "bindings", json_array());
	append(root, mn);
	return json_object_get(mn, "bindings");
}

static void json_binding(const struct ctl_binding *b)
{
	json_t *o = json_object();
	char llid[100];

	format_llid(b, llid, sizeof(llid));
	put(o, "id", json_integer((json_int_t)b->id));
	put(o, "prefixes", prefixes(b->prefix, b->n_prefix));
	put(o, "other_prefixes", prefixes(b->other, b->n_other));
	put(o, "peer", address(b->peer));
	put(o, "att", json_integer(b->att));
	put(o, "att_name", json_string(att_name(b->att)));
	put(o, "hi", json_integer(b->hi));
	put(o, "link_layer_id", json_string(llid));
	put(o, "state", text(b->state_name, sizeof(b->state_name)));
	put(o, "lifetime", json_integer(b->lifetime_s));
	put(o, "remaining", json_integer(b->remaining_s));
	put(o, "tunnel", json_integer(b->tunnel));
	put(o, "tag", b->tag_mark ? json_integer(b->tag) : json_null());
	put(o, "tag_mark", b->tag_mark ? json_integer(b->tag_mark) : json_null());
	put(o, "muho", json_boolean(b->muho));
	append(mn_bindings(b->mn_id, sizeof(b->mn_id)), o);
}

static void json_stat(const struct ctl_stat *s)
{
	char group[sizeof(s->group) + 1], name[sizeof(s->name) + 1];
	json_t *g;

	snprintf(group, sizeof(group), "%.*s", (int)sizeof(s->group), s->group);
	snprintf(name, sizeof(name), "%.*s", (int)sizeof(s->name), s->name);
	g = json_object_get(root, group);
	if (!g) {
		g = json_object();
		put(root, group, g);
	}
	if (json_object_get(g, name)) {
		fprintf(stderr, "pmipctl: the daemon sent the counter %s %s twice\n", group, name);
		incomplete = true;
		return;
	}
	put(g, name, json_integer((json_int_t)s->value));
}

/* "mode" (null without a policy), "why", "also_binding" (bicast or a make-before-break move:
 * null or the second binding, its MAG and att), "due_ms" (a hold-down or a move's time left). */
static void flow_steering(json_t *o, const struct ctl_flow *f)
{
	json_t *also = json_null();

	put(o, "mode", f->policy_id ? json_string(fc_mode_name(f->mode)) : json_null());
	put(o, "why", json_string(fc_why_name(f->why)));
	if (f->also_binding_id) {
		also = json_object();
		put(also, "id", json_integer((json_int_t)f->also_binding_id));
		put(also, "mag", address(f->also_mag));
		put(also, "att", json_integer(f->also_att));
	}
	put(o, "also_binding", also);
	put(o, "due_ms", json_integer(f->due_ms));
}

static void json_flow(const struct ctl_flow *f)
{
	json_t *o = json_object();
	char p[8];

	put(o, "id", json_integer(f->id));
	put(o, "mn_id", text(f->mn_id, sizeof(f->mn_id)));
	put(o, "proto", json_string(proto_label(f->proto, p, sizeof(p))));
	put(o, "proto_number", json_integer(f->proto));
	put(o, "src", address(f->src));
	put(o, "sport", json_integer(f->sport));
	put(o, "dst", address(f->dst));
	put(o, "dport", json_integer(f->dport));
	put(o, "flow_label", json_integer(f->flow_label));
	put(o, "binding", json_integer((json_int_t)f->binding_id));
	put(o, "mag", address(f->mag));
	put(o, "att", json_integer(f->att));
	put(o, "packets", json_integer((json_int_t)f->packets));
	put(o, "bytes", json_integer((json_int_t)f->bytes));
	put(o, "age", json_integer(f->age_s));
	put(o, "policy", json_integer(f->policy_id));
	put(o, "moved", json_boolean(f->pinned));
	flow_steering(o, f);
	append(root, o);
}

static json_t *policy_prefix(const struct mh_prefix *p)
{
	struct ctl_prefix c = { .len = p->len };
	char pfx[64];

	memcpy(c.addr, &p->addr, 16);
	format_prefix(&c, pfx, sizeof(pfx));
	return json_string(pfx);
}

/* A port range as {"from": N, "to": M}; none when it is every port. */
static void policy_ports(json_t *o, const char *key, uint16_t lo, uint16_t hi)
{
	json_t *r;

	if (lo == 0 && hi == 65535)
		return;
	r = json_object();
	put(r, "from", json_integer(lo));
	put(r, "to", json_integer(hi));
	put(o, key, r);
}

/* The match fields a policy sets; those it leaves out match anything. */
static json_t *policy_match(const struct fc_match *m)
{
	json_t *o = json_object();
	char p[8];

	if (m->mn_id[0])
		put(o, "mn_id", text(m->mn_id, sizeof(m->mn_id)));
	if (m->have_src)
		put(o, "src", policy_prefix(&m->src));
	if (m->have_dst)
		put(o, "dst", policy_prefix(&m->dst));
	if (m->have_proto) {
		put(o, "proto", json_string(proto_label(m->proto, p, sizeof(p))));
		put(o, "proto_number", json_integer(m->proto));
	}
	policy_ports(o, "src_port", m->sport_lo, m->sport_hi);
	policy_ports(o, "dst_port", m->dport_lo, m->dport_hi);
	if (m->have_flow_label)
		put(o, "flow_label", json_integer(m->flow_label));
	if (m->have_tclass)
		put(o, "traffic_class", json_integer(m->tclass));
	return o;
}

/* One target as {"kind": "att"|"mag"|"llid"|"default"} with its value under the same name,
 * and its weight under load-balance. */
static json_t *policy_target(const struct fc_target *t)
{
	static const char *const kinds[] = { [FC_TARGET_DEFAULT] = "default",
		                             [FC_TARGET_ATT] = "att",
		                             [FC_TARGET_MAG] = "mag",
		                             [FC_TARGET_LLID] = "llid" };
	struct ctl_binding llid = { .llid_len = t->llid_len };
	json_t *o = json_object();
	char buf[100];

	put(o, "kind", json_string((unsigned)t->kind < 4 ? kinds[t->kind] : "unknown"));
	if (t->kind == FC_TARGET_ATT)
		put(o, "att", json_integer(t->att));
	if (t->kind == FC_TARGET_MAG)
		put(o, "mag", address(t->mag.s6_addr));
	if (t->kind == FC_TARGET_LLID) {
		memcpy(llid.llid, t->llid, t->llid_len < MH_LLID_MAX ? t->llid_len : MH_LLID_MAX);
		format_llid(&llid, buf, sizeof(buf));
		put(o, "llid", json_string(buf));
	}
	if (t->weight)
		put(o, "weight", json_integer(t->weight));
	return o;
}

/* {"percent": N} or {"ms": N}. */
static json_t *hysteresis(const struct fc_policy *p)
{
	json_t *o = json_object();

	if (p->hysteresis_ms)
		put(o, "ms", json_integer(p->hysteresis_ms));
	else
		put(o, "percent", json_integer(p->hysteresis_pct));
	return o;
}

static void json_policy(const struct fc_policy *p)
{
	json_t *o = json_object(), *targets = json_array();

	for (unsigned i = 0; i < p->n_targets && i < FC_TARGETS_MAX; i++)
		append(targets, policy_target(&p->targets[i]));
	put(o, "id", json_integer(p->id));
	put(o, "match", policy_match(&p->match));
	put(o, "mode", json_string(fc_mode_name(p->mode)));
	put(o, "targets", targets);
	put(o, "fail_back", json_boolean(p->fail_back));
	put(o, "hold_down_ms", json_integer(p->hold_down_ms));
	if (p->mode == FC_MODE_LOAD_BALANCE)
		put(o, "by", json_string(p->by_bytes ? "bytes" : "flows"));
	if (p->mode == FC_MODE_SMALLEST_DELAY)
		put(o, "hysteresis", hysteresis(p));
	append(root, o);
}

static void json_peer(const struct ctl_peer *p)
{
	json_t *o = json_object();

	put(o, "address", address(p->addr));
	put(o, "heartbeat", p->heartbeat ? text(p->state_name, sizeof(p->state_name))
	                                 : json_string("off"));
	put(o, "rtt_us", json_integer((json_int_t)p->rtt_us));
	put(o, "srtt_us", json_integer((json_int_t)p->srtt_us));
	put(o, "restart_counter", p->have_restart ? json_integer(p->restart_counter) : json_null());
	put(o, "last_seen_ms", p->last_seen_ms >= 0 ? json_integer(p->last_seen_ms) : json_null());
	put(o, "misses", json_integer(p->misses));
	put(o, "bindings", json_integer(p->bindings));
	put(o, "stale", json_integer(p->stale));
	put(o, "requests", json_integer((json_int_t)p->requests));
	put(o, "responses", json_integer((json_int_t)p->responses));
	append(root, o);
}

static void json_version(const struct ctl_version *v)
{
	put(root, "daemon", text(v->daemon, sizeof(v->daemon)));
	put(root, "version", text(v->version, sizeof(v->version)));
}

static int json_end(void)
{
	int rc = 0;

	if (root && (json_dumpf(root, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) < 0 ||
	             putchar('\n') == EOF))
		rc = -1;
	json_decref(root);
	root = NULL;
	return incomplete ? -1 : rc;
}

const struct output output_json = {
	.begin = json_begin,
	.binding = json_binding,
	.stat = json_stat,
	.flow = json_flow,
	.policy = json_policy,
	.version = json_version,
	.peer = json_peer,
	.end = json_end,
};
