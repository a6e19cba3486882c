/*
 * trace_query.h - questions asked of a trace: statistics, marks with the
 * files they declare, op headers, violations, faults, integrity.  Together with
 * trace.h this is the whole of what the tool asks a trace; no SQL about
 * traces is written anywhere else.
 */
#ifndef MUSE_TRACE_QUERY_H
#define MUSE_TRACE_QUERY_H

#include <stdint.h>

#include "error.h"
#include "trace.h"

struct trace_stats {
	uint64_t ops;
	uint64_t programs;
	uint64_t programmed_pages;	/* distinct addresses programmed */
	uint64_t erases;
	uint64_t erased_blocks;		/* distinct blocks erased */
	uint64_t markbads;
	uint64_t bytes_programmed;	/* in-band and OOB */
	uint64_t marks;
	uint64_t violations;
	uint64_t payloads;		/* distinct payloads stored */
	uint64_t payload_bytes;		/* their size unpacked */
	uint64_t payload_stored;	/* their size as stored */
	uint64_t dictionary_bytes;
};

int trace_get_stats(struct trace *t, struct trace_stats *s,
		    struct muse_error *e);

typedef int (*trace_meta_fn)(void *ctx, const char *key, const char *value);

/* Every provenance row (geometry, kernel, tool version, ...), by key */
int trace_for_each_meta(struct trace *t, trace_meta_fn fn, void *ctx,
			struct muse_error *e);

/*
 * What makes this trace this trace, cheaply: its meta rows, its op count
 * and a sample of ops with their times and payload hashes (two
 * recordings never share those).
 */
int trace_fingerprint(struct trace *t, uint8_t out[32], struct muse_error *e);

/*
 * SHA-256 of everything a state or a verdict depends on (ops, payload
 * hashes, initial units, marks and their files), read in full.  A
 * finished recording stores it as meta content_sha256 (trace_seal); a
 * reader that finds it checks it on open.
 */
int trace_content_digest(struct trace *t, uint8_t out[32], struct muse_error *e);

/* Stores the content digest: the trace is finished (recorded, recovered) */
int trace_seal(struct trace *t, struct muse_error *e);

/* The op after which the first mark called @name sits; -ENOENT if none */
int trace_find_mark(struct trace *t, const char *name, uint64_t *after_seq);

typedef int (*trace_mark_fn)(void *ctx, const struct trace_mark *m);

/*
 * Every mark in trace order (by the op it follows, then as placed), with
 * its files in path order (content is not loaded).  A file kind the trace does not know is a
 * damaged trace (-EBADMSG), never a guess.
 */
int trace_for_each_mark(struct trace *t, trace_mark_fn fn, void *ctx,
			struct muse_error *e);

struct trace_op_filter {
	uint64_t first;			/* seq */
	uint64_t last;			/* seq; UINT64_MAX: to the end */
	int kind;			/* an enum trace_op_kind, 0: any */
	int64_t block;			/* -1: any */
};

#define TRACE_ALL_OPS { .first = 1, .last = UINT64_MAX, .block = -1 }

/* Ops that pass @f in order, without payloads (prog.data and prog.oob NULL) */
int trace_for_each_op_head(struct trace *t, const struct trace_op_filter *f,
			   trace_op_fn fn, void *ctx, struct muse_error *e);

typedef int (*trace_violation_fn)(void *ctx, const struct trace_violation *v);

/* The flash rule violations in op order (none before schema 2) */
int trace_for_each_violation(struct trace *t, trace_violation_fn fn, void *ctx,
			     struct muse_error *e);

/* SQLite's integrity check, and sequence numbers 1..N without gaps */
int trace_check_integrity(struct trace *t, struct muse_error *e);

struct trace_payload {
	uint64_t size;			/* unpacked */
	int codec;			/* see packer.h */
	const void *stored;
	size_t stored_len;
};

typedef int (*trace_payload_fn)(void *ctx, const struct trace_payload *p);
typedef int (*trace_dictionary_fn)(void *ctx, const void *dict, size_t len);

/* The payloads as stored, and the dictionaries they were packed with */
int trace_for_each_payload(struct trace *t, trace_payload_fn fn, void *ctx,
			   struct muse_error *e);
int trace_for_each_dictionary(struct trace *t, trace_dictionary_fn fn,
			      void *ctx, struct muse_error *e);

/* ---- faults ---- */

typedef int (*trace_fault_fn)(void *ctx, const struct trace_fault *f);

/*
 * Calls @fn for the faults taking effect after ops @first..@last, in
 * order, masks decompressed; a trace without faults has none.
 */
int trace_for_each_fault(struct trace *t, uint64_t first, uint64_t last,
			 trace_fault_fn fn, void *ctx, struct muse_error *e);

/* Faults recorded: 0 for a trace without (or from before) them */
uint64_t trace_fault_count(struct trace *t);

#endif
