/*
 * flash_io.c - MTD reads and writes served by the flash model.
 */
#include "flash_io.h"

#include <string.h>

static void read_page_oob(struct flash *f, const struct flash_io *io,
			  uint64_t page, uint32_t *done, uint8_t *oob,
			  uint8_t *area)
{
	const struct geometry *g = flash_geometry(f);
	struct oob_share s;

	if (*done >= io->ooblen)
		return;
	s = flash_io_oob_share(g, io, *done);
	flash_read_oob_area(f, page, area);
	oob_gather(g, io->mode, area, s.offs, s.n, oob + *done);
	*done += s.n;
}

void flash_io_read(struct flash *f, const struct flash_io *io, uint8_t *data,
		   uint8_t *oob, struct flash_ecc *ecc)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t unit = geometry_unit_data(g);
	uint64_t addr = io->addr, end = io->addr + io->len;
	uint8_t area[g->oob_size ? g->oob_size : 1];
	bool raw = io->mode == OOB_RAW;
	uint32_t oob_done = 0;

	memset(ecc, 0, sizeof(*ecc));
	while (addr < end) {
		uint64_t unit_end = (addr / unit + 1) * unit;
		uint32_t n = (uint32_t)((end < unit_end ? end : unit_end) - addr);

		flash_read_data(f, addr, n, raw, data + (addr - io->addr), ecc);
		if (io->ooblen)
			read_page_oob(f, io, addr / g->page_size, &oob_done,
				      oob, area);
		addr += n;
	}
	for (uint64_t page = io->addr / g->page_size; oob_done < io->ooblen;
	     page++)
		read_page_oob(f, io, page, &oob_done, oob, area);
}

static int apply_program(void *ctx, const struct flash_program *p)
{
	return flash_program(ctx, p);
}

int flash_io_write(struct flash *f, const struct flash_io *io,
		   const uint8_t *data, const uint8_t *oob, uint8_t *scratch)
{
	return flash_io_split_write(flash_geometry(f), io, data, oob, scratch,
				    apply_program, f);
}
