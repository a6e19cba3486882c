/*
 * names.h - the names of the kinds a trace stores, one table each: as the
 * trace's TEXT columns hold them, as "muse mark" sends them, and as
 * "muse inspect" prints and takes them.
 */
#ifndef MUSE_NAMES_H
#define MUSE_NAMES_H

#include "flash.h"
#include "trace.h"

/* program, erase, markbad; NULL for a kind that is none of them */
const char *trace_op_kind_name(enum trace_op_kind kind);
/* -EINVAL for a name that is none of them */
int trace_op_kind_parse(const char *name, enum trace_op_kind *kind);

/* expect, in-place, absent; NULL for a kind that is none of them */
const char *trace_file_kind_name(enum trace_file_kind kind);
int trace_file_kind_parse(const char *name, enum trace_file_kind *kind);

/* nop, order, one-over-zero; NULL for a kind that is none of them */
const char *trace_violation_kind_name(enum flash_violation_kind kind);
int trace_violation_kind_parse(const char *name, enum flash_violation_kind *kind);

#endif
