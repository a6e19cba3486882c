/*
 * test_image_proto.c - image files, request decoding and job files: the
 * places where bytes from outside enter the program.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "flash_raw.h"
#include "flash.h"
#include "image.h"
#include "proto.h"
#include "uml.h"

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, len, f);
	fclose(f);
}

TEST(image_nanddump_oob_round_trip_keeps_bad_blocks)
{
	struct flash *a = test_flash("nand-2k,size=1m"), *b = test_flash("nand-2k,size=1m");
	uint8_t d[2048], out[2048], oob[64], outoob[64];
	struct flash_program p = { .addr = 9 * 2048, .len = 2048, .data = d,
				   .oob_offset = 8, .ooblen = 4, .oob = oob };
	struct muse_error e;
	char path[512];

	CHECK(a && b);
	snprintf(path, sizeof(path), "%s/dump", test_tmpdir());
	memset(d, 0x3c, sizeof(d));
	memset(oob, 0x11, sizeof(oob));
	CHECK_INT(flash_program(a, &p), 0);
	CHECK_INT(flash_mark_bad(a, 5), 0);
	CHECK_INT(image_save(a, path, IMAGE_AUTO, &e), 0);
	CHECK_INT(image_load(b, path, IMAGE_AUTO, &e), 0);
	flash_dump_page(b, 9, out, outoob);
	CHECK_MEM(out, d, sizeof(d));
	CHECK_INT(outoob[7], 0xff);
	CHECK_INT(outoob[8], 0x11);
	CHECK_INT(outoob[12], 0xff);
	CHECK_INT(flash_is_bad(b, 5), 1);
	CHECK_INT(flash_bad_count(b), 1);
	flash_destroy(a);
	flash_destroy(b);
}

TEST(image_raw_for_nor)
{
	struct flash *a = test_flash("nor-64k,size=1m"), *b = test_flash("nor-64k,size=1m");
	struct flash_program p = { .addr = 70000, .len = 4, .data = (const uint8_t *)"\x01\x02\x03\x04" };
	struct muse_error e;
	char path[512];
	uint8_t out[4];

	CHECK(a && b);
	snprintf(path, sizeof(path), "%s/nor.img", test_tmpdir());
	CHECK_INT(flash_program(a, &p), 0);
	CHECK_INT(image_save(a, path, IMAGE_AUTO, &e), 0);
	CHECK_INT(image_load(b, path, IMAGE_RAW, &e), 0);
	flash_dump_bytes(b, 70000, out, 4);
	CHECK_MEM(out, "\x01\x02\x03\x04", 4);
	CHECK_INT(image_save(a, path, IMAGE_NANDDUMP_OOB, &e), -EINVAL);
	flash_destroy(a);
	flash_destroy(b);
}

TEST(image_truncated_is_refused_with_sizes)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct muse_error e;
	char path[512];
	static uint8_t junk[5000];

	CHECK(f);
	snprintf(path, sizeof(path), "%s/short", test_tmpdir());
	write_file(path, junk, sizeof(junk));
	CHECK_INT(image_load(f, path, IMAGE_AUTO, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "is 5000 bytes (truncated?)");
	CHECK_CONTAINS(e.msg, "1048576 (raw) or 1081344 (nanddump-oob)");
	CHECK_INT(image_load(f, "/nonexistent/x", IMAGE_AUTO, &e), -ENOENT);
	CHECK_INT(image_parse_format("jpeg", &(enum image_format){ 0 }, &e), -EINVAL);
	flash_destroy(f);
}

static size_t request(uint8_t *buf, uint32_t opcode, const void *arg,
		      size_t arglen, size_t extra)
{
	struct muse_in_header h = { .opcode = opcode, .unique = 77 };

	h.len = (uint32_t)(sizeof(h) + arglen + extra);
	memcpy(buf, &h, sizeof(h));
	if (arglen)
		memcpy(buf + sizeof(h), arg, arglen);
	memset(buf + sizeof(h) + arglen, 0xab, extra);
	return h.len;
}

TEST(proto_decodes_requests)
{
	static uint8_t buf[8192];
	struct muse_io_in io = { .addr = 4096, .len = 100, .ooblen = 8,
				 .mode = MUSE_OOB_AUTO };
	struct muse_erase_in er = { .addr = 1 << 17, .len = 1 << 17 };
	struct muse_request r;
	struct muse_error e;
	size_t n;

	n = request(buf, MUSE_WRITE, &io, sizeof(io), 108);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
	CHECK_INT(r.opcode, MUSE_WRITE);
	CHECK_INT(r.unique, 77);
	CHECK_INT(r.in.io.addr, 4096);
	CHECK(r.data == buf + 40 + 24);
	CHECK(r.oob == r.data + 100);
	n = request(buf, MUSE_ERASE, &er, sizeof(er), 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
	CHECK_INT(r.in.erase.len, 1 << 17);
	n = request(buf, MUSE_SYNC, NULL, 0, 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
}

TEST(proto_rejects_malformed_requests)
{
	static uint8_t buf[8192];
	struct muse_io_in io = { .len = 100 };
	struct muse_request r;
	struct muse_error e;
	size_t n;

	CHECK_INT(muse_decode_request(buf, 12, &r, &e), -EPROTO);
	n = request(buf, MUSE_READ, &io, sizeof(io), 0);
	CHECK_INT(muse_decode_request(buf, n - 1, &r, &e), -EPROTO);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
	n = request(buf, MUSE_READ, &io, sizeof(io), 4);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "extra bytes");
	n = request(buf, MUSE_WRITE, &io, sizeof(io), 99);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "expected 100");
	n = request(buf, MUSE_ERASE, &io, 8, 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "short");
	n = request(buf, 4242, NULL, 0, 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -ENOSYS);
	CHECK_INT(r.unique, 77);
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
