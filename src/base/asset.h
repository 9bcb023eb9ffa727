/* Files built into the binary by tools/embed.c: web pages, the OpenAPI
 * description, store migrations and reference data (regions, calendar). */
#ifndef TB_BASE_ASSET_H
#define TB_BASE_ASSET_H

#include <stddef.h>

struct tb_asset {
	const char *path; /* repository-relative, e.g. "web/index.html" */
	const char *data; /* NUL-terminated after size bytes */
	size_t size;
};

/* The asset at path, or NULL. Static storage; never freed. */
const struct tb_asset *tb_asset_find(const char *path);
/* Calls fn for every asset whose path starts with prefix, in path order. */
void tb_asset_each(const char *prefix, void (*fn)(const struct tb_asset *a, void *ctx), void *ctx);

/* Calls fn for each line of a (a table file: blank lines and lines that
 * start with '#' are skipped), with the line copied NUL-terminated into a
 * buffer of up to 255 bytes (longer lines are cut). fn may modify it. */
void tb_asset_lines(const struct tb_asset *a, void (*fn)(char *line, void *ctx), void *ctx);

#endif
