/*
 * inspect_cmd.c - "muse inspect": what a trace holds, for people and
 * scripts.  Opens the trace read-only; never changes it.
 */
#define _GNU_SOURCE
#include "inspect_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geometry.h"
#include "hash.h"
#include "trace.h"

static const char usage[] =
	"usage: muse inspect TRACE [--ops [--range A..B] [--kind K] [--block B]]\n"
	"                          [--marks] [--block-history B] [--violations] [--json]\n"
	"\n"
	"Without options: a summary (geometry, provenance, op counts, size on disk\n"
	"against bytes programmed).\n"
	"\n"
	"  --ops               list the operations\n"
	"  --range A..B        only ops A to B (either side may be left out)\n"
	"  --kind K            only program, erase or markbad\n"
	"  --block B           only ops on eraseblock B\n"
	"  --marks             list the marks and the files they declare\n"
	"  --block-history B   every op on eraseblock B, with the marks between\n"
	"  --violations        list the flash rule violations\n"
	"  --json              JSON instead of text\n"
	"  -h, --help          show this help\n";

enum view { VIEW_SUMMARY, VIEW_OPS, VIEW_MARKS, VIEW_HISTORY, VIEW_VIOLATIONS };

struct inspect_args {
	const char *trace;
	enum view view;
	bool json;
	uint64_t first;
	uint64_t last;
	int kind;			/* 0: any */
	int64_t block;			/* -1: any */
};

static const char *const kind_names[] = { "?", "program", "erase", "markbad" };

static int parse_range(const char *s, struct inspect_args *a)
{
	const char *dots = strstr(s, "..");
	char *end;

	if (!dots)
		return -1;
	a->first = dots == s ? 1 : strtoull(s, &end, 10);
	if (dots != s && end != dots)
		return -1;
	a->last = dots[2] ? strtoull(dots + 2, &end, 10) : UINT64_MAX;
	return dots[2] && *end ? -1 : 0;
}

static int parse(int argc, char **argv, struct inspect_args *a)
{
	enum { OPT_OPS = 256, OPT_RANGE, OPT_KIND, OPT_BLOCK, OPT_MARKS,
	       OPT_HISTORY, OPT_VIOLATIONS, OPT_JSON };
	static const struct option opts[] = {
		{ "ops", no_argument, NULL, OPT_OPS },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "block", required_argument, NULL, OPT_BLOCK },
		{ "marks", no_argument, NULL, OPT_MARKS },
		{ "block-history", required_argument, NULL, OPT_HISTORY },
		{ "violations", no_argument, NULL, OPT_VIOLATIONS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*a = (struct inspect_args){ .first = 1, .last = UINT64_MAX, .block = -1 };
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_OPS: a->view = VIEW_OPS; break;
		case OPT_MARKS: a->view = VIEW_MARKS; break;
		case OPT_VIOLATIONS: a->view = VIEW_VIOLATIONS; break;
		case OPT_JSON: a->json = true; break;
		case OPT_RANGE:
			if (parse_range(optarg, a)) {
				fprintf(stderr, "muse inspect: --range %s is not A..B\n", optarg);
				return -1;
			}
			break;
		case OPT_KIND:
			for (a->kind = 3; a->kind > 0; a->kind--)
				if (!strcmp(optarg, kind_names[a->kind]))
					break;
			if (!a->kind) {
				fprintf(stderr, "muse inspect: --kind %s: program, erase or markbad\n",
					optarg);
				return -1;
			}
			break;
		case OPT_BLOCK:
		case OPT_HISTORY:
			a->block = strtoll(optarg, &end, 0);
			if (*end || a->block < 0) {
				fprintf(stderr, "muse inspect: %s is not a block number\n", optarg);
				return -1;
			}
			if (c == OPT_HISTORY)
				a->view = VIEW_HISTORY;
			break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "muse inspect: give one TRACE\n\n%s", usage);
		return -1;
	}
	a->trace = argv[optind];
	return 0;
}

/* ---- output helpers --------------------------------------------------- */

