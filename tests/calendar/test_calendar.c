/* Tests of src/calendar: loads data/calendar/cn-2026.csv from disk, walks
 * the vectors of tests/calendar/workdays.tsv, checks add/count against a
 * day-by-day walk, and feeds the CSV parser bad lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/date.h"
#include "calendar/calendar.h"
#include "support.h"

#define CSV_PATH "data/calendar/cn-2026.csv"

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s (run tests from the repository root)", path);
	char *data = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap);
			assert_non_null(data);
		}
		size_t got = fread(data + n, 1, cap - n, fp);
		if (got == 0)
			break;
		n += got;
	}
	fclose(fp);
	*len = n;
	return data;
}

static int setup(void **state)
{
	size_t len;
	char *text = read_all(CSV_PATH, &len);
	struct tb_calendar *c = tb_calendar_new();
	struct tb_fail f = {NULL, NULL};
	enum tb_err e = tb_calendar_parse_csv(c, text, len, &f);
	free(text);
	if (e != TB_OK) {
		print_error("%s: %s: %s\n", CSV_PATH, f.field, f.reason);
		tb_calendar_free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	tb_calendar_free(*state);
	return 0;
}

static int64_t day(const char *s)
{
	int64_t d;
	if (!tb_date_parse(s, &d))
		fail_msg("bad date %s", s);
	return d;
}

static long num(const struct tsv *t, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		fail_msg("%s:%d: bad number %s", t->path, t->lineno, s);
	return v;
}

static void test_vectors(void **state)
{
	const struct tb_calendar *c = *state;
	struct tsv t;
	int cases = 0;
	tsv_open(&t, "tests/calendar/workdays.tsv");
	while (tsv_next(&t)) {
		if (t.nfields != 4)
			fail_msg("%s:%d: want 4 fields, got %d", t.path, t.lineno, t.nfields);
		int64_t from = day(t.field[1]);
		if (strcmp(t.field[0], "add") == 0) {
			int64_t want = day(t.field[3]);
			int64_t got = tb_calendar_add_workdays(c, from, (int)num(&t, t.field[2]));
			if (got != want) {
				char g[11];
				tb_date_format(got, g);
				fail_msg("%s:%d: add %s %s: want %s, got %s", t.path, t.lineno,
				         t.field[1], t.field[2], t.field[3], g);
			}
		} else if (strcmp(t.field[0], "count") == 0) {
			long want = num(&t, t.field[3]);
			int got = tb_calendar_count_workdays(c, from, day(t.field[2]));
			if (got != want)
				fail_msg("%s:%d: count %s %s: want %ld, got %d", t.path, t.lineno,
				         t.field[1], t.field[2], want, got);
		} else {
			fail_msg("%s:%d: unknown op %s", t.path, t.lineno, t.field[0]);
		}
		cases++;
	}
	tsv_close(&t);
	assert_true(cases >= 25);
}

static void test_is_workday(void **state)
{
	const struct tb_calendar *c = *state;
	static const struct {
		const char *date;
		bool work;
	} cases[] = {
	    {"2026-01-01", false},                        /* Thursday, 元旦 */
	    {"2026-01-03", false},                        /* Saturday, listed holiday */
	    {"2026-01-04", true},                         /* Sunday, make-up workday */
	    {"2026-01-05", true},  {"2026-01-10", false}, /* plain Saturday */
	    {"2026-02-14", true},  {"2026-02-16", false}, {"2026-02-23", false},
	    {"2026-02-24", true},  {"2026-02-28", true},  {"2026-03-01", false},
	    {"2026-10-10", true},  {"2026-10-07", false}, {"2027-01-01", true}, /* unpublished */
	    {"2027-01-02", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (tb_calendar_is_workday(c, day(cases[i].date)) != cases[i].work)
			fail_msg("%s: want %s", cases[i].date,
			         cases[i].work ? "workday" : "day off");
	assert_string_equal(tb_calendar_day_name(c, day("2026-02-14")), "春节调休上班");
	assert_string_equal(tb_calendar_day_name(c, day("2026-10-01")), "国庆节");
	assert_null(tb_calendar_day_name(c, day("2026-10-08")));
}

