/*
 * listing.c - listing a mounted tree (see listing.h).
 */
#define _GNU_SOURCE
#include "listing.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "util.h"

struct entries {
	char **path;
	size_t count, cap;
	size_t root_len;
};

/* nftw passes no context: one listing at a time */
static struct entries *collecting;

static int collect(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	struct entries *l = collecting;

	(void)st;
	(void)type;
	if (!ftw->level)
		return 0;
	if (grow_array(&l->path, &l->cap, l->count + 1, sizeof(*l->path)))
		return -1;
	l->path[l->count] = strdup(path + l->root_len + 1);
	return l->path[l->count++] ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int print_entry(const char *root, const char *rel, FILE *out)
{
	char path[8192], target[4096], hex[65];
	uint8_t sum[32];
	struct stat st;
	uint64_t size;
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lstat(path, &st)) {
		fprintf(out, "?     %s: %s\n", rel, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(out, "dir   %s/\n", rel);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fprintf(out, "link  %s -> %s\n", rel, target);
	} else if (S_ISREG(st.st_mode)) {
		ret = sha256_file(path, sum, &size);
		if (ret) {
			fprintf(out, "file  %s: %s\n", rel, strerror(-ret));
			return 1;
		}
		sha256_hex(sum, hex);
		fprintf(out, "file  %s %" PRIu64 " %s\n", rel, size, hex);
	} else {
		fprintf(out, "other %s\n", rel);
	}
	return 0;
}

int listing_print(const char *dir, FILE *out)
{
	struct entries l = { .root_len = strlen(dir) };
	int ret = 0;

	collecting = &l;
	if (nftw(dir, collect, 32, FTW_PHYS | FTW_MOUNT)) {
		fprintf(out, "listing %s failed: %s\n", dir, strerror(errno));
		ret = 1;
	}
	collecting = NULL;
	qsort(l.path, l.count, sizeof(*l.path), by_name);
	for (size_t i = 0; i < l.count; i++) {
		ret |= print_entry(dir, l.path[i], out);
		free(l.path[i]);
	}
	free(l.path);
	fprintf(out, "%zu entries\n", l.count);
	return ret;
}
