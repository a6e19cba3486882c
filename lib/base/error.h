/*
 * error.h - one error convention for the whole project.
 *
 * Functions return 0 or a negative errno.  Where a user must be told what
 * went wrong, the caller passes a struct muse_error that receives a
 * message naming the device, offset, value or file involved; the caller
 * decides where to print it.
 */
#ifndef MUSE_ERROR_H
#define MUSE_ERROR_H

#include <stddef.h>

struct muse_error {
	int code;
	char msg[512];
};

/* Records the message in @e (which may be NULL) and returns @code (< 0). */
int muse_fail(struct muse_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the message already in @e with more context. */
int muse_fail_context(struct muse_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
