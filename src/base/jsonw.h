/* Writing JSON text straight into a buffer, for long lists where building
 * jansson values first, then printing them, costs most of a request (a
 * department's queue of 200 cases spent nine tenths of its time in
 * jansson and malloc). The writer places the commas. Exports tb_jw_*. */
#ifndef TB_BASE_JSONW_H
#define TB_BASE_JSONW_H

#include "base/buf.h"

#include <stdbool.h>
#include <stdint.h>

#define TB_JW_DEPTH 16

struct tb_jw {
	struct tb_buf *b;
	int depth;
	bool any[TB_JW_DEPTH]; /* the container at each depth has a member */
	bool keyed;            /* a key was written: its value comes next */
};

/* Starts writing into b (appended to what it holds). */
void tb_jw_init(struct tb_jw *w, struct tb_buf *b);
/* Opens an object or an array (deeper than TB_JW_DEPTH is a bug: it
 * aborts). */
void tb_jw_object(struct tb_jw *w);
void tb_jw_array(struct tb_jw *w);
/* Closes the innermost object or array. */
void tb_jw_end_object(struct tb_jw *w);
void tb_jw_end_array(struct tb_jw *w);
/* The key of the next member of the innermost object. */
void tb_jw_key(struct tb_jw *w, const char *key);
/* Values. A NULL string, or one that is not valid UTF-8, is written as
 * null (as jansson refuses it). */
void tb_jw_str(struct tb_jw *w, const char *s);
void tb_jw_int(struct tb_jw *w, int64_t v);
void tb_jw_bool(struct tb_jw *w, bool v);
void tb_jw_null(struct tb_jw *w);

#endif
