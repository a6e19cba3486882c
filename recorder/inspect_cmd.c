/*
 * inspect_cmd.c - "muse inspect": what a trace holds, for people and
 * scripts.  Opens the trace read-only; never changes it.
 */
#define _GNU_SOURCE
#include "inspect_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geometry.h"
#include "hash.h"
#include "names.h"
#include "point.h"
#include "trace.h"
#include "trace_query.h"
#include "util.h"

static const char usage[] =
	"usage: muse inspect TRACE [--ops [--range A..B] [--kind K] [--block B]]\n"
	"                          [--marks] [--block-history B] [--violations]\n"
	"                          [--faults] [--json]\n"
	"\n"
	"Without options: a summary (geometry, provenance, op counts, size on disk\n"
	"against bytes programmed).\n"
	"\n"
	"  --ops               list the operations\n"
	"  --range A..B        only ops A to B: N, mark:NAME or end (either side\n"
	"                      may be left out)\n"
	"  --kind K            only program, erase or markbad\n"
	"  --block B           only ops on eraseblock B\n"
	"  --marks             list the marks and the files they declare\n"
	"  --block-history B   every op on eraseblock B, with the marks between\n"
	"  --violations        list the flash rule violations\n"
	"  --faults            list the faults injected (muse record --faults)\n"
	"  --json              JSON instead of text\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0, or 2 when TRACE cannot be used (the message says why).\n";

enum view { VIEW_SUMMARY, VIEW_OPS, VIEW_MARKS, VIEW_HISTORY, VIEW_VIOLATIONS,
	    VIEW_FAULTS };

enum { OPT_OPS = 256, OPT_RANGE, OPT_KIND, OPT_BLOCK, OPT_MARKS,
       OPT_HISTORY, OPT_VIOLATIONS, OPT_JSON, OPT_FAULTS };

struct inspect_args {
	const char *trace;
	enum view view;
	bool json;
	const char *range;		/* NULL: every op */
	int kind;			/* an enum trace_op_kind, 0: any */
	int64_t block;			/* -1: any */
};

static int parse_option(int c, struct inspect_args *a)
{
	enum trace_op_kind kind;
	char *end;

	switch (c) {
	case OPT_OPS: a->view = VIEW_OPS; return 0;
	case OPT_MARKS: a->view = VIEW_MARKS; return 0;
	case OPT_VIOLATIONS: a->view = VIEW_VIOLATIONS; return 0;
	case OPT_FAULTS: a->view = VIEW_FAULTS; return 0;
	case OPT_JSON: a->json = true; return 0;
	case OPT_RANGE: a->range = optarg; return 0;
	case OPT_KIND:
		if (trace_op_kind_parse(optarg, &kind)) {
			fprintf(stderr, "muse inspect: --kind %s: program, erase or markbad\n",
				optarg);
			return -1;
		}
		a->kind = kind;
		return 0;
	case OPT_BLOCK:
	case OPT_HISTORY:
		a->block = strtoll(optarg, &end, 0);
		if (*end || a->block < 0) {
			fprintf(stderr, "muse inspect: %s is not a block number\n", optarg);
			return -1;
		}
		if (c == OPT_HISTORY)
			a->view = VIEW_HISTORY;
		return 0;
	case 'h': fputs(usage, stdout); return 1;
	default: fputs(usage, stderr); return -1;
	}
}

