/*
 * test_clock.c - the stamp clock: on CLOCK_MONOTONIC's scale, never going
 * back, and a reading after a long interval taken from CLOCK_MONOTONIC
 * itself, so no drift of the counter outlives 50 ms.
 */
#include "test.h"

#include <pthread.h>
#include <time.h>

#include "clock.h"

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pause_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	nanosleep(&t, NULL);
}

TEST(clock_reading_after_a_long_pause_is_the_monotonic_clock)
{
	for (int i = 0; i < 3; i++) {
		uint64_t before, c, after;

		clock_ns();
		pause_ms(80);
		before = mono();
		c = clock_ns();
		after = mono();
		CHECK(before <= c);
		CHECK(c <= after);
	}
}

static void *read_forward(void *backwards)
{
	uint64_t last = 0;

	for (int i = 0; i < 200000; i++) {
		uint64_t t = clock_ns();

		if (t < last)
			++*(int *)backwards;
		last = t;
	}
	return NULL;
}

TEST(clock_never_goes_back_in_any_thread)
{
	pthread_t th[3];
	int backwards[3] = { 0 };
	int i;

	for (i = 0; i < 3; i++)
		CHECK_INT(pthread_create(&th[i], NULL, read_forward, &backwards[i]), 0);
	for (i = 0; i < 3; i++) {
		CHECK_INT(pthread_join(th[i], NULL), 0);
		CHECK_INT(backwards[i], 0);
	}
}
