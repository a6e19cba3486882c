/*
 * flash_raw.c - the back doors of the flash model (see flash_raw.h):
 * cells set and read exactly, bypassing the rules, for images,
 * checkpoints, cuts and tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flash_impl.h"

void flash_load_page(struct flash *f, uint64_t page, const uint8_t *data,
		     const uint8_t *oob)
{
	uint8_t *stored = flash_unit_cells(f, page);

	flash_undo_note(f, flash_unit_block(f, page));
	flash_copy_complement(stored, data, f->g.page_size);
	if (oob)
		flash_copy_complement(stored + f->unit_data, oob, f->g.oob_size);
	else
		memset(stored + f->unit_data, 0, f->g.oob_size);
	flash_damage_filter(f, page, page + 1);
	flash_forget_block_state(f, page / geometry_pages_per_block(&f->g));
}

void flash_load_bytes(struct flash *f, uint64_t addr, const uint8_t *data,
		      uint32_t len)
{
	while (len) {
		uint64_t unit = addr / f->unit_data;
		uint32_t off = (uint32_t)(addr % f->unit_data);
		uint32_t n = f->unit_data - off;

		if (n > len)
			n = len;
		flash_undo_note(f, flash_unit_block(f, unit));
		flash_copy_complement(flash_unit_cells(f, unit) + off, data, n);
		flash_damage_filter(f, unit, unit + 1);
		addr += n;
		data += n;
		len -= n;
	}
}

void flash_dump_page(struct flash *f, uint64_t page, uint8_t *data,
		     uint8_t *oob)
{
	const uint8_t *mask = flash_damage_read(f, page);

	flash_read_raw(flash_unit_cells(f, page), mask, f->g.page_size, data);
	if (oob)
		flash_read_raw(flash_unit_cells(f, page) + f->unit_data,
			 mask ? mask + f->unit_data : NULL, f->g.oob_size, oob);
}

void flash_dump_bytes(struct flash *f, uint64_t addr, uint8_t *data,
		      uint32_t len)
{
	while (len) {
		uint64_t unit = addr / f->unit_data;
		uint32_t off = (uint32_t)(addr % f->unit_data);
		const uint8_t *mask = flash_damage_read(f, unit);
		uint32_t n = f->unit_data - off;

		if (n > len)
			n = len;
		flash_read_raw(flash_unit_cells(f, unit) + off, mask ? mask + off : NULL, n,
			 data);
		addr += n;
		data += n;
		len -= n;
	}
}

uint64_t flash_units(const struct flash *f)
{
	return f->units;
}

void flash_dump_unit(struct flash *f, uint64_t unit, uint8_t *buf)
{
	const uint8_t *mask = flash_damage_read(f, unit);

	flash_read_raw(flash_unit_cells(f, unit), mask, f->unit_size, buf);
}

size_t flash_block_span(const struct flash *f)
{
	return (size_t)(f->g.block_size / f->unit_data) * f->unit_size;
}

const uint8_t *flash_block_stored(const struct flash *f, uint64_t block)
{
	return f->cells + block * flash_block_span(f);
}

/*
 * A page-aligned block is mapped privately from the file: nothing is read
 * until used, and writes stay in this process.  Otherwise it is copied.
 */
int flash_map_block(struct flash *f, uint64_t block, int fd, uint64_t off)
{
	size_t span = flash_block_span(f);
	uint8_t *at = f->cells + block * span;
	long page = sysconf(_SC_PAGESIZE);
	size_t done = 0;
	ssize_t n;

	if (block >= geometry_blocks(&f->g))
		return -EINVAL;
	flash_undo_note(f, block);
	flash_damage_filter(f, block * (span / f->unit_size),
		      (block + 1) * (span / f->unit_size));
	if (geometry_is_nand(&f->g))
		flash_forget_block_state(f, block);
	if (f->fd < 0 && !((uintptr_t)at % (uintptr_t)page) &&
	    !(span % (size_t)page) && !(off % (uint64_t)page) &&
	    mmap(at, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		 fd, (off_t)off) != MAP_FAILED)
		return 0;
	while (done < span) {
		n = pread(fd, at + done, span - done, (off_t)(off + done));
		if (n <= 0)
			return n ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

void flash_load_unit(struct flash *f, uint64_t unit, const uint8_t *buf)
{
	flash_undo_note(f, flash_unit_block(f, unit));
	flash_copy_complement(flash_unit_cells(f, unit), buf, f->unit_size);
	flash_damage_filter(f, unit, unit + 1);
	if (geometry_is_nand(&f->g))
		flash_forget_block_state(f, unit / geometry_pages_per_block(&f->g));
}
