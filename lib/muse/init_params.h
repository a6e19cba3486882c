/*
 * init_params.h - what the daemon tells the kernel in its MUSE_INIT reply.
 *
 * The reply carries NUL-terminated "key=value" strings: the geometry (see
 * docs/protocol.md for every key), the MTD name, partitions, the bad block
 * table and the size of the kernel's read cache.
 */
#ifndef MUSE_INIT_PARAMS_H
#define MUSE_INIT_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "geometry.h"

/* pages of kernel read cache: UBI's EC and VID header reads share one */
#define MUSE_DEFAULT_READ_CACHE 64
/* the kernel's bounds for the read cache and the request timeout */
#define MUSE_MAX_READ_CACHE_BYTES (16u << 20)
#define MUSE_MAX_TIMEOUT 3600
#define MUSE_TIMEOUT_NEVER UINT32_MAX

struct muse_init_extras {
	const char *name;
	const char *mtdparts;	/* NULL or kernel mtdparts syntax */
	const char *badblocks;	/* "3,17-19"; NULL: the kernel asks per block */
	uint32_t readcache;	/* pages the kernel may cache; 0: none */
	uint32_t readahead;	/* pages a miss fetches at least (MUSE 1.2) */
	/* seconds before an unanswered request ends the connection; 0: the
	 * kernel's default, MUSE_TIMEOUT_NEVER: wait forever */
	uint32_t timeout;
	bool read_only;		/* no MTD_WRITEABLE: every write is -EROFS */
};

/* Fills @buf; returns the length of the block or a negative errno. */
int muse_init_params(const struct geometry *g,
		     const struct muse_init_extras *x, char *buf, size_t size,
		     struct muse_error *e);

#endif
