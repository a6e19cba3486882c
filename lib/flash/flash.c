/*
 * flash.c - the flash model (see flash.h for the rules it implements).
 *
 * Cells are stored complemented (stored = ~cell), so that the zero pages
 * of an anonymous mapping or the holes of a sparse file read as erased
 * flash.  Erasing punches the block out again.
 */
#define _GNU_SOURCE
#include "flash_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const struct geometry *flash_geometry(const struct flash *f)
{
	return &f->g;
}

void flash_set_violation_handler(struct flash *f, flash_violation_fn fn,
				 void *ctx)
{
	f->opt.on_violation = fn;
	f->opt.ctx = ctx;
}

uint32_t flash_unit_size(const struct flash *f)
{
	return f->unit_size;
}

/* ---- storage ---------------------------------------------------------- */

static int map_storage(struct flash *f, struct muse_error *e)
{
	const char *path = f->opt.backing_path;
	struct stat st;
	int flags = MAP_SHARED;

	f->map_size = (size_t)(f->units * f->unit_size);
	f->fd = -1;
	if (!path) {
		f->cells = mmap(NULL, f->map_size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (f->cells == MAP_FAILED)
			return muse_fail(e, -errno, "cannot map %zu bytes of flash: %s",
					 f->map_size, strerror(errno));
		return 0;
	}
	f->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (f->fd < 0)
		return muse_fail(e, -errno, "backing file %s: %s", path,
				 strerror(errno));
	if (fstat(f->fd, &st))
		return muse_fail(e, -errno, "backing file %s: %s", path,
				 strerror(errno));
	if (st.st_size && (uint64_t)st.st_size != f->map_size)
		return muse_fail(e, -EINVAL,
				 "backing file %s has %lld bytes; this geometry needs %zu",
				 path, (long long)st.st_size, f->map_size);
	if (!st.st_size && ftruncate(f->fd, (off_t)f->map_size))
		return muse_fail(e, -errno, "backing file %s: %s", path,
				 strerror(errno));
	f->cells = mmap(NULL, f->map_size, PROT_READ | PROT_WRITE, flags,
			f->fd, 0);
	if (f->cells == MAP_FAILED)
		return muse_fail(e, -errno, "cannot map backing file %s: %s",
				 path, strerror(errno));
	return 0;
}

/*
 * Returns the range to the erased state.  A backing file gets a hole.
 * Memory is cleared but kept: giving pages back costs a page fault on the
 * next program, and a page fault in a UML guest costs about as much as
 * ten MUSE requests (ubiformat of 64 MiB: 0.3 s cleared, 2.9 s released).
 */
static void punch(struct flash *f, size_t off, size_t len)
{
	uint8_t *p = f->cells + off;
	long page = sysconf(_SC_PAGESIZE);
	size_t head = (size_t)(-(uintptr_t)p & (uintptr_t)(page - 1));

	if (f->fd >= 0 && len > head + (size_t)page) {
		size_t body = (len - head) & ~(size_t)(page - 1);

		if (!fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       (off_t)(off + head), (off_t)body)) {
			memset(p, 0, head);
			memset(p + head + body, 0, len - head - body);
			return;
		}
	}
	memset(p, 0, len);
}

/* ---- block state ------------------------------------------------------ */

static uint64_t page_of(const struct flash *f, uint64_t addr)
{
	return addr / f->g.page_size;
}

static bool page_erased(const struct flash *f, uint64_t page)
{
	return flash_all_zero(flash_unit_cells(f, page), f->unit_size);
}

/* Derives NOP counts and the highest programmed page from the cells */
static void scan_block_state(struct flash *f, uint64_t block)
{
	uint32_t ppb = geometry_pages_per_block(&f->g);
	uint64_t first = block * ppb;
	int32_t top = TOP_ERASED;

	for (uint32_t i = 0; i < ppb; i++) {
		bool used = !page_erased(f, first + i);

		if (f->nop_count)
			f->nop_count[first + i] = used;
		if (used)
			top = (int32_t)i;
	}
	if (f->top_page)
		f->top_page[block] = top;
}

/* The cells of @block changed behind the rules' back (image, dump) */
void flash_forget_block_state(struct flash *f, uint64_t block)
{
	if (f->state_unknown)
		f->state_unknown[block] = 1;
}

static void ensure_block_state(struct flash *f, uint64_t block)
{
	if (f->state_unknown && f->state_unknown[block]) {
		scan_block_state(f, block);
		f->state_unknown[block] = 0;
	}
}

