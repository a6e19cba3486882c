/*
 * rebuild.c - rebuilding the flash from a trace (see rebuild.h).
 */
#include "rebuild.h"

#include <errno.h>
#include <inttypes.h>

int rebuild_initial(struct trace *t, struct flash **out, struct muse_error *e)
{
	struct flash_options opt = { 0 };
	struct geometry g;
	int ret = trace_geometry(t, &g, e);

	if (!ret)
		ret = flash_create(&g, &opt, out, e);
	if (!ret && (ret = trace_load_initial(t, *out, e))) {
		flash_destroy(*out);
		*out = NULL;
	}
	return ret;
}

int rebuild_apply(struct flash *f, const struct trace_op *op)
{
	const struct geometry *g = flash_geometry(f);

	if (op->result)
		return 0;
	switch (op->kind) {
	case TRACE_PROGRAM:
		return flash_program(f, &op->prog);
	case TRACE_ERASE:
		return flash_erase(f, op->prog.addr / g->block_size);
	case TRACE_MARKBAD:
		return flash_mark_bad(f, op->prog.addr / g->block_size);
	}
	return -EINVAL;
}

struct apply_ctx {
	struct flash *f;
	struct muse_error *e;
};

static int apply_one(void *ctx, const struct trace_op *op)
{
	struct apply_ctx *a = ctx;
	int ret = rebuild_apply(a->f, op);

	if (ret)
		muse_fail(a->e, ret, "op %" PRIu64 " does not apply to the flash",
			  op->seq);
	return ret;
}

int rebuild_range(struct trace *t, struct flash *f, uint64_t first,
		 uint64_t last, struct muse_error *e)
{
	struct apply_ctx a = { f, e };

	if (first > last)
		return 0;
	return trace_for_each_op(t, first, last, apply_one, &a, e);
}
