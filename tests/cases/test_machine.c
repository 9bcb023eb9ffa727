/* The case state machine: every row of transitions.tsv is taken by a
 * principal holding its role, is refused to a citizen who is not the
 * applicant and to staff of another department, and every (state, event)
 * pair that no row names is a conflict. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cases/machine.h"

#include <stdio.h>
#include <string.h>

static const char *const states[] = {
    "draft",     "submitted", "accepted", "not_accepted", "needs_correction", "under_review",
    "suspended", "approved",  "refused",  "completed",    "withdrawn"};
static const char *const events[] = {"submit", "withdraw", "accept", "reject", "request_correction",
                                     "review", "suspend",  "resume", "extend", "approve",
                                     "refuse", "complete"};
#define NSTATES (sizeof(states) / sizeof(states[0]))
#define NEVENTS (sizeof(events) / sizeof(events[0]))

/* The case: applicant 7, department 3 in 330106. */
static const struct tb_authz_object obj = {.owner = 7, .department = 3, .region = "330106"};

static void holder(const char *role, int64_t dept, struct tb_principal *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = TB_PERSON;
	if (strcmp(role, "applicant") == 0) {
		p->account_id = 7;
		return;
	}
	p->account_id = 100;
	p->ngrants = 1;
	snprintf(p->grants[0].role, sizeof(p->grants[0].role), "%s", role);
	p->grants[0].department_id = dept;
	snprintf(p->grants[0].region, sizeof(p->grants[0].region), "330106");
}

/* True when the policy lets role do case.EVENT everywhere (the general
 * window submits for every department). */
static bool scope_all(const char *role, const char *event)
{
	char action[40];
	snprintf(action, sizeof(action), "case.%s", event);
	const char *r, *a, *s;
	for (int i = 0; tb_policy_row(i, &r, &a, &s); i++)
		if (!strcmp(r, role) && !strcmp(a, action) && !strcmp(s, "all"))
			return true;
	return false;
}

static bool in_table(const char *from, const char *event)
{
	const char *f, *e, *r, *t;
	for (int i = 0; tb_machine_row(i, &f, &e, &r, &t); i++)
		if (!strcmp(f, from) && !strcmp(e, event))
			return true;
	return false;
}

static void every_row(void **state)
{
	(void)state;
	const char *from, *event, *role, *to;
	int rows = 0;
	for (int i = 0; tb_machine_row(i, &from, &event, &role, &to); i++) {
		rows++;
		const char *got = NULL;
		if (strcmp(role, "system") == 0) {
			assert_int_equal(tb_machine_next(from, event, NULL, &obj, &got), TB_OK);
			assert_string_equal(got, to);
			continue;
		}
		struct tb_principal p;
		holder(role, 3, &p);
		enum tb_err e = tb_machine_next(from, event, &p, &obj, &got);
		if (e != TB_OK || strcmp(got, to) != 0)
			fail_msg("row %d %s %s %s: %s", i, from, event, role, tb_err_name(e));
		/* Another citizen, and the same role in another department. */
		struct tb_principal other;
		holder("applicant", 0, &other);
		other.account_id = 8;
		assert_int_not_equal(tb_machine_next(from, event, &other, &obj, &got), TB_OK);
		if (strcmp(role, "applicant") != 0 && !scope_all(role, event)) {
			holder(role, 4, &other);
			assert_int_not_equal(tb_machine_next(from, event, &other, &obj, &got),
			                     TB_OK);
		}
		struct tb_principal anon = {.kind = TB_ANON};
		assert_int_not_equal(tb_machine_next(from, event, &anon, &obj, &got), TB_OK);
	}
	assert_true(rows >= 25);
}

static void illegal_pairs(void **state)
{
	(void)state;
	static const char *const roles[] = {"applicant", "window_clerk", "reviewer",
	                                    "approver",  "supervisor",   "admin"};
	int illegal = 0;
	for (size_t s = 0; s < NSTATES; s++) {
		for (size_t e = 0; e < NEVENTS; e++) {
			if (in_table(states[s], events[e]))
				continue;
			illegal++;
			for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
				struct tb_principal p;
				holder(roles[r], 3, &p);
				const char *to;
				enum tb_err err =
				    tb_machine_next(states[s], events[e], &p, &obj, &to);
				if (err != TB_ECONFLICT)
					fail_msg("%s --%s--> by %s: %s", states[s], events[e],
					         roles[r], tb_err_name(err));
				assert_null(to);
			}
		}
	}
	/* Terminal states have no way out at all. */
	for (size_t e = 0; e < NEVENTS; e++) {
		assert_false(in_table("completed", events[e]));
		assert_false(in_table("withdrawn", events[e]));
		assert_false(in_table("not_accepted", events[e]));
	}
	assert_true(illegal > 90);
	assert_true(tb_machine_event_known("accept"));
	assert_false(tb_machine_event_known("explode"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(every_row),
	                                   cmocka_unit_test(illegal_pairs)};
	return cmocka_run_group_tests_name("machine", tests, NULL, NULL);
}
