/* Tests of src/codes/code and of `tongban check-id`: walks
 * tests/codes/code.tsv (guess, validity and the exact report line, with
 * TB_TODAY pinned to 2026-11-26), the province table, and runs
 * tb_cmd_check_id with stdout and stderr captured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "codes/code.h"
#include "support.h"

static void test_vectors(void **state)
{
	(void)state;
	struct tsv t;
	int cases = 0;
	struct tb_buf want = TB_BUF_INIT, got = TB_BUF_INIT;
	tsv_open(&t, "tests/codes/code.tsv");
	while (tsv_next(&t)) {
		if (t.nfields != 5)
			fail_msg("%s:%d: want 5 fields, got %d", t.path, t.lineno, t.nfields);
		const char *in = t.field[0];
		const char *kind = tb_code_kind_name(tb_code_guess(in));
		if (strcmp(kind, t.field[3]) != 0)
			fail_msg("%s:%d: %s: guess: want %s, got %s", t.path, t.lineno, in,
			         t.field[3], kind);
		tb_buf_reset(&want);
		tb_buf_printf(&want, "%s\t%s\t%s\t%s", t.field[1], t.field[2], t.field[3],
		              t.field[4]);
		tb_buf_reset(&got);
		bool ok = tb_code_check_line(in, &got);
		if (strcmp(want.data, got.data) != 0)
			fail_msg("%s:%d: line:\n want \"%s\"\n got  \"%s\"", t.path, t.lineno,
			         want.data, got.data);
		if (ok != (strcmp(t.field[2], "valid") == 0))
			fail_msg("%s:%d: returned %d", t.path, t.lineno, ok);
		cases++;
	}
	tsv_close(&t);
	tb_buf_free(&want);
	tb_buf_free(&got);
	assert_true(cases >= 20);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(tb_code_kind_name(TB_CODE_UNKNOWN), "unknown");
	assert_string_equal(tb_code_kind_name(TB_CODE_RESIDENT_ID), "resident-id");
	assert_string_equal(tb_code_kind_name(TB_CODE_CREDIT), "credit-code");
	assert_string_equal(tb_code_kind_name(TB_CODE__MAX), "unknown");
	assert_string_equal(tb_code_kind_name((enum tb_code_kind) - 1), "unknown");
	assert_int_equal(tb_code_guess(NULL), TB_CODE_UNKNOWN);
}

static void test_provinces(void **state)
{
	(void)state;
	static const int known[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
	                            35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
	                            53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
	for (int v = 0; v < 100; v++) {
		char p[3] = {(char)('0' + v / 10), (char)('0' + v % 10), '\0'};
		bool want = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			want = want || known[i] == v;
		if (tb_code_province_known(p) != want)
			fail_msg("province %s: want %d", p, want);
	}
	assert_false(tb_code_province_known(NULL));
	assert_false(tb_code_province_known(""));
	assert_false(tb_code_province_known("1"));
	assert_false(tb_code_province_known("1a"));
}

static void test_line_edges(void **state)
{
	(void)state;
	struct tb_buf b = TB_BUF_INIT;
	/* Control characters do not break the line. */
	assert_false(tb_code_check_line("3301061990\t101123X", &b));
	assert_string_equal(b.data, "3301061990?101123X\tinvalid\tunknown\talphabet");
	tb_buf_reset(&b);
	assert_false(tb_code_check_line("a\nb\x7f", &b));
	assert_string_equal(b.data, "a?b?\tinvalid\tunknown\tlength");
	tb_buf_reset(&b);
	assert_false(tb_code_check_line(NULL, &b));
	assert_string_equal(b.data, "\tinvalid\tunknown\tlength");
	tb_buf_free(&b);
}

/* Runs tb_cmd_check_id on argv with stdout and stderr captured into *out
 * and *err (malloc'd). Returns the exit status. */
static int run(char **argv, char **out, char **err)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	FILE *fo = tmpfile(), *fe = tmpfile();
	assert_non_null(fo);
	assert_non_null(fe);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2);
	assert_true(so >= 0 && se >= 0);
	assert_true(dup2(fileno(fo), 1) >= 0);
	assert_true(dup2(fileno(fe), 2) >= 0);
	int rc = tb_cmd_check_id(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	FILE *f[2] = {fo, fe};
	char **dst[2] = {out, err};
	for (int i = 0; i < 2; i++) {
		long n = ftell(f[i]);
		assert_true(n >= 0);
		rewind(f[i]);
		*dst[i] = calloc(1, (size_t)n + 1);
		assert_non_null(*dst[i]);
		assert_int_equal(fread(*dst[i], 1, (size_t)n, f[i]), (size_t)n);
		fclose(f[i]);
	}
	return rc;
}

static void test_cli(void **state)
{
	(void)state;
	char *out, *err;

	char *valid[] = {"check-id", "33010619900101123x", "914403001922038216", NULL};
	assert_int_equal(run(valid, &out, &err), 0);
	assert_string_equal(out,
	                    "33010619900101123X\tvalid\tresident-id\t"
	                    "region=330106 birth=1990-01-01 sex=M\n"
	                    "914403001922038216\tvalid\tcredit-code\tdept=9 dept_name=市场监管 "
	                    "category=1 category_name=企业 region=440300\n");
	assert_string_equal(err, "");
	free(out);
	free(err);

	char *mixed[] = {"check-id", "--", "33010619900101123X", "330106199001011230", NULL};
	assert_int_equal(run(mixed, &out, &err), 1);
	assert_non_null(strstr(out, "330106199001011230\tinvalid\tresident-id\tcheck digit\n"));
	free(out);
	free(err);

	char *none[] = {"check-id", NULL};
	assert_int_equal(run(none, &out, &err), 2);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "usage: tongban check-id"));
	free(out);
	free(err);

	char *dashdash[] = {"check-id", "--", NULL};
	assert_int_equal(run(dashdash, &out, &err), 2);
	free(out);
	free(err);

	char *help[] = {"check-id", "--help", "33010619900101123X", NULL};
	assert_int_equal(run(help, &out, &err), 0);
	assert_non_null(strstr(out, "usage: tongban check-id"));
	assert_string_equal(err, "");
	free(out);
	free(err);

	char *h[] = {"check-id", "-h", NULL};
	assert_int_equal(run(h, &out, &err), 0);
	free(out);
	free(err);

	char *bad[] = {"check-id", "--json", "33010619900101123X", NULL};
	assert_int_equal(run(bad, &out, &err), 2);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "--json"));
	assert_non_null(strstr(err, "usage: tongban check-id"));
	free(out);
	free(err);

	/* A lone "-" is an operand (an invalid code), not an option. */
	char *dash[] = {"check-id", "-", NULL};
	assert_int_equal(run(dash, &out, &err), 1);
	assert_string_equal(out, "-\tinvalid\tunknown\tlength\n");
	free(out);
	free(err);
}

int main(void)
{
	if (setenv("TB_TODAY", "2026-11-26", 1) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),   cmocka_unit_test(test_names),
	    cmocka_unit_test(test_provinces), cmocka_unit_test(test_line_edges),
	    cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
