/* output.h: pmipctl prints every reply through one table of functions per format (after
 * bgpctl's output.c / output_json.c): text for people, JSON (-j) that scripts can rely on. */
#ifndef PMIPCTL_OUTPUT_H
#define PMIPCTL_OUTPUT_H

#include "common/ctl_proto.h"

/* What a reply holds, which decides the shape of the JSON document. */
enum output_kind {
	OUT_BINDINGS, /* [{"mn_id": ..., "bindings": [...]}, ...] */
	OUT_STATS,    /* {"group": {"name": value}} */
	OUT_FLOWS,    /* [{flow}, ...] */
	OUT_POLICIES, /* [{policy}, ...] */
	OUT_PEERS,    /* [{peer}, ...] */
	OUT_NOTHING,  /* a command that only succeeds or fails: no output */
};

struct output {
	void (*begin)(int kind);
	void (*binding)(const struct ctl_binding *b);
	void (*stat)(const struct ctl_stat *s);
	void (*flow)(const struct ctl_flow *f);
	void (*policy)(const struct fc_policy *p);
	void (*peer)(const struct ctl_peer *p);
	void (*end)(void);
};

extern const struct output output_text;
extern const struct output output_json;

/* Shared helpers. */
const char *att_name(unsigned att);
void format_llid(const struct ctl_binding *b, char *buf, size_t len);
void format_prefix(const struct ctl_prefix *p, char *buf, size_t len);
void format_addr(const uint8_t addr[16], char *buf, size_t len);
const char *proto_label(uint8_t proto, char *buf, size_t len);

#endif
