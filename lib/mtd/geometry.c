/*
 * geometry.c - presets, the key=value geometry syntax, derived defaults
 * and validation.
 *
 * Derived values follow what the Linux NAND core would pick for the same
 * chip: the OOB layout of nand_ooblayout_lp_ops (bad block marker in bytes
 * 0-1, free bytes from 2, ECC bytes at the end, BCH sized), and a bitflip
 * threshold of 3/4 of the ECC strength.  So "nand-2k" matches nandsim
 * loaded with the same ID bytes and bch=4.
 */
#include "geometry.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum geometry_key {
	KEY_TYPE, KEY_PAGE, KEY_OOB, KEY_BLOCK, KEY_SIZE, KEY_SUBPAGE,
	KEY_WRITEBUF, KEY_NOP, KEY_ECC, KEY_THRESHOLD, KEY_OOBFREE, KEY_OOBECC,
	KEY_ORDER, KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
	[KEY_TYPE] = "type", [KEY_PAGE] = "page", [KEY_OOB] = "oob",
	[KEY_BLOCK] = "block", [KEY_SIZE] = "size", [KEY_SUBPAGE] = "subpage",
	[KEY_WRITEBUF] = "writebuf", [KEY_NOP] = "nop", [KEY_ECC] = "ecc",
	[KEY_THRESHOLD] = "threshold", [KEY_OOBFREE] = "oobfree",
	[KEY_OOBECC] = "oobecc", [KEY_ORDER] = "order",
};

struct preset {
	const char *name;
	struct geometry g;
};

#define MIB (1024u * 1024u)

static const struct preset presets[] = {
	{ "nand-2k", {
		.type = FLASH_NAND, .size = 64ull * MIB, .page_size = 2048,
		.block_size = 128 * 1024, .writebuf_size = 2048,
		.oob_size = 64, .subpage_size = 512, .nop = 4,
		.page_order = true, .ecc_strength = 4, .ecc_step = 512 } },
	{ "nand-4k", {
		.type = FLASH_NAND, .size = 64ull * MIB, .page_size = 4096,
		.block_size = 256 * 1024, .writebuf_size = 4096,
		.oob_size = 224, .subpage_size = 4096, .nop = 4,
		.page_order = true, .ecc_strength = 8, .ecc_step = 512 } },
	{ "mlc-4k", {
		.type = FLASH_MLC_NAND, .size = 64ull * MIB, .page_size = 4096,
		.block_size = 512 * 1024, .writebuf_size = 4096,
		.oob_size = 224, .subpage_size = 4096, .nop = 1,
		.page_order = true, .ecc_strength = 8, .ecc_step = 512 } },
	{ "nor-64k", {
		.type = FLASH_NOR, .size = 64ull * MIB, .page_size = 1,
		.block_size = 64 * 1024, .writebuf_size = 64,
		.subpage_size = 1 } },
	{ "ram", {
		.type = FLASH_RAM, .size = 64ull * MIB, .page_size = 1,
		.block_size = 64 * 1024, .writebuf_size = 1,
		.subpage_size = 1 } },
};

static const struct {
	const char *name;
	enum flash_type type;
	const char *preset;
} type_names[] = {
	{ "nand", FLASH_NAND, "nand-2k" },
	{ "mlc-nand", FLASH_MLC_NAND, "mlc-4k" },
	{ "mlc", FLASH_MLC_NAND, "mlc-4k" },
	{ "nor", FLASH_NOR, "nor-64k" },
	{ "ram", FLASH_RAM, "ram" },
};

const char *flash_type_name(enum flash_type type)
{
	/* the first name of each type in the table above is its own */
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "?";
}

static const struct preset *find_preset(const char *name)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(presets[i].name, name))
			return &presets[i];
	return NULL;
}

