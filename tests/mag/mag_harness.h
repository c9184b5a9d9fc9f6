/* mag_harness.h: drives the MAG engine in unit tests: a configuration from text, a mock clock,
 * and an io that records every message and router advertisement sent and keeps a model of the
 * kernel's routes, rules and tunnel. */
#ifndef TESTS_MAG_MAG_HARNESS_H
#define TESTS_MAG_MAG_HARNESS_H

#include "mag/engine.h"

#define M_MAX_SENT   128
#define M_MAX_ROUTES 32
#define WLAN         10 /* ifindex of the access link wlan0 */
#define EXT          11 /* ifindex of the access link eth9 */
#define LMA          "2001:db8:ffff::100"

struct m_route {
	struct mh_prefix p;
	struct in6_addr ll;
	unsigned ifindex;
	uint32_t rule_tunnel; /* 0: no rule */
	bool has_route;
};

#define M_MAX_TAGS 8
#define M_TAG_MARK 7000 /* binding tag slot s has mark M_TAG_MARK + s */

/* A binding tag in the fake kernel: packets with the tag go to ll on ifindex for n prefixes. */
struct m_tag {
	bool used;
	uint32_t tag;
	unsigned n, ifindex;
	struct mh_prefix p[16];
	struct in6_addr ll;
};

struct m_ra {
	unsigned ifindex;
	struct in6_addr dst;
	struct nd_ra ra;
};

struct mharness {
	struct mag_conf *conf;
	struct mag_engine *e;
	struct mag_now now;
	bool clock_unsynced; /* what io.clock_synced answers */
	struct mh_msg sent[M_MAX_SENT];
	size_t n_sent;
	struct m_ra ras[M_MAX_SENT];
	size_t n_ras;
	struct m_route routes[M_MAX_ROUTES];
	size_t n_routes;
	uint32_t tunnel; /* 0: none */
	unsigned tunnel_adds, tunnel_dels, route_ops;
	unsigned rule_clashes;   /* source rules added twice (refused by the kernel: EEXIST) */
	unsigned route_replaced; /* routes replaced by one through another link or next hop */
	bool fail_next_route;
	struct m_tag tags[M_MAX_TAGS + 1]; /* by slot, from 1 */
	unsigned tag_adds, tag_dels;
	bool fail_tags;        /* the kernel refuses tag requests (ENOMEM) */
	bool tags_unsupported; /* the driver cannot read tags (EOPNOTSUPP) */
	bool have_failed;
	uint64_t failed_cookie;
};

void m_init(struct mharness *h, const char *conf_text);
void m_free(struct mharness *h);
/* A Router Solicitation from MAC 02:00:00:00:00:mac on ifindex, from fe80::mac. */
void m_rs(struct mharness *h, unsigned ifindex, uint8_t mac);
/* The last PBU sent (asserted to be one). */
const struct mh_msg *m_last_pbu(const struct mharness *h);
size_t m_count_type(const struct mharness *h, uint8_t type);
/* A PBA from the LMA echoing the last PBU, with a status, own prefixes and MuHo prefixes
 * (NULL-terminated lists of "prefix/len"). */
void m_pba(struct mharness *h, uint8_t status, const char *const *hnp, const char *const *muho);
void m_input(struct mharness *h, const char *from, const struct mh_msg *m);
void m_advance(struct mharness *h, uint64_t ms);
/* The tags in the fake kernel, and the one with this tag value (NULL: none). */
unsigned m_tags(const struct mharness *h);
const struct m_tag *m_tag_find(const struct mharness *h, uint32_t tag);
/* The route for a prefix, or NULL. */
const struct m_route *m_route(const struct mharness *h, const char *prefix);
struct mh_prefix m_prefix(const char *text);

#endif
