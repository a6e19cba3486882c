/*
 * clock.c - TSC-based monotonic clock (see clock.h).
 */
#include "clock.h"

#include <time.h>

double clock_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>

static struct {
	uint64_t tsc0;
	uint64_t ns0;
	double ns_per_tick;
} cal;

/* Two readings 2 ms apart give the rate; good to a fraction of a percent */
static void calibrate(void)
{
	struct timespec pause = { .tv_nsec = 2000000 };
	uint64_t t1, n1;

	cal.ns0 = mono_ns();
	cal.tsc0 = __rdtsc();
	nanosleep(&pause, NULL);
	n1 = mono_ns();
	t1 = __rdtsc();
	cal.ns_per_tick = t1 > cal.tsc0 ?
			  (double)(n1 - cal.ns0) / (double)(t1 - cal.tsc0) : 0;
}

uint64_t clock_ns(void)
{
	if (!cal.ns0)
		calibrate();
	if (!cal.ns_per_tick)
		return mono_ns();
	return cal.ns0 + (uint64_t)((double)(__rdtsc() - cal.tsc0) *
				     cal.ns_per_tick);
}
#else
uint64_t clock_ns(void)
{
	return mono_ns();
}
#endif
