/*
 * mutate.h - on-flash metadata changed where the kernel's parsers read
 * it, for "muse fuzz image".
 *
 * A mutation picks a programmed eraseblock and, in it, a structure the
 * filesystem stack parses: UBI's EC and VID headers and volume table
 * records, UBIFS nodes, JFFS2 nodes.  It changes a field (a length, a
 * count, an offset, a sequence number, a node type, a key, a name byte)
 * to a value parsers tend to get wrong (0, 1, all ones, one off, a
 * random one) and recomputes the structure's CRCs, so the change gets
 * past the CRC checks into the code behind them.  Some mutations are
 * plain bit noise instead, CRCs left as they are.  The same flash and
 * seed give the same mutation.
 */
#ifndef MUSE_MUTATE_H
#define MUSE_MUTATE_H

#include <stdint.h>

#include "flash.h"

struct mutation {
	char what[256];		/* what was changed, for the report */
	unsigned changes;
};

/*
 * Applies one to three changes drawn from @seed to @f, whose filesystem
 * is @fs ("ubifs" on UBI, "jffs2", else only noise).  -ENOENT if the
 * flash holds nothing programmed.
 */
int mutate_flash(struct flash *f, const char *fs, uint64_t seed,
		 struct mutation *m);

/* The CRC-32 the kernel's crc32() gives from @seed (no final inversion) */
uint32_t mutate_crc32(uint32_t seed, const void *buf, size_t len);

#endif
