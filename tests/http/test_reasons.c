/* Every refusal reason written in src/ has its Chinese in
 * src/http/reasons_zh.tsv (see http/lang.h), and so does every error
 * message of base/err.h: a new reason without Chinese fails here.
 *
 * The reasons are found by reading the C sources (src/ except src/cli,
 * whose messages go to a terminal, not to a person using the service):
 *  - the reason argument of tb_fail and tb_resp_error: its string literals
 *    (both sides of a ?:), a macro #defined to a literal in the same file,
 *    and the format of a tb_arena_printf, which becomes a pattern with "%s"
 *    for each conversion;
 *  - the same argument of a function of the same file that takes a
 *    parameter `const char *reason` (a helper such as validate.c's bad());
 *  - assignments to a variable or member whose name ends in "reason"
 *    (f.reason = "...", *reason = "...");
 *  - the literals returned by a function returning `const char *` whose
 *    header comment mentions "reason" (req.c's type_name, calendar.c's
 *    refuse).
 * A reason made any other way (read from a variable filled elsewhere) is not
 * seen: give it its entry by hand. The scan must find the sample reasons
 * listed below, so that a broken scan does not pass by finding nothing.
 * Also: the table's shape, and the choice of language (Accept-Language) and
 * of a page (Accept). */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/err.h"
#include "http/lang.h"

#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE "src/http/reasons_zh.tsv"

enum kind { T_ID, T_STR, T_PUNCT, T_OTHER };

struct tok {
	enum kind kind;
	char *text; /* identifier, punctuation ("==" is one token) or the string's value */
	int line;
	char *comment; /* the comment just before this token, or NULL */
};

struct toks {
	struct tok *t;
	size_t n, cap;
};

struct macro {
	char *name, *value;
};

/* What the scan found: reasons and patterns, each with where. */
struct found {
	char **key, **where;
	size_t n, cap;
};

static void push(struct toks *ts, enum kind k, char *text, int line, char *comment)
{
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 1024;
		ts->t = realloc(ts->t, ts->cap * sizeof(*ts->t));
		assert_non_null(ts->t);
	}
	ts->t[ts->n++] = (struct tok){k, text, line, comment};
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	assert_non_null(p);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Reads a string literal at s (after its quote) into out (unescaping \" \\
 * \n \t); returns the position after the closing quote. */
static const char *read_string(const char *s, char **out, size_t *len, int *line)
{
	while (*s && *s != '"') {
		if (*s == '\\' && s[1]) {
			char c = s[1] == 'n' ? '\n' : s[1] == 't' ? '\t' : s[1];
			*out = realloc(*out, *len + 2);
			(*out)[(*len)++] = c;
			s += 2;
			continue;
		}
		if (*s == '\n')
			(*line)++;
		*out = realloc(*out, *len + 2);
		(*out)[(*len)++] = *s++;
	}
	(*out)[*len] = '\0';
	return *s ? s + 1 : s;
}

/* Splits a C file into tokens; adjacent string literals are one token.
 * Records `#define NAME "literal"` in macros. */
