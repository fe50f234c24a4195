/*
 * cursor.h - bounds-checked reader over a byte buffer.
 *
 * Every read of packet bytes in callfence goes through a cursor: a pair of
 * pointers (p, end).  Readers return 0 on success and -1 when the buffer
 * holds fewer bytes than asked for; on failure the cursor does not move.
 * A caller maps -1 to "truncated"; "invalid" (a field with an impossible
 * value) is the caller's own judgement.
 */
#ifndef CF_CURSOR_H
#define CF_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	const uint8_t *end;
};

static inline void cur_init(struct cursor *c, const uint8_t *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
}

static inline size_t cur_left(const struct cursor *c)
{
	return (size_t)(c->end - c->p);
}

static inline int cur_u8(struct cursor *c, uint8_t *v)
{
	if (cur_left(c) < 1)
		return -1;
	*v = c->p[0];
	c->p += 1;
	return 0;
}

static inline int cur_be16(struct cursor *c, uint16_t *v)
{
	if (cur_left(c) < 2)
		return -1;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	return 0;
}

static inline int cur_be24(struct cursor *c, uint32_t *v)
{
	if (cur_left(c) < 3)
		return -1;
	*v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
	c->p += 3;
	return 0;
}

static inline int cur_be32(struct cursor *c, uint32_t *v)
{
	if (cur_left(c) < 4)
		return -1;
	*v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	     ((uint32_t)c->p[2] << 8) | c->p[3];
	c->p += 4;
	return 0;
}

static inline int cur_le32(struct cursor *c, uint32_t *v)
{
	if (cur_left(c) < 4)
		return -1;
	*v = ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) |
	     ((uint32_t)c->p[1] << 8) | c->p[0];
	c->p += 4;
	return 0;
}

static inline int cur_skip(struct cursor *c, size_t n)
{
	if (cur_left(c) < n)
		return -1;
	c->p += n;
	return 0;
}

/* Copy n bytes out. */
static inline int cur_bytes(struct cursor *c, void *dst, size_t n)
{
	size_t i;
	uint8_t *d = dst;

	if (cur_left(c) < n)
		return -1;
	for (i = 0; i < n; i++)
		d[i] = c->p[i];
	c->p += n;
	return 0;
}

/* Split off the next n bytes as their own cursor and step over them. */
static inline int cur_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	if (cur_left(c) < n)
		return -1;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return 0;
}

/* Look at the byte at offset off without moving; -1 when beyond the end. */
static inline int cur_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
	if (cur_left(c) <= off)
		return -1;
	*v = c->p[off];
	return 0;
}

#endif /* CF_CURSOR_H */
