/*
 * listing.h - what a mounted filesystem holds, one line per entry.
 */
#ifndef MUSE_LISTING_H
#define MUSE_LISTING_H

#include <stdio.h>

/*
 * Prints every entry under @dir in path order: files with size and
 * SHA-256, directories, symlinks with their target.  Returns 0, or 1 if
 * some entry could not be read (it is listed with the error).
 */
int listing_print(const char *dir, FILE *out);

#endif
