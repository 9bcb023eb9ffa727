/* Lookup in the sorted table that tools/embed.c generates. */
#include "base/asset.h"

#include <string.h>

extern const struct tb_asset tb_assets[];
extern const size_t tb_assets_count;

const struct tb_asset *tb_asset_find(const char *path)
{
	size_t lo = 0, hi = tb_assets_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(tb_assets[mid].path, path);
		if (c == 0)
			return &tb_assets[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void tb_asset_each(const char *prefix, void (*fn)(const struct tb_asset *a, void *ctx), void *ctx)
{
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < tb_assets_count; i++)
		if (strncmp(tb_assets[i].path, prefix, plen) == 0)
			fn(&tb_assets[i], ctx);
}

void tb_asset_lines(const struct tb_asset *a, void (*fn)(char *line, void *ctx), void *ctx)
{
	const char *p = a->data, *end = a->data + a->size;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		char line[256];
		size_t n =
		    (size_t)(eol - p) < sizeof(line) - 1 ? (size_t)(eol - p) : sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = eol + 1;
		if (line[0] && line[0] != '#')
			fn(line, ctx);
	}
}
