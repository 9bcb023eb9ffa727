/* The case clock on the real 2026 calendar: deadlines across the Spring
 * Festival, suspensions inside it, remaining days and colours. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/date.h"
#include "cases/clock.h"

#include <stdlib.h>
#include <string.h>

static struct tb_calendar *cal;

static int64_t day(const char *s)
{
	int64_t d;
	if (!tb_date_parse(s, &d))
		fail_msg("bad date %s", s);
	return d;
}

static void vectors(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/cases/clock.tsv");
	int n = 0;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 5);
		char got[32];
		if (strcmp(t.field[0], "due") == 0) {
			tb_date_format(
			    tb_clock_due(cal, day(t.field[1]), (int)strtol(t.field[2], NULL, 10)),
			    got);
		} else if (strcmp(t.field[0], "resume") == 0) {
			tb_date_format(
			    tb_clock_resume(cal, day(t.field[1]), day(t.field[2]), day(t.field[3])),
			    got);
		} else {
			int64_t susp = strcmp(t.field[3], "-") ? day(t.field[3]) : 0;
			snprintf(got, sizeof(got), "%d",
			         tb_clock_remaining(cal, day(t.field[1]), day(t.field[2]), susp));
		}
		if (strcmp(got, t.field[4]) != 0)
			fail_msg("%s:%d: got %s, want %s", t.path, t.lineno, got, t.field[4]);
		n++;
	}
	tsv_close(&t);
	assert_true(n >= 15);
}

static void colours(void **state)
{
	(void)state;
	assert_string_equal(tb_clock_colour(5, 2), "green");
	assert_string_equal(tb_clock_colour(3, 2), "green");
	assert_string_equal(tb_clock_colour(2, 2), "yellow");
	assert_string_equal(tb_clock_colour(0, 2), "yellow");
	assert_string_equal(tb_clock_colour(-1, 2), "red");
	assert_string_equal(tb_clock_colour(3, 3), "yellow");
}

int main(void)
{
	FILE *f = fopen("data/calendar/cn-2026.csv", "rb");
	if (!f)
		return 1;
	struct tb_buf b = TB_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tb_buf_add(&b, chunk, n);
	fclose(f);
	cal = tb_calendar_new();
	if (tb_calendar_parse_csv(cal, b.data, b.len, NULL) != TB_OK)
		return 1;
	tb_buf_free(&b);
	const struct CMUnitTest tests[] = {cmocka_unit_test(vectors), cmocka_unit_test(colours)};
	int rc = cmocka_run_group_tests_name("clock", tests, NULL, NULL);
	tb_calendar_free(cal);
	return rc;
}
