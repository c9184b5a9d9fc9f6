/* bindings.h: the LMA's binding cache on disk (RFC 5213 §5.1's Binding Cache Entry fields, and
 * the flows steered per binding, draft-bernardos-mif-pmip-02 §5.3), so that a restarted lmad
 * routes its MNs' prefixes again at once instead of waiting for every MAG's next refresh
 * (RFC 5213 §5.3.3). A text file in the line format of common/statefile.h:
 *
 *   bindings 1                    (the format's version: the first record, always)
 *   bce ID MN-ID MAG TUNNEL LLID ATT HI MUHO LLA LIFETIME REGISTERED EXPIRES SEQ TS PREFIX...
 *   flow BCE MARK PROTO SRC SPORT DST DPORT LABEL POLICY PINNED
 *
 * LLID is hexadecimal or "-", LLA an address or "-", TS a timestamp (RFC 5213 §8.8) or "-";
 * REGISTERED and EXPIRES are wall-clock nanoseconds since the epoch, so that a lifetime runs on
 * across a restart; SEQ and TS are the last ones accepted (§5.5); one to BCE_MAX_PREFIXES
 * prefixes. A flow names its binding by ID. Every record ends with a newline: a last line
 * without one was cut short, and is refused. Reading is for untrusted text: each field is
 * checked here for its syntax and range; whether a record fits the running configuration and
 * cache is the caller's to judge (engine.c, lmad_fc.c). Pure: the caller opens the files. */
#ifndef LMA_BINDINGS_H
#define LMA_BINDINGS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lma/bc.h"
#include "lma/fc.h"

#define BINDINGS_VERSION  1
#define BINDINGS_LINE_MAX 2048 /* a "bce" line at its longest fits with room */

struct bind_record {
	uint64_t id;
	char mn_id[MH_MNID_MAX + 1];
	struct in6_addr mag;
	uint32_t tunnel; /* the MAG's tunnel id: flows' marks name it */
	uint8_t llid_len;
	uint8_t llid[MH_LLID_MAX];
	uint8_t att, hi;
	bool muho;
	bool have_lla;
	struct in6_addr lla;
	uint32_t lifetime_s;
	uint64_t registered_ns, expires_ns; /* wall clock */
	uint16_t seq;
	bool have_ts;
	uint64_t ts;
	uint8_t n_prefix;
	struct mh_prefix prefix[BCE_MAX_PREFIXES];
};

struct flow_record {
	uint64_t bce_id;
	uint32_t mark;
	struct fc_tuple tuple; /* tclass not kept */
	uint32_t policy_id;
	bool pinned;
};

/* What reading found. A malformed record is skipped and counted, the first one's line kept. */
struct bindings_report {
	unsigned bces, flows; /* records the caller took */
	unsigned refused;     /* well-formed records the caller did not take */
	unsigned bad;         /* malformed records */
	unsigned first_bad_line;
	unsigned version; /* found in the header; 0: none */
};

/* Where the records read go: each returns whether it took the record. */
struct bindings_sink {
	bool (*bce)(void *arg, const struct bind_record *r);
	bool (*flow)(void *arg, const struct flow_record *r);
	void *arg;
};

void bindings_write_header(FILE *out);
void bindings_write_bce(FILE *out, const struct bind_record *r);
void bindings_write_flow(FILE *out, const struct flow_record *r);
/* 0, or -1 if the stream failed. */
int bindings_write_end(FILE *out);

/* Parsers of one record's line (split in place): false if malformed. */
bool bindings_parse_bce(char *line, struct bind_record *r);
bool bindings_parse_flow(char *line, struct flow_record *r);
/* Reads the whole file into sink: 0 when it is a binding file of this version (bad records
 * aside), -1 when it is not, or of another version (report.version says which); nothing is
 * handed to sink then. */
int bindings_read(FILE *in, const struct bindings_sink *sink, struct bindings_report *report);

#endif
