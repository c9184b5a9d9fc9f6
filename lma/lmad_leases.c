/* lmad_leases.c: the daemon's side of the prefix lease file (lma/leases.h; lmad.conf(5)
 * lease-file): read once at start, before the first PBU, and written whenever the pool changed,
 * at most every lease-sync and once more at exit, as a new file synced and renamed over the old
 * one so that a crash leaves either the old file or the new, never half of one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/state_sync.h"
#include "lma/lmad_int.h"

static bool leases_on(const struct lmad *d)
{
	return d->conf->lease_path[0] != '\0' && d->conf->pool_alloc_len != 0;
}

static int fill(FILE *out, void *arg)
{
	return lma_engine_save_leases(((struct lmad *)arg)->engine, out);
}

static uint64_t changes(void *arg)
{
	const struct lmad *d = arg;

	return d->engine ? lma_engine_lease_changes(d->engine) : 0;
}

/* The file as the configuration names it: only with a pool. */
static void configure(struct lmad *d)
{
	state_sync_set(&d->leases, leases_on(d) ? d->conf->lease_path : NULL,
	               d->conf->lease_sync_ms, changes, fill, d);
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
	configure(d);
	state_sync_mark_saved(&d->leases); /* what it holds is what the pool is now */
}

void lmad_leases_start(struct lmad *d)
{
	configure(d);
	state_sync_start(&d->leases, d->loop);
}

void lmad_leases_reloaded(struct lmad *d)
{
	configure(d); /* another file, or another pool: written anew */
	state_sync_reloaded(&d->leases);
}