static int find_type(const char *name, enum flash_type *type,
		     const char **preset)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(type_names[i].name, name)) {
			*type = type_names[i].type;
			if (preset)
				*preset = type_names[i].preset;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_u32_size(const char *key, const char *val, uint32_t *out,
			  struct muse_error *e)
{
	uint64_t v;

	if (parse_size(val, &v) || v > UINT32_MAX)
		return muse_fail(e, -EINVAL, "geometry: %s=%s is not a size",
				 key, val);
	*out = (uint32_t)v;
	return 0;
}

/* "offset:length+offset:length..." */
static int parse_layout(const char *key, const char *val,
			struct oob_layout *layout, struct muse_error *e)
{
	const char *p = val;

	layout->count = 0;
	if (!strcmp(val, "none"))
		return 0;
	while (*p) {
		struct oob_region *r;
		unsigned long off, len;
		char *end;

		if (layout->count == GEOMETRY_MAX_OOB_REGIONS)
			return muse_fail(e, -EINVAL,
					 "geometry: %s=%s has more than %d regions",
					 key, val, GEOMETRY_MAX_OOB_REGIONS);
		off = strtoul(p, &end, 0);
		if (end == p || *end != ':')
			goto bad;
		p = end + 1;
		len = strtoul(p, &end, 0);
		if (end == p || (*end && *end != '+') || !len ||
		    off > UINT32_MAX || len > UINT32_MAX)
			goto bad;
		r = &layout->region[layout->count++];
		r->offset = (uint32_t)off;
		r->length = (uint32_t)len;
		p = *end ? end + 1 : end;
	}
	return 0;
bad:
	return muse_fail(e, -EINVAL,
			 "geometry: %s=%s is not offset:length[+offset:length...]",
			 key, val);
}

static int parse_ecc(const char *val, struct geometry *g, struct muse_error *e)
{
	unsigned long strength, step;
	char *end;

	if (!strcmp(val, "0") || !strcmp(val, "none")) {
		g->ecc_strength = 0;
		g->ecc_step = 0;
		return 0;
	}
	strength = strtoul(val, &end, 10);
	if (end == val || *end != '/')
		goto bad;
	step = strtoul(end + 1, &end, 10);
	if (*end || !strength || !step || step > UINT32_MAX ||
	    strength > UINT32_MAX)
		goto bad;
	g->ecc_strength = (uint32_t)strength;
	g->ecc_step = (uint32_t)step;
	return 0;
bad:
	return muse_fail(e, -EINVAL,
			 "geometry: ecc=%s is not BITS/STEP (e.g. 4/512) or none",
			 val);
}

static int parse_bool(const char *key, const char *val, bool *out,
		      struct muse_error *e)
{
	if (!strcmp(val, "on") || !strcmp(val, "1") || !strcmp(val, "yes"))
		*out = true;
	else if (!strcmp(val, "off") || !strcmp(val, "0") || !strcmp(val, "no"))
		*out = false;
	else
		return muse_fail(e, -EINVAL, "geometry: %s=%s is not on or off",
				 key, val);
	return 0;
}

static int parse_u32(const char *key, const char *val, uint32_t *out,
		     struct muse_error *e)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 0);
	if (errno || end == val || *end || *val == '-' || v > UINT32_MAX)
		return muse_fail(e, -EINVAL, "geometry: %s=%s is not a number",
				 key, val);
	*out = (uint32_t)v;
	return 0;
}

static int apply_key(enum geometry_key key, const char *val,
		     struct geometry *g, struct muse_error *e)
{
	const char *name = key_names[key];

	switch (key) {
	case KEY_TYPE:
		if (find_type(val, &g->type, NULL))
			return muse_fail(e, -EINVAL,
					 "geometry: type=%s is not nand, mlc-nand, nor or ram",
					 val);
		return 0;
	case KEY_PAGE:
		return parse_u32_size(name, val, &g->page_size, e);
	case KEY_OOB:
		return parse_u32_size(name, val, &g->oob_size, e);
	case KEY_BLOCK:
		return parse_u32_size(name, val, &g->block_size, e);
	case KEY_SIZE:
		if (parse_size(val, &g->size))
			return muse_fail(e, -EINVAL,
					 "geometry: size=%s is not a size", val);
		return 0;
	case KEY_SUBPAGE:
		return parse_u32_size(name, val, &g->subpage_size, e);
	case KEY_WRITEBUF:
		return parse_u32_size(name, val, &g->writebuf_size, e);
	case KEY_NOP:
		return parse_u32(name, val, &g->nop, e);
	case KEY_ECC:
		return parse_ecc(val, g, e);
	case KEY_THRESHOLD:
		return parse_u32(name, val, &g->bitflip_threshold, e);
	case KEY_OOBFREE:
		return parse_layout(name, val, &g->oobfree, e);
	case KEY_OOBECC:
		return parse_layout(name, val, &g->oobecc, e);
	case KEY_ORDER:
		return parse_bool(name, val, &g->page_order, e);
	case KEY_COUNT:
		break;
	}
	return -EINVAL;
}

