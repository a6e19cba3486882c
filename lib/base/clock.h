/*
 * clock.h - a monotonic nanosecond clock that costs no system call.
 *
 * In a UML guest clock_gettime() is a real system call (about 50 us); the
 * recorder stamps every operation, so it reads the CPU's time stamp
 * counter instead, calibrated against CLOCK_MONOTONIC and anchored to it
 * again every 50 ms.  One clock per process: safe to read from any thread,
 * never goes backwards across them.
 */
#ifndef MUSE_CLOCK_H
#define MUSE_CLOCK_H

#include <stdint.h>

/* Nanoseconds since an arbitrary origin; never goes backwards. */
uint64_t clock_ns(void);

/*
 * Seconds since the epoch (CLOCK_REALTIME): a time one process sets and
 * another, in a UML guest of the same host, compares with (a deadline).
 */
double clock_wall_s(void);

#endif
