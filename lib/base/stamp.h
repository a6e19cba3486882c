/*
 * stamp.h - what tells one version of a file from another without
 * reading it: inode, size, modification and change times.  A file
 * replaced (a new inode) or written since (new times) has another stamp,
 * so a digest one process checked holds for another that finds the same
 * stamp: a sweep's workers need not hash again what their host just did.
 * File times tick with the kernel's coarse clock (a few ms): a write in
 * place within that tick that keeps the size goes unseen.  Checkpoint
 * files are replaced by rename when rebuilt, and traces grow when written.
 */
#ifndef MUSE_STAMP_H
#define MUSE_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file_stamp {
	uint64_t ino, size;
	int64_t mtime_ns, ctime_ns;
};

#define FILE_STAMP_TEXT 96

int file_stamp_of_fd(int fd, struct file_stamp *s);
int file_stamp_of_path(const char *path, struct file_stamp *s);
bool file_stamp_equal(const struct file_stamp *a, const struct file_stamp *b);
/* "INO:SIZE:MTIME_NS:CTIME_NS", and back (-EINVAL if it is not that) */
void file_stamp_format(const struct file_stamp *s, char buf[FILE_STAMP_TEXT]);
int file_stamp_parse(const char *text, struct file_stamp *s);

#endif
