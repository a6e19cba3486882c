/*
 * fuzz_image_campaign.c - the host side of fuzz_image.h: batches of
 * inputs handed to guests, their lines read, crashes kept, a summary.
 */
#define _GNU_SOURCE
#include "fuzz_image.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fuzz_results_impl.h"
#include "pool.h"
#include "spawn.h"
#include "uml.h"
#include "util.h"

struct batch {
	char first[32], count[32], seed[32];
	char log[PATH_MAX + 32];
	char *argv[UML_SELF_ARGC + 24];
	uint64_t on_stage;		/* the input started last */
	uint64_t started_ns;		/* when it started */
	bool open;			/* started, no verdict yet */
	bool any;			/* a line came from this batch */
};

struct campaign {
	const struct fuzz_image_options *o;
	char out[PATH_MAX];
	uint64_t next, done, crashes, mounted, failed_batches;
	uint64_t started_ns, printed_ns;
	bool tty;
	struct fuzz_results *results;
	FILE *found;
	bool first_found;
	struct batch slots[POOL_MAX_SLOTS];
};

static bool more(const struct campaign *c)
{
	if (c->o->inputs && c->next >= c->o->first + c->o->inputs)
		return false;
	return !c->o->seconds ||
	       clock_ns() - c->started_ns < c->o->seconds * 1000000000ull;
}

static int next_batch(void *ctx, unsigned slot, char ***argv)
{
	struct campaign *c = ctx;
	const struct fuzz_image_options *o = c->o;
	struct batch *b = &c->slots[slot];
	struct uml_options u = { .kernel = o->kernel, .mem = o->mem, .log = b->log };
	uint64_t n = o->per_boot;
	char *args[24];
	int k = 0;

	/* a resumed campaign: what was judged before is not tried again */
	for (char id[32]; more(c); c->next++) {
		snprintf(id, sizeof(id), "%06" PRIu64, c->next);
		if (!fuzz_results_has(c->results, id))
			break;
	}
	if (!more(c))
		return 0;
	if (o->inputs && c->next + n > o->first + o->inputs)
		n = o->first + o->inputs - c->next;
	snprintf(b->first, sizeof(b->first), "%" PRIu64, c->next);
	snprintf(b->count, sizeof(b->count), "%" PRIu64, n);
	snprintf(b->seed, sizeof(b->seed), "%" PRIu64, o->seed);
	snprintf(b->log, sizeof(b->log), "%s/batch-%u.kernel.log", c->out, slot);
	c->next += n;
	b->open = b->any = false;
	args[k++] = "fuzz";
	args[k++] = "image-batch";
	args[k++] = "--at";
	args[k++] = (char *)o->at;
	args[k++] = "--first";
	args[k++] = b->first;
	args[k++] = "--inputs";
	args[k++] = b->count;
	args[k++] = "--seed";
	args[k++] = b->seed;
	if (o->exercise) {
		args[k++] = "--exercise";
		args[k++] = (char *)o->exercise;
	}
	args[k++] = (char *)o->trace;
	args[k] = NULL;
	uml_self_argv(&u, args, b->argv);
	*argv = b->argv;
	return 1;
}

/* The command that tries input @i again, alone, into @dir/again */
static void reproduce_command(const struct campaign *c, uint64_t i, const char *dir,
			      char *buf, size_t size)
{
	const struct fuzz_image_options *o = c->o;
	char again[PATH_MAX + 96];
	size_t n;

	snprintf(again, sizeof(again), "%s/again", dir);
	snprintf(buf, size, "%s fuzz image", spawn_self());
	shell_append(buf, size, o->trace);
	snprintf(buf + strlen(buf), size - strlen(buf), " --at");
	shell_append(buf, size, o->at);
	n = strlen(buf);
	snprintf(buf + n, size - n, " --seed %" PRIu64 " --first %" PRIu64
		 " --inputs 1 --jobs 1 --out", o->seed, i);
	shell_append(buf, size, again);
	if (o->exercise) {
		n = strlen(buf);
		snprintf(buf + n, size - n, " --exercise");
		shell_append(buf, size, o->exercise);
	}
}

