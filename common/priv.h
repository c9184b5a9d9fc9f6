/* priv.h: least privilege for both daemons (lmad(8), magd(8) "PRIVILEGES"). A daemon checks,
 * before it touches anything, that it holds the capabilities its start-up needs; once set-up
 * is done (sockets open, BPF programs loaded, the control socket given to its group) it becomes
 * the configured user and group, if any, and keeps only the capabilities its running life
 * needs, in its permitted, effective, inheritable and ambient sets (ambient, so the
 * ip6tables-restore and ipset children it runs hold CAP_NET_ADMIN too). The bounding set
 * loses the rest when the daemon may change it (CAP_SETPCAP). */
#ifndef COMMON_PRIV_H
#define COMMON_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/types.h>

#define PRIV_CAPS_MAX 8

struct priv_caps {
	cap_value_t cap[PRIV_CAPS_MAX];
	size_t n;
};

/* Who the daemon becomes after start-up. */
struct priv_target {
	bool change; /* false: it stays the user it was started as */
	uid_t uid;
	gid_t gid;
	char user[32];
};

/* Adds c to s (once; silently full at PRIV_CAPS_MAX, which the callers never reach). */
void priv_caps_add(struct priv_caps *s, cap_value_t c);
/* The names in s, "cap_net_admin cap_net_raw", for the messages and the man pages. */
const char *priv_caps_str(const struct priv_caps *s, char *buf, size_t size);

/* user (empty: none) and group (empty: the user's login group) by name; a group without a
 * user is an error. 0, or -1 with a message in err. */
int priv_resolve(const char *user, const char *group, struct priv_target *t, char *err,
                 size_t errlen);
/* 0 if the effective set holds every capability of need; else -1 with a message in err
 * naming what is missing. */
int priv_check(const struct priv_caps *need, char *err, size_t errlen);
/* Whether the effective set holds c. */
bool priv_has(cap_value_t c);
/* Becomes t (if t->change) and keeps exactly keep. 0, or -1 with a message in err (the
 * process may then hold less than before but never more). */
int priv_drop(const struct priv_target *t, const struct priv_caps *keep, char *err, size_t errlen);

#endif