static void json_string(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static const char *text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

/* ---- summary ------------------------------------------------------------ */

struct counts {
	int64_t programs, erases, markbads, bytes, marks, violations, size;
	int64_t payloads, payload_bytes, stored, dictionary;
};

static void count_all(struct trace *t, const char *path, struct counts *c)
{
	sqlite3 *db = trace_db(t);
	struct stat sb;

	c->programs = scalar(db, "SELECT count(*) FROM ops WHERE kind = 1");
	c->erases = scalar(db, "SELECT count(*) FROM ops WHERE kind = 2");
	c->markbads = scalar(db, "SELECT count(*) FROM ops WHERE kind = 3");
	c->bytes = scalar(db, "SELECT coalesce(sum(len + ooblen), 0) FROM ops WHERE kind = 1");
	c->marks = scalar(db, "SELECT count(*) FROM marks");
	c->violations = trace_schema_version(t) >= 2 ?
			scalar(db, "SELECT count(*) FROM violations") : 0;
	c->size = stat(path, &sb) ? 0 : sb.st_size;
	c->payloads = scalar(db, "SELECT count(*) FROM blobs");
	c->payload_bytes = scalar(db, "SELECT coalesce(sum(size), 0) FROM blobs");
	c->stored = scalar(db, "SELECT coalesce(sum(length(data)), 0) FROM blobs");
	c->dictionary = trace_schema_version(t) >= 3 ?
			scalar(db, "SELECT coalesce(sum(length(data)), 0) FROM dictionaries") : 0;
}

static void print_meta(sqlite3 *db, bool json)
{
	sqlite3_stmt *st;
	bool first = true;

	sqlite3_prepare_v2(db, "SELECT key, value FROM meta ORDER BY key", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (json) {
			printf("%s", first ? "" : ", ");
			json_string(text(st, 0));
			printf(": ");
			json_string(text(st, 1));
		} else {
			printf("  %-22s %s\n", text(st, 0), text(st, 1));
		}
		first = false;
	}
	sqlite3_finalize(st);
}

static void summary(struct trace *t, const struct inspect_args *a)
{
	struct counts c;

	count_all(t, a->trace, &c);
	if (a->json) {
		printf("{\"trace\": ");
		json_string(a->trace);
		printf(", \"schema_version\": %d, \"meta\": {", trace_schema_version(t));
		print_meta(trace_db(t), true);
		printf("}, \"ops\": %" PRIu64 ", \"programs\": %" PRId64 ", \"erases\": %" PRId64
		       ", \"markbads\": %" PRId64 ", \"marks\": %" PRId64
		       ", \"violations\": %" PRId64 ", \"bytes_programmed\": %" PRId64
		       ", \"size\": %" PRId64 ", \"payloads\": %" PRId64
		       ", \"payload_bytes\": %" PRId64 ", \"payload_stored\": %" PRId64
		       ", \"dictionary_bytes\": %" PRId64 "}\n", trace_last_seq(t), c.programs,
		       c.erases, c.markbads, c.marks, c.violations, c.bytes, c.size, c.payloads,
		       c.payload_bytes, c.stored, c.dictionary);
		return;
	}
	printf("trace %s (schema %d)\n", a->trace, trace_schema_version(t));
	print_meta(trace_db(t), false);
	printf("  %-22s %" PRIu64 " (%" PRId64 " programs, %" PRId64 " erases, %" PRId64
	       " markbads)\n", "ops", trace_last_seq(t), c.programs, c.erases, c.markbads);
	printf("  %-22s %" PRId64 "\n", "marks", c.marks);
	printf("  %-22s %" PRId64 "\n", "violations", c.violations);
	printf("  %-22s %" PRId64 " distinct, %" PRId64 " bytes, stored in %" PRId64
	       " (zstd, dictionary %" PRId64 " bytes)\n", "payloads", c.payloads,
	       c.payload_bytes, c.stored, c.dictionary);
	printf("  %-22s %" PRId64 " bytes on disk, %" PRId64 " bytes programmed\n",
	       "size", c.size, c.bytes);
}

/* ---- ops ------------------------------------------------------------------ */

static void print_op(sqlite3_stmt *st, const struct geometry *g, bool json,
		     bool *first)
{
	uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
	int kind = sqlite3_column_int(st, 1);
	uint64_t addr = (uint64_t)sqlite3_column_int64(st, 2);
	int64_t len = sqlite3_column_int64(st, 3), ooblen = sqlite3_column_int64(st, 5);
	int64_t oob_off = sqlite3_column_int64(st, 4);
	int result = sqlite3_column_int(st, 6);
	double ms = (double)sqlite3_column_int64(st, 7) / 1e6;
	uint64_t block = addr / g->block_size;
	uint64_t page = addr % g->block_size / g->page_size;
	uint64_t col = addr % g->page_size;

	if (kind < 1 || kind > 3)
		kind = 0;
	if (json) {
		printf("%s{\"seq\": %" PRIu64 ", \"kind\": \"%s\", \"addr\": %" PRIu64
		       ", \"block\": %" PRIu64 ", \"page\": %" PRIu64 ", \"offset\": %" PRIu64
		       ", \"len\": %" PRId64 ", \"oob_offset\": %" PRId64 ", \"ooblen\": %" PRId64
		       ", \"result\": %d, \"time_ms\": %.3f}", *first ? "" : ",\n ", seq,
		       kind_names[kind], addr, block, page, col, len, oob_off, ooblen,
		       result, ms);
	} else if (kind == 1) {
		printf("%8" PRIu64 " %10.3f program block %5" PRIu64 " page %3" PRIu64
		       " +%-5" PRIu64 " %5" PRId64 " B, OOB %2" PRId64 "+%-3" PRId64 "%s\n",
		       seq, ms, block, page, col, len, oob_off, ooblen,
		       result ? " (refused)" : "");
	} else {
		printf("%8" PRIu64 " %10.3f %-7s block %5" PRIu64 "%s\n", seq, ms,
		       kind_names[kind], block, result ? " (failed)" : "");
	}
	*first = false;
}

static int list_ops(struct trace *t, const struct inspect_args *a,
		    const struct geometry *g)
{
	static const char sql[] =
		"SELECT seq, kind, addr, len, oob_offset, ooblen, result, time_ns FROM ops"
		" WHERE seq BETWEEN ?1 AND ?2 AND (?3 = 0 OR kind = ?3)"
		" AND (?4 < 0 OR addr / ?5 = ?4) ORDER BY seq";
	sqlite3_stmt *st;
	bool first = true;

	if (sqlite3_prepare_v2(trace_db(t), sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)a->first);
	sqlite3_bind_int64(st, 2, a->last > INT64_MAX ? INT64_MAX : (sqlite3_int64)a->last);
	sqlite3_bind_int(st, 3, a->kind);
	sqlite3_bind_int64(st, 4, a->block);
	sqlite3_bind_int64(st, 5, g->block_size);
	if (a->json)
		printf("[");
	else
		printf("     seq    time ms op\n");
	while (sqlite3_step(st) == SQLITE_ROW)
		print_op(st, g, a->json, &first);
	if (a->json)
		printf("]\n");
	sqlite3_finalize(st);
	return 0;
}

/* Ops on one block, with the marks that fall between them */
static int block_history(struct trace *t, const struct inspect_args *a,
			 const struct geometry *g)
{
	static const char sql[] =
		"SELECT seq, kind, addr, len, oob_offset, ooblen, result, time_ns, NULL, 0"
		" FROM ops WHERE addr / ?2 = ?1"
		" UNION ALL SELECT after_seq, 0, 0, 0, 0, 0, 0, time_ns, name, 1 FROM marks"
		" ORDER BY 1, 10";
	sqlite3_stmt *st;
	bool first = true;

	if ((uint64_t)a->block >= geometry_blocks(g)) {
		fprintf(stderr, "muse inspect: the chip has %" PRIu64 " blocks\n",
			geometry_blocks(g));
		return -EINVAL;
	}
	if (sqlite3_prepare_v2(trace_db(t), sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, a->block);
	sqlite3_bind_int64(st, 2, g->block_size);
	if (a->json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 8) == SQLITE_NULL) {
			print_op(st, g, a->json, &first);
		} else if (a->json) {
			printf("%s{\"mark\": ", first ? "" : ",\n ");
			json_string(text(st, 8));
			printf(", \"after_seq\": %lld}", sqlite3_column_int64(st, 0));
			first = false;
		} else {
			printf("         --- mark %s (after op %lld)\n", text(st, 8),
			       sqlite3_column_int64(st, 0));
		}
	}
	if (a->json)
		printf("]\n");
	sqlite3_finalize(st);
	return 0;
}

