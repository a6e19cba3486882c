/*
 * kernels.c - finding, listing and building the kernels muse boots.
 */
#define _GNU_SOURCE
#include "kernels.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"

/* this program's directory's parent: build/ when it is build/bin/muse */
static int build_dir(char *buf, size_t size)
{
	char self[PATH_MAX];

	if (snprintf(self, sizeof(self), "%s", spawn_self()) >= (int)sizeof(self))
		return -ENAMETOOLONG;
	if (snprintf(buf, size, "%s/..", dirname(self)) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * An installed muse (PREFIX/bin/muse) has the kernel recipes in
 * PREFIX/share/muse/kernel, read-only; it builds from a copy of them in
 * the user's cache, so that kernel/build.sh finds its work directories
 * (build/src, build/obj) and puts the kernels (build/kernel) next to it,
 * exactly as in a source tree, and caches them by the same input hash.
 */
static int installed_tree(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg)
		n = snprintf(buf, size, "%s/muse/installed", xdg);
	else
		n = snprintf(buf, size, "%s/.cache/muse/installed", home ? home : "/tmp");
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* PREFIX/share/muse/kernel when this program is PREFIX/bin/muse */
static int installed_recipes(char *buf, size_t size)
{
	char b[PATH_MAX];

	if (build_dir(b, sizeof(b)) ||
	    snprintf(buf, size, "%s/share/muse/kernel", b) >= (int)size)
		return -ENAMETOOLONG;
	return access(buf, R_OK) ? -ENOENT : 0;
}

/* the directory holding kernel/ and build/: the source tree, or the copy */
static int tree_dir(char *buf, size_t size)
{
	char b[PATH_MAX], script[PATH_MAX], recipes[PATH_MAX];

	if (build_dir(b, sizeof(b)) ||
	    snprintf(script, sizeof(script), "%s/../kernel/build.sh", b) >= (int)sizeof(script))
		return -ENAMETOOLONG;
	if (!access(script, X_OK) || installed_recipes(recipes, sizeof(recipes)))
		return snprintf(buf, size, "%s/..", b) >= (int)size ? -ENAMETOOLONG : 0;
	return installed_tree(buf, size);
}

/* kernel/ of the source tree, or an installed muse's recipes */
static int recipes_dir(char *buf, size_t size)
{
	char b[PATH_MAX];

	if (build_dir(b, sizeof(b)) ||
	    snprintf(buf, size, "%s/../kernel", b) >= (int)size)
		return -ENAMETOOLONG;
	return access(buf, R_OK) ? installed_recipes(buf, size) : 0;
}

int kernels_dir(char *buf, size_t size)
{
	char b[PATH_MAX], real[PATH_MAX];
	const char *env = getenv("MUSE_KERNELS_DIR");

	if (env && *env)
		return snprintf(buf, size, "%s", env) >= (int)size ? -ENAMETOOLONG : 0;
	if (tree_dir(b, sizeof(b)))
		return -ENAMETOOLONG;
	/* an installed muse's kernels may not be built yet: no realpath */
	if (!realpath(b, real))
		snprintf(real, sizeof(real), "%s", b);
	return snprintf(buf, size, "%s/build/kernel", real) >= (int)size ? -ENAMETOOLONG : 0;
}

/*
 * Refreshes the user's copy of an installed muse's recipes when they
 * differ (a new muse installed): a build running from the copy is left
 * alone otherwise
 */
static int copy_recipes(const char *tree)
{
	char recipes[PATH_MAX], dest[PATH_MAX];
	char *diff_argv[] = { "diff", "-rq", recipes, dest, NULL };
	char *mkdir_argv[] = { "mkdir", "-p", (char *)tree, NULL };
	char *rm_argv[] = { "rm", "-rf", dest, NULL };
	char *cp_argv[] = { "cp", "-R", recipes, dest, NULL };
	char quiet[256];

	if (installed_recipes(recipes, sizeof(recipes)) ||
	    snprintf(dest, sizeof(dest), "%s/kernel", tree) >= (int)sizeof(dest))
		return -ENOENT;
	if (!access(dest, F_OK) && !spawn_run(diff_argv, quiet, sizeof(quiet)))
		return 0;
	return spawn_run(mkdir_argv, NULL, 0) || spawn_run(rm_argv, NULL, 0) ||
	       spawn_run(cp_argv, NULL, 0) ? -EIO : 0;
}

int kernels_build_script(char *buf, size_t size)
{
	char tree[PATH_MAX], source[PATH_MAX], b[PATH_MAX];

	if (build_dir(b, sizeof(b)) || tree_dir(tree, sizeof(tree)) ||
	    snprintf(source, sizeof(source), "%s/../kernel/build.sh", b) >= (int)sizeof(source))
		return -ENAMETOOLONG;
	if (access(source, X_OK) && copy_recipes(tree))
		return -ENOENT;
	if (snprintf(buf, size, "%s/kernel/build.sh", tree) >= (int)size)
		return -ENAMETOOLONG;
	return access(buf, X_OK) ? -ENOENT : 0;
}

bool kernel_is_path(const char *name)
{
	return strchr(name, '/') != NULL;
}

static bool valid_name(const char *name)
{
	return *name && *name != '.' && strlen(name) < KERNEL_NAME_MAX &&
	       !kernel_is_path(name);
}

/* the first line of @dir/@file into @buf ("" if there is none) */
static void read_line(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	buf[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* what a kernel binary's directory says of it (build.sh wrote it) */
static void describe(const char *path, struct kernel_info *k)
{
	char dir[PATH_MAX];

	snprintf(k->path, sizeof(k->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	read_line(dir, "name", k->name, sizeof(k->name));
	read_line(dir, "release", k->release, sizeof(k->release));
}

const char *const *kernel_versions(void)
{
	static char names[16][16];
	static const char *list[17];
	char recipes[PATH_MAX], dir[PATH_MAX];
	struct dirent **ents;
	int n, count = 0;

	if (list[0] || recipes_dir(recipes, sizeof(recipes)) ||
	    snprintf(dir, sizeof(dir), "%s/patches", recipes) >= (int)sizeof(dir))
		return list;
	n = scandir(dir, &ents, NULL, versionsort);
	for (int i = 0; i < n; i++) {
		unsigned major, minor;
		char end;

		if (count < 16 &&
		    sscanf(ents[i]->d_name, "%u.%u%c", &major, &minor, &end) == 2) {
			snprintf(names[count], sizeof(names[count]), "%u.%u", major, minor);
			list[count] = names[count];
			count++;
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return list;
}

static bool is_version(const char *name)
{
	for (const char *const *v = kernel_versions(); *v; v++)
		if (!strcmp(*v, name))
			return true;
	return false;
}

static int how_to_build(const char *name, const char *variant, int err,
			struct muse_error *e)
{
	const char *debug = strcmp(variant, "uml") ? " --debug" : "";

	if (is_version(name))
		return muse_fail(e, err, "kernel %s (%s) is not built: run \"muse kernel build%s %s\"",
				 name, variant, debug, name);
	return muse_fail(e, err,
			 "no kernel named \"%s\" is built (\"muse kernel list\" shows the kernels; \"muse kernel build --source DIR --name %s\" builds one from a source tree)",
			 name, name);
}

int kernel_lookup(const char *name, const char *variant,
		  struct kernel_info *k, struct muse_error *e)
{
	char dir[PATH_MAX], path[PATH_MAX];

	memset(k, 0, sizeof(*k));
	if (kernel_is_path(name)) {
		if (access(name, X_OK))
			return muse_fail(e, -errno, "no kernel at %s (%s)", name,
					 strerror(errno));
		describe(name, k);
		return 0;
	}
	if (!valid_name(name))
		return muse_fail(e, -EINVAL, "bad kernel name \"%s\"", name);
	if (kernels_dir(dir, sizeof(dir)) ||
	    snprintf(path, sizeof(path), "%s/%s/%s/linux", dir, name, variant) >=
	    (int)sizeof(path))
		return muse_fail(e, -ENAMETOOLONG, "cannot locate the kernels");
	if (access(path, X_OK))
		return how_to_build(name, variant, -ENOENT, e);
	describe(path, k);
	return 0;
}

int kernel_get(const char *name, const char *variant, struct kernel_info *k,
	       struct muse_error *e)
{
	struct muse_error ignored = { 0 };
	int ret = kernel_lookup(name, variant, k, &ignored);

	if (ret != -ENOENT || kernel_is_path(name) || !is_version(name))
		return ret ? kernel_lookup(name, variant, k, e) : 0;
	fprintf(stderr, "muse: kernel %s (%s) is not built yet; building it now, which takes 10 to 15 minutes on 2 cores\n",
		name, variant);
	ret = kernel_build(name, NULL, NULL, NULL, variant, e);
	return ret ? ret : kernel_lookup(name, variant, k, e);
}

struct release_match {
	const char *release, *name;
	struct kernel_info found;
	bool exact;	/* found has the wanted name too */
};

static void match_release(const struct kernel_info *k, void *arg)
{
	struct release_match *m = arg;
	bool named = m->name && !strcmp(k->name, m->name);

	if (strcmp(k->release, m->release) || m->exact)
		return;
	if (!m->found.path[0] || named) {
		m->found = *k;
		m->exact = named;
	}
}

int kernel_by_release(const char *release, const char *name,
		      struct kernel_info *k, struct muse_error *e)
{
	struct release_match m = { .release = release, .name = name };
	struct kernel_info other;
	struct muse_error ignored = { 0 };

	kernels_each("uml", match_release, &m);
	if (m.found.path[0]) {
		*k = m.found;
		return 0;
	}
	if (name && !kernel_lookup(name, "uml", &other, &ignored))
		return muse_fail(e, -ENOENT,
				 "the trace was recorded on Linux %s; kernel %s here is Linux %s: pass \"--kernel %s\" to use it anyway",
				 release, name, other.release, name);
	if (name && valid_name(name))
		return how_to_build(name, "uml", -ENOENT, e);
	return muse_fail(e, -ENOENT,
			 "the trace was recorded on Linux %s, and no kernel of that release is built (\"muse kernel list\"); pass --kernel to replay it on another",
			 release);
}

int kernels_each(const char *variant,
		 void (*fn)(const struct kernel_info *k, void *arg), void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent **ents;
	struct kernel_info k;
	int n;

	if (kernels_dir(dir, sizeof(dir)))
		return -ENAMETOOLONG;
	n = scandir(dir, &ents, NULL, versionsort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s/%s/linux", dir,
			     ents[i]->d_name, variant) < (int)sizeof(path) &&
		    !access(path, X_OK)) {
			memset(&k, 0, sizeof(k));
			describe(path, &k);
			fn(&k, arg);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int kernel_build(const char *version, const char *source, const char *name,
		 const char *config, const char *variant, struct muse_error *e)
{
	char script[PATH_MAX];
	char *argv[12];
	int n = 0, ret;

	if (kernels_build_script(script, sizeof(script)))
		return muse_fail(e, -ENOENT,
				 "cannot build kernels: %s is not there (this muse is neither in its source tree nor installed)",
				 script);
	argv[n++] = script;
	if (source) {
		argv[n++] = "--source";
		argv[n++] = (char *)source;
		if (name) {
			argv[n++] = "--name";
			argv[n++] = (char *)name;
		}
		if (config) {
			argv[n++] = "--config";
			argv[n++] = (char *)config;
		}
	} else {
		argv[n++] = (char *)version;
	}
	argv[n++] = (char *)variant;
	argv[n] = NULL;
	ret = spawn_run(argv, NULL, 0);
	if (ret < 0)
		return muse_fail(e, ret, "cannot run %s: %s", script, strerror(-ret));
	return ret ? muse_fail(e, -EIO, "building the kernel failed (above)") : 0;
}
