/*
 * packer.h - how trace payloads are compressed: zstd, and a dictionary
 * learned from the recording's own payloads once it pays off.
 *
 * A page of a filesystem is small (2-4 KiB) and shares much with other
 * pages (node headers, UBI headers, directory entries) that zstd cannot
 * see within one page.  A dictionary trained on the recording's payloads
 * lets it see them.  The packer keeps the latest payloads it is shown,
 * trains on half of them and tests on the other half from time to time,
 * and adopts the dictionary only when the held-out half shrinks by 5% or
 * more (the preparation's payloads, or random data, do not teach zstd
 * anything).  Payloads packed before the adoption stay plain zstd.
 *
 * Stored forms (the codec): 0 the bytes as they are, 1 a zstd frame,
 * 2 a zstd frame made with the dictionary its header names.
 */
#ifndef MUSE_PACKER_H
#define MUSE_PACKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum packer_codec {
	PACKER_RAW = 0,
	PACKER_ZSTD = 1,
	PACKER_ZSTD_DICT = 2,
};

struct packer;

struct packed {
	enum packer_codec codec;
	const void *data;		/* valid until the next call */
	size_t len;
};

struct packer *packer_new(void);
void packer_free(struct packer *p);

/* The stored form of @data: compressed when that makes it smaller. */
int packer_pack(struct packer *p, const void *data, size_t len, struct packed *out);

/*
 * Shows the packer a payload that was stored; it may then adopt a
 * dictionary, and returns 1 when it did (persist it with
 * packer_dictionary() before anything else is packed), else 0.
 */
int packer_learn(struct packer *p, const void *data, size_t len);

/* The dictionary in use for packing: its zstd ID and bytes; -ENOENT if none */
int packer_dictionary(const struct packer *p, uint32_t *id, const void **data, size_t *len);

/* Forgets the dictionary in use (its row was rolled back); learns again. */
void packer_drop_dictionary(struct packer *p);

/*
 * Registers a stored dictionary, for unpacking; @use also packs with it
 * from now on (a trace opened again for writing).
 */
int packer_add_dictionary(struct packer *p, const void *data, size_t len, int use);

/* Restores @size bytes into @out; returns @size or a negative errno. */
ssize_t packer_unpack(struct packer *p, enum packer_codec codec, const void *in,
		      size_t inlen, void *out, size_t size);

#endif
