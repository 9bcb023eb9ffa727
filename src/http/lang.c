/* The Chinese of error messages and reasons (see lang.h): the table is
 * parsed once, on first use, from the embedded asset. */
#include "http/lang.h"
#include "base/asset.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TABLE    "src/http/reasons_zh.tsv"
#define MAX_CAPS 4

struct entry {
	const char *en, *zh;
};

static struct entry *exact, *patterns;
static size_t nexact, npatterns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int by_en(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->en, ((const struct entry *)y)->en);
}

static void load(void)
{
	const struct tb_asset *a = tb_asset_find(TABLE);
	if (!a) {
		tb_log_error("lang", "%s is not built in: answers stay in English", TABLE);
		return;
	}
	/* The copy is split in place and lives as long as the program. */
	char *text = tb_xstrndup(a->data, a->size);
	size_t lines = 1;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	exact = tb_xcalloc(lines, sizeof(*exact));
	patterns = tb_xcalloc(lines, sizeof(*patterns));
	for (char *line = text; line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *tab = strchr(line, '\t');
		if (line[0] != '#' && tab && tab != line && tab[1]) {
			*tab = '\0';
			struct entry e = {line, tab + 1};
			if (strstr(line, "%s"))
				patterns[npatterns++] = e;
			else
				exact[nexact++] = e;
		}
		line = next;
	}
	qsort(exact, nexact, sizeof(*exact), by_en);
}

static const struct entry *find_exact(const char *en)
{
	pthread_once(&once, load);
	struct entry key = {en, NULL};
	return nexact ? bsearch(&key, exact, nexact, sizeof(*exact), by_en) : NULL;
}

/* Matches s against pat ("%s" matching one or more characters, shortest
 * first); on success caps[i] / lens[i] hold what the i-th "%s" matched. */
static bool match(const char *pat, const char *s, const char **caps, size_t *lens, int i)
{
	for (;;) {
		if (pat[0] == '%' && pat[1] == 's') {
			if (i >= MAX_CAPS || !*s)
				return false;
			for (size_t n = 1; s[n - 1]; n++) {
				caps[i] = s;
				lens[i] = n;
				if (match(pat + 2, s + n, caps, lens, i + 1))
					return true;
			}
			return false;
		}
		if (*pat != *s)
			return false;
		if (!*pat)
			return true;
		pat++;
		s++;
	}
}

/* zh with {1}, {2}... replaced by the captures (each translated when it is
 * itself an entry of the table). */
static const char *fill(struct tb_arena *a, const char *zh, const char **caps, const size_t *lens)
{
	struct tb_buf b = TB_BUF_INIT;
	for (const char *p = zh; *p; p++) {
		if (p[0] == '{' && p[1] >= '1' && p[1] < '1' + MAX_CAPS && p[2] == '}' &&
		    caps[p[1] - '1']) {
			int k = p[1] - '1';
			char *cap = tb_arena_strndup(a, caps[k], lens[k]);
			const struct entry *e = find_exact(cap);
			tb_buf_adds(&b, e ? e->zh : cap);
			p += 2;
		} else {
			tb_buf_add(&b, p, 1);
		}
	}
	const char *out = tb_arena_strndup(a, b.data ? b.data : "", b.len);
	tb_buf_free(&b);
	return out;
}

const char *tb_lang_reason_zh(struct tb_arena *a, const char *en)
{
	if (!en)
		return NULL;
	const struct entry *e = find_exact(en);
	if (e)
		return e->zh;
	for (size_t i = 0; i < npatterns; i++) {
		const char *caps[MAX_CAPS] = {0};
		size_t lens[MAX_CAPS] = {0};
		if (match(patterns[i].en, en, caps, lens, 0))
			return fill(a, patterns[i].zh, caps, lens);
	}
	return NULL;
}

bool tb_lang_known(const char *key)
{
	if (find_exact(key))
		return true;
	for (size_t i = 0; i < npatterns; i++)
		if (strcmp(patterns[i].en, key) == 0)
			return true;
	return false;
}

/* One member of a header list such as "a;q=0.5, b": the range (not
 * NUL-terminated) and its q-value (1 when none is given). */
struct range {
	const char *s;
	size_t n;
	double q;
};

/* Reads the member at p into r; returns the position after it, or NULL
 * at the end of the list. */
static const char *next_range(const char *p, struct range *r)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (!*p)
		return NULL;
	r->s = p;
	while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	r->n = (size_t)(p - r->s);
	r->q = 1.0;
	while (*p && *p != ',') {
		if (*p == ';') {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
				char *end;
				double q = strtod(p + 2, &end);
				r->q = end > p + 2 && q >= 0 && q <= 1 ? q : 0;
				p = end > p + 2 ? end : p + 2;
				continue;
			}
		}
		if (*p && *p != ',')
			p++;
	}
	return p;
}

static bool range_is(const struct range *r, const char *name)
{
	return r->n == strlen(name) && strncasecmp(r->s, name, r->n) == 0;
}

bool tb_lang_zh(const char *accept_language)
{
	if (!accept_language)
		return false;
	struct range r, best = {NULL, 0, -1};
	for (const char *p = accept_language; (p = next_range(p, &r));)
		if (r.q > best.q)
			best = r;
	return best.s && best.q > 0 &&
	       (range_is(&best, "zh") || (best.n > 3 && strncasecmp(best.s, "zh-", 3) == 0));
}

bool tb_lang_html(const char *accept)
{
	if (!accept)
		return false;
	struct range r;
	double html = 0, json = 0;
	for (const char *p = accept; (p = next_range(p, &r));) {
		if (range_is(&r, "text/html") && r.q > html)
			html = r.q;
		if (range_is(&r, "application/json") && r.q > json)
			json = r.q;
	}
	return html > 0 && html >= json;
}
