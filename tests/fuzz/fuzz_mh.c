/* fuzz_mh.c: libFuzzer target for the Mobility Header decoder (proto/). Besides "never crash,
 * never read out of bounds" it checks a property: whatever decodes must encode again, and the
 * encoding must decode to the same message (unknown options aside, which are dropped). */
#include <stdio.h>
#include <stdlib.h>

#include "proto/mh.h"
#include "tests/proto/golden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct mh_msg *in, const struct mh_params *p)
{
	static uint8_t out[MH_MAX_LEN];
	struct mh_msg again, want = *in;
	char why[64];
	ssize_t n = mh_encode(in, p, out, sizeof(out));
	int rc;

	if (n == -MH_E_NOSPACE)
		return; /* re-aligning tightly packed options can need more than 2048 octets */
	if (n < 0) {
		fprintf(stderr, "decoded message does not encode: %s\n", mh_strerror((int)n));
		abort();
	}
	rc = mh_decode(out, (size_t)n, p, &again);
	if (rc != MH_OK) {
		fprintf(stderr, "re-encoded message does not decode: %s\n", mh_strerror(rc));
		abort();
	}
	want.opts.n_unknown = 0;
	if (!golden_msg_equal(&want, &again, why, sizeof(why))) {
		fprintf(stderr, "round trip changed the message: %s\n", why);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mh_msg msg;
	struct mh_params p, other;

	mh_params_init(&p);
	if (mh_decode(data, size, &p, &msg) == MH_OK)
		roundtrip(&msg, &p);
	other.muho_type = 200; /* the MuHo type is a setting: decode with another one too */
	(void)mh_decode(data, size, &other, &msg);
	return 0;
}
