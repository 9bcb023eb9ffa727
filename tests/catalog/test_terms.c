/* The search-term tokenizer and the query builder, from terms.tsv and
 * queries.tsv. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "catalog/terms.h"

#include <string.h>

static void terms(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/catalog/terms.tsv");
	int n = 0;
	while (tsv_next(&t)) {
		struct tb_buf b = TB_BUF_INIT;
		tb_terms(t.field[0], &b);
		const char *want = t.nfields > 1 ? t.field[1] : "";
		if (strcmp(b.data ? b.data : "", want) != 0)
			fail_msg("%s:%d: [%s] -> [%s], want [%s]", t.path, t.lineno, t.field[0],
			         b.data ? b.data : "", want);
		tb_buf_free(&b);
		n++;
	}
	tsv_close(&t);
	assert_true(n >= 8);
}

static void queries(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/catalog/queries.tsv");
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 4);
		struct tb_buf fts = TB_BUF_INIT, tsq = TB_BUF_INIT, like = TB_BUF_INIT;
		assert_true(tb_terms_query(t.field[0], &fts, &tsq, &like));
		const char *got[3] = {fts.data ? fts.data : "-", tsq.data ? tsq.data : "-",
		                      like.data ? like.data : "-"};
		for (int i = 0; i < 3; i++)
			if (strcmp(got[i], t.field[i + 1]) != 0)
				fail_msg("%s:%d: column %d: [%s], want [%s]", t.path, t.lineno,
				         i + 2, got[i], t.field[i + 1]);
		tb_buf_free(&fts);
		tb_buf_free(&tsq);
		tb_buf_free(&like);
	}
	tsv_close(&t);
	struct tb_buf a = TB_BUF_INIT, b = TB_BUF_INIT, c = TB_BUF_INIT;
	assert_false(tb_terms_query("，。 ！", &a, &b, &c));
	assert_false(tb_terms_query("", &a, &b, &c));
	tb_buf_free(&a);
	tb_buf_free(&b);
	tb_buf_free(&c);
}

/* The test's own synonyms (NUL-separated, doubly terminated). */
static const char *synonyms(const char *word, void *ctx)
{
	(void)ctx;
	if (!strcmp(word, "社保"))
		return "社会保险\0社会保障\0";
	if (!strcmp(word, "户口"))
		return "户籍\0";
	if (!strcmp(word, "证"))
		return "证件\0";
	return NULL;
}

static void expansions(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/catalog/expansions.tsv");
	int n = 0;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 3);
		struct tb_buf fts = TB_BUF_INIT, tsq = TB_BUF_INIT, like = TB_BUF_INIT;
		assert_true(tb_terms_query_ex(t.field[0], synonyms, NULL, &fts, &tsq, &like));
		if (strcmp(fts.data ? fts.data : "", t.field[1]) != 0 ||
		    strcmp(tsq.data ? tsq.data : "", t.field[2]) != 0)
			fail_msg("%s:%d: [%s] [%s], want [%s] [%s]", t.path, t.lineno, fts.data,
			         tsq.data, t.field[1], t.field[2]);
		assert_int_equal(like.len, 0);
		tb_buf_free(&fts);
		tb_buf_free(&tsq);
		tb_buf_free(&like);
		n++;
	}
	tsv_close(&t);
	assert_true(n >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(terms), cmocka_unit_test(queries),
	                                   cmocka_unit_test(expansions)};
	return cmocka_run_group_tests_name("terms", tests, NULL, NULL);
}
