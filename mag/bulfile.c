/* bulfile.c: magd's binding file of bulfile.h (RFC 5213 §6.1's binding update list, the part a
 * restart needs): a record a line, written whole, parsed field by field. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "common/statefile.h"
#include "mag/bulfile.h"

void bulfile_write(FILE *out, const struct bulfile_record *r)
{
	char id[SF_ID_MAX + 1], ll[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 4];

	sf_escape(r->mn_id, strlen(r->mn_id), id);
	inet_ntop(AF_INET6, &r->ll, ll, sizeof(ll));
	fprintf(out, "bound %s %02x:%02x:%02x:%02x:%02x:%02x %s %s ", id, r->mac[0], r->mac[1],
	        r->mac[2], r->mac[3], r->mac[4], r->mac[5], r->ifname, ll);
	for (unsigned i = 0; i < r->n_hnp; i++)
		fprintf(out, "%s%s", i ? "," : "",
		        cfg_prefix_str(&r->hnp[i].addr, r->hnp[i].len, p, sizeof(p)));
	fputc('\n', out);
}

/* "P[,P...]", one to BUL_MAX_PREFIXES prefixes. */
static bool parse_prefixes(char *s, struct bulfile_record *r)
{
	char *save = NULL;

	size_t len = strlen(s);

	r->n_hnp = 0;
	if (len == 0 || s[0] == ',' || s[len - 1] == ',' || strstr(s, ",,"))
		return false; /* strtok_r would pass over the empty one */
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (r->n_hnp == BUL_MAX_PREFIXES || !sf_prefix(tok, &r->hnp[r->n_hnp]))
			return false;
		r->n_hnp++;
	}
	return r->n_hnp > 0;
}

int bulfile_parse(char *line, struct bulfile_record *r)
{
	char *w[6];

	if (sf_blank(line))
		return 0;
	memset(r, 0, sizeof(*r));
	if (sf_split(line, w, 6) != 6 || strcmp(w[0], "bound") != 0 ||
	    !sf_unescape_id(w[1], r->mn_id) || !mag_conf_mac_parse(w[2], strlen(w[2]), r->mac) ||
	    strlen(w[3]) >= IFNAMSIZ || inet_pton(AF_INET6, w[4], &r->ll) != 1 ||
	    !IN6_IS_ADDR_LINKLOCAL(&r->ll) || !parse_prefixes(w[5], r))
		return -1;
	memcpy(r->ifname, w[3], strlen(w[3]) + 1);
	return 1;
}
