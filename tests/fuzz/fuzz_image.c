/*
 * fuzz_image.c - image files of any content and size, loaded into a
 * small NAND and a small NOR chip as raw, nanddump-oob and auto.
 */
#include <stdlib.h>

#include "flash.h"
#include "fuzz.h"
#include "geometry.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct flash *nand, *nor;
	static const enum image_format fmts[] = {
		IMAGE_AUTO, IMAGE_RAW, IMAGE_NANDDUMP_OOB,
	};
	const char *path = fuzz_file("image", data, size);
	struct muse_error e;

	if (!nand) {
		nand = fuzz_chip(FUZZ_NAND);
		nor = fuzz_chip(FUZZ_NOR);
	}
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		image_load(nand, path, fmts[i], &e);
		image_load(nor, path, fmts[i], &e);
	}
	return 0;
}
