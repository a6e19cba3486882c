/*
 * init_params.c - the MUSE_INIT parameter block.
 */
#include "init_params.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* MTD_NO_ERASE from <mtd/mtd-abi.h>, which RAM devices keep */
#define MTD_NO_ERASE_FLAG 0x1000u

static int kernel_layout(char *buf, size_t size, const struct oob_layout *l)
{
	int n = 0;

	for (uint32_t i = 0; i < l->count; i++)
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0,
			      "%s%" PRIu32 ":%" PRIu32, i ? "," : "",
			      l->region[i].offset, l->region[i].length);
	return n;
}

struct param_buf {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void add_param(struct param_buf *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_param(struct param_buf *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->buf + p->len, p->size - p->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 > p->size - p->len) {
		p->overflow = true;
		return;
	}
	p->len += (size_t)n + 1;
}

int muse_init_params(const struct geometry *g,
		     const struct muse_init_extras *x, char *buf, size_t size,
		     struct muse_error *e)
{
	struct param_buf p = { .buf = buf, .size = size };
	const char *name = x->name;
	char layout[512];
	uint32_t shift;

	if (!name || !*name || strlen(name) > GEOMETRY_NAME_MAX)
		return muse_fail(e, -EINVAL,
				 "the MTD name must have 1 to %d characters",
				 GEOMETRY_NAME_MAX);
	add_param(&p, "name=%s", name);
	add_param(&p, "type=%s", flash_type_name(g->type));
	add_param(&p, "size=%" PRIu64, g->size);
	add_param(&p, "erasesize=%" PRIu32, g->block_size);
	add_param(&p, "writesize=%" PRIu32, g->page_size);
	add_param(&p, "writebufsize=%" PRIu32, g->writebuf_size);
	if (g->oob_size) {
		add_param(&p, "oobsize=%" PRIu32, g->oob_size);
		add_param(&p, "oobavail=%" PRIu32, geometry_oob_avail(g));
	}
	if (g->oobfree.count) {
		kernel_layout(layout, sizeof(layout), &g->oobfree);
		add_param(&p, "oobfree=%s", layout);
	}
	if (g->oobecc.count) {
		kernel_layout(layout, sizeof(layout), &g->oobecc);
		add_param(&p, "oobecc=%s", layout);
	}
	shift = 0;
	while ((g->page_size >> shift) > g->subpage_size)
		shift++;
	if (shift)
		add_param(&p, "subpage_shift=%" PRIu32, shift);
	if (g->ecc_strength) {
		add_param(&p, "ecc_strength=%" PRIu32, g->ecc_strength);
		add_param(&p, "ecc_step=%" PRIu32, g->ecc_step);
		add_param(&p, "bitflip_threshold=%" PRIu32, g->bitflip_threshold);
	}
	if (x->read_only)
		add_param(&p, "flags=0x%x",
			  g->type == FLASH_RAM ? MTD_NO_ERASE_FLAG : 0u);
	if (x->badblocks && geometry_is_nand(g))
		add_param(&p, "badblocks=%s", x->badblocks);
	if (x->readcache && geometry_is_nand(g))
		add_param(&p, "readcache=%" PRIu32, x->readcache);
	if (x->readcache && x->readahead && geometry_is_nand(g))
		add_param(&p, "readahead=%" PRIu32, x->readahead);
	if (x->mtdparts && *x->mtdparts)
		add_param(&p, "mtdparts=%s", x->mtdparts);
	if (x->timeout)
		add_param(&p, "timeout=%" PRIu32,
			  x->timeout == MUSE_TIMEOUT_NEVER ? 0 : x->timeout);
	if (p.overflow)
		return muse_fail(e, -E2BIG,
				 "the MUSE init parameters exceed %zu bytes", size);
	return (int)p.len;
}
