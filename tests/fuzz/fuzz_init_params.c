/*
 * fuzz_init_params.c - the MUSE_INIT parameter block built from any
 * geometry that validates, with any name, partitions and bad blocks:
 * always NUL-terminated "key=value" strings inside the buffer, and the
 * geometry keys say what the geometry says.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "init_params.h"

static const char *value_of(const char *block, int len, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = block; p < block + len; p += strlen(p) + 1)
		if (!strncmp(p, key, n) && p[n] == '=')
			return p + n + 1;
	return NULL;
}

static void check_block(const char *block, int len, const struct geometry *g)
{
	const char *v;

	if (len <= 0 || block[len - 1])
		abort();
	for (const char *p = block; p < block + len; p += strlen(p) + 1)
		if (!strchr(p, '='))
			abort();
	v = value_of(block, len, "size");
	if (!v || strtoull(v, NULL, 0) != g->size)
		abort();
	v = value_of(block, len, "erasesize");
	if (!v || strtoull(v, NULL, 0) != g->block_size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct muse_init_extras x = { 0 };
	struct geometry g;
	struct muse_error e;
	char *strings, *name, *badblocks, *parts, block[8192];
	int len;

	if (size < sizeof(g) + sizeof(uint32_t))
		return 0;
	memcpy(&g, data, sizeof(g));
	memcpy(&x.readcache, data + sizeof(g), sizeof(uint32_t));
	if (geometry_validate(&g, &e))
		return 0;
	strings = fuzz_string(data + sizeof(g) + 4, size - sizeof(g) - 4, 2048);
	name = strings;
	badblocks = strchr(name, '\n');
	parts = badblocks ? strchr(badblocks + 1, '\n') : NULL;
	if (badblocks)
		*badblocks++ = '\0';
	if (parts)
		*parts++ = '\0';
	x.name = *name ? name : "fuzz";
	x.badblocks = badblocks;
	x.mtdparts = parts;
	len = muse_init_params(&g, &x, block, sizeof(block), &e);
	if (len >= 0)
		check_block(block, len, &g);
	free(strings);
	return 0;
}