static int parse(int argc, char **argv, struct inspect_args *a)
{
	static const struct option opts[] = {
		{ "ops", no_argument, NULL, OPT_OPS },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "block", required_argument, NULL, OPT_BLOCK },
		{ "marks", no_argument, NULL, OPT_MARKS },
		{ "block-history", required_argument, NULL, OPT_HISTORY },
		{ "violations", no_argument, NULL, OPT_VIOLATIONS },
		{ "faults", no_argument, NULL, OPT_FAULTS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	*a = (struct inspect_args){ .block = -1 };
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if ((ret = parse_option(c, a)))
			return ret;
	if (optind != argc - 1) {
		fprintf(stderr, "muse inspect: give one TRACE\n\n%s", usage);
		return -1;
	}
	a->trace = argv[optind];
	return 0;
}

/* ---- output helpers --------------------------------------------------- */

/* Starts the next element of a JSON list or of text lines */
struct lister {
	bool json;
	bool first;
};

static void next_item(struct lister *l)
{
	if (l->json)
		printf("%s", l->first ? "" : ",\n ");
	l->first = false;
}

/* ---- summary ------------------------------------------------------------ */

static int print_meta(void *ctx, const char *key, const char *value)
{
	struct lister *l = ctx;

	if (l->json) {
		printf("%s", l->first ? "" : ", ");
		json_string(stdout, key);
		printf(": ");
		json_string(stdout, value);
	} else {
		printf("  %-22s %s\n", key, value);
	}
	l->first = false;
	return 0;
}

static void summary_json(struct trace *t, const struct inspect_args *a,
			 const struct trace_stats *c, uint64_t size)
{
	struct lister l = { .json = true, .first = true };

	printf("{\"trace\": ");
	json_string(stdout, a->trace);
	printf(", \"schema_version\": %d, \"meta\": {", trace_schema_version(t));
	trace_for_each_meta(t, print_meta, &l, NULL);
	printf("}, \"ops\": %" PRIu64 ", \"programs\": %" PRIu64 ", \"erases\": %" PRIu64
	       ", \"markbads\": %" PRIu64 ", \"marks\": %" PRIu64
	       ", \"violations\": %" PRIu64 ", \"bytes_programmed\": %" PRIu64
	       ", \"size\": %" PRIu64 ", \"payloads\": %" PRIu64
	       ", \"payload_bytes\": %" PRIu64 ", \"payload_stored\": %" PRIu64
	       ", \"dictionary_bytes\": %" PRIu64 "}\n", c->ops, c->programs,
	       c->erases, c->markbads, c->marks, c->violations, c->bytes_programmed,
	       size, c->payloads, c->payload_bytes, c->payload_stored,
	       c->dictionary_bytes);
}

static int summary(struct trace *t, const struct inspect_args *a,
		   struct muse_error *e)
{
	struct lister l = { .first = true };
	struct trace_stats c;
	struct stat sb;
	uint64_t size;

	if (trace_get_stats(t, &c, e))
		return -1;
	size = stat(a->trace, &sb) ? 0 : (uint64_t)sb.st_size;
	if (a->json) {
		summary_json(t, a, &c, size);
		return 0;
	}
	printf("trace %s (schema %d)\n", a->trace, trace_schema_version(t));
	trace_for_each_meta(t, print_meta, &l, NULL);
	printf("  %-22s %" PRIu64 " (%" PRIu64 " programs, %" PRIu64 " erases, %" PRIu64
	       " markbads)\n", "ops", c.ops, c.programs, c.erases, c.markbads);
	printf("  %-22s %" PRIu64 "\n", "marks", c.marks);
	printf("  %-22s %" PRIu64 "\n", "violations", c.violations);
	printf("  %-22s %" PRIu64 "\n", "faults", trace_fault_count(t));
	printf("  %-22s %" PRIu64 " distinct, %" PRIu64 " bytes, stored in %" PRIu64
	       " (zstd, dictionary %" PRIu64 " bytes)\n", "payloads", c.payloads,
	       c.payload_bytes, c.payload_stored, c.dictionary_bytes);
	printf("  %-22s %" PRIu64 " bytes on disk, %" PRIu64 " bytes programmed\n",
	       "size", size, c.bytes_programmed);
	return 0;
}

/* ---- ops ------------------------------------------------------------------ */

struct op_lister {
	struct lister l;
	const struct geometry *g;
	struct trace_mark *marks;	/* block history: the marks, in order */
	size_t nmarks, cap;
	size_t shown;			/* marks[0..shown) are printed */
};

static void print_op_json(const struct trace_op *op, const struct geometry *g)
{
	uint64_t addr = op->prog.addr;

	printf("{\"seq\": %" PRIu64 ", \"kind\": \"%s\", \"addr\": %" PRIu64
	       ", \"block\": %" PRIu64 ", \"page\": %" PRIu64 ", \"offset\": %" PRIu64
	       ", \"len\": %" PRIu32 ", \"oob_offset\": %" PRIu32 ", \"ooblen\": %" PRIu32
	       ", \"result\": %d, \"time_ms\": %.3f}", op->seq,
	       trace_op_kind_name(op->kind) ? trace_op_kind_name(op->kind) : "?",
	       addr, addr / g->block_size, addr % g->block_size / g->page_size,
	       addr % g->page_size, op->prog.len, op->prog.oob_offset, op->prog.ooblen,
	       op->result, (double)op->time_ns / 1e6);
}

static void print_op_text(const struct trace_op *op, const struct geometry *g)
{
	uint64_t addr = op->prog.addr, block = addr / g->block_size;
	double ms = (double)op->time_ns / 1e6;
	const char *name = trace_op_kind_name(op->kind);

	if (op->kind == TRACE_PROGRAM)
		printf("%8" PRIu64 " %10.3f program block %5" PRIu64 " page %3" PRIu64
		       " +%-5" PRIu64 " %5" PRIu32 " B, OOB %2" PRIu32 "+%-3" PRIu32 "%s\n",
		       op->seq, ms, block, addr % g->block_size / g->page_size,
		       addr % g->page_size, op->prog.len, op->prog.oob_offset,
		       op->prog.ooblen, op->result ? " (refused)" : "");
	else
		printf("%8" PRIu64 " %10.3f %-7s block %5" PRIu64 "%s\n", op->seq, ms,
		       name ? name : "?", block, op->result ? " (failed)" : "");
}

static void print_mark_line(struct lister *l, const struct trace_mark *m)
{
	next_item(l);
	if (l->json) {
		printf("{\"mark\": ");
		json_string(stdout, m->name);
		printf(", \"after_seq\": %" PRIu64 "}", m->after_seq);
	} else {
		printf("         --- mark %s (after op %" PRIu64 ")\n", m->name,
		       m->after_seq);
	}
}

/* Block history: the marks placed before op @seq come first */
static void flush_marks(struct op_lister *ol, uint64_t seq)
{
	while (ol->shown < ol->nmarks && ol->marks[ol->shown].after_seq < seq)
		print_mark_line(&ol->l, &ol->marks[ol->shown++]);
}

static void free_marks(struct op_lister *ol)
{
	for (size_t i = 0; i < ol->nmarks; i++)
		free((char *)ol->marks[i].name);
	free(ol->marks);
}

static int print_op(void *ctx, const struct trace_op *op)
{
	struct op_lister *ol = ctx;

	flush_marks(ol, op->seq);
	next_item(&ol->l);
	if (ol->l.json)
		print_op_json(op, ol->g);
	else
		print_op_text(op, ol->g);
	return 0;
}

static int keep_mark(void *ctx, const struct trace_mark *m)
{
	struct op_lister *ol = ctx;
	char *name = strdup(m->name);

	if (!name || grow_array(&ol->marks, &ol->cap, ol->nmarks + 1, sizeof(*ol->marks))) {
		free(name);
		return -ENOMEM;
	}
	ol->marks[ol->nmarks++] = (struct trace_mark){ .after_seq = m->after_seq,
						       .name = name };
	return 0;
}

static int list_ops(struct trace *t, const struct inspect_args *a,
		    const struct geometry *g, struct muse_error *e)
{
	struct op_lister ol = { .l = { .json = a->json, .first = true }, .g = g };
	struct trace_op_filter f = { .first = 1, .last = UINT64_MAX,
				     .kind = a->kind, .block = a->block };
	int ret = 0;

	if (a->range)
		ret = point_resolve_range(t, a->range, &f.first, &f.last, e);
	if (!ret && a->view == VIEW_HISTORY && (uint64_t)a->block >= geometry_blocks(g))
		ret = muse_fail(e, -EINVAL, "the chip has %" PRIu64 " blocks",
				geometry_blocks(g));
	if (!ret && a->view == VIEW_HISTORY)
		ret = trace_for_each_mark(t, keep_mark, &ol, e);
	if (!ret) {
		printf(a->json ? "[" : a->view == VIEW_OPS ? "     seq    time ms op\n" : "");
		ret = trace_for_each_op_head(t, &f, print_op, &ol, e);
		flush_marks(&ol, UINT64_MAX);
		if (a->json)
			printf("]\n");
	}
	free_marks(&ol);
	return ret;
}

/* ---- marks and violations ---------------------------------------------------- */

static void print_file(const struct trace_mark_file *mf, bool json, bool first)
{
	bool hashed = mf->kind != TRACE_FILE_ABSENT;
	char hex[65] = "";

	if (hashed)
		sha256_hex(mf->sha256, hex);
	if (!json) {
		printf("    %-8s %s%s%.16s\n", trace_file_kind_name(mf->kind), mf->path,
		       hashed ? "  sha256:" : "", hex);
		return;
	}
	printf("%s{\"path\": ", first ? "" : ", ");
	json_string(stdout, mf->path);
	printf(", \"kind\": \"%s\"", trace_file_kind_name(mf->kind));
	if (hashed)
		printf(", \"size\": %" PRIu64 ", \"sha256\": \"%s\"", mf->size, hex);
	printf("}");
}

static int print_mark(void *ctx, const struct trace_mark *m)
{
	struct lister *l = ctx;

	if (l->json) {
		printf("%s{\"name\": ", l->first ? "" : "]},\n ");
		json_string(stdout, m->name);
		printf(", \"after_seq\": %" PRIu64 ", \"time_ms\": %.3f, \"files\": [",
		       m->after_seq, (double)m->time_ns / 1e6);
	} else {
		printf("after op %-8" PRIu64 " %s\n", m->after_seq, m->name);
	}
	l->first = false;
	for (uint32_t i = 0; i < m->nfiles; i++)
		print_file(&m->files[i], l->json, i == 0);
	return 0;
}

static int print_violation(void *ctx, const struct trace_violation *v)
{
	struct lister *l = ctx;
	const char *kind = trace_violation_kind_name(v->kind);

	next_item(l);
	if (l->json)
		printf("{\"seq\": %" PRIu64 ", \"kind\": \"%s\", \"block\": %" PRIu64
		       ", \"page\": %" PRIu32 ", \"detail\": %" PRIu32 "}", v->seq, kind,
		       v->block, v->page, v->detail);
	else
		printf("op %-8" PRIu64 " %-14s block %" PRIu64 " page %" PRIu32 " (%" PRIu32
		       ")\n", v->seq, kind, v->block, v->page, v->detail);
	return 0;
}

static int print_fault(void *ctx, const struct trace_fault *f)
{
	struct lister *l = ctx;

	next_item(l);
	if (l->json) {
		printf("{\"after_op\": %" PRIu64 ", \"kind\": \"%s\", \"block\": %"
		       PRIu64, f->seq, f->kind, f->block);
		if (f->has_unit)
			printf(", \"addr\": %" PRIu64, f->addr);
		printf(", \"cells\": %" PRIu32 ", \"bad\": %s, \"time_ns\": %" PRIu64
		       "}", f->bits, f->bad ? "true" : "false", f->time_ns);
		return 0;
	}
	printf("after op %-8" PRIu64 " %-13s block %-6" PRIu64, f->seq, f->kind,
	       f->block);
	if (f->has_unit)
		printf(" unit 0x%-9" PRIx64 " %" PRIu32 " cells", f->addr, f->bits);
	printf("%s\n", f->bad ? " now bad" : "");
	return 0;
}

static int list_faults(struct trace *t, const struct inspect_args *a,
		       struct muse_error *e)
{
	struct lister l = { .json = a->json, .first = true };
	char plan[2048];
	int ret;

	if (!a->json && !trace_get_meta(t, "faults", plan, sizeof(plan)))
		printf("plan: %s\n", plan);
	if (a->json)
		printf("[");
	ret = trace_for_each_fault(t, 0, UINT64_MAX, print_fault, &l, e);
	if (a->json)
		printf("]\n");
	return ret;
}

/* The marks (each with its list of files) or the violations */
static int list_events(struct trace *t, const struct inspect_args *a,
		       struct muse_error *e)
{
	struct lister l = { .json = a->json, .first = true };
	bool marks = a->view == VIEW_MARKS;
	int ret;

	if (a->json)
		printf("[");
	ret = marks ? trace_for_each_mark(t, print_mark, &l, e) :
		      trace_for_each_violation(t, print_violation, &l, e);
	if (a->json)
		printf("%s]\n", marks && !l.first ? "]}" : "");
	return ret;
}

int cmd_inspect(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct inspect_args a;
	struct trace *t = NULL;
	struct geometry g;
	int ret;

	ret = parse(argc, argv, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	ret = trace_open(a.trace, TRACE_READ, &t, &e);
	/* the summary vouches for the whole file, as no other view reads it all */
	if (!ret && a.view == VIEW_SUMMARY)
		ret = trace_check_integrity(t, &e);
	if (!ret)
		ret = trace_geometry(t, &g, &e);
	if (!ret) {
		switch (a.view) {
		case VIEW_SUMMARY: ret = summary(t, &a, &e); break;
		case VIEW_OPS:
		case VIEW_HISTORY: ret = list_ops(t, &a, &g, &e); break;
		case VIEW_MARKS:
		case VIEW_VIOLATIONS: ret = list_events(t, &a, &e); break;
		case VIEW_FAULTS: ret = list_faults(t, &a, &e); break;
		}
	}
	if (ret)
		fprintf(stderr, "muse inspect: %s\n", e.msg);
	trace_close(t, NULL);
	return ret ? 2 : 0;
}
