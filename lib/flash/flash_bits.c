/*
 * flash_bits.c - the byte work of programs on the stored cells.
 *
 * Cells are kept complemented, so that erased memory is zeros: a program
 * ANDs into the cell, which is an OR of the complement into the stored
 * byte.  Programs are most of what a daemon does with its bytes, so the
 * loops go eight bytes a step.
 */
#include "flash_impl.h"

#include <string.h>

static uint64_t load64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

static void store64(uint8_t *p, uint64_t w)
{
	memcpy(p, &w, sizeof(w));
}

void flash_copy_complement(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		store64(dst + i, ~load64(src + i));
	for (; i < n; i++)
		dst[i] = (uint8_t)~src[i];
}

/*
 * Whether any byte has a 1 in both: a program almost never asks a 0 cell
 * for a 1, so this pass alone decides nearly every program.
 */
static bool any_and(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint64_t any = 0;
	uint32_t i = 0;

	for (; i + 8 <= n; i += 8)
		any |= load64(a + i) & load64(b + i);
	for (; i < n; i++)
		any |= (uint64_t)(a[i] & b[i]);
	return any != 0;
}

/* The bits @v asks to be 1 where the cells (~@stored) hold 0 */
uint32_t flash_bits_and_count(const uint8_t *v, const uint8_t *stored,
			      uint32_t n)
{
	uint32_t bits = 0;

	if (!any_and(v, stored, n))
		return 0;
	for (uint32_t i = 0; i < n; i++)
		bits += (uint32_t)__builtin_popcount(v[i] & stored[i]);
	return bits;
}

/* cell & v, complemented: stored | ~v */
void flash_bits_program(uint8_t *stored, const uint8_t *v, uint32_t n)
{
	uint32_t i = 0;

	for (; i + 8 <= n; i += 8)
		store64(stored + i, load64(stored + i) | ~load64(v + i));
	for (; i < n; i++)
		stored[i] |= (uint8_t)~v[i];
}
