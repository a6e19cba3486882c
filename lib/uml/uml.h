/*
 * uml.h - running one command inside a User-Mode Linux kernel with MUSE.
 *
 * The host side writes a job (working directory, argv, environment) into
 * a private directory, boots the kernel with the host's / as its root
 * (hostfs) and this very program as init.  In the guest, init mounts
 * proc, sysfs, devtmpfs, devpts and debugfs, runs the command with the
 * job's directory and environment, writes its exit status into the job
 * directory and powers off.  The command's stdout and stderr are files in
 * the job directory that the host copies to its own while the guest runs
 * (or the terminal itself, when stdin is one); the kernel's console goes
 * to the log file.
 */
#ifndef MUSE_UML_H
#define MUSE_UML_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct uml_job {
	char *cwd;
	char **argv;
	char **env;
	bool interactive;
};

int uml_job_write(const char *path, const struct uml_job *job,
		  struct muse_error *e);
int uml_job_read(const char *path, struct uml_job *job, struct muse_error *e);
void uml_job_free(struct uml_job *job);

struct uml_options {
	const char *kernel;	/* name or path; NULL: uml_default_kernel() */
	const char *mem;	/* guest RAM, e.g. "512M" */
	const char *log;	/* kernel console log */
	unsigned timeout;	/* seconds, 0: none */
	char **argv;
};

/*
 * Where a command that needs /dev/muse runs, from its --kernel value (or,
 * if that is NULL, $MUSE_KERNEL): "host" (this kernel, which must have
 * /dev/muse), a kernel's name ("6.1", "6.12", see kernels.h; "uml" is the
 * default one), a UML kernel's path, or NULL (the default kernel unless
 * this host has /dev/muse).  Returns 1 for UML, with *kernel then the
 * kernel's path (built first if it is a version not built yet); 0 for
 * this host; a negative errno (and @e) for "host" without /dev/muse or a
 * kernel that is not there.
 */
int uml_choose(const char **kernel, struct muse_error *e);

/* Exit status of the guest command (>= 0), or a negative errno. */
int uml_run(const struct uml_options *o, struct muse_error *e);

/*
 * Runs this program inside the kernel of @o (whose argv is ignored) as
 * "muse CMD --inside ARGS...", where @argv is the command's own argv
 * (argv[0] its name): how a command that needs /dev/muse moves itself
 * into a kernel that has it.  The kernel's log goes to o->log, or if that
 * is NULL to $TMPDIR/muse-CMD.kernel.log.  The guest's exit status, or a
 * negative errno.
 */
int uml_run_self(const struct uml_options *o, const char *cmd, int argc,
		 char **argv, struct muse_error *e);

/*
 * The command line of a child process that runs this program inside the
 * kernel of @o: "muse uml [--kernel K] --mem M --log L -- muse ARGS...",
 * @args NULL-terminated and without the program name.  @argv must hold
 * UML_SELF_ARGC more entries than @args.
 */
#define UML_SELF_ARGC 11
void uml_self_argv(const struct uml_options *o, char *const *args, char **argv);

/* The kernel's name when none is given: $MUSE_KERNEL or KERNEL_DEFAULT */
const char *uml_default_kernel(void);

/* True when this process is init of a guest started by uml_run(). */
bool uml_is_guest_init(void);

/* Runs the job as the guest's init; powers the guest off, never returns. */
void uml_guest_main(void) __attribute__((noreturn));

#define UML_EXIT_NO_STATUS 125
#define UML_EXIT_TIMEOUT 124

#endif
