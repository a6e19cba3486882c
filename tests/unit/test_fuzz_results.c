/*
 * test_fuzz_results.c - a fuzz campaign's results file: rows in and out,
 * one campaign per directory, and the JUnit and HTML made from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzz_results.h"
#include "test.h"
#include "util.h"

static char *read_report(const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	return read_text_file(path, NULL);
}

static void add_two(struct fuzz_results *r)
{
	struct fuzz_row pass = { .id = "000001-a", .verdict = "pass", .input = "seed=1",
				 .seconds = 2.5 };
	struct fuzz_row crash = { .id = "000002-b", .verdict = "crash",
				  .reason = "BUG: <bad> & worse", .input = "seed=2,wear=3",
				  .seconds = 4, .log = "[ 1.0] BUG: <bad>\n",
				  .reproduce = "muse replay 'a b.db' --at 3 --verdict" };

	fuzz_results_add(r, &pass);
	fuzz_results_add(r, &crash);
}

TEST(fuzz_results_rows_and_claims)
{
	const char *const seed1[][2] = { { "seed", "1" } };
	const char *const seed2[][2] = { { "fs", "ubifs" }, { "seed", "2" } };
	struct muse_error e = { 0 };
	struct fuzz_results *r;

	CHECK_INT(fuzz_results_open(test_tmpdir(), &r, &e), 0);
	CHECK_INT(fuzz_results_claim(r, test_tmpdir(), seed1, 1, &e), 0);
	add_two(r);
	CHECK(fuzz_results_has(r, "000002-b"));
	CHECK(!fuzz_results_has(r, "000003-c"));
	fuzz_results_close(r);
	/* reopened: the rows are there; another seed is another campaign */
	CHECK_INT(fuzz_results_open(test_tmpdir(), &r, &e), 0);
	CHECK(fuzz_results_has(r, "000001-a"));
	CHECK_INT(fuzz_results_claim(r, test_tmpdir(), seed1, 1, &e), 0);
	CHECK(fuzz_results_claim(r, test_tmpdir(), seed2, 2, &e) < 0);
	CHECK(strstr(e.msg, "with seed 1, not 2") != NULL);
	fuzz_results_close(r);
}

TEST(fuzz_results_reports)
{
	struct fuzz_report_facts facts = { "muse fuzz faults", "run", 10, 2 };
	struct muse_error e = { 0 };
	struct fuzz_results *r;
	char *junit, *html;

	CHECK_INT(fuzz_results_open(test_tmpdir(), &r, &e), 0);
	add_two(r);
	CHECK_INT(fuzz_results_report(r, test_tmpdir(), &facts, &e), 0);
	fuzz_results_close(r);
	junit = read_report("junit.xml");
	html = read_report("report.html");
	CHECK(junit && html);
	CHECK(strstr(junit, "tests=\"2\" failures=\"1\" errors=\"0\""));
	CHECK(strstr(junit, "<failure type=\"crash\" message=\"BUG: &lt;bad&gt; &amp; worse\">"));
	CHECK(strstr(junit, "name=\"000001-a\" time=\"2.500\"/>"));
	CHECK(strstr(html, "2 runs: 1 passed, 0 workload errors, 0 losses the chip explains, 0 failed, 1 crashes, 0 errors."));
	CHECK(strstr(html, "<details class=\"finding\" id=\"000002-b\" data-verdict=\"crash\">"));
	CHECK(!strstr(html, "id=\"000001-a\""));
	CHECK(strstr(html, "muse replay &#39;a b.db&#39;") || strstr(html, "muse replay 'a b.db'"));
	free(junit);
	free(html);
}

TEST(fuzz_results_refuses_foreign_files)
{
	struct muse_error e = { 0 };
	struct fuzz_results *r;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/results.db", test_tmpdir());
	f = fopen(path, "w");
	CHECK(f);
	fputs("not a database, not even close; not a database at all\n", f);
	fclose(f);
	CHECK(fuzz_results_open(test_tmpdir(), &r, &e) < 0);
	CHECK(strstr(e.msg, "results.db") != NULL);
}
