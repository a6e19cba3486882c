/*
 * test_checkpoint.c - the state after op N from checkpoints equals the
 * flash a reference model held right after op N, for every N; the file
 * is reused, rebuilt when it belongs to another trace, never written
 * through, and not needed (states are then rebuilt from the start).
 */
#include "test.h"

#include <fcntl.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_raw.h"
#include "checkpoint.h"
#include "flash.h"
#include "trace.h"

#define OPS 300
#define BLOCKS 8
#define PPB 64

struct fixture {
	char path[512];
	uint64_t hash[OPS + 1];	/* the reference state after op N */
};

static uint64_t state_hash(struct flash *f)
{
	uint8_t buf[2112];
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t u = 0; u < flash_units(f); u++) {
		flash_dump_unit(f, u, buf);
		for (size_t i = 0; i < sizeof(buf); i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	}
	for (uint64_t b = 0; b < BLOCKS; b++)
		h = (h ^ (uint64_t)flash_is_bad(f, b)) * 0x100000001b3ull;
	return h;
}

static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* One op of a UBI-like life: erase a block, or program its next page */
static int add_one(struct trace *t, struct flash *ref, uint64_t seq,
		   uint32_t *x, uint32_t *top)
{
	uint8_t d[2048], oob[64];
	uint64_t b = 1 + next(x) % (BLOCKS - 2);	/* block 7 stays bad */
	struct trace_op op = { .seq = seq, .time_ns = seq };
	struct flash_program p = { .len = 2048, .data = d };

	if (top[b] == PPB || next(x) % 9 == 0) {
		op.kind = TRACE_ERASE;
		op.prog.addr = b * PPB * 2048;
		top[b] = 0;
		return flash_erase(ref, b) ? -EIO : trace_add_op(t, &op);
	}
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(next(x) >> (i % 3 ? 0 : 8));
	memset(oob, 0xff, sizeof(oob));
	oob[2] = (uint8_t)seq;
	p.addr = (b * PPB + top[b]++) * 2048;
	p.oob_offset = 0;
	p.ooblen = sizeof(oob);
	p.oob = oob;
	op.kind = TRACE_PROGRAM;
	op.prog.addr = p.addr;
	op.prog.len = p.len;
	op.prog.data = d;
	op.prog.ooblen = p.ooblen;
	op.prog.oob = oob;
	return flash_program(ref, &p) ? -EIO : trace_add_op(t, &op);
}

static bool make_trace(struct fixture *fx, const char *name, uint32_t seed)
{
	struct flash *ref = test_flash("nand-2k,size=1m");
	uint32_t x = seed, top[BLOCKS] = { 0 };
	uint8_t d[2048];
	struct flash_program p = { .addr = 3 * PPB * 2048, .len = 2048, .data = d };
	struct muse_error e;
	struct trace *t;

	snprintf(fx->path, sizeof(fx->path), "%s/%s", test_tmpdir(), name);
	memset(d, 0x5a, sizeof(d));
	if (!ref || flash_program(ref, &p) || flash_mark_bad(ref, 7) ||
	    trace_create(fx->path, &t, &e))
		return false;
	top[3] = 1;
	trace_set_meta(t, "geometry", "nand-2k,size=1m");
	trace_begin(t);
	trace_add_initial(t, ref);
	fx->hash[0] = state_hash(ref);
	for (uint64_t n = 1; n <= OPS; n++) {
		if (add_one(t, ref, n, &x, top))
			return false;
		fx->hash[n] = state_hash(ref);
	}
	flash_destroy(ref);
	return !trace_commit(t, &e) && !trace_close(t, &e);
}

static int check_all_states(struct fixture *fx, const struct ckpt_options *o,
			    bool want_file)
{
	struct muse_error e;
	struct trace *t;
	struct ckpt *c;
	int bad = 0;

	if (trace_open(fx->path, TRACE_READ, &t, &e) ||
	    ckpt_open(t, fx->path, o, &c, &e))
		return -1;
	if (ckpt_available(c) != want_file)
		bad++;
	for (uint64_t n = 0; n <= OPS; n++) {
		struct flash *f;

		if (ckpt_state(c, n, &f, &e))
			return -1;
		if (state_hash(f) != fx->hash[n]) {
			printf("    state after op %llu differs\n", (unsigned long long)n);
			bad++;
		}
		flash_destroy(f);
	}
	ckpt_close(c);
	trace_close(t, NULL);
	return bad;
}

TEST(checkpoint_every_state_equals_the_reference)
{
	static struct fixture fx;
	struct ckpt_options o = { .interval = 16, .quiet = true };
	char ck[600];
	struct stat st;

	CHECK(make_trace(&fx, "t.db", 7));
	CHECK_INT(check_all_states(&fx, &o, true), 0);
	ckpt_path(fx.path, ck, sizeof(ck));
	CHECK_INT(stat(ck, &st), 0);
	/* states cost the same from the start of the trace */
	o.no_build = true;
	unlink(ck);
	CHECK_INT(check_all_states(&fx, &o, false), 0);
}

TEST(checkpoint_file_is_reused_and_rebuilt_for_another_trace)
{
	static struct fixture fx;
	struct ckpt_options o = { .interval = 32, .quiet = true };
	struct stat a, b;
	char ck[600];

	CHECK(make_trace(&fx, "t.db", 7));
	CHECK_INT(check_all_states(&fx, &o, true), 0);
	ckpt_path(fx.path, ck, sizeof(ck));
	CHECK_INT(stat(ck, &a), 0);
	CHECK_INT(check_all_states(&fx, &o, true), 0);
	CHECK_INT(stat(ck, &b), 0);
	CHECK_INT(a.st_ino, b.st_ino);		/* reused, not rebuilt */
	/* another recording under the same name: its own checkpoints */
	unlink(fx.path);
	CHECK(make_trace(&fx, "t.db", 99));
	CHECK_INT(check_all_states(&fx, &o, true), 0);
	CHECK_INT(stat(ck, &b), 0);
	CHECK(a.st_ino != b.st_ino);
}

