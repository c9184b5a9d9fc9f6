/* golden.h: hand-written Mobility Header vectors and the messages they encode (golden.c). */
#ifndef TESTS_PROTO_GOLDEN_H
#define TESTS_PROTO_GOLDEN_H

#include "proto/mh.h"

struct golden {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	void (*expect)(struct mh_msg *m); /* fills the message these bytes encode */
};

extern const struct golden golden_vectors[];
extern const size_t golden_count;
const struct golden *golden_find(const char *name);

/* Compares two decoded messages field by field (padding and unused array slots ignored). On a
 * difference returns false and names the first differing field in why. */
bool golden_msg_equal(const struct mh_msg *a, const struct mh_msg *b, char *why, size_t why_len);

#endif
