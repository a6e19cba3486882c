/*
 * packstat.c - what the payload dictionary of a trace saves.
 *
 *   muse-packstat TRACE
 *
 * Reads every payload of TRACE, restores it, and packs it again the way
 * the recorder does without a dictionary (zstd level 3, or as is when
 * that is not smaller); prints that total beside what the trace stores
 * (its payloads plus its dictionaries).  "make bench" runs it on the
 * recording benchmark's trace.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "packer.h"
#include "trace.h"

struct totals {
	uint64_t payloads, bytes, stored, plain, dictionaries;
};

static int load_dictionaries(sqlite3 *db, struct packer *p, struct totals *n)
{
	sqlite3_stmt *st;
	int ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT data FROM dictionaries", -1, &st, NULL) != SQLITE_OK)
		return 0;	/* an older trace: none */
	while (!ret && sqlite3_step(st) == SQLITE_ROW) {
		n->dictionaries += (uint64_t)sqlite3_column_bytes(st, 0);
		ret = packer_add_dictionary(p, sqlite3_column_blob(st, 0),
					    (size_t)sqlite3_column_bytes(st, 0), 0);
	}
	sqlite3_finalize(st);
	return ret;
}

static int repack_all(sqlite3 *db, struct packer *p, struct totals *n)
{
	sqlite3_stmt *st;
	uint8_t *buf = NULL;
	size_t cap = 0;
	int ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT size, codec, data FROM blobs", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (!ret && sqlite3_step(st) == SQLITE_ROW) {
		size_t size = (size_t)sqlite3_column_int64(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 2);
		struct packed pk;

		if (size + 1 > cap) {
			uint8_t *b = realloc(buf, size + 1);

			if (!b) {
				ret = -1;
				break;
			}
			buf = b;
			cap = size + 1;
		}
		if (packer_unpack(p, sqlite3_column_int(st, 1), sqlite3_column_blob(st, 2),
				  len, buf, size) != (ssize_t)size ||
		    packer_pack(p, buf, size, &pk)) {
			ret = -1;
			break;
		}
		n->payloads++;
		n->bytes += size;
		n->stored += len;
		n->plain += pk.len;
	}
	sqlite3_finalize(st);
	free(buf);
	return ret;
}

int main(int argc, char **argv)
{
	struct packer *p = packer_new();
	struct totals n = { 0 };
	struct muse_error e;
	struct trace *t;
	int ret;

	if (argc != 2 || !p) {
		fprintf(stderr, "usage: muse-packstat TRACE\n");
		return 2;
	}
	if (trace_open(argv[1], TRACE_READ, &t, &e)) {
		fprintf(stderr, "muse-packstat: %s\n", e.msg);
		packer_free(p);
		return 1;
	}
	ret = load_dictionaries(trace_db(t), p, &n);
	if (!ret)
		ret = repack_all(trace_db(t), p, &n);
	if (ret)
		fprintf(stderr, "muse-packstat: a payload of %s cannot be restored\n", argv[1]);
	else
		printf("payloads: %" PRIu64 ", %" PRIu64 " bytes; stored %" PRIu64
		       " with a %" PRIu64 "-byte dictionary, %" PRIu64
		       " without one (%.2f of that)\n", n.payloads, n.bytes,
		       n.stored + n.dictionaries, n.dictionaries, n.plain,
		       n.plain ? (double)(n.stored + n.dictionaries) / (double)n.plain : 0.0);
	trace_close(t, NULL);
	packer_free(p);
	return ret ? 1 : 0;
}
