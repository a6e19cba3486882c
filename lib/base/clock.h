/*
 * clock.h - a monotonic nanosecond clock that costs no system call.
 *
 * In a UML guest clock_gettime() is a real system call (about 50 us); the
 * recorder stamps every operation, so it reads the CPU's time stamp
 * counter instead, calibrated once against CLOCK_MONOTONIC.
 */
#ifndef MUSE_CLOCK_H
#define MUSE_CLOCK_H

#include <stdint.h>

/* Nanoseconds since an arbitrary origin; never goes backwards. */
uint64_t clock_ns(void);

#endif
