/*
 * fuzz_image.c - image fuzzing (see fuzz_image.h): the guest's batch of
 * inputs, and the host's campaign of batches.
 */
#define _GNU_SOURCE
#include "fuzz_image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "clock.h"
#include "image.h"
#include "klog.h"
#include "kmsg.h"
#include "mutate.h"
#include "point.h"
#include "pool.h"
#include "rng.h"
#include "spawn.h"
#include "stage.h"
#include "trace.h"
#include "uml.h"
#include "util.h"

static uint64_t input_seed(const struct fuzz_image_options *o, uint64_t i)
{
	uint64_t x = i;

	return o->seed ^ splitmix64(&x);
}

/* ---- the state the inputs start from ---------------------------------------------- */

struct base {
	struct trace *t;
	struct ckpt *c;
	struct flash *f;
	char fs[16];
};

static void base_close(struct base *b)
{
	flash_destroy(b->f);
	ckpt_close(b->c);
	trace_close(b->t, NULL);
}

static int base_open(const struct fuzz_image_options *o, struct base *b,
		     struct muse_error *e)
{
	struct ckpt_options co = { .quiet = true };
	uint64_t seq;
	int ret;

	*b = (struct base){ 0 };
	ret = trace_open(o->trace, TRACE_READ, &b->t, e);
	if (!ret)
		ret = ckpt_open(b->t, o->trace, &co, &b->c, e);
	if (!ret)
		ret = point_resolve(b->t, o->at, &seq, e);
	if (!ret)
		ret = ckpt_state(b->c, seq, &b->f, e);
	if (!ret && trace_get_meta(b->t, "fs", b->fs, sizeof(b->fs)))
		snprintf(b->fs, sizeof(b->fs), "none");
	if (ret)
		base_close(b);
	return ret;
}

int fuzz_image_check(const struct fuzz_image_options *o, struct muse_error *e)
{
	struct trace *t;
	uint64_t seq;
	int ret = trace_open(o->trace, TRACE_READ, &t, e);

	if (!ret) {
		ret = point_resolve(t, o->at, &seq, e);
		trace_close(t, NULL);
	}
	return ret;
}

int fuzz_image_save(const struct fuzz_image_options *o, uint64_t i,
		    const char *path, char *what, size_t size,
		    struct muse_error *e)
{
	struct image_spec spec;
	struct mutation m;
	struct base b;
	int ret = base_open(o, &b, e);

	if (ret)
		return ret;
	ret = mutate_flash(b.f, b.fs, input_seed(o, i), &m);
	if (ret)
		ret = muse_fail(e, ret, "input %" PRIu64 ": nothing to mutate", i);
	snprintf(what, size, "%s", m.what);
	if (!ret)
		ret = image_parse_spec("auto", &spec, e);
	if (!ret)
		ret = image_save(b.f, path, &spec, e);
	base_close(&b);
	return ret;
}

/* ---- in the guest: a batch ------------------------------------------------------------- */

struct input {
	const char *fs;
	uint64_t seed;
};

/* In the serving child: the mutation, on its own copy of the state */
static int mutate_copy(void *ctx, struct flash *f, struct muse_error *e)
{
	const struct input *in = ctx;
	struct mutation m;
	int ret = mutate_flash(f, in->fs, in->seed, &m);

	return ret ? muse_fail(e, ret, "nothing to mutate") : 0;
}

/* What a user of the filesystem does: read everything, write, sync */
static const char default_exercise[] =
	"find . -xdev -type f -exec cat {} + > /dev/null 2>&1; ls -laR > /dev/null 2>&1;"
	" echo fuzz > .muse-fuzz 2> /dev/null; sync; rm -f .muse-fuzz; sync";

/* How far the input got: "not served", "refused", "mounted" */
static const char *try_input(const struct base *b, const char *exercise,
			     uint64_t seed)
{
	char *argv[] = { "sh", "-c", (char *)exercise, NULL };
	struct input in = { b->fs, seed };
	struct muse_error e = { 0 };
	const char *how = "refused";
	struct stage st;

	if (stage_serve(&st, b->f, mutate_copy, &in, true, &e))
		return "not served";
	if (!stage_mount(&st, b->fs, false, &e)) {
		stage_run(&st, argv);
		how = "mounted";
	}
	stage_down(&st, &e);
	return how;
}

static void quiet_stderr(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
}

/* The first line of @log the crash pattern matches, into @why */
static bool crashed(const char *log, const regex_t *re, char *why, size_t size)
{
	for (const char *l = log; l && *l;) {
		const char *end = strchrnul(l, '\n');
		char line[400];

		snprintf(line, sizeof(line), "%.*s", (int)(end - l), l);
		if (!regexec(re, line, 0, NULL, 0)) {
			snprintf(why, size, "%s", line);
			return true;
		}
		l = *end ? end + 1 : end;
	}
	return false;
}

int fuzz_image_batch(const struct fuzz_image_options *o, struct muse_error *e)
{
	struct base b;
	regex_t re;
	int kfd, ret = base_open(o, &b, e);

	if (ret)
		return ret;
	if (regcomp(&re, klog_crash_pattern(), REG_EXTENDED | REG_NOSUB)) {
		base_close(&b);
		return muse_fail(e, -EINVAL, "the crash pattern does not compile");
	}
	kfd = kmsg_open();
	/* the tools' complaints about broken images are expected, and many */
	quiet_stderr();
	for (uint64_t i = o->first; i < o->first + o->inputs; i++) {
		char *log = NULL, why[512] = "", line[400];
		const char *how;
		size_t len = 0;
		FILE *m;

		printf("start %" PRIu64 "\n", i);
		fflush(stdout);
		how = try_input(&b, o->exercise ? o->exercise : default_exercise,
				input_seed(o, i));
		snprintf(why, sizeof(why), "%s", how);
		m = open_memstream(&log, &len);
		if (m) {
			kmsg_drain(kfd, m, "");
			fclose(m);
		}
		if (crashed(log, &re, line, sizeof(line)))
			snprintf(why, sizeof(why), "%s; %s", how, line);
		printf("input %" PRIu64 " %s\t%s\n", i,
		       strcmp(why, how) ? "crash" : "pass", why);
		fflush(stdout);
		free(log);
	}
	kmsg_close(kfd);
	regfree(&re);
	base_close(&b);
	return 0;
}
