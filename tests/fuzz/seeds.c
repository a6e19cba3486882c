/*
 * seeds.c - writes the harnesses' seed corpora: one small, valid input
 * of each kind the harness takes, so fuzzing starts inside the format.
 *
 *   fuzz-seeds DIR   ->  DIR/<harness>/<name>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash.h"
#include "fuzz.h"
#include "geometry.h"
#include "image.h"
#include "init_params.h"
#include "journal.h"
#include "markproto.h"
#include "trace.h"
#include "trace_query.h"
#include "wire.h"

static const char *top;

static void put(const char *harness, const char *name, const void *data,
		size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, harness);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", top, harness, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		exit(1);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void request(const char *name, uint32_t opcode, const void *arg,
		    size_t arglen, size_t payload)
{
	struct muse_in_header h = { .opcode = opcode, .unique = 7 };
	uint8_t buf[8192] = { 0 };

	h.len = (uint32_t)(sizeof(h) + arglen + payload);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), arg, arglen);
	memset(buf + sizeof(h) + arglen, 0x5a, payload);
	put("request", name, buf, h.len);
}

static void requests(void)
{
	struct muse_init_in init = { .major = 7, .minor = 31 };
	struct muse_io_in rd = { .addr = 4096, .len = 2048, .ooblen = 64 };
	struct muse_io_in wr = { .addr = 2048, .len = 512, .ooblen = 16, .ooboffs = 2 };
	struct muse_erase_in er = { .addr = 131072, .len = 131072 };
	struct muse_block_in bl = { .addr = 262144 };

	request("init", MUSE_INIT, &init, sizeof(init), 0);
	request("read", MUSE_READ, &rd, sizeof(rd), 0);
	request("write", MUSE_WRITE, &wr, sizeof(wr), 512 + 16);
	request("erase", MUSE_ERASE, &er, sizeof(er), 0);
	request("isbad", MUSE_ISBAD, &bl, sizeof(bl), 0);
	request("markbad", MUSE_MARKBAD, &bl, sizeof(bl), 0);
	request("sync", MUSE_SYNC, NULL, 0, 0);
}

static const char *const specs[] = {
	"nand-2k,size=16m", "nand-4k,size=64m,ecc=8/512", "nor-64k,size=8m",
	"nand-2k,size=1m,subpage=512,nop=4,order=on,threshold=3",
	"type=nand,size=2m,block=128k,page=2k,oob=64,oobfree=2:34",
	"nor-64k,size=4m,writebuf=64",
};

static void geometries(void)
{
	char name[16];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct muse_error e;
		struct geometry g;
		char blob[sizeof(g) + 4 + 64];
		uint32_t cache = (uint32_t)i * 16;
		int n = snprintf(blob + sizeof(g) + 4, 64, "chip%zu\n%s\n", i,
				 i % 2 ? "3,17-19" : "");

		snprintf(name, sizeof(name), "spec%zu", i);
		put("geometry", name, specs[i], strlen(specs[i]));
		if (geometry_parse(specs[i], &g, &e)) {
			fprintf(stderr, "fuzz-seeds: %s: %s\n", specs[i], e.msg);
			exit(1);
		}
		memcpy(blob, &g, sizeof(g));
		memcpy(blob + sizeof(g), &cache, 4);
		put("init_params", name, blob, sizeof(g) + 4 + (size_t)n);
	}
}

static void marks(void)
{
	static const uint8_t content[] = "hello\n";
	struct trace_mark_file files[] = {
		{ .path = "d/f1", .kind = TRACE_FILE_EXPECT, .size = 6,
		  .content = content, .content_len = 6 },
		{ .path = "gone", .kind = TRACE_FILE_ABSENT },
		{ .path = "log", .kind = TRACE_FILE_IN_PLACE, .size = 1 << 20 },
	};
	char *buf;
	size_t len;

	for (uint32_t n = 0; n <= 3; n++) {
		char name[16];

		if (mark_encode(n ? "saved" : "empty", files, n, &buf, &len))
			exit(1);
		snprintf(name, sizeof(name), "files%u", n);
		put("markproto", name, buf, len);
		free(buf);
	}
}

static void image(const char *spec, const char *format, const char *name)
{
	struct flash *f = fuzz_chip(spec);
	uint8_t page[512];
	struct flash_program p = { .addr = 0, .len = sizeof(page), .data = page };
	struct image_spec fmt;
	struct muse_error e;
	char path[PATH_MAX];
	void *data;
	size_t size;

	memset(page, 0x3c, sizeof(page));
	flash_program(f, &p);
	snprintf(path, sizeof(path), "%s/.image", top);
	if (image_parse_spec(format, &fmt, &e) || image_save(f, path, &fmt, &e))
		exit(1);
	data = slurp(path, &size);
	put("image", name, data, size);
	unlink(path);
	free(data);
	flash_destroy(f);
}

/* A journal of a few programs, an erase and a mark; and a trace of them */
static void journal_and_trace(void)
{
	static uint8_t page[2048];
	struct trace_mark m = { .after_seq = 2, .name = "saved" };
	char jpath[PATH_MAX], tpath[PATH_MAX];
	struct muse_error e;
	struct journal *j;
	struct trace *t;
	void *data;
	size_t size;

	snprintf(jpath, sizeof(jpath), "%s/.journal", top);
	snprintf(tpath, sizeof(tpath), "%s/.trace", top);
	unlink(jpath);
	unlink(tpath);
	if (journal_create(jpath, 24 * 1024, &j, &e) || trace_create(tpath, &t, &e) ||
	    trace_set_meta(t, "geometry", "nand-2k,size=256k"))
		exit(1);
	for (uint64_t s = 1; s <= 4; s++) {
		struct trace_op op = { .seq = s, .kind = s == 3 ? TRACE_ERASE : TRACE_PROGRAM,
				       .prog = { .addr = s * 2048, .len = s == 3 ? 0 : 2048,
						 .data = s == 3 ? NULL : page },
				       .time_ns = s * 1000 };

		if (s == 3)
			op.prog.addr = 131072;
		memset(page, (int)s, sizeof(page));
		if (journal_add_op(j, &op) || (s == 2 && journal_add_mark(j, &m)))
			exit(1);
	}
	data = slurp(jpath, &size);
	put("journal", "four-ops", data, size);
	free(data);
	if (journal_drain(j, t, &e) || trace_set_meta(t, "status", "complete") ||
	    trace_seal(t, &e) || trace_close(t, &e))
		exit(1);
	journal_close(j, 1);
	data = slurp(tpath, &size);
	put("trace", "four-ops", data, size);
	free(data);
	unlink(tpath);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-seeds DIR\n");
		return 2;
	}
	top = argv[1];
	mkdir(top, 0755);
	requests();
	geometries();
	marks();
	image(FUZZ_NAND, "raw", "nand-raw");
	image(FUZZ_NAND, "nanddump-oob", "nand-oob");
	image(FUZZ_NOR, "raw", "nor-raw");
	journal_and_trace();
	return 0;
}
