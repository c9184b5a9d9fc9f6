/* output.h: pmipctl prints every reply through one table of functions per format (after
 * bgpctl's output.c / output_json.c): text for people, JSON (-j) that scripts can rely on,
 * OpenMetrics (-o openmetrics, show stats only) for a metrics collector. One function per record
 * type; a format leaves NULL the records it does not print (pmipctl refuses such a command
 * before it connects). */
#ifndef PMIPCTL_OUTPUT_H
#define PMIPCTL_OUTPUT_H

#include "common/ctl_proto.h"
#include "lma/fc.h"

/* What a reply holds, which decides the shape of the JSON document. */
enum output_kind {
	OUT_BINDINGS, /* [{"mn_id": ..., "bindings": [...]}, ...] */
	OUT_STATS,    /* {"group": {"name": value}} */
	OUT_FLOWS,    /* [{flow}, ...] */
	OUT_POLICIES, /* [{policy}, ...] */
	OUT_VERSION,  /* {"daemon": ..., "version": ...} */
	OUT_PEERS,    /* [{peer}, ...] */
	OUT_NOTHING,  /* a command that only succeeds or fails: no output */
};

struct output {
	void (*begin)(int kind);
	void (*binding)(const struct ctl_binding *b);
	void (*stat)(const struct ctl_stat *s);
	void (*flow)(const struct ctl_flow *f);
	void (*policy)(const struct fc_policy *p);
	void (*version)(const struct ctl_version *v);
	void (*peer)(const struct ctl_peer *p);
	/* After the last record: 0, or -1 when the answer could not be printed whole. */
	int (*end)(void);
};

extern const struct output output_text;
extern const struct output output_json;
extern const struct output output_openmetrics;

/* Shared helpers. */
const char *att_name(unsigned att);
void format_llid(const struct ctl_binding *b, char *buf, size_t len);
void format_prefix(const struct ctl_prefix *p, char *buf, size_t len);
void format_addr(const uint8_t addr[16], char *buf, size_t len);
const char *proto_label(uint8_t proto, char *buf, size_t len);

#endif