/* Flips one byte at @off of @path (or cuts the file there, @cut) */
static int damage_file(const char *path, off_t off, bool cut)
{
	int fd = open(path, O_RDWR);
	uint8_t b = 0;
	int ret = fd < 0 ? -1 : 0;

	if (!ret && cut)
		ret = ftruncate(fd, off);
	else if (!ret && pread(fd, &b, 1, off) == 1) {
		b ^= 0x40;
		ret = pwrite(fd, &b, 1, off) == 1 ? 0 : -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* A checkpoint file with a changed byte or cut short is never used */
TEST(checkpoint_file_damaged_anywhere_is_rebuilt)
{
	static struct fixture fx;
	struct ckpt_options o = { .interval = 16, .quiet = true };
	static const struct { off_t off; bool cut; } hits[] = {
		{ 40, false }, { 4096 + 100, false }, { -1, false }, { -9, false },
		{ 4096 * 3, true }, { -8, true },
	};
	struct stat st;
	char ck[600];

	CHECK(make_trace(&fx, "t.db", 7));
	ckpt_path(fx.path, ck, sizeof(ck));
	for (size_t i = 0; i < sizeof(hits) / sizeof(hits[0]); i++) {
		CHECK_INT(check_all_states(&fx, &o, true), 0);
		CHECK_INT(stat(ck, &st), 0);
		CHECK_INT(damage_file(ck, hits[i].off < 0 ? st.st_size + hits[i].off :
				      hits[i].off, hits[i].cut), 0);
		/* the damaged file is noticed and rebuilt: every state still right */
		CHECK_INT(check_all_states(&fx, &o, true), 0);
	}
}

static int ino_of(const char *path, ino_t *ino)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	*ino = st.st_ino;
	return 0;
}

/*
 * A file whose digest another process checked (its stamp) is used as it
 * is; changed since, it is hashed, found damaged and rebuilt
 */
TEST(checkpoint_file_checked_elsewhere_is_trusted_while_unchanged)
{
	static struct fixture fx;
	struct ckpt_options o = { .interval = 16, .quiet = true };
	struct file_stamp checked;
	struct muse_error e;
	struct trace *t;
	struct ckpt *c;
	ino_t a, b;
	char ck[600];

	CHECK(make_trace(&fx, "t.db", 7));
	CHECK_INT(check_all_states(&fx, &o, true), 0);
	ckpt_path(fx.path, ck, sizeof(ck));
	CHECK_INT(trace_open(fx.path, TRACE_READ, &t, &e), 0);
	CHECK_INT(ckpt_open(t, fx.path, &o, &c, &e), 0);
	CHECK_INT(ckpt_stamp(c, &checked), 0);
	ckpt_close(c);
	trace_close(t, NULL);
	o.verified = &checked;
	CHECK_INT(ino_of(ck, &a), 0);
	CHECK_INT(check_all_states(&fx, &o, true), 0);
	CHECK_INT(ino_of(ck, &b), 0);
	CHECK_INT(a, b);
	CHECK_INT(damage_file(ck, 4096 + 100, false), 0);
	CHECK_INT(check_all_states(&fx, &o, true), 0);
	CHECK_INT(ino_of(ck, &b), 0);
	CHECK(a != b);		/* rebuilt */
}

TEST(checkpoint_states_are_private_copies)
{
	static struct fixture fx;
	struct ckpt_options o = { .interval = 16, .quiet = true };
	struct muse_error e;
	struct trace *t;
	struct ckpt *c;
	struct flash *f;
	uint8_t zero[2048] = { 0 };
	struct flash_program p = { .len = 2048, .data = zero };

	CHECK(make_trace(&fx, "t.db", 7));
	CHECK_INT(trace_open(fx.path, TRACE_READ, &t, &e), 0);
	CHECK_INT(ckpt_open(t, fx.path, &o, &c, &e), 0);
	CHECK_INT(ckpt_state(c, 160, &f, &e), 0);
	/* scribble over every block of the mapped state */
	for (uint64_t b = 0; b < BLOCKS - 1; b++) {
		p.addr = b * PPB * 2048 + 2048 * (PPB - 1);
		flash_program(f, &p);
		flash_erase(f, b == 3 ? 4 : b);
	}
	flash_destroy(f);
	CHECK_INT(ckpt_state(c, 160, &f, &e), 0);
	CHECK(state_hash(f) == fx.hash[160]);
	flash_destroy(f);
	CHECK_INT(ckpt_state(c, OPS + 1, &f, &e), -ERANGE);
	CHECK_CONTAINS(e.msg, "the trace has 300 ops");
	ckpt_close(c);
	trace_close(t, NULL);
}

TEST(checkpoint_not_writable_falls_back_to_the_start)
{
	static struct fixture fx;
	struct ckpt_options o = { .interval = 16, .quiet = true };
	struct muse_error e;
	struct trace *t;
	struct ckpt *c;
	struct flash *f;

	CHECK(make_trace(&fx, "t.db", 7));
	CHECK_INT(trace_open(fx.path, TRACE_READ, &t, &e), 0);
	/* a trace path whose directory does not exist: nowhere to write */
	CHECK_INT(ckpt_open(t, "/nonexistent/dir/t.db", &o, &c, &e), 0);
	CHECK(!ckpt_available(c));
	CHECK_INT(ckpt_state(c, 77, &f, &e), 0);
	CHECK(state_hash(f) == fx.hash[77]);
	flash_destroy(f);
	ckpt_close(c);
	trace_close(t, NULL);
}
