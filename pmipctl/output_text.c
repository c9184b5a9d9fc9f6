/* output_text.c: pmipctl's output for people: bindings grouped by mobile node (each with its
 * peer: the MAG's Proxy-CoA at the LMA, the LMA at a MAG), counters by group. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <stdbool.h>

#include "lma/fc_words.h"
#include "pmipctl/output.h"

static const char *const att_names[] = {
	"reserved", "virtual", "PPP",   "IEEE 802.3", "IEEE 802.11", "IEEE 802.16e", "GERAN",
	"UTRAN",    "E-UTRAN", "eHRPD", "HRPD",       "1xRTT",       "UMB",          "NB-IoT",
};

const char *att_name(unsigned att)
{
	return att < sizeof(att_names) / sizeof(att_names[0]) ? att_names[att] : "unknown";
}

void format_addr(const uint8_t addr[16], char *buf, size_t len)
{
	if (!inet_ntop(AF_INET6, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void format_prefix(const struct ctl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	format_addr(p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

void format_llid(const struct ctl_binding *b, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < b->llid_len && i < sizeof(b->llid) && off + 4 <= len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ":%02x" : "%02x", b->llid[i]);
	if (b->llid_len == 0)
		snprintf(buf, len, "-");
}

static char last_mn[CTL_ID_MAX];
static char last_group[16];

static void text_begin(int action)
{
	(void)action;
	last_mn[0] = last_group[0] = '\0';
}

static void text_binding(const struct ctl_binding *b)
{
	char mag[INET6_ADDRSTRLEN], llid[100], pfx[64], att[32], tag[40] = "";

	if (strncmp(last_mn, b->mn_id, sizeof(last_mn)) != 0) {
		snprintf(last_mn, sizeof(last_mn), "%.*s", (int)sizeof(b->mn_id) - 1, b->mn_id);
		printf("%s\n", last_mn);
	}
	format_addr(b->peer, mag, sizeof(mag));
	format_llid(b, llid, sizeof(llid));
	snprintf(att, sizeof(att), "%s (%u)", att_name(b->att), b->att);
	if (b->tag_mark)
		snprintf(tag, sizeof(tag), "  tag 0x%05x mark %u", b->tag, b->tag_mark);
	for (unsigned i = 0; i < b->n_prefix && i < CTL_BINDING_MAX_PREFIXES; i++) {
		format_prefix(&b->prefix[i], pfx, sizeof(pfx));
		if (i == 0)
			printf("  binding %-4llu %-22s peer %-18s %-17s %-17s %-12s %u/%us%s%s\n",
			       (unsigned long long)b->id, pfx, mag, att, llid, b->state_name,
			       b->remaining_s, b->lifetime_s, b->muho ? "  muho" : "", tag);
		else
			printf("               %s\n", pfx);
	}
	for (unsigned i = 0; i < b->n_other && i < CTL_BINDING_MAX_PREFIXES; i++) {
		format_prefix(&b->other[i], pfx, sizeof(pfx));
		printf("               %s (other interface)\n", pfx);
	}
}

static void text_stat(const struct ctl_stat *s)
{
	if (strncmp(last_group, s->group, sizeof(last_group)) != 0) {
		snprintf(last_group, sizeof(last_group), "%.*s", (int)sizeof(s->group) - 1,
		         s->group);
		printf("%s\n", last_group);
	}
	printf("  %-28.*s %llu\n", (int)sizeof(s->name), s->name, (unsigned long long)s->value);
}

const char *proto_label(uint8_t proto, char *buf, size_t len)
{
	const char *name = fc_proto_name(proto);

	if (name)
		return name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

static bool flow_header_done;

static void endpoint(const uint8_t addr[16], uint16_t port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	format_addr(addr, a, sizeof(a));
	snprintf(buf, len, "[%s]:%u", a, port);
}

/* "policy 3 load-balance hash", "- - moved", "policy 2 bicast bicast +binding 4 (MAG, att)",
 * "policy 1 priority hold-down 4s". */