static void tokenize(const char *src, struct toks *ts, struct macro **macros, size_t *nmacros)
{
	const char *s = src;
	int line = 1;
	char *comment = NULL;
	bool line_start = true;
	while (*s) {
		if (*s == '\n') {
			line++;
			s++;
			line_start = true;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			e = e ? e + 2 : s + strlen(s);
			free(comment);
			comment = dup_n(s, (size_t)(e - s));
			for (const char *p = s; p < e; p++)
				line += *p == '\n';
			s = e;
			continue;
		}
		if (s[0] == '/' && s[1] == '/') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (*s == '#' && line_start) {
			const char *e = s;
			while (*e && !(*e == '\n' && e[-1] != '\\'))
				e++;
			char name[128], value[512];
			if (sscanf(s, "#define %127[A-Za-z0-9_] \"%511[^\"]\"", name, value) == 2) {
				*macros = realloc(*macros, (*nmacros + 1) * sizeof(**macros));
				(*macros)[(*nmacros)++] =
				    (struct macro){strdup(name), strdup(value)};
			}
			s = e;
			continue;
		}
		line_start = false;
		if (*s == '"') {
			char *v = malloc(1);
			size_t len = 0;
			v[0] = '\0';
			int at = line;
			s = read_string(s + 1, &v, &len, &line);
			/* Adjacent literals: "a" "b" is "ab". */
			for (;;) {
				const char *p = s;
				while (isspace((unsigned char)*p))
					line += *p++ == '\n';
				if (*p != '"') {
					s = p;
					break;
				}
				s = read_string(p + 1, &v, &len, &line);
			}
			push(ts, T_STR, v, at, comment);
			comment = NULL;
			continue;
		}
		if (*s == '\'') {
			const char *e = s + 1;
			while (*e && *e != '\'')
				e += *e == '\\' ? 2 : 1;
			s = *e ? e + 1 : e;
			push(ts, T_OTHER, strdup("'c'"), line, comment);
			comment = NULL;
			continue;
		}
		if (isalpha((unsigned char)*s) || *s == '_') {
			const char *e = s;
			while (isalnum((unsigned char)*e) || *e == '_')
				e++;
			push(ts, T_ID, dup_n(s, (size_t)(e - s)), line, comment);
			comment = NULL;
			s = e;
			continue;
		}
		if (isdigit((unsigned char)*s)) {
			const char *e = s;
			while (isalnum((unsigned char)*e) || *e == '.')
				e++;
			push(ts, T_OTHER, dup_n(s, (size_t)(e - s)), line, comment);
			comment = NULL;
			s = e;
			continue;
		}
		size_t n = 1;
		if (strchr("=!<>", s[0]) && s[1] == '=')
			n = 2;
		else if ((s[0] == '-' && s[1] == '>') || (s[0] == '&' && s[1] == '&') ||
		         (s[0] == '|' && s[1] == '|'))
			n = 2;
		push(ts, T_PUNCT, dup_n(s, n), line, comment);
		comment = NULL;
		s += n;
	}
	free(comment);
}

static bool is(const struct tok *t, const char *text)
{
	return t->kind != T_STR && strcmp(t->text, text) == 0;
}

/* The index after the bracket that closes the one at i. */
static size_t close_of(const struct toks *ts, size_t i)
{
	int depth = 0;
	for (; i < ts->n; i++) {
		if (is(&ts->t[i], "(") || is(&ts->t[i], "[") || is(&ts->t[i], "{"))
			depth++;
		else if (is(&ts->t[i], ")") || is(&ts->t[i], "]") || is(&ts->t[i], "}"))
			if (--depth == 0)
				return i + 1;
	}
	return ts->n;
}

/* The bounds [*b, *e) of argument k of the call whose '(' is at open;
 * false when it has fewer arguments. */
static bool arg_of(const struct toks *ts, size_t open, int k, size_t *b, size_t *e)
{
	size_t end = close_of(ts, open) - 1, start = open + 1;
	int n = 0;
	for (size_t i = start; i < end;) {
		if (is(&ts->t[i], "(") || is(&ts->t[i], "[") || is(&ts->t[i], "{")) {
			i = close_of(ts, i);
			continue;
		}
		if (is(&ts->t[i], ",")) {
			if (n == k) {
				*b = start;
				*e = i;
				return true;
			}
			n++;
			start = i + 1;
		}
		i++;
	}
	if (n == k && start < end) {
		*b = start;
		*e = end;
		return true;
	}
	return false;
}

static void add(struct found *f, const char *key, const char *file, int line)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->key = realloc(f->key, f->cap * sizeof(char *));
		f->where = realloc(f->where, f->cap * sizeof(char *));
	}
	char where[300];
	snprintf(where, sizeof(where), "%s:%d", file, line);
	f->key[f->n] = strdup(key);
	f->where[f->n++] = strdup(where);
}

