/* fuzz_nd.c: libFuzzer target for the Router Solicitation parser (mag/nd.c's
 * nd_parse_rs_frame: Ethernet, IPv6, ICMPv6 and its options, as the capture socket hands them to
 * magd). Besides "never crash, never read past the frame", every verdict has a name. */
#include <stdlib.h>

#include "mag/nd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_rs rs;
	int rc = nd_parse_rs_frame(data, size, &rs);

	if (!nd_err_name(rc))
		abort();
	return 0;
}
