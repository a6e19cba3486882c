/*
 * main.c - runs the registered unit tests, optionally only those whose
 * name contains argv[1].
 */
#define _GNU_SOURCE
#include "test.h"

#include <ftw.h>

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "flash.h"

#define MAX_TESTS 512

static struct {
	const char *name;
	test_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int failed_now;
static char tmpdir[256];

void test_register(const char *name, test_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed_now = 1;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

int test_failed(void)
{
	return failed_now;
}

const char *test_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/muse-unit.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

struct flash *test_flash(const char *spec)
{
	struct flash_options opt = { 0 };
	struct muse_error e;
	struct geometry g;
	struct flash *f;

	if (geometry_parse(spec, &g, &e) || flash_create(&g, &opt, &f, &e)) {
		printf("    %s: %s\n", spec, e.msg);
		return NULL;
	}
	return f;
}

void test_pattern(uint8_t *p, size_t n, uint32_t salt)
{
	uint32_t x = 2463534242u ^ salt;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void drop_tmpdir(void)
{
	if (tmpdir[0])
		nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		failed_now = 0;
		tests[i].fn();
		drop_tmpdir();
		printf("%s %s\n", failed_now ? "FAIL" : "ok  ", tests[i].name);
		fflush(stdout);
		failed_now ? failed++ : passed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
