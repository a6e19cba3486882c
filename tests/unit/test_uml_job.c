/*
 * test_uml_job.c - the job file "muse uml" hands its guest: round trip,
 * garbage refused.
 */
#include "test.h"

#include <errno.h>

#include "uml.h"

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, len, f);
	fclose(f);
}

TEST(uml_job_round_trip)
{
	char *argv[] = { "sh", "-c", "echo 'a b'\n\tdone", "", NULL };
	char *env[] = { "A=1", "B=two words", "EMPTY=", NULL };
	struct uml_job in = { .cwd = "/tmp/x y", .argv = argv, .env = env,
			      .interactive = true };
	struct uml_job out;
	struct muse_error e;
	char path[512];

	snprintf(path, sizeof(path), "%s/job", test_tmpdir());
	CHECK_INT(uml_job_write(path, &in, &e), 0);
	CHECK_INT(uml_job_read(path, &out, &e), 0);
	CHECK_STR(out.cwd, "/tmp/x y");
	CHECK(out.interactive);
	for (int i = 0; argv[i]; i++)
		CHECK_STR(out.argv[i], argv[i]);
	CHECK(!out.argv[4]);
	for (int i = 0; env[i]; i++)
		CHECK_STR(out.env[i], env[i]);
	CHECK(!out.env[3]);
	uml_job_free(&out);
}

TEST(uml_job_rejects_garbage)
{
	struct uml_job out;
	struct muse_error e;
	char path[512];

	snprintf(path, sizeof(path), "%s/job", test_tmpdir());
	write_file(path, "MUSEJOB1\0-\0/\0" "5\0a\0", 18);
	CHECK_INT(uml_job_read(path, &out, &e), -EINVAL);
	write_file(path, "hello", 5);
	CHECK_INT(uml_job_read(path, &out, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "not a valid job file");
}
