/* The region snapshot: all rows sorted by code for lookups, plus a second
 * array sorted by (parent, code) so that the children of a region are one
 * contiguous run found by binary search. */
#include "regions/regions.h"
#include "base/arena.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

struct tb_regions {
	struct tb_region *rows; /* sorted by code */
	size_t n;
	const struct tb_region **by_parent; /* current rows sorted by parent, code */
	size_t n_current;
	struct tb_arena *names;
};

static const char *const level_names[] = {"province", "city", "county", "township"};

const char *tb_region_level_name(enum tb_region_level lv)
{
	return (unsigned)lv <= TB_REGION_TOWNSHIP ? level_names[lv] : "unknown";
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool tb_region_code_normalize(const char *in, char out[10])
{
	out[0] = '\0';
	if (!in)
		return false;
	size_t n = strnlen(in, 10);
	if ((n != 2 && n != 4 && n != 6 && n != 9) || !all_digits(in, n))
		return false;
	memcpy(out, in, n);
	for (size_t i = n; i < 6; i++)
		out[i] = '0';
	out[n < 6 ? 6 : n] = '\0';
	return true;
}

void tb_region_prefix(const char *code, char out[10])
{
	size_t n = code ? strnlen(code, 9) : 0;
	if (n == 6)
		while (n >= 2 && code[n - 1] == '0' && code[n - 2] == '0')
			n -= 2;
	memcpy(out, code ? code : "", n);
	out[n] = '\0';
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct tb_region *)a)->code, ((const struct tb_region *)b)->code);
}

static int by_parent(const void *a, const void *b)
{
	const struct tb_region *x = *(const struct tb_region *const *)a;
	const struct tb_region *y = *(const struct tb_region *const *)b;
	int c = strcmp(x->parent, y->parent);
	return c ? c : strcmp(x->code, y->code);
}

static enum tb_region_level parse_level(const char *s)
{
	for (int i = 0; i <= TB_REGION_TOWNSHIP; i++)
		if (s && strcmp(s, level_names[i]) == 0)
			return (enum tb_region_level)i;
	return TB_REGION_TOWNSHIP;
}

static void copy_code(char dst[10], const char *src)
{
	size_t n = src ? strnlen(src, 9) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

enum tb_err tb_regions_load(struct tb_store *s, struct tb_regions **out)
{
	*out = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_regions *r = tb_xcalloc(1, sizeof(*r));
	r->names = tb_arena_new();
	size_t cap = 0;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT code, name, level, parent, placeholder, retired FROM regions",
	                  "");
	while (e == TB_OK && row) {
		if (r->n == cap) {
			cap = cap ? cap * 2 : 4096;
			r->rows = tb_xrealloc(r->rows, cap * sizeof(*r->rows));
		}
		struct tb_region *g = &r->rows[r->n++];
		copy_code(g->code, tb_stmt_text(st, 0));
		g->name = tb_arena_strdup(r->names, tb_stmt_text(st, 1) ? tb_stmt_text(st, 1) : "");
		g->level = parse_level(tb_stmt_text(st, 2));
		copy_code(g->parent, tb_stmt_text(st, 3));
		g->placeholder = tb_stmt_int(st, 4) != 0;
		g->retired = tb_stmt_int(st, 5) != 0;
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK) {
		tb_regions_free(r);
		return e;
	}
	if (r->n)
		qsort(r->rows, r->n, sizeof(*r->rows), by_code);
	r->by_parent = tb_xcalloc(r->n ? r->n : 1, sizeof(*r->by_parent));
	for (size_t i = 0; i < r->n; i++)
		if (!r->rows[i].retired && !r->rows[i].placeholder)
			r->by_parent[r->n_current++] = &r->rows[i];
	if (r->n_current)
		qsort(r->by_parent, r->n_current, sizeof(*r->by_parent), by_parent);
	*out = r;
	return TB_OK;
}

void tb_regions_free(struct tb_regions *r)
{
	if (!r)
		return;
	free(r->rows);
	free(r->by_parent);
	tb_arena_free(r->names);
	free(r);
}

size_t tb_regions_count(const struct tb_regions *r)
{
	return r->n;
}

const struct tb_region *tb_regions_find(const struct tb_regions *r, const char *code)
{
	struct tb_region key;
	if (!tb_region_code_normalize(code, key.code))
		return NULL;
	return bsearch(&key, r->rows, r->n, sizeof(*r->rows), by_code);
}

int tb_regions_path(const struct tb_regions *r, const struct tb_region *reg,
                    const struct tb_region *path[4])
{
	const struct tb_region *up[4];
	int n = 0;
	for (const struct tb_region *g = reg; g && n < 4;
	     g = g->parent[0] ? tb_regions_find(r, g->parent) : NULL)
		up[n++] = g;
	for (int i = 0; i < n; i++)
		path[i] = up[n - 1 - i];
	return n;
}

size_t tb_regions_children(const struct tb_regions *r, const struct tb_region *parent,
                           const struct tb_region *const **out)
{
	const char *p = parent ? parent->code : "";
	size_t lo = 0, hi = r->n_current;
	while (lo < hi) { /* first row with parent >= p */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r->by_parent[mid]->parent, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < r->n_current && strcmp(r->by_parent[end]->parent, p) == 0)
		end++;
	*out = r->by_parent + lo;
	return end - lo;
}

bool tb_region_within(const struct tb_regions *r, const char *code, const char *ancestor)
{
	const struct tb_region *g = tb_regions_find(r, code);
	for (int guard = 0; g && guard < 5; guard++) {
		if (strcmp(g->code, ancestor) == 0)
			return true;
		g = g->parent[0] ? tb_regions_find(r, g->parent) : NULL;
	}
	return false;
}
