/*
 * markproto.c - encoding and decoding mark requests (see markproto.h).
 */
#define _GNU_SOURCE
#include "markproto.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "names.h"

#define MARK_MAGIC "MUSEMARK1"

int mark_encode(const char *name, const struct trace_mark_file *files,
		uint32_t nfiles, char **buf, size_t *len)
{
	FILE *f;
	char hex[65];

	if (nfiles > MARK_MAX_FILES)
		return -E2BIG;
	f = open_memstream(buf, len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "%s%c%s%c%" PRIu32 "%c", MARK_MAGIC, 0, name, 0, nfiles, 0);
	for (uint32_t i = 0; i < nfiles; i++) {
		const struct trace_mark_file *mf = &files[i];

		sha256_hex(mf->sha256, hex);
		fprintf(f, "%s%c%s%c%" PRIu64 "%c%s%c%" PRIu32 "%c%d%c",
			trace_file_kind_name(mf->kind), 0, mf->path, 0, mf->size, 0, hex, 0,
			mf->content ? mf->content_len : 0, 0,
			mf->content != NULL, 0);
		if (mf->content)
			fwrite(mf->content, 1, mf->content_len, f);
	}
	if (fclose(f))
		return -ENOMEM;
	return *len > MARK_MAX_REQUEST ? -E2BIG : 0;
}

struct cursor {
	char *p;
	char *end;
};

static char *field(struct cursor *c)
{
	char *s = c->p, *nul;

	if (c->p >= c->end || !(nul = memchr(c->p, '\0', (size_t)(c->end - c->p))))
		return NULL;
	c->p = nul + 1;
	return s;
}

static int number(struct cursor *c, uint64_t *v)
{
	char *s = field(c), *end;

	/* digits only: no sign, no spaces, nothing strtoull would clamp */
	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

static int decode_file(struct cursor *c, struct trace_mark_file *mf)
{
	uint64_t content_len, has;
	char *hex;

	if (trace_file_kind_parse(field(c), &mf->kind))
		return -EINVAL;
	mf->path = field(c);
	if (!mf->path || !*mf->path || number(c, &mf->size))
		return -EINVAL;
	hex = field(c);
	if (!hex || sha256_parse_hex(hex, mf->sha256) ||
	    number(c, &content_len) || number(c, &has) || has > 1 ||
	    content_len > MARK_CONTENT_MAX || (!has && content_len) ||
	    (has && content_len != mf->size) ||
	    content_len > (uint64_t)(c->end - c->p))
		return -EINVAL;
	mf->content = has ? (const uint8_t *)c->p : NULL;
	mf->content_len = (uint32_t)content_len;
	c->p += content_len;
	return 0;
}

int mark_decode(const char *buf, size_t len, struct mark_request *req,
		struct muse_error *e)
{
	struct cursor c;
	uint64_t n;
	char *magic;

	memset(req, 0, sizeof(*req));
	req->storage = malloc(len + 1);
	if (!req->storage)
		return muse_fail(e, -ENOMEM, "out of memory");
	memcpy(req->storage, buf, len);
	c = (struct cursor){ req->storage, req->storage + len };
	magic = field(&c);
	req->name = field(&c);
	if (!magic || strcmp(magic, MARK_MAGIC) || !req->name || !*req->name ||
	    number(&c, &n) || n > MARK_MAX_FILES)
		goto bad;
	for (uint32_t i = 0; i < n; i++)
		if (decode_file(&c, &req->files[i]))
			goto bad;
	if (c.p != c.end)
		goto bad;
	req->nfiles = (uint32_t)n;
	return 0;
bad:
	mark_request_free(req);
	return muse_fail(e, -EINVAL, "malformed mark request");
}

void mark_request_free(struct mark_request *req)
{
	free(req->storage);
	memset(req, 0, sizeof(*req));
}
