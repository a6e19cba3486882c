/*
 * daemon.c - the serving loop shared by "muse serve" and "muse replay"
 * (see serving.h).
 */
#define _GNU_SOURCE
#include "daemon.h"

#include <signal.h>

/* The one server a stop signal ends; set while it serves */
static struct muse_server *serving;

static void on_stop_signal(int sig)
{
	(void)sig;
	muse_server_interrupt(serving);
}

/* From here on SIGINT and SIGTERM end the connection cleanly. */
static void stop_on_signals(struct muse_server *s)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	serving = s;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void print_devices(FILE *out, const struct muse_mtd_list *list)
{
	for (uint32_t i = 0; i < list->count; i++)
		fprintf(out, "/dev/mtd%d\n", list->index[i]);
	fflush(out);
}

int serve_until_stopped(const struct muse_server_config *cfg,
			const struct muse_backend *be, FILE *devices,
			bool *served, struct muse_server_stats *st,
			struct muse_error *e)
{
	struct muse_mtd_list list;
	struct muse_server *s;
	int ret = muse_server_start(cfg, be, &s, e);

	*served = false;
	if (ret)
		return ret;
	stop_on_signals(s);
	ret = muse_server_wait_mtd(s, 10000, &list, e);
	if (!ret) {
		print_devices(devices, &list);
		*served = true;
		ret = muse_server_run(s, e);
		muse_server_get_stats(s, st);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	serving = NULL;
	muse_server_close(s);
	return ret;
}
