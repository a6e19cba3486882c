/*
 * pool.c - running commands in parallel (see pool.h).
 */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
	pid_t pid;
	int out;		/* its stdout, -1 once it ended */
	char buf[512];
	size_t len;
};

static int start(struct child *c, char **argv)
{
	int pipefd[2];

	if (pipe(pipefd))
		return -errno;
	fflush(NULL);
	c->pid = fork();
	if (c->pid == 0) {
		/* a child whose parent is gone must not write on */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	if (c->pid < 0) {
		close(pipefd[0]);
		return -errno;
	}
	c->out = pipefd[0];
	c->len = 0;
	return 0;
}

/* Reads what is there; complete lines go to ops->line */
static void take_lines(struct child *c, unsigned slot, const struct pool_ops *ops)
{
	ssize_t n = read(c->out, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	char *nl;

	if (n <= 0) {
		close(c->out);
		c->out = -1;
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n'))) {
		*nl = '\0';
		ops->line(ops->ctx, slot, c->buf);
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1)
		c->len = 0;	/* a line too long to be meant for us */
}

static void reap(struct child *c, unsigned slot, const struct pool_ops *ops)
{
	int status;

	if (waitpid(c->pid, &status, 0) < 0)
		status = -1;
	c->pid = 0;
	ops->done(ops->ctx, slot, status);
}

static void wait_for_output(struct child *kids, unsigned slots,
			    const struct pool_ops *ops)
{
	struct pollfd fds[POOL_MAX_SLOTS];
	unsigned slot[POOL_MAX_SLOTS], open = 0;

	for (unsigned i = 0; i < slots; i++) {
		if (!kids[i].pid)
			continue;
		fds[open] = (struct pollfd){ .fd = kids[i].out, .events = POLLIN };
		slot[open++] = i;
	}
	if (poll(fds, open, 1000) < 0 && errno != EINTR)
		return;
	for (unsigned k = 0; k < open; k++) {
		struct child *c = &kids[slot[k]];

		if (!fds[k].revents)
			continue;
		take_lines(c, slot[k], ops);
		if (c->out < 0)
			reap(c, slot[k], ops);
	}
	ops->tick(ops->ctx);
}

/* Fills free slots; 0 when nothing more is to come */
static int fill(struct child *kids, unsigned slots, const struct pool_ops *ops,
		bool *more)
{
	for (unsigned i = 0; *more && i < slots; i++) {
		char **argv;
		int ret;

		if (kids[i].pid)
			continue;
		ret = ops->next(ops->ctx, i, &argv);
		if (ret < 0)
			return ret;
		*more = ret == 1;
		if (*more && (ret = start(&kids[i], argv)))
			return ret;
	}
	return 0;
}

int pool_run(unsigned slots, const struct pool_ops *ops, struct muse_error *e)
{
	struct child kids[POOL_MAX_SLOTS] = { 0 };
	bool more = true, running;
	int ret = 0;

	if (!slots || slots > POOL_MAX_SLOTS)
		return muse_fail(e, -EINVAL, "%u jobs: 1 to %d", slots, POOL_MAX_SLOTS);
	do {
		if (!ret)
			ret = fill(kids, slots, ops, &more);
		if (ret)
			more = false;
		running = false;
		for (unsigned i = 0; i < slots; i++)
			running |= kids[i].pid != 0;
		if (running)
			wait_for_output(kids, slots, ops);
	} while (running || more);
	return ret ? muse_fail(e, ret, "starting a job: %s", strerror(-ret)) : 0;
}
