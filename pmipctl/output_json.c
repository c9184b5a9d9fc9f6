/* output_json.c: pmipctl -j: bindings as [{"mn_id": ..., "bindings": [...]}, ...], counters as
 * {"group": {"name": value, ...}, ...}. Strings are escaped; the shape is stable. */
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
	       "\"policy\":%u,\"moved\":%s}",
	       proto_label(f->proto, p, sizeof(p)), f->proto, src, f->sport, dst, f->dport,
	       f->flow_label, (unsigned long long)f->binding_id, mag, f->att,
	       (unsigned long long)f->packets, (unsigned long long)f->bytes, f->age_s, f->policy_id,
	       f->pinned ? "true" : "false");
	any_inner = true;
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
	printf("}");
	free(words);
	any_inner = true;
}

static void json_peer(const struct ctl_peer *p)
{
	char addr[64];

	format_addr(p->addr, addr, sizeof(addr));
	printf("%s{\"address\":\"%s\",\"heartbeat\":", any_inner ? "," : "", addr);
	json_string(p->heartbeat ? p->state_name : "off", sizeof(p->state_name));
	printf(",\"rtt_us\":%llu,\"srtt_us\":%llu,\"restart_counter\":",
	       (unsigned long long)p->rtt_us, (unsigned long long)p->srtt_us);
	if (p->have_restart)
		printf("%u", p->restart_counter);
	else
		printf("null");
	printf(",\"last_seen_ms\":");
	if (p->last_seen_ms >= 0)
		printf("%lld", (long long)p->last_seen_ms);
	else
		printf("null");
	printf(",\"misses\":%u,\"bindings\":%u,\"stale\":%u,\"requests\":%llu,"
	       "\"responses\":%llu}",
	       p->misses, p->bindings, p->stale, (unsigned long long)p->requests,
	       (unsigned long long)p->responses);
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

const struct output output_json = { json_begin, json_binding, json_stat, json_flow,
	                            json_policy, json_peer,    json_end };
