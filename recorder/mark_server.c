/*
 * mark_server.c - the mark socket (see mark_server.h).
 */
#define _GNU_SOURCE
#include "mark_server.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "markproto.h"

struct mark_server {
	struct recorder *recorder;
	int fd;
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static bool same_user(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == getuid() || cred.uid == 0;
}

static int read_request(int fd, char **buf, size_t *len)
{
	size_t cap = 4096;
	char *p = malloc(cap);
	ssize_t n;

	*len = 0;
	while (p && (n = read(fd, p + *len, cap - *len)) > 0) {
		*len += (size_t)n;
		if (*len == cap) {
			char *bigger = cap < MARK_MAX_REQUEST ? realloc(p, cap *= 2) : NULL;

			if (!bigger) {
				free(p);
				return -E2BIG;
			}
			p = bigger;
		}
	}
	if (!p)
		return -ENOMEM;
	*buf = p;
	return 0;
}

static void answer(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void answer(int fd, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n :
			   sizeof(line) - 1) < 0)
		return;
}

static void serve_client(struct mark_server *ms, int fd)
{
	struct mark_request req;
	struct trace_mark m;
	struct muse_error e;
	uint64_t after;
	size_t len;
	char *buf;

	if (!same_user(fd)) {
		answer(fd, "error marks are private to the recording user\n");
		return;
	}
	if (read_request(fd, &buf, &len)) {
		answer(fd, "error request too large\n");
		return;
	}
	if (mark_decode(buf, len, &req, &e)) {
		answer(fd, "error %s\n", e.msg);
	} else {
		m = (struct trace_mark){ .name = req.name, .nfiles = req.nfiles,
					 .files = req.files };
		if (recorder_add_mark(ms->recorder, &m, &after, &e))
			answer(fd, "error %s\n", e.msg);
		else
			answer(fd, "ok %" PRIu64 "\n", after);
		mark_request_free(&req);
	}
	free(buf);
}

static void *accept_loop(void *arg)
{
	struct mark_server *ms = arg;
	int fd;

	while ((fd = accept4(ms->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0 ||
	       errno == EINTR || errno == ECONNABORTED) {
		if (fd < 0)
			continue;
		serve_client(ms, fd);
		close(fd);
	}
	return NULL;
}

static int private_path(struct mark_server *ms, struct muse_error *e)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || *tmp != '/')
		tmp = "/tmp";
	if (snprintf(ms->dir, sizeof(ms->dir), "%s/muse-mark.XXXXXX", tmp) >=
	    (int)sizeof(ms->dir) - 8)
		return muse_fail(e, -ENAMETOOLONG, "TMPDIR is too long for a socket");
	if (!mkdtemp(ms->dir))
		return muse_fail(e, -errno, "%s: %s", ms->dir, strerror(errno));
	/* fits: the directory name left room for it above */
	if (snprintf(ms->path, sizeof(ms->path), "%s/sock", ms->dir) < 0)
		return muse_fail(e, -EINVAL, "bad socket path");
	return 0;
}

static int listen_on(struct mark_server *ms, struct muse_error *e)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t old;
	int ret = 0;

	ms->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ms->fd < 0)
		return muse_fail(e, -errno, "socket: %s", strerror(errno));
	memcpy(addr.sun_path, ms->path, strlen(ms->path) + 1);
	old = umask(077);
	if (bind(ms->fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(ms->fd, 16))
		ret = muse_fail(e, -errno, "mark socket %s: %s", ms->path,
				strerror(errno));
	umask(old);
	return ret;
}

int mark_server_start(const char *path, struct recorder *r,
		      struct mark_server **out, struct muse_error *e)
{
	struct mark_server *ms = calloc(1, sizeof(*ms));
	int ret = 0;

	if (!ms)
		return muse_fail(e, -ENOMEM, "out of memory");
	ms->recorder = r;
	ms->fd = -1;
	if (!path)
		ret = private_path(ms, e);
	else if (strlen(path) >= sizeof(ms->path))
		ret = muse_fail(e, -ENAMETOOLONG, "mark socket path too long: %s", path);
	else
		memcpy(ms->path, path, strlen(path) + 1);
	if (!ret)
		ret = listen_on(ms, e);
	if (!ret && (ret = -pthread_create(&ms->thread, NULL, accept_loop, ms)))
		muse_fail(e, ret, "mark thread: %s", strerror(-ret));
	if (ret) {
		if (ms->fd >= 0)
			close(ms->fd);
		if (ms->dir[0])
			rmdir(ms->dir);
		free(ms);
		return ret;
	}
	*out = ms;
	return 0;
}

const char *mark_server_path(const struct mark_server *ms)
{
	return ms->path;
}

void mark_server_stop(struct mark_server *ms)
{
	if (!ms)
		return;
	/* wakes accept() with an error: the loop ends */
	shutdown(ms->fd, SHUT_RDWR);
	pthread_join(ms->thread, NULL);
	close(ms->fd);
	unlink(ms->path);
	if (ms->dir[0])
		rmdir(ms->dir);
	free(ms);
}