static void test_covers(void **state)
{
	const struct tb_calendar *c = *state;
	assert_true(tb_calendar_covers(c, day("2026-01-01")));
	assert_true(tb_calendar_covers(c, day("2026-07-15")));
	assert_true(tb_calendar_covers(c, day("2026-12-31")));
	assert_false(tb_calendar_covers(c, day("2025-12-31")));
	assert_false(tb_calendar_covers(c, day("2027-01-01")));
	assert_false(tb_calendar_covers(NULL, day("2026-01-01")));
}

/* The obvious walk, to check the binary searches against. */
static int64_t walk(const struct tb_calendar *c, int64_t from, int n)
{
	int step = n < 0 ? -1 : 1;
	while (n != 0) {
		from += step;
		if (tb_calendar_is_workday(c, from))
			n -= step;
	}
	return from;
}

static void test_against_walk(void **state)
{
	const struct tb_calendar *c = *state;
	int64_t start = day("2025-11-01"), end = day("2027-03-01");
	for (int64_t from = start; from <= end; from++) {
		for (int n = -40; n <= 40; n++) {
			int64_t got = tb_calendar_add_workdays(c, from, n);
			int64_t want = walk(c, from, n);
			if (got != want) {
				char f[11];
				tb_date_format(from, f);
				fail_msg("add %s %d: got %lld want %lld", f, n, (long long)got,
				         (long long)want);
			}
			/* n > 0: n working days in (from, got]; n < 0: -n working
			 * days in [got, from), i.e. in (got - 1, from - 1]. */
			if (n >= 0)
				assert_int_equal(tb_calendar_count_workdays(c, from, got), n);
			else
				assert_int_equal(tb_calendar_count_workdays(c, got - 1, from - 1),
				                 -n);
		}
	}
	/* Counting agrees with is_workday day by day. */
	int run = 0;
	for (int64_t d = start + 1; d <= end; d++) {
		run += tb_calendar_is_workday(c, d);
		assert_int_equal(tb_calendar_count_workdays(c, start, d), run);
		assert_int_equal(tb_calendar_count_workdays(c, d, start), -run);
	}
}

static void test_far(void **state)
{
	const struct tb_calendar *c = *state;
	/* Large n is answered at once and stays consistent. */
	int64_t from = day("2026-01-01");
	int64_t d = tb_calendar_add_workdays(c, from, 1000000);
	assert_int_equal(tb_calendar_count_workdays(c, from, d), 1000000);
	assert_true(tb_calendar_is_workday(c, d));
	d = tb_calendar_add_workdays(c, from, -1000000);
	assert_int_equal(tb_calendar_count_workdays(c, d - 1, from - 1), 1000000);
	assert_true(tb_calendar_is_workday(c, d));
	/* INT_MAX / INT_MIN do not overflow. */
	d = tb_calendar_add_workdays(c, from, 2147483647);
	assert_true(d > from);
	d = tb_calendar_add_workdays(c, from, -2147483647 - 1);
	assert_true(d < from);
	/* Without a calendar: plain weeks. 2027-01-01 is a Friday. */
	assert_int_equal(tb_calendar_add_workdays(NULL, day("2027-01-01"), 1), day("2027-01-04"));
	assert_int_equal(tb_calendar_count_workdays(NULL, day("2027-01-01"), day("2027-01-08")), 5);
	assert_int_equal(tb_calendar_count_workdays(NULL, day("1969-12-26"), day("1970-01-09")),
	                 10);
}

struct bad {
	const char *csv;
	enum tb_err err;
	const char *field;
	const char *reason;
};

