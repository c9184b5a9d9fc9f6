/* output_json.c: pmipctl -j: bindings as [{"mn_id": ..., "bindings": [...]}, ...], counters as
 * {"group": {"name": value, ...}, ...}. Strings are escaped; the shape is stable. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/fc_words.h"
#include "pmipctl/output.h"

static int action_kind;
static bool open_item; /* an MN or a group is open */
static bool any_inner; /* it has members already */
static char current[CTL_ID_MAX];

static void json_string(const char *s, size_t max)
{
	putchar('"');
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void json_begin(int kind)
{
	action_kind = kind;
	open_item = any_inner = false;
	current[0] = '\0';
	if (kind != OUT_NOTHING)
		putchar(kind == OUT_STATS ? '{' : '[');
}

/* Opens a new MN (or counter group) when the name changes. */
static void enter(const char *name, size_t max, const char *opening)
{
	if (open_item && strncmp(current, name, sizeof(current)) == 0)
		return;
	if (open_item)
		printf(action_kind == OUT_BINDINGS ? "]}," : "},");
	snprintf(current, sizeof(current), "%.*s", (int)max, name);
	fputs(opening, stdout);
	json_string(current, sizeof(current));
	printf(action_kind == OUT_BINDINGS ? ",\"bindings\":[" : ":{");
	open_item = true;
	any_inner = false;
}

static void json_binding(const struct ctl_binding *b)
{
	char mag[64], llid[100], pfx[64];

	enter(b->mn_id, sizeof(b->mn_id), "{\"mn_id\":");
	format_addr(b->peer, mag, sizeof(mag));
	format_llid(b, llid, sizeof(llid));
	printf("%s{\"id\":%llu,\"prefixes\":[", any_inner ? "," : "", (unsigned long long)b->id);
	for (unsigned i = 0; i < b->n_prefix && i < CTL_BINDING_MAX_PREFIXES; i++) {
		format_prefix(&b->prefix[i], pfx, sizeof(pfx));
		printf("%s\"%s\"", i ? "," : "", pfx);
	}
	printf("],\"other_prefixes\":[");
	for (unsigned i = 0; i < b->n_other && i < CTL_BINDING_MAX_PREFIXES; i++) {
		format_prefix(&b->other[i], pfx, sizeof(pfx));
		printf("%s\"%s\"", i ? "," : "", pfx);
	}
	printf("],\"peer\":\"%s\",\"att\":%u,\"att_name\":", mag, b->att);
	json_string(att_name(b->att), 32);
	printf(",\"hi\":%u,\"link_layer_id\":\"%s\",\"state\":", b->hi, llid);
	json_string(b->state_name, sizeof(b->state_name));
	printf(",\"lifetime\":%u,\"remaining\":%u,\"tunnel\":%u,\"muho\":%s}", b->lifetime_s,
	       b->remaining_s, b->tunnel, b->muho ? "true" : "false");
	any_inner = true;
}

static void json_stat(const struct ctl_stat *s)
{
	enter(s->group, sizeof(s->group), "");
	printf("%s", any_inner ? "," : "");
	json_string(s->name, sizeof(s->name));
	printf(":%llu", (unsigned long long)s->value);
	any_inner = true;
}

/* "mode" (null without a policy), "why", "also_binding" (bicast or a make-before-break move:
 * null or the second binding, its MAG and att), "due_ms" (a hold-down or a move's time left). */
static void json_flow_steering(const struct ctl_flow *f)
{
	char mag[64];

	if (f->policy_id)
		printf(",\"mode\":\"%s\"", fc_mode_name(f->mode));
	else
		printf(",\"mode\":null");
	printf(",\"why\":\"%s\",\"also_binding\":", fc_why_name(f->why));
	if (f->also_binding_id) {
		format_addr(f->also_mag, mag, sizeof(mag));
		printf("{\"id\":%llu,\"mag\":\"%s\",\"att\":%u}",
		       (unsigned long long)f->also_binding_id, mag, f->also_att);
	} else {
		printf("null");
	}
	printf(",\"due_ms\":%u}", f->due_ms);
}

static void json_flow(const struct ctl_flow *f)
{
	char src[64], dst[64], mag[64], p[8];

	format_addr(f->src, src, sizeof(src));
	format_addr(f->dst, dst, sizeof(dst));
	format_addr(f->mag, mag, sizeof(mag));
	printf("%s{\"id\":%u,\"mn_id\":", any_inner ? "," : "", f->id);
	json_string(f->mn_id, sizeof(f->mn_id));
	printf(",\"proto\":\"%s\",\"proto_number\":%u,\"src\":\"%s\",\"sport\":%u,"
	       "\"dst\":\"%s\",\"dport\":%u,\"flow_label\":%u,\"binding\":%llu,"
	       "\"mag\":\"%s\",\"att\":%u,\"packets\":%llu,\"bytes\":%llu,\"age\":%u,"
	       "\"policy\":%u,\"moved\":%s",
	       proto_label(f->proto, p, sizeof(p)), f->proto, src, f->sport, dst, f->dport,
	       f->flow_label, (unsigned long long)f->binding_id, mag, f->att,
	       (unsigned long long)f->packets, (unsigned long long)f->bytes, f->age_s, f->policy_id,
	       f->pinned ? "true" : "false");
	json_flow_steering(f);
	any_inner = true;
}

static void json_match(const struct fc_match *m)
{
	char a[INET6_ADDRSTRLEN];

	printf(",\"match\":{\"mn_id\":");
	if (m->mn_id[0])
		json_string(m->mn_id, sizeof(m->mn_id));
	else
		printf("null");
	if (m->have_src)
		printf(",\"src\":\"%s/%u\"", inet_ntop(AF_INET6, &m->src.addr, a, sizeof(a)),
		       m->src.len);
	if (m->have_dst)
		printf(",\"dst\":\"%s/%u\"", inet_ntop(AF_INET6, &m->dst.addr, a, sizeof(a)),
		       m->dst.len);
	if (m->have_proto)
		printf(",\"proto\":%u", m->proto);
	printf(",\"src_port\":[%u,%u],\"dst_port\":[%u,%u]", m->sport_lo, m->sport_hi,
	       m->dport_lo, m->dport_hi);
	if (m->have_flow_label)
		printf(",\"flow_label\":%u", (unsigned)m->flow_label);
	if (m->have_tclass)
		printf(",\"traffic_class\":%u", m->tclass);
	printf("}");
}

static void json_target(const struct fc_target *t)
{
	static const char *const kinds[] = { "default", "att", "mag", "llid" };
	char a[INET6_ADDRSTRLEN];

	printf("{\"kind\":\"%s\"", (unsigned)t->kind < 4 ? kinds[t->kind] : "unknown");
	if (t->kind == FC_TARGET_ATT)
		printf(",\"att\":%u", t->att);
	if (t->kind == FC_TARGET_MAG)
		printf(",\"mag\":\"%s\"", inet_ntop(AF_INET6, &t->mag, a, sizeof(a)));
	if (t->kind == FC_TARGET_LLID) {
		printf(",\"llid\":\"");
		for (unsigned i = 0; i < t->llid_len && i < MH_LLID_MAX; i++)
			printf("%s%02x", i ? ":" : "", t->llid[i]);
		printf("\"");
	}
	if (t->weight)
		printf(",\"weight\":%u", t->weight);
	printf("}");
}

/* The policy as fields: match, mode, targets in order, fail-back and hold-down. */
static void json_policy_fields(const struct fc_policy *p)
{
	json_match(&p->match);
	printf(",\"mode\":\"%s\",\"targets\":[", fc_mode_name(p->mode));
	for (unsigned i = 0; i < p->n_targets && i < FC_TARGETS_MAX; i++) {
		printf("%s", i ? "," : "");
		json_target(&p->targets[i]);
	}
	printf("],\"fail_back\":%s,\"hold_down_ms\":%u", p->fail_back ? "true" : "false",
	       p->hold_down_ms);
}

static void json_policy(const struct fc_policy *p)
{
	char *words = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&words, &len);

	if (f) {
		fc_policy_print_words(f, p);
		if (fclose(f) != 0)
			len = 0;
	}
	printf("%s{\"id\":%u,\"policy\":", any_inner ? "," : "", p->id);
	json_string(words ? words : "", words ? len : 0); /* an NAI may hold a double quote */
	json_policy_fields(p);
	printf("}");
	free(words);
	any_inner = true;
}

static void json_end(void)
{
	if (action_kind == OUT_NOTHING)
		return;
	if (open_item)
		printf(action_kind == OUT_BINDINGS ? "]}" : "}");
	printf(action_kind == OUT_STATS ? "}\n" : "]\n");
}

const struct output output_json = { json_begin, json_binding, json_stat,
	                            json_flow,  json_policy,  json_end };