static void text_steering(const struct ctl_flow *f)
{
	char mag[INET6_ADDRSTRLEN];

	if (f->policy_id)
		printf("%u %s ", f->policy_id, fc_mode_name(f->mode));
	else
		printf("- - ");
	printf("%s", fc_why_name(f->why));
	if (f->also_binding_id) {
		format_addr(f->also_mag, mag, sizeof(mag));
		printf(" +binding %llu (%s, att %u)", (unsigned long long)f->also_binding_id, mag,
		       f->also_att);
	}
	if (f->due_ms)
		printf(" %u.%03us left", f->due_ms / 1000, f->due_ms % 1000);
	printf("\n");
}

static void text_flow(const struct ctl_flow *f)
{
	char src[64], dst[64], mag[INET6_ADDRSTRLEN], p[8];

	if (!flow_header_done) {
		printf("%-6s %-18s %-7s %-34s %-34s %-7s %-8s %-18s %-4s %10s %12s %6s  %s\n",
		       "FLOW", "MN", "PROTO", "SOURCE", "DESTINATION", "LABEL", "BINDING", "MAG",
		       "ATT", "PACKETS", "BYTES", "AGE", "POLICY MODE WHY");
		flow_header_done = true;
	}
	endpoint(f->src, f->sport, src, sizeof(src));
	endpoint(f->dst, f->dport, dst, sizeof(dst));
	format_addr(f->mag, mag, sizeof(mag));
	printf("%-6u %-18.*s %-7s %-34s %-34s 0x%05x %-8llu %-18s %-4u %10llu %12llu %5us  ",
	       f->id, 18, f->mn_id, proto_label(f->proto, p, sizeof(p)), src, dst, f->flow_label,
	       (unsigned long long)f->binding_id, mag, f->att, (unsigned long long)f->packets,
	       (unsigned long long)f->bytes, f->age_s);
	text_steering(f);
}

static void text_policy(const struct fc_policy *p)
{
	printf("policy %u: ", p->id);
	fc_policy_print_words(stdout, p);
	printf("\n");
}

static bool peer_header_done;

static void millis(uint64_t us, char *buf, size_t len)
{
	if (us)
		snprintf(buf, len, "%llu.%03llums", (unsigned long long)(us / 1000),
		         (unsigned long long)(us % 1000));
	else
		snprintf(buf, len, "-");
}

static void text_peer(const struct ctl_peer *p)
{
	char addr[INET6_ADDRSTRLEN], rtt[32], srtt[32], seen[32], rc[16];

	if (!peer_header_done) {
		printf("%-26s %-12s %11s %11s %11s %10s %6s %8s %5s\n", "PEER", "HEARTBEAT", "RTT",
		       "SRTT", "RESTART", "LAST-SEEN", "MISSES", "BINDINGS", "STALE");
		peer_header_done = true;
	}
	format_addr(p->addr, addr, sizeof(addr));
	millis(p->rtt_us, rtt, sizeof(rtt));
	millis(p->srtt_us, srtt, sizeof(srtt));
	if (p->last_seen_ms >= 0)
		snprintf(seen, sizeof(seen), "%lldms", (long long)p->last_seen_ms);
	else
		snprintf(seen, sizeof(seen), "never");
	if (p->have_restart)
		snprintf(rc, sizeof(rc), "%u", p->restart_counter);
	else
		snprintf(rc, sizeof(rc), "-");
	printf("%-26s %-12.*s %11s %11s %11s %10s %6u %8u %5u\n", addr, 12,
	       p->heartbeat ? p->state_name : "off", rtt, srtt, rc, seen, p->misses, p->bindings,
	       p->stale);
}

static void text_version(const struct ctl_version *v)
{
	printf("%.*s %.*s\n", (int)sizeof(v->daemon), v->daemon, (int)sizeof(v->version),
	       v->version);
}

static int text_end(void)
{
	flow_header_done = false;
	peer_header_done = false;
	return 0;
}

const struct output output_text = {
	.begin = text_begin,
	.binding = text_binding,
	.stat = text_stat,
	.flow = text_flow,
	.policy = text_policy,
	.version = text_version,
	.peer = text_peer,
	.end = text_end,
};
