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
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>

#include "packer.h"
#include "trace.h"
#include "trace_query.h"
#include "util.h"

struct totals {
	uint64_t payloads, bytes, stored, plain, dictionaries;
};

struct repack {
	struct packer *p;
	struct totals n;
	uint8_t *buf;
	size_t cap;
};

static int add_dictionary(void *ctx, const void *dict, size_t len)
{
	struct repack *r = ctx;

	r->n.dictionaries += len;
	return packer_add_dictionary(r->p, dict, len, 0);
}

static int repack(void *ctx, const struct trace_payload *pl)
{
	struct repack *r = ctx;
	size_t size = (size_t)pl->size;
	struct packed pk;

	if (reserve_bytes(&r->buf, &r->cap, size + 1) ||
	    packer_unpack(r->p, pl->codec, pl->stored, pl->stored_len, r->buf,
			  size) != (ssize_t)size ||
	    packer_pack(r->p, r->buf, size, &pk))
		return -EBADMSG;
	r->n.payloads++;
	r->n.bytes += size;
	r->n.stored += pl->stored_len;
	r->n.plain += pk.len;
	return 0;
}

int main(int argc, char **argv)
{
	struct repack r = { .p = packer_new() };
	struct totals *n = &r.n;
	struct muse_error e;
	struct trace *t;
	int ret;

	if (argc != 2 || !r.p) {
		fprintf(stderr, "usage: muse-packstat TRACE\n");
		return 2;
	}
	if (trace_open(argv[1], TRACE_READ, &t, &e)) {
		fprintf(stderr, "muse-packstat: %s\n", e.msg);
		packer_free(r.p);
		return 1;
	}
	ret = trace_for_each_dictionary(t, add_dictionary, &r, &e);
	if (!ret)
		ret = trace_for_each_payload(t, repack, &r, &e);
	if (ret)
		fprintf(stderr, "muse-packstat: a payload of %s cannot be restored\n", argv[1]);
	else
		printf("payloads: %" PRIu64 ", %" PRIu64 " bytes; stored %" PRIu64
		       " with a %" PRIu64 "-byte dictionary, %" PRIu64
		       " without one (%.2f of that)\n", n->payloads, n->bytes,
		       n->stored + n->dictionaries, n->dictionaries, n->plain,
		       n->plain ? (double)(n->stored + n->dictionaries) / (double)n->plain : 0.0);
	trace_close(t, NULL);
	packer_free(r.p);
	free(r.buf);
	return ret ? 1 : 0;
}
