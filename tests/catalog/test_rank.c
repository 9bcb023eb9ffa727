/* The search ranking (catalog/rank.h): tiers from rank.tsv, and the order
 * within a tier. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "catalog/rank.h"
#include "catalog/terms.h"

#include <string.h>

static const char *expand(const char *word, void *ctx)
{
	(void)ctx;
	if (strcmp(word, "社保") == 0)
		return "社会保障\0社会保险\0";
	if (strcmp(word, "身份证") == 0)
		return "居民身份证\0";
	return NULL;
}

static const char *field(const char *s)
{
	return strcmp(s, "-") == 0 ? "" : s;
}

static void tiers(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/catalog/rank.tsv");
	int n = 0;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 6);
		struct tb_arena *a = tb_arena_new();
		struct tb_rank_query rq;
		tb_rank_parse(t.field[0], expand, NULL, a, &rq);
		struct tb_rank_doc d = {field(t.field[1]), field(t.field[2]), field(t.field[3]),
		                        field(t.field[4]), NULL};
		int got = tb_rank_tier(&rq, &d, a);
		if (got != (int)strtol(t.field[5], NULL, 10))
			fail_msg("%s:%d: [%s] in [%s]: tier %d, want %s", t.path, t.lineno,
			         t.field[0], t.field[1], got, t.field[5]);
		/* The same from stored terms (as search_docs.terms holds them). */
		struct tb_buf terms = TB_BUF_INIT;
		for (int k = 1; k <= 4; k++) {
			tb_buf_printf(&terms, "%s", k > 1 ? "\n" : "");
			tb_terms(field(t.field[k]), &terms);
		}
		struct tb_rank_doc stored = {.name = d.name, .terms = terms.data ? terms.data : ""};
		if (tb_rank_tier(&rq, &stored, a) != got)
			fail_msg("%s:%d: from terms: tier %d, want %d", t.path, t.lineno,
			         tb_rank_tier(&rq, &stored, a), got);
		tb_buf_free(&terms);
		tb_arena_free(a);
		n++;
	}
	tsv_close(&t);
	assert_true(n >= 20);
}

/* Within a tier: the shorter name, then the earlier word. */
static void order(void **state)
{
	(void)state;
	struct tb_arena *a = tb_arena_new();
	struct tb_rank_query rq;
	tb_rank_parse("结婚", expand, NULL, a, &rq);
	struct tb_rank_doc longer = {"结婚登记（涉外、涉港澳台及华侨）", "结婚证", "", "", NULL},
	                   plain = {"内地居民结婚登记", "结婚证", "", "", NULL},
	                   shortest = {"结婚登记", "结婚证", "", "", NULL},
	                   early = {"结婚登记服务", "结婚证", "", "", NULL},
	                   late = {"服务结婚登记", "结婚证", "", "", NULL},
	                   result = {"婚姻登记", "结婚证", "", "", NULL};
	long l = tb_rank_score(&rq, &longer, a), p = tb_rank_score(&rq, &plain, a),
	     s = tb_rank_score(&rq, &shortest, a), r = tb_rank_score(&rq, &result, a);
	assert_true(s < p);
	assert_true(p < l);
	assert_true(l < r);
	assert_true(tb_rank_score(&rq, &early, a) < tb_rank_score(&rq, &late, a));
	/* Punctuation and spaces only: no word at all. */
	tb_rank_parse("，。 ！", expand, NULL, a, &rq);
	assert_int_equal(rq.nwords, 0);
	assert_null(rq.lone);
	assert_int_equal(tb_rank_tier(&rq, &late, a), 7);
	tb_arena_free(a);
}

/* A code the guide prints (the stored terms' fifth line), typed as
 * printed, ranks its item first; the same digits in a material do not. */
static void printed_codes(void **state)
{
	(void)state;
	struct tb_arena *a = tb_arena_new();
	struct tb_rank_query rq;
	tb_rank_parse("3707240501445-000", expand, NULL, a, &rq);
	struct tb_buf coded = TB_BUF_INIT, other = TB_BUF_INIT;
	const char *with[5] = {"老年人高龄生活津贴政策", "", "", "", "3707240501445-000"};
	const char *without[5] = {"高龄津贴发放", "", "", "附表3707240501445-000", ""};
	for (int k = 0; k < 5; k++) {
		tb_buf_printf(&coded, "%s", k ? "\n" : "");
		tb_terms(with[k], &coded);
		tb_buf_printf(&other, "%s", k ? "\n" : "");
		tb_terms(without[k], &other);
	}
	struct tb_rank_doc c = {.name = with[0], .terms = coded.data},
	                   o = {.name = without[0], .terms = other.data};
	assert_int_equal(tb_rank_tier(&rq, &c, a), 0);
	assert_int_equal(tb_rank_tier(&rq, &o, a), 6);
	tb_buf_free(&coded);
	tb_buf_free(&other);
	tb_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tiers),
	    cmocka_unit_test(order),
	    cmocka_unit_test(printed_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
