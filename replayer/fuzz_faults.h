/*
 * fuzz_faults.h - fault injection campaigns: a workload recorded again and
 * again, each run on a chip failing as a plan drawn from the seed says,
 * each judged like a sweep point.
 *
 * A campaign lives in a directory: the baseline recording (the workload
 * on a healthy chip, which gives the op range plans are drawn over),
 * runs/ID.* for every run (trace, kernel log, outputs, verdict), and
 * failures/ID/ for every run that found something: the plan, the kernel
 * log, the commands that reproduce it.  A run's verdict:
 *
 *   crash     the kernel log holds a BUG, WARNING, Oops, KASAN, UBSAN,
 *             lockdep or hung-task report, or the guest died
 *   fail      the state the run ended with (or, with cut_at_random, a
 *             power cut drawn within the run) does not pass the sweep's
 *             checks: mount, a clean kernel log beyond what faults cause,
 *             remount, the files the marks declared, --check
 *   workload  the workload failed (an I/O error, a read-only filesystem:
 *             what faults may cause), the state still passed
 *   loss      the state failed because cells were damaged (retention,
 *             read disturb, stuck bits) beyond what the chip corrects,
 *             and the filesystem saw it: on a chip without ECC (NOR) a
 *             CRC failure in its log, on NAND an I/O error reported
 *   pass
 *
 * Runs whose verdict file exists are not run again: a campaign stopped
 * part way goes on where it was.
 */
#ifndef MUSE_FUZZ_FAULTS_H
#define MUSE_FUZZ_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct fuzz_faults_options {
	const char *out;		/* the campaign's directory */
	uint64_t runs;			/* 0: as many as the time allows */
	uint64_t seconds;		/* 0: no limit */
	unsigned jobs;
	uint64_t seed;
	unsigned kinds;			/* 1 << enum fault_kind */
	bool cut_at_random;
	const char *check;		/* NULL: none */
	const char *geometry;
	const char *fs;
	const char *kernel;		/* NULL: the default */
	const char *mem;		/* NULL: the default */
	char **workload;
};

enum fuzz_verdict {
	FUZZ_PASS,
	FUZZ_WORKLOAD,
	FUZZ_LOSS,
	FUZZ_FAIL,
	FUZZ_CRASH,
	FUZZ_ERROR,
	FUZZ_VERDICTS
};

const char *fuzz_verdict_name(enum fuzz_verdict v);
/* The verdict named by the @len bytes at @s, or -1 */
int fuzz_verdict_parse(const char *s, size_t len);

/*
 * 0 nothing found, 1 a crash or a failure found, 2 runs that could not be
 * judged (and nothing found), < 0 a tool error
 */
int fuzz_faults_campaign(const struct fuzz_faults_options *o,
			 struct muse_error *e);

/*
 * "muse record" of the workload into @trace (kernel log @log, its output
 * into @out), under @plan unless it is NULL: the exit status
 */
int fuzz_faults_record(const struct fuzz_faults_options *o, const char *trace,
		       const char *log, const char *plan, const char *out);

/*
 * One run, in its own process (the campaign's workers): records
 * runs/@id.db under @plan, judges it, writes runs/@id.verdict and prints
 * "verdict: V\treason" on stdout.  @first_op is where the workload's ops
 * begin (after mkfs-done), for a cut drawn with cut_at_random.
 */
int fuzz_faults_run_one(const struct fuzz_faults_options *o, const char *id,
			const char *plan, uint64_t first_op, uint64_t seed,
			struct muse_error *e);

#endif
