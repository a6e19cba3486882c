/*
 * test_stamp.c - file stamps: written out and read back, and another
 * stamp once the file is written or replaced.
 */
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "stamp.h"

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST(stamp_round_trips_and_refuses_other_text)
{
	struct file_stamp s = { .ino = 5310921, .size = 259563856,
				.mtime_ns = 1796231393037070855, .ctime_ns = 7 }, back;
	char text[FILE_STAMP_TEXT];

	file_stamp_format(&s, text);
	CHECK_STR(text, "5310921:259563856:1796231393037070855:7");
	CHECK_INT(file_stamp_parse(text, &back), 0);
	CHECK(file_stamp_equal(&s, &back));
	CHECK_INT(file_stamp_parse("1:2:3", &back), -EINVAL);
	CHECK_INT(file_stamp_parse("1:2:3:4x", &back), -EINVAL);
	CHECK_INT(file_stamp_parse("", &back), -EINVAL);
}

TEST(stamp_changes_when_the_file_is_written_or_replaced)
{
	struct file_stamp a, b;
	char path[512], other[520];

	snprintf(path, sizeof(path), "%s/stamped", test_tmpdir());
	snprintf(other, sizeof(other), "%s.new", path);
	CHECK_INT(write_file(path, "one"), 0);
	CHECK_INT(file_stamp_of_path(path, &a), 0);
	CHECK_INT(file_stamp_of_path(path, &b), 0);
	CHECK(file_stamp_equal(&a, &b));
	usleep(30000);		/* file times tick with the kernel's coarse clock */
	CHECK_INT(write_file(path, "two"), 0);
	CHECK_INT(file_stamp_of_path(path, &b), 0);
	CHECK(!file_stamp_equal(&a, &b));
	a = b;
	CHECK_INT(write_file(other, "two"), 0);
	CHECK_INT(rename(other, path), 0);
	CHECK_INT(file_stamp_of_path(path, &b), 0);
	CHECK(!file_stamp_equal(&a, &b));
	CHECK_INT(file_stamp_of_path(other, &b), -ENOENT);
}
