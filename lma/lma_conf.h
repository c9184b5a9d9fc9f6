/* lma_conf.h: the configuration of lmad as parsed from lmad.conf (grammar in doc/lmad.conf.5).
 * A whole new lma_conf is built on every (re)load and swapped in only if it parses. */
#ifndef LMA_LMA_CONF_H
#define LMA_LMA_CONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "common/cfgparse.h"
#include "common/ratelimit.h"
#include "kr/kr.h"
#include "lma/fc.h"
#include "proto/mh.h"

#define LMA_CONF_DEFAULT_PATH "/etc/pmip6/lmad.conf"
#define LMA_CONF_MAX_STATIC   8 /* static prefixes per MN */
/* Defaults of the max-* statements: room for the largest deployments measured in
 * doc/benchmarks.md, a bound on what one MAG or one MN-ID can make the LMA hold. */
#define LMA_CONF_DEFAULT_MAX_BINDINGS     1000000
#define LMA_CONF_DEFAULT_MAX_BINDINGS_MAG 100000
#define LMA_CONF_DEFAULT_MAX_BINDINGS_MN  8
#define LMA_CONF_DEFAULT_MAX_RESTING      65536
#define LMA_CONF_DEFAULT_FLOW_MAX         65536 /* about 32 MB of flows at most */
#define LMA_CONF_DEFAULT_FLOW_MAX_MN      4096

/* A "policy" statement of the flow classifier; the list keeps the file's order, which is the
 * order the policies apply in. lmad hands each to fc_policy_add() at start and on reload. */
struct lma_conf_policy {
	TAILQ_ENTRY(lma_conf_policy) entry;
	struct fc_policy policy; /* its id is 0: fc_policy_add() gives one */
	unsigned line;
};

/* The lookup indexes (chained hash tables built while parsing); internal to lma_conf.c. */
struct lma_conf_hlink {
	struct lma_conf_hlink *next;
	uint32_t hash;
};

struct lma_conf_index {
	struct lma_conf_hlink **bucket;
	size_t size; /* a power of two, or 0 */
	size_t count;
};

/* A retransmission schedule: the first wait, doubled up to max, and how many sends in all. */
struct lma_conf_retransmit {
	uint32_t initial_ms;
	uint32_t max_ms;
	unsigned tries;
};

/* "prefix-hold attached": a lost interface's prefixes stay while the MN has another binding. */
#define LMA_CONF_HOLD_ATTACHED UINT32_MAX

struct lma_conf_prefix {
	struct in6_addr addr;
	uint8_t len;
};

/* An authorized MN: its identifier (an NAI) and any prefixes it always gets. */
struct lma_conf_mn {
	TAILQ_ENTRY(lma_conf_mn) entry;
	char id[MH_MNID_MAX + 1];
	unsigned n_static;
	struct lma_conf_prefix static_prefix[LMA_CONF_MAX_STATIC];
	unsigned line; /* of its "mn" statement */
	struct lma_conf_hlink hlink;
};

/* An MN-ID a MAG may register; a MAG with none listed may register any authorized MN. */
struct lma_conf_mag_mn {
	TAILQ_ENTRY(lma_conf_mag_mn) entry;
	char id[MH_MNID_MAX + 1];
	unsigned line;
	const struct lma_conf_mag *mag;
	struct lma_conf_hlink hlink; /* in lma_conf.mag_mn_index */
};

/* An authorized MAG, by its Proxy-CoA. */
struct lma_conf_mag {
	TAILQ_ENTRY(lma_conf_mag) entry;
	struct in6_addr addr;
	TAILQ_HEAD(, lma_conf_mag_mn) mns;
	unsigned n_mns;
	unsigned line;
	const struct lma_conf *conf; /* for lma_conf_mag_may_serve() */
	struct lma_conf_hlink hlink;
};

#define LMA_CONF_PATH_MAX 108 /* a control socket's sun_path */

