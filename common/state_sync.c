/* state_sync.c: the periodic state file writer of state_sync.h. */
#include <errno.h>
#include <string.h>

#include "common/daemon.h"
#include "common/state_sync.h"

#define STATE_MODE 0640 /* MN identifiers and MACs: not for everybody */

static bool state_on(const struct state_sync *s)
{
	return s->path && s->path[0];
}

void state_sync_save(struct state_sync *s)
{
	uint64_t changes;

	if (!state_on(s))
		return;
	changes = s->changes(s->arg);
	if (s->written && changes == s->saved)
		return;
	if (daemon_write_file(s->path, STATE_MODE, s->fill, s->arg) == -1) {
		s->failures++;
		log_warnx_limited(&s->limit, "writing %s.tmp and renaming it: %s", s->path,
		                  strerror(errno));
		return;
	}
	s->saved = changes;
	s->written = true;
	s->writes++;
}

void state_sync_mark_saved(struct state_sync *s)
{
	s->saved = s->changes(s->arg);
	s->written = true;
}

static void sync_due(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	state_sync_save(w->data);
}

void state_sync_start(struct state_sync *s, struct ev_loop *loop)
{
	double every = (double)s->every_ms / 1000.0;

	s->loop = loop;
	if (s->limit.burst == 0)
		s->limit = (struct log_limit)LOG_LIMIT_INIT(10, 5);
	ev_timer_init(&s->w, sync_due, every, every);
	s->w.data = s;
	ev_timer_start(loop, &s->w);
}

void state_sync_reloaded(struct state_sync *s)
{
	s->written = false;
	ev_timer_stop(s->loop, &s->w);
	state_sync_start(s, s->loop);
}

void state_sync_stop(struct state_sync *s)
{
	if (s->loop)
		ev_timer_stop(s->loop, &s->w);
	state_sync_save(s);
}
