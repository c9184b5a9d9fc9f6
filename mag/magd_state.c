/* magd_state.c: the daemon's side of the binding file (mag/bulfile.h; magd.conf(5) state-file):
 * read once at start, after the access links have reported their carrier, each MN of it
 * registered again; written whenever an MN's routes came or went, at most every state-sync,
 * and at exit (an orderly exit de-registers everyone: the file then holds no MN). */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/state_sync.h"
#include "common/statefile.h"
#include "mag/bulfile.h"
#include "mag/magd_int.h"

static const char *const restore_names[MAG_RESTORE_COUNT] = {
	[MAG_RESTORE_OK] = "registering again",
	[MAG_RESTORE_NOT_SERVED] = "no longer configured",
	[MAG_RESTORE_NO_LINK] = "not on an access interface now",
	[MAG_RESTORE_NO_CARRIER] = "its access link has no carrier",
	[MAG_RESTORE_EXISTS] = "known already",
	[MAG_RESTORE_NO_MEMORY] = "out of memory",
};

static void restore_line(struct magd *d, char *line, unsigned lineno, unsigned *ok, unsigned *bad)
{
	struct bulfile_record r;
	struct mag_now now;
	enum mag_restore res;
	int got = bulfile_parse(line, &r);

	if (got == 0)
		return;
	if (got < 0) {
		if ((*bad)++ == 0)
			log_warnx("%s:%u: not a binding record, skipped", d->conf->state_path,
			          lineno);
		return;
	}
	magd_now(&now);
	res = mag_engine_restore(d->engine, &r, &now);
	if (res == MAG_RESTORE_OK)
		(*ok)++;
	log_info("%s: %s on %s: %s", d->conf->state_path, r.mn_id, r.ifname, restore_names[res]);
}

void magd_state_load(struct magd *d)
{
	char line[BULFILE_LINE_MAX];
	unsigned lineno = 0, ok = 0, bad = 0;
	bool long_line;
	FILE *f;

	if (!d->conf->state_path[0])
		return;
	if (!(f = fopen(d->conf->state_path, "re"))) {
		if (errno != ENOENT)
			log_warn("%s: no MN registered again", d->conf->state_path);
		return;
	}
	while (sf_next_line(f, line, sizeof(line), &long_line)) {
		lineno++;
		if (long_line)
			bad++;
		else
			restore_line(d, line, lineno, &ok, &bad);
	}
	fclose(f);
	log_info("%s: %u MNs registering again, %u bad records", d->conf->state_path, ok, bad);
	magd_after_input(d);
}

static int fill(FILE *out, void *arg)
{
	return mag_engine_save(((struct magd *)arg)->engine, out);
}

static uint64_t changes(void *arg)
{
	const struct magd *d = arg;

	return d->engine ? mag_engine_changes(d->engine) : 0;
}

static void configure(struct magd *d)
{
	d->state.path = d->conf->state_path;
	d->state.every_ms = d->conf->state_sync_ms;
	d->state.changes = changes;
	d->state.fill = fill;
	d->state.arg = d;
}

void magd_state_start(struct magd *d)
{
	configure(d);
	state_sync_start(&d->state, d->loop);
}

void magd_state_reloaded(struct magd *d)
{
	configure(d);
	state_sync_reloaded(&d->state);
}
