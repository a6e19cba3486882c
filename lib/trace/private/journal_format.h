/*
 * journal_format.h - the journal file as journal.c writes it and
 * journal_replay.c reads it back (the layout is described in journal.c).
 * Not for use outside lib/trace/.
 */
#ifndef MUSE_JOURNAL_FORMAT_H
#define MUSE_JOURNAL_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "journal.h"

#define JOURNAL_MAGIC "MUSEJRN1"
#define JOURNAL_VERSION 1
#define HEADER_SIZE 4096u
#define REC_MAGIC 0x4d52454aU		/* "JERM" */
#define MAX_MARK_FILES 64		/* files a mark record may declare */

struct jheader {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint64_t ring_size;
	uint64_t id;			/* ties the journal to its trace */
	uint64_t moved_jseq;
	uint64_t moved_pos;
};

struct jrec {
	uint32_t magic;
	uint32_t type;
	uint64_t jseq;
	uint32_t len;
	uint32_t crc;
};

enum rec_type {
	REC_OP = 1,
	REC_MARK = 2,
	REC_VIOLATION = 3,
	REC_READ = 4,
	REC_WRAP = 5,
	REC_FAULT = 6,
};

struct rec_op {
	uint64_t seq;
	uint64_t addr;
	uint64_t time_ns;
	uint32_t kind;
	uint32_t len;
	uint32_t oob_offset;
	uint32_t ooblen;
	uint32_t oob_auto;
	int32_t result;
};

struct rec_mark {
	uint64_t after_seq;
	uint64_t time_ns;
	uint32_t nfiles;
	uint32_t name_len;
};

struct rec_mark_file {
	uint64_t size;
	uint32_t kind;
	uint32_t path_len;
	uint32_t content_len;
	uint32_t has_content;
	uint8_t sha256[32];
};

struct rec_violation {
	uint64_t seq;
	uint64_t block;
	uint32_t kind;
	uint32_t page;
	uint32_t detail;
	uint32_t padding;
};

struct rec_read {
	uint64_t after_seq;
	uint64_t addr;
	uint64_t time_ns;
	uint32_t len;
	uint32_t ooblen;
	uint32_t mode;
	uint32_t corrected;
	uint32_t failed;
	uint32_t padding;
};

/* followed by the kind's name (kind_len bytes) and the mask */
struct rec_fault {
	uint64_t seq;
	uint64_t block;
	uint64_t addr;
	uint64_t time_ns;
	uint32_t bits;
	uint32_t has_unit;
	uint32_t bad;
	uint32_t kind_len;
	uint32_t mask_len;
	uint32_t padding;
};

struct journal {
	char *path;
	int fd;
	uint8_t *map;
	size_t map_size;
	struct jheader *hdr;
	uint8_t *ring;
	uint64_t ring_size;
	uint64_t next_jseq;
	uint64_t write_pos;
	uint64_t moved_pos;
	uint64_t moved_jseq;
};

struct piece {
	const void *p;
	size_t len;
};

static inline size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static inline uint32_t record_crc(const struct jrec *h, const void *payload)
{
	struct jrec copy = *h;
	uLong crc;

	copy.crc = 0;
	crc = crc32(0L, (const Bytef *)&copy, sizeof(copy));
	return (uint32_t)crc32(crc, payload, h->len);
}

#endif
