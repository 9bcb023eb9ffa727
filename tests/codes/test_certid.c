/* Tests of src/codes/certid: walks tests/codes/certid.tsv (MOD 37,36
 * check characters and GB/T 36904 identifiers), then tb_certid_make: its
 * round trip through the parser and its refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codes/certid.h"
#include "support.h"

static void check_line(const struct tsv *t)
{
	if (t->nfields != 3)
		fail_msg("%s:%d: want 3 fields", t->path, t->lineno);
	char got[2] = {tb_mod37_36(t->field[1]), 0};
	const char *want = t->field[2];
	if (strcmp(want, "-") == 0 ? got[0] != 0 : strcmp(want, got) != 0)
		fail_msg("%s:%d: %s: want %s, got %s", t->path, t->lineno, t->field[1], want,
		         got[0] ? got : "none");
}

static void id_line(const struct tsv *t)
{
	if (t->nfields != 3 && t->nfields != 7)
		fail_msg("%s:%d: want 3 or 7 fields", t->path, t->lineno);
	struct tb_certid id;
	struct tb_fail f = {NULL, NULL};
	enum tb_err e = tb_certid_parse(t->field[1], &id, &f);
	const char *got = e == TB_OK ? "valid" : f.reason;
	if (strcmp(got, t->field[2]) != 0)
		fail_msg("%s:%d: want %s, got %s", t->path, t->lineno, t->field[2], got);
	if (e != TB_OK && strcmp(f.field, "identifier") != 0)
		fail_msg("%s:%d: field %s", t->path, t->lineno, f.field);
	if (t->nfields == 7) {
		const char *parts[] = {id.type_code, id.issuer, id.serial, id.version};
		for (int i = 0; i < 4; i++)
			if (strcmp(parts[i], t->field[3 + i]) != 0)
				fail_msg("%s:%d: part %d: want %s, got %s", t->path, t->lineno, i,
				         t->field[3 + i], parts[i]);
	}
	if (e == TB_OK) {
		/* Making it again gives the same identifier. */
		char again[TB_CERTID_MAX];
		assert_int_equal(tb_certid_make(id.type_code, id.issuer, id.serial, id.version,
		                                again, sizeof(again), NULL),
		                 TB_OK);
		assert_string_equal(again, t->field[1]);
	}
}

static void test_vectors(void **state)
{
	(void)state;
	struct tsv t;
	int checks = 0, ids = 0;
	tsv_open(&t, "tests/codes/certid.tsv");
	while (tsv_next(&t)) {
		if (strcmp(t.field[0], "check") == 0) {
			check_line(&t);
			checks++;
		} else if (strcmp(t.field[0], "id") == 0) {
			id_line(&t);
			ids++;
		} else {
			fail_msg("%s:%d: unknown kind %s", t.path, t.lineno, t.field[0]);
		}
	}
	tsv_close(&t);
	assert_true(checks >= 10);
	assert_true(ids >= 15);
}

static void test_make(void **state)
{
	(void)state;
	char out[TB_CERTID_MAX];
	struct tb_fail f = {NULL, NULL};
	assert_int_equal(tb_certid_make("11100000000013127D001", "11330106024903108G", "7", "001",
	                                out, sizeof(out), &f),
	                 TB_OK);
	struct tb_certid id;
	assert_int_equal(tb_certid_parse(out, &id, NULL), TB_OK);
	assert_string_equal(id.serial, "7");
	/* Each bad part is named. */
	assert_int_equal(tb_certid_make("11100000000013127D00", "11330106024903108G", "7", "001",
	                                out, sizeof(out), &f),
	                 TB_EINVAL);
	assert_string_equal(f.field, "type_code");
	assert_string_equal(out, "");
	assert_int_equal(tb_certid_make("11100000000013127D001", "113301060249031080", "7", "001",
	                                out, sizeof(out), &f),
	                 TB_EINVAL);
	assert_string_equal(f.field, "issuer");
	assert_int_equal(tb_certid_make("11100000000013127D001", "11330106024903108G", "7.1", "001",
	                                out, sizeof(out), &f),
	                 TB_EINVAL);
	assert_string_equal(f.field, "serial");
	assert_int_equal(tb_certid_make("11100000000013127D001", "11330106024903108G", "7", "1",
	                                out, sizeof(out), &f),
	                 TB_EINVAL);
	assert_string_equal(f.field, "version");
	assert_int_equal(
	    tb_certid_make(NULL, "11330106024903108G", "7", "001", out, sizeof(out), &f),
	    TB_EINVAL);
	/* Too small a buffer leaves it empty. */
	assert_int_equal(
	    tb_certid_make("11100000000013127D001", "11330106024903108G", "7", "001", out, 20, &f),
	    TB_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(tb_certid_parse(NULL, &id, &f), TB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_make),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
