/*
 * spawn.c - running the tools a session needs (see spawn.h).
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char self[PATH_MAX];

const char *spawn_self(void)
{
	ssize_t n;

	if (!self[0] && (n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0)
		self[n] = '\0';
	return self;
}

int spawn_add_words(char **argv, int at, int max, char *words)
{
	char *save = NULL;

	for (char *w = strtok_r(words, " \t", &save); w && at < max - 1;
	     w = strtok_r(NULL, " \t", &save))
		argv[at++] = w;
	argv[at] = NULL;
	return at;
}

static void read_into(int fd, char *out, size_t outlen)
{
	size_t got = 0;
	ssize_t n;

	while (got < outlen - 1 && (n = read(fd, out + got, outlen - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	/* the rest is not ours to keep, but the child must not block on it */
	while (read(fd, (char[256]){ 0 }, 256) > 0)
		;
}

/* Starts @argv, its stdout into *@outfd if given; the pid or a negative errno */
static pid_t start(char *const argv[], int *outfd)
{
	int pipefd[2] = { -1, -1 };
	pid_t pid;

	if (outfd && pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid == 0) {
		if (outfd) {
			dup2(pipefd[1], 1);
			close(pipefd[0]);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "muse: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (outfd) {
		close(pipefd[1]);
		*outfd = pipefd[0];
		if (pid < 0)
			close(pipefd[0]);
	}
	return pid < 0 ? -errno : pid;
}

static int finish(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int spawn_run(char *const argv[], char *out, size_t outlen)
{
	int fd = -1;
	pid_t pid = start(argv, out ? &fd : NULL);

	if (pid < 0)
		return pid;
	if (out) {
		read_into(fd, out, outlen);
		close(fd);
	}
	return finish(pid);
}

int spawn_run_to(char *const argv[], const char *path)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "muse: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return finish(pid);
}

/* All of @fd, in a buffer that grows; NULL if memory runs out */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap), *bigger;
	ssize_t n;

	*len = 0;
	while (buf && (n = read(fd, buf + *len, cap - *len)) > 0) {
		if ((*len += (size_t)n) < cap)
			continue;
		bigger = realloc(buf, cap *= 2);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	/* drained, so the child never blocks on a full pipe */
	while (!buf && read(fd, (char[256]){ 0 }, 256) > 0)
		;
	return buf;
}

char *spawn_capture(char *const argv[], size_t *len)
{
	int fd;
	pid_t pid = start(argv, &fd);
	char *buf;

	if (pid < 0)
		return NULL;
	buf = read_all(fd, len);
	close(fd);
	if (finish(pid)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int spawn_must_run(char *const argv[], struct muse_error *e)
{
	char out[4096];
	int rc = spawn_run(argv, out, sizeof(out));

	if (!rc)
		return 0;
	fputs(out, stderr);
	return muse_fail(e, -EIO, "%s failed (status %d)", argv[0], rc);
}

int spawn_workdir(const char *tag, char *buf, size_t size, struct muse_error *e)
{
	const char *base = access("/run", W_OK) ? getenv("TMPDIR") : "/run";
	int n = snprintf(buf, size, "%s/muse-%s.XXXXXX", base ? base : "/tmp", tag);

	if (n < 0 || (size_t)n >= size)
		return muse_fail(e, -ENAMETOOLONG, "working directory name too long");
	if (!mkdtemp(buf))
		return muse_fail(e, -errno, "cannot make a working directory: %s",
				 strerror(errno));
	return 0;
}
