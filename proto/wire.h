/* wire.h: the one bounds-checked cursor through which every proto/ codec reads and writes network
 * bytes. Byte order is converted only here. Errors are sticky: after the first overrun every
 * further call is a no-op that reads zeros, so a decoder may read a whole fixed part and check
 * the error once (the model is Knot DNS's wire_ctx). */
#ifndef PROTO_WIRE_H
#define PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum wire_err {
	WIRE_OK = 0,
	WIRE_EOVERRUN, /* a read or write past the end of the buffer */
	WIRE_ERDONLY,  /* a write through a cursor made for reading */
};

struct wire {
	uint8_t *buf; /* const for a reading cursor: never written through then */
	size_t len;
	size_t pos;
	int err;
	bool readonly;
};

static inline void wire_init_read(struct wire *w, const uint8_t *buf, size_t len)
{
	w->buf = (uint8_t *)(uintptr_t)buf;
	w->len = buf ? len : 0;
	w->pos = 0;
	w->err = WIRE_OK;
	w->readonly = true;
}

static inline void wire_init_write(struct wire *w, uint8_t *buf, size_t len)
{
	wire_init_read(w, buf, len);
	w->readonly = false;
}

static inline size_t wire_left(const struct wire *w)
{
	return w->err ? 0 : w->len - w->pos;
}

/* Reserves n bytes at the cursor and advances; NULL (and a sticky error) if they do not fit. */
static inline uint8_t *wire_take(struct wire *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (n > w->len - w->pos) {
		w->err = WIRE_EOVERRUN;
		return NULL;
	}
	p = w->buf + w->pos;
	w->pos += n;
	return p;
}

static inline uint8_t *wire_take_writable(struct wire *w, size_t n)
{
	if (w->readonly && !w->err)
		w->err = WIRE_ERDONLY;
	return wire_take(w, n);
}

static inline void wire_get_bytes(struct wire *w, void *dst, size_t n)
{
	const uint8_t *p = wire_take(w, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

static inline uint8_t wire_get_u8(struct wire *w)
{
	const uint8_t *p = wire_take(w, 1);

	return p ? p[0] : 0;
}

/* Multi-octet reads take all their octets at once: on an overrun the value is zero. */
static inline uint64_t wire_get_be(struct wire *w, size_t n)
{
	const uint8_t *p = wire_take(w, n);
	uint64_t v = 0;

	for (size_t i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static inline uint16_t wire_get_u16(struct wire *w)
{
	return (uint16_t)wire_get_be(w, 2);
}

static inline uint32_t wire_get_u32(struct wire *w)
{
	return (uint32_t)wire_get_be(w, 4);
}

static inline uint64_t wire_get_u64(struct wire *w)
{
	return wire_get_be(w, 8);
}

static inline void wire_skip(struct wire *w, size_t n)
{
	(void)wire_take(w, n);
}

/* Carves the next n bytes into a reading sub-cursor and advances past them: each option value
 * is read through its own sub-cursor so it can never read into its neighbour. */
static inline void wire_sub(struct wire *w, size_t n, struct wire *sub)
{
	const uint8_t *p = wire_take(w, n);

	wire_init_read(sub, p, p ? n : 0);
	if (!p)
		sub->err = w->err;
}

static inline void wire_put_bytes(struct wire *w, const void *src, size_t n)
{
	uint8_t *p = wire_take_writable(w, n);

	if (p && n)
		memcpy(p, src, n);
}

static inline void wire_put_zero(struct wire *w, size_t n)
{
	uint8_t *p = wire_take_writable(w, n);

	if (p)
		memset(p, 0, n);
}

static inline void wire_put_u8(struct wire *w, uint8_t v)
{
	uint8_t *p = wire_take_writable(w, 1);

	if (p)
		p[0] = v;
}

/* Multi-octet writes reserve all their octets first, so an overrun writes nothing at all. */
static inline void wire_put_be(struct wire *w, uint64_t v, size_t n)
{
	uint8_t *p = wire_take_writable(w, n);

	for (size_t i = 0; p && i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static inline void wire_put_u16(struct wire *w, uint16_t v)
{
	wire_put_be(w, v, 2);
}

static inline void wire_put_u32(struct wire *w, uint32_t v)
{
	wire_put_be(w, v, 4);
}

static inline void wire_put_u64(struct wire *w, uint64_t v)
{
	wire_put_be(w, v, 8);
}

/* Rewrites one byte already written (a length field known only at the end). */
static inline void wire_patch_u8(struct wire *w, size_t off, uint8_t v)
{
	if (w->err)
		return;
	if (w->readonly) {
		w->err = WIRE_ERDONLY;
		return;
	}
	if (off >= w->pos) {
		w->err = WIRE_EOVERRUN;
		return;
	}
	w->buf[off] = v;
}

#endif
