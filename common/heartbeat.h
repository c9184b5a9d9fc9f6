/* heartbeat.h: one peer's side of the PMIPv6 heartbeat (RFC 5847 §3.1, §3.2): a Heartbeat
 * Request every interval with a new sequence number, a response matched by that number (its
 * round-trip time measured), a request missed when its response has not come half an interval
 * after it, the peer declared unreachable after `misses` requests in a row were missed,
 * reachable again at the next response, and a changed Restart Counter taken as the peer's
 * restart. Pure logic shared by both engines: no message, no clock of its own,
 * the caller's timer says when a request is due and the caller sends it. */
#ifndef COMMON_HEARTBEAT_H
#define COMMON_HEARTBEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cfgparse.h"
#include "common/timer.h"
#include "proto/mh.h"

enum hb_state {
	HB_UP,          /* answering, or not asked yet */
	HB_UNREACHABLE, /* `misses` requests in a row without a response */
	HB_STATE_COUNT
};

/* What one step learnt: a bit set of these. */
#define HB_EV_FAILED    0x1 /* just declared unreachable */
#define HB_EV_RECOVERED 0x2 /* answered again after being unreachable */
#define HB_EV_RESTARTED 0x4 /* its Restart Counter changed: it restarted */

struct hb_peer {
	enum hb_state state;
	uint32_t seq;        /* of the last request sent */
	bool outstanding;    /* the last request has had no response yet */
	bool counted;        /* and was counted missed already (hb_peer_check) */
	bool checking;       /* the timer's next run is the last request's response deadline */
	unsigned misses;     /* requests in a row that went unanswered */
	uint64_t sent_ns;    /* when the last request went */
	uint64_t rtt_ns;     /* of the last answered request; 0 before the first */
	uint64_t srtt_ns;    /* smoothed, 7/8 old + 1/8 new (RFC 6298's gain) */
	uint64_t last_seen_ns; /* the last response, or request, from the peer; 0: never */
	bool have_restart;   /* restart_counter holds the peer's */
	uint32_t restart_counter;
	uint64_t counter_seen_ns; /* the last time restart_counter was heard */
	uint64_t before_restart_ns; /* at the last restart: the last time the previous counter was
	                             * heard, so what the peer registered since is its new life's */
	uint64_t requests, responses, late; /* late: answers to an older request */
	struct timer timer;  /* the next request */
};

const char *hb_state_name(enum hb_state s);

/* A peer starts up, with no request sent; seq0 is the first sequence number - 1. */
void hb_peer_init(struct hb_peer *p, timer_fn fn, void *arg, uint32_t seq0);
/* The request timer fired at now_ns: counts the previous request as missed if unanswered and
 * not counted yet, returning HB_EV_FAILED when that makes `misses` in a row. The caller then
 * sends a request with *seq (already recorded as outstanding) and arms the timer for its
 * response deadline (hb_response_wait_ns later), then for the next request. */
unsigned hb_peer_tick(struct hb_peer *p, const struct cfg_heartbeat *conf, uint64_t now_ns,
                      uint32_t *seq);
/* The last request's response deadline passed: counts it missed if still unanswered, returning
 * HB_EV_FAILED when that makes `misses` in a row. So a failure is declared between
 * (misses - 1/2) and (misses + 1/2) intervals after it happens, not up to a whole interval
 * after the last request's answer was due. */
unsigned hb_peer_check(struct hb_peer *p, const struct cfg_heartbeat *conf);
/* How long a request waits for its response before it counts as missed: half an interval. */
uint64_t hb_response_wait_ns(const struct cfg_heartbeat *conf);
/* A Heartbeat Response with seq. Returns the events it causes, and false in *matched when it
 * answers none of the last `misses` requests (the caller drops it and counts). */
unsigned hb_peer_response(struct hb_peer *p, const struct cfg_heartbeat *conf, uint32_t seq,
                          uint64_t now_ns, bool *matched);
/* A Restart Counter the peer sent at now_ns (in a response, or a request that carries one):
 * HB_EV_RESTARTED when it differs from the one it sent before. */
unsigned hb_peer_restart_counter(struct hb_peer *p, uint32_t counter, uint64_t now_ns);
/* A Heartbeat message m from the peer at now_ns (§3.3): a request shows it alive, a response
 * must answer one of the recent requests (hb_peer_response; an unsolicited one, flag U, need
 * not), and either may carry a Restart Counter (§3.4, hb_peer_restart_counter). Returns the
 * events, or -1 for a response to no recent request: the caller drops it and counts. */
int hb_peer_input(struct hb_peer *p, const struct cfg_heartbeat *conf, const struct mh_msg *m,
                  uint64_t now_ns);
/* interval x misses: how long a restarted peer's old state waits to be renewed (a failure is
 * declared within half an interval of that, either way: hb_peer_check). */
uint64_t hb_detection_ns(const struct cfg_heartbeat *conf);

#endif
