/* timestamp.c: values of the Timestamp option (RFC 5213 §8.8): 48 bits of seconds since
 * 1970-01-01 and 16 bits of 1/65536 second, which is not NTP's 32.32 format. */
#include "proto/mh.h"

#define NS_PER_S 1000000000ull

uint64_t mh_timestamp_from_ns(uint64_t ns)
{
	uint64_t secs = ns / NS_PER_S, frac = ((ns % NS_PER_S) << 16) / NS_PER_S;

	return (secs & 0xffffffffffffull) << 16 | frac;
}

uint64_t mh_timestamp_to_ns(uint64_t ts)
{
	return (ts >> 16) * NS_PER_S + ((ts & 0xffff) * NS_PER_S >> 16);
}
