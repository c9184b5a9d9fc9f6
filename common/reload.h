/* reload.h: what both daemons' reloads share (SIGHUP and pmipctl reload, lmad(8), magd(8)): the
 * list of restart-only settings a new configuration changes, and the log of what it changes. */
#ifndef COMMON_RELOAD_H
#define COMMON_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ctl_server;

/* What a daemon's reload does with its configuration (struct lma_conf or mag_conf behind void). */
struct reload_ops {
	void *(*load)(const char *path, char *err, size_t errlen);
	void (*free)(void *conf);
	void (*print)(FILE *out, const void *conf); /* in its grammar, as -nv */
	/* Names in buf (reload_note) the restart-only settings b changes from a. */
	void (*restart_only)(const void *a, const void *b, char *buf, size_t len);
	const char *(*group)(const void *conf); /* its control-group */
	/* Puts conf in place of the running one (which it frees) in the daemon d. */
	void (*apply)(void *d, void *conf);
};

/* Defines `static const struct reload_ops name` for a configuration struct type handled by
 * prefix_load, prefix_free and prefix_print, with a ctl_group member, and the daemon's
 * restart_only and apply functions: the casts from void live here, once for both daemons. */
#define RELOAD_OPS(name, type, prefix, restart_only_fn, apply_fn)                                  \
	static void *name##_load(const char *path, char *err, size_t errlen)                       \
	{                                                                                          \
		return prefix##_load(path, err, errlen);                                           \
	}                                                                                          \
	static void name##_free(void *c)                                                           \
	{                                                                                          \
		prefix##_free(c);                                                                  \
	}                                                                                          \
	static void name##_print(FILE *out, const void *c)                                         \
	{                                                                                          \
		prefix##_print(out, c);                                                            \
	}                                                                                          \
	static const char *name##_group(const void *c)                                             \
	{                                                                                          \
		return ((const type *)c)->ctl_group;                                               \
	}                                                                                          \
	static const struct reload_ops name = { name##_load,     name##_free,  name##_print,       \
		                                restart_only_fn, name##_group, apply_fn }

/* reload_note()s the restart-only settings both daemons have, the same members of lma_conf and
 * mag_conf: what the kernel side and the control socket were set up with at start. */
#define RELOAD_NOTE_COMMON(buf, len, a, b)                                                         \
	do {                                                                                       \
		reload_note(buf, len, memcmp(&(a)->lma_addr, &(b)->lma_addr, 16) != 0,             \
		            "lma-address");                                                        \
		reload_note(buf, len, strcmp((a)->uplink, (b)->uplink) != 0, "uplink-interface");  \
		reload_note(buf, len, (a)->driver != (b)->driver, "tunnel-driver");                \
		reload_note(buf, len, (a)->tunnel_mtu != (b)->tunnel_mtu, "tunnel-mtu");           \
		reload_note(buf, len, (a)->table_base != (b)->table_base, "table-base");           \
		reload_note(buf, len, (a)->rule_priority != (b)->rule_priority, "rule-priority");  \
		reload_note(buf, len, strcmp((a)->ctl_path, (b)->ctl_path) != 0,                   \
		            "control-socket");                                                     \
		reload_note(buf, len, strcmp((a)->run_user, (b)->run_user) != 0, "user");          \
		reload_note(buf, len, strcmp((a)->run_group, (b)->run_group) != 0, "group");       \
	} while (0)

/* The reload of SIGHUP and pmipctl reload: loads path; refuses it (-1, the reason in err and the
 * log, the running configuration kept) when it does not parse, changes a restart-only setting,
 * or changes control-group and the socket cannot be given to it; else applies it and logs what
 * changed. */
int reload_run(const struct reload_ops *ops, void *d, const char *path, const void *running,
               struct ctl_server *ctl, char *err, size_t errlen);
/* Appends name to the comma-separated list in buf when differs. */
void reload_note(char *buf, size_t len, bool differs, const char *name);
/* A configuration printed in its own grammar (print is lma_conf_print or mag_conf_print behind a
 * cast-free wrapper); NULL when out of memory. The caller frees it. */
char *reload_conf_text(void (*print)(FILE *out, const void *conf), const void *conf);
/* Logs the lines of after that before lacks and those of before that after lacks (each set of
 * lines compared whole, in sorted order, so a moved line is no change); at most a few dozen. */
void reload_log_changes(const char *before, const char *after);

#endif
