/*
 * util.c - small helpers (see util.h).
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int grow_array(void *arr, size_t *cap, size_t need, size_t elem)
{
	void **p = arr;
	size_t n = *cap ? *cap : 8;
	void *more;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	more = realloc(*p, n * elem);
	if (!more)
		return -ENOMEM;
	*p = more;
	*cap = n;
	return 0;
}

int reserve_bytes(uint8_t **buf, size_t *size, size_t need)
{
	uint8_t *p;

	if (*size >= need)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*size = need;
	return 0;
}

void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

uint64_t popcount_bytes(const uint8_t *p, size_t n)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < n; i++)
		bits += (uint64_t)__builtin_popcount(p[i]);
	return bits;
}

int parse_duration(const char *s, uint64_t *seconds)
{
	char *end;
	unsigned long long v;
	unsigned mult;

	errno = 0;
	v = strtoull(s, &end, 10);
	mult = !strcmp(end, "h") ? 3600 : !strcmp(end, "m") ? 60 :
	       (!*end || !strcmp(end, "s")) ? 1 : 0;
	if (end == s || *s == '-' || errno || !mult || !v || v > UINT64_MAX / mult)
		return -EINVAL;
	*seconds = v * mult;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	unsigned shift = 0;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int split_range(const char *s, char *from, char *to, size_t size)
{
	const char *dots = strstr(s, "..");
	size_t left;

	if (!dots)
		return -EINVAL;
	left = (size_t)(dots - s);
	if (left >= size || strlen(dots + 2) >= size)
		return -ENAMETOOLONG;
	memcpy(from, s, left);
	from[left] = '\0';
	strcpy(to, dots + 2);
	return 0;
}

static bool shell_plain(const char *w)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!isalnum((unsigned char)*w) && !strchr("-_./=:,+@%", *w))
			return false;
	return true;
}

/* Appends @n bytes of @s at *@at; false when the buffer is full */
static bool put(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at + n >= size)
		return false;
	memcpy(buf + *at, s, n);
	*at += n;
	return true;
}

int shell_append(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf), at = len;
	bool plain = shell_plain(word), ok = put(buf, size, &at, " ", 1);

	if (!plain)
		ok = ok && put(buf, size, &at, "'", 1);
	for (const char *w = word; ok && *w; w++)
		ok = *w == '\'' && !plain ? put(buf, size, &at, "'\\''", 4) :
		     put(buf, size, &at, w, 1);
	if (!plain)
		ok = ok && put(buf, size, &at, "'", 1);
	buf[ok ? at : len] = '\0';
	return ok ? 0 : -ENAMETOOLONG;
}

int shell_join(char *const argv[], char *buf, size_t size)
{
	int ret = 0;

	buf[0] = '\0';
	for (int i = 0; !ret && argv[i]; i++)
		ret = shell_append(buf, size, argv[i]);
	/* shell_append puts a blank before every word */
	if (!ret && buf[0])
		memmove(buf, buf + 1, strlen(buf));
	return ret;
}

char *read_text_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *bigger;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 1 >= cap) {
			bigger = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!bigger) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = bigger;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}