static void reset_block_state(struct flash *f, uint64_t block)
{
	uint32_t ppb = geometry_pages_per_block(&f->g);

	if (f->nop_count)
		memset(f->nop_count + block * ppb, 0, ppb);
	if (f->top_page)
		f->top_page[block] = TOP_ERASED;
	if (f->state_unknown)
		f->state_unknown[block] = 0;
}

void flash_scan_bad_blocks(struct flash *f)
{
	uint64_t blocks = geometry_blocks(&f->g);
	uint32_t ppb = geometry_pages_per_block(&f->g);

	f->bad_count = 0;
	for (uint64_t b = 0; b < blocks; b++) {
		/* complemented storage: a marker byte != 0xFF is != 0 here */
		f->bad[b] = f->g.oob_size &&
			    flash_unit_cells(f, b * ppb)[f->g.page_size] != 0;
		f->bad_count += f->bad[b];
	}
}

/* f->bad[]: 1 marked (or bad from the start), 2 grown bad without a marker */
int flash_set_grown_bad(struct flash *f, uint64_t block)
{
	if (block >= geometry_blocks(&f->g) || !geometry_is_nand(&f->g))
		return -EINVAL;
	if (!f->bad[block]) {
		f->bad[block] = 2;
		f->bad_count++;
	}
	return 0;
}

int flash_set_bad(struct flash *f, uint64_t block)
{
	if (block >= geometry_blocks(&f->g) || !geometry_is_nand(&f->g))
		return -EINVAL;
	if (!f->bad[block]) {
		f->bad[block] = 1;
		f->bad_count++;
	}
	return 0;
}

/* ---- creation --------------------------------------------------------- */

static void set_units(struct flash *f)
{
	f->unit_data = geometry_unit_data(&f->g);
	f->unit_size = f->unit_data + f->g.oob_size;
	f->units = f->g.size / f->unit_data;
}

static int alloc_state(struct flash *f, bool fresh, struct muse_error *e)
{
	uint64_t blocks = geometry_blocks(&f->g);
	bool nand = geometry_is_nand(&f->g);

	f->bad = calloc(blocks, 1);
	if (nand && f->g.nop)
		f->nop_count = calloc(geometry_pages(&f->g), 1);
	if (nand && f->g.page_order)
		f->top_page = malloc(blocks * sizeof(*f->top_page));
	if (nand && (f->g.nop || f->g.page_order))
		f->state_unknown = calloc(blocks, 1);
	if (!f->bad || (nand && f->g.nop && !f->nop_count) ||
	    (nand && f->g.page_order && !f->top_page) ||
	    (nand && (f->g.nop || f->g.page_order) && !f->state_unknown))
		return muse_fail(e, -ENOMEM, "out of memory for the flash state");
	for (uint64_t b = 0; b < blocks; b++) {
		if (fresh)
			reset_block_state(f, b);
		else
			flash_forget_block_state(f, b);
	}
	return 0;
}

int flash_create(const struct geometry *g, const struct flash_options *opt,
		 struct flash **out, struct muse_error *e)
{
	struct flash *f = calloc(1, sizeof(*f));
	struct stat st;
	bool fresh;
	int ret;

	if (!f)
		return muse_fail(e, -ENOMEM, "out of memory");
	f->g = *g;
	f->opt = *opt;
	fresh = !opt->backing_path || stat(opt->backing_path, &st) ||
		!st.st_size;
	set_units(f);
	ret = map_storage(f, e);
	if (!ret)
		ret = alloc_state(f, fresh, e);
	if (ret) {
		flash_destroy(f);
		return ret;
	}
	if (!fresh)
		flash_scan_bad_blocks(f);
	*out = f;
	return 0;
}

void flash_destroy(struct flash *f)
{
	if (!f)
		return;
	flash_undo_free(f);
	if (f->cells && f->cells != MAP_FAILED)
		munmap(f->cells, f->map_size);
	if (f->fd >= 0)
		close(f->fd);
	flash_damage_filter(f, 0, UINT64_MAX);
	free(f->damage.slots);
	free(f->unstable_view);
	free(f->nop_count);
	free(f->top_page);
	free(f->state_unknown);
	free(f->bad);
	free(f);
}

/* ---- programs --------------------------------------------------------- */

static void report(struct flash *f, enum flash_violation_kind kind,
		   uint64_t addr, uint32_t detail)
{
	struct flash_violation v = {
		.kind = kind,
		.block = addr / f->g.block_size,
		.page = geometry_is_nand(&f->g) ?
			(uint32_t)(addr % f->g.block_size / f->g.page_size) : 0,
		.detail = detail,
	};

	f->stats.violations[kind]++;
	if (f->opt.on_violation)
		f->opt.on_violation(f->opt.ctx, &v);
}

