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

/* The name of a kind, and the kind of a name, from one table */
#define KIND_NAMES(prefix, type, table)					\
const char *prefix##_name(type kind)						\
{										\
	return name_of(table, COUNT(table), (unsigned)kind);			\
}										\
										\
int prefix##_parse(const char *name, type *kind)				\
{										\
	unsigned i;								\
	int ret = index_of(table, COUNT(table), name, &i);			\
										\
	if (!ret)								\
		*kind = (type)i;						\
	return ret;								\
}

KIND_NAMES(trace_op_kind, enum trace_op_kind, op_kinds)
KIND_NAMES(trace_file_kind, enum trace_file_kind, file_kinds)
KIND_NAMES(trace_violation_kind, enum flash_violation_kind, violation_kinds)
