/*
 * test.h - a minimal unit test harness.
 *
 * TEST(name) defines and registers a test; CHECK* record a failure with
 * file and line and end the test.  The runner prints one line per test
 * and a final "unit: N passed, N failed" line.
 */
#ifndef MUSE_TEST_H
#define MUSE_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);

void test_register(const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int test_failed(void);

/* A scratch directory for the current test (removed afterwards) */
const char *test_tmpdir(void);

struct flash;

/* A flash in memory with geometry @spec; NULL (and a message) if invalid */
struct flash *test_flash(const char *spec);

/* @n bytes of a fixed pseudo-random pattern, another for each @salt */
void test_pattern(uint8_t *p, size_t n, uint32_t salt);

#define TEST(name)                                                        \
	static void name(void);                                           \
	__attribute__((constructor)) static void register_##name(void)    \
	{                                                                 \
		test_register(#name, name);                               \
	}                                                                 \
	static void name(void)

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			test_fail(__FILE__, __LINE__, "%s", #cond);       \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_INT(a, b)                                                   \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);       \
		if (a_ != b_) {                                           \
			test_fail(__FILE__, __LINE__, "%s == %lld, want %lld", \
				  #a, a_, b_);                            \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (strcmp(a_, b_)) {                                     \
			test_fail(__FILE__, __LINE__, "%s == \"%s\", want \"%s\"", \
				  #a, a_, b_);                            \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                       \
	do {                                                              \
		const char *h_ = (hay), *n_ = (needle);                   \
		if (!strstr(h_, n_)) {                                    \
			test_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"", \
				  h_, n_);                                \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_MEM(a, b, n)                                                \
	do {                                                              \
		if (memcmp((a), (b), (n))) {                              \
			test_fail(__FILE__, __LINE__, "%s differs from %s", \
				  #a, #b);                                \
			return;                                           \
		}                                                         \
	} while (0)

#endif