static int list_marks(struct trace *t, const struct inspect_args *a)
{
	static const char sql[] =
		"SELECT m.id, m.after_seq, m.name, m.time_ns, f.path, f.kind, f.size, f.sha256"
		" FROM marks m LEFT JOIN mark_files f ON f.mark = m.id ORDER BY m.id, f.path";
	sqlite3_stmt *st;
	int64_t last = -1;
	bool first = true, first_file = true;
	char hex[65];

	if (sqlite3_prepare_v2(trace_db(t), sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (a->json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		bool has_file = sqlite3_column_type(st, 4) != SQLITE_NULL;

		hex[0] = '\0';
		if (sqlite3_column_bytes(st, 7) == 32)
			sha256_hex(sqlite3_column_blob(st, 7), hex);
		if (id != last) {
			if (a->json) {
				printf("%s{\"name\": ", first ? "" : "]},\n ");
				json_string(text(st, 2));
				printf(", \"after_seq\": %lld, \"time_ms\": %.3f, \"files\": [",
				       sqlite3_column_int64(st, 1),
				       (double)sqlite3_column_int64(st, 3) / 1e6);
			} else {
				printf("after op %-8lld %s\n", sqlite3_column_int64(st, 1),
				       text(st, 2));
			}
			last = id;
			first = false;
			first_file = true;
		}
		if (!has_file)
			continue;
		if (a->json) {
			printf("%s{\"path\": ", first_file ? "" : ", ");
			json_string(text(st, 4));
			printf(", \"kind\": \"%s\"", text(st, 5));
			if (hex[0])
				printf(", \"size\": %lld, \"sha256\": \"%s\"",
				       sqlite3_column_int64(st, 6), hex);
			printf("}");
		} else {
			printf("    %-8s %s%s%.16s\n", text(st, 5), text(st, 4),
			       hex[0] ? "  sha256:" : "", hex);
		}
		first_file = false;
	}
	if (a->json)
		printf("%s]\n", first ? "" : "]}");
	sqlite3_finalize(st);
	return 0;
}

static int list_violations(struct trace *t, const struct inspect_args *a)
{
	sqlite3_stmt *st;
	bool first = true;

	if (trace_schema_version(t) < 2) {
		printf(a->json ? "[]\n" : "");
		return 0;
	}
	if (sqlite3_prepare_v2(trace_db(t), "SELECT seq, kind, block, page, detail"
			       " FROM violations ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (a->json)
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (a->json)
			printf("%s{\"seq\": %lld, \"kind\": \"%s\", \"block\": %lld, \"page\": %lld, "
			       "\"detail\": %lld}", first ? "" : ",\n ",
			       sqlite3_column_int64(st, 0), text(st, 1),
			       sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
			       sqlite3_column_int64(st, 4));
		else
			printf("op %-8lld %-14s block %lld page %lld (%lld)\n",
			       sqlite3_column_int64(st, 0), text(st, 1),
			       sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
			       sqlite3_column_int64(st, 4));
		first = false;
	}
	if (a->json)
		printf("]\n");
	sqlite3_finalize(st);
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct inspect_args a;
	struct geometry g;
	struct trace *t;
	int ret;

	ret = parse(argc, argv, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (trace_open(a.trace, TRACE_READ, &t, &e)) {
		fprintf(stderr, "muse inspect: %s\n", e.msg);
		return 1;
	}
	if (trace_geometry(t, &g, &e)) {
		fprintf(stderr, "muse inspect: %s\n", e.msg);
		trace_close(t, NULL);
		return 1;
	}
	switch (a.view) {
	case VIEW_SUMMARY: summary(t, &a); break;
	case VIEW_OPS: ret = list_ops(t, &a, &g); break;
	case VIEW_MARKS: ret = list_marks(t, &a); break;
	case VIEW_HISTORY: ret = block_history(t, &a, &g); break;
	case VIEW_VIOLATIONS: ret = list_violations(t, &a); break;
	}
	trace_close(t, NULL);
	return ret ? 1 : 0;
}
