/*
 * fuzz_image.c - image files of any content and size, loaded into a
 * small NAND and a small NOR chip in every format.
 */
#include <stdlib.h>

#include "flash.h"
#include "fuzz.h"
#include "geometry.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct flash *nand, *nor;
	static const char *const fmts[] = {
		"auto", "raw", "nanddump-oob", "interleaved:step=256,bbm-swap",
		"ubi", "jffs2",
	};
	const char *path = fuzz_file("image", data, size);
	struct muse_error e;

	if (!nand) {
		nand = fuzz_chip(FUZZ_NAND);
		nor = fuzz_chip(FUZZ_NOR);
	}
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct image_spec spec;

		if (image_parse_spec(fmts[i], &spec, &e))
			abort();
		image_load(nand, path, &spec, NULL, &e);
		image_load(nor, path, &spec, NULL, &e);
	}
	return 0;
}
