/*
 * mutate.c - structure-aware mutations of on-flash metadata (see
 * mutate.h).  Layouts from include/uapi/mtd/ubi-media.h (big-endian),
 * fs/ubifs/ubifs-media.h (little-endian) and include/uapi/linux/jffs2.h
 * (host order, little-endian here).
 */
#include "mutate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "flash_raw.h"
#include "rng.h"

#define UBI_EC_MAGIC 0x55424923u	/* "UBI#" */
#define UBI_VID_MAGIC 0x55424921u	/* "UBI!" */
#define UBI_HDR_CRC 60
#define UBI_LAYOUT_VOLUME 0x7fffefffu
#define UBI_VTBL_RECORD 172
#define UBI_VTBL_CRC 168
#define UBIFS_MAGIC 0x06101831u
#define UBIFS_CH 24
#define JFFS2_MAGIC 0x1985u
#define JFFS2_DIRENT 0xe001u
#define JFFS2_INODE 0xe002u

uint32_t mutate_crc32(uint32_t seed, const void *buf, size_t len)
{
	return (uint32_t)crc32(seed ^ 0xffffffffu, buf, (uInt)len) ^ 0xffffffffu;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- one eraseblock's in-band bytes ---------------------------------------------- */

struct block {
	struct flash *f;
	uint64_t number;
	uint32_t size, page, oob;
	uint8_t *data, *oobs;
};

static void block_read(struct block *b)
{
	if (!b->oob) {
		flash_dump_bytes(b->f, b->number * b->size, b->data, b->size);
		return;
	}
	for (uint32_t o = 0, i = 0; o < b->size; o += b->page, i++)
		flash_dump_page(b->f, (b->number * b->size + o) / b->page, b->data + o,
				b->oobs + (size_t)i * b->oob);
}

static void block_write(struct block *b)
{
	if (!b->oob) {
		flash_load_bytes(b->f, b->number * b->size, b->data, b->size);
		return;
	}
	for (uint32_t o = 0, i = 0; o < b->size; o += b->page, i++)
		flash_load_page(b->f, (b->number * b->size + o) / b->page, b->data + o,
				b->oobs + (size_t)i * b->oob);
}

static bool programmed(const struct block *b)
{
	for (uint32_t i = 0; i < b->size; i++)
		if (b->data[i] != 0xff)
			return true;
	return false;
}

/* ---- values parsers get wrong ------------------------------------------------------- */

static uint32_t interesting(uint64_t *rng, uint32_t old)
{
	static const uint32_t v[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff,
				      0x8000, 0xffff, 0x10000, 0x7fffffff,
				      0x80000000u, 0xfffffffeu, 0xffffffffu };

	switch (splitmix64(rng) % 4) {
	case 0: return old + 1;
	case 1: return old - 1;
	case 2: return (uint32_t)splitmix64(rng);
	default: return v[splitmix64(rng) % (sizeof(v) / sizeof(v[0]))];
	}
}

/* A field of @size bytes (1, 2 or 4) at @p, big- or little-endian */
static void mutate_field(uint64_t *rng, uint8_t *p, unsigned size, bool big)
{
	uint32_t old = 0, v;

	for (unsigned i = 0; i < size; i++)
		old |= (uint32_t)p[big ? i : size - 1 - i] << (8 * (size - 1 - i));
	v = interesting(rng, old);
	for (unsigned i = 0; i < size; i++)
		p[big ? i : size - 1 - i] = (uint8_t)(v >> (8 * (size - 1 - i)));
}

struct field {
	uint16_t off;
	uint8_t size;
	const char *name;
};

/* ---- UBI ------------------------------------------------------------------------------ */

static const struct field ec_fields[] = {
	{ 4, 1, "version" }, { 8, 4, "ec (high)" }, { 12, 4, "ec" },
	{ 16, 4, "vid_hdr_offset" }, { 20, 4, "data_offset" }, { 24, 4, "image_seq" },
};
static const struct field vid_fields[] = {
	{ 4, 1, "version" }, { 5, 1, "vol_type" }, { 6, 1, "copy_flag" },
	{ 7, 1, "compat" }, { 8, 4, "vol_id" }, { 12, 4, "lnum" },
	{ 20, 4, "data_size" }, { 24, 4, "used_ebs" }, { 28, 4, "data_pad" },
	{ 32, 4, "data_crc" }, { 40, 4, "sqnum (high)" }, { 44, 4, "sqnum" },
};
static const struct field vtbl_fields[] = {
	{ 0, 4, "reserved_pebs" }, { 4, 4, "alignment" }, { 8, 4, "data_pad" },
	{ 12, 1, "vol_type" }, { 13, 1, "upd_marker" }, { 14, 2, "name_len" },
	{ 16, 1, "name[0]" }, { 144, 1, "flags" },
};

#define FIELDS(a) (sizeof(a) / sizeof((a)[0]))

static const struct field *pick(uint64_t *rng, const struct field *f, size_t n)
{
	return &f[splitmix64(rng) % n];
}

/* A UBI header at @h: a field changed, hdr_crc recomputed */
static const char *ubi_header(uint64_t *rng, uint8_t *h, bool vid)
{
	const struct field *f = vid ? pick(rng, vid_fields, FIELDS(vid_fields)) :
				pick(rng, ec_fields, FIELDS(ec_fields));

	mutate_field(rng, h + f->off, f->size, true);
	put_be32(h + UBI_HDR_CRC, mutate_crc32(0xffffffffu, h, UBI_HDR_CRC));
	return f->name;
}

/* The data area of a UBI PEB, from its EC header; false if it has none */
static bool ubi_layout(const struct block *b, uint32_t *vid, uint32_t *data)
{
	if (be32(b->data) != UBI_EC_MAGIC)
		return false;
	*vid = be32(b->data + 16);
	*data = be32(b->data + 20);
	return *vid + 64 <= b->size && *data < b->size;
}

/* ---- nodes in a data area --------------------------------------------------------------- */

/* The offset of the @k-th node at @align steps from @from; -1 if none */
static long find_node(const struct block *b, uint32_t from, unsigned align,
		      bool ubifs, unsigned k)
{
	for (uint32_t o = from; o + 16 <= b->size; o += align) {
		bool hit = ubifs ? le32(b->data + o) == UBIFS_MAGIC :
			   (b->data[o] | b->data[o + 1] << 8) == JFFS2_MAGIC;

		if (hit && !k--)
			return (long)o;
	}
	return -1;
}

static unsigned count_nodes(const struct block *b, uint32_t from, unsigned align,
			    bool ubifs)
{
	unsigned n = 0;

	while (find_node(b, from, align, ubifs, n) >= 0)
		n++;
	return n;
}

/* A UBIFS node at @o: its length, type, sqnum or a body byte; CRC redone */
static const char *ubifs_node(uint64_t *rng, struct block *b, uint32_t o)
{
	uint8_t *n = b->data + o;
	uint32_t len = le32(n + 16), room = b->size - o;
	const char *what;

	switch (splitmix64(rng) % 5) {
	case 0: mutate_field(rng, n + 16, 4, false); what = "len"; break;
	case 1: mutate_field(rng, n + 20, 1, false); what = "node_type"; break;
	case 2: mutate_field(rng, n + 8, 4, false); what = "sqnum"; break;
	default:
		if (len <= UBIFS_CH || len > room)
			return NULL;
		/* a byte of the body: keys, lengths, counts, names */
		mutate_field(rng, n + UBIFS_CH + splitmix64(rng) % (len - UBIFS_CH), 1,
			     false);
		what = "body";
	}
	len = le32(n + 16);
	if (len > 8 && len <= room)
		put_le32(n + 4, mutate_crc32(0xffffffffu, n + 8, len - 8));
	return what;
}

/* A JFFS2 node at @o: a header field or a body byte; its CRCs redone */
static const char *jffs2_node(uint64_t *rng, struct block *b, uint32_t o)
{
	uint8_t *n = b->data + o;
	uint32_t room = b->size - o, len = le32(n + 4);
	unsigned type = n[2] | n[3] << 8;
	const char *what;

	switch (splitmix64(rng) % 3) {
	case 0: mutate_field(rng, n + 2, 2, false); what = "nodetype"; break;
	case 1: mutate_field(rng, n + 4, 4, false); what = "totlen"; break;
	default:
		if (len <= 12 || len > room)
			return NULL;
		mutate_field(rng, n + 12 + splitmix64(rng) % (len - 12), 1, false);
		what = "body";
	}
	put_le32(n + 8, mutate_crc32(0, n, 8));
	if (type == JFFS2_INODE && room >= 68)
		put_le32(n + 64, mutate_crc32(0, n, 60));
	else if (type == JFFS2_DIRENT && room >= 40)
		put_le32(n + 32, mutate_crc32(0, n, 32));
	return what;
}

/* ---- choosing ----------------------------------------------------------------------------- */

static void noise(uint64_t *rng, struct block *b, char *what, size_t size)
{
	unsigned bits = 1 + (unsigned)(splitmix64(rng) % 8);
	uint32_t last = b->size;

	while (last && b->data[last - 1] == 0xff)
		last--;
	for (unsigned i = 0; i < bits && last; i++) {
		uint64_t bit = splitmix64(rng) % ((uint64_t)last * 8);

		b->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	snprintf(what, size, "%u bits flipped", bits);
}

enum ubi_target { UBI_EC, UBI_VID, UBI_VTBL, UBI_NODE };

/* Whether block @b holds what @t changes */
static bool ubi_has(const struct block *b, enum ubi_target t)
{
	uint32_t vid, data;

	if (!ubi_layout(b, &vid, &data))
		return false;
	if (t == UBI_EC)
		return true;
	if (be32(b->data + vid) != UBI_VID_MAGIC)
		return false;
	if (t == UBI_VTBL)
		return be32(b->data + vid + 8) == UBI_LAYOUT_VOLUME;
	return t == UBI_VID || count_nodes(b, data, 8, true) > 0;
}

static void ubi_change(uint64_t *rng, struct block *b, enum ubi_target t,
		       char *what, size_t size)
{
	uint32_t vid, data;
	const char *f = NULL;
	long o;

	ubi_layout(b, &vid, &data);
	switch (t) {
	case UBI_EC:
		f = ubi_header(rng, b->data, false);
		snprintf(what, size, "UBI EC header %s", f);
		return;
	case UBI_VID:
		f = ubi_header(rng, b->data + vid, true);
		snprintf(what, size, "UBI VID header %s", f);
		return;
	case UBI_VTBL:
		o = data + (long)(splitmix64(rng) % 4) * UBI_VTBL_RECORD;
		f = pick(rng, vtbl_fields, FIELDS(vtbl_fields))->name;
		mutate_field(rng, b->data + o + pick(rng, vtbl_fields, FIELDS(vtbl_fields))->off,
			     1, true);
		put_be32(b->data + o + UBI_VTBL_CRC,
			 mutate_crc32(0xffffffffu, b->data + o, UBI_VTBL_CRC));
		snprintf(what, size, "UBI volume table record %ld byte near %s",
			 (o - (long)data) / UBI_VTBL_RECORD, f);
		return;
	case UBI_NODE:
		o = find_node(b, data, 8, true,
			      (unsigned)(splitmix64(rng) % count_nodes(b, data, 8, true)));
		f = ubifs_node(rng, b, (uint32_t)o);
		if (!f)
			break;
		snprintf(what, size, "UBIFS node (type %u) at LEB offset %ld: %s",
			 b->data[o + 20], o - (long)data, f);
		return;
	}
	noise(rng, b, what, size);
}

static void jffs2_change(uint64_t *rng, struct block *b, char *what, size_t size)
{
	unsigned nodes = count_nodes(b, 0, 4, false);
	const char *f;
	long o;

	if (!nodes || splitmix64(rng) % 5 == 0) {
		noise(rng, b, what, size);
		return;
	}
	o = find_node(b, 0, 4, false, (unsigned)(splitmix64(rng) % nodes));
	f = jffs2_node(rng, b, (uint32_t)o);
	if (!f) {
		noise(rng, b, what, size);
		return;
	}
	snprintf(what, size, "JFFS2 node at 0x%lx: %s", o, f);
}

/*
 * A programmed block, drawn, holding what @t changes when @t >= 0; false
 * if none is found in a few hundred draws
 */
static bool pick_block(uint64_t *rng, struct block *b, int t)
{
	uint64_t blocks = geometry_blocks(flash_geometry(b->f));

	for (int tries = 0; tries < 512; tries++) {
		b->number = splitmix64(rng) % blocks;
		if (flash_is_bad(b->f, b->number) > 0)
			continue;
		block_read(b);
		if (programmed(b) && (t < 0 || ubi_has(b, (enum ubi_target)t)))
			return true;
	}
	return false;
}

/* One change to one block; false if the flash holds nothing programmed */
static bool change_one(uint64_t *rng, struct block *b, const char *fs, char *what,
		       size_t size)
{
	static const enum ubi_target ubi_targets[] = {
		UBI_EC, UBI_VID, UBI_VTBL, UBI_NODE, UBI_NODE, UBI_NODE,
	};
	bool ubi = !strcmp(fs, "ubifs");
	int t = ubi ? (int)ubi_targets[splitmix64(rng) % 6] : -1;

	/* one in six is plain noise, CRCs left alone */
	if (splitmix64(rng) % 6 == 0)
		t = -1;
	if (t >= 0 && pick_block(rng, b, t)) {
		ubi_change(rng, b, (enum ubi_target)t, what, size);
		return true;
	}
	if (!pick_block(rng, b, -1))
		return false;
	if (!strcmp(fs, "jffs2"))
		jffs2_change(rng, b, what, size);
	else
		noise(rng, b, what, size);
	return true;
}

int mutate_flash(struct flash *f, const char *fs, uint64_t seed,
		 struct mutation *m)
{
	const struct geometry *g = flash_geometry(f);
	struct block b = { .f = f, .size = g->block_size,
			   .page = geometry_is_nand(g) ? g->page_size : 0,
			   .oob = geometry_is_nand(g) ? g->oob_size : 0 };
	uint64_t rng = seed;
	unsigned changes = 1 + (unsigned)(splitmix64(&rng) % 3);
	size_t len = 0;
	int ret = 0;

	b.data = malloc(b.size);
	b.oobs = malloc(b.oob ? (size_t)b.size / b.page * b.oob : 1);
	*m = (struct mutation){ 0 };
	if (!b.data || !b.oobs)
		ret = -ENOMEM;
	for (unsigned i = 0; !ret && i < changes; i++) {
		char what[160];

		if (!change_one(&rng, &b, fs, what, sizeof(what))) {
			ret = -ENOENT;
			break;
		}
		block_write(&b);
		len += (size_t)snprintf(m->what + len, sizeof(m->what) - len,
					"%sblock %" PRIu64 ": %s", i ? "; " : "",
					b.number, what);
		if (len >= sizeof(m->what))
			len = sizeof(m->what) - 1;
		m->changes++;
	}
	free(b.data);
	free(b.oobs);
	return ret;
}
