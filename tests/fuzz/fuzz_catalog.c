/* Fuzzes the catalog as it comes in: `tongban import catalog` (the
 * exchange format of docs/catalog-format.md, tb_catalog_import into a store
 * with the built-in regions; all or nothing, every bad record reported with
 * its position), and the rules every catalog write goes through
 * (tb_catalog_check_basic and tb_catalog_check_item, as the catalog
 * editor's PUT and POST bodies reach them) on each record of the file,
 * with references that always resolve (fuzz_catalog_refs) so that the
 * checks past them are reached too. */
#include "support.h"

#include "app/app.h"
#include "base/arena.h"
#include "catalog/exchange.h"
#include "catalog/validate.h"
#include "identity/ctx.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_app(FUZZ_REFERENCE);
	return 0;
}

static void check_each(json_t *root, json_t *records, bool item)
{
	struct tb_catalog_refs refs;
	fuzz_catalog_refs(&refs, root);
	size_t i;
	json_t *d;
	json_array_foreach(records, i, d)
	{
		struct tb_arena *a = tb_arena_new();
		json_t *doc = json_deep_copy(d), *out = NULL;
		if (item && json_is_object(doc)) {
			/* As the import does: version and state are the store's. */
			json_object_del(doc, "version");
			json_object_del(doc, "state");
		}
		struct tb_fail f = {0};
		enum tb_err e = item ? tb_catalog_check_item(doc, &refs, "", a, &out, &f)
		                     : tb_catalog_check_basic(doc, &refs, "", a, &out, &f);
		if (e == TB_OK && !out)
			abort();
		if (e != TB_OK && !f.reason)
			abort();
		if (e == TB_OK) {
			/* The canonical form is itself valid. */
			json_t *again = NULL;
			struct tb_fail g = {0};
			enum tb_err e2 =
			    item ? tb_catalog_check_item(out, &refs, "", a, &again, &g)
			         : tb_catalog_check_basic(out, &refs, "", a, &again, &g);
			if (e2 != TB_OK) {
				fprintf(stderr, "canonical form refused: %s %s\n",
				        g.field ? g.field : "", g.reason ? g.reason : "");
				abort();
			}
			json_decref(again);
		}
		json_decref(out);
		json_decref(doc);
		tb_arena_free(a);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_app *app = fuzz_app(FUZZ_REFERENCE);
	static struct tb_principal who = {.kind = TB_ANON};
	const struct tb_ctx ctx = {&who, "cli", "fuzz"};
	struct tb_import_report rep;
	enum tb_err e =
	    tb_catalog_import(app->store, app->regions, &ctx, (const char *)data, size, &rep);
	if (e == TB_EINVAL && rep.nerrors == 0)
		abort();
	tb_import_report_free(&rep);

	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(root)) {
		check_each(root, json_object_get(root, "basic_items"), false);
		check_each(root, json_object_get(root, "items"), true);
	}
	json_decref(root);
	return 0;
}
