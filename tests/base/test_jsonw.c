/* Tests of src/base/jsonw: the JSON text writer writes what jansson
 * writes for the same values (so that a list written either way reads the
 * same), escapes what JSON needs escaped, and writes null for a text that
 * is not UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/jsonw.h"
#include "support.h"

/* The writer's text for one string value, and jansson's. */
static void same_as_jansson(const char *s)
{
	struct tb_buf b = TB_BUF_INIT;
	struct tb_jw w;
	tb_jw_init(&w, &b);
	tb_jw_array(&w);
	tb_jw_str(&w, s);
	tb_jw_end_array(&w);
	json_t *j = json_pack("[s]", s);
	char *want = json_dumps(j, JSON_COMPACT);
	assert_string_equal(b.data, want);
	/* And it reads back as the text it was. */
	json_t *back = json_loads(b.data, 0, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_array_get(back, 0)), s);
	json_decref(back);
	free(want);
	json_decref(j);
	tb_buf_free(&b);
}

static void strings_escaped_as_jansson_does(void **state)
{
	(void)state;
	same_as_jansson("");
	same_as_jansson("个体工商户设立登记");
	same_as_jansson("say \"hi\" \\ back");
	same_as_jansson("line\none\ttab\rcr\bbs\ffeed");
	same_as_jansson("\x01\x1f control");
	same_as_jansson("a/b </script> \xe2\x80\xa8 U+2028");
}

static void containers_get_their_commas(void **state)
{
	(void)state;
	struct tb_buf b = TB_BUF_INIT;
	struct tb_jw w;
	tb_jw_init(&w, &b);
	tb_jw_object(&w);
	tb_jw_key(&w, "view");
	tb_jw_str(&w, "department_queue");
	tb_jw_key(&w, "items");
	tb_jw_array(&w);
	for (int i = 0; i < 3; i++) {
		tb_jw_object(&w);
		tb_jw_key(&w, "id");
		tb_jw_int(&w, i - 1);
		tb_jw_key(&w, "on");
		tb_jw_bool(&w, i == 1);
		tb_jw_key(&w, "none");
		tb_jw_null(&w);
		tb_jw_key(&w, "empty");
		tb_jw_array(&w);
		tb_jw_end_array(&w);
		tb_jw_end_object(&w);
	}
	tb_jw_end_array(&w);
	tb_jw_key(&w, "big");
	tb_jw_int(&w, INT64_MIN);
	tb_jw_key(&w, "max");
	tb_jw_int(&w, INT64_MAX);
	tb_jw_key(&w, "year");
	tb_jw_int(&w, 1796225408);
	tb_jw_end_object(&w);
	assert_string_equal(b.data, "{\"view\":\"department_queue\",\"items\":["
	                            "{\"id\":-1,\"on\":false,\"none\":null,\"empty\":[]},"
	                            "{\"id\":0,\"on\":true,\"none\":null,\"empty\":[]},"
	                            "{\"id\":1,\"on\":false,\"none\":null,\"empty\":[]}],"
	                            "\"big\":-9223372036854775808,\"max\":9223372036854775807,"
	                            "\"year\":1796225408}");
	tb_buf_free(&b);
}

/* jansson refuses such a text; the writer writes null, never bytes that
 * would make the whole answer unreadable. */
static void text_not_utf8_is_null(void **state)
{
	(void)state;
	struct tb_buf b = TB_BUF_INIT;
	struct tb_jw w;
	tb_jw_init(&w, &b);
	tb_jw_array(&w);
	tb_jw_str(&w, "bad \xff byte");
	tb_jw_str(&w, "\xe4\xb8");
	tb_jw_str(&w, NULL);
	tb_jw_end_array(&w);
	assert_string_equal(b.data, "[null,null,null]");
	tb_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(strings_escaped_as_jansson_does),
	    cmocka_unit_test(containers_get_their_commas),
	    cmocka_unit_test(text_not_utf8_is_null),
	};
	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
