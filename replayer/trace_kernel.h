/*
 * trace_kernel.h - the kernel a trace is replayed on: by default the one
 * that recorded it, so that a replay shows what that kernel does with the
 * flash; --kernel (or $MUSE_KERNEL) picks another, to see what a newer or
 * older kernel makes of it.
 */
#ifndef MUSE_TRACE_KERNEL_H
#define MUSE_TRACE_KERNEL_H

#include "error.h"

/*
 * As uml_choose() (uml.h), except that with neither *kernel nor
 * $MUSE_KERNEL set it picks the kernel that recorded @trace and tells on
 * stderr, prefixed with @cmd ("muse replay").
 */
int trace_kernel_choose(const char *trace, const char *cmd,
			const char **kernel, struct muse_error *e);

#endif