static int find_key(const char *name, enum geometry_key *key)
{
	for (int i = 0; i < KEY_COUNT; i++) {
		if (!strcmp(key_names[i], name)) {
			*key = (enum geometry_key)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ECC bytes per step that a BCH (or, for 1 bit, Hamming) code needs */
static uint32_t ecc_bytes_per_step(uint32_t strength, uint32_t step)
{
	uint32_t m = 0;

	if (strength == 1 && step <= 512)
		return 3;
	while ((1u << m) < step * 8 + 1)
		m++;
	return (strength * m + 7) / 8;
}

static int derive_oob_layout(struct geometry *g, struct muse_error *e)
{
	uint32_t ecc_total = 0;

	g->oobfree.count = 0;
	g->oobecc.count = 0;
	if (!g->oob_size)
		return 0;
	if (g->ecc_strength && g->ecc_step && g->page_size >= g->ecc_step)
		ecc_total = (g->page_size / g->ecc_step) *
			    ecc_bytes_per_step(g->ecc_strength, g->ecc_step);
	if (g->oob_size < 2 || ecc_total > g->oob_size - 2)
		return muse_fail(e, -EINVAL,
				 "geometry: oob=%" PRIu32 " has no room for 2 marker bytes and %" PRIu32
				 " ECC bytes; give oobfree= and oobecc=",
				 g->oob_size, ecc_total);
	if (ecc_total) {
		g->oobecc.region[0].offset = g->oob_size - ecc_total;
		g->oobecc.region[0].length = ecc_total;
		g->oobecc.count = 1;
	}
	if (g->oob_size - ecc_total > 2) {
		g->oobfree.region[0].offset = 2;
		g->oobfree.region[0].length = g->oob_size - ecc_total - 2;
		g->oobfree.count = 1;
	}
	return 0;
}

static bool given(unsigned mask, enum geometry_key key)
{
	return mask & (1u << key);
}

/* Fills in what the keys given imply, as a preset of that shape would. */
static int derive(struct geometry *g, unsigned mask, struct muse_error *e)
{
	bool reshaped = given(mask, KEY_PAGE) || given(mask, KEY_OOB) ||
			given(mask, KEY_ECC);

	if (!given(mask, KEY_SUBPAGE) &&
	    (given(mask, KEY_PAGE) || g->type == FLASH_MLC_NAND))
		g->subpage_size = g->page_size;
	if (!given(mask, KEY_WRITEBUF) &&
	    (geometry_is_nand(g) || g->writebuf_size < g->page_size))
		g->writebuf_size = g->page_size;
	if (!given(mask, KEY_NOP))
		g->nop = g->type == FLASH_MLC_NAND ? 1 :
			 geometry_is_nand(g) ? g->nop : 0;
	if (!given(mask, KEY_ORDER))
		g->page_order = geometry_is_nand(g);
	if (!geometry_is_nand(g) && !given(mask, KEY_OOB))
		g->oob_size = 0;
	if (!given(mask, KEY_THRESHOLD))
		g->bitflip_threshold = (3 * g->ecc_strength + 3) / 4;
	/* a free layout alone (from a dump's hardware): ECC bytes unknown */
	if (given(mask, KEY_OOBFREE) && !given(mask, KEY_OOBECC))
		g->oobecc.count = 0;
	if (reshaped && !given(mask, KEY_OOBFREE) && !given(mask, KEY_OOBECC))
		return derive_oob_layout(g, e);
	return 0;
}

/* For a key=value list: the preset of the type it names, else nand-2k */
static const struct preset *preset_for_type(const char *spec)
{
	const char *preset = "nand-2k";
	enum flash_type type;

	for (const char *t = spec; (t = strstr(t, "type=")) != NULL; t++) {
		char name[16] = "";

		if (t != spec && t[-1] != ',')
			continue;
		if (sscanf(t + 5, "%15[^,]", name) == 1)
			find_type(name, &type, &preset);
		break;
	}
	return find_preset(preset);
}

static int start_from(const char *first, const char *spec, struct geometry *g,
		      bool *consumed, struct muse_error *e)
{
	const struct preset *p = find_preset(first);

	*consumed = p != NULL;
	if (!p && !strchr(first, '='))
		return muse_fail(e, -EINVAL,
				 "geometry: unknown preset %s (nand-2k, nand-4k, mlc-4k, nor-64k, ram)",
				 first);
	if (!p)
		p = preset_for_type(spec);
	*g = p->g;
	return derive_oob_layout(g, e);
}

int geometry_parse(const char *spec, struct geometry *g, struct muse_error *e)
{
	char *copy, *tok, *save = NULL;
	unsigned mask = 0;
	bool consumed = false;
	int ret;

	if (!spec || !*spec)
		spec = "nand-2k";
	copy = strdup(spec);
	if (!copy)
		return muse_fail(e, -ENOMEM, "out of memory");
	tok = strtok_r(copy, ",", &save);
	ret = tok ? start_from(tok, spec, g, &consumed, e) :
		    muse_fail(e, -EINVAL, "geometry: empty");
	if (!ret && consumed)
		tok = strtok_r(NULL, ",", &save);
	for (; !ret && tok; tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '=');
		enum geometry_key key;

		if (!val) {
			ret = muse_fail(e, -EINVAL,
					"geometry: \"%s\" is not key=value", tok);
			break;
		}
		*val++ = '\0';
		if (find_key(tok, &key)) {
			ret = muse_fail(e, -EINVAL,
					"geometry: unknown key %s (type page oob block size subpage writebuf nop ecc threshold oobfree oobecc order)",
					tok);
			break;
		}
		if (given(mask, key)) {
			ret = muse_fail(e, -EINVAL, "geometry: %s given twice", tok);
			break;
		}
		mask |= 1u << key;
		ret = apply_key(key, val, g, e);
	}
	free(copy);
	if (!ret)
		ret = derive(g, mask, e);
	if (!ret)
		ret = geometry_validate(g, e);
	return ret;
}

bool geometry_spec_sets(const char *spec, const char *key)
{
	size_t n = strlen(key);

	for (const char *t = spec; t && *t; t = strchr(t, ',')) {
		if (*t == ',')
			t++;
		if (!strncmp(t, key, n) && t[n] == '=')
			return true;
	}
	return false;
}

static int format_layout(char *buf, size_t size, const char *key,
			 const struct oob_layout *l)
{
	int n = snprintf(buf, size, ",%s=", key);

	if (!l->count)
		return n + snprintf(buf + n, size > (size_t)n ? size - n : 0,
				    "none");
	for (uint32_t i = 0; i < l->count; i++)
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0,
			      "%s%" PRIu32 ":%" PRIu32, i ? "+" : "",
			      l->region[i].offset, l->region[i].length);
	return n;
}

int geometry_format(const struct geometry *g, char *buf, size_t size)
{
	int n = snprintf(buf, size,
			 "type=%s,size=%" PRIu64 ",block=%" PRIu32 ",page=%" PRIu32
			 ",oob=%" PRIu32 ",subpage=%" PRIu32 ",writebuf=%" PRIu32
			 ",nop=%" PRIu32 ",order=%s",
			 flash_type_name(g->type), g->size, g->block_size,
			 g->page_size, g->oob_size, g->subpage_size,
			 g->writebuf_size, g->nop, g->page_order ? "on" : "off");

	if (g->ecc_strength)
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0,
			      ",ecc=%" PRIu32 "/%" PRIu32 ",threshold=%" PRIu32,
			      g->ecc_strength, g->ecc_step, g->bitflip_threshold);
	else
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0,
			      ",ecc=none");
	if (g->oob_size) {
		n += format_layout(buf + n, size > (size_t)n ? size - n : 0,
				   "oobfree", &g->oobfree);
		n += format_layout(buf + n, size > (size_t)n ? size - n : 0,
				   "oobecc", &g->oobecc);
	}
	return n;
}