/* A printf format with every conversion made "%s". */
static char *pattern_of(const char *fmt)
{
	char *out = malloc(strlen(fmt) + 1), *o = out;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		if (p[1] == '%') {
			*o++ = *p++;
			continue;
		}
		p++;
		while (*p && !strchr("sdiuxXcpfgeEG", *p))
			p++;
		*o++ = '%';
		*o++ = 's';
		if (!*p)
			break;
	}
	*o = '\0';
	return out;
}

/* Adds the reasons of the expression [b, e): its literals at top level,
 * macros, and the format of a tb_arena_printf; other calls are skipped. */
static void collect(const struct toks *ts, size_t b, size_t e, const struct macro *macros,
                    size_t nmacros, const char *file, struct found *f)
{
	for (size_t i = b; i < e;) {
		const struct tok *t = &ts->t[i];
		if (t->kind == T_STR) {
			add(f, t->text, file, t->line);
		} else if (t->kind == T_ID && i + 1 < e && is(&ts->t[i + 1], "(")) {
			size_t ab, ae;
			if (strcmp(t->text, "tb_arena_printf") == 0 &&
			    arg_of(ts, i + 1, 1, &ab, &ae) && ts->t[ab].kind == T_STR) {
				char *p = pattern_of(ts->t[ab].text);
				add(f, p, file, t->line);
				free(p);
			}
			i = close_of(ts, i + 1);
			continue;
		} else if (t->kind == T_ID) {
			for (size_t m = 0; m < nmacros; m++)
				if (strcmp(macros[m].name, t->text) == 0)
					add(f, macros[m].value, file, t->line);
		}
		i++;
	}
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

/* Adds the reasons written in file to f (the rules of the header). */
static void scan_file(const char *file, struct found *f)
{
	char *src = slurp(file);
	struct toks ts = {0};
	struct macro *macros = NULL;
	size_t nmacros = 0;
	tokenize(src, &ts, &macros, &nmacros);

	/* Helpers of this file taking `const char *reason`, and functions
	 * said to return a reason. */
	struct helper {
		const char *name;
		int arg;
	} helpers[64] = {{"tb_fail", 3}, {"tb_resp_error", 3}};
	size_t nhelpers = 2;
	for (size_t i = 0; i + 1 < ts.n; i++) {
		if (ts.t[i].kind != T_ID || !is(&ts.t[i + 1], "(") || i == 0)
			continue;
		size_t end = close_of(&ts, i + 1);
		if (end >= ts.n || !is(&ts.t[end], "{"))
			continue; /* not a definition */
		int arg = 0;
		for (size_t k = i + 2; k + 1 < end; k++) {
			if (is(&ts.t[k], ","))
				arg++;
			if (ts.t[k].kind == T_ID && strcmp(ts.t[k].text, "reason") == 0 &&
			    is(&ts.t[k - 1], "*") && !is(&ts.t[k - 2], "*") && nhelpers < 64 &&
			    strcmp(ts.t[i].text, "tb_fail") != 0 &&
			    strcmp(ts.t[i].text, "tb_resp_error") != 0)
				helpers[nhelpers++] = (struct helper){ts.t[i].text, arg};
		}
		/* `static const char *name(...)` with a comment on "reason". */
		size_t first = i;
		while (first > 0 && (ts.t[first - 1].kind == T_ID || is(&ts.t[first - 1], "*")))
			first--;
		bool returns_string = i >= 2 && is(&ts.t[i - 1], "*") && is(&ts.t[i - 2], "char");
		const char *c = ts.t[first].comment;
		if (returns_string && c && strstr(c, "reason")) {
			size_t body_end = close_of(&ts, end);
			for (size_t k = end; k < body_end; k++) {
				if (!is(&ts.t[k], "return"))
					continue;
				size_t semi = k;
				while (semi < body_end && !is(&ts.t[semi], ";"))
					semi++;
				collect(&ts, k + 1, semi, macros, nmacros, file, f);
			}
		}
	}
	for (size_t i = 0; i + 1 < ts.n; i++) {
		const struct tok *t = &ts.t[i];
		if (t->kind != T_ID)
			continue;
		if (ends_with(t->text, "reason") && is(&ts.t[i + 1], "=")) {
			size_t semi = i + 2;
			while (semi < ts.n && !is(&ts.t[semi], ";"))
				semi = is(&ts.t[semi], "(") ? close_of(&ts, semi) : semi + 1;
			collect(&ts, i + 2, semi, macros, nmacros, file, f);
			continue;
		}
		if (!is(&ts.t[i + 1], "("))
			continue;
		for (size_t h = 0; h < nhelpers; h++) {
			size_t b, e;
			if (strcmp(helpers[h].name, t->text) == 0 &&
			    arg_of(&ts, i + 1, helpers[h].arg, &b, &e))
				collect(&ts, b, e, macros, nmacros, file, f);
		}
	}
	for (size_t i = 0; i < ts.n; i++) {
		free(ts.t[i].text);
		free(ts.t[i].comment);
	}
	free(ts.t);
	for (size_t m = 0; m < nmacros; m++) {
		free(macros[m].name);
		free(macros[m].value);
	}
	free(macros);
	free(src);
}

static void scan(struct found *f)
{
	glob_t g;
	assert_int_equal(glob("src/*/*.c", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (strncmp(g.gl_pathv[i], "src/cli/", 8) != 0)
			scan_file(g.gl_pathv[i], f);
	globfree(&g);
}

static bool has(const struct found *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return true;
	return false;
}

static void every_reason_has_chinese(void **state)
{
	(void)state;
	struct found f = {0};
	scan(&f);
	/* One of each way a reason is written: the scan works. */
	static const char *const samples[] = {
	    "unknown field",             /* tb_resp_error literal */
	    "check digit",               /* tb_fail literal */
	    "malformed JSON: %s",        /* tb_arena_printf */
	    "no such item",              /* ?: */
	    "expected a string",         /* a function returning a reason */
	    "unknown parameter",         /* q->reason = */
	    "the host does not resolve", /* *reason = */
	    "file over the size limit",  /* tb_resp_error ?: */
	    "not a current division code (6 digits, or a township's 9)", /* f.reason = */
	};
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (!has(&f, samples[i]))
			fail_msg("the scan did not find \"%s\": is it broken?", samples[i]);
	size_t missing = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (!tb_lang_known(f.key[i])) {
			printf("no Chinese for \"%s\" (%s): add it to %s\n", f.key[i], f.where[i],
			       TABLE);
			missing++;
		}
	}
	for (int e = 0; e < TB_ERR__MAX; e++) {
		if (!tb_lang_known(tb_err_message((enum tb_err)e))) {
			printf("no Chinese for error message \"%s\": add it to %s\n",
			       tb_err_message((enum tb_err)e), TABLE);
			missing++;
		}
	}
	printf("%zu reasons and patterns found in src/, %zu without Chinese\n", f.n, missing);
	for (size_t i = 0; i < f.n; i++) {
		free(f.key[i]);
		free(f.where[i]);
	}
	free(f.key);
	free(f.where);
	assert_int_equal(missing, 0);
}

/* Each line: English, a tab, Chinese; no English twice; the Chinese has
 * Chinese in it, and its {N} are within the pattern's "%s" count. */
static void table_is_well_formed(void **state)
{
	(void)state;
	char *text = slurp(TABLE);
	size_t entries = 0, nkeys = 0;
	char **keys = NULL;
	int lineno = 0;
	for (char *line = text, *next; line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab || tab == line || !tab[1] || strchr(tab + 1, '\t'))
			fail_msg("%s:%d: expected English<TAB>Chinese", TABLE, lineno);
		*tab = '\0';
		const char *zh = tab + 1;
		for (size_t i = 0; i < nkeys; i++)
			if (strcmp(keys[i], line) == 0)
				fail_msg("%s:%d: \"%s\" twice", TABLE, lineno, line);
		keys = realloc(keys, (nkeys + 1) * sizeof(char *));
		keys[nkeys++] = line;
		bool chinese = false;
		for (const char *p = zh; *p; p++)
			chinese |= (unsigned char)*p >= 0x80;
		if (!chinese)
			fail_msg("%s:%d: the Chinese of \"%s\" has no Chinese", TABLE, lineno,
			         line);
		int holes = 0;
		for (const char *p = strstr(line, "%s"); p; p = strstr(p + 2, "%s"))
			holes++;
		for (const char *p = strchr(zh, '{'); p; p = strchr(p + 1, '{'))
			if (p[1] >= '1' && p[1] <= '9' && p[2] == '}' && p[1] - '0' > holes)
				fail_msg("%s:%d: {%c} but the English has %d %%s", TABLE, lineno,
				         p[1], holes);
		entries++;
	}
	printf("%s: %zu entries\n", TABLE, entries);
	assert_true(entries > 100);
	free(keys);
	free(text);
}

static void translation(void **state)
{
	(void)state;
	struct tb_arena *a = tb_arena_new();
	assert_string_equal(tb_lang_reason_zh(a, "unknown field"), "不认识的字段");
	assert_string_equal(tb_lang_reason_zh(a, "invalid input"), "填写的内容有误");
	assert_null(tb_lang_reason_zh(a, "no such reason anywhere"));
	assert_null(tb_lang_reason_zh(a, NULL));
	/* A pattern: the captured text goes where {1} is. */
	assert_string_equal(tb_lang_reason_zh(a, "allowed: POST"),
	                    "不支持这种请求方式（可用：POST）");
	assert_string_equal(tb_lang_reason_zh(a, "expected an integer from 1 to 30"),
	                    "请填写 1 到 30 之间的整数");
	/* A capture that is itself a reason is translated too. */
	assert_string_equal(tb_lang_reason_zh(a, "not a GB/T 36904 identifier (check character)"),
	                    "不是有效的电子证照标识：校验位不正确，请核对");
	tb_arena_free(a);
}

static void accept_language(void **state)
{
	(void)state;
	assert_true(tb_lang_zh("zh-CN"));
	assert_true(tb_lang_zh("zh"));
	assert_true(tb_lang_zh("ZH-hans"));
	assert_true(tb_lang_zh("zh-TW,zh;q=0.9,en;q=0.8"));
	assert_true(tb_lang_zh("en;q=0.5, zh-CN"));
	assert_true(tb_lang_zh(" en-US ; q=0.4 ,zh-CN;q=0.8"));
	assert_false(tb_lang_zh(NULL));
	assert_false(tb_lang_zh(""));
	assert_false(tb_lang_zh("*"));
	assert_false(tb_lang_zh("en"));
	assert_false(tb_lang_zh("en-US,en;q=0.9,zh-CN;q=0.8"));
	assert_false(tb_lang_zh("zh-CN;q=0"));
	assert_false(tb_lang_zh("zhx"));
	assert_false(tb_lang_zh("en, zh-CN")); /* equal q: the first */
}

static void accept_html(void **state)
{
	(void)state;
	assert_true(tb_lang_html("text/html,application/xhtml+xml,application/xml;q=0.9,"
	                         "*/*;q=0.8"));
	assert_true(tb_lang_html("text/html"));
	assert_false(tb_lang_html(NULL));
	assert_false(tb_lang_html("*/*"));
	assert_false(tb_lang_html("application/json"));
	assert_false(tb_lang_html("application/json, text/html;q=0.5"));
	assert_false(tb_lang_html("text/html;q=0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_reason_has_chinese),
	    cmocka_unit_test(table_is_well_formed),
	    cmocka_unit_test(translation),
	    cmocka_unit_test(accept_language),
	    cmocka_unit_test(accept_html),
	};
	return cmocka_run_group_tests_name("reasons", tests, NULL, NULL);
}
