/* Tests of src/codes/idnum: walks tests/codes/idnum.tsv (every column of
 * every line, with TB_TODAY pinned to 2026-11-26), then the edges no .tsv
 * line can hold: NULL, embedded NUL, exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/date.h"
#include "codes/idnum.h"
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
	tsv_open(&t, "tests/codes/idnum.tsv");
	while (tsv_next(&t)) {
		if (t.nfields < 2 || t.nfields > 5)
			fail_msg("%s:%d: want 2-5 fields, got %d", t.path, t.lineno, t.nfields);
		const char *want[5] = {"", "", "", "", ""};
		for (int i = 0; i < t.nfields; i++)
			want[i] = t.field[i];
		char *in = exact_copy(want[0]);
		struct tb_idnum id;
		struct tb_fail f = {NULL, NULL};
		enum tb_err e = tb_idnum_check(in, &id, &f);
		char birth[11] = "", sex[2] = "";
		const char *result = "valid", *normalized = "";
		if (e == TB_OK) {
			normalized = id.normalized;
			tb_date_format(id.birth, birth);
			sex[0] = id.sex;
			valid++;
			if (f.field || f.reason)
				fail_msg("%s:%d: fail set on success", t.path, t.lineno);
		} else {
			if (e != TB_EINVAL)
				fail_msg("%s:%d: error %s", t.path, t.lineno, tb_err_name(e));
			result = f.reason ? f.reason : "(null)";
			CHECK_FIELD(&t, "field", "id_number", f.field ? f.field : "(null)");
			static const struct tb_idnum zero;
			if (memcmp(&id, &zero, sizeof(id)) != 0)
				fail_msg("%s:%d: out not zeroed on failure", t.path, t.lineno);
		}
		CHECK_FIELD(&t, "expected", want[1], result);
		CHECK_FIELD(&t, "normalized", want[2], normalized);
		CHECK_FIELD(&t, "birth", want[3], birth);
		CHECK_FIELD(&t, "sex", want[4], sex);
		if (e == TB_OK) {
			/* The region is the first six characters; the check char
			 * function agrees; NULL out and NULL f are fine. */
			if (strncmp(id.region, id.normalized, 6) != 0 || strlen(id.region) != 6)
				fail_msg("%s:%d: region %s", t.path, t.lineno, id.region);
			if (tb_idnum_check_char(in) != id.normalized[17])
				fail_msg("%s:%d: tb_idnum_check_char disagrees", t.path, t.lineno);
		}
		if (tb_idnum_check(in, NULL, NULL) != e)
			fail_msg("%s:%d: result differs with NULL out/f", t.path, t.lineno);
		free(in);
		cases++;
	}
	tsv_close(&t);
	assert_true(cases >= 30);
	assert_true(valid >= 10);
}

static void test_edges(void **state)
{
	(void)state;
	struct tb_fail f = {NULL, NULL};
	struct tb_idnum id;
	assert_int_equal(tb_idnum_check(NULL, &id, &f), TB_EINVAL);
	assert_string_equal(f.field, "id_number");
	assert_string_equal(f.reason, "length");

	/* An embedded NUL ends the string: 17 characters. */
	static const char nul[] = "33010619900101123\0X";
	assert_int_equal(tb_idnum_check(nul, &id, &f), TB_EINVAL);
	assert_string_equal(f.reason, "length");

	/* Short strings in exact-size buffers: never read past the NUL. */
	static const char full[] = "33010619900101123X";
	for (size_t n = 0; n < 18; n++) {
		char *p = malloc(n + 1);
		assert_non_null(p);
		memcpy(p, full, n);
		p[n] = '\0';
		assert_int_equal(tb_idnum_check(p, &id, &f), TB_EINVAL);
		assert_string_equal(f.reason, "length");
		if (n < 17)
			assert_int_equal(tb_idnum_check_char(p), 0);
		free(p);
	}
}

static void test_check_char(void **state)
{
	(void)state;
	assert_int_equal(tb_idnum_check_char("33010619900101123"), 'X');
	assert_int_equal(tb_idnum_check_char("11010519491231002"), 'X');
	assert_int_equal(tb_idnum_check_char("440304200002290014"), '4'); /* 18th ignored */
	assert_int_equal(tb_idnum_check_char(NULL), 0);
	assert_int_equal(tb_idnum_check_char("3301061990010112a"), 0);
	assert_int_equal(tb_idnum_check_char(""), 0);
	/* Every check char value comes out for some sequence. */
	char seen[128] = {0};
	char buf[18] = "11010519800101000";
	for (int s = 0; s < 100; s++) {
		buf[14] = (char)('0' + s / 100);
		buf[15] = (char)('0' + s / 10 % 10);
		buf[16] = (char)('0' + s % 10);
		char c = tb_idnum_check_char(buf);
		assert_true((c >= '0' && c <= '9') || c == 'X');
		seen[(unsigned char)c] = 1;
	}
	for (const char *p = "0123456789X"; *p; p++)
		assert_true(seen[(unsigned char)*p]);
}

static void test_today(void **state)
{
	(void)state;
	/* The upper bound follows TB_TODAY. */
	assert_int_equal(setenv("TB_TODAY", "2026-11-25", 1), 0);
	struct tb_fail f = {NULL, NULL};
	assert_int_equal(tb_idnum_check("440106202611260057", NULL, &f), TB_EINVAL);
	assert_string_equal(f.reason, "birth date");
	assert_int_equal(setenv("TB_TODAY", "2026-11-26", 1), 0);
	assert_int_equal(tb_idnum_check("440106202611260057", NULL, &f), TB_OK);
}

int main(void)
{
	if (setenv("TB_TODAY", "2026-11-26", 1) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_edges),
	    cmocka_unit_test(test_check_char),
	    cmocka_unit_test(test_today),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
