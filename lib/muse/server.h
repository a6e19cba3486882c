/*
 * server.h - the userspace end of /dev/muse.
 *
 * Opens the device, answers MUSE_INIT with a geometry, waits for the
 * kernel to register the MTD device, then serves requests until told to
 * stop or until the kernel drops the connection.  Every request is
 * decoded and checked before the backend sees it; a malformed one gets an
 * error reply and a log line, never a crash.
 *
 * Requests reach the flash only through the backend (backend.h).
 */
#ifndef MUSE_SERVER_H
#define MUSE_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "error.h"
#include "geometry.h"
#include "init_params.h"
#include "wire.h"

struct muse_server_config {
	const char *device;		/* NULL: /dev/muse */
	const struct geometry *geometry;
	struct muse_init_extras extras;
	uint32_t max_io;		/* 0: MUSE_DEFAULT_MAX_IO */
	FILE *log;			/* protocol problems; NULL: stderr */
	/*
	 * The backend never fails a write: the kernel may acknowledge
	 * writes before sending them (a kernel older than MUSE 1.1 won't)
	 */
	bool write_behind;
};

#define MUSE_DEFAULT_MAX_IO (1u << 20)

struct muse_server_stats {
	uint64_t requests;
	uint64_t reads;
	uint64_t writes;
	uint64_t erases;
	uint64_t rejected;
};

struct muse_server;

/* Opens the device and completes the MUSE_INIT exchange. */
int muse_server_start(const struct muse_server_config *cfg,
		      const struct muse_backend *be, struct muse_server **out,
		      struct muse_error *e);

/*
 * Serves requests until the kernel has registered the MTD device(s) and
 * returns their indexes; a refusal comes back with the kernel's reason.
 */
int muse_server_wait_mtd(struct muse_server *s, int timeout_ms,
			 struct muse_mtd_list *list, struct muse_error *e);

/*
 * Serves requests until muse_server_interrupt() (0) or until the
 * connection ends (-ENODEV).
 */
int muse_server_run(struct muse_server *s, struct muse_error *e);

/*
 * Async-signal-safe: ends the connection (the kernel removes the MTD
 * device) and makes muse_server_run() return, even if the signal lands
 * just before it blocks waiting for a request.
 */
void muse_server_interrupt(struct muse_server *s);

void muse_server_get_stats(const struct muse_server *s,
			   struct muse_server_stats *st);

/* Closes the device; the kernel then removes the MTD device. */
void muse_server_close(struct muse_server *s);

#endif
