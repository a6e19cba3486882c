/*
 * mark_server.h - where "muse mark" reaches the recorder.
 *
 * A Unix socket in a directory only the recording user can enter (0700),
 * served by a thread of its own, so the request loop never polls for it.
 * Connections from other users are refused.
 */
#ifndef MUSE_MARK_SERVER_H
#define MUSE_MARK_SERVER_H

#include "error.h"
#include "recorder.h"

struct mark_server;

/* @path NULL: a socket in a new private directory under $TMPDIR */
int mark_server_start(const char *path, struct recorder *r,
		      struct mark_server **out, struct muse_error *e);
const char *mark_server_path(const struct mark_server *ms);

/* Stops the thread and removes the socket (and its directory, if ours). */
void mark_server_stop(struct mark_server *ms);

#endif
