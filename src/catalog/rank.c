/* The ranking of rank.h: each field's terms padded with spaces, so that a
 * phrase " t1 t2 " is found as a run of whole terms. */
#include "catalog/rank.h"

#include "base/buf.h"
#include "catalog/terms.h"

#include <string.h>

/* " t1 t2 ... " of text (arena), or " " for none. */
static const char *padded(const char *text, struct tb_arena *a)
{
	struct tb_buf b = TB_BUF_INIT;
	tb_terms(text, &b);
	const char *s = tb_arena_printf(a, " %s ", b.data ? b.data : "");
	tb_buf_free(&b);
	return s;
}

/* One CJK character (3 or 4 bytes of UTF-8) as a whole word. */
static bool lone_cjk(const char *w, size_t n)
{
	return (n == 3 || n == 4) && (unsigned char)w[0] >= 0xE3;
}

void tb_rank_parse(const char *q, const char *(*expand)(const char *word, void *ctx), void *ctx,
                   struct tb_arena *a, struct tb_rank_query *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_buf whole = TB_BUF_INIT;
	const char *p = q, *w;
	size_t n;
	int words = 0;
	const char *lone = NULL;
	while ((w = tb_terms_word(&p, &n)) != NULL) {
		words++;
		char *word = tb_arena_printf(a, "%.*s", (int)(n < 255 ? n : 255), w);
		tb_buf_add(&whole, w, n);
		if (out->nwords == TB_RANK_WORDS)
			continue;
		const char *own = padded(word, a);
		const char *other = expand ? expand(word, ctx) : NULL;
		if (strcmp(own, "  ") == 0 && !other)
			continue; /* punctuation only: the index ignores it too */
		int k = out->nwords;
		out->word[k].own = strcmp(own, "  ") != 0 && !lone_cjk(word, strlen(word));
		if (out->word[k].own)
			out->word[k].alt[out->word[k].nalt++] = own;
		for (const char *o = other; o && *o && out->word[k].nalt < TB_RANK_ALTS;
		     o += strlen(o) + 1)
			out->word[k].alt[out->word[k].nalt++] = padded(o, a);
		if (out->word[k].nalt)
			out->nwords++;
		else if (lone_cjk(word, strlen(word)))
			lone = word;
	}
	/* A lone character as the whole query: matched as text in names. */
	if (words == 1 && out->nwords == 0 && lone)
		out->lone = lone;
	else if (whole.len)
		out->whole = padded(whole.data, a);
	tb_buf_free(&whole);
}

/* Where in field the first of the word's phrases stands (byte offset), or
 * -1; *which gets the phrase's index. */
static long find(const char *field, const char *const *alt, int nalt, int *which)
{
	for (int i = 0; i < nalt; i++) {
		const char *at = strstr(field, alt[i]);
		if (at) {
			*which = i;
			return at - field;
		}
	}
	return -1;
}

/* The tier and, through *pos, where the first word stands in the name. */
static int tier_of(const struct tb_rank_query *rq, const struct tb_rank_doc *d, struct tb_arena *a,
                   long *pos)
{
	*pos = -1;
	if (rq->lone) {
		const char *at = d->name ? strstr(d->name, rq->lone) : NULL;
		if (!at)
			return 7;
		*pos = at - d->name;
		return strcmp(d->name, rq->lone) == 0 ? 0 : 1;
	}
	if (rq->nwords == 0)
		return 7;
	const char *fields[5] = {" ", " ", " ", " ", " "};
	if (d->terms) {
		/* Stored terms: each line one field, padded with spaces. */
		const char *p = d->terms;
		for (int k = 0; k < 5; k++) {
			const char *nl = p ? strchr(p, '\n') : NULL;
			size_t n = p ? (nl ? (size_t)(nl - p) : strlen(p)) : 0;
			fields[k] = tb_arena_printf(a, " %.*s ", (int)n, p ? p : "");
			p = nl ? nl + 1 : NULL;
		}
	} else {
		fields[0] = padded(d->name, a);
		fields[1] = padded(d->result, a);
		fields[2] = padded(d->conditions, a);
		fields[3] = padded(d->materials, a);
	}
	const char *name = fields[0];
	if (rq->whole && strcmp(name, rq->whole) == 0)
		return 0;
	/* A code the guide prints, typed as printed (the fifth line): that
	 * item. */
	bool coded = true;
	for (int k = 0, which; k < rq->nwords && coded; k++)
		coded = find(fields[4], rq->word[k].alt, rq->word[k].nalt, &which) >= 0;
	if (coded)
		return 0;
	const char *at = rq->whole ? strstr(name, rq->whole) : NULL;
	if (at) {
		*pos = at - name;
		return 1;
	}
	int worst = 0;
	bool synonym = false;
	for (int k = 0; k < rq->nwords; k++) {
		int f = 0, which = 0;
		long where = -1;
		for (; f < 4; f++)
			if ((where = find(fields[f], rq->word[k].alt, rq->word[k].nalt, &which)) >=
			    0)
				break;
		if (f == 0 && (which > 0 || !rq->word[k].own))
			synonym = true;
		if (f == 0 && k == 0)
			*pos = where;
		if (f > worst)
			worst = f;
	}
	static const int tiers[5] = {2, 4, 5, 6, 7};
	return worst == 0 && synonym ? 3 : tiers[worst];
}

int tb_rank_tier(const struct tb_rank_query *rq, const struct tb_rank_doc *d, struct tb_arena *a)
{
	long pos;
	return tier_of(rq, d, a, &pos);
}

long tb_rank_score(const struct tb_rank_query *rq, const struct tb_rank_doc *d, struct tb_arena *a)
{
	long pos;
	int tier = tier_of(rq, d, a, &pos);
	/* Then the shorter name (a qualified variant, 结婚登记（涉外…）, after
	 * the plain service), then the earlier word; lengths and positions
	 * roughly in characters (CJK is 3 bytes, a term 2 characters and a
	 * space). */
	long p = pos < 0 ? 99 : pos / 4;
	long len = d->name ? (long)strlen(d->name) / 3 : 999;
	return (long)tier * 1000000L + (len > 999 ? 999 : len) * 100L + (p > 99 ? 99 : p);
}
