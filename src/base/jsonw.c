/* The JSON text writer (see jsonw.h). */
#include "base/jsonw.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tb_jw_init(struct tb_jw *w, struct tb_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

/* Before a value or a key: the comma after a previous member. */
static void member(struct tb_jw *w)
{
	if (w->keyed) {
		w->keyed = false; /* the value of a key: the key had the comma */
		return;
	}
	if (w->depth > 0 && w->any[w->depth - 1])
		tb_buf_add(w->b, ",", 1);
	if (w->depth > 0)
		w->any[w->depth - 1] = true;
}

static void begin(struct tb_jw *w, const char *c)
{
	member(w);
	if (w->depth == TB_JW_DEPTH)
		abort(); /* a writer's caller nests a fixed, small depth */
	tb_buf_add(w->b, c, 1);
	w->any[w->depth++] = false;
}

static void finish(struct tb_jw *w, const char *c)
{
	tb_buf_add(w->b, c, 1);
	w->depth--;
}

void tb_jw_object(struct tb_jw *w)
{
	begin(w, "{");
}

void tb_jw_array(struct tb_jw *w)
{
	begin(w, "[");
}

void tb_jw_end_object(struct tb_jw *w)
{
	finish(w, "}");
}

void tb_jw_end_array(struct tb_jw *w)
{
	finish(w, "]");
}

/* s as a JSON string: quotes, backslashes and control characters escaped
 * as jansson writes them; everything else (Chinese) as it is. */
static void quoted(struct tb_buf *b, const char *s)
{
	tb_buf_add(b, "\"", 1);
	const char *run = s;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		tb_buf_add(b, run, (size_t)(p - run));
		run = p + 1;
		char esc[8];
		switch (ch) {
		case '"': tb_buf_add(b, "\\\"", 2); break;
		case '\\': tb_buf_add(b, "\\\\", 2); break;
		case '\n': tb_buf_add(b, "\\n", 2); break;
		case '\r': tb_buf_add(b, "\\r", 2); break;
		case '\t': tb_buf_add(b, "\\t", 2); break;
		case '\b': tb_buf_add(b, "\\b", 2); break;
		case '\f': tb_buf_add(b, "\\f", 2); break;
		default: snprintf(esc, sizeof(esc), "\\u%04X", ch); tb_buf_add(b, esc, 6);
		}
	}
	tb_buf_adds(b, run);
	tb_buf_add(b, "\"", 1);
}

void tb_jw_key(struct tb_jw *w, const char *key)
{
	member(w);
	quoted(w->b, key);
	tb_buf_add(w->b, ":", 1);
	w->keyed = true;
}

void tb_jw_str(struct tb_jw *w, const char *s)
{
	member(w);
	if (s && tb_utf8_valid(s, strlen(s)))
		quoted(w->b, s);
	else
		tb_buf_add(w->b, "null", 4);
}

void tb_jw_int(struct tb_jw *w, int64_t v)
{
	member(w);
	char n[21];
	tb_buf_add(w->b, n, tb_int_text(v, n));
}

void tb_jw_bool(struct tb_jw *w, bool v)
{
	member(w);
	tb_buf_adds(w->b, v ? "true" : "false");
}

void tb_jw_null(struct tb_jw *w)
{
	member(w);
	tb_buf_add(w->b, "null", 4);
}
