/*
 * serve_faults.c - a fault plan on a served flash (see serve_faults.h).
 */
#include "serve_faults.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int serve_faults_start(const char *spec, struct flash *f, struct faults **fa,
		       char *plan, size_t size, struct muse_error *e)
{
	struct fault_plan p;
	int ret = fault_plan_parse(spec, flash_geometry(f), &p, e);

	if (!ret && fault_plan_format(&p, plan, size))
		ret = muse_fail(e, -E2BIG, "--faults: the plan is too long");
	if (!ret)
		ret = faults_create(&p, f, fa, e);
	if (!ret)
		fprintf(stderr, "muse serve: faults: %s\n", plan);
	return ret;
}

/* Events go into the trace when recording, else to stderr */
int serve_faults_use(struct faults *fa, const char *plan, const char *from,
		     struct recorder *r, struct flash_backend *fb,
		     struct muse_error *e)
{
	int ret;

	if (!r) {
		flash_backend_set_faults(fb, fa);
		return 0;
	}
	ret = recorder_set_faults(r, fa, plan, from);
	return ret ? muse_fail(e, ret, "storing the fault plan: %s",
			       strerror(-ret)) : 0;
}

void serve_faults_summary(const struct faults *fa)
{
	struct fault_stats st;

	faults_get_stats(fa, &st);
	fprintf(stderr, "muse serve: faults: %" PRIu64 " programs and %" PRIu64
		" erases failed;", st.failed_programs, st.failed_erases);
	for (int k = 0; k < FAULT_KINDS; k++)
		if (st.events[k])
			fprintf(stderr, " %s %" PRIu64, fault_kind_name(k),
				st.events[k]);
	fputc('\n', stderr);
}
