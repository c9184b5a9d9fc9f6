/* state_sync.h: the periodic writer behind both daemons' state files (lmad's lease file, magd's
 * binding file): a change count from the owner tells whether the file is stale; a repeating
 * timer writes it (daemon_write_file: whole or not at all) at most every interval, and once more
 * at stop. The writes are made by a forked child, off the event loop, from a snapshot of the
 * state at the fork. Failures are counted and logged, rate-limited. */
#ifndef COMMON_STATE_SYNC_H
#define COMMON_STATE_SYNC_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/log.h"

struct state_sync {
	/* set by the owner before state_sync_start() */
	const char *path; /* "" or NULL: no file (nothing is written) */
	uint32_t every_ms;
	uint64_t (*changes)(void *arg);
	int (*fill)(FILE *out, void *arg);
	void *arg;
	/* kept here */
	struct ev_loop *loop;
	ev_timer w;
	uint64_t saved; /* the change count the file holds */
	bool written;   /* since the start or the last reload */
	uint64_t writes, failures;
	struct log_limit limit;
	pid_t child; /* writing the file now; 0: none */
	ev_child child_w;
	uint64_t child_changes; /* the change count it writes */
	bool again;             /* a save came due while it wrote */
};

/* Sets what the owner sets, in one call (before start, or before reloaded). */
void state_sync_set(struct state_sync *s, const char *path, uint32_t every_ms,
                    uint64_t (*changes)(void *arg), int (*fill)(FILE *out, void *arg), void *arg);
void state_sync_start(struct state_sync *s, struct ev_loop *loop);
/* The file holds what is now so (read at start): no write until the next change. */
void state_sync_mark_saved(struct state_sync *s);
/* Writes if the count moved, or nothing was written since the start or the last reload: waits
 * for a write under way, then forks the one of the state as it is now (path included: a reload
 * may change it next) and returns. */
void state_sync_save(struct state_sync *s);
/* After a reload: path and every_ms may have changed; the next save writes anyway. */
void state_sync_reloaded(struct state_sync *s);
/* Stops the timer, waits for a write under way, and saves a last time, in the loop. */
void state_sync_stop(struct state_sync *s);

#endif
