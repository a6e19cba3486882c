/*
 * test_kernels.c - finding kernels by name and by the release a trace
 * recorded: which built kernel is chosen, and what a user is told when
 * none fits.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kernels.h"

/* a built kernel as kernel/build.sh leaves it, under $MUSE_KERNELS_DIR */
static void fake_kernel(const char *name, const char *variant,
			const char *release)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", test_tmpdir(), name, variant);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s/linux", test_tmpdir(), name, variant);
	f = fopen(path, "w");
	fclose(f);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s/release", test_tmpdir(), name, variant);
	f = fopen(path, "w");
	fprintf(f, "%s\n", release);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s/%s/name", test_tmpdir(), name, variant);
	f = fopen(path, "w");
	fprintf(f, "%s\n", name);
	fclose(f);
}

static void use_fake_kernels(void)
{
	setenv("MUSE_KERNELS_DIR", test_tmpdir(), 1);
	fake_kernel("6.1", "uml", "6.1.192");
	fake_kernel("6.1", "uml-debug", "6.1.192");
	fake_kernel("6.12", "uml", "6.12.117");
	/* the same tree as 6.1, built again under a vendor's name */
	fake_kernel("bsp", "uml", "6.1.192");
}

TEST(kernel_lookup_by_name_reads_release)
{
	struct kernel_info k;
	struct muse_error e = { 0 };

	use_fake_kernels();
	CHECK_INT(kernel_lookup("6.12", "uml", &k, &e), 0);
	CHECK_STR(k.name, "6.12");
	CHECK_STR(k.release, "6.12.117");
	CHECK_CONTAINS(k.path, "/6.12/uml/linux");
	CHECK_INT(kernel_lookup("6.1", "uml-debug", &k, &e), 0);
	CHECK_CONTAINS(k.path, "/6.1/uml-debug/linux");
	unsetenv("MUSE_KERNELS_DIR");
}

TEST(kernel_lookup_by_path_reads_its_directory)
{
	struct kernel_info k;
	struct muse_error e = { 0 };
	char path[1024];

	use_fake_kernels();
	snprintf(path, sizeof(path), "%s/bsp/uml/linux", test_tmpdir());
	CHECK_INT(kernel_lookup(path, "uml", &k, &e), 0);
	CHECK_STR(k.name, "bsp");
	CHECK_STR(k.release, "6.1.192");
	CHECK(kernel_lookup("/no/such/linux", "uml", &k, &e) < 0);
	CHECK_CONTAINS(e.msg, "no kernel at /no/such/linux");
	unsetenv("MUSE_KERNELS_DIR");
}

TEST(kernel_lookup_unknown_names_say_how_to_build)
{
	struct kernel_info k;
	struct muse_error e = { 0 };

	use_fake_kernels();
	CHECK_INT(kernel_lookup("vendor", "uml", &k, &e), -ENOENT);
	CHECK_CONTAINS(e.msg, "muse kernel build --source DIR --name vendor");
	CHECK_INT(kernel_lookup("../etc", "uml", &k, &e), -ENOENT);
	CHECK_INT(kernel_lookup(".hidden", "uml", &k, &e), -EINVAL);
	CHECK_INT(kernel_lookup("", "uml", &k, &e), -EINVAL);
	unsetenv("MUSE_KERNELS_DIR");
}

TEST(kernel_by_release_prefers_the_recording_name)
{
	struct kernel_info k;
	struct muse_error e = { 0 };

	use_fake_kernels();
	CHECK_INT(kernel_by_release("6.1.192", "bsp", &k, &e), 0);
	CHECK_STR(k.name, "bsp");
	CHECK_INT(kernel_by_release("6.1.192", "6.1", &k, &e), 0);
	CHECK_STR(k.name, "6.1");
	/* a name not built: any kernel of the release will do */
	CHECK_INT(kernel_by_release("6.12.117", "gone", &k, &e), 0);
	CHECK_STR(k.name, "6.12");
	unsetenv("MUSE_KERNELS_DIR");
}

TEST(kernel_by_release_refuses_another_release)
{
	struct kernel_info k;
	struct muse_error e = { 0 };

	use_fake_kernels();
	CHECK_INT(kernel_by_release("6.1.190", "6.1", &k, &e), -ENOENT);
	CHECK_CONTAINS(e.msg, "recorded on Linux 6.1.190; kernel 6.1 here is Linux 6.1.192");
	CHECK_CONTAINS(e.msg, "--kernel 6.1");
	CHECK_INT(kernel_by_release("5.15.0", NULL, &k, &e), -ENOENT);
	CHECK_CONTAINS(e.msg, "no kernel of that release is built");
	CHECK_INT(kernel_by_release("5.15.0", "vendor", &k, &e), -ENOENT);
	CHECK_CONTAINS(e.msg, "no kernel named \"vendor\"");
	unsetenv("MUSE_KERNELS_DIR");
}

static void add_name(const struct kernel_info *k, void *arg)
{
	strcat(arg, k->name);
	strcat(arg, " ");
}

TEST(kernels_each_lists_a_variant_in_version_order)
{
	char seen[256] = "";

	use_fake_kernels();
	CHECK_INT(kernels_each("uml", add_name, seen), 0);
	CHECK_STR(seen, "6.1 6.12 bsp ");
	seen[0] = '\0';
	CHECK_INT(kernels_each("uml-debug", add_name, seen), 0);
	CHECK_STR(seen, "6.1 ");
	unsetenv("MUSE_KERNELS_DIR");
}
