/* engine_harness.h: drives the LMA engine in unit tests: a configuration from text, a mock
 * clock, and an io that records every message sent and keeps a model of the kernel's tunnels
 * and routes (with failures on demand). */
#ifndef TESTS_LMA_ENGINE_HARNESS_H
#define TESTS_LMA_ENGINE_HARNESS_H

#include "lma/engine.h"

#define H_MAX_SENT    1024
#define H_MAX_ROUTES  1024
#define H_MAX_TUNNELS 16
#define H_RANDOM      0x7fffffffu /* what the engine's random source returns */
#define H_MAX_TAGS    16
#define H_TAG_MARK    5000 /* binding tag slot s has mark H_TAG_MARK + s */

/* A binding tag in the fake kernel: a mark through a tunnel carrying a tag. */
struct h_tag {
	bool used;
	bool stale; /* its deletion was refused */
	uint32_t tunnel;
	uint32_t tag;
};

struct h_sent {
	struct in6_addr dst;
	struct mh_msg msg;
};

struct h_route {
	struct mh_prefix p;
	uint32_t tunnel;
	bool stale; /* its deletion was refused: the engine forgot it, the kernel did not */
};

/* The kernel requests the engine makes, each of which a test can have refused. */
enum h_op { H_TUNNEL_ADD, H_TUNNEL_DEL, H_ROUTE_ADD, H_ROUTE_DEL, H_TAG_ADD, H_TAG_DEL, H_OP_COUNT };

/* Which requests the fake kernel refuses: every request of the ops in `ops` (a mask of
 * 1 << enum h_op), and the nth request of any op counted from 1 (0: none). A refused route
 * addition is reported at the flush, as the kernel does, unless route_sync: then the call
 * itself fails. */
struct h_faults {
	unsigned ops;
	unsigned nth;
	bool route_sync;
	int err; /* errno of a refusal; default ENOMEM */
};

struct harness {
	struct lma_conf *conf;
	struct lma_engine *e;
	struct lma_now now;
	struct h_sent sent[H_MAX_SENT];
	size_t n_sent;
	struct h_route routes[H_MAX_ROUTES];
	size_t n_routes;
	struct in6_addr tunnel_peer[H_MAX_TUNNELS + 1]; /* by id; :: when free */
	unsigned tunnel_adds, tunnel_dels, route_adds, route_dels;
	bool fail_tunnel;
	bool fail_next_route;
	struct h_faults faults;
	unsigned requests;                    /* kernel requests made, for faults.nth */
	unsigned refused[H_OP_COUNT];         /* requests refused, by op */
	bool tunnel_stale[H_MAX_TUNNELS + 1]; /* its deletion was refused */
	uint64_t async_failed[H_MAX_ROUTES];  /* refused route additions, reported at flush */
	size_t n_async_failed;
	unsigned mn_changed; /* times the engine said an MN's group changed */
	struct h_tag tags[H_MAX_TAGS + 1]; /* by slot, from 1 */
	bool tags_unsupported;             /* the driver cannot tag: EOPNOTSUPP */
	unsigned tag_adds, tag_dels;
};

/* What a test's PBU carries; zero values mean the usual (see h_pbu). */
struct pbu_spec {
	const char *nai; /* default "mn1@example.org" */
	uint8_t llid;    /* last octet of the MN's MAC 02:00:00:00:00:xx; 0: none */
	uint8_t hi;      /* default 1 */
	uint8_t att;     /* default 4 */
	uint16_t seq;
	uint16_t lifetime;    /* 4-s units; default 150 */
	bool dereg;           /* lifetime 0 */
	const char *hnp[4];   /* prefixes asked for; none: one ALL_ZERO */
	bool muho;            /* add the empty MuHo option */
	int64_t ts_offset_ms; /* timestamp = LMA clock + offset */
	bool no_ts, no_mnid, no_hi, no_att, no_hnp, not_proxy;
	uint8_t mnid_subtype; /* default NAI */
	bool att_zero;        /* ATT 0 (reserved) instead of the default */
	const char *lla;      /* a Link-local Address option ("::" for ALL_ZERO); NULL: none */
	bool home;            /* flag H (home registration) */
};

/* The suite's harness h and its Check fixture, made from conf_text for each test. */
#define HARNESS_FIXTURE(conf_text)                                                                 \
	static struct harness h;                                                                   \
	static void setup(void)                                                                    \
	{                                                                                          \
		h_init(&h, conf_text);                                                             \
	}                                                                                          \
	static void teardown(void)                                                                 \
	{                                                                                          \
		h_free(&h);                                                                        \
	}

void h_init(struct harness *h, const char *conf_text);
void h_free(struct harness *h);
/* Sends a PBU from mag (an address in text) and flushes; returns how many messages it sent. */
size_t h_pbu(struct harness *h, const char *mag, const struct pbu_spec *spec);
void h_input(struct harness *h, const char *from, const struct mh_msg *m);
void h_raw(struct harness *h, const char *from, const uint8_t *buf, size_t len);
/* Advances the mock clock by ms, running timers and flushing. */
void h_advance(struct harness *h, uint64_t ms);
/* The n-th last message sent to dst (0: the last), or NULL. */
const struct mh_msg *h_last_to(const struct harness *h, const char *dst, unsigned nth);
size_t h_count_to(const struct harness *h, const char *dst, uint8_t type);
/* The peer whose tunnel the route for prefix text ("2001:db8::/64") uses, as text; NULL: none. */
const char *h_route_peer(struct harness *h, const char *prefix);
unsigned h_tunnels(const struct harness *h);
/* Binding tags in the fake kernel (stale ones included), and the one with this mark. */
unsigned h_tags(const struct harness *h);
const struct h_tag *h_tag_of(const struct harness *h, uint32_t mark);
/* The engine and the fake kernel agree: every active binding's prefixes are routed through its
 * MAG's tunnel, a de-registered one's are routed through a live tunnel or not at all, every
 * tunnel belongs to a MAG with bindings (or one whose deletion was refused), every route to a
 * prefix some binding holds. */
void h_check_consistent(const struct harness *h);
/* Input without the flush: several messages in one receive batch, as lmad reads them. */
void h_input_noflush(struct harness *h, const char *from, const struct mh_msg *m);
void h_pbu_noflush(struct harness *h, const char *mag, const struct pbu_spec *spec);
void h_flush(struct harness *h);
struct in6_addr h_addr(const char *text);
struct mh_prefix h_prefix(const char *text);
/* Text of a prefix option for messages. */
const char *h_ptext(const struct mh_prefix *p);

#endif
