/*
 * fault_plan.c - parsing and printing fault plans (see fault_plan.h).
 */
#define _DEFAULT_SOURCE
#include "fault_plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[FAULT_KINDS] = {
	[FAULT_PROGRAM_FAIL] = "program-fail",
	[FAULT_ERASE_FAIL] = "erase-fail",
	[FAULT_GROWN_BAD] = "grown-bad",
	[FAULT_WEAR] = "wear",
	[FAULT_READ_DISTURB] = "read-disturb",
	[FAULT_RETENTION] = "retention",
	[FAULT_STUCK_BITS] = "stuck-bits",
};

/* How each kind is written, for messages */
static const char *const kind_usage[FAULT_KINDS] = {
	[FAULT_PROGRAM_FAIL] = "program-fail@op=K or program-fail@block=B",
	[FAULT_ERASE_FAIL] = "erase-fail@op=K or erase-fail@block=B",
	[FAULT_GROWN_BAD] = "grown-bad@op=K",
	[FAULT_WEAR] = "wear=E",
	[FAULT_READ_DISTURB] = "read-disturb=R",
	[FAULT_RETENTION] = "retention=T",
	[FAULT_STUCK_BITS] = "stuck-bits@block=B,page=P,n=N",
};

/* The placements each kind takes, as bits of 1 << enum fault_where */
static const unsigned kind_forms[FAULT_KINDS] = {
	[FAULT_PROGRAM_FAIL] = 1 << FAULT_AT_OP | 1 << FAULT_ON_BLOCK,
	[FAULT_ERASE_FAIL] = 1 << FAULT_AT_OP | 1 << FAULT_ON_BLOCK,
	[FAULT_GROWN_BAD] = 1 << FAULT_AT_OP,
	[FAULT_WEAR] = 1 << FAULT_RATE,
	[FAULT_READ_DISTURB] = 1 << FAULT_RATE,
	[FAULT_RETENTION] = 1 << FAULT_RATE,
	[FAULT_STUCK_BITS] = 1 << FAULT_ON_BLOCK,
};

const char *fault_kind_name(enum fault_kind kind)
{
	return kind < FAULT_KINDS ? kind_names[kind] : "?";
}

