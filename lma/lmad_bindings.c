/* lmad_bindings.c: the daemon's side of the binding file (lma/bindings.h; lmad.conf(5)
 * binding-file): read at start, after the leases and before the first PBU, so that the routes
 * and tunnels of every binding whose lifetime has not run out are back before any MAG
 * refreshes (RFC 5213 §5.3.3): the bindings first, before the flow classifier's slower start,
 * then, once it runs, the flows and their connection marks; written whenever a binding or a steered
 * flow changed, at most every binding-sync and once more at exit, by the forked writer the lease
 * file uses (common/state_sync.h): a new file synced and renamed over the old one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/state_sync.h"
#include "lma/lmad_int.h"

/* One pass over the file: what it restored. */
struct restore_ctx {
	struct lmad *d;
	struct lma_now now;
	bool flows; /* the second pass: flows; the first: bindings */
	unsigned taken, expired, refused;
};

static bool bindings_on(const struct lmad *d)
{
	return d->conf->binding_path[0] != '\0';
}

static int fill(FILE *out, void *arg)
{
	struct lmad *d = arg;
	struct lma_now now;

	lmad_now(&now);
	lma_engine_write_bindings(d->engine, out, &now);
	lmad_fc_write_flows(d, out);
	return bindings_write_end(out);
}

static uint64_t changes(void *arg)
{
	const struct lmad *d = arg;

	return d->engine ? lma_engine_binding_changes(d->engine) + lmad_fc_changes(d) : 0;
}

static void configure(struct lmad *d)
{
	state_sync_set(&d->bindings, bindings_on(d) ? d->conf->binding_path : NULL,
	               d->conf->binding_sync_ms, changes, fill, d);
}

static bool take_bce(void *arg, const struct bind_record *r)
{
	struct restore_ctx *c = arg;
	enum lma_restore res;

	if (c->flows)
		return true; /* taken in the first pass */
	res = lma_engine_restore_binding(c->d->engine, r, &c->now);
	c->taken += res == LMA_RESTORE_OK;
	c->expired += res == LMA_RESTORE_EXPIRED;
	c->refused += res == LMA_RESTORE_REFUSED;
	return res == LMA_RESTORE_OK;
}

static bool take_flow(void *arg, const struct flow_record *r)
{
	struct restore_ctx *c = arg;
	bool ok;

	if (!c->flows)
		return true; /* for the second pass */
	ok = lmad_fc_restore_flow(c->d, r);
	c->taken += ok;
	c->refused += !ok;
	return ok;
}

static void report_read(const struct lmad *d, int ret, const struct bindings_report *r,
                        const struct restore_ctx *c)
{
	const char *path = d->conf->binding_path;

	if (ret == -1 && r->version != 0)
		log_warnx("%s: binding file version %u, not %u: no binding restored", path,
		          r->version, BINDINGS_VERSION);
	else if (ret == -1)
		log_warnx("%s:%u: not a binding file (no \"bindings\" line first): no binding "
		          "restored",
		          path, r->first_bad_line);
	else
		log_info("%s: restored %u bindings; %u expired meanwhile, %u refused", path,
		         c->taken, c->expired, c->refused);
	if (ret == 0 && r->bad > 0)
		log_warnx("%s: skipped %u bad records, the first on line %u", path, r->bad,
		          r->first_bad_line);
}

/* Reads the file for one pass; -1 if there is none, or it is not a binding file. */
static int read_pass(struct lmad *d, struct restore_ctx *c, struct bindings_report *r)
{
	struct bindings_sink sink = { .bce = take_bce, .flow = take_flow, .arg = c };
	FILE *f = fopen(d->conf->binding_path, "re");
	int ret;

	if (!f) {
		if (errno == ENOENT && !c->flows)
			log_info("%s: no binding file yet", d->conf->binding_path);
		else if (!c->flows)
			log_warn("%s: no binding restored", d->conf->binding_path);
		return -1;
	}
	lmad_now(&c->now);
	ret = bindings_read(f, &sink, r);
	fclose(f);
	return ret;
}

void lmad_bindings_load(struct lmad *d)
{
	struct restore_ctx c = { .d = d };
	struct bindings_report r = { 0 };
	int ret;

	if (!bindings_on(d))
		return;
	ret = read_pass(d, &c, &r);
	lma_engine_flush(d->engine); /* their routes reach the kernel now */
	if (ret != -1 || r.bad > 0)
		report_read(d, ret, &r, &c);
}

void lmad_bindings_load_flows(struct lmad *d)
{
	struct restore_ctx c = { .d = d, .flows = true };
	struct bindings_report r;

	if (!bindings_on(d))
		return;
	lma_engine_restore_done(d->engine); /* the flow classifier queues their prefixes */
	if (read_pass(d, &c, &r) == 0)
		log_info("%s: restored %u flows, %u refused", d->conf->binding_path, c.taken,
		         c.refused);
	lmad_fc_reconcile_marks(d); /* the kernel's marked connections and the flow table agree */
}

void lmad_bindings_start(struct lmad *d)
{
	configure(d);
	state_sync_start(&d->bindings, d->loop);
}

void lmad_bindings_reloaded(struct lmad *d)
{
	configure(d);
	state_sync_reloaded(&d->bindings);
}
