/*
 * test_klog.c - the kernel log rules of a sweep: ECC reports pass only
 * under models that damage cells, a stack dump belongs to the message
 * before it, and WARNINGs always fail.
 */
#include "test.h"

#include <errno.h>

#include "klog.h"

static const char ecc_log[] =
	"notice UBIFS (ubi0:0): recovery needed\n"
	"err    ubi0 error: 0x6025c6d9: error -74 (ECC error) while reading 2048 bytes from PEB 70:4096, read 2048 bytes\n"
	"warn   CPU: 0 UID: 0 PID: 18 Comm: muse Not tainted 6.12.117 #7\n"
	"warn   Stack:\n"
	"warn    00000000 603585c0 603585c0 602f4b45\n"
	"warn   Call Trace:\n"
	"warn    [<600270d7>] ? 0x00000000600270d7\n"
	"err    UBIFS error (ubi0:0 pid 18): 0x601552b4: garbage\n"
	"notice UBIFS (ubi0:0): recovery completed\n";

TEST(klog_ecc_reports_pass_only_under_damaging_models)
{
	struct klog_rules *clean, *torn;
	struct muse_error e;
	char why[256];

	CHECK_INT(klog_rules_new(CUT_CLEAN, NULL, &clean, &e), 0);
	CHECK_INT(klog_rules_new(CUT_TORN, NULL, &torn, &e), 0);
	CHECK(klog_clean(torn, ecc_log, why, sizeof(why)));
	CHECK(!klog_clean(clean, ecc_log, why, sizeof(why)));
	CHECK_CONTAINS(why, "ECC error");
	CHECK(klog_clean(clean, "notice ubi0: attaching mtd0\ninfo   whatever\n", why,
			 sizeof(why)));
	klog_rules_free(clean);
	klog_rules_free(torn);
}

TEST(klog_trouble_fails_even_where_errors_are_allowed)
{
	static const char *const extra[] = { "UBIFS error .*: expected oddity", NULL };
	struct klog_rules *r;
	struct muse_error e;
	char why[256];

	CHECK_INT(klog_rules_new(CUT_TORN, extra, &r, &e), 0);
	CHECK(!klog_clean(r, "warn   WARNING: CPU: 0 PID: 9 at fs/ubifs/io.c:123\n", why,
			  sizeof(why)));
	CHECK_CONTAINS(why, "WARNING");
	/* a stack dump that follows no allowed message is trouble */
	CHECK(!klog_clean(r, "warn   Call Trace:\n", why, sizeof(why)));
	CHECK(!klog_clean(r, "err    UBIFS error (ubi0:0 pid 1): bad LEB 3\n", why,
			  sizeof(why)));
	CHECK(klog_clean(r, "err    UBIFS error (ubi0:0 pid 1): expected oddity\n", why,
			 sizeof(why)));
	/* errors of other subsystems are not the filesystem's */
	CHECK(klog_clean(r, "err    hostfs: something\n", why, sizeof(why)));
	klog_rules_free(r);
	CHECK_INT(klog_rules_new(CUT_CLEAN, (const char *const[]){ "(", NULL }, &r, &e),
		  -EINVAL);
	CHECK_CONTAINS(e.msg, "bad pattern");
}
