/*
 * serve_cmd.c - "muse serve": a flash chip in userspace, served over MUSE.
 *
 * Creates the MTD device, prints its path(s) on stdout once they exist,
 * serves until SIGINT or SIGTERM, then removes the device and optionally
 * saves the flash.  Exit status: 0, 1 on an error, 3 when the flash saw
 * rule violations (NOP, page order, 1 over 0) but nothing else failed.
 */
#define _GNU_SOURCE
#include "serve_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "daemon.h"
#include "flash.h"
#include "flash_backend.h"
#include "flash_raw.h"
#include "geometry.h"
#include "image.h"
#include "init_params.h"
#include "mark_server.h"
#include "recorder.h"
#include "serve_faults.h"
#include "server.h"
#include "util.h"

#ifndef PR_SET_IO_FLUSHER
#define PR_SET_IO_FLUSHER 57
#endif

#define EXIT_VIOLATIONS 3

struct serve_args {
	const char *geometry;
	const char *image;
	const char *format;
	const char *backing;
	const char *bad_blocks;
	const char *flip_bits;
	const char *save;
	const char *name;
	const char *mtdparts;
	const char *device;
	const char *trace;
	const char *mark_socket;
	const char *command_line;
	const char *fs;
	const char *faults;
	const char *faults_from;
	bool force;
	bool record_reads;
	uint32_t max_io;
	uint32_t read_cache;
	uint32_t timeout;
	bool read_only;
	bool strict;
	bool write_through;
	bool read_cache_set;
	struct image_spec fmt;
	bool erased;		/* a new chip: every cell erased */
};

static const char usage[] =
	"usage: muse serve [options]\n"
	"\n"
	"Creates an MTD device backed by a flash chip in this process and serves\n"
	"it until SIGINT or SIGTERM. The device path (e.g. /dev/mtd0) is printed\n"
	"on stdout once the device exists, one line per device.\n"
	"\n"
	"  -g, --geometry G     chip geometry: preset (nand-2k, nand-4k, mlc-4k,\n"
	"                       nor-64k, ram) and/or key=value list; default nand-2k\n"
	"  -i, --image FILE     start from this image (a dump, ubinize or\n"
	"                       mkfs.jffs2 output: docs/images.md)\n"
	"  -f, --format F       image format: raw, nanddump-oob, interleaved,\n"
	"                       ubi, jffs2 or auto (default), with parameters\n"
	"                       as NAME:key=value,... (docs/images.md)\n"
	"  -b, --backing FILE   keep the flash in this sparse file, not in memory\n"
	"      --bad-blocks L   factory bad blocks, e.g. 3,17,200\n"
	"      --flip-bits L    cells that read flipped until their block is\n"
	"                       erased, ADDR.BIT[,...], e.g. 0x800.3,0x801.0\n"
	"      --faults PLAN    fail programs and erases, flip cells on reads\n"
	"                       and with time, as PLAN says (docs/faults.md),\n"
	"                       e.g. seed=1,program-fail@block=12,read-disturb=500;\n"
	"                       every read then reaches the chip (--read-cache 0)\n"
	"      --faults-from-mark NAME  with --trace: the plan starts at the\n"
	"                       first mark NAME (muse record: mkfs-done)\n"
	"  -s, --save FILE      write the flash to FILE on exit (nanddump-oob\n"
	"                       layout for NAND, raw otherwise; see --format)\n"
	"      --strict         answer flash rule violations with -EIO\n"
	"      --read-only      a read-only MTD device (writes fail with EROFS)\n"
	"  -n, --name NAME      MTD name (default: muse)\n"
	"      --mtdparts SPEC  partitions, e.g. 4m(boot),-(ubi)\n"
	"      --device PATH    MUSE control device (default /dev/muse)\n"
	"  -t, --trace FILE     record every program, erase and markbad into FILE\n"
	"      --force          replace an existing trace\n"
	"      --record-reads   record reads too (no payloads)\n"
	"      --mark-socket P  where \"muse mark\" reaches the recorder (default:\n"
	"                       a private directory; the path is printed)\n"
	"      --max-io BYTES   largest request the kernel may send (default 1m)\n"
	"      --read-cache N   pages the kernel may cache (default 64, 0: none;\n"
	"                       at most 1024 pages and 16 MiB)\n"
	"      --timeout S      seconds the kernel waits for an answer before it\n"
	"                       ends the connection (default 30, 0: forever)\n"
	"      --write-through  the kernel sends every write before it answers\n"
	"                       (as with --trace, --faults, --strict, --read-only;\n"
	"                       else it sends runs of writes behind)\n"
	"  -h, --help           show this help\n"
	"\n"
	"examples:\n"
	"  muse serve --geometry nand-2k,size=16m\n"
	"  muse serve --image dump.bin --save after.bin\n"
	"  muse serve --geometry nor-64k --backing /tmp/nor.cells\n";