static void add_row(struct campaign *c, const struct batch *b, uint64_t i,
		    const char *verdict, const char *why, const char *what,
		    const char *log, const char *repro)
{
	struct fuzz_row row = {
		.verdict = verdict, .reason = why, .input = what, .log = log,
		.reproduce = repro,
		.seconds = (double)(clock_ns() - b->started_ns) / 1e9,
	};
	char id[32];

	snprintf(id, sizeof(id), "%06" PRIu64, i);
	row.id = id;
	if (fuzz_results_add(c->results, &row))
		fprintf(stderr, "muse fuzz: %s/results.db: cannot add input %s\n", c->out, id);
}

/* failures/ID: the image, what changed, the verdict, the log, reproduce */
static void keep(struct campaign *c, const struct batch *b, uint64_t i, const char *why,
		 const char *log)
{
	const struct fuzz_image_options *o = c->o;
	char dir[PATH_MAX + 64], path[PATH_MAX + 96], what[256] = "";
	char repro[2 * PATH_MAX + 8192];
	struct muse_error e = { 0 };
	char *text;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/failures/%06" PRIu64, c->out, i);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/image", dir);
	if (fuzz_image_save(o, i, path, what, sizeof(what), &e))
		snprintf(what, sizeof(what), "(not saved: %.200s)", e.msg);
	snprintf(path, sizeof(path), "%s/verdict", dir);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "crash\t%s\nmutation: %s\n", why, what);
		fclose(f);
	}
	text = read_text_file(log, NULL);
	snprintf(path, sizeof(path), "%s/kernel.log", dir);
	if (text && (f = fopen(path, "w"))) {
		fputs(text, f);
		fclose(f);
	}
	reproduce_command(c, i, dir, repro, sizeof(repro));
	snprintf(path, sizeof(path), "%s/reproduce", dir);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "%s\n", repro);
		fclose(f);
	}
	add_row(c, b, i, "crash", why, what, text, repro);
	free(text);
	fprintf(stderr, "%smuse fuzz: input %" PRIu64 ": crash: %s\n  %s\n  %s/\n",
		c->tty ? "\n" : "", i, why, what, dir);
	fprintf(c->found, "%s{\"input\": %" PRIu64 ", \"reason\": ",
		c->first_found ? "" : ", ", i);
	json_string(c->found, why);
	fputs(", \"mutation\": ", c->found);
	json_string(c->found, what);
	fputc('}', c->found);
	c->first_found = false;
	c->crashes++;
}

static void batch_line(void *ctx, unsigned slot, const char *line)
{
	struct campaign *c = ctx;
	struct batch *b = &c->slots[slot];
	char verdict[16];
	uint64_t i;
	int n = 0;

	if (sscanf(line, "start %" SCNu64, &i) == 1) {
		b->on_stage = i;
		b->started_ns = clock_ns();
		b->open = b->any = true;
		return;
	}
	if (sscanf(line, "input %" SCNu64 " %15s %n", &i, verdict, &n) < 2)
		return;
	b->open = false;
	c->done++;
	c->mounted += strstr(line + n, "mounted") != NULL;
	if (!strcmp(verdict, "crash"))
		keep(c, b, i, n ? line + n : "", b->log);
	else
		add_row(c, b, i, "pass", n ? line + n : NULL, "", NULL, NULL);
}

static void batch_done(void *ctx, unsigned slot, int status)
{
	struct campaign *c = ctx;
	struct batch *b = &c->slots[slot];
	char why[96];

	if (!b->any && status) {
		fprintf(stderr, "muse fuzz: a batch tried nothing (status %d; see %s)\n",
			status, b->log);
		c->failed_batches++;
	}
	if (!b->open)
		return;
	/* the guest ended with an input on stage: that input killed it */
	snprintf(why, sizeof(why), "the guest died with the input on stage (status %d)",
		 status);
	c->done++;
	keep(c, b, b->on_stage, why, b->log);
	b->open = false;
}

static void show(struct campaign *c, bool final)
{
	uint64_t now = clock_ns();
	double s = (double)(now - c->started_ns) / 1e9;

	if (!c->tty && !final && now - c->printed_ns < 30000000000ull)
		return;
	c->printed_ns = now;
	fprintf(stderr, "%smuse fuzz: %" PRIu64 " inputs (%" PRIu64 " mounted), %" PRIu64
		" crashes, %.2f inputs/s%s", c->tty ? "\r" : "", c->done, c->mounted,
		c->crashes, s > 0 ? (double)c->done / s : 0, c->tty && !final ? "  " : "\n");
}

