/* The tokenizer of terms.h: decodes UTF-8, classifies code points as CJK,
 * Latin/digit or separator, and emits terms per run. */
#include "catalog/terms.h"

#include <stdio.h>
#include <string.h>

enum cls { SEP, CJK, WORD };

/* Decodes one code point (text is valid UTF-8 by the time it gets here;
 * a bad byte is a separator of length 1). */
static size_t next_cp(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (len == 1) {
		*cp = 0xFFFD;
		return 1;
	}
	unsigned v = c & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return len;
}

static enum cls classify(unsigned cp)
{
	if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
		return WORD;
	if ((cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0x20000 && cp <= 0x2FFFF) || cp == 0x3007)
		return CJK;
	return SEP;
}

/* Calls emit for each term of text[0..n). */
static void each_term(const char *text, size_t n,
                      void (*emit)(const char *t, size_t len, void *ctx), void *ctx)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + n;
	while (p < end) {
		unsigned cp;
		size_t l = next_cp(p, &cp);
		enum cls k = classify(cp);
		if (k == SEP) {
			p += l;
			continue;
		}
		const unsigned char *run = p;
		size_t count = 0;
		const unsigned char *prev = NULL;
		while (p < end) {
			size_t l2 = next_cp(p, &cp);
			if (classify(cp) != k)
				break;
			if (k == CJK) {
				if (prev)
					emit((const char *)prev, (size_t)(p + l2 - prev), ctx);
				prev = p;
			}
			p += l2;
			count++;
		}
		if (k == WORD) {
			char w[64];
			size_t wl = (size_t)(p - run) < sizeof(w) ? (size_t)(p - run) : sizeof(w);
			for (size_t i = 0; i < wl; i++)
				w[i] = (run[i] >= 'A' && run[i] <= 'Z') ? (char)(run[i] + 32)
				                                        : (char)run[i];
			emit(w, wl, ctx);
		} else if (count == 1) {
			emit((const char *)run, (size_t)(p - run), ctx);
		}
	}
}

static void add_term(const char *t, size_t len, void *ctx)
{
	struct tb_buf *out = ctx;
	if (out->len)
		tb_buf_add(out, " ", 1);
	tb_buf_add(out, t, len);
}

void tb_terms(const char *text, struct tb_buf *out)
{
	if (text)
		each_term(text, strlen(text), add_term, out);
}

static bool is_space(const char *p)
{
	return *p == ' ' || *p == '\t' || strncmp(p, "\xe3\x80\x80", 3) == 0;
}

const char *tb_terms_word(const char **p, size_t *n)
{
	const char *s = *p;
	while (s && *s && is_space(s))
		s += *s == ' ' || *s == '\t' ? 1 : 3;
	if (!s || !*s) {
		*p = s;
		return NULL;
	}
	const char *start = s;
	while (*s && !is_space(s))
		s++;
	*n = (size_t)(s - start);
	*p = s;
	return start;
}

struct word_terms {
	struct tb_buf list; /* this word's terms, space-separated */
	int n;
};

static void word_term(const char *t, size_t len, void *ctx)
{
	struct word_terms *w = ctx;
	add_term(t, len, &w->list);
	w->n++;
}

/* One phrase (a word's terms, space-separated) for both stores: "a b"
 * into fts, ('a' <-> 'b') into tsq. */
static void phrase(const char *terms, struct tb_buf *fts, struct tb_buf *tsq)
{
	tb_buf_printf(fts, "\"%s\"", terms);
	tb_buf_adds(tsq, "(");
	for (const char *t = terms, *sp; t; t = sp ? sp + 1 : NULL) {
		sp = strchr(t, ' ');
		tb_buf_printf(tsq, "%s'%.*s'", t == terms ? "" : " <-> ",
		              sp ? (int)(sp - t) : (int)strlen(t), t);
	}
	tb_buf_adds(tsq, ")");
}

bool tb_terms_query_ex(const char *q, const char *(*expand)(const char *word, void *ctx), void *ctx,
                       struct tb_buf *fts, struct tb_buf *tsq, struct tb_buf *like)
{
	int words = 0;
	const char *p = q, *start;
	size_t n;
	while ((start = tb_terms_word(&p, &n)) != NULL) {
		struct word_terms w = {TB_BUF_INIT, 0};
		each_term(start, n, word_term, &w);
		bool lone = w.n == 1 && (w.list.len == 3 || w.list.len == 4) &&
		            (unsigned char)w.list.data[0] >= 0xE3;
		char word[256];
		snprintf(word, sizeof(word), "%.*s", (int)(n < 255 ? n : 255), start);
		const char *other = expand && n < 255 ? expand(word, ctx) : NULL;
		const char *rest = p;
		size_t rest_n;
		if (lone && !other && words == 0 && !tb_terms_word(&rest, &rest_n) && !fts->len) {
			/* A lone CJK character as the whole query: no bigram holds
			 * it, so the caller scans with LIKE. */
			tb_buf_printf(like, "%%%s%%", w.list.data);
			tb_buf_free(&w.list);
			return true;
		}
		if ((w.n && !lone) || other) {
			if (words) {
				tb_buf_adds(fts, " AND ");
				tb_buf_adds(tsq, " & ");
			}
			/* The word and each of its other names, any of them. */
			tb_buf_adds(fts, other ? "(" : "");
			tb_buf_adds(tsq, other ? "(" : "");
			int alts = 0;
			if (w.n && !lone) {
				phrase(w.list.data, fts, tsq);
				alts++;
			}
			for (const char *o = other; o && *o; o += strlen(o) + 1) {
				struct word_terms x = {TB_BUF_INIT, 0};
				each_term(o, strlen(o), word_term, &x);
				bool one = x.n == 1 && (unsigned char)x.list.data[0] >= 0xE3 &&
				           (x.list.len == 3 || x.list.len == 4);
				if (x.n && !one) {
					tb_buf_adds(fts, alts ? " OR " : "");
					tb_buf_adds(tsq, alts ? " | " : "");
					phrase(x.list.data, fts, tsq);
					alts++;
				}
				tb_buf_free(&x.list);
			}
			tb_buf_adds(fts, other ? ")" : "");
			tb_buf_adds(tsq, other ? ")" : "");
			words += alts > 0;
		}
		tb_buf_free(&w.list);
	}
	return words > 0;
}

bool tb_terms_query(const char *q, struct tb_buf *fts, struct tb_buf *tsq, struct tb_buf *like)
{
	return tb_terms_query_ex(q, NULL, NULL, fts, tsq, like);
}