static uint32_t one_over_zero_oob(const struct flash *f,
				  const struct flash_program *p,
				  const uint8_t *stored_oob)
{
	uint32_t bits = 0;

	if (!p->oob_auto)
		return flash_bits_and_count(p->oob, stored_oob + p->oob_offset,
					      p->ooblen);
	for (uint32_t i = 0; i < f->g.oobfree.count; i++) {
		const struct oob_region *r = &f->g.oobfree.region[i];
		uint32_t lo = r->offset > p->oob_offset ? r->offset : p->oob_offset;
		uint32_t hi = r->offset + r->length;

		if (hi > p->oob_offset + p->ooblen)
			hi = p->oob_offset + p->ooblen;
		if (lo < hi)
			bits += flash_bits_and_count(p->oob + (lo - p->oob_offset),
						       stored_oob + lo, hi - lo);
	}
	return bits;
}

/* Checks the datasheet rules; returns the number of violations. */
static int check_rules(struct flash *f, const struct flash_program *p,
		       uint64_t unit, uint32_t off)
{
	const uint8_t *stored = flash_unit_cells(f, unit);
	uint64_t page = page_of(f, p->addr);
	int violations = 0;
	uint32_t bits;

	if (f->g.type == FLASH_RAM)
		return 0;
	bits = flash_bits_and_count(p->data, stored + off, p->len);
	if (p->ooblen)
		bits += one_over_zero_oob(f, p, stored + f->unit_data);
	if (bits) {
		report(f, FLASH_VIOLATION_ONE_OVER_ZERO, p->addr, bits);
		violations++;
	}
	if (!geometry_is_nand(&f->g))
		return violations;
	ensure_block_state(f, page / geometry_pages_per_block(&f->g));
	if (f->nop_count && f->nop_count[page] >= f->g.nop) {
		report(f, FLASH_VIOLATION_NOP, p->addr, f->nop_count[page] + 1u);
		violations++;
	}
	if (f->top_page) {
		uint32_t ppb = geometry_pages_per_block(&f->g);
		int32_t top = f->top_page[page / ppb];

		if ((int64_t)(page % ppb) < top) {
			report(f, FLASH_VIOLATION_ORDER, p->addr, (uint32_t)top);
			violations++;
		}
	}
	return violations;
}

static void note_program(struct flash *f, uint64_t page)
{
	uint32_t ppb;

	if (!geometry_is_nand(&f->g))
		return;
	ppb = geometry_pages_per_block(&f->g);
	if (f->nop_count && f->nop_count[page] < UINT8_MAX)
		f->nop_count[page]++;
	if (f->top_page && (int64_t)(page % ppb) > f->top_page[page / ppb])
		f->top_page[page / ppb] = (int32_t)(page % ppb);
}

static void apply_bytes(struct flash *f, uint64_t unit, uint32_t off,
			const uint8_t *v, uint32_t n)
{
	uint8_t *stored = flash_unit_cells(f, unit) + off;

	flash_undo_note(f, flash_unit_block(f, unit));
	if (f->g.type == FLASH_RAM) {
		flash_copy_complement(stored, v, n);
		return;
	}
	flash_bits_program(stored, v, n);
	flash_damage_program(f, unit, off, v, n);
}

static bool program_fits(const struct flash *f, const struct flash_program *p)
{
	uint64_t unit = p->addr / f->unit_data;
	uint32_t off = (uint32_t)(p->addr % f->unit_data);

	if (p->addr >= f->g.size || unit >= f->units)
		return false;
	if (p->len > f->unit_data - off)
		return false;
	if (p->ooblen && (!geometry_is_nand(&f->g) ||
			  p->oob_offset > f->g.oob_size ||
			  p->ooblen > f->g.oob_size - p->oob_offset))
		return false;
	return true;
}

int flash_program(struct flash *f, const struct flash_program *p)
{
	uint64_t unit = p->addr / f->unit_data;
	uint32_t off = (uint32_t)(p->addr % f->unit_data);

	if (!program_fits(f, p))
		return -EINVAL;
	if (check_rules(f, p, unit, off) && f->opt.strict)
		return -EIO;
	apply_bytes(f, unit, off, p->data, p->len);
	if (p->ooblen)
		apply_bytes(f, unit, f->unit_data + p->oob_offset, p->oob,
			    p->ooblen);
	note_program(f, page_of(f, p->addr));
	f->stats.programs++;
	return 0;
}

