/*
 * markproto.h - what "muse mark" sends the recorder over its socket.
 *
 * A request is NUL-separated fields, binary-safe: "MUSEMARK1", the mark
 * name, the number of files, then per file its kind (expect, in-place,
 * absent), path, size, SHA-256 in hex, content length, whether content
 * follows ("0"/"1"), and the content bytes.  The client closes its
 * sending side; the recorder answers one line: "ok SEQ" (the mark sits
 * after op SEQ) or "error MESSAGE".
 */
#ifndef MUSE_MARKPROTO_H
#define MUSE_MARKPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "trace.h"

#define MARK_MAX_FILES 64
#define MARK_MAX_REQUEST (1u << 20)
#define MARK_CONTENT_MAX 4096

struct mark_request {
	char *name;
	uint32_t nfiles;
	struct trace_mark_file files[MARK_MAX_FILES];
	char *storage;			/* owns the strings and contents */
};

int mark_encode(const char *name, const struct trace_mark_file *files,
		uint32_t nfiles, char **buf, size_t *len);

/* Decodes into @req, which then points into its own copy of @buf */
int mark_decode(const char *buf, size_t len, struct mark_request *req,
		struct muse_error *e);
void mark_request_free(struct mark_request *req);

#endif
