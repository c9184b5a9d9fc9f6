/* state_sync.c: the periodic state file writer of state_sync.h. A write is made by a child
 * process forked for it: the child has a copy-on-write snapshot of the state as it was at the
 * fork, writes it through daemon_write_file() (a temporary file, synced, renamed: a crash of
 * either process leaves the old file or the new one) and exits; the loop goes on meanwhile. A
 * state of 300,000 leases takes the child most of a second to write and the parent a few
 * milliseconds to fork (doc/benchmarks.md). One child at a time: a save due while one writes
 * is made when it ends. Without fork (memory), the write is made in the loop as before. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/state_sync.h"

#define STATE_MODE 0640 /* MN identifiers and MACs: not for everybody */

static bool state_on(const struct state_sync *s)
{
	return s->path && s->path[0];
}

static void write_done(struct state_sync *s, uint64_t changes, int err)
{
	if (err != 0) {
		s->failures++;
		log_warnx_limited(&s->limit, "writing %s.tmp and renaming it: %s", s->path,
		                  strerror(err));
		return;
	}
	s->saved = changes;
	s->written = true;
	s->writes++;
}

/* In the loop: the fallback, and the last write at stop. */
static void write_here(struct state_sync *s, uint64_t changes)
{
	int ret = daemon_write_file(s->path, STATE_MODE, s->fill, s->arg);

	write_done(s, changes, ret == 0 ? 0 : errno);
}

/* The child's exit status: 0, or the errno of the failure (EIO if it does not fit). */
static void child_write(struct state_sync *s)
{
	int ret = daemon_write_file(s->path, STATE_MODE, s->fill, s->arg);

	_exit(ret == 0 ? 0 : errno > 0 && errno < 256 ? errno : EIO);
}

static int child_error(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EINTR; /* killed by a signal */
}

static void save_due(struct state_sync *s);

static void child_ended(struct state_sync *s, int status)
{
	ev_child_stop(s->loop, &s->child_w);
	s->child = 0;
	write_done(s, s->child_changes, child_error(status));
	if (s->again) {
		s->again = false;
		save_due(s);
	}
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void)loop;
	(void)revents;
	child_ended(w->data, w->rstatus);
}

static void write_forked(struct state_sync *s, uint64_t changes)
{
	pid_t pid = s->loop ? fork() : -1;

	if (pid == 0)
		child_write(s);
	if (pid < 0) {
		write_here(s, changes);
		return;
	}
	s->child = pid;
	s->child_changes = changes;
	ev_child_init(&s->child_w, child_cb, pid, 0);
	s->child_w.data = s;
	ev_child_start(s->loop, &s->child_w);
}

/* Waits for the child writing, if there is one: its file comes before any other. */
static void child_wait(struct state_sync *s)
{
	int status;

	if (s->child == 0)
		return;
	if (ev_is_pending(&s->child_w)) { /* libev reaped it already: its status is here */
		status = s->child_w.rstatus;
		ev_clear_pending(s->loop, &s->child_w);
	} else if (waitpid(s->child, &status, 0) != s->child) {
		status = 0; /* reaped elsewhere: its file, whole or not at all, is there */
	}
	s->again = false;
	child_ended(s, status);
}

static bool stale(struct state_sync *s, uint64_t *changes)
{
	*changes = s->changes(s->arg);
	return !s->written || *changes != s->saved;
}

/* The timer's save: deferred while a child writes. */
static void save_due(struct state_sync *s)
{
	uint64_t changes;

	if (!state_on(s) || !stale(s, &changes))
		return;
	if (s->child) {
		s->again = true;
		return;
	}
	write_forked(s, changes);
}

void state_sync_save(struct state_sync *s)
{
	uint64_t changes;

	child_wait(s); /* the caller wants what is so now in the file, after any older write */
	if (!state_on(s) || !stale(s, &changes))
		return;
	write_forked(s, changes);
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
	save_due(w->data);
}

void state_sync_set(struct state_sync *s, const char *path, uint32_t every_ms,
                    uint64_t (*changes)(void *arg), int (*fill)(FILE *out, void *arg), void *arg)
{
	s->path = path;
	s->every_ms = every_ms;
	s->changes = changes;
	s->fill = fill;
	s->arg = arg;
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
	uint64_t changes;

	if (s->loop)
		ev_timer_stop(s->loop, &s->w);
	child_wait(s);
	if (state_on(s) && stale(s, &changes))
		write_here(s, changes); /* the last one: the process is going */
}
