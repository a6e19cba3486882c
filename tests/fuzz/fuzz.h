/*
 * fuzz.h - what the libFuzzer harnesses share: the entry point every
 * harness defines, and a scratch file to hand an input to code that
 * reads files.
 */
#ifndef MUSE_FUZZ_H
#define MUSE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct flash;

/* the chips images are loaded into: small, so that inputs are small */
#define FUZZ_NAND "type=nand,size=16k,block=8k,page=512,oob=16"
#define FUZZ_NOR "type=nor,size=16k,block=8k"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A path in a private directory (on /dev/shm where there is one) named
 * @name; the same path every call with the same name.
 */
const char *fuzz_path(const char *name);

/* Writes @size bytes to fuzz_path(@name); aborts if it cannot */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* A flash in memory of geometry @spec; aborts if it cannot be made */
struct flash *fuzz_chip(const char *spec);

/* A NUL-terminated copy of the input, cut at @max; free() it */
char *fuzz_string(const uint8_t *data, size_t size, size_t max);

#endif
