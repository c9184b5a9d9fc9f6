/* reload.c: the shared part of the daemons' reload (reload.h). */
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "common/reload.h"

#define RELOAD_MAX_LOGGED 40 /* changed lines logged, then a count of the rest */

void reload_note(char *buf, size_t len, bool differs, const char *name)
{
	size_t used = strlen(buf);

	if (differs && used < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

char *reload_conf_text(void (*print)(FILE *out, const void *conf), const void *conf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	print(f, conf);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

struct lines {
	char **line;
	size_t n;
};

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Cuts text at its newlines (in place) and sorts the lines; -1 when out of memory. */
static int lines_split(char *text, struct lines *l)
{
	size_t cap = 1;

	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	l->n = 0;
	l->line = malloc(cap * sizeof(*l->line));
	if (!l->line)
		return -1;
	for (char *save = NULL, *s = strtok_r(text, "\n", &save); s;
	     s = strtok_r(NULL, "\n", &save))
		l->line[l->n++] = s;
	qsort(l->line, l->n, sizeof(*l->line), compare_lines);
	return 0;
}

static void log_change(unsigned *logged, const char *what, const char *line)
{
	if (++*logged <= RELOAD_MAX_LOGGED)
		log_info("reload: %s: %s", what, line);
}

/* Walks both sorted lists at once: a line in one only is a change. */
static unsigned lines_compare(const struct lines *a, const struct lines *b)
{
	unsigned logged = 0;
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		int cmp = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->line[i], b->line[j]);

		if (cmp < 0)
			log_change(&logged, "removed", a->line[i++]);
		else if (cmp > 0)
			log_change(&logged, "now", b->line[j++]);
		else
			i++, j++;
	}
	return logged;
}

void reload_log_changes(const char *before, const char *after)
{
	char *a = strdup(before), *b = strdup(after);
	struct lines la = { 0 }, lb = { 0 };
	unsigned n;

	if (!a || !b || lines_split(a, &la) < 0 || lines_split(b, &lb) < 0) {
		log_warnx("reload: out of memory listing the changes");
	} else if ((n = lines_compare(&la, &lb)) == 0) {
		log_info("reload: no setting changed");
	} else if (n > RELOAD_MAX_LOGGED) {
		log_info("reload: and %u more changed lines", n - RELOAD_MAX_LOGGED);
	}
	free(la.line);
	free(lb.line);
	free(a);
	free(b);
}

static int reload_check(const struct reload_ops *ops, const void *running, const void *c,
                        struct ctl_server *ctl, char *err, size_t errlen)
{
	char names[200];

	ops->restart_only(running, c, names, sizeof(names));
	if (names[0]) {
		snprintf(err, errlen, "%s take effect only at a restart", names);
		return -1;
	}
	if (strcmp(ops->group(running), ops->group(c)) != 0 &&
	    ctl_server_set_group(ctl, ops->group(c), err, errlen) < 0)
		return -1;
	return 0;
}

int reload_run(const struct reload_ops *ops, void *d, const char *path, const void *running,
               struct ctl_server *ctl, char *err, size_t errlen)
{
	void *c = ops->load(path, err, errlen);
	char *before, *after;

	if (!c || reload_check(ops, running, c, ctl, err, errlen) < 0) {
		log_warnx("reload refused, keeping the running configuration: %s", err);
		if (c)
			ops->free(c);
		return -1;
	}
	before = reload_conf_text(ops->print, running);
	after = reload_conf_text(ops->print, c);
	ops->apply(d, c); /* running is gone from here on */
	if (before && after)
		reload_log_changes(before, after);
	free(before);
	free(after);
	log_info("configuration reloaded from %s", path);
	return 0;
}
