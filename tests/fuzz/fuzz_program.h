/* fuzz_program.h: the program an engine fuzz target (fuzz_lma_engine, fuzz_mag_engine) reads
 * its steps from: the fuzzer's input, taken octet by octet, zeros once it is used up. */
#ifndef TESTS_FUZZ_FUZZ_PROGRAM_H
#define TESTS_FUZZ_FUZZ_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_program {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t program_u8(struct fuzz_program *g)
{
	if (g->left == 0)
		return 0;
	g->left--;
	return *g->p++;
}

static inline uint16_t program_u16(struct fuzz_program *g)
{
	uint16_t hi = program_u8(g);

	return (uint16_t)(hi << 8 | program_u8(g));
}

/* The next octets, at most len of them (as many as are left): where they start, *len set. */
static inline const uint8_t *program_bytes(struct fuzz_program *g, size_t *len)
{
	const uint8_t *at = g->p;

	if (*len > g->left)
		*len = g->left;
	g->p += *len;
	g->left -= *len;
	return at;
}

#endif
