/*
 * mount_cmd.c - "muse mount": the tree of tracefs.h served read-only over
 * FUSE (libfuse3), one request at a time, until unmounted.
 */
#define FUSE_USE_VERSION 31

#include "mount_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

static const char usage[] =
	"usage: muse mount [--results FILE] TRACE DIR\n"
	"\n"
	"Shows every state of TRACE as read-only files under DIR, until\n"
	"\"fusermount3 -u DIR\" or Ctrl-C:\n"
	"\n"
	"  DIR/summary                  what muse inspect TRACE says\n"
	"  DIR/ops/N/flash.bin          the chip after op N, raw\n"
	"  DIR/ops/N/flash.oob.bin      the same with OOB, as nanddump --oob (NAND)\n"
	"  DIR/marks/NAME               a link to the op directory of mark NAME\n"
	"  DIR/cuts/N/MODEL-SEED.bin    after op N with op N+1 cut by MODEL (torn,\n"
	"                               erase, unstable) from SEED, as muse replay\n"
	"                               --at N --cut MODEL --seed SEED --export\n"
	"                               writes it; seed 1 is listed, any is served\n"
	"  DIR/blocks/B/history         every op on eraseblock B\n"
	"  DIR/failures/ID/             with --results, each point of the sweep\n"
	"                               that did not pass, ID as its report names\n"
	"                               it: flash.bin, flash.oob.bin (NAND), the\n"
	"                               state the point was judged on; verdict,\n"
	"                               reason, kernel.log; reproduce, the muse\n"
	"                               replay command that checks it again\n"
	"\n"
	"A state is computed from the trace's checkpoints when first read, and\n"
	"only the bytes read are produced.  The trace is never written.\n"
	"\n"
	"  -r, --results FILE   the sweep of TRACE whose failures to show\n"
	"                       (TRACE.sweep.db after muse sweep TRACE)\n"
	"  -h, --help           show this help\n"
	"\n"
	"docs/mount.md tells more.\n";

static struct tracefs *tree(void)
{
	return fuse_get_context()->private_data;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct tracefs_stat ts;
	int ret = tracefs_stat(tree(), path, &ts);

	(void)fi;
	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	st->st_mode = ts.type == TRACEFS_DIR ? S_IFDIR | 0555 :
		      ts.type == TRACEFS_LINK ? S_IFLNK | 0777 : S_IFREG | 0444;
	st->st_nlink = ts.type == TRACEFS_DIR ? 2 : 1;
	st->st_size = (off_t)ts.size;
	st->st_uid = getuid();
	st->st_gid = getgid();
	return 0;
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
};

static int fill_one(void *ctx, const char *name)
{
	struct fill_ctx *c = ctx;

	return c->filler(c->buf, name, NULL, 0, 0) ? -ENOBUFS : 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct fill_ctx c = { buf, filler };
	int ret;

	(void)off;
	(void)fi;
	(void)flags;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	ret = tracefs_list(tree(), path, fill_one, &c);
	return ret == -ENOBUFS ? 0 : ret;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct tracefs_stat ts;
	int ret = tracefs_stat(tree(), path, &ts);

	if (ret)
		return ret;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	return ts.type == TRACEFS_DIR ? -EISDIR : 0;
}

static int fs_read(const char *path, char *buf, size_t len, off_t off,
		   struct fuse_file_info *fi)
{
	(void)fi;
	if (off < 0)
		return -EINVAL;
	return (int)tracefs_read(tree(), path, (uint64_t)off, buf, len);
}

static int fs_readlink(const char *path, char *buf, size_t size)
{
	return tracefs_readlink(tree(), path, buf, size);
}

static const struct fuse_operations ops = {
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
	.readlink = fs_readlink,
};

static int serve(struct tracefs *fs, const char *dir)
{
	char *argv[] = { "muse", "-o", "ro,default_permissions,fsname=muse,subtype=muse", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse *f = fuse_new(&args, &ops, sizeof(ops), fs);
	int ret = 1;

	if (!f)
		return 1;
	if (fuse_mount(f, dir)) {
		fprintf(stderr, "muse mount: cannot mount on %s\n", dir);
	} else {
		if (!fuse_set_signal_handlers(fuse_get_session(f))) {
			ret = fuse_loop(f) ? 1 : 0;
			fuse_remove_signal_handlers(fuse_get_session(f));
		}
		fuse_unmount(f);
	}
	fuse_destroy(f);
	return ret;
}

int cmd_mount(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *results = NULL;
	struct muse_error e = { 0 };
	struct tracefs *fs;
	struct stat st;
	int c, ret;

	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		if (c == 'r') {
			results = optarg;
			continue;
		}
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		fputs(usage, stderr);
		return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "muse mount: give TRACE and DIR\n%s", usage);
		return 2;
	}
	if (stat(argv[optind + 1], &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "muse mount: %s is not a directory\n", argv[optind + 1]);
		return 2;
	}
	if (results && access(results, R_OK)) {
		fprintf(stderr, "muse mount: %s: %s\n", results, strerror(errno));
		return 2;
	}
	if (tracefs_open(argv[optind], &fs, &e)) {
		fprintf(stderr, "muse mount: %s\n", e.msg);
		return 2;
	}
	if (results && tracefs_add_results(fs, results, &e)) {
		fprintf(stderr, "muse mount: %s\n", e.msg);
		tracefs_close(fs);
		return 2;
	}
	ret = serve(fs, argv[optind + 1]);
	tracefs_close(fs);
	return ret;
}
