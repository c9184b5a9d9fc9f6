/* msgbuild.h: builds raw Mobility Header test messages around hand-written option bytes. */
#ifndef TESTS_PROTO_MSGBUILD_H
#define TESTS_PROTO_MSGBUILD_H

#include <stdint.h>
#include <string.h>

/* Writes a message of the given type: the header, a zeroed fixed part of fixed_len octets,
 * Pad1 octets so the total is a multiple of 8, then opts, which thus end the message. Returns
 * the length. buf must hold 6 + fixed_len + 7 + n octets. */
static inline size_t msgbuild(uint8_t *buf, uint8_t type, size_t fixed_len, const uint8_t *opts,
                              size_t n)
{
	size_t pad = (8 - (6 + fixed_len + n) % 8) % 8, len = 6 + fixed_len + pad + n;

	memset(buf, 0, len);
	buf[0] = 59;
	buf[1] = (uint8_t)(len / 8 - 1);
	buf[2] = type;
	if (n)
		memcpy(buf + 6 + fixed_len + pad, opts, n);
	return len;
}

/* A Binding Update (flags A and P) with the given options. */
static inline size_t msgbuild_bu(uint8_t *buf, const uint8_t *opts, size_t n)
{
	size_t len = msgbuild(buf, 5, 6, opts, n);

	buf[8] = 0x82;
	return len;
}

#endif