static void tick(void *ctx)
{
	show(ctx, false);
}

static int summary(struct campaign *c, const char *found)
{
	char path[PATH_MAX + 16];
	double s = (double)(clock_ns() - c->started_ns) / 1e9;
	FILE *f;

	snprintf(path, sizeof(path), "%s/summary.json", c->out);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\"inputs\": %" PRIu64 ", \"mounted\": %" PRIu64 ", \"crashes\": %"
		PRIu64 ", \"seconds\": %.1f, \"inputs_per_second\": %.3f, \"found\": [%s]}\n",
		c->done, c->mounted, c->crashes, s, s > 0 ? (double)c->done / s : 0, found);
	return fclose(f) ? -errno : 0;
}

/* results.db, claimed for this campaign's settings (a resumed one has them) */
static int open_results(struct campaign *c, struct muse_error *e)
{
	const struct fuzz_image_options *o = c->o;
	char seed[32], trace[PATH_MAX];
	const char *const meta[][2] = {
		{ "campaign", "muse fuzz image" }, { "trace", trace }, { "at", o->at },
		{ "seed", seed }, { "exercise", o->exercise ? o->exercise : "the default" },
		{ "kernel", o->kernel ? o->kernel : "this one" },
	};
	int ret = fuzz_results_open(c->out, &c->results, e);

	if (!realpath(o->trace, trace))
		snprintf(trace, sizeof(trace), "%s", o->trace);
	snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
	return ret ? ret : fuzz_results_claim(c->results, c->out, meta,
					      sizeof(meta) / sizeof(meta[0]), e);
}

static int report(struct campaign *c, struct muse_error *e)
{
	struct fuzz_report_facts facts = {
		.title = "muse fuzz image", .unit = "input",
		.seconds = (double)(clock_ns() - c->started_ns) / 1e9,
		.judged = c->done,
	};

	return fuzz_results_report(c->results, c->out, &facts, e);
}

int fuzz_image_campaign(const struct fuzz_image_options *o, struct muse_error *e)
{
	struct campaign *c = calloc(1, sizeof(*c));
	struct pool_ops ops = { .next = next_batch, .line = batch_line,
				.done = batch_done, .tick = tick };
	char path[PATH_MAX + 16], *found = NULL;
	uint64_t counts[FUZZ_VERDICTS];
	size_t len = 0;
	int ret = 0;

	if (!c)
		return muse_fail(e, -ENOMEM, "out of memory");
	c->o = o;
	c->next = o->first;
	c->first_found = true;
	c->tty = isatty(2);
	ops.ctx = c;
	if (mkdir(o->out, 0755) && errno != EEXIST)
		ret = muse_fail(e, -errno, "%s: %s", o->out, strerror(errno));
	if (!ret && !realpath(o->out, c->out))
		ret = muse_fail(e, -errno, "%s: %s", o->out, strerror(errno));
	snprintf(path, sizeof(path), "%s/failures", c->out);
	if (!ret && mkdir(path, 0755) && errno != EEXIST)
		ret = muse_fail(e, -errno, "%s: %s", path, strerror(errno));
	if (!ret)
		ret = open_results(c, e);
	c->found = ret ? NULL : open_memstream(&found, &len);
	c->started_ns = c->printed_ns = clock_ns();
	if (!ret)
		ret = pool_run(o->jobs, &ops, e);
	if (c->found)
		fclose(c->found);
	if (!ret) {
		show(c, true);
		if (summary(c, found ? found : ""))
			ret = muse_fail(e, -EIO, "%s/summary.json: cannot write it", c->out);
		else
			ret = report(c, e);
	}
	/* a resumed campaign answers for the crashes found before too */
	if (!ret && !fuzz_results_counts(c->results, counts))
		c->crashes = counts[FUZZ_CRASH];
	if (!ret)
		ret = c->crashes ? 1 : c->failed_batches ? 2 : 0;
	fuzz_results_close(c->results);
	free(found);
	free(c);
	return ret;
}
