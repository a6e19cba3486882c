/*
 * daemon.h - serving a backend over MUSE until told to stop.
 */
#ifndef MUSE_DAEMON_H
#define MUSE_DAEMON_H

#include <stdbool.h>
#include <stdio.h>

#include "server.h"

/* One "/dev/mtdN" line per device of @list, flushed */
void print_devices(FILE *out, const struct muse_mtd_list *list);

/*
 * Creates the MTD device(s), writes their paths to @devices (one
 * "/dev/mtdN" line each, flushed) and serves until SIGINT or SIGTERM (0)
 * or until the kernel ends the connection (-ENODEV).  @served tells
 * whether the device ever existed; @st then holds the request counts.
 */
int serve_until_stopped(const struct muse_server_config *cfg,
			const struct muse_backend *be, FILE *devices,
			bool *served, struct muse_server_stats *st,
			struct muse_error *e);

#endif
