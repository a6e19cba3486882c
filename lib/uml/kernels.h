/*
 * kernels.h - the kernels muse boots, by name.
 *
 * A kernel is named by a Linux version that has a MUSE series ("6.1",
 * "6.12"), by the name a build from another source tree was given
 * ("muse kernel build --source DIR --name NAME"), or by the path of a UML
 * kernel.  Built kernels live in build/kernel/NAME/VARIANT/ next to this
 * program (linux, release, name, config, modules/), and kernel/build.sh
 * in the source tree builds them.  An installed muse (PREFIX/bin/muse,
 * recipes in PREFIX/share/muse/kernel) does the same in a copy of its
 * recipes under ~/.cache/muse/installed/.  A version's kernel is built
 * on first use.
 */
#ifndef MUSE_KERNELS_H
#define MUSE_KERNELS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* the kernel when neither --kernel, MUSE_KERNEL nor a trace names one */
#define KERNEL_DEFAULT "6.12"
#define KERNEL_NAME_MAX 64
#define KERNEL_RELEASE_MAX 128

struct kernel_info {
	char name[KERNEL_NAME_MAX];		/* "" for a bare path */
	char release[KERNEL_RELEASE_MAX];	/* its guests' uname -r */
	char path[PATH_MAX];			/* the UML binary */
};

/* Where built kernels live: build/kernel next to this program or the copy */
int kernels_dir(char *buf, size_t size);

/* kernel/build.sh of the source tree, or of the copy (refreshed) */
int kernels_build_script(char *buf, size_t size);

/* True for a name that is a path rather than a kernel's name */
bool kernel_is_path(const char *name);

/*
 * The built kernel @name (or a path) of @variant ("uml", "uml-debug").
 * -ENOENT (and @e saying how to build it) when there is none.
 */
int kernel_lookup(const char *name, const char *variant,
		  struct kernel_info *k, struct muse_error *e);

/* As kernel_lookup(), but builds a version's kernel that is missing */
int kernel_get(const char *name, const char *variant, struct kernel_info *k,
	       struct muse_error *e);

/*
 * The built "uml" kernel whose release is @release, @name's if it is one
 * of them.  -ENOENT (and @e naming how to build it) when none is.
 */
int kernel_by_release(const char *release, const char *name,
		      struct kernel_info *k, struct muse_error *e);

/* Calls @fn for every built kernel of @variant, in name order */
int kernels_each(const char *variant,
		 void (*fn)(const struct kernel_info *k, void *arg), void *arg);

/*
 * Builds kernel @version ("6.1"), or with @source the tree there under
 * @name (NULL: its version): runs kernel/build.sh.  @config: the tree's
 * configuration to take the filesystem options of (NULL: its own).
 */
int kernel_build(const char *version, const char *source, const char *name,
		 const char *config, const char *variant, struct muse_error *e);

/* The versions there is a series for (NULL-terminated, static strings) */
const char *const *kernel_versions(void);

#endif
