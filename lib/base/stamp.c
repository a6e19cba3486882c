/*
 * stamp.c - file stamps (see stamp.h).
 */
#include "stamp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void stamp_of_stat(const struct stat *st, struct file_stamp *s)
{
	*s = (struct file_stamp){ .ino = st->st_ino, .size = (uint64_t)st->st_size,
				  .mtime_ns = ns_of(&st->st_mtim),
				  .ctime_ns = ns_of(&st->st_ctim) };
}

int file_stamp_of_fd(int fd, struct file_stamp *s)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	stamp_of_stat(&st, s);
	return 0;
}

int file_stamp_of_path(const char *path, struct file_stamp *s)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	stamp_of_stat(&st, s);
	return 0;
}

bool file_stamp_equal(const struct file_stamp *a, const struct file_stamp *b)
{
	return a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns &&
	       a->ctime_ns == b->ctime_ns;
}

void file_stamp_format(const struct file_stamp *s, char buf[FILE_STAMP_TEXT])
{
	snprintf(buf, FILE_STAMP_TEXT, "%" PRIu64 ":%" PRIu64 ":%" PRId64 ":%" PRId64,
		 s->ino, s->size, s->mtime_ns, s->ctime_ns);
}

int file_stamp_parse(const char *text, struct file_stamp *s)
{
	int end = 0;

	if (sscanf(text, "%" SCNu64 ":%" SCNu64 ":%" SCNd64 ":%" SCNd64 "%n", &s->ino,
		   &s->size, &s->mtime_ns, &s->ctime_ns, &end) != 4 || text[end])
		return -EINVAL;
	return 0;
}
