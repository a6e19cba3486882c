/*
 * clock.c - TSC-based monotonic clock (see clock.h).
 *
 * The counter is trusted only between anchors on CLOCK_MONOTONIC taken at
 * most ANCHOR_NS apart: a guest's counter can jump (a paused or migrated
 * virtual machine), and a rate taken over 2 ms is a little off; either
 * would grow without bound in a long run.  Re-anchoring costs one system
 * call per ANCHOR_NS, and any interval longer than that ends on a reading
 * of CLOCK_MONOTONIC itself.
 */
#include "clock.h"

#include <pthread.h>
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

#define ANCHOR_NS 50000000u	/* 50 ms */

static struct {
	pthread_mutex_t lock;
	uint64_t tsc0;		/* counter at the anchor */
	uint64_t ns0;		/* CLOCK_MONOTONIC at the anchor; 0: none yet */
	uint64_t span;		/* ticks the anchor is good for */
	uint64_t last;		/* latest reading returned */
	double ns_per_tick;	/* 0: the counter is of no use */
} cal = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void anchor(void)
{
	cal.ns0 = mono_ns();
	cal.tsc0 = __rdtsc();
}

/* Two readings 2 ms apart give the rate; good to a fraction of a percent */
static void calibrate(void)
{
	struct timespec pause = { .tv_nsec = 2000000 };
	uint64_t t1, n1;

	anchor();
	nanosleep(&pause, NULL);
	n1 = mono_ns();
	t1 = __rdtsc();
	if (t1 <= cal.tsc0 || n1 <= cal.ns0)
		return;
	cal.ns_per_tick = (double)(n1 - cal.ns0) / (double)(t1 - cal.tsc0);
	cal.span = (uint64_t)(ANCHOR_NS / cal.ns_per_tick);
}

static uint64_t reading(void)
{
	uint64_t ticks;

	if (!cal.ns0)
		calibrate();
	if (!cal.ns_per_tick)
		return mono_ns();
	ticks = __rdtsc() - cal.tsc0;	/* a counter gone back wraps: > span */
	if (ticks > cal.span) {
		anchor();
		return cal.ns0;
	}
	return cal.ns0 + (uint64_t)((double)ticks * cal.ns_per_tick);
}

uint64_t clock_ns(void)
{
	uint64_t ns;

	pthread_mutex_lock(&cal.lock);
	ns = reading();
	if (ns < cal.last)
		ns = cal.last;
	cal.last = ns;
	pthread_mutex_unlock(&cal.lock);
	return ns;
}
#else
uint64_t clock_ns(void)
{
	return mono_ns();
}
#endif
