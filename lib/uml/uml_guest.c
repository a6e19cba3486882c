/*
 * uml_guest.c - init of a guest booted by uml_run().
 *
 * Runs as PID 1 on the host's root file system (hostfs).  Everything it
 * mounts is local to the guest.  Whatever happens to the command, init
 * writes a status file and powers off, so the host never waits for a
 * guest that has nothing left to do.
 */
#define _GNU_SOURCE
#include "uml.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define JOB_ENV "MUSE_JOB"

bool uml_is_guest_init(void)
{
	return getpid() == 1 && getenv(JOB_ENV);
}

/* init's stderr is the kernel console, which lands in the log */
static void say(const char *what, const char *arg)
{
	fprintf(stderr, "muse init: %s %s: %s\n", what, arg, strerror(errno));
}

static void mount_one(const char *type, const char *dir, const char *opts)
{
	mkdir(dir, 0755);
	/* EBUSY: the kernel mounted it already (devtmpfs) */
	if (mount(type, dir, type, MS_NOSUID, opts) && errno != EBUSY)
		say("cannot mount", dir);
}

/* What udev would add: bash's <(...) and /dev/stdin need them */
static void link_proc_fds(void)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) && errno != EEXIST)
			say("cannot link", links[i][1]);
}

static void mount_guest_filesystems(void)
{
	mount_one("proc", "/proc", NULL);
	mount_one("sysfs", "/sys", NULL);
	mount_one("devtmpfs", "/dev", NULL);
	mount_one("devpts", "/dev/pts", "gid=5,mode=620,ptmxmode=666");
	mount_one("tmpfs", "/dev/shm", "mode=1777");
	mount_one("debugfs", "/sys/kernel/debug", NULL);
	mount_one("tmpfs", "/run", "mode=755");
	link_proc_fds();
}

static int open_as(const char *path, int flags, int fd)
{
	int got = open(path, flags | O_CLOEXEC, 0644);

	if (got < 0)
		return -1;
	if (got != fd && (dup2(got, fd) < 0 || close(got)))
		return -1;
	return 0;
}

/* The command's stdio: the terminal, or files the host copies out */
static int setup_stdio(const char *dir, bool interactive)
{
	char out[4096], err[4096];

	if (interactive) {
		if (open_as("/dev/tty0", O_RDWR, 0) || dup2(0, 1) < 0 ||
		    dup2(0, 2) < 0)
			return -1;
		ioctl(0, TIOCSCTTY, 1);
		return 0;
	}
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	if (open_as("/dev/null", O_RDONLY, 0) ||
	    open_as(out, O_WRONLY | O_APPEND, 1) ||
	    open_as(err, O_WRONLY | O_APPEND, 2))
		return -1;
	return 0;
}

static void run_command(const char *dir, const struct uml_job *job)
{
	setsid();
	if (setup_stdio(dir, job->interactive)) {
		say("cannot set up the command's stdio in", dir);
		_exit(UML_EXIT_NO_STATUS);
	}
	if (chdir(job->cwd))
		fprintf(stderr, "muse uml: cannot enter %s: %s\n", job->cwd,
			strerror(errno));
	execvpe(job->argv[0], job->argv, job->env);
	fprintf(stderr, "muse uml: cannot run %s: %s\n", job->argv[0],
		strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Reaps everything; returns the wait status of @child. */
static int wait_for(pid_t child)
{
	int status = 0, st;
	pid_t pid;

	for (;;) {
		pid = wait(&st);
		if (pid == child)
			status = st;
		if (pid == child || (pid < 0 && errno == ECHILD))
			break;
	}
	/* leftovers (a daemon the command started) die with the guest */
	kill(-1, SIGKILL);
	while (wait(&st) > 0 || errno == EINTR)
		;
	return status;
}

static void write_status(const char *dir, int status)
{
	char path[4096];
	int code = WIFEXITED(status) ? WEXITSTATUS(status) :
		   128 + WTERMSIG(status);
	FILE *f;

	snprintf(path, sizeof(path), "%s/status", dir);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", code) < 0 || fclose(f))
		say("cannot write", path);
}

void uml_guest_main(void)
{
	const char *dir = getenv(JOB_ENV);
	struct muse_error e;
	struct uml_job job;
	char path[4096];
	pid_t child;

	mount_guest_filesystems();
	snprintf(path, sizeof(path), "%s/job", dir);
	if (uml_job_read(path, &job, &e)) {
		fprintf(stderr, "muse init: %s\n", e.msg);
	} else {
		child = fork();
		if (child == 0)
			run_command(dir, &job);
		if (child > 0)
			write_status(dir, wait_for(child));
		else
			say("cannot fork for", job.argv[0]);
		uml_job_free(&job);
	}
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
