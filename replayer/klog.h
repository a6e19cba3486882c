/*
 * klog.h - judging the kernel's messages from an attach, a mount and a
 * check: trouble from MTD, UBI, UBIFS or JFFS2 (an error, a warning
 * splat, a failed assertion, a BUG) fails a cut point unless an
 * allow-list says the cut model causes it.
 *
 * Messages come as kmsg_drain() writes them: "LEVEL  text" per line.
 */
#ifndef MUSE_KLOG_H
#define MUSE_KLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "cut.h"
#include "error.h"

struct klog_rules;

/*
 * The rules for cut model @m: its built-in allow-list plus @extra
 * (POSIX extended regular expressions, NULL-terminated, may be NULL).
 */
int klog_rules_new(enum cut_model m, const char *const *extra,
		   struct klog_rules **out, struct muse_error *e);
void klog_rules_free(struct klog_rules *r);

/*
 * Adds what a trace's injected faults make the kernel say (ECC failures,
 * UBI on blocks gone bad): for the points of a trace recorded with
 * --faults, whatever the cut model.
 */
int klog_rules_allow_faults(struct klog_rules *r, struct muse_error *e);

/*
 * A kernel in trouble, whatever the subsystem: BUG, WARNING, Oops, KASAN,
 * UBSAN, lockdep, hung tasks, soft lockups, RCU stalls, failed UBIFS
 * assertions (an extended regular expression, for fuzzing verdicts)
 */
const char *klog_crash_pattern(void);

/* The built-in allow-list of @m, for documentation and --help */
const char *const *klog_default_allow(enum cut_model m);

/*
 * True when @log holds nothing the rules object to; otherwise @why gets
 * the first offending line.
 */
bool klog_clean(const struct klog_rules *r, const char *log, char *why,
		size_t size);

#endif
