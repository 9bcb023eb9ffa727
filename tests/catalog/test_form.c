/* Application form values against their fields (catalog/form.h): every
 * line of forms.tsv, and that the field named in a refusal is the
 * form's key ("form.NAME"). */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "catalog/form.h"

#include <jansson.h>
#include <string.h>

static void vectors(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/catalog/forms.tsv");
	int n = 0, refused = 0;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 4);
		json_error_t err;
		json_t *field = json_loads(t.field[0], 0, &err);
		if (!field)
			fail_msg("%s:%d: bad field %s", t.path, t.lineno, err.text);
		json_t *fields = json_pack("[o]", field);
		json_t *form = json_object();
		const char *name = json_string_value(json_object_get(field, "name"));
		if (strcmp(t.field[1], "-") != 0) {
			json_t *v = json_loads(t.field[1], JSON_DECODE_ANY, &err);
			if (!v)
				fail_msg("%s:%d: bad value %s", t.path, t.lineno, err.text);
			json_object_set_new(form, name, v);
		}
		struct tb_arena *a = tb_arena_new();
		struct tb_fail f = {0};
		enum tb_err e =
		    tb_form_check(fields, form, strcmp(t.field[2], "submit") == 0, a, &f);
		if (strcmp(t.field[3], "ok") == 0) {
			if (e != TB_OK)
				fail_msg("%s:%d: refused: %s", t.path, t.lineno, f.reason);
		} else {
			if (e != TB_EINVAL)
				fail_msg("%s:%d: accepted, want %s", t.path, t.lineno, t.field[3]);
			char want[64];
			snprintf(want, sizeof(want), "form.%s", name);
			if (strcmp(f.field, want) != 0 || !strstr(f.reason, t.field[3]))
				fail_msg("%s:%d: got %s: %s", t.path, t.lineno, f.field, f.reason);
			refused++;
		}
		/* What prefill asks agrees with the check of a saved value. */
		json_t *v = json_object_get(form, name);
		if (v && strcmp(t.field[2], "save") == 0)
			assert_int_equal(tb_form_value_ok(field, v, a), e == TB_OK);
		tb_arena_free(a);
		json_decref(form);
		json_decref(fields);
		n++;
	}
	tsv_close(&t);
	assert_true(n >= 40);
	assert_true(refused >= 20);
}

/* Keys that are no fields of the item pass (a window clerk's notes); an
 * item without a form takes any object. */
static void other_keys(void **state)
{
	(void)state;
	struct tb_arena *a = tb_arena_new();
	struct tb_fail f = {0};
	json_t *fields =
	    json_loads("[{\"name\":\"名称\",\"type\":\"text\",\"required\":true}]", 0, NULL);
	json_t *form = json_loads("{\"名称\":\"小店\",\"备注\":\"窗口补记\"}", 0, NULL);
	assert_int_equal(tb_form_check(fields, form, true, a, &f), TB_OK);
	assert_int_equal(tb_form_check(NULL, form, true, a, &f), TB_OK);
	json_object_del(form, "名称");
	assert_int_equal(tb_form_check(fields, form, true, a, &f), TB_EINVAL);
	assert_string_equal(f.field, "form.名称");
	json_decref(form);
	json_decref(fields);
	tb_arena_free(a);
}

static void prefills(void **state)
{
	(void)state;
	assert_true(tb_form_prefill_ok("applicant.name"));
	assert_true(tb_form_prefill_ok("agent.phone"));
	assert_true(tb_form_prefill_ok("certificate:居民身份证.address"));
	assert_true(tb_form_prefill_ok("certificate:营业执照.business_scope"));
	assert_false(tb_form_prefill_ok("applicant.email"));
	assert_false(tb_form_prefill_ok("certificate:居民身份证"));
	assert_false(tb_form_prefill_ok("certificate:.address"));
	assert_false(tb_form_prefill_ok("certificate:居民身份证."));
	assert_false(tb_form_prefill_ok("certificate:居民身份证.Address"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vectors),
	    cmocka_unit_test(other_keys),
	    cmocka_unit_test(prefills),
	};
	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
