/* bindtag.c: the binding tag of common/bindtag.h: SipHash-2-4 under a fixed, public key of the
 * access technology type (RFC 5213 §8.5) followed by the MN link-layer identifier (§8.6), cut
 * to 19 bits. The key is no secret: both daemons, whoever built them, must get the same tag, and
 * a tag only chooses between interfaces of one MN that its LMA already reaches. */
#include <string.h>

#include "common/bindtag.h"
#include "common/siphash.h"
#include "proto/mh.h"

#define BINDTAG_K0 0x706d697036746167ull /* "pmip6tag" */
#define BINDTAG_K1 0x62696e64696e6773ull /* "bindings" */

uint32_t bindtag_of(const uint8_t *llid, size_t llid_len, uint8_t att)
{
	uint8_t buf[1 + MH_LLID_MAX];

	if (llid_len > MH_LLID_MAX)
		llid_len = MH_LLID_MAX;
	buf[0] = att;
	if (llid_len > 0)
		memcpy(buf + 1, llid, llid_len);
	return (uint32_t)siphash24(BINDTAG_K0, BINDTAG_K1, buf, 1 + llid_len) & BINDTAG_MASK;
}
