/* heartbeat.c: a peer's heartbeat state (RFC 5847 §3.1 failure detection, §3.2 restart
 * detection through the Restart Counter of §3.4); see heartbeat.h. */
#include "common/heartbeat.h"

#define NS_PER_MS 1000000ull

static const char *const state_names[HB_STATE_COUNT] = {
	[HB_UP] = "up",
	[HB_UNREACHABLE] = "unreachable",
};

const char *hb_state_name(enum hb_state s)
{
	return s < HB_STATE_COUNT ? state_names[s] : "unknown";
}

void hb_peer_init(struct hb_peer *p, timer_fn fn, void *arg, uint32_t seq0)
{
	*p = (struct hb_peer){ .state = HB_UP, .seq = seq0 };
	timer_init(&p->timer, fn, arg);
}

uint64_t hb_response_wait_ns(const struct cfg_heartbeat *conf)
{
	return (uint64_t)conf->interval_ms * NS_PER_MS / 2;
}

uint64_t hb_detection_ns(const struct cfg_heartbeat *conf)
{
	return (uint64_t)conf->interval_ms * conf->misses * NS_PER_MS;
}

/* The last request counts missed (once); HB_EV_FAILED when that makes `misses` in a row. */
static unsigned count_miss(struct hb_peer *p, const struct cfg_heartbeat *conf)
{
	if (!p->outstanding || p->counted)
		return 0;
	p->counted = true;
	if (p->misses < UINT32_MAX)
		p->misses++;
	if (p->state != HB_UP || p->misses < conf->misses)
		return 0;
	p->state = HB_UNREACHABLE;
	return HB_EV_FAILED;
}

unsigned hb_peer_check(struct hb_peer *p, const struct cfg_heartbeat *conf)
{
	return count_miss(p, conf);
}

unsigned hb_peer_tick(struct hb_peer *p, const struct cfg_heartbeat *conf, uint64_t now_ns,
                      uint32_t *seq)
{
	unsigned ev = count_miss(p, conf);

	*seq = ++p->seq;
	p->outstanding = true;
	p->counted = false;
	p->sent_ns = now_ns;
	p->requests++;
	return ev;
}

static void measure(struct hb_peer *p, uint64_t now_ns)
{
	p->rtt_ns = now_ns > p->sent_ns ? now_ns - p->sent_ns : 0;
	p->srtt_ns = p->srtt_ns ? p->srtt_ns - p->srtt_ns / 8 + p->rtt_ns / 8 : p->rtt_ns;
}

/* Within the last `misses` requests: an answer that took longer than an interval still shows
 * the peer alive. Serial number arithmetic, for the 32-bit sequence wraps. */
static bool recent(const struct hb_peer *p, const struct cfg_heartbeat *conf, uint32_t seq)
{
	uint32_t age = p->seq - seq;

	return p->requests > 0 && age < conf->misses && age < p->requests;
}

unsigned hb_peer_response(struct hb_peer *p, const struct cfg_heartbeat *conf, uint32_t seq,
                          uint64_t now_ns, bool *matched)
{
	unsigned ev = 0;

	*matched = recent(p, conf, seq);
	if (!*matched)
		return 0;
	if (seq == p->seq && p->outstanding) {
		measure(p, now_ns);
		p->outstanding = false;
	} else if (seq != p->seq) {
		p->late++;
	}
	p->responses++;
	p->misses = 0;
	p->last_seen_ns = now_ns;
	if (p->state == HB_UNREACHABLE) {
		p->state = HB_UP;
		ev = HB_EV_RECOVERED;
	}
	return ev;
}

int hb_peer_input(struct hb_peer *p, const struct cfg_heartbeat *conf, const struct mh_msg *m,
                  uint64_t now_ns)
{
	unsigned ev = 0;
	bool matched;

	if ((m->u.hb.flags & (MH_HB_R | MH_HB_U)) == MH_HB_R) {
		ev = hb_peer_response(p, conf, m->u.hb.seq, now_ns, &matched);
		if (!matched)
			return -1;
	} else if (!(m->u.hb.flags & MH_HB_R)) {
		p->last_seen_ns = now_ns;
	}
	if (m->opts.present & MH_HAVE_RESTART_COUNTER)
		ev |= hb_peer_restart_counter(p, m->opts.restart_counter, now_ns);
	return (int)ev;
}

unsigned hb_peer_restart_counter(struct hb_peer *p, uint32_t counter, uint64_t now_ns)
{
	bool changed = p->have_restart && p->restart_counter != counter;

	if (changed)
		p->before_restart_ns = p->counter_seen_ns;
	p->have_restart = true;
	p->restart_counter = counter;
	p->counter_seen_ns = now_ns;
	return changed ? HB_EV_RESTARTED : 0;
}