static int parse_u32_arg(const char *opt, const char *val, uint32_t max,
			 uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(val, &end, 0);

	if (!*val || *end || v > max) {
		fprintf(stderr, "muse serve: %s %s is not a number up to %" PRIu32 "\n",
			opt, val, max);
		return 1;
	}
	*out = (uint32_t)v;
	return 0;
}

enum { OPT_BAD = 256, OPT_STRICT, OPT_MTDPARTS, OPT_DEVICE, OPT_MAXIO,
       OPT_CACHE, OPT_RO, OPT_FLIP, OPT_FORCE, OPT_READS, OPT_SOCKET,
       OPT_CMDLINE, OPT_FS, OPT_TIMEOUT, OPT_FAULTS, OPT_FAULTS_FROM,
       OPT_THROUGH };

static const struct option serve_options[] = {
	{ "geometry", required_argument, NULL, 'g' },
	{ "image", required_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "backing", required_argument, NULL, 'b' },
	{ "bad-blocks", required_argument, NULL, OPT_BAD },
	{ "flip-bits", required_argument, NULL, OPT_FLIP },
	{ "faults", required_argument, NULL, OPT_FAULTS },
	{ "faults-from-mark", required_argument, NULL, OPT_FAULTS_FROM },
	{ "save", required_argument, NULL, 's' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "read-only", no_argument, NULL, OPT_RO },
	{ "write-through", no_argument, NULL, OPT_THROUGH },
	{ "name", required_argument, NULL, 'n' },
	{ "mtdparts", required_argument, NULL, OPT_MTDPARTS },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "max-io", required_argument, NULL, OPT_MAXIO },
	{ "read-cache", required_argument, NULL, OPT_CACHE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "trace", required_argument, NULL, 't' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "record-reads", no_argument, NULL, OPT_READS },
	{ "mark-socket", required_argument, NULL, OPT_SOCKET },
	/* provenance, set by "muse record" */
	{ "command-line", required_argument, NULL, OPT_CMDLINE },
	{ "fs", required_argument, NULL, OPT_FS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The options with a number: 0, or 1 after saying what is wrong */
static int parse_number_option(int c, const char *v, struct serve_args *a)
{
	uint64_t size;

	if (c == OPT_CACHE) {
		a->read_cache_set = true;
		return parse_u32_arg("--read-cache", v, 1024, &a->read_cache) ? 1 : 0;
	}
	if (c == OPT_TIMEOUT) {
		if (parse_u32_arg("--timeout", v, MUSE_MAX_TIMEOUT, &a->timeout))
			return 1;
		if (!a->timeout)
			a->timeout = MUSE_TIMEOUT_NEVER;
		return 0;
	}
	if (parse_size(v, &size) || !size || size > UINT32_MAX) {
		fprintf(stderr, "muse serve: --max-io %s is not a size\n", v);
		return 1;
	}
	a->max_io = (uint32_t)size;
	return 0;
}

/* 0, 1 after an error, -1 after --help */
static int parse_option(int c, const char *v, struct serve_args *a)
{
	switch (c) {
	case 'g': a->geometry = v; break;
	case 'i': a->image = v; break;
	case 'f': a->format = v; break;
	case 'b': a->backing = v; break;
	case OPT_BAD: a->bad_blocks = v; break;
	case OPT_FLIP: a->flip_bits = v; break;
	case OPT_FAULTS: a->faults = v; break;
	case OPT_FAULTS_FROM: a->faults_from = v; break;
	case 't': a->trace = v; break;
	case OPT_FORCE: a->force = true; break;
	case OPT_READS: a->record_reads = true; break;
	case OPT_SOCKET: a->mark_socket = v; break;
	case OPT_CMDLINE: a->command_line = v; break;
	case OPT_FS: a->fs = v; break;
	case 's': a->save = v; break;
	case OPT_STRICT: a->strict = true; break;
	case OPT_RO: a->read_only = true; break;
	case OPT_THROUGH: a->write_through = true; break;
	case 'n': a->name = v; break;
	case OPT_MTDPARTS: a->mtdparts = v; break;
	case OPT_DEVICE: a->device = v; break;
	case OPT_MAXIO:
	case OPT_TIMEOUT:
	case OPT_CACHE: return parse_number_option(c, v, a);
	case 'h': fputs(usage, stdout); return -1;
	default: fputs(usage, stderr); return 1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct serve_args *a)
{
	struct muse_error e;
	int c, ret;

	*a = (struct serve_args){ .geometry = "nand-2k", .name = "muse",
				  .format = "auto",
				  .read_cache = MUSE_DEFAULT_READ_CACHE };
	while ((c = getopt_long(argc, argv, "g:i:f:b:s:n:t:h", serve_options,
				NULL)) != -1)
		if ((ret = parse_option(c, optarg, a)))
			return ret;
	if (optind < argc) {
		fprintf(stderr, "muse serve: unexpected argument %s\n%s",
			argv[optind], usage);
		return 1;
	}
	if (a->faults_from && (!a->faults || !a->trace)) {
		fprintf(stderr, "muse serve: --faults-from-mark needs --faults and --trace\n");
		return 1;
	}
	/* reads the kernel's cache answers would disturb nothing */
	if (a->faults && !a->read_cache_set)
		a->read_cache = 0;
	if (image_parse_spec(a->format, &a->fmt, &e)) {
		fprintf(stderr, "muse serve: %s\n", e.msg);
		return 1;
	}
	return 0;
}

static int mark_bad_blocks(struct flash *f, const char *list,
			   struct muse_error *e)
{
	uint64_t blocks = geometry_blocks(flash_geometry(f));
	const char *p = list;

	while (*p) {
		char *end;
		unsigned long long b = strtoull(p, &end, 0);

		if (end == p || (*end && *end != ','))
			return muse_fail(e, -EINVAL,
					 "--bad-blocks %s is not a list of block numbers",
					 list);
		if (b >= blocks)
			return muse_fail(e, -EINVAL,
					 "--bad-blocks: block %llu is beyond the %" PRIu64
					 " blocks of the chip", b, blocks);
		if (flash_mark_bad(f, b))
			return muse_fail(e, -EINVAL,
					 "--bad-blocks: this chip has no bad blocks (NAND only)");
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* Without size= in the geometry, an image tells how big the chip is */
static int size_from_image(const struct serve_args *a, struct geometry *g,
			   struct muse_error *e)
{
	struct stat st;

	if (stat(a->image, &st))
		return muse_fail(e, -errno, "image %s: %s", a->image,
				 strerror(errno));
	if (image_infer_size(g, (uint64_t)st.st_size, &a->fmt, &g->size))
		return muse_fail(e, -EINVAL,
				 "image %s (%lld bytes) is no whole number of %s eraseblocks; give size= in --geometry",
				 a->image, (long long)st.st_size,
				 flash_type_name(g->type));
	return geometry_validate(g, e);
}

/* Adds one flipped cell to the damage of its storage unit */
static int flip_bit(struct flash *f, uint64_t addr, unsigned bit,
		    uint8_t *mask)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t unit = geometry_unit_data(g);
	uint64_t start = addr - addr % unit;

	/* the current damage of the unit: raw cells XOR intended ones */
	flash_get_damage(f, start, mask);
	mask[addr - start] ^= (uint8_t)(1u << bit);
	return flash_set_damage(f, start, mask);
}

static int flip_bits(struct flash *f, const char *list, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *mask = malloc(flash_unit_size(f));
	const char *p = list;
	int ret = 0;

	if (!mask)
		return muse_fail(e, -ENOMEM, "out of memory");
	while (*p && !ret) {
		char *end;
		unsigned long long addr = strtoull(p, &end, 0);
		unsigned long bit;

		if (end == p || *end != '.')
			break;
		p = end + 1;
		bit = strtoul(p, &end, 10);
		if (end == p || bit > 7 || (*end && *end != ',') ||
		    addr >= g->size)
			break;
		ret = flip_bit(f, addr, (unsigned)bit, mask);
		p = *end ? end + 1 : end;
	}
	free(mask);
	if (*p && !ret)
		return muse_fail(e, -EINVAL,
				 "--flip-bits %s is not ADDR.BIT[,ADDR.BIT...] inside the chip",
				 list);
	return ret ? muse_fail(e, ret, "--flip-bits: %s", strerror(-ret)) : 0;
}

static int prepare_flash(struct serve_args *a, struct geometry *g,
			 struct flash **f, struct muse_error *e)
{
	struct flash_options opt = {
		.backing_path = a->backing,
		.strict = a->strict,
		.on_violation = flash_log_violation,
		.ctx = stderr,
	};
	struct stat st;
	FILE *probe;
	int ret;

	a->erased = !a->image && !a->bad_blocks && !a->flip_bits &&
		    (!a->backing || stat(a->backing, &st) || !st.st_size);
	ret = geometry_parse(a->geometry, g, e);
	if (!ret && a->image && !geometry_spec_sets(a->geometry, "size"))
		ret = size_from_image(a, g, e);
	if (ret)
		return ret;
	if (a->image && a->backing && (probe = fopen(a->backing, "rb"))) {
		bool used = fgetc(probe) != EOF;

		fclose(probe);
		if (used)
			return muse_fail(e, -EEXIST,
					 "backing file %s already holds a flash; remove it or drop --image",
					 a->backing);
	}
	ret = flash_create(g, &opt, f, e);
	/* before: images written as by ubiformat or nandwrite skip them;
	 * after: a dump's cells there do not take the marker away */
	if (!ret && a->bad_blocks)
		ret = mark_bad_blocks(*f, a->bad_blocks, e);
	if (!ret && a->image)
		ret = image_load(*f, a->image, &a->fmt, NULL, e);
	if (!ret && a->bad_blocks)
		ret = mark_bad_blocks(*f, a->bad_blocks, e);
	if (!ret && a->flip_bits)
		ret = flip_bits(*f, a->flip_bits, e);
	return ret;
}

static void print_summary(struct flash *f, const struct muse_server_stats *st)
{
	const struct muse_server_stats ss = *st;
	struct flash_stats fs;
	uint64_t violations = 0;

	flash_get_stats(f, &fs);
	for (int k = 0; k < FLASH_VIOLATION_KINDS; k++)
		violations += fs.violations[k];
	fprintf(stderr,
		"muse serve: %" PRIu64 " requests (%" PRIu64 " reads, %" PRIu64
		" writes, %" PRIu64 " erases, %" PRIu64 " rejected), %" PRIu64
		" page programs, %" PRIu32 " bad blocks, %" PRIu64
		" rule violations\n", ss.requests, ss.reads, ss.writes,
		ss.erases, ss.rejected, fs.programs, flash_bad_count(f),
		violations);
}

static bool saw_violations(struct flash *f)
{
	struct flash_stats fs;

	flash_get_stats(f, &fs);
	for (int k = 0; k < FLASH_VIOLATION_KINDS; k++)
		if (fs.violations[k])
			return true;
	return false;
}

/* The recording side of a serve: the recorder and its mark socket */
struct recording {
	struct recorder *recorder;
	struct mark_server *marks;
};

static int start_recording(const struct serve_args *a, struct flash *f,
			   const struct muse_server_config *cfg,
			   struct recording *rec, struct muse_error *e)
{
	char spec[1024], params[MUSE_INIT_INFO_MAX];
	int n = muse_init_params(cfg->geometry, &cfg->extras, params,
				 sizeof(params), e);
	struct recorder_options o = {
		.trace_path = a->trace, .force = a->force,
		.record_reads = a->record_reads,
		.command_line = a->command_line, .fs = a->fs,
		.geometry_spec = spec, .init_params = params,
		.erased_chip = a->erased,
	};
	int ret;

	if (n < 0)
		return n;
	for (int i = 0; i < n - 1; i++)
		if (!params[i])
			params[i] = ' ';
	geometry_format(cfg->geometry, spec, sizeof(spec));
	ret = recorder_start(&o, f, &rec->recorder, e);
	if (!ret && (ret = mark_server_start(a->mark_socket, rec->recorder,
					     &rec->marks, e)))
		recorder_finish(rec->recorder, NULL);
	if (!ret)
		fprintf(stderr, "muse serve: recording to %s; marks: MUSE_MARK_SOCKET=%s\n",
			a->trace, mark_server_path(rec->marks));
	return ret;
}

static int finish_recording(struct recording *rec, struct muse_error *e)
{
	struct recorder_stats st;

	mark_server_stop(rec->marks);
	recorder_get_stats(rec->recorder, &st);
	fprintf(stderr, "muse serve: recorded %" PRIu64 " ops (%" PRIu64
		" programs, %" PRIu64 " erases, %" PRIu64 " markbads), %" PRIu64
		" marks%s\n", st.ops, st.programs, st.erases, st.markbads,
		st.marks, st.stopped ? "; the recording stopped early" : "");
	return recorder_finish(rec->recorder, e);
}

static int run_server(const struct muse_server_config *cfg,
		      const struct muse_backend *be, struct flash *f,
		      struct muse_error *e)
{
	struct muse_server_stats st = { 0 };
	bool served;
	int ret = serve_until_stopped(cfg, be, stdout, &served, &st, e);

	if (served)
		print_summary(f, &st);
	return ret;
}

static int serve(const struct serve_args *a, struct flash *f,
		 const struct geometry *g, struct muse_error *e)
{
	struct muse_server_config cfg = {
		.device = a->device, .geometry = g, .max_io = a->max_io,
		.extras = { .name = a->name, .mtdparts = a->mtdparts,
			    .readcache = a->read_cache,
			    .timeout = a->timeout,
			    .read_only = a->read_only },
		/* a write that fails must fail before it is acknowledged */
		.write_behind = !a->write_through && !a->trace && !a->faults &&
				!a->strict && !a->read_only,
	};
	struct recording rec = { 0 };
	struct muse_error fe = { 0 };
	struct flash_backend fb;
	struct muse_backend be;
	struct faults *fa = NULL;
	char bad[2048], plan[2048];
	int ret, fret;

	if (geometry_is_nand(g) &&
	    (uint64_t)a->read_cache * g->page_size > MUSE_MAX_READ_CACHE_BYTES)
		return muse_fail(e, -EINVAL,
				 "--read-cache %" PRIu32 " pages of %" PRIu32
				 " bytes exceed the kernel's %u MiB",
				 a->read_cache, g->page_size,
				 MUSE_MAX_READ_CACHE_BYTES >> 20);

	/* a list too long for the init reply: the kernel asks block by block */
	if (!muse_bad_block_list(f, bad, sizeof(bad)))
		cfg.extras.badblocks = bad;
	if (flash_backend_init(&fb, f, &be))
		return muse_fail(e, -ENOMEM, "out of memory");
	ret = a->faults ? serve_faults_start(a->faults, f, &fa, plan, sizeof(plan), e) : 0;
	if (!ret && a->trace)
		ret = start_recording(a, f, &cfg, &rec, e);
	if (!ret && a->trace)
		recorder_backend(rec.recorder, &be);
	if (!ret && fa)
		ret = serve_faults_use(fa, plan, a->faults_from, rec.recorder, &fb, e);
	/* flash IO must not wait for reclaim that waits for flash IO */
	if (!ret && prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0))
		fprintf(stderr, "muse serve: warning: PR_SET_IO_FLUSHER: %s\n",
			strerror(errno));
	if (!ret)
		ret = run_server(&cfg, &be, f, e);
	if (rec.recorder) {
		fret = finish_recording(&rec, &fe);
		if (fret && !ret) {
			*e = fe;
			ret = fret;
		} else if (fret) {
			fprintf(stderr, "muse serve: %s\n", fe.msg);
		}
	}
	if (fa)
		serve_faults_summary(fa);
	faults_destroy(fa);
	flash_backend_release(&fb);
	return ret;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_args a;
	struct muse_error e = { 0 };
	struct flash *f = NULL;
	struct geometry g;
	int ret;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = prepare_flash(&a, &g, &f, &e);
	if (!ret)
		ret = serve(&a, f, &g, &e);
	if (!ret && a.save)
		ret = image_save(f, a.save, &a.fmt, &e);
	if (ret)
		fprintf(stderr, "muse serve: %s\n", e.msg);
	else if (saw_violations(f))
		ret = EXIT_VIOLATIONS;
	flash_destroy(f);
	if (ret < 0)
		return 1;
	return ret;
}
