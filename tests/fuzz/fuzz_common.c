/*
 * fuzz_common.c - scratch files and strings for the harnesses (see fuzz.h).
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash.h"
#include "geometry.h"

static char dir[PATH_MAX];

const char *fuzz_path(const char *name)
{
	static char path[PATH_MAX];

	if (!dir[0]) {
		const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

		snprintf(dir, sizeof(dir), "%s/muse-fuzz.XXXXXX", base);
		if (!mkdtemp(dir))
			abort();
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		abort();
	return path;
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	return path;
}

char *fuzz_string(const uint8_t *data, size_t size, size_t max)
{
	char *s;

	if (size > max)
		size = max;
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

struct flash *fuzz_chip(const char *spec)
{
	struct flash_options opt = { 0 };
	struct muse_error e;
	struct geometry g;
	struct flash *f;

	if (geometry_parse(spec, &g, &e) || flash_create(&g, &opt, &f, &e))
		abort();
	return f;
}