/* ---- erase and bad blocks --------------------------------------------- */

static void erase_cells(struct flash *f, uint64_t block)
{
	uint64_t first = block * f->g.block_size / f->unit_data;
	uint64_t count = f->g.block_size / f->unit_data;

	flash_undo_note(f, block);
	punch(f, (size_t)(first * f->unit_size), (size_t)(count * f->unit_size));
	flash_damage_filter(f, first, first + count);
	reset_block_state(f, block);
}

int flash_erase(struct flash *f, uint64_t block)
{
	if (block >= geometry_blocks(&f->g))
		return -EINVAL;
	if (f->bad[block])
		return -EIO;
	erase_cells(f, block);
	f->stats.erases++;
	return 0;
}

int flash_is_bad(const struct flash *f, uint64_t block)
{
	if (block >= geometry_blocks(&f->g))
		return -EINVAL;
	return f->bad[block] != 0;
}

uint32_t flash_bad_count(const struct flash *f)
{
	return f->bad_count;
}

int flash_mark_bad(struct flash *f, uint64_t block)
{
	uint64_t page;

	if (block >= geometry_blocks(&f->g) || !geometry_is_nand(&f->g))
		return -EINVAL;
	if (f->bad[block] == 1)
		return 0;
	/* as nand_base: try an erase, then write the marker */
	erase_cells(f, block);
	page = block * geometry_pages_per_block(&f->g);
	if (f->g.oob_size) {
		/* marker byte 0x00, complemented */
		flash_unit_cells(f, page)[f->g.page_size] = 0xff;
		note_program(f, page);
	}
	f->bad_count += !f->bad[block];
	f->bad[block] = 1;
	f->stats.markbads++;
	return 0;
}

/* ---- reads ------------------------------------------------------------ */

void flash_read_raw(const uint8_t *stored, const uint8_t *mask, uint32_t n,
		     uint8_t *out)
{
	flash_copy_complement(out, stored, n);
	if (mask)
		for (uint32_t i = 0; i < n; i++)
			out[i] ^= mask[i];
}

/* One ECC step's worth of [off, off + n), already known to be damaged */
static void read_step(const struct flash *f, const uint8_t *stored,
		      const uint8_t *mask, uint32_t step_off, uint32_t off,
		      uint32_t n, uint8_t *out, struct flash_ecc *ecc)
{
	uint32_t flips = (uint32_t)popcount_bytes(mask + step_off, f->g.ecc_step);

	if (flips <= f->g.ecc_strength) {
		flash_copy_complement(out, stored + off, n);
		ecc->corrected += flips;
		if (flips > ecc->max_bitflips)
			ecc->max_bitflips = flips;
	} else {
		flash_read_raw(stored + off, mask + off, n, out);
		ecc->failed++;
	}
}

void flash_read_data(struct flash *f, uint64_t addr, uint32_t len, bool raw,
		     uint8_t *out, struct flash_ecc *ecc)
{
	uint64_t unit = addr / f->unit_data;
	uint32_t off = (uint32_t)(addr % f->unit_data);
	const uint8_t *stored = flash_unit_cells(f, unit);
	const uint8_t *mask = flash_damage_read(f, unit);
	uint32_t step = f->g.ecc_step, failed = ecc->failed;

	if (!mask) {
		flash_copy_complement(out, stored + off, len);
		return;
	}
	if (raw || !f->g.ecc_strength) {
		flash_read_raw(stored + off, mask + off, len, out);
		return;
	}
	while (len) {
		uint32_t step_off = off - off % step;
		uint32_t n = step_off + step - off;

		if (n > len)
			n = len;
		read_step(f, stored, mask, step_off, off, n, out, ecc);
		out += n;
		off += n;
		len -= n;
	}
	if (ecc->failed != failed)
		flash_damage_read_failed(f, unit);
}

void flash_read_oob_area(struct flash *f, uint64_t page, uint8_t *out)
{
	const uint8_t *mask = flash_damage_read(f, page);

	flash_read_raw(flash_unit_cells(f, page) + f->unit_data,
		 mask ? mask + f->unit_data : NULL, f->g.oob_size, out);
}

int flash_sync(struct flash *f)
{
	if (f->fd < 0)
		return 0;
	if (msync(f->cells, f->map_size, MS_SYNC) || fsync(f->fd))
		return -errno;
	return 0;
}

void flash_get_stats(const struct flash *f, struct flash_stats *s)
{
	*s = f->stats;
}
