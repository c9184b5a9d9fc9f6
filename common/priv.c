/* priv.c: the start-up capability check and the drop to an unprivileged user with a fixed
 * set of capabilities both daemons share (priv.h). Through libcap rather than raw capset(2)
 * and prctl(2): its cap_t sets spare us the kernel's versioned two-word layout, and its names
 * (cap_to_name) are the ones the man pages, setpriv(1) and systemd use. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/priv.h"

void priv_caps_add(struct priv_caps *s, cap_value_t c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->cap[i] == c)
			return;
	if (s->n < PRIV_CAPS_MAX)
		s->cap[s->n++] = c;
}

static bool caps_has(const struct priv_caps *s, cap_value_t c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->cap[i] == c)
			return true;
	return false;
}

const char *priv_caps_str(const struct priv_caps *s, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && len < size; i++) {
		char *name = cap_to_name(s->cap[i]);

		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "",
		                        name ? name : "?");
		cap_free(name);
	}
	return buf;
}

int priv_resolve(const char *user, const char *group, struct priv_target *t, char *err,
                 size_t errlen)
{
	struct passwd *pw;
	struct group *gr;

	memset(t, 0, sizeof(*t));
	if (!user[0]) {
		if (group[0])
			snprintf(err, errlen, "group %s given without a user", group);
		return group[0] ? -1 : 0;
	}
	if (!(pw = getpwnam(user))) {
		snprintf(err, errlen, "user %s does not exist", user);
		return -1;
	}
	t->change = true;
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	snprintf(t->user, sizeof(t->user), "%s", user);
	if (!group[0])
		return 0;
	if (!(gr = getgrnam(group))) {
		snprintf(err, errlen, "group %s does not exist", group);
		return -1;
	}
	t->gid = gr->gr_gid;
	return 0;
}

int priv_check(const struct priv_caps *need, char *err, size_t errlen)
{
	struct priv_caps missing = { .n = 0 };
	cap_t now = cap_get_proc();
	cap_flag_value_t v;
	char names[256];

	if (!now) {
		snprintf(err, errlen, "cannot read the capabilities: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < need->n; i++)
		if (cap_get_flag(now, need->cap[i], CAP_EFFECTIVE, &v) < 0 || v != CAP_SET)
			priv_caps_add(&missing, need->cap[i]);
	cap_free(now);
	if (missing.n == 0)
		return 0;
	snprintf(err, errlen, "missing capabilities: %s (start-up needs %s)",
	         priv_caps_str(&missing, names, sizeof(names)),
	         priv_caps_str(need, names + 128, sizeof(names) - 128));
	return -1;
}

bool priv_has(cap_value_t c)
{
	struct priv_caps one = { .cap = { c }, .n = 1 };
	char unused[8];

	return priv_check(&one, unused, sizeof(unused)) == 0;
}

/* Drops from the bounding set all but keep, if we may (CAP_SETPCAP); else leaves it. */
static int drop_bounding(const struct priv_caps *keep, char *err, size_t errlen)
{
	if (!priv_has(CAP_SETPCAP))
		return 0;
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (caps_has(keep, c) || cap_drop_bound(c) == 0)
			continue;
		snprintf(err, errlen, "bounding set: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int become(const struct priv_target *t, char *err, size_t errlen)
{
	if (!t->change)
		return 0;
	if (setgroups(1, &t->gid) < 0 || setresgid(t->gid, t->gid, t->gid) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0 || setresuid(t->uid, t->uid, t->uid) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) < 0) {
		snprintf(err, errlen, "cannot become user %s (uid %u, gid %u): %s", t->user,
		         (unsigned)t->uid, (unsigned)t->gid, strerror(errno));
		return -1;
	}
	return 0;
}

/* Exactly keep in the permitted, effective and inheritable sets, and in the ambient set. */
static int keep_only(const struct priv_caps *keep, char *err, size_t errlen)
{
	cap_t c = cap_init();
	int ret = -1;

	if (c &&
	    (keep->n == 0 ||
	     (cap_set_flag(c, CAP_PERMITTED, (int)keep->n, keep->cap, CAP_SET) == 0 &&
	      cap_set_flag(c, CAP_EFFECTIVE, (int)keep->n, keep->cap, CAP_SET) == 0 &&
	      cap_set_flag(c, CAP_INHERITABLE, (int)keep->n, keep->cap, CAP_SET) == 0)) &&
	    cap_set_proc(c) == 0 && cap_reset_ambient() == 0)
		ret = 0;
	for (size_t i = 0; i < keep->n && ret == 0; i++)
		ret = cap_set_ambient(keep->cap[i], CAP_SET);
	if (ret < 0)
		snprintf(err, errlen, "cannot set the capabilities: %s", strerror(errno));
	cap_free(c);
	return ret;
}

int priv_drop(const struct priv_target *t, const struct priv_caps *keep, char *err, size_t errlen)
{
	if (drop_bounding(keep, err, errlen) < 0 || become(t, err, errlen) < 0 ||
	    keep_only(keep, err, errlen) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
