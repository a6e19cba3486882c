/*
 * mtd_io.c - checking MTD requests and splitting writes into program operations.
 */
#include "mtd_io.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* Pages whose OOB an in-band request carries */
static uint64_t inband_pages(const struct geometry *g, const struct flash_io *io)
{
	uint64_t first = io->addr / g->page_size;

	return div_up(io->addr + io->len, g->page_size) - first;
}

static int check_oob(const struct geometry *g, const struct flash_io *io,
		     bool write, struct muse_error *e)
{
	uint32_t per_page = oob_per_page(g, io->mode);
	uint64_t first = io->addr / g->page_size;
	uint64_t pages;

	if (!geometry_is_nand(g) || !per_page)
		return muse_fail(e, -EINVAL, "OOB access on a chip without OOB");
	if (io->ooboffs >= per_page)
		return muse_fail(e, -EINVAL,
				 "OOB offset %" PRIu32 " is beyond the %" PRIu32
				 " bytes of a page", io->ooboffs, per_page);
	pages = io->len ? inband_pages(g, io) :
			  div_up((uint64_t)io->ooboffs + io->ooblen, per_page);
	if (io->ooblen > pages * per_page - io->ooboffs)
		return muse_fail(e, -EINVAL,
				 "%" PRIu32 " OOB bytes do not fit %" PRIu64 " pages",
				 io->ooblen, pages);
	if (first + pages > geometry_pages(g))
		return muse_fail(e, -EINVAL, "OOB access past the end of the chip");
	/* nand_base: one page of OOB per OOB-only write, no offset on many */
	if (write && (!io->len || io->ooboffs) &&
	    io->ooboffs + io->ooblen > per_page)
		return muse_fail(e, -EINVAL,
				 "OOB write of %" PRIu32 " bytes at %" PRIu32
				 " crosses a page", io->ooblen, io->ooboffs);
	return 0;
}

int flash_io_check(const struct geometry *g, const struct flash_io *io,
		   bool write, struct muse_error *e)
{
	uint32_t min_io = geometry_min_io(g);

	if (io->mode > OOB_RAW)
		return muse_fail(e, -EINVAL, "unknown OOB mode %d", io->mode);
	if (!io->len && !io->ooblen)
		return muse_fail(e, -EINVAL, "empty request");
	if (io->addr >= g->size || io->len > g->size - io->addr)
		return muse_fail(e, -EINVAL,
				 "%" PRIu32 " bytes at 0x%" PRIx64
				 " are outside the chip", io->len, io->addr);
	if (write && io->len && (io->addr % min_io || io->len % min_io))
		return muse_fail(e, -EINVAL,
				 "write of %" PRIu32 " bytes at 0x%" PRIx64
				 " is not aligned to %" PRIu32 " bytes",
				 io->len, io->addr, min_io);
	return io->ooblen ? check_oob(g, io, write, e) : 0;
}

/* Where one page's share of a request's OOB goes */
struct oob_share flash_io_oob_share(const struct geometry *g,
				    const struct flash_io *io, uint32_t done)
{
	uint32_t per_page = oob_per_page(g, io->mode);
	struct oob_share s = { .offs = done ? 0 : io->ooboffs };

	s.n = per_page - s.offs;
	if (s.n > io->ooblen - done)
		s.n = io->ooblen - done;
	return s;
}

static int split_nand(const struct geometry *g, const struct flash_io *io,
		      const uint8_t *data, const uint8_t *oob,
		      uint8_t *scratch, flash_program_fn fn, void *ctx)
{
	uint64_t addr = io->addr, end = io->addr + io->len;
	uint32_t oob_done = 0;

	do {
		uint64_t page_end = (addr / g->page_size + 1) * g->page_size;
		struct flash_program p = { .addr = addr };
		int ret;

		p.len = (uint32_t)((end < page_end ? end : page_end) - addr);
		p.data = data + (addr - io->addr);
		if (oob_done < io->ooblen) {
			struct oob_share s = flash_io_oob_share(g, io, oob_done);
			uint32_t lo, hi;

			oob_span(g, io->mode, s.offs, s.n, &lo, &hi);
			memset(scratch, 0xff, g->oob_size);
			oob_scatter(g, io->mode, oob + oob_done, s.offs, s.n,
				    scratch);
			p.oob_offset = lo;
			p.ooblen = hi - lo;
			p.oob = scratch + lo;
			p.oob_auto = io->mode == OOB_AUTO;
			oob_done += s.n;
		}
		if (!p.len)
			p.addr -= addr % g->page_size;
		ret = fn(ctx, &p);
		if (ret)
			return ret;
		addr += p.len;
	} while (addr < end);
	return 0;
}

static int split_cells(const struct geometry *g, const struct flash_io *io,
		       const uint8_t *data, flash_program_fn fn, void *ctx)
{
	uint32_t unit = g->type == FLASH_NOR ? g->writebuf_size :
			geometry_unit_data(g);
	uint64_t addr = io->addr, end = io->addr + io->len;

	while (addr < end) {
		uint64_t unit_end = (addr / unit + 1) * unit;
		struct flash_program p = {
			.addr = addr,
			.len = (uint32_t)((end < unit_end ? end : unit_end) - addr),
			.data = data + (addr - io->addr),
		};
		int ret = fn(ctx, &p);

		if (ret)
			return ret;
		addr += p.len;
	}
	return 0;
}

int flash_io_split_write(const struct geometry *g, const struct flash_io *io,
			 const uint8_t *data, const uint8_t *oob,
			 uint8_t *scratch, flash_program_fn fn, void *ctx)
{
	if (geometry_is_nand(g))
		return split_nand(g, io, data, oob, scratch, fn, ctx);
	return split_cells(g, io, data, fn, ctx);
}

