/* checksum.c: the Mobility Header checksum (RFC 6275 §6.1.1): the Internet checksum (RFC 1071)
 * over the IPv6 pseudo-header (RFC 8200 §8.1) with next header 135, then the message. */
#include "proto/mh.h"

#define IPPROTO_MH_NUM 135

static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t pseudo_header_sum(const struct in6_addr *src, const struct in6_addr *dst,
                                  size_t len)
{
	uint32_t sum = 0;

	sum = sum_bytes(sum, src->s6_addr, 16);
	sum = sum_bytes(sum, dst->s6_addr, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	return sum + IPPROTO_MH_NUM;
}

uint16_t mh_checksum(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *mh,
                     size_t len)
{
	return (uint16_t)~fold(sum_bytes(pseudo_header_sum(src, dst, len), mh, len));
}

void mh_checksum_fill(const struct in6_addr *src, const struct in6_addr *dst, uint8_t *mh,
                      size_t len)
{
	uint16_t sum;

	if (len < MH_CKSUM_OFF + 2)
		return;
	mh[MH_CKSUM_OFF] = 0;
	mh[MH_CKSUM_OFF + 1] = 0;
	sum = mh_checksum(src, dst, mh, len);
	mh[MH_CKSUM_OFF] = (uint8_t)(sum >> 8);
	mh[MH_CKSUM_OFF + 1] = (uint8_t)sum;
}

bool mh_checksum_ok(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *mh,
                    size_t len)
{
	return len >= MH_HDR_LEN && mh_checksum(src, dst, mh, len) == 0;
}
