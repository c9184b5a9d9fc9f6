/* magd_int.h: the state magd.c, magd_links.c and magd_ctl.c share. */
#ifndef MAG_MAGD_INT_H
#define MAG_MAGD_INT_H

#include <ev.h>
#include <net/if.h>

#include "common/mh_pperr.h"
#include "common/ctl.h"
#include "kr/kr.h"
#include "common/log.h"
#include "common/nl_link.h"
#include "common/state_sync.h"
#include "mag/engine.h"

#define MAGD_MAX_ACCESS 32

struct magd;

struct access_watch {
	struct magd *d;
	char ifname[IFNAMSIZ];
	unsigned ifindex;
	uint8_t mac[6];
	int fd; /* Router Solicitation capture */
	ev_io w;
};

struct magd {
	const char *conf_path;
	struct mag_conf *conf;
	struct ev_loop *loop;
	struct kr *kr;
	struct pmtu_relay *pmtu; /* RFC 2473 §7 for our tunnel */
	struct mag_engine *engine;
	struct ctl_server *ctl;
	struct nl_link *links;
	int mh_fd;
	struct mh_pperr pperr; /* ICMPv6 Parameter Problems (common/mh_pperr.h) */
	int ra_fd;
	ev_io mh_w;
	ev_io link_w;
	ev_timer timer_w;
	ev_timer exit_w; /* the longest an exit waits for the LMA's answers */
	bool leaving;    /* a signal asked us to exit: de-registering */
	unsigned n_access;
	struct access_watch access[MAGD_MAX_ACCESS];
	uint64_t rs_malformed;
	struct log_limit send_limit, kr_limit;
	struct state_sync state; /* the binding file (magd_state.c) */
};

void magd_now(struct mag_now *now);
void magd_after_input(struct magd *d);
/* magd_links.c */
int magd_open_sockets(struct magd *d);
int magd_open_access(struct magd *d);
void magd_close_access(struct magd *d);
/* Reads the configuration file again and applies it (SIGHUP, pmipctl reload): -1 with the
 * reason in err, the running configuration kept, when it does not parse or changes a setting
 * that needs a restart. Logs what changed. */
int magd_reload(struct magd *d, char *err, size_t errlen);
bool magd_same_access(const struct mag_conf *a, const struct mag_conf *b);
/* magd_state.c: registering again the MNs of the binding file (after start), its periodic
 * writing, a reload; state_sync_save(&d->state) and state_sync_stop() do the rest. */
void magd_state_load(struct magd *d);
void magd_state_start(struct magd *d);
void magd_state_reloaded(struct magd *d);
/* magd_ctl.c */
void magd_ctl_handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                     void *arg);

#endif
