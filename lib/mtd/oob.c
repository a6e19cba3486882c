/*
 * oob.c - OOB addressing in PLACE, AUTO and RAW modes.
 */
#include "oob.h"

#include <string.h>

uint32_t oob_per_page(const struct geometry *g, enum oob_mode mode)
{
	return mode == OOB_AUTO ? geometry_oob_avail(g) : g->oob_size;
}

/*
 * Walks the free regions, calling back for each run of bytes that maps
 * [offs, offs + n) of the AUTO address space onto the OOB area.
 */
static void auto_walk(const struct geometry *g, uint32_t offs, uint32_t n,
		      void (*fn)(uint32_t area_off, uint32_t user_off,
				 uint32_t len, void *ctx),
		      void *ctx)
{
	uint32_t pos = 0, done = 0;

	for (uint32_t i = 0; i < g->oobfree.count && done < n; i++) {
		const struct oob_region *r = &g->oobfree.region[i];
		uint32_t start, len;

		if (offs + done >= pos + r->length) {
			pos += r->length;
			continue;
		}
		start = offs + done - pos;
		len = r->length - start;
		if (len > n - done)
			len = n - done;
		fn(r->offset + start, done, len, ctx);
		done += len;
		pos += r->length;
	}
}

struct oob_copy {
	const uint8_t *src;
	uint8_t *dst;
	int to_area;
};

static void copy_run(uint32_t area_off, uint32_t user_off, uint32_t len,
		     void *ctx)
{
	struct oob_copy *c = ctx;

	if (c->to_area)
		memcpy(c->dst + area_off, c->src + user_off, len);
	else
		memcpy(c->dst + user_off, c->src + area_off, len);
}

/* Between an OOB area and a request's OOB bytes, in either direction */
static void oob_move(const struct geometry *g, enum oob_mode mode,
		     struct oob_copy *c, uint32_t offs, uint32_t n)
{
	if (mode == OOB_AUTO)
		auto_walk(g, offs, n, copy_run, c);
	else if (c->to_area)
		memcpy(c->dst + offs, c->src, n);
	else
		memcpy(c->dst, c->src + offs, n);
}

void oob_gather(const struct geometry *g, enum oob_mode mode,
		const uint8_t *area, uint32_t offs, uint32_t n, uint8_t *out)
{
	struct oob_copy c = { .src = area, .dst = out, .to_area = 0 };

	oob_move(g, mode, &c, offs, n);
}

void oob_scatter(const struct geometry *g, enum oob_mode mode,
		 const uint8_t *in, uint32_t offs, uint32_t n, uint8_t *area)
{
	struct oob_copy c = { .src = in, .dst = area, .to_area = 1 };

	oob_move(g, mode, &c, offs, n);
}

struct oob_bounds {
	uint32_t lo;
	uint32_t hi;
};

static void widen(uint32_t area_off, uint32_t user_off, uint32_t len,
		  void *ctx)
{
	struct oob_bounds *b = ctx;

	(void)user_off;
	if (area_off < b->lo)
		b->lo = area_off;
	if (area_off + len > b->hi)
		b->hi = area_off + len;
}

void oob_span(const struct geometry *g, enum oob_mode mode, uint32_t offs,
	      uint32_t n, uint32_t *lo, uint32_t *hi)
{
	struct oob_bounds b = { .lo = UINT32_MAX, .hi = 0 };

	if (mode != OOB_AUTO) {
		*lo = offs;
		*hi = offs + n;
		return;
	}
	auto_walk(g, offs, n, widen, &b);
	*lo = b.hi ? b.lo : 0;
	*hi = b.hi;
}
