/* Fuzzes the GB/T 2260 import (`tongban import regions DIR`): the input is
 * the four tables provinces.csv, cities.csv, areas.csv and streets.csv,
 * separated by form feeds, imported by tb_regions_import into a store of
 * its own. The import is all or nothing: a refusal names the file and
 * line. */
#include "support.h"

#include "app/app.h"
#include "regions/regions.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_app(FUZZ_BARE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_app *app = fuzz_app(FUZZ_BARE);
	/* Each table in a buffer of its own, so that ASan sees a read past
	 * its end. */
	char *part[4] = {NULL, NULL, NULL, NULL};
	size_t len[4] = {0, 0, 0, 0};
	const uint8_t *p = data, *end = data + size;
	for (int i = 0; i < 4 && p <= end; i++) {
		const uint8_t *ff = i < 3 ? memchr(p, '\f', (size_t)(end - p)) : NULL;
		const uint8_t *stop = ff ? ff : end;
		len[i] = (size_t)(stop - p);
		part[i] = malloc(len[i] ? len[i] : 1);
		if (!part[i])
			abort();
		memcpy(part[i], p, len[i]);
		if (!ff)
			break;
		p = ff + 1;
	}
	struct tb_regions_source src = {part[0], part[1], part[2], part[3],
	                                len[0],  len[1],  len[2],  len[3]};
	struct tb_regions_import_stats st;
	struct tb_fail f = {0};
	enum tb_err e = tb_regions_import(app->store, &src, &st, &f);
	if (e == TB_EINVAL && (!f.field || !f.reason))
		abort();
	if (e == TB_OK && st.upserted <= 0)
		abort();
	for (int i = 0; i < 4; i++)
		free(part[i]);
	return 0;
}
