/* mag_conf.h: the configuration of magd as parsed from magd.conf (grammar in doc/magd.conf.5).
 * A whole new mag_conf is built on every (re)load and swapped in only if it parses. */
#ifndef MAG_MAG_CONF_H
#define MAG_MAG_CONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "common/hmap.h"
#include "common/cfgparse.h"
#include "common/ratelimit.h"
#include "kr/kr.h"
#include "proto/mh.h"

#define MAG_CONF_DEFAULT_PATH "/etc/pmip6/magd.conf"
#define MAG_CONF_MAX_MACS     8

/* An access link: where MNs attach and the MAG sends router advertisements. */
struct mag_conf_access {
	TAILQ_ENTRY(mag_conf_access) entry;
	char ifname[IFNAMSIZ];
	uint8_t att;            /* "access-technology N" (RFC 5213 §8.5 values), default 4 */
	bool attach_on_link_up; /* "attach-on-link-up yes": a point-to-point link whose carrier
	                         * coming back is the MN's return (an L2 attachment trigger) */
	unsigned line;
};

/* One MAC of an MN in mag_conf.mac_index; internal to mag_conf.c. */
struct mag_conf_mac_link {
	struct hnode node;
	const struct mag_conf_mn *mn; /* its MAC is mn->macs[this - mn->mac_link] */
};

/* An MN this MAG serves: its identifier and the MAC addresses of its interfaces. */
struct mag_conf_mn {
	TAILQ_ENTRY(mag_conf_mn) entry;
	char id[MH_MNID_MAX + 1];
	unsigned n_macs;
	uint8_t macs[MAG_CONF_MAX_MACS][6];
	bool multihoming; /* "multihoming yes": the PBU carries an empty MuHo option */
	unsigned line;
	struct hnode id_node; /* in mag_conf.mn_index; internal to mag_conf.c */
	struct mag_conf_mac_link mac_link[MAG_CONF_MAX_MACS]; /* in mag_conf.mac_index */
};

#define MAG_CONF_PATH_MAX 108 /* a control socket's sun_path */

struct mag_conf {
	struct in6_addr lma_addr;   /* "lma-address" */
	struct in6_addr proxy_coa;  /* "proxy-coa": our address toward the LMA, the tunnel end */
	struct in6_addr link_local; /* "link-local-address": the one the MAG uses on every
	                             * access link (RFC 5213 §6.8), default fe80::1 */
	char uplink[IFNAMSIZ];      /* "uplink-interface" */
	enum kr_driver driver;      /* "tunnel-driver auto|seg6|ip6tnl" */
	uint32_t table_base;        /* "table-base", default 2000 */
	uint32_t rule_priority;     /* "rule-priority", default 1000 */
	uint32_t tunnel_mtu;        /* "tunnel-mtu": inner MTU of the tunnels; 0: uplink MTU - 40 */
	uint8_t muho_type;          /* "muho-option-type", default 18 */
	uint32_t lifetime_s;        /* "lifetime": asked of the LMA, default 600s */
	uint32_t refresh_margin_s;  /* "refresh-before": refresh this long before expiry, 30s,
	                             * at most half the granted lifetime */
	uint32_t retransmit_initial_ms;     /* "retransmit initial", 1s (INITIAL_BINDACK_TIMEOUT) */
	uint32_t retransmit_max_ms;         /* "retransmit max", 32s (MAX_BINDACK_TIMEOUT) */
	unsigned retransmit_tries;          /* "retransmit tries": then the MN is given up; 0,
	                                     * "unlimited" and the default: never (§6.9.4) */
	struct cfg_heartbeat heartbeat;     /* "heartbeat": to the LMA while MNs are served
	                                     * (RFC 5847) */
	struct rl_rate be_rate;             /* "binding-error-rate": Binding Errors to the LMA,
	                                     * 10 a second, burst 10 */
	uint32_t ra_interval_ms;            /* "ra-interval", default 10s: unsolicited RAs */
	uint32_t ra_router_lifetime_s;      /* "ra-router-lifetime", default 1800s */
	uint32_t ra_mtu; /* "ra-mtu": the MTU option of RAs (RFC 5213 §6.9.2), default 1280 */
	char ctl_path[MAG_CONF_PATH_MAX];   /* "control-socket", default /run/pmip6/magd.sock */
	char state_path[MAG_CONF_PATH_MAX]; /* "state-file": the MNs served, kept across a crash
	                                     * (mag/bulfile.h); empty: none, the default */
	uint32_t state_sync_ms; /* "state-sync": the longest a change waits to be written, 1s */
	char ctl_group[32];     /* "control-group", default "root" */
	char run_user[32];      /* "user": runs as this user after start-up; empty: stays */
	char run_group[32];     /* "group": and this group; empty: the user's login group */
	uint32_t ctl_max_clients; /* "control-max-clients", default 64 (common/ctl.h) */
	uint32_t ctl_idle_ms;     /* "control-idle-timeout", default 60s */
	unsigned n_access, n_mns;
	TAILQ_HEAD(, mag_conf_access) access;
	TAILQ_HEAD(, mag_conf_mn) mns;
	struct hmap mn_index, mac_index; /* hash indexes of the lookups below (mag_conf.c's) */
};

struct mag_conf *mag_conf_load(const char *path, char *err, size_t errlen);
struct mag_conf *mag_conf_parse(FILE *f, const char *name, char *err, size_t errlen);
void mag_conf_free(struct mag_conf *c);
/* Prints c in the same grammar (magd -nv); the output parses back to the same configuration. */
void mag_conf_print(FILE *out, const struct mag_conf *c);

const struct mag_conf_access *mag_conf_find_access(const struct mag_conf *c, const char *ifname);
/* The MN one of whose interfaces has this MAC, or NULL. */
const struct mag_conf_mn *mag_conf_find_mac(const struct mag_conf *c, const uint8_t mac[6]);
const struct mag_conf_mn *mag_conf_find_mn(const struct mag_conf *c, const char *id);

/* "xx:xx:xx:xx:xx:xx", exactly, either case, len characters long. */
bool mag_conf_mac_parse(const char *s, size_t len, uint8_t mac[6]);

#endif
