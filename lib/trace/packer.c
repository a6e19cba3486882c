/*
 * packer.c - trace payload compression (see packer.h).
 *
 * Figures behind the constants, from a 64 MiB UBIFS recording of 9,500
 * payloads (make bench): a dictionary of 112 KiB trained on 512 pages
 * shrinks the payloads by 16-18% (64 KiB: 13%).  The training is fastCover
 * with fixed parameters: zstd's default trainer searches its parameters,
 * which took 110 ms and 5,500 page faults for the same dictionary (each
 * fault costs about 140 us in a UML guest); fixed ones take 12 ms and 380
 * faults.
 */
#include "packer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#define ZDICT_STATIC_LINKING_ONLY	/* the fastCover parameters */
#include <zdict.h>
#include <zstd.h>

#include "util.h"

#define LEVEL 3
#define WINDOW 1024			/* payloads kept for training */
#define MIN_SAMPLE 64			/* smaller payloads teach nothing */
#define MAX_SAMPLE (16 * 1024)		/* longer ones are cut */
#define DICT_CAPACITY (112 * 1024)
#define LAST_ATTEMPT 65536		/* then the payloads do not share enough */
#define MIN_GAIN_PERCENT 5
#define TRAIN_SEGMENT 1000		/* fastCover k */
#define TRAIN_DMER 8			/* fastCover d */
#define TRAIN_FREQ_LOG 16		/* fastCover f: a 256 KiB table */

struct sample {
	uint8_t *data;
	size_t len;
};

struct known_dict {
	uint32_t id;
	ZSTD_DDict *ddict;
};

struct packer {
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	uint8_t *out;
	size_t out_size;
	/* the dictionary packing uses, once adopted */
	ZSTD_CDict *cdict;
	uint8_t *dict;
	size_t dict_len;
	uint32_t dict_id;
	/* every dictionary unpacking may need */
	struct known_dict *known;
	size_t nknown;
	/* learning */
	bool learning;
	struct sample window[WINDOW];
	uint64_t seen;
	uint64_t next_attempt;
};

static void forget_samples(struct packer *p)
{
	for (size_t i = 0; i < WINDOW; i++) {
		free(p->window[i].data);
		p->window[i].data = NULL;
	}
}

static void start_learning(struct packer *p)
{
	forget_samples(p);
	p->learning = true;
	p->seen = 0;
	p->next_attempt = WINDOW;
}

struct packer *packer_new(void)
{
	struct packer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cctx = ZSTD_createCCtx();
	p->dctx = ZSTD_createDCtx();
	if (!p->cctx || !p->dctx) {
		packer_free(p);
		return NULL;
	}
	start_learning(p);
	return p;
}

static void drop_cdict(struct packer *p)
{
	ZSTD_freeCDict(p->cdict);
	free(p->dict);
	p->cdict = NULL;
	p->dict = NULL;
	p->dict_len = 0;
	p->dict_id = 0;
}

void packer_free(struct packer *p)
{
	if (!p)
		return;
	forget_samples(p);
	drop_cdict(p);
	for (size_t i = 0; i < p->nknown; i++)
		ZSTD_freeDDict(p->known[i].ddict);
	free(p->known);
	ZSTD_freeCCtx(p->cctx);
	ZSTD_freeDCtx(p->dctx);
	free(p->out);
	free(p);
}

/* Bytes @data takes stored with @cdict (or plain zstd): never more than @len */
static size_t stored_len(struct packer *p, const ZSTD_CDict *cdict,
			 const void *data, size_t len)
{
	size_t n = cdict ? ZSTD_compress_usingCDict(p->cctx, p->out, p->out_size, data, len, cdict)
			 : ZSTD_compressCCtx(p->cctx, p->out, p->out_size, data, len, LEVEL);

	return ZSTD_isError(n) || n >= len ? len : n;
}

int packer_pack(struct packer *p, const void *data, size_t len, struct packed *out)
{
	size_t n;

	if (reserve_bytes(&p->out, &p->out_size, ZSTD_compressBound(len)))
		return -ENOMEM;
	n = stored_len(p, p->cdict, data, len);
	if (n == len) {
		/* incompressible bytes are kept as they are */
		*out = (struct packed){ PACKER_RAW, data, len };
		return 0;
	}
	*out = (struct packed){ p->cdict ? PACKER_ZSTD_DICT : PACKER_ZSTD, p->out, n };
	return 0;
}

static int remember(struct packer *p, uint32_t id, const void *dict, size_t len)
{
	struct known_dict *k;

	for (size_t i = 0; i < p->nknown; i++)
		if (p->known[i].id == id)
			return 0;
	k = realloc(p->known, (p->nknown + 1) * sizeof(*k));
	if (!k)
		return -ENOMEM;
	p->known = k;
	k[p->nknown].id = id;
	k[p->nknown].ddict = ZSTD_createDDict(dict, len);
	if (!k[p->nknown].ddict)
		return -ENOMEM;
	p->nknown++;
	return 0;
}

static int use_dictionary(struct packer *p, const void *dict, size_t len)
{
	uint32_t id = (uint32_t)ZDICT_getDictID(dict, len);
	int ret;

	if (!id)
		return -EINVAL;
	ret = remember(p, id, dict, len);
	if (ret)
		return ret;
	drop_cdict(p);
	p->dict = malloc(len);
	if (!p->dict)
		return -ENOMEM;
	memcpy(p->dict, dict, len);
	p->cdict = ZSTD_createCDict(p->dict, len, LEVEL);
	if (!p->cdict) {
		drop_cdict(p);
		return -ENOMEM;
	}
	p->dict_len = len;
	p->dict_id = id;
	return 0;
}

