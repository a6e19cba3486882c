/*
 * test_pool.c - commands run in parallel: every one started once, its
 * lines heard whole and in order, its exit status reported, never more
 * running than there are slots.
 */
#include "test.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "pool.h"

struct jobs {
	int next, total;
	char *argv[8][4];
	char script[8][128];
	int lines[8];
	int exit_code[8];
	int slot_of[POOL_MAX_SLOTS];
	int running, most_running, bad_lines;
};

static int next_job(void *ctx, unsigned slot, char ***argv)
{
	struct jobs *j = ctx;
	int k = j->next;

	if (k == j->total)
		return 0;
	j->next++;
	/* job k prints k+1 lines "k i", then exits with k */
	snprintf(j->script[k], sizeof(j->script[k]),
		 "for i in $(seq 1 %d); do echo \"%d $i\"; done; exit %d", k + 1, k, k);
	j->argv[k][0] = "/bin/sh";
	j->argv[k][1] = "-c";
	j->argv[k][2] = j->script[k];
	j->argv[k][3] = NULL;
	*argv = j->argv[k];
	j->slot_of[slot] = k;
	if (++j->running > j->most_running)
		j->most_running = j->running;
	return 1;
}

static void job_line(void *ctx, unsigned slot, const char *line)
{
	struct jobs *j = ctx;
	int k = j->slot_of[slot], who, i;

	if (sscanf(line, "%d %d", &who, &i) != 2 || who != k || i != j->lines[k] + 1)
		j->bad_lines++;
	else
		j->lines[k]++;
}

static void job_done(void *ctx, unsigned slot, int status)
{
	struct jobs *j = ctx;

	j->exit_code[j->slot_of[slot]] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	j->running--;
}

static void tick(void *ctx)
{
	(void)ctx;
}

TEST(pool_runs_every_command_and_hears_every_line)
{
	struct jobs j = { .total = 7 };
	struct pool_ops ops = { .ctx = &j, .next = next_job, .line = job_line,
				.done = job_done, .tick = tick };
	struct muse_error e;

	CHECK_INT(pool_run(3, &ops, &e), 0);
	CHECK_INT(j.next, 7);
	CHECK_INT(j.running, 0);
	CHECK(j.most_running <= 3);
	CHECK_INT(j.bad_lines, 0);
	for (int k = 0; k < 7; k++) {
		CHECK_INT(j.lines[k], k + 1);
		CHECK_INT(j.exit_code[k], k);
	}
	CHECK_INT(pool_run(0, &ops, &e), -EINVAL);
}
