/*
 * names.c - the names of a trace's kinds (see names.h).
 */
#include "names.h"

#include <errno.h>
#include <string.h>

static const char *const op_kinds[] = {
	[TRACE_PROGRAM] = "program",
	[TRACE_ERASE] = "erase",
	[TRACE_MARKBAD] = "markbad",
};

static const char *const file_kinds[] = {
	[TRACE_FILE_EXPECT] = "expect",
	[TRACE_FILE_IN_PLACE] = "in-place",
	[TRACE_FILE_ABSENT] = "absent",
};

static const char *const violation_kinds[] = {
	[FLASH_VIOLATION_NOP] = "nop",
	[FLASH_VIOLATION_ORDER] = "order",
	[FLASH_VIOLATION_ONE_OVER_ZERO] = "one-over-zero",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *table, size_t n, unsigned i)
{
	return i < n ? table[i] : NULL;
}

static int index_of(const char *const *table, size_t n, const char *name,
		    unsigned *i)
{
	for (size_t k = 0; name && k < n; k++) {
		if (table[k] && !strcmp(table[k], name)) {
			*i = (unsigned)k;
			return 0;
		}
	}
	return -EINVAL;
}

const char *trace_op_kind_name(enum trace_op_kind kind)
{
	return name_of(op_kinds, COUNT(op_kinds), (unsigned)kind);
}

int trace_op_kind_parse(const char *name, enum trace_op_kind *kind)
{
	unsigned i;
	int ret = index_of(op_kinds, COUNT(op_kinds), name, &i);

	if (!ret)
		*kind = (enum trace_op_kind)i;
	return ret;
}

const char *trace_file_kind_name(enum trace_file_kind kind)
{
	return name_of(file_kinds, COUNT(file_kinds), (unsigned)kind);
}

int trace_file_kind_parse(const char *name, enum trace_file_kind *kind)
{
	unsigned i;
	int ret = index_of(file_kinds, COUNT(file_kinds), name, &i);

	if (!ret)
		*kind = (enum trace_file_kind)i;
	return ret;
}

const char *trace_violation_kind_name(enum flash_violation_kind kind)
{
	return name_of(violation_kinds, COUNT(violation_kinds), (unsigned)kind);
}

int trace_violation_kind_parse(const char *name, enum flash_violation_kind *kind)
{
	unsigned i;
	int ret = index_of(violation_kinds, COUNT(violation_kinds), name, &i);

	if (!ret)
		*kind = (enum flash_violation_kind)i;
	return ret;
}
