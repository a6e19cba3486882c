/*
 * rebuild.c - rebuilding the flash from a trace (see rebuild.h).
 */
#include "rebuild.h"

#include <errno.h>
#include <inttypes.h>

#include "flash_raw.h"
#include "trace_query.h"

struct apply_ctx {
	struct trace *t;
	struct flash *f;
	struct muse_error *e;
	bool faults;		/* the trace has some */
};

static int apply_fault(void *ctx, const struct trace_fault *tf)
{
	struct apply_ctx *a = ctx;
	int ret = 0;

	if (tf->has_unit && tf->mask) {
		if (tf->mask_len != flash_unit_size(a->f))
			return muse_fail(a->e, -EBADMSG, "a fault after op %" PRIu64
					 " has a mask of %" PRIu32 " bytes, not %" PRIu32,
					 tf->seq, tf->mask_len, flash_unit_size(a->f));
		ret = flash_set_damage(a->f, tf->addr, tf->mask);
	}
	/*
	 * A block that grew bad answered bad to the kernel that recorded; a
	 * rebuilt state comes after a power loss, and a chip knows a block
	 * is bad only from the marker a markbad wrote (an op of its own).
	 */
	if (ret)
		muse_fail(a->e, ret, "a fault after op %" PRIu64
			  " does not apply to the flash", tf->seq);
	return ret;
}

/* The faults that take effect after op @seq */
static int apply_faults(struct apply_ctx *a, uint64_t seq)
{
	if (!a->faults)
		return 0;
	return trace_for_each_fault(a->t, seq, seq, apply_fault, a, a->e);
}

int rebuild_initial(struct trace *t, struct flash **out, struct muse_error *e)
{
	struct flash_options opt = { 0 };
	struct geometry g;
	int ret;

	*out = NULL;
	ret = trace_geometry(t, &g, e);
	if (!ret)
		ret = flash_create(&g, &opt, out, e);
	if (!ret)
		ret = trace_load_initial(t, *out, e);
	if (!ret && trace_fault_count(t)) {
		struct apply_ctx a = { t, *out, e, true };

		ret = apply_faults(&a, 0);
	}
	if (ret && *out) {
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

static int apply_one(void *ctx, const struct trace_op *op)
{
	struct apply_ctx *a = ctx;
	int ret = rebuild_apply(a->f, op);

	if (ret)
		return muse_fail(a->e, ret, "op %" PRIu64 " does not apply to the flash",
				 op->seq);
	return apply_faults(a, op->seq);
}

int rebuild_range(struct trace *t, struct flash *f, uint64_t first,
		 uint64_t last, struct muse_error *e)
{
	struct apply_ctx a = { t, f, e, trace_fault_count(t) > 0 };

	if (first > last)
		return 0;
	return trace_for_each_op(t, first, last, apply_one, &a, e);
}
