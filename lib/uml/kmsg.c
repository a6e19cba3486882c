/*
 * kmsg.c - reading /dev/kmsg (see kmsg.h).  Each read returns one record:
 * "level,seq,usec,flags;text\n" followed by continuation lines.
 */
#define _GNU_SOURCE
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const levels[] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int kmsg_drain(int fd, FILE *out, const char *prefix)
{
	char rec[8192];
	int count = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	/* EPIPE: records were overwritten before we read them; go on */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *text, *nl;
		int level;

		if (n < 0)
			continue;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		level = atoi(rec) & 7;
		nl = strchr(++text, '\n');
		if (nl)
			*nl = '\0';
		fprintf(out, "%s%-6s %s\n", prefix, levels[level], text);
		count++;
	}
	return count;
}

void kmsg_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
