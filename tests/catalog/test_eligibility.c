/* Eligibility rules evaluated for an applicant, from eligibility.tsv. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/date.h"
#include "catalog/eligibility.h"

#include <jansson.h>
#include <string.h>

static void vectors(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/catalog/eligibility.tsv");
	int n = 0;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 5);
		json_t *rules = json_loads(t.field[0], 0, NULL);
		assert_non_null(rules);
		int64_t day;
		assert_true(tb_date_parse(t.field[2], &day));
		json_t *got = tb_eligibility_check(rules, t.field[1], day);
		struct tb_buf holds = TB_BUF_INIT, reasons = TB_BUF_INIT;
		size_t i;
		json_t *x;
		json_array_foreach(got, i, x)
		{
			tb_buf_printf(&holds, "%s%s", i ? "," : "",
			              json_is_true(json_object_get(x, "holds")) ? "true" : "false");
			tb_buf_adds(&reasons, json_string_value(json_object_get(x, "reason")));
		}
		if (!got)
			tb_buf_adds(&holds, "-");
		const char *h = holds.data ? holds.data : "",
		           *why = reasons.data ? reasons.data : "";
		if (strcmp(h, t.field[3]) != 0)
			fail_msg("%s:%d: holds [%s], want [%s]", t.path, t.lineno, h, t.field[3]);
		if (strcmp(t.field[4], "-") != 0 && !strstr(why, t.field[4]))
			fail_msg("%s:%d: reasons [%s] lack [%s]", t.path, t.lineno, why,
			         t.field[4]);
		if (strcmp(t.field[4], "-") == 0 && *why)
			fail_msg("%s:%d: a reason where none was due: [%s]", t.path, t.lineno, why);
		tb_buf_free(&holds);
		tb_buf_free(&reasons);
		json_decref(got);
		json_decref(rules);
		n++;
	}
	tsv_close(&t);
	assert_true(n >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(vectors)};
	return cmocka_run_group_tests_name("eligibility", tests, NULL, NULL);
}