int fault_kind_from_name(const char *name, enum fault_kind *kind)
{
	for (int k = 0; k < FAULT_KINDS; k++) {
		if (!strcmp(name, kind_names[k])) {
			*kind = (enum fault_kind)k;
			return 0;
		}
	}
	return -EINVAL;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* "key=value" with the value a number; false if @tok is not that */
static bool key_value(const char *tok, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	return !strncmp(tok, key, n) && tok[n] == '=' && parse_u64(tok + n + 1, v);
}

static int bad_item(struct muse_error *e, const char *tok, const char *why)
{
	return muse_fail(e, -EINVAL, "fault plan: \"%s\": %s", tok, why);
}

/* "kind@op=K", "kind@block=B" or "kind=R" */
static int parse_head(char *tok, struct fault_item *it, struct muse_error *e)
{
	char *at = strchr(tok, '@'), *eq = strchr(tok, '=');
	char name[32];
	size_t n = (size_t)((at ? at : eq ? eq : tok + strlen(tok)) - tok);

	if (n >= sizeof(name))
		return bad_item(e, tok, "unknown fault (docs/faults.md lists them)");
	memcpy(name, tok, n);
	name[n] = 0;
	if (fault_kind_from_name(name, &it->kind))
		return bad_item(e, tok, "unknown fault (docs/faults.md lists them)");
	if (at && key_value(at + 1, "op", &it->value))
		it->where = FAULT_AT_OP;
	else if (at && key_value(at + 1, "block", &it->value))
		it->where = FAULT_ON_BLOCK;
	else if (!at && eq && parse_u64(eq + 1, &it->value))
		it->where = FAULT_RATE;
	else
		it->where = (enum fault_where)-1;
	if (it->where == (enum fault_where)-1 ||
	    !(kind_forms[it->kind] & 1u << it->where)) {
		char why[96];

		snprintf(why, sizeof(why), "expected %s", kind_usage[it->kind]);
		return bad_item(e, tok, why);
	}
	return 0;
}

static int check_item(const struct fault_item *it, const struct geometry *g,
		      struct muse_error *e)
{
	const char *name = fault_kind_name(it->kind);
	uint64_t bits = (uint64_t)geometry_unit_data(g) * 8;

	if (it->where == FAULT_ON_BLOCK && it->value >= geometry_blocks(g))
		return muse_fail(e, -EINVAL, "fault plan: %s@block=%" PRIu64
				 ": the chip has %" PRIu64 " blocks", name,
				 it->value, geometry_blocks(g));
	if (it->where != FAULT_ON_BLOCK && !it->value)
		return muse_fail(e, -EINVAL, "fault plan: %s: %s must be at least 1",
				 name, it->where == FAULT_AT_OP ? "op" : "the rate");
	if (it->kind == FAULT_GROWN_BAD && !geometry_is_nand(g))
		return muse_fail(e, -EINVAL, "fault plan: grown-bad: a %s chip has no"
				 " bad blocks", flash_type_name(g->type));
	if (it->kind != FAULT_STUCK_BITS)
		return 0;
	if (it->page >= g->block_size / geometry_unit_data(g))
		return muse_fail(e, -EINVAL, "fault plan: stuck-bits: page %" PRIu32
				 " is not in a block of %" PRIu32, it->page,
				 g->block_size / geometry_unit_data(g));
	if (!it->n || it->n > bits)
		return muse_fail(e, -EINVAL, "fault plan: stuck-bits: n=%" PRIu32
				 " must be 1..%" PRIu64, it->n, bits);
	return 0;
}

/* "page=P" and "n=N" continue the stuck-bits item before them */
static int parse_tail(const char *tok, struct fault_item *it,
		      struct muse_error *e)
{
	uint64_t v;

	if (it && it->kind == FAULT_STUCK_BITS && key_value(tok, "page", &v) &&
	    v <= UINT32_MAX)
		it->page = (uint32_t)v;
	else if (it && it->kind == FAULT_STUCK_BITS && key_value(tok, "n", &v) &&
		 v <= UINT32_MAX)
		it->n = (uint32_t)v;
	else
		return bad_item(e, tok, "unknown fault (docs/faults.md lists them)");
	return 0;
}

static int parse_token(char *tok, struct fault_plan *p, struct muse_error *e)
{
	struct fault_item *last = p->count ? &p->items[p->count - 1] : NULL;

	if (!*tok)
		return muse_fail(e, -EINVAL, "fault plan: an empty item");
	if (!strncmp(tok, "seed=", 5))
		return parse_u64(tok + 5, &p->seed) ? 0 :
		       bad_item(e, tok, "the seed is a number");
	if (!strncmp(tok, "page=", 5) || !strncmp(tok, "n=", 2))
		return parse_tail(tok, last, e);
	if (p->count == FAULT_PLAN_MAX)
		return muse_fail(e, -E2BIG, "fault plan: more than %d items",
				 FAULT_PLAN_MAX);
	p->items[p->count] = (struct fault_item){ .n = 1 };
	if (parse_head(tok, &p->items[p->count], e))
		return -EINVAL;
	p->count++;
	return 0;
}

int fault_plan_parse(const char *spec, const struct geometry *g,
		     struct fault_plan *p, struct muse_error *e)
{
	char *copy = strdup(spec), *rest = copy, *tok;
	int ret = copy ? 0 : muse_fail(e, -ENOMEM, "out of memory");

	*p = (struct fault_plan){ 0 };
	while (!ret && (tok = strsep(&rest, ",")))
		ret = parse_token(tok, p, e);
	for (unsigned i = 0; !ret && i < p->count; i++)
		ret = check_item(&p->items[i], g, e);
	free(copy);
	return ret;
}

int fault_plan_format(const struct fault_plan *p, char *buf, size_t size)
{
	static const char *const where[] = { "@op=", "@block=", "=" };
	size_t len = (size_t)snprintf(buf, size, "seed=%" PRIu64, p->seed);

	for (unsigned i = 0; i < p->count && len < size; i++) {
		const struct fault_item *it = &p->items[i];

		len += (size_t)snprintf(buf + len, size - len, ",%s%s%" PRIu64,
					fault_kind_name(it->kind), where[it->where],
					it->value);
		if (it->kind == FAULT_STUCK_BITS && len < size)
			len += (size_t)snprintf(buf + len, size - len,
						",page=%" PRIu32 ",n=%" PRIu32,
						it->page, it->n);
	}
	return len < size ? 0 : -E2BIG;
}
