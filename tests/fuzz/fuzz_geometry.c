/*
 * fuzz_geometry.c - geometry strings as a user types them: a spec that
 * parses formats to one that parses to the same geometry.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "geometry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size, 4096), text[1024];
	struct geometry g, again;
	struct muse_error e;

	if (!geometry_parse(spec, &g, &e)) {
		if (geometry_format(&g, text, sizeof(text)) < 0)
			abort();
		if (geometry_parse(text, &again, &e) ||
		    memcmp(&g, &again, sizeof(g)))
			abort();
	}
	free(spec);
	return 0;
}
