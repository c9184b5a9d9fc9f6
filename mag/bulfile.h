/* bulfile.h: magd's binding update list on disk (magd.conf(5) state-file), so that a magd
 * restarted after a crash registers again, at once, the MNs its predecessor served: their MAC,
 * access link, link-local address and home network prefixes (RFC 5213 §6.9.1.1: the MAG asks
 * for the prefixes the MN has, with Handoff Indicator 5, as in a re-registration). Without it
 * an MN whose link never went down would never solicit again and stay unserved. A record a
 * line, in common/statefile.h's format:
 *
 *   bound MN-ID MAC ACCESS-INTERFACE MN-LINK-LOCAL PREFIX[,PREFIX...]
 *
 * Pure: the caller reads and writes the file. */
#ifndef MAG_BULFILE_H
#define MAG_BULFILE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>

#include "mag/engine.h"

#define BULFILE_LINE_MAX 2048

struct bulfile_record {
	char mn_id[MH_MNID_MAX + 1];
	uint8_t mac[6];
	char ifname[IFNAMSIZ];
	struct in6_addr ll;
	unsigned n_hnp;
	struct mh_prefix hnp[BUL_MAX_PREFIXES];
};

/* One record as a line. */
void bulfile_write(FILE *out, const struct bulfile_record *r);
/* Parses one line (changed in place): 1 a record, 0 a blank line or a comment, -1 malformed. */
int bulfile_parse(char *line, struct bulfile_record *r);

#endif
