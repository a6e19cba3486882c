/*
 * replaybench.c - how long the state after op N takes, with and without
 * checkpoints.
 *
 *   muse-replaybench TRACE [SAMPLES [INTERVAL]]
 *
 * Builds the checkpoint file afresh (timed), then for SAMPLES random N
 * (fixed seed, so runs compare) rebuilds the state after op N twice,
 * alternating: from the checkpoints, and from the start of the trace.
 * Each state is then read whole (every page and OOB) so that a lazily
 * mapped state pays for what it maps; both times are printed.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flash_raw.h"
#include "checkpoint.h"
#include "trace.h"
#include "trace_query.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Reads every unit; returns a checksum so the work is not optimised away */
static uint64_t touch_all(struct flash *f)
{
	uint8_t *buf = malloc(flash_unit_size(f));
	uint64_t sum = 0;

	for (uint64_t u = 0; buf && u < flash_units(f); u++) {
		flash_dump_unit(f, u, buf);
		sum += buf[0] ^ buf[flash_unit_size(f) - 1];
	}
	free(buf);
	return sum;
}

struct timing {
	double ready, whole;
};

static int time_state(struct ckpt *c, uint64_t n, struct timing *t,
		      uint64_t *sum)
{
	struct muse_error e = { 0 };
	struct flash *f;
	double t0 = now_ms();

	if (ckpt_state(c, n, &f, &e)) {
		fprintf(stderr, "state %" PRIu64 ": %s\n", n, e.msg);
		return -1;
	}
	t->ready = now_ms() - t0;
	*sum += touch_all(f);
	t->whole = now_ms() - t0;
	flash_destroy(f);
	return 0;
}

static void report(const char *what, struct timing *t, int n)
{
	double ready[1024], whole[1024];

	for (int i = 0; i < n; i++) {
		ready[i] = t[i].ready;
		whole[i] = t[i].whole;
	}
	qsort(ready, (size_t)n, sizeof(double), cmp_double);
	qsort(whole, (size_t)n, sizeof(double), cmp_double);
	printf("%-28s %9.1f %9.1f %11.1f %11.1f\n", what, ready[n / 2],
	       ready[n - 1], whole[n / 2], whole[n - 1]);
}

/*
 * What opening costs: every open of a sealed trace reads it whole to
 * check its content digest (median of 5 opens, and the digest alone).
 */
static int time_open(const char *path)
{
	double open_ms[5], digest_ms[5], t0;
	struct muse_error e = { 0 };
	uint8_t digest[32];
	struct trace *t;

	for (int i = 0; i < 5; i++) {
		t0 = now_ms();
		if (trace_open(path, TRACE_READ, &t, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return -1;
		}
		open_ms[i] = now_ms() - t0;
		t0 = now_ms();
		if (trace_content_digest(t, digest, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return -1;
		}
		digest_ms[i] = now_ms() - t0;
		trace_close(t, NULL);
	}
	qsort(open_ms, 5, sizeof(double), cmp_double);
	qsort(digest_ms, 5, sizeof(double), cmp_double);
	printf("open (with the seal check): %.1f ms, content digest alone: %.1f ms (medians of 5)\n",
	       open_ms[2], digest_ms[2]);
	return 0;
}

int main(int argc, char **argv)
{
	static struct timing with[1024], without[1024];
	struct ckpt_options build = { .quiet = true }, none = { .no_build = true };
	struct muse_error e = { 0 };
	struct ckpt *c, *plain;
	int samples = argc > 2 ? atoi(argv[2]) : 20;
	char path[4096];
	struct trace *t;
	uint64_t last, sum = 0, x = 88172645463325252ull;
	struct stat st;
	double t0;

	if (argc > 3)
		build.interval = strtoull(argv[3], NULL, 10);
	if (argc < 2 || samples < 1 || samples > 1024) {
		fprintf(stderr, "usage: muse-replaybench TRACE [SAMPLES (1..1024) [INTERVAL]]\n");
		return 2;
	}
	if (time_open(argv[1]))
		return 1;
	if (trace_open(argv[1], TRACE_READ, &t, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	last = trace_last_seq(t);
	ckpt_path(argv[1], path, sizeof(path));
	unlink(path);
	t0 = now_ms();
	if (ckpt_open(t, argv[1], &build, &c, &e) || !ckpt_available(c)) {
		fprintf(stderr, "no checkpoints: %s\n", e.msg);
		return 1;
	}
	printf("trace %s: %" PRIu64 " ops, a checkpoint every %" PRIu64 "\n", argv[1],
	       last, build.interval ? build.interval : CKPT_DEFAULT_INTERVAL);
	stat(path, &st);
	printf("checkpoints built in %.0f ms: %lld bytes on disk, %lld apparent\n",
	       now_ms() - t0, (long long)st.st_blocks * 512, (long long)st.st_size);
	/* a checkpoint-less handle: the same trace, a file name nobody has */
	if (ckpt_open(t, "/nonexistent/dir/trace", &none, &plain, &e))
		return 1;
	for (int i = 0; i < samples; i++) {
		uint64_t n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = x % (last + 1);
		if (time_state(c, n, &with[i], &sum) ||
		    time_state(plain, n, &without[i], &sum))
			return 1;
	}
	printf("state after a random op N, %d samples (ms):\n", samples);
	printf("%-28s %9s %9s %11s %11s\n", "", "ready", "max", "read whole", "max");
	report("from checkpoints", with, samples);
	report("from the start of the trace", without, samples);
	printf("(checksum %" PRIx64 ")\n", sum);
	ckpt_close(c);
	ckpt_close(plain);
	trace_close(t, NULL);
	return 0;
}
