/* leases.h: the LMA's prefix leases on disk, so that a restarted lmad gives every MN back the
 * pooled prefixes it held or that rested with it (RFC 5213 §5.3.2 asks only that an allocated
 * prefix be not in use; keeping an MN's prefix across a crash is what spares its addresses and
 * connections). A text file an operator can read:
 *
 *   # comment
 *   pool 2001:db8:100::/48 length 64 next 3
 *   rest 2001:db8:100:2::/64 mn2@example.net     (released, resting with this MN-ID)
 *   held 2001:db8:100::/64 mn1@example.net       (bound when the file was written)
 *
 * "rest" lines in the order the pool would hand them out again, then "held" lines. The MN-ID is
 * written with every byte outside '!'..'~' and '%' itself as %XX. Reading puts every record back
 * to rest with its MN-ID, held ones last (the most recently used), so only that MN may take its
 * prefix back (pool_reclaim) and nobody else gets it before the other free prefixes, even a
 * record beyond the "next" mark (a prefix bound when a reload changed the pool); a held record
 * outside the pool, of its length, is kept aside for its MN alone. Pure: the
 * caller opens, syncs and renames the files (lmad.c). */
#ifndef LMA_LEASES_H
#define LMA_LEASES_H

#include <stdbool.h>
#include <stdio.h>

#include "lma/bc.h"
#include "lma/pool.h"

#define LEASES_LINE_MAX 1024 /* longest line read: "held", a prefix, an escaped MN-ID */

/* What reading found. A bad record is skipped, counted, and the first one's line kept. */
struct leases_report {
	unsigned rested, held; /* records restored */
	unsigned aside;        /* of the held ones, outside the pool: kept for their MN alone */
	unsigned bad;          /* records skipped: malformed, outside the pool, duplicated */
	unsigned first_bad_line;
	bool other_pool; /* the file is for another prefix-pool: nothing restored */
};

/* Writes p's state and the pooled prefixes bound in bc, from older pools too. 0, or -1 if the
 * stream failed. */
int leases_write(FILE *out, const struct pool *p, const struct bc *bc);
/* Restores into p, which must not have handed anything out yet. 0 when the file is for this
 * pool (bad records aside), -1 when it is not a lease file or is for another pool (report
 * says which); p is then left untouched. */
int leases_read(FILE *in, struct pool *p, struct leases_report *report);

#endif
