/*
 * convert_cmd.c - "muse convert": loads an image into a chip of the
 * geometry given, as serving it would, and writes the chip in another
 * format.
 */
#include "convert_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "flash.h"
#include "geometry.h"
#include "image.h"

static const char usage[] =
	"usage: muse convert IN OUT [--geometry G] [--from F] [--to F]\n"
	"\n"
	"Reads the image IN as a chip of geometry G would hold it (as \"muse serve\n"
	"--image IN\" serves it) and writes that chip to OUT in another format.\n"
	"\n"
	"  -g, --geometry G   chip geometry (default nand-2k); without size=, the\n"
	"                     size of IN says how big the chip is, where its\n"
	"                     format fixes that (not ubi or jffs2)\n"
	"  -f, --from F       format of IN (default auto)\n"
	"  -t, --to F         format of OUT (default nanddump-oob on NAND, else raw)\n"
	"  -h, --help         show this help\n"
	"\n"
	"Formats: raw, nanddump-oob, interleaved[:step=N,spare=N], ubi[:ec=N],\n"
	"jffs2, auto; nanddump-oob and interleaved take bbm-swap[=OFFSET].\n"
	"docs/images.md describes each, with its layout.\n";

struct convert_args {
	const char *in, *out, *geometry;
	struct image_spec from, to;
};

static int parse_args(int argc, char **argv, struct convert_args *a,
		      struct muse_error *e)
{
	static const struct option opts[] = {
		{ "geometry", required_argument, NULL, 'g' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	*a = (struct convert_args){ .geometry = "nand-2k", .from = image_spec_auto(),
				    .to = image_spec_auto() };
	while (!ret && (c = getopt_long(argc, argv, "g:f:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g': a->geometry = optarg; break;
		case 'f': ret = image_parse_spec(optarg, &a->from, e); break;
		case 't': ret = image_parse_spec(optarg, &a->to, e); break;
		case 'h': fputs(usage, stdout); return 1;
		default: return muse_fail(e, -EINVAL, "see muse convert --help");
		}
	}
	if (!ret && argc - optind != 2)
		ret = muse_fail(e, -EINVAL, "give IN and OUT (see muse convert --help)");
	if (!ret) {
		a->in = argv[optind];
		a->out = argv[optind + 1];
	}
	return ret;
}

static int chip_geometry(const struct convert_args *a, struct geometry *g,
			 struct muse_error *e)
{
	struct stat st;
	int ret = geometry_parse(a->geometry, g, e);

	if (ret || geometry_spec_sets(a->geometry, "size"))
		return ret;
	if (stat(a->in, &st))
		return muse_fail(e, -errno, "%s: %m", a->in);
	if (image_infer_size(g, (uint64_t)st.st_size, &a->from, &g->size))
		return muse_fail(e, -EINVAL,
				 "%s (%lld bytes) does not say how big the chip is; give size= in --geometry",
				 a->in, (long long)st.st_size);
	return geometry_validate(g, e);
}

int cmd_convert(int argc, char **argv)
{
	struct flash_options opt = { 0 };
	enum image_format picked = IMAGE_AUTO;
	struct muse_error e = { 0 };
	struct convert_args a;
	struct flash *f = NULL;
	struct geometry g;
	int ret = parse_args(argc, argv, &a, &e);

	if (ret > 0)
		return 0;
	if (!ret)
		ret = chip_geometry(&a, &g, &e);
	if (!ret)
		ret = flash_create(&g, &opt, &f, &e);
	if (!ret)
		ret = image_load(f, a.in, &a.from, &picked, &e);
	if (!ret && a.to.format == IMAGE_AUTO)
		a.to.format = g.oob_size ? IMAGE_NANDDUMP_OOB : IMAGE_RAW;
	if (!ret)
		ret = image_save(f, a.out, &a.to, &e);
	if (!ret)
		printf("%s (%s) -> %s (%s), %" PRIu64 " blocks, %u bad\n", a.in,
		       image_format_name(picked), a.out, image_format_name(a.to.format),
		       geometry_blocks(&g), flash_bad_count(f));
	flash_destroy(f);
	if (ret)
		fprintf(stderr, "muse convert: %s\n", e.msg);
	return ret ? 1 : 0;
}
