/*
 * test_names.c - every kind a trace stores has one name, and each name
 * reads back as its kind; anything else is refused.
 */
#include "test.h"

#include <errno.h>

#include "names.h"

TEST(names_round_trip_and_refuse_strangers)
{
	enum trace_file_kind fk;
	enum trace_op_kind ok;
	enum flash_violation_kind vk;

	for (int k = TRACE_FILE_EXPECT; k <= TRACE_FILE_ABSENT; k++) {
		CHECK_INT(trace_file_kind_parse(trace_file_kind_name(k), &fk), 0);
		CHECK_INT(fk, k);
	}
	for (int k = TRACE_PROGRAM; k <= TRACE_MARKBAD; k++) {
		CHECK_INT(trace_op_kind_parse(trace_op_kind_name(k), &ok), 0);
		CHECK_INT(ok, k);
	}
	for (int k = 0; k < FLASH_VIOLATION_KINDS; k++) {
		CHECK_INT(trace_violation_kind_parse(trace_violation_kind_name(k), &vk), 0);
		CHECK_INT(vk, k);
	}
	CHECK_STR(trace_file_kind_name(TRACE_FILE_IN_PLACE), "in-place");
	CHECK_STR(trace_op_kind_name(TRACE_MARKBAD), "markbad");
	CHECK_STR(trace_violation_kind_name(FLASH_VIOLATION_ONE_OVER_ZERO), "one-over-zero");
	CHECK_INT(trace_file_kind_parse("Expect", &fk), -EINVAL);
	CHECK_INT(trace_op_kind_parse("", &ok), -EINVAL);
	CHECK_INT(trace_violation_kind_parse(NULL, &vk), -EINVAL);
	CHECK(trace_op_kind_name(0) == NULL);
	CHECK(trace_file_kind_name(99) == NULL);
}