static void test_bad_csv(void **state)
{
	(void)state;
	static const struct bad cases[] = {
	    {"", TB_EINVAL, "line 1", "header"},
	    {"date,kind\n", TB_EINVAL, "line 1", "header"},
	    {"Date,kind,name\n", TB_EINVAL, "line 1", "header"},
	    {"date,kind,name\n2026-01-01,holiday\n", TB_EINVAL, "line 2", "fields"},
	    {"date,kind,name\n2026-01-01,holiday,元旦,x\n", TB_EINVAL, "line 2", "fields"},
	    {"date,kind,name\n2026-01-01,holiday,\"元旦\n", TB_EINVAL, "line 2", "quote"},
	    {"date,kind,name\n2026-01-01,holiday,\"元旦\"x\n", TB_EINVAL, "line 2", "quote"},
	    {"date,kind,name\n2026-01-01,holiday,元\"旦\n", TB_EINVAL, "line 2", "quote"},
	    {"date,kind,name\n2026-1-1,holiday,元旦\n", TB_EINVAL, "line 2", "date"},
	    {"date,kind,name\n2026-02-30,holiday,x\n", TB_EINVAL, "line 2", "date"},
	    {"date,kind,name\n 2026-01-01,holiday,x\n", TB_EINVAL, "line 2", "date"},
	    {"date,kind,name\n2026-01-01,Holiday,x\n", TB_EINVAL, "line 2", "kind"},
	    {"date,kind,name\n2026-01-01,off,x\n", TB_EINVAL, "line 2", "kind"},
	    {"date,kind,name\n2026-01-01,holiday,\n", TB_EINVAL, "line 2", "name"},
	    {"date,kind,name\n2026-01-01,holiday,\"\"\n", TB_EINVAL, "line 2", "name"},
	    {"date,kind,name\n2026-01-01,holiday,a\tb\n", TB_EINVAL, "line 2", "name"},
	    {"date,kind,name\n2026-01-01,holiday,\xff\n", TB_EINVAL, "line 2", "name"},
	    {"date,kind,name\n2026-01-01,holiday,a\n\n2026-01-01,holiday,b\n", TB_EINVAL, "line 4",
	     "duplicate date"},
	    {"date,kind,name\n2026-01-05,workday,x\n", TB_EINVAL, "line 2", "workday on a weekday"},
	    {"date,kind,name\r\n2026-01-01,holiday,a\r\nnot a line\r\n", TB_EINVAL, "line 3",
	     "fields"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tb_calendar *c = tb_calendar_new();
		struct tb_fail f = {NULL, NULL};
		enum tb_err e = tb_calendar_parse_csv(c, cases[i].csv, strlen(cases[i].csv), &f);
		if (e != cases[i].err || !f.field || strcmp(f.field, cases[i].field) != 0 ||
		    strcmp(f.reason, cases[i].reason) != 0)
			fail_msg("case %zu: want %s %s, got %s %s %s", i, cases[i].field,
			         cases[i].reason, tb_err_name(e), f.field ? f.field : "(null)",
			         f.reason ? f.reason : "(null)");
		/* Nothing of a refused file is kept. */
		assert_false(tb_calendar_covers(c, day("2026-01-01")));
		assert_true(tb_calendar_is_workday(c, day("2026-01-01")) ==
		            (tb_date_weekday(day("2026-01-01")) <= 5));
		tb_calendar_free(c);
	}
}

static void test_good_csv(void **state)
{
	(void)state;
	/* BOM, CRLF, blank lines, quotes with a comma and an escaped quote,
	 * no final newline, a holiday on a Sunday. */
	static const char csv[] = "\xEF\xBB\xBF"
	                          "date,kind,name\r\n"
	                          "\r\n"
	                          "2026-10-01,holiday,\"国庆节,中秋节\"\r\n"
	                          "2026-10-04,holiday,\"say \"\"hi\"\"\"\r\n"
	                          "2026-10-10,workday,国庆节调休上班";
	struct tb_calendar *c = tb_calendar_new();
	struct tb_fail f = {NULL, NULL};
	assert_int_equal(tb_calendar_parse_csv(c, csv, sizeof(csv) - 1, &f), TB_OK);
	assert_string_equal(tb_calendar_day_name(c, day("2026-10-01")), "国庆节,中秋节");
	assert_string_equal(tb_calendar_day_name(c, day("2026-10-04")), "say \"hi\"");
	assert_true(tb_calendar_is_workday(c, day("2026-10-10")));
	assert_false(tb_calendar_is_workday(c, day("2026-10-01")));
	/* A second file adds to the first; a date already there conflicts and
	 * leaves the calendar as it was. */
	static const char more[] = "date,kind,name\n2026-10-02,holiday,x\n2026-10-01,holiday,y\n";
	assert_int_equal(tb_calendar_parse_csv(c, more, sizeof(more) - 1, &f), TB_ECONFLICT);
	assert_string_equal(f.field, "line 3");
	assert_string_equal(f.reason, "duplicate date");
	assert_true(tb_calendar_is_workday(c, day("2026-10-02")));
	static const char ok[] = "date,kind,name\n2026-10-02,holiday,国庆节\n";
	assert_int_equal(tb_calendar_parse_csv(c, ok, sizeof(ok) - 1, &f), TB_OK);
	assert_false(tb_calendar_is_workday(c, day("2026-10-02")));
	/* A NULL fail pointer is fine. */
	assert_int_equal(tb_calendar_parse_csv(c, "x", 1, NULL), TB_EINVAL);
	tb_calendar_free(c);
}

static void test_set(void **state)
{
	(void)state;
	struct tb_calendar *c = tb_calendar_new();
	int64_t sat = day("2026-01-10"), mon = day("2026-01-12");
	assert_int_equal(tb_calendar_set(c, mon, TB_DAY_HOLIDAY, NULL), TB_OK);
	assert_int_equal(tb_calendar_set(c, mon, TB_DAY_HOLIDAY, "again"), TB_ECONFLICT);
	assert_int_equal(tb_calendar_set(c, mon + 1, TB_DAY_WORKDAY, "x"), TB_EINVAL);
	assert_int_equal(tb_calendar_set(c, sat, TB_DAY__MAX, "x"), TB_EINVAL);
	assert_int_equal(tb_calendar_set(c, sat, TB_DAY_WORKDAY, "a\nb"), TB_EINVAL);
	assert_int_equal(tb_calendar_set(c, day("9999-12-31") + 1, TB_DAY_HOLIDAY, "x"), TB_EINVAL);
	assert_int_equal(tb_calendar_set(c, sat, TB_DAY_WORKDAY, "补班"), TB_OK);
	assert_string_equal(tb_calendar_day_name(c, mon), "");
	assert_true(tb_calendar_is_workday(c, sat));
	assert_false(tb_calendar_is_workday(c, mon));
	/* Fri 01-09 -> Sat 01-10 (worked) -> Tue 01-13 (Mon off). */
	assert_int_equal(tb_calendar_add_workdays(c, day("2026-01-09"), 2), day("2026-01-13"));
	assert_int_equal(tb_calendar_count_workdays(c, day("2026-01-09"), day("2026-01-13")), 2);
	tb_calendar_free(NULL);
	tb_calendar_free(c);
}

/* Every day from 0001-01-01 to 9999-12-31 formats as the text that parses
 * back to it, zero-padded (the formatter writes its digits by hand). */
static void test_date_text_round_trip(void **state)
{
	(void)state;
	int64_t first = tb_date_from_ymd(1, 1, 1), last = tb_date_from_ymd(9999, 12, 31);
	for (int64_t d = first; d <= last; d++) {
		char t[11];
		tb_date_format(d, t);
		int64_t back = -1;
		if (!tb_date_parse(t, &back) || back != d)
			fail_msg("day %lld formats as %s", (long long)d, t);
	}
	char t[11];
	tb_date_format(tb_date_from_ymd(2026, 3, 7), t);
	assert_string_equal(t, "2026-03-07");
	tb_date_format(tb_date_from_ymd(987, 10, 1), t);
	assert_string_equal(t, "0987-10-01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_is_workday),
	    cmocka_unit_test(test_covers),
	    cmocka_unit_test(test_against_walk),
	    cmocka_unit_test(test_far),
	    cmocka_unit_test(test_bad_csv),
	    cmocka_unit_test(test_good_csv),
	    cmocka_unit_test(test_set),
	    cmocka_unit_test(test_date_text_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
