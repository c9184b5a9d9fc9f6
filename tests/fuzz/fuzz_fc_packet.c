/* fuzz_fc_packet.c: libFuzzer target for the flow classifier's packet parser (lma/fc.c's
 * fc_parse_packet: the IPv6 header, extension headers, fragments, the transport ports), fed
 * what NFQUEUE hands lmad. Besides "never crash, never read past the packet", a verdict has a
 * name and a parsed packet parses the same again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lma/fc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fc_tuple t, again;
	int rc = fc_parse_packet(data, size, &t);

	if (!fc_parse_strerror(rc))
		abort();
	if (rc == 0 && (fc_parse_packet(data, size, &again) != 0 || memcmp(&t, &again, sizeof(t))))
		abort();
	return 0;
}
