/*
 * sweep_progress.c - a sweep's progress line and time per phase (see
 * sweep_progress.h).
 */
#include "sweep_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double progress_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The worker's milliseconds per phase after "done N MODEL SEED VERDICT" */
static void add_phases(struct progress *pr, const char *line)
{
	double ms[JUDGE_PHASES];
	char *end;
	int i;

	line = strchr(line, ' ');
	for (i = 0; line && i < 4; i++)
		line = strchr(line + 1, ' ');
	for (i = 0; line && i < JUDGE_PHASES; i++) {
		ms[i] = strtod(line, &end);
		if (end == line)
			return;
		line = end;
	}
	if (i < JUDGE_PHASES)
		return;
	for (i = 0; i < JUDGE_PHASES; i++)
		pr->phase_ms[i] += ms[i];
	pr->timed++;
}

/* Where the time of a point went, for whoever tunes a sweep */
void progress_show_phases(const struct progress *pr)
{
	double sum = 0;

	if (!pr->timed)
		return;
	for (int i = 0; i < JUDGE_PHASES; i++)
		sum += pr->phase_ms[i];
	printf("time per cut point: %.0f ms (mean of %zu):", sum / (double)pr->timed,
	       pr->timed);
	for (int i = 0; i < JUDGE_PHASES; i++)
		printf(" %s %.0f%s", judge_phase_name((enum judge_phase)i),
		       pr->phase_ms[i] / (double)pr->timed, i + 1 < JUDGE_PHASES ? "," : "\n");
}

void progress_show(struct progress *pr, bool final)
{
	double el = progress_now_s() - pr->t0, rate = el > 0 ? (double)pr->done / el : 0;
	double eta = rate > 0 ? (double)(pr->total - pr->done) / rate : 0;

	if (!pr->tty && !final && progress_now_s() - pr->last_print < 10)
		return;
	pr->last_print = progress_now_s();
	printf("%s%zu/%zu cut points, %zu failed, %zu errors, %.2f/s, ETA %.0f s%s",
	       pr->tty ? "\r" : "", pr->done, pr->total, pr->failed, pr->errors,
	       rate, eta, pr->tty && !final ? "  " : "\n");
	fflush(stdout);
}

void progress_note(struct progress *pr, const char *line)
{
	pr->done++;
	add_phases(pr, line);
	pr->failed += strstr(line, " fail") || strstr(line, " workload");
	pr->errors += strstr(line, " error") != NULL;
}
