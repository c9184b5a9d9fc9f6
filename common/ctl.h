/* ctl.h: the daemons' end of the control socket (protocol in ctl_proto.h) and pmipctl's end.
 * The server runs in the daemon's libev loop: it accepts, reads and length-checks requests, hands
 * each to the daemon's handler, and writes replies as the socket drains, so a reply of a million
 * bindings never sits in memory whole: the handler registers a producer that is called again
 * whenever the output buffer runs low. */
#ifndef COMMON_CTL_H
#define COMMON_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ctl_proto.h"

struct ev_loop;
struct ctl_server;
struct ctl_conn;

typedef void (*ctl_handler_fn)(struct ctl_conn *c, uint16_t type, const uint8_t *payload,
                               uint32_t len, void *arg);
/* Produces more of a reply; returns false when it has written its last record. */
typedef bool (*ctl_producer_fn)(struct ctl_conn *c, void *state);

/* Limits on clients (doc/control-protocol.md): at most max_conns at once, the next one gets
 * CTL_E_BUSY and is closed; a connection with no traffic either way for idle_s seconds gets
 * CTL_E_IDLE and is closed; while more than out_high octets of answers wait for a client, its
 * next requests stay unread (back-pressure), so one answer at most goes over that. */
#define CTL_MAX_CONNS 64
#define CTL_IDLE_S    60.0
#define CTL_OUT_HIGH  (256 * 1024)

struct ctl_limits {
	unsigned max_conns;
	double idle_s;
	size_t out_high;
};

/* Listens on path (mode 0660, group `group` if not empty); a stale socket file is replaced, one
 * a live server still answers on is not. NULL with a message in err on failure. */
struct ctl_server *ctl_server_open(struct ev_loop *loop, const char *path, const char *group,
                                   ctl_handler_fn handler, void *arg, char *err, size_t errlen);
void ctl_server_close(struct ctl_server *s);
/* True if a process accepts connections on the UNIX socket at path (a connect() succeeds, or
 * its backlog is full); false if there is no socket there or nobody listens on it. */
bool ctl_socket_alive(const char *path);
/* What the limits did, for `show stats` (group "control"). */
struct ctl_server_stats {
	uint64_t refused;      /* clients over the connection limit */
	uint64_t idle_closed;  /* connections closed by the idle timeout */
	uint64_t bad_requests; /* connections closed on a bad header */
};

void ctl_server_get_stats(const struct ctl_server *s, struct ctl_server_stats *out);
/* Replaces the defaults above (the daemons: control-max-clients, control-idle-timeout); applies
 * to connections accepted from then on. */
void ctl_server_set_limits(struct ctl_server *s, const struct ctl_limits *l);
/* Gives the socket file to group (empty: the daemon's own group), for a reload that changes
 * control-group; -1 with a message in err when there is no such group or chown fails. */
int ctl_server_set_group(struct ctl_server *s, const char *group, char *err, size_t errlen);

void ctl_send(struct ctl_conn *c, uint16_t type, const void *payload, uint32_t len);
void ctl_send_error(struct ctl_conn *c, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void ctl_send_end(struct ctl_conn *c);
/* The answer to CTL_REQ_RELOAD: CTL_END when reload(arg) applied the configuration file, its
 * reason as CTL_E_REFUSED when it kept the running one. */
void ctl_answer_reload(struct ctl_conn *c, uint32_t len,
                       int (*reload)(void *arg, char *err, size_t errlen), void *arg);
/* The answer to CTL_REQ_SHOW_VERSION: the daemon's name and the package version, then CTL_END. */
void ctl_send_version(struct ctl_conn *c, const char *daemon);
/* One counter record (CTL_REC_STAT). */
void ctl_send_stat(struct ctl_conn *c, const char *group, const char *name, uint64_t value);
struct hb_peer;
struct in6_addr;
/* One peer record (CTL_REC_PEER) from a heartbeat's state; heartbeat: whether they are on. */
void ctl_send_peer(struct ctl_conn *c, const struct in6_addr *addr, const struct hb_peer *p,
                   bool heartbeat, uint64_t now_ns, uint32_t bindings, uint32_t stale);
struct kr;
struct pmtu_relay;
void ctl_send_datapath(struct ctl_conn *c, const struct kr *k);
void ctl_send_pmtu(struct ctl_conn *c, const struct pmtu_relay *r);
/* Calls produce(c, state) while the output is short, until it returns false; then sends CTL_END
 * and frees state with free_state (may be NULL). Gives up quietly if the client goes away. */
void ctl_stream(struct ctl_conn *c, ctl_producer_fn produce, void *state,
                void (*free_state)(void *));
/* True while the output buffer has room for more records. */
bool ctl_has_room(const struct ctl_conn *c);

/* --- client side (pmipctl): blocking --- */
int ctl_client_connect(const char *path);
int ctl_client_request(int fd, uint16_t type, const void *payload, uint32_t len);
/* Reads one message; returns its payload length, or -1 on a closed or broken connection. */
int ctl_client_read(int fd, struct ctl_hdr *hdr, void *payload, size_t cap);

#endif
