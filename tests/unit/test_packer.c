/*
 * test_packer.c - payload compression: every stored form restores the
 * bytes; a dictionary is adopted when pages share content that no single
 * page shows, and never for payloads it cannot help; a payload packed
 * with a dictionary is unreadable without it and readable with it.
 */
#include "test.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "packer.h"
#include "trace.h"
#include "trace_impl.h"

#define PAGE 2048

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/*
 * Page @n made of 64-byte records drawn from a pool of 256 random ones:
 * within one page they hardly repeat, across pages they all do.
 */
static void shared_page(uint8_t *page, uint32_t n)
{
	static uint8_t pool[256][64];
	static int ready;

	if (!ready) {
		for (size_t i = 0; i < sizeof(pool); i++)
			pool[i / 64][i % 64] = (uint8_t)rng();
		ready = 1;
	}
	for (int r = 0; r < PAGE / 64; r++)
		memcpy(page + r * 64, pool[(n * 7 + (uint32_t)r * 31 + (n >> 3) * r) % 256], 64);
	memcpy(page, &n, sizeof(n));	/* and each page unique */
}

static void random_page(uint8_t *page)
{
	for (int i = 0; i < PAGE; i++)
		page[i] = (uint8_t)rng();
}

/* Learns @count pages from @make; returns the page count at adoption, or 0 */
static uint32_t learn_pages(struct packer *p, uint32_t count, int shared)
{
	uint8_t page[PAGE];

	for (uint32_t n = 1; n <= count; n++) {
		if (shared)
			shared_page(page, n);
		else
			random_page(page);
		if (packer_learn(p, page, PAGE))
			return n;
	}
	return 0;
}

static int round_trips(struct packer *p, const uint8_t *page, struct packed *pk)
{
	uint8_t out[PAGE];

	return packer_pack(p, page, PAGE, pk) == 0 &&
	       packer_unpack(p, pk->codec, pk->data, pk->len, out, PAGE) == PAGE &&
	       !memcmp(out, page, PAGE);
}

TEST(packer_keeps_incompressible_bytes_and_compresses_the_rest)
{
	struct packer *p = packer_new();
	uint8_t page[PAGE], out[PAGE];
	struct packed pk;

	CHECK(p);
	random_page(page);
	CHECK(round_trips(p, page, &pk));
	CHECK_INT(pk.codec, PACKER_RAW);
	memset(page, 0x5a, sizeof(page));
	CHECK(round_trips(p, page, &pk));
	CHECK_INT(pk.codec, PACKER_ZSTD);
	CHECK(pk.len < 64);
	CHECK_INT(packer_unpack(p, PACKER_ZSTD, pk.data, pk.len - 1, out, PAGE), -EBADMSG);
	CHECK_INT(packer_unpack(p, 7, pk.data, pk.len, out, PAGE), -EBADMSG);
	packer_free(p);
}

TEST(packer_adopts_a_dictionary_when_pages_share_content)
{
	struct packer *p = packer_new(), *reader = packer_new();
	uint8_t page[PAGE], out[PAGE];
	const void *dict;
	struct packed pk;
	size_t plain, dict_len;
	uint32_t id;

	CHECK(p && reader);
	shared_page(page, 99999);
	CHECK(round_trips(p, page, &pk));
	plain = pk.len;
	CHECK_INT(packer_dictionary(p, &id, &dict, &dict_len), -ENOENT);
	CHECK_INT(learn_pages(p, 1024, 1), 1024);
	CHECK_INT(packer_dictionary(p, &id, &dict, &dict_len), 0);
	CHECK(id != 0 && dict_len > 1024);

	CHECK(round_trips(p, page, &pk));
	CHECK_INT(pk.codec, PACKER_ZSTD_DICT);
	CHECK(pk.len * 2 < plain);
	/* without its dictionary the payload cannot be read, with it it can */
	CHECK_INT(packer_unpack(reader, pk.codec, pk.data, pk.len, out, PAGE), -ENOENT);
	CHECK_INT(packer_add_dictionary(reader, dict, dict_len, 0), 0);
	CHECK_INT(packer_unpack(reader, pk.codec, pk.data, pk.len, out, PAGE), PAGE);
	CHECK(!memcmp(out, page, PAGE));
	/* a reader registers dictionaries but does not pack with them */
	CHECK(round_trips(reader, page, &pk));
	CHECK(pk.codec != PACKER_ZSTD_DICT);

	packer_drop_dictionary(p);
	CHECK(round_trips(p, page, &pk));
	CHECK(pk.codec != PACKER_ZSTD_DICT);
	packer_free(p);
	packer_free(reader);
}

