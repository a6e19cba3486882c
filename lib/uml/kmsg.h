/*
 * kmsg.h - the kernel's messages since a point in time, from /dev/kmsg.
 */
#ifndef MUSE_KMSG_H
#define MUSE_KMSG_H

#include <stdio.h>

/* Starts reading after the newest message; -1 if /dev/kmsg is unusable */
int kmsg_open(void);

/*
 * Writes the messages logged since the last call (or kmsg_open) to @out,
 * one per line with @prefix and the level; returns how many.
 */
int kmsg_drain(int fd, FILE *out, const char *prefix);

void kmsg_close(int fd);

#endif
