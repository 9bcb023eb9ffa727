/* Certificate types brought into the store from the built-in
 * data/certs/types.json at every start (tb_cert_types_sync), on SQLite: a
 * fresh store gets them all; a type whose stored rules differ from the
 * file's (a store made by an older binary) is rewritten, and only it; a
 * store that agrees is not written at all. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "certs/types.h"
#include "store/migrate.h"
#include "store/store.h"

#include <string.h>

#define LICENCE "11100000000013100M001" /* 营业执照 */

/* The fields text of type code in s (malloc'd). */
static char *fields_of(struct tb_store *s, const char *code)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row, "SELECT fields FROM cert_types WHERE code = ?", "s", code),
	    TB_OK);
	assert_true(row);
	char *out = strdup(tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	tb_store_release(c);
	return out;
}

static void sync_brings_the_file(void **state)
{
	(void)state;
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(test_sqlite_fresh(), 2, &s, &f), TB_OK);
	int applied;
	assert_int_equal(tb_store_migrate(s, &applied), TB_OK);
	int changed = -1;
	assert_int_equal(tb_cert_types_sync(s, &changed), TB_OK);
	assert_true(changed >= 10); /* every built-in type, inserted */
	char *want = fields_of(s, LICENCE);
	assert_non_null(strstr(want, "\"required\":true"));

	/* As an older binary left it: no face field required. */
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_conn_run(c, NULL, "UPDATE cert_types SET fields = '[]' WHERE code = ?",
	                             "s", LICENCE),
	                 TB_OK);
	tb_store_release(c);
	assert_int_equal(tb_cert_types_sync(s, &changed), TB_OK);
	assert_int_equal(changed, 1);
	char *now = fields_of(s, LICENCE);
	assert_string_equal(now, want);
	/* Agreeing with the file: nothing written. */
	assert_int_equal(tb_cert_types_sync(s, &changed), TB_OK);
	assert_int_equal(changed, 0);
	free(now);
	free(want);
	tb_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(sync_brings_the_file)};
	return cmocka_run_group_tests_name("cert types", tests, NULL, NULL);
}
