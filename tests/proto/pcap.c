/* pcap.c: a minimal classic-pcap writer (magic a1b2c3d4, version 2.4, LINKTYPE_RAW = 101) for
 * IPv6 packets carrying one Mobility Header (RFC 8200 §3 header, RFC 6275 §6.1.1 checksum). */
#include <string.h>

#include "proto/mh.h"
#include "tests/proto/pcap.h"

#define LINKTYPE_RAW 101
#define IP6_HDR_LEN  40

static bool put32(FILE *f, uint32_t v)
{
	return fwrite(&v, sizeof(v), 1, f) == 1; /* pcap headers are in the writer's byte order */
}

static bool put16(FILE *f, uint16_t v)
{
	return fwrite(&v, sizeof(v), 1, f) == 1;
}

FILE *pcap_open(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return NULL;
	if (!put32(f, 0xa1b2c3d4) || !put16(f, 2) || !put16(f, 4) || !put32(f, 0) || !put32(f, 0) ||
	    !put32(f, 65535) || !put32(f, LINKTYPE_RAW)) {
		fclose(f);
		return NULL;
	}
	return f;
}

static void ip6_header(uint8_t *h, const struct in6_addr *src, const struct in6_addr *dst,
                       size_t payload_len)
{
	memset(h, 0, IP6_HDR_LEN);
	h[0] = 0x60; /* version 6, traffic class 0, flow label 0 */
	h[4] = (uint8_t)(payload_len >> 8);
	h[5] = (uint8_t)payload_len;
	h[6] = 135; /* next header: Mobility Header */
	h[7] = 64;  /* hop limit */
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
}

bool pcap_write_mh(FILE *f, const struct in6_addr *src, const struct in6_addr *dst,
                   const uint8_t *mh, size_t len)
{
	uint8_t pkt[IP6_HDR_LEN + MH_MAX_LEN];
	static uint32_t seconds = 1700000000;
	uint32_t total = (uint32_t)(IP6_HDR_LEN + len);

	if (len > MH_MAX_LEN)
		return false;
	ip6_header(pkt, src, dst, len);
	memcpy(pkt + IP6_HDR_LEN, mh, len);
	mh_checksum_fill(src, dst, pkt + IP6_HDR_LEN, len);
	return put32(f, seconds++) && put32(f, 0) && put32(f, total) && put32(f, total) &&
	       fwrite(pkt, total, 1, f) == 1;
}

bool pcap_close(FILE *f)
{
	bool ok = fflush(f) == 0;

	return fclose(f) == 0 && ok;
}