/* Trains on the even samples of the window into @dict; returns its length or 0 */
static size_t train(struct packer *p, void *dict)
{
	ZDICT_fastCover_params_t params = {
		.k = TRAIN_SEGMENT, .d = TRAIN_DMER, .f = TRAIN_FREQ_LOG, .accel = 1,
		.zParams.compressionLevel = LEVEL,
	};
	size_t sizes[WINDOW / 2], total = 0, n = 0, off = 0, len;
	uint8_t *joined;

	for (size_t i = 0; i < WINDOW; i += 2)
		total += p->window[i].len;
	joined = malloc(total);
	if (!joined)
		return 0;
	for (size_t i = 0; i < WINDOW; i += 2) {
		memcpy(joined + off, p->window[i].data, p->window[i].len);
		off += p->window[i].len;
		sizes[n++] = p->window[i].len;
	}
	len = ZDICT_trainFromBuffer_fastCover(dict, DICT_CAPACITY, joined, sizes,
					      (unsigned int)n, params);
	free(joined);
	return ZDICT_isError(len) ? 0 : len;
}

/* Does @dict shrink the odd samples of the window enough? */
static bool pays_off(struct packer *p, const void *dict, size_t len)
{
	ZSTD_CDict *cdict = ZSTD_createCDict(dict, len, LEVEL);
	uint64_t plain = 0, with = 0;

	for (size_t i = 1; cdict && i < WINDOW; i += 2) {
		const struct sample *s = &p->window[i];

		if (reserve_bytes(&p->out, &p->out_size, ZSTD_compressBound(s->len)))
			break;
		plain += stored_len(p, NULL, s->data, s->len);
		with += stored_len(p, cdict, s->data, s->len);
	}
	ZSTD_freeCDict(cdict);
	return plain && with * 100 <= plain * (100 - MIN_GAIN_PERCENT);
}

static int attempt(struct packer *p)
{
	uint8_t *dict = malloc(DICT_CAPACITY);
	size_t len = dict ? train(p, dict) : 0;
	int adopted = 0;

	if (len && pays_off(p, dict, len) && !use_dictionary(p, dict, len)) {
		adopted = 1;
		p->learning = false;
		forget_samples(p);
	}
	free(dict);
	return adopted;
}

int packer_learn(struct packer *p, const void *data, size_t len)
{
	struct sample *s;
	uint8_t *copy;

	if (!p->learning || len < MIN_SAMPLE)
		return 0;
	if (len > MAX_SAMPLE)
		len = MAX_SAMPLE;
	copy = malloc(len);
	if (!copy)
		return 0;	/* a sample less; packing goes on */
	memcpy(copy, data, len);
	s = &p->window[p->seen % WINDOW];
	free(s->data);
	s->data = copy;
	s->len = len;
	if (++p->seen < p->next_attempt)
		return 0;
	p->next_attempt = p->seen < 4 * WINDOW ? p->seen + WINDOW : 2 * p->seen;
	if (attempt(p))
		return 1;
	if (p->seen >= LAST_ATTEMPT) {
		p->learning = false;
		forget_samples(p);
	}
	return 0;
}

int packer_dictionary(const struct packer *p, uint32_t *id, const void **data, size_t *len)
{
	if (!p->cdict)
		return -ENOENT;
	*id = p->dict_id;
	*data = p->dict;
	*len = p->dict_len;
	return 0;
}

void packer_drop_dictionary(struct packer *p)
{
	drop_cdict(p);
	start_learning(p);
}

int packer_add_dictionary(struct packer *p, const void *data, size_t len, int use)
{
	uint32_t id = (uint32_t)ZDICT_getDictID(data, len);

	if (!id)
		return -EINVAL;
	if (!use)
		return remember(p, id, data, len);
	p->learning = false;
	forget_samples(p);
	return use_dictionary(p, data, len);
}

static const ZSTD_DDict *find_ddict(const struct packer *p, uint32_t id)
{
	for (size_t i = 0; i < p->nknown; i++)
		if (p->known[i].id == id)
			return p->known[i].ddict;
	return NULL;
}

ssize_t packer_unpack(struct packer *p, enum packer_codec codec, const void *in,
		      size_t inlen, void *out, size_t size)
{
	const ZSTD_DDict *ddict;
	size_t n;

	switch (codec) {
	case PACKER_RAW:
		if (inlen != size)
			return -EBADMSG;
		if (size)	/* an empty blob comes back from SQLite as NULL */
			memcpy(out, in, size);
		return (ssize_t)size;
	case PACKER_ZSTD:
		n = ZSTD_decompressDCtx(p->dctx, out, size, in, inlen);
		break;
	case PACKER_ZSTD_DICT:
		ddict = find_ddict(p, ZSTD_getDictID_fromFrame(in, inlen));
		if (!ddict)
			return -ENOENT;
		n = ZSTD_decompress_usingDDict(p->dctx, out, size, in, inlen, ddict);
		break;
	default:
		return -EBADMSG;
	}
	return !ZSTD_isError(n) && n == size ? (ssize_t)size : -EBADMSG;
}
