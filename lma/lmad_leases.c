/* lmad_leases.c: the daemon's side of the prefix lease file (lma/leases.h; lmad.conf(5)
 * lease-file): read once at start, before the first PBU, and written whenever the pool changed,
 * at most every lease-sync and once more at exit, as a new file synced and renamed over the old
 * one so that a crash leaves either the old file or the new, never half of one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "lma/lmad_int.h"

#define LEASES_MODE 0640 /* MN identifiers: not for everybody */

static bool leases_on(const struct lmad *d)
{
	return d->conf->lease_path[0] != '\0' && d->conf->pool_alloc_len != 0;
}

static void report_read(const struct lmad *d, int ret, const struct leases_report *r)
{
	const char *path = d->conf->lease_path;

	if (ret == -1 && r->other_pool)
		log_warnx("%s is for another prefix-pool: no lease restored", path);
	else if (ret == -1)
		log_warnx("%s:%u: not a lease file (no \"pool\" line first): no lease restored",
		          path, r->first_bad_line);
	else
		log_info("%s: restored %u held and %u resting prefix leases", path, r->held,
		         r->rested);
	if (ret == 0 && r->bad > 0)
		log_warnx("%s: skipped %u bad records, the first on line %u", path, r->bad,
		          r->first_bad_line);
}

void lmad_leases_load(struct lmad *d)
{
	struct leases_report r;
	FILE *f;
	int ret;

	d->leases_saved = 0;
	if (!leases_on(d))
		return;
	f = fopen(d->conf->lease_path, "re");
	if (!f) {
		if (errno == ENOENT)
			log_info("%s: no lease file yet", d->conf->lease_path);
		else
			log_warn("%s: no lease restored", d->conf->lease_path);
		return;
	}
	ret = lma_engine_load_leases(d->engine, f, &r);
	fclose(f);
	report_read(d, ret, &r);
	d->leases_saved = lma_engine_lease_changes(d->engine);
}

static int fill(FILE *out, void *arg)
{
	struct lmad *d = arg;

	return lma_engine_save_leases(d->engine, out);
}

void lmad_leases_save(struct lmad *d)
{
	uint64_t changes;

	if (!leases_on(d) || !d->engine)
		return;
	changes = lma_engine_lease_changes(d->engine);
	if (changes == d->leases_saved && !d->leases_stale)
		return;
	if (daemon_write_file(d->conf->lease_path, LEASES_MODE, fill, d) == -1) {
		d->lease_failures++;
		log_warnx_limited(&d->lease_limit, "writing %s.tmp and renaming it: %s",
		                  d->conf->lease_path, strerror(errno));
		return;
	}
	d->leases_saved = changes;
	d->leases_stale = false;
	d->lease_writes++;
}

static void sync_due(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	lmad_leases_save(w->data);
}

void lmad_leases_start(struct lmad *d)
{
	double every = (double)d->conf->lease_sync_ms / 1000.0;

	ev_timer_init(&d->lease_w, sync_due, every, every);
	d->lease_w.data = d;
	ev_timer_start(d->loop, &d->lease_w);
}

void lmad_leases_reloaded(struct lmad *d)
{
	d->leases_stale = true; /* another file, or another pool: write it anew */
	ev_timer_stop(d->loop, &d->lease_w);
	lmad_leases_start(d);
}

void lmad_leases_stop(struct lmad *d)
{
	ev_timer_stop(d->loop, &d->lease_w);
	lmad_leases_save(d);
}
