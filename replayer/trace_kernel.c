/*
 * trace_kernel.c - replaying a trace on the kernel that recorded it.
 */
#define _GNU_SOURCE
#include "trace_kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernels.h"
#include "trace.h"
#include "uml.h"

struct recorded_on {
	char release[KERNEL_RELEASE_MAX];
	char name[KERNEL_NAME_MAX];
};

/* older traces keep only "kernel": uname's sysname, release and version */
static void release_from_uname(struct trace *t, struct recorded_on *r)
{
	char uts[512], sysname[64];

	r->release[0] = '\0';
	if (!trace_get_meta(t, "kernel", uts, sizeof(uts)) &&
	    sscanf(uts, "%63s %127s", sysname, r->release) != 2)
		r->release[0] = '\0';
}

static int read_recorded(const char *path, struct recorded_on *r,
			 struct muse_error *e)
{
	struct trace *t;
	int ret = trace_open(path, TRACE_READ, &t, e);

	if (ret)
		return ret;
	if (trace_get_meta(t, "kernel_release", r->release, sizeof(r->release)))
		release_from_uname(t, r);
	if (trace_get_meta(t, "kernel_name", r->name, sizeof(r->name)))
		r->name[0] = '\0';
	trace_close(t, NULL);
	return 0;
}

/* a trace recorded on a host with /dev/muse replays there, if it is this one */
static int choose_host(const struct recorded_on *r, const char *cmd,
		       struct muse_error *e)
{
	struct utsname u;

	if (!access("/dev/muse", R_OK | W_OK) && !uname(&u) &&
	    !strcmp(u.release, r->release)) {
		fprintf(stderr, "%s: on this host's kernel (Linux %s), which recorded the trace\n",
			cmd, r->release);
		return 0;
	}
	return muse_fail(e, -ENOENT,
			 "the trace was recorded with /dev/muse on a host running Linux %s, which this is not: pass --kernel (a name from \"muse kernel list\", or host)",
			 r->release);
}

int trace_kernel_choose(const char *trace, const char *cmd,
			const char **kernel, struct muse_error *e)
{
	const char *env = getenv("MUSE_KERNEL");
	struct recorded_on r;
	struct kernel_info k;
	int ret;

	if (*kernel || (env && *env))
		return uml_choose(kernel, e);
	/* inside a guest of "muse uml", its kernel is the one to test */
	if (getenv("MUSE_KERNEL_DIR") && !access("/dev/muse", R_OK | W_OK))
		return 0;
	ret = read_recorded(trace, &r, e);
	if (ret)
		return ret;
	if (!r.release[0]) {
		fprintf(stderr, "%s: the trace does not name the kernel that recorded it; using the default\n",
			cmd);
		return uml_choose(kernel, e);
	}
	if (!strcmp(r.name, "host"))
		return choose_host(&r, cmd, e);
	ret = kernel_by_release(r.release, r.name[0] ? r.name : NULL, &k, e);
	if (ret)
		return ret;
	fprintf(stderr, "%s: on kernel %s (Linux %s), the kernel that recorded the trace; --kernel picks another\n",
		cmd, k.name[0] ? k.name : k.path, k.release);
	*kernel = k.path;
	return uml_choose(kernel, e);
}
