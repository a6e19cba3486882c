/*
 * util.h - small helpers every layer needs once: growing arrays, counting
 * bits, the two number syntaxes users type (sizes and ranges), quoting
 * for a shell and for JSON, whole files read.
 */
#ifndef MUSE_UTIL_H
#define MUSE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Makes the array at *@arr (of *@cap elements of @elem bytes) hold at
 * least @need elements, doubling its capacity; -ENOMEM leaves it as it was.
 */
int grow_array(void *arr, size_t *cap, size_t need, size_t elem);

/* Makes the buffer at *@buf (of *@size bytes) hold at least @need bytes. */
int reserve_bytes(uint8_t **buf, size_t *size, size_t need);

/* Closes *@fd if it is open and marks it closed (-1) */
void close_fd(int *fd);

/* Set bits in @n bytes */
uint64_t popcount_bytes(const uint8_t *p, size_t n);

/* "4096", "0x800", "128k", "16M", "1G" */
int parse_size(const char *s, uint64_t *out);

/* "90", "90s", "15m", "2h": a positive number of seconds; -EINVAL */
int parse_duration(const char *s, uint64_t *seconds);

/*
 * "A..B" split into its two sides, each copied into a buffer of @size
 * bytes; either side may be empty (from the start, to the end).
 * -EINVAL without "..", -ENAMETOOLONG when a side does not fit.
 */
int split_range(const char *s, char *from, char *to, size_t size);

/*
 * Appends " @word" to the string in @buf (of @size bytes), quoted for a
 * POSIX shell where it needs it.  -ENAMETOOLONG, @buf unchanged, when it
 * does not fit.
 */
int shell_append(char *buf, size_t size, const char *word);

/* @argv as one shell command line (shell_append for each word) */
int shell_join(char *const argv[], char *buf, size_t size);

/*
 * The whole file at @path in a new buffer, NUL-terminated (@len, if not
 * NULL, gets its length); NULL if it cannot be read.
 */
char *read_text_file(const char *path, size_t *len);

/* @s as a JSON string, quotes included (NULL as "") */
void json_string(FILE *f, const char *s);

#endif
