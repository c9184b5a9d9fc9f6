/* kr_fc.c: flow steering at the LMA (kr.h; draft-bernardos-mif-pmip-02 §5.3): opening and
 * closing it (an earlier run's chains removed, the queue bound, the conntrack sockets, our
 * chains, conntrack accounting), the prefixes whose new flows go to the queue, the counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "kr/kr_fc.h"

void kr_fc_batch_reset(struct kr_fc_batch *b, uint32_t seq0)
{
	b->len = 0;
	b->n = 0;
	b->seq0 = seq0;
}

int kr_fc_config_check(const struct kr_fc_config *c, char *err, size_t errlen)
{
	if (c->copy_range >= KR_FC_COPY_MIN && c->copy_range <= KR_FC_COPY_MAX)
		return 0;
	snprintf(err, errlen, "copy range %u out of %u..%u", c->copy_range, KR_FC_COPY_MIN,
	         KR_FC_COPY_MAX);
	errno = EINVAL;
	return -1;
}

static void kr_fc_free(struct kr_fc *fc)
{
	free(fc->rbuf);
	free(fc->mm);
	free(fc->slots);
	free(fc->ct_rbuf);
	free(fc->ev_rbuf);
	free(fc->verdicts.buf);
	free(fc->creates.buf);
	free(fc->pfx);
	free(fc->pending);
	free(fc);
}

static struct kr_fc *kr_fc_new(const struct kr *k, const struct kr_fc_config *c)
{
	struct kr_fc *fc = calloc(1, sizeof(*fc));

	if (fc == NULL)
		return NULL;
	fc->cfg = *c;
	fc->ct_create = k->ops->driver == KR_DRIVER_SEG6;
	fc->acct_saved = -1;
	fc->limit = (struct log_limit)LOG_LIMIT_INIT(10, 10);
	fc->rbuf = malloc(KR_FC_RBUF_SIZE);
	if (c->copy_range + 1024 <= KR_FC_SLOT) {
		fc->mm = calloc(1, sizeof(*fc->mm));
		fc->slots = malloc((size_t)KR_FC_MMSG * KR_FC_SLOT);
	}
	fc->ct_rbuf = malloc(KR_RBUF_SIZE);
	fc->ev_rbuf = malloc(KR_RBUF_SIZE);
	fc->verdicts.buf = malloc(KR_FC_BATCH);
	fc->creates.buf = malloc(KR_FC_BATCH);
	if (fc->rbuf == NULL || fc->ct_rbuf == NULL || fc->ev_rbuf == NULL ||
	    (c->copy_range + 1024 <= KR_FC_SLOT && (fc->mm == NULL || fc->slots == NULL)) ||
	    fc->verdicts.buf == NULL || fc->creates.buf == NULL) {
		kr_fc_free(fc);
		return NULL;
	}
	return fc;
}

static int kr_fc_clear_marks(const struct kr *k, struct kr_fc *fc, kr_fc_marked_fn keep, void *arg)
{
	int cleared = kr_fc_ct_clear_marks(fc, kr_tunnel_fwmark(k, 1),
	                                   kr_tag_mark(k, KR_MAX_TAGS), keep, arg);

	if (cleared == -1)
		log_warn("kr: clearing the connection marks an earlier run left");
	else if (cleared > 0)
		log_info("kr: cleared the marks an earlier run left on %d connections", cleared);
	return cleared;
}

void kr_fc_forget_mark(struct kr *k, uint32_t mark)
{
	int cleared;

	if (k == NULL || k->fc == NULL)
		return;
	cleared = kr_fc_ct_clear_marks(k->fc, mark, mark, NULL, NULL);
	if (cleared == -1)
		log_warn("kr: clearing mark %u (gone) from the connections that had it", mark);
	else
		k->fc->st.marks_cleared += (uint64_t)cleared;
}

int kr_fc_reconcile_marks(struct kr *k, kr_fc_marked_fn keep, void *arg)
{
	if (k == NULL || k->fc == NULL || keep == NULL) {
		errno = EINVAL;
		return -1;
	}
	return kr_fc_clear_marks(k, k->fc, keep, arg);
}

static int kr_fc_open_kernel(const struct kr *k, struct kr_fc *fc, char *err, size_t errlen)
{
	char script[KR_FC_TEXT_MAX];

	if (kr_fc_ipt_clean(err, errlen) == -1 || kr_fc_queue_open(fc, err, errlen) == -1 ||
	    kr_fc_ct_open(fc, err, errlen) == -1)
		return -1;
	/* before the chain that restores marks is back; unless the daemon sorts them out */
	if (!fc->cfg.keep_marks)
		kr_fc_clear_marks(k, fc, NULL, NULL);
	if (kr_fc_ipset_create(err, errlen) == -1 ||
	    kr_fc_ipt_chain_text(script, sizeof(script), &fc->cfg) == -1 ||
	    kr_fc_ipt_restore(script, err, errlen) == -1)
		return -1;
	fc->chain = true;
	kr_fc_ct_timeouts(fc);
	if (kr_fc_acct_on(fc) == -1) {
		snprintf(err, errlen, "%s: %s", KR_FC_ACCT_SYSCTL, strerror(errno));
		return -1;
	}
	return 0;
}