struct lma_conf {
	struct in6_addr lma_addr; /* "lma-address": where PBUs arrive, the tunnels' local end */
	char uplink[IFNAMSIZ];    /* "uplink-interface": real device toward the MAGs */
	enum kr_driver driver;    /* "tunnel-driver auto|seg6|ip6tnl" */
	uint32_t table_base;      /* "table-base": first per-tunnel routing table */
	uint32_t rule_priority;   /* "rule-priority": priority of our ip rules */
	uint32_t tunnel_mtu;        /* "tunnel-mtu": inner MTU of the tunnels; 0: uplink MTU - 40 */
	uint8_t muho_type;        /* "muho-option-type", default 18 */
	bool use_timestamps;      /* "replay-protection timestamp|sequence", default timestamp */
	uint32_t timestamp_window_ms; /* "timestamp-window", default 300ms */
	uint32_t max_lifetime_s;      /* "max-lifetime", default 3600s: longer requests are cut */
	uint32_t bce_delete_delay_ms; /* "bce-delete-delay" (MinDelayBeforeBCEDelete), 10s */
	uint32_t new_bce_delay_ms;    /* "new-bce-delay" (MaxDelayBeforeNewBCEAssign), 1500ms */
	uint32_t prefix_hold_ms;      /* "prefix-hold": how long a de-registered binding's
	                               * prefixes stay routed through another binding of the MN;
	                               * 0 (off): RFC 5213 §5.3.5, dropped at once;
	                               * LMA_CONF_HOLD_ATTACHED, the default: while it has one */
	struct lma_conf_retransmit upn;    /* "upn-retransmit": 1s, 32s, 6 tries */
	struct lma_conf_retransmit revoke; /* "revocation-retransmit" (RFC 5846 §11): 1s, 8s,
	                                    * 4 tries */
	struct cfg_heartbeat heartbeat; /* "heartbeat": to every MAG with bindings (RFC 5847) */
	struct rl_rate reject_source; /* "reject-rate per-source": replies to a source no mag
	                               * statement names, 1 a second, burst 3 */
	struct rl_rate reject_total;  /* "reject-rate total": such replies in all, 50, burst 100 */
	struct rl_rate be_rate;       /* "binding-error-rate", 10 a second, burst 10 */
	uint32_t max_bindings;        /* "max-bindings": in all, default 1000000 */
	uint32_t max_bindings_mag;    /* "max-bindings-per-mag", default 100000 */
	uint32_t max_bindings_mn;     /* "max-bindings-per-mn", default 8 */
	uint32_t max_resting;         /* "max-resting-prefixes": remembered released prefixes
	                               * beyond which the pool reuses them first, 65536 */
	struct lma_conf_prefix pool;  /* "prefix-pool P/L": where prefixes are allocated from */
	uint8_t pool_alloc_len;       /* "prefix-pool ... length N", default 64; 0: no pool */
	char lease_path[LMA_CONF_PATH_MAX]; /* "lease-file": prefix leases kept across restarts
	                                     * (lma/leases.h); empty: none, the default */
	uint32_t lease_sync_ms;             /* "lease-sync": the longest a pool change waits before
	                                     * it is written, default 1s */
	char binding_path[LMA_CONF_PATH_MAX]; /* "binding-file": the binding cache kept across
	                                       * restarts (lma/bindings.h); empty: none */
	uint32_t binding_sync_ms;             /* "binding-sync": the longest a binding change
	                                       * waits before it is written, default 1s */
	char ctl_path[LMA_CONF_PATH_MAX];   /* "control-socket", default /run/pmip6/lmad.sock */
	char ctl_group[32];    /* "control-group", default: root's group only ("root") */
	char run_user[32];     /* "user": runs as this user after start-up; empty: stays */
	char run_group[32];    /* "group": and this group; empty: the user's login group */
	uint32_t ctl_max_clients; /* "control-max-clients", default 64 (common/ctl.h) */
	uint32_t ctl_idle_ms;     /* "control-idle-timeout", default 60s */
	uint16_t queue_num;    /* "flow-queue": the NFQUEUE number, default 0 */
	bool fail_open;        /* "flow-fail open|closed", default open: how new flows
	                        * fare when lmad cannot classify them (see lmad.conf(5)) */
	uint32_t flow_idle_ms; /* "flow-idle-timeout", default 300s */
	uint32_t flow_max;     /* "flow-max": flows in the table, default 65536 */
	uint32_t flow_max_mn;  /* "flow-max-per-mn", default 4096 */
	bool any_mn;           /* "mn any": every MN-ID is authorized */
	TAILQ_HEAD(, lma_conf_mn) mns;
	TAILQ_HEAD(, lma_conf_mag) mags;
	TAILQ_HEAD(, lma_conf_policy) policies; /* in the file's order: first match wins */
	size_t n_mns, n_mags, n_policies;
	struct lma_conf_index mn_index, mag_index, mag_mn_index;
};

/* Parses path into a new configuration. On error returns NULL and leaves "file:line: message"
 * in err. */
struct lma_conf *lma_conf_load(const char *path, char *err, size_t errlen);
/* Parses from an open stream; name is used in error messages. */
struct lma_conf *lma_conf_parse(FILE *f, const char *name, char *err, size_t errlen);
void lma_conf_free(struct lma_conf *c);
/* Prints c in the same grammar (lmad -nv); the output parses back to the same configuration. */
void lma_conf_print(FILE *out, const struct lma_conf *c);

const struct lma_conf_mn *lma_conf_find_mn(const struct lma_conf *c, const char *id);
const struct lma_conf_mag *lma_conf_find_mag(const struct lma_conf *c, const struct in6_addr *a);
/* May this MAG register this MN? (Both must be authorized; a MAG with an MN list only those.) */
bool lma_conf_mag_may_serve(const struct lma_conf_mag *mag, const char *mn_id);

#endif
