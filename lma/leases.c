/* leases.c: the prefix lease file of leases.h (RFC 5213 §5.3.2's pool, kept across a restart):
 * writing the pool's high-water mark, its resting prefixes and the bound ones; reading them back
 * record by record, skipping and counting what does not belong. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "common/statefile.h"
#include "lma/leases.h"

/* --- writing --- */

/* One line, built whole and written at once (stdio locks the stream per call). */
static void write_record(FILE *out, const char *kind, const struct mh_prefix *pfx, const char *id,
                         size_t id_len)
{
	char line[8 + INET6_ADDRSTRLEN + 4 + SF_ID_MAX + 2], *end;
	size_t n = strlen(kind);

	memcpy(line, kind, n);
	line[n++] = ' ';
	cfg_prefix_str(&pfx->addr, pfx->len, line + n, INET6_ADDRSTRLEN + 4);
	end = line + n + strlen(line + n);
	*end++ = ' ';
	end += sf_escape(id, id_len, end);
	*end++ = '\n';
	fwrite(line, 1, (size_t)(end - line), out);
}

static void write_resting(const struct mh_prefix *pfx, const char *owner, size_t owner_len,
                          void *arg)
{
	write_record(arg, "rest", pfx, owner, owner_len);
}

static void write_held(FILE *out, const struct bc *bc)
{
	for (size_t i = 0; bc->by_id.buckets && i <= bc->by_id.last; i++)
		for (const struct hnode *n = bc->by_id.buckets[i]; n; n = n->next) {
			const struct bce *b = HMAP_ENTRY(n, const struct bce, id_node);

			for (unsigned j = 0; j < b->n_prefix; j++)
				if (b->prefix[j].pooled) /* from an older pool too */
					write_record(out, "held", &b->prefix[j].p, b->mn->id,
					             b->mn->id_len);
		}
}

int leases_write(FILE *out, const struct pool *p, const struct bc *bc)
{
	char buf[INET6_ADDRSTRLEN + 4];

	fputs("# lmad prefix leases (lmad.conf(5), lease-file): written by lmad, read at its "
	      "start\n",
	      out);
	fprintf(out, "pool %s length %u next %llu\n",
	        cfg_prefix_str(&p->range.addr, p->range.len, buf, sizeof(buf)), p->alloc_len,
	        (unsigned long long)pool_next(p));
	pool_foreach_resting(p, write_resting, out);
	write_held(out, bc);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* --- reading --- */

/* "pool RANGE length N next N" for this very pool: its high-water mark in *next. */
static bool read_header(char *line, const struct pool *p, uint64_t *next, bool *other)
{
	char *w[6], *end;
	struct mh_prefix range;
	unsigned long len;
	unsigned long long n;

	*other = false;
	if (sf_split(line, w, 6) != 6 || strcmp(w[0], "pool") != 0 || strcmp(w[2], "length") != 0 ||
	    strcmp(w[4], "next") != 0 || !sf_prefix(w[1], &range))
		return false;
	len = strtoul(w[3], &end, 10);
	if (*end != '\0' || w[3][0] < '0' || w[3][0] > '9')
		return false;
	n = strtoull(w[5], &end, 10);
	if (*end != '\0' || w[5][0] < '0' || w[5][0] > '9')
		return false;
	if (!mh_prefix_equal(&range, &p->range) || len != p->alloc_len || n > p->size) {
		*other = true;
		return false;
	}
	*next = n;
	return true;
}

/* One "rest" or "held" record: back to rest with its MN-ID. */
static bool read_record(char *line, struct pool *p, struct leases_report *r)
{
	char *w[3], id[MH_MNID_MAX + 1];
	struct mh_prefix pfx;
	bool held;

	if (sf_split(line, w, 3) != 3)
		return false;
	held = strcmp(w[0], "held") == 0;
	if ((!held && strcmp(w[0], "rest") != 0) || !sf_prefix(w[1], &pfx) ||
	    !sf_unescape_id(w[2], id))
		return false;
	if (!(held ? pool_restore_held(p, &pfx, id) : pool_release(p, &pfx, id)))
		return false; /* resting outside the pool, or a second record */
	if (held)
		r->held++;
	if (held && !pool_contains(p, &pfx))
		r->aside++;
	else if (!held)
		r->rested++;
	return true;
}

int leases_read(FILE *in, struct pool *p, struct leases_report *r)
{
	char line[LEASES_LINE_MAX];
	bool long_line, have_header = false;
	unsigned lineno = 0;
	uint64_t next;

	memset(r, 0, sizeof(*r));
	while (sf_next_line(in, line, sizeof(line), &long_line)) {
		lineno++;
		if (!long_line && sf_blank(line))
			continue;
		if (!have_header) {
			if (long_line || !read_header(line, p, &next, &r->other_pool) ||
			    !pool_restore_next(p, next)) {
				r->bad = 1;
				r->first_bad_line = lineno;
				return -1;
			}
			have_header = true;
			continue;
		}
		if (long_line || !read_record(line, p, r)) {
			if (r->bad++ == 0)
				r->first_bad_line = lineno;
		}
	}
	return have_header ? 0 : -1;
}
