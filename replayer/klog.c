/*
 * klog.c - judging kernel messages (see klog.h).
 */
#define _GNU_SOURCE
#include "klog.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 64

struct klog_rules {
	regex_t allow[MAX_RULES];
	int count;
	regex_t subsystem, trouble, stack;
};

/*
 * What a power cut may make the kernel say, by model.  Reading a page
 * or a header that ECC cannot correct is exactly what a cut program or
 * erase causes: UBI reports it (with a stack dump) and retries; UBIFS
 * reports the failed read (-74, EBADMSG) and the garbage or bad node its
 * scans find there (scan.c prints those even for the quiet scans whose
 * failure recovery handles); JFFS2 skips the node.  Whether recovery
 * then got it right is for the oracle, the second mount and the
 * self-checks to say.
 */
static const char *const ecc_allow[] = {
	"ubi[0-9]+ error: .*error -74 \\(ECC error\\)",
	"UBIFS error \\([^)]*\\): .*reading [0-9]+ bytes from LEB [0-9]+:[0-9]+ failed, error -74",
	"UBIFS error \\([^)]*\\): .*: (garbage|bad node)$",
	"jffs2: .*(ECC|-74)",
	NULL,
};
static const char *const none_allow[] = { NULL };

/*
 * What the faults a trace recorded (docs/faults.md) make the kernel say
 * when it meets their cells again: the ECC failures of a failed program or
 * erase, and UBI's word on the blocks that went bad.
 */
static const char *const fault_allow[] = {
	"ubi[0-9]+ (error|warning): .*(bad physical eraseblock|read-only mode|"
	"reserved/available|PEBs left in the reserve|mark PEB)",
	NULL,
};

const char *klog_crash_pattern(void)
{
	return "BUG:|WARNING:|Oops|KASAN|UBSAN|possible recursive locking|"
	       "possible circular locking|inconsistent lock state|INFO: task .* blocked|"
	       "hung_task|soft lockup|rcu_sched self-detected|general protection|"
	       "Kernel panic|kernel BUG|ODEBUG|UBIFS assert failed";
}

const char *const *klog_default_allow(enum cut_model m)
{
	return m == CUT_CLEAN ? none_allow : ecc_allow;
}


/* The subsystems whose errors count, and trouble from anywhere */
static const char subsystem_re[] =
	"^(ubi[0-9]*|UBI|UBIFS|ubifs|jffs2|JFFS2|mtd|MTD|muse|nand)";
static const char trouble_re[] =
	"WARNING:|BUG|Oops|assert|general protection|Kernel panic|KASAN|UBSAN";
/* The lines of a stack dump, which belong to the message before them */
static const char stack_re[] =
	"^(CPU: |Stack:|Call Trace:|Hardware name|Modules linked|\\[<|\\? |[0-9a-f]{8} )";

static int compile(regex_t *re, const char *pattern, struct muse_error *e)
{
	char msg[256];
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);

	if (!rc)
		return 0;
	regerror(rc, re, msg, sizeof(msg));
	return muse_fail(e, -EINVAL, "bad pattern \"%s\": %s", pattern, msg);
}

static int add_all(struct klog_rules *r, const char *const *list,
		   struct muse_error *e)
{
	for (int i = 0; list && list[i]; i++) {
		if (r->count == MAX_RULES)
			return muse_fail(e, -E2BIG, "more than %d allow patterns", MAX_RULES);
		if (compile(&r->allow[r->count], list[i], e))
			return -EINVAL;
		r->count++;
	}
	return 0;
}

int klog_rules_new(enum cut_model m, const char *const *extra,
		   struct klog_rules **out, struct muse_error *e)
{
	struct klog_rules *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return muse_fail(e, -ENOMEM, "out of memory");
	ret = compile(&r->subsystem, subsystem_re, e);
	if (!ret)
		ret = compile(&r->trouble, trouble_re, e);
	if (!ret)
		ret = compile(&r->stack, stack_re, e);
	if (!ret)
		ret = add_all(r, klog_default_allow(m), e);
	if (!ret)
		ret = add_all(r, extra, e);
	if (ret) {
		klog_rules_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int klog_rules_allow_faults(struct klog_rules *r, struct muse_error *e)
{
	int ret = add_all(r, ecc_allow, e);

	return ret ? ret : add_all(r, fault_allow, e);
}

void klog_rules_free(struct klog_rules *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->count; i++)
		regfree(&r->allow[i]);
	regfree(&r->subsystem);
	regfree(&r->trouble);
	regfree(&r->stack);
	free(r);
}

static bool matches(const regex_t *re, const char *s)
{
	return !regexec(re, s, 0, NULL, 0);
}

static bool allowed(const struct klog_rules *r, const char *text)
{
	for (int i = 0; i < r->count; i++)
		if (matches(&r->allow[i], text))
			return true;
	return false;
}

/* emerg, alert, crit and err are errors */
static bool error_level(const char *level)
{
	return !strncmp(level, "emerg", 5) || !strncmp(level, "alert", 5) ||
	       !strncmp(level, "crit", 4) || !strncmp(level, "err", 3);
}

bool klog_clean(const struct klog_rules *r, const char *log, char *why,
		size_t size)
{
	bool after_allowed = false;
	const char *line = log;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024];
		const char *text;
		bool bad;

		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), line);
		line = nl ? nl + 1 : NULL;
		text = buf + strcspn(buf, " ");
		text += strspn(text, " ");
		if (matches(&r->stack, text)) {
			bad = !after_allowed;
		} else {
			bad = (error_level(buf) && matches(&r->subsystem, text)) ||
			      matches(&r->trouble, text);
			after_allowed = bad && allowed(r, text);
			bad = bad && !after_allowed;
		}
		if (bad) {
			snprintf(why, size, "kernel: %s", buf);
			return false;
		}
	}
	return true;
}
