/* Fuzzes application forms: the input is {"fields": [FIELD...], "form":
 * {NAME: VALUE...}}. The fields go through the catalog's rules first, in
 * an item of the demo catalog (tb_catalog_check_item: only fields the
 * catalog accepts ever reach a form); then the form is checked as a draft
 * and as a submission (tb_form_check, what POST and PATCH /api/v1/cases
 * do with a case's form) and each value as prefill checks it
 * (tb_form_value_ok). Whatever tb_form_value_ok accepts, tb_form_check
 * must accept too: prefill never fills in a value that is refused later. */
#include "support.h"

#include "base/arena.h"
#include "base/asset.h"
#include "catalog/form.h"
#include "catalog/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *catalog; /* the demo catalog */
static json_t *item;    /* its first item with form fields */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	const struct tb_asset *a = tb_asset_find("data/demo/catalog.json");
	catalog = a ? json_loadb(a->data, a->size, 0, NULL) : NULL;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(catalog, "items"), i,
	                   d) if (!item && json_array_size(json_object_get(d, "form_fields")))
	{
		item = json_deep_copy(d);
		json_object_del(item, "version");
		json_object_del(item, "state");
	}
	if (!item) {
		fprintf(stderr, "fuzz_form: no item with form fields in the demo catalog\n");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(in)) {
		json_decref(in);
		return 0;
	}
	struct tb_arena *a = tb_arena_new();
	json_t *doc = json_deep_copy(item), *canon = NULL;
	json_t *fields = json_object_get(in, "fields");
	if (fields)
		json_object_set(doc, "form_fields", fields);
	struct tb_catalog_refs refs;
	fuzz_catalog_refs(&refs, catalog);
	struct tb_fail f = {0};
	if (tb_catalog_check_item(doc, &refs, "", a, &canon, &f) == TB_OK) {
		json_t *ff = json_object_get(canon, "form_fields");
		json_t *form = json_object_get(in, "form");
		for (int complete = 0; complete < 2; complete++) {
			struct tb_fail g = {0};
			enum tb_err e = tb_form_check(ff, form, complete, a, &g);
			if (e != TB_OK && (!g.field || !g.reason))
				abort();
		}
		/* Each value prefill would accept is accepted by the form check. */
		size_t i;
		json_t *fd;
		json_array_foreach(ff, i, fd)
		{
			const char *name = json_string_value(json_object_get(fd, "name"));
			json_t *v = name ? json_object_get(form, name) : NULL;
			if (v && tb_form_value_ok(fd, v, a)) {
				json_t *one = json_object();
				json_object_set(one, name, v);
				struct tb_fail g = {0};
				if (tb_form_check(ff, one, false, a, &g) != TB_OK) {
					fprintf(stderr,
					        "prefill accepts what the form refuses: %s %s\n",
					        g.field ? g.field : "", g.reason ? g.reason : "");
					abort();
				}
				json_decref(one);
			}
		}
	}
	json_decref(canon);
	json_decref(doc);
	json_decref(in);
	tb_arena_free(a);
	return 0;
}
