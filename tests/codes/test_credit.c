/* Tests of src/codes/credit: walks tests/codes/credit.tsv (every column of
 * every line), then the check-character helpers and the edges no .tsv line
 * can hold: NULL, embedded NUL, exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codes/credit.h"
#include "support.h"

/* A heap copy of s with no byte to spare, so that AddressSanitizer catches
 * a read past the NUL. */
static char *exact_copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

#define CHECK_FIELD(t, col, want, got)                                                       \
	do {                                                                                 \
		if (strcmp((want), (got)) != 0)                                              \
			fail_msg("%s:%d: %s: column %s: want \"%s\", got \"%s\"", (t)->path, \
			         (t)->lineno, (t)->field[0], (col), (want), (got));          \
	} while (0)

static void test_vectors(void **state)
{
	(void)state;
	struct tsv t;
	int cases = 0, valid = 0;
	tsv_open(&t, "tests/codes/credit.tsv");
	while (tsv_next(&t)) {
		if (t.nfields < 2 || t.nfields > 8)
			fail_msg("%s:%d: want 2-8 fields, got %d", t.path, t.lineno, t.nfields);
		const char *want[8] = {"", "", "", "", "", "", "", ""};
		for (int i = 0; i < t.nfields; i++)
			want[i] = t.field[i];
		char *in = exact_copy(want[0]);
		struct tb_credit c;
		struct tb_fail f = {NULL, NULL};
		enum tb_err e = tb_credit_check(in, &c, &f);
		char dept[2] = "", cat[2] = "";
		const char *result = "valid", *normalized = "", *region = "", *dname = "",
		           *cname = "";
		if (e == TB_OK) {
			normalized = c.normalized;
			dept[0] = c.dept;
			cat[0] = c.category;
			region = c.region;
			dname = c.dept_name ? c.dept_name : "(null)";
			cname = c.category_name ? c.category_name : "(null)";
			valid++;
		} else {
			if (e != TB_EINVAL)
				fail_msg("%s:%d: error %s", t.path, t.lineno, tb_err_name(e));
			result = f.reason ? f.reason : "(null)";
			CHECK_FIELD(&t, "field", "credit_code", f.field ? f.field : "(null)");
			static const struct tb_credit zero;
			if (memcmp(&c, &zero, sizeof(c)) != 0)
				fail_msg("%s:%d: out not zeroed on failure", t.path, t.lineno);
		}
		CHECK_FIELD(&t, "expected", want[1], result);
		CHECK_FIELD(&t, "normalized", want[2], normalized);
		CHECK_FIELD(&t, "dept", want[3], dept);
		CHECK_FIELD(&t, "category", want[4], cat);
		CHECK_FIELD(&t, "region", want[5], region);
		CHECK_FIELD(&t, "dept_name", want[6], dname);
		CHECK_FIELD(&t, "category_name", want[7], cname);
		if (e == TB_OK) {
			if (tb_credit_check_char(in) != c.normalized[17])
				fail_msg("%s:%d: tb_credit_check_char disagrees", t.path, t.lineno);
			if (tb_credit_org_check_char(in + 8) != c.normalized[16])
				fail_msg("%s:%d: tb_credit_org_check_char disagrees", t.path,
				         t.lineno);
		}
		if (tb_credit_check(in, NULL, NULL) != e)
			fail_msg("%s:%d: result differs with NULL out/f", t.path, t.lineno);
		free(in);
		cases++;
	}
	tsv_close(&t);
	assert_true(cases >= 25);
	assert_true(valid >= 10);
}

static void test_check_chars(void **state)
{
	(void)state;
	/* The worked example of GB 11714: D2143569-X. */
	assert_int_equal(tb_credit_org_check_char("D2143569"), 'X');
	assert_int_equal(tb_credit_org_check_char("d2143569"), 'X');
	assert_int_equal(tb_credit_org_check_char("00000000"), '0'); /* 11 -> 0 */
	assert_int_equal(tb_credit_org_check_char("60003734"), '1');
	assert_int_equal(tb_credit_org_check_char("IOZSV000"),
	                 tb_credit_org_check_char("iozsv000"));
	assert_int_equal(tb_credit_org_check_char(NULL), 0);
	assert_int_equal(tb_credit_org_check_char("6000373"), 0);
	assert_int_equal(tb_credit_org_check_char("6000-734"), 0);

	assert_int_equal(tb_credit_check_char("91110000600037341"), 'L');
	assert_int_equal(tb_credit_check_char("91110000600037341L"), 'L'); /* 18th ignored */
	assert_int_equal(tb_credit_check_char("9144030019220382"), 0);     /* 16 chars */
	assert_int_equal(tb_credit_check_char("9111000060003734I"), 0);
	assert_int_equal(tb_credit_check_char(NULL), 0);
	assert_int_equal(tb_credit_check_char("y1100000a00000011"), 'A');

	/* Every check character appears, and 31 -> 0 is reachable. */
	char seen[128] = {0};
	char buf[18] = "9111000000000000";
	static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	for (int i = 0; i < 31; i++) {
		buf[16] = alpha[i];
		char c = tb_credit_check_char(buf);
		assert_non_null(strchr(alpha, c));
		seen[(unsigned char)c] = 1;
	}
	for (const char *p = alpha; *p; p++)
		assert_true(seen[(unsigned char)*p]);
}

static void test_edges(void **state)
{
	(void)state;
	struct tb_fail f = {NULL, NULL};
	struct tb_credit c;
	assert_int_equal(tb_credit_check(NULL, &c, &f), TB_EINVAL);
	assert_string_equal(f.field, "credit_code");
	assert_string_equal(f.reason, "length");

	static const char nul[] = "91110000600037341\0L";
	assert_int_equal(tb_credit_check(nul, &c, &f), TB_EINVAL);
	assert_string_equal(f.reason, "length");

	static const char full[] = "91110000600037341L";
	for (size_t n = 0; n < 18; n++) {
		char *p = malloc(n + 1);
		assert_non_null(p);
		memcpy(p, full, n);
		p[n] = '\0';
		assert_int_equal(tb_credit_check(p, &c, &f), TB_EINVAL);
		assert_string_equal(f.reason, "length");
		if (n < 17)
			assert_int_equal(tb_credit_check_char(p), 0);
		if (n < 8)
			assert_int_equal(tb_credit_org_check_char(p), 0);
		free(p);
	}
	/* Bytes above 0x7f are not letters. */
	assert_int_equal(tb_credit_check("9111000060003734\xc3\x9c", &c, &f), TB_EINVAL);
	assert_string_equal(f.reason, "alphabet");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_check_chars),
	    cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
