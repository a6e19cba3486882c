/*
 * flash_backend.c - serving MUSE requests from the flash model.
 */
#include "flash_backend.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "flash_io.h"

static void be_read(void *ctx, const struct flash_io *io, uint8_t *data,
		    uint8_t *oob, struct flash_ecc *ecc)
{
	struct flash_backend *fb = ctx;

	flash_io_read(fb->flash, io, data, oob, ecc);
	if (fb->faults)
		faults_after_read(fb->faults, io, fb->seq);
}

static int fault_program(void *ctx, const struct flash_program *p)
{
	struct flash_backend *fb = ctx;

	return faults_program(fb->faults, p, ++fb->seq);
}

static int be_write(void *ctx, const struct flash_io *io, const uint8_t *data,
		    const uint8_t *oob)
{
	struct flash_backend *fb = ctx;

	if (fb->faults)
		return flash_io_split_write(flash_geometry(fb->flash), io, data,
					    oob, fb->scratch, fault_program, fb);
	return flash_io_write(fb->flash, io, data, oob, fb->scratch);
}

static int be_erase(void *ctx, uint64_t block)
{
	struct flash_backend *fb = ctx;

	if (fb->faults)
		return faults_erase(fb->faults, block, ++fb->seq);
	return flash_erase(fb->flash, block);
}

static int be_is_bad(void *ctx, uint64_t block)
{
	struct flash_backend *fb = ctx;

	if (fb->faults)
		return faults_is_bad(fb->faults, block);
	return flash_is_bad(fb->flash, block);
}

static int be_mark_bad(void *ctx, uint64_t block)
{
	struct flash_backend *fb = ctx;

	if (fb->faults)
		return faults_mark_bad(fb->faults, block, ++fb->seq);
	return flash_mark_bad(fb->flash, block);
}

static int be_sync(void *ctx)
{
	return flash_sync(((struct flash_backend *)ctx)->flash);
}

int flash_backend_init(struct flash_backend *fb, struct flash *f,
		       struct muse_backend *be)
{
	const struct geometry *g = flash_geometry(f);

	*fb = (struct flash_backend){ .flash = f };
	fb->scratch = malloc(g->oob_size ? g->oob_size : 1);
	if (!fb->scratch)
		return -ENOMEM;
	*be = (struct muse_backend){
		.ctx = fb,
		.read = be_read,
		.write = be_write,
		.erase = be_erase,
		.is_bad = be_is_bad,
		.mark_bad = be_mark_bad,
		.sync = be_sync,
	};
	return 0;
}

void flash_backend_release(struct flash_backend *fb)
{
	free(fb->scratch);
	fb->scratch = NULL;
}

void flash_backend_set_faults(struct flash_backend *fb, struct faults *fa)
{
	fb->faults = fa;
	faults_set_handler(fa, flash_log_fault, stderr);
}

void flash_log_fault(void *stream, const struct fault_event *ev)
{
	char line[256];

	fault_event_describe(ev, line, sizeof(line));
	fprintf(stream, "muse: fault %s\n", line);
	fflush(stream);
}

const char *flash_violation_name(enum flash_violation_kind kind)
{
	static const char *const names[FLASH_VIOLATION_KINDS] = {
		[FLASH_VIOLATION_NOP] = "NOP exceeded",
		[FLASH_VIOLATION_ORDER] = "page programmed out of order",
		[FLASH_VIOLATION_ONE_OVER_ZERO] = "1 programmed over 0",
	};

	return (unsigned)kind < FLASH_VIOLATION_KINDS ? names[kind] : "?";
}

void flash_log_violation(void *stream, const struct flash_violation *v)
{
	char detail[64];

	switch (v->kind) {
	case FLASH_VIOLATION_NOP:
		snprintf(detail, sizeof(detail), "program %" PRIu32 " since erase",
			 v->detail);
		break;
	case FLASH_VIOLATION_ORDER:
		snprintf(detail, sizeof(detail), "page %" PRIu32 " already programmed",
			 v->detail);
		break;
	default:
		snprintf(detail, sizeof(detail), "%" PRIu32 " bits", v->detail);
		break;
	}
	fprintf(stream, "muse: flash rule violation: %s: block %" PRIu64
		" page %" PRIu32 " (%s)\n", flash_violation_name(v->kind),
		v->block, v->page, detail);
	fflush(stream);
}

int muse_bad_block_list(const struct flash *f, char *buf, size_t size)
{
	uint64_t blocks = geometry_blocks(flash_geometry(f));
	size_t len = 0;
	uint64_t b = 0;

	buf[0] = '\0';
	while (b < blocks) {
		uint64_t end = b;
		int n;

		if (flash_is_bad(f, b) != 1) {
			b++;
			continue;
		}
		while (end + 1 < blocks && flash_is_bad(f, end + 1) == 1)
			end++;
		n = end == b ?
		    snprintf(buf + len, size - len, "%s%" PRIu64, len ? "," : "", b) :
		    snprintf(buf + len, size - len, "%s%" PRIu64 "-%" PRIu64,
			     len ? "," : "", b, end);
		if (n < 0 || (size_t)n >= size - len)
			return -E2BIG;
		len += (size_t)n;
		b = end + 1;
	}
	return 0;
}