TEST(packer_adopts_no_dictionary_for_random_pages)
{
	struct packer *p = packer_new();
	const void *dict;
	size_t len;
	uint32_t id;

	CHECK(p);
	CHECK_INT(learn_pages(p, 1024, 0), 0);
	CHECK_INT(packer_dictionary(p, &id, &dict, &len), -ENOENT);
	CHECK_INT(packer_add_dictionary(p, "not a dictionary", 16, 1), -EINVAL);
	packer_free(p);
}

static int count(struct trace *t, const char *sql)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(t->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int add_shared_pages(struct trace *t, uint64_t first, uint64_t last)
{
	static uint8_t page[PAGE];

	for (uint64_t n = first; n <= last; n++) {
		struct trace_op op = { .seq = n, .kind = TRACE_PROGRAM,
				       .prog.addr = (n % 4096) * PAGE, .prog.len = PAGE, .prog.data = page };

		shared_page(page, (uint32_t)n);
		if (trace_add_op(t, &op))
			return -1;
	}
	return 0;
}

/* counts the ops whose payload is not the page they were recorded with */
static int compare_page(void *ctx, const struct trace_op *op)
{
	uint8_t page[PAGE];

	shared_page(page, (uint32_t)op->seq);
	*(int *)ctx += op->prog.len != PAGE || memcmp(op->prog.data, page, PAGE);
	return 0;
}

/* The trace keeps the dictionary with the payloads that need it. */
TEST(trace_keeps_its_dictionary_and_reads_back_every_page)
{
	struct muse_error e;
	struct trace *t;
	char path[512];
	int bad = 0;

	snprintf(path, sizeof(path), "%s/dict.db", test_tmpdir());
	CHECK_INT(trace_create(path, &t, &e), 0);
	trace_set_meta(t, "geometry", "nand-2k,size=8m");
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(add_shared_pages(t, 1, 1200), 0);
	CHECK_INT(trace_close(t, &e), 0);

	/* opened again for writing, it packs on with the same dictionary */
	CHECK_INT(trace_open(path, TRACE_WRITE, &t, &e), 0);
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(add_shared_pages(t, 1201, 1300), 0);
	CHECK_INT(trace_close(t, &e), 0);

	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_for_each_op(t, 1, 1300, compare_page, &bad, &e), 0);
	CHECK_INT(bad, 0);
	CHECK_INT(count(t, "SELECT count(*) FROM dictionaries"), 1);
	CHECK(count(t, "SELECT count(*) FROM blobs WHERE codec = 2") > 250);
	CHECK_INT(count(t, "SELECT count(*) FROM blobs WHERE codec = 2 AND id > 1200"), 100);
	CHECK_INT(trace_close(t, &e), 0);
}

/* A dictionary adopted in a transaction that rolls back is not used. */
TEST(trace_rolled_back_dictionary_is_forgotten)
{
	struct muse_error e;
	struct trace *t;
	char path[512];
	int bad = 0;

	snprintf(path, sizeof(path), "%s/rollback.db", test_tmpdir());
	CHECK_INT(trace_create(path, &t, &e), 0);
	trace_set_meta(t, "geometry", "nand-2k,size=8m");
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(add_shared_pages(t, 1, 1100), 0);
	trace_rollback(t);
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(add_shared_pages(t, 1, 20), 0);
	CHECK_INT(trace_close(t, &e), 0);

	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_for_each_op(t, 1, 20, compare_page, &bad, &e), 0);
	CHECK_INT(bad, 0);
	CHECK_INT(count(t, "SELECT count(*) FROM dictionaries"), 0);
	CHECK_INT(count(t, "SELECT count(*) FROM blobs WHERE codec = 2"), 0);
	CHECK_INT(trace_close(t, &e), 0);
}