int kr_fc_open(struct kr *k, const struct kr_fc_config *c, char *err, size_t errlen)
{
	int e;

	if (k == NULL || c == NULL || err == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (kr_fc_config_check(c, err, errlen) == -1)
		return -1;
	if (k->fc != NULL) {
		snprintf(err, errlen, "flow steering is open already");
		errno = EBUSY;
		return -1;
	}
	if ((k->fc = kr_fc_new(k, c)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	errno = 0;
	if (kr_fc_open_kernel(k, k->fc, err, errlen) == -1) {
		e = errno != 0 ? errno : EIO;
		kr_fc_close(k);
		errno = e;
		return -1;
	}
	log_info("kr: flow steering on queue %u, %s, connections made by %s", c->queue_num,
	         c->fail_open ? "failing open" : "failing closed",
	         k->fc->ct_create ? "kr (seg6)" : "the chain");
	return 0;
}

bool kr_fc_dup_possible(const struct kr *k)
{
	return kr_tag_mark(k, KR_MAX_TAGS) <= ~KR_FC_DUP_MASK; /* tags' marks come last */
}

int kr_fc_dup_set(struct kr *k, uint16_t slot, const struct in6_addr *gw, bool on)
{
	char script[KR_FC_TEXT_MAX], err[256];

	if (k == NULL || k->fc == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (!kr_fc_dup_possible(k)) {
		errno = ERANGE;
		return -1;
	}
	if (kr_fc_ipt_dup_text(script, sizeof(script), slot, gw, on) == -1)
		return -1;
	if (kr_fc_ipt_restore(script, err, sizeof(err)) == -1) {
		log_warnx("kr: bicast slot %u: %s", slot, err);
		errno = EIO;
		return -1;
	}
	return 0;
}

/* The chains go first, so that nothing is queued to a socket about to close. */
void kr_fc_close(struct kr *k)
{
	struct kr_fc *fc;
	char err[256];

	if (k == NULL || (fc = k->fc) == NULL)
		return;
	if (fc->chain && kr_fc_ipt_clean(err, sizeof(err)) == -1)
		log_warnx("kr: removing the flow steering chains: %s", err);
	kr_fc_queue_close(fc);
	kr_fc_ct_close(fc);
	kr_fc_acct_restore(fc);
	kr_fc_free(fc);
	k->fc = NULL;
}

/* kr_open(): what a run that did not close left in the mangle table. */
int kr_fc_clean_stale(struct kr *k)
{
	char err[256];

	(void)k;
	if (kr_fc_ipt_clean(err, sizeof(err)) == 0)
		return 0;
	log_warnx("kr: removing an earlier run's flow steering chains: %s", err);
	return -1;
}

static size_t kr_fc_prefix_find(const struct kr_fc *fc, const struct kr_fc_prefix *p)
{
	size_t i;

	for (i = 0; i < fc->npfx; i++)
		if (fc->pfx[i].len == p->len && IN6_ARE_ADDR_EQUAL(&fc->pfx[i].addr, &p->addr))
			break;
	return i;
}

static int kr_fc_prefix_room(struct kr_fc *fc)
{
	struct kr_fc_prefix *np;
	size_t cap = fc->pfx_cap * 2 + 16;

	if (fc->npfx < fc->pfx_cap)
		return 0;
	if ((np = realloc(fc->pfx, cap * sizeof(*np))) == NULL)
		return -1;
	fc->pfx = np;
	fc->pfx_cap = cap;
	return 0;
}

static int kr_fc_pending_room(struct kr_fc *fc)
{
	struct kr_fc_change *np;
	size_t cap = fc->pending_cap * 2 + 16;

	if (fc->npending < fc->pending_cap)
		return 0;
	if ((np = realloc(fc->pending, cap * sizeof(*np))) == NULL)
		return -1;
	fc->pending = np;
	fc->pending_cap = cap;
	return 0;
}

/* The prefix set as if ch were done (kr_fc_queue_prefix_later) or undone (a refused change). */
static void kr_fc_prefix_apply(struct kr_fc *fc, const struct kr_fc_change *ch, bool undo)
{
	size_t i = kr_fc_prefix_find(fc, &ch->p);

	if (ch->on != undo)
		fc->pfx[fc->npfx++] = ch->p; /* room made when the change was queued */
	else if (i < fc->npfx)
		fc->pfx[i] = fc->pfx[--fc->npfx];
}

/* EEXIST: queued already; ENOENT: not queued. */
int kr_fc_queue_prefix_later(struct kr *k, const struct in6_addr *pfx, uint8_t len, bool on)
{
	struct kr_fc_change ch = { .p.len = len, .on = on };
	struct kr_fc *fc;

	if (k == NULL || (fc = k->fc) == NULL || pfx == NULL || len == 0 || len > 128) {
		errno = EINVAL; /* hash:net takes lengths 1..128 */
		return -1;
	}
	kr_prefix_mask(&ch.p.addr, pfx, len);
	if (on == (kr_fc_prefix_find(fc, &ch.p) < fc->npfx)) {
		errno = on ? EEXIST : ENOENT;
		return -1;
	}
	if (kr_fc_prefix_room(fc) == -1 || kr_fc_pending_room(fc) == -1)
		return -1;
	kr_fc_prefix_apply(fc, &ch, false);
	fc->pending[fc->npending++] = ch;
	return 0;
}

static void kr_fc_queue_refused(struct kr_fc *fc, const struct kr_fc_change *ch, int err)
{
	char a[INET6_ADDRSTRLEN];

	kr_fc_prefix_apply(fc, ch, true);
	log_warnx("kr: %s %s/%u: %s", ch->on ? "queueing" : "unqueueing",
	          inet_ntop(AF_INET6, &ch->p.addr, a, sizeof(a)), ch->p.len,
	          kr_fc_ipset_strerror(err));
}

int kr_fc_prefixes_flush(struct kr *k)
{
	struct kr_fc *fc;
	int refused = 0, *errs, err;

	if (k == NULL || (fc = k->fc) == NULL || fc->npending == 0)
		return 0;
	if ((errs = calloc(fc->npending, sizeof(*errs))) != NULL)
		(void)kr_fc_ipset_apply(fc, fc->pending, fc->npending, errs);
	for (size_t i = 0; i < fc->npending; i++)
		if ((err = errs ? errs[i] : ENOMEM) != 0) {
			kr_fc_queue_refused(fc, &fc->pending[i], err);
			refused++;
		}
	free(errs);
	fc->npending = 0;
	return refused;
}

int kr_fc_queue_prefix(struct kr *k, const struct in6_addr *pfx, uint8_t len, bool on)
{
	(void)kr_fc_prefixes_flush(k); /* what was pending is not this call's to answer for */
	if (kr_fc_queue_prefix_later(k, pfx, len, on) == -1)
		return -1;
	if (kr_fc_prefixes_flush(k) > 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void kr_fc_get_stats(const struct kr *k, struct kr_fc_stats *st)
{
	struct kr_fc_kstats ks;

	memset(st, 0, sizeof(*st));
	if (k == NULL || k->fc == NULL)
		return;
	*st = k->fc->st;
	if (kr_fc_kstats_read(k->fc->cfg.queue_num, &ks) == 0 && ks.portid == k->fc->q_portid) {
		st->queue_drops = (uint64_t)ks.dropped + ks.user_dropped;
		st->kernel_queued = ks.id_sequence;
	}
}
