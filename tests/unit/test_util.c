/*
 * test_util.c - the small helpers: arrays and buffers that grow, bits
 * counted, sizes and A..B ranges as users type them.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "util.h"

TEST(util_parse_size_takes_suffixes_and_refuses_the_rest)
{
	uint64_t v;

	CHECK_INT(parse_size("64k", &v), 0);
	CHECK_INT(v, 65536);
	CHECK_INT(parse_size("0x800", &v), 0);
	CHECK_INT(v, 2048);
	CHECK_INT(parse_size("1G", &v), 0);
	CHECK_INT(v, 1ull << 30);
	CHECK_INT(parse_size("-1", &v), -EINVAL);
	CHECK_INT(parse_size("12q", &v), -EINVAL);
	CHECK_INT(parse_size("", &v), -EINVAL);
}

TEST(util_split_range_takes_either_side_empty)
{
	char a[8], b[8];

	CHECK_INT(split_range("3..mark:xyz", a, b, sizeof(a)), -ENAMETOOLONG);
	CHECK_INT(split_range("3..end", a, b, sizeof(a)), 0);
	CHECK_STR(a, "3");
	CHECK_STR(b, "end");
	CHECK_INT(split_range("..7", a, b, sizeof(a)), 0);
	CHECK_STR(a, "");
	CHECK_STR(b, "7");
	CHECK_INT(split_range("5..", a, b, sizeof(a)), 0);
	CHECK_STR(a, "5");
	CHECK_STR(b, "");
	CHECK_INT(split_range("5-7", a, b, sizeof(a)), -EINVAL);
}

TEST(util_shell_append_quotes_what_a_shell_would_split)
{
	char buf[40] = "muse";

	CHECK_INT(shell_append(buf, sizeof(buf), "--at"), 0);
	CHECK_INT(shell_append(buf, sizeof(buf), "a b"), 0);
	CHECK_INT(shell_append(buf, sizeof(buf), "it's"), 0);
	CHECK_STR(buf, "muse --at 'a b' 'it'\\''s'");
	CHECK_INT(shell_append(buf, sizeof(buf), "$HOME"), 0);
	CHECK_STR(buf, "muse --at 'a b' 'it'\\''s' '$HOME'");
	CHECK_INT(shell_append(buf, sizeof(buf), "0123456789"), -ENAMETOOLONG);
	CHECK_STR(buf, "muse --at 'a b' 'it'\\''s' '$HOME'");
	CHECK_INT(shell_append(buf, sizeof(buf), ""), 0);
	CHECK_CONTAINS(buf, "'$HOME' ''");
}

TEST(util_grow_array_keeps_what_it_held)
{
	int *v = NULL;
	size_t cap = 0;

	for (int i = 0; i < 1000; i++) {
		CHECK_INT(grow_array(&v, &cap, (size_t)i + 1, sizeof(*v)), 0);
		CHECK(cap > (size_t)i);
		v[i] = i * 3;
	}
	for (int i = 0; i < 1000; i++)
		CHECK_INT(v[i], i * 3);
	CHECK_INT(grow_array(&v, &cap, 10, sizeof(*v)), 0);
	CHECK(cap >= 1000);
	free(v);
}

TEST(util_reserve_bytes_and_popcount)
{
	static const uint8_t bits[] = { 0xff, 0x01, 0x80, 0x00, 0x3c };
	uint8_t *buf = NULL;
	size_t size = 0;

	CHECK_INT(reserve_bytes(&buf, &size, 100), 0);
	CHECK_INT(size, 100);
	memset(buf, 0xa5, 100);
	CHECK_INT(reserve_bytes(&buf, &size, 50), 0);
	CHECK_INT(size, 100);
	CHECK_INT(reserve_bytes(&buf, &size, 4000), 0);
	CHECK_INT(buf[99], 0xa5);
	free(buf);
	CHECK_INT(popcount_bytes(bits, sizeof(bits)), 8 + 1 + 1 + 0 + 4);
	CHECK_INT(popcount_bytes(bits, 0), 0);
}
