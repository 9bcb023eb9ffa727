/* The case state machine against tests/cases/machine.tsv, the expected
 * answers written by hand (not read from transitions.tsv or policy.tsv):
 * every listed case gets exactly its answer, and every combination of
 * state, event and principal that the file does not list as allowed is
 * refused, so a row added to or changed in either table fails here. */
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
static const char *const events[] = {
    "submit", "withdraw", "accept",  "reject", "request_correction", "review",  "suspend",
    "resume", "extend",   "approve", "refuse", "complete",           "hand_out"};
static const char *const staff[] = {"window_clerk",    "reviewer",   "approver", "catalog_manager",
                                    "sharing_officer", "supervisor", "admin"};
static const char *const people[] = {"applicant", "citizen", "anon", "system"};
static const char *const places[] = {"dept", "other", "centre"};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The case: applicant 7, department 3 in 330106, opened at the general
 * window of service centre 9. */
static const struct tb_authz_object obj = {
    .owner = 7, .department = 3, .region = "330106", .window = 9};

struct vec {
	int line;
	char state[24], event[24], who[24], where[8], expect[24];
};
static struct vec vecs[256];
static int nvecs;

static bool listed(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool is_staff(const char *who)
{
	return listed(staff, N(staff), who);
}

static void load(void)
{
	struct tsv t;
	tsv_open(&t, "tests/cases/machine.tsv");
	nvecs = 0;
	while (tsv_next(&t)) {
		if (t.nfields != 5)
			fail_msg("%s:%d: 5 fields expected", t.path, t.lineno);
		if (nvecs == (int)N(vecs))
			fail_msg("%s:%d: more than %d vectors", t.path, t.lineno, (int)N(vecs));
		struct vec *v = &vecs[nvecs++];
		v->line = t.lineno;
		snprintf(v->state, sizeof(v->state), "%s", t.field[0]);
		snprintf(v->event, sizeof(v->event), "%s", t.field[1]);
		snprintf(v->who, sizeof(v->who), "%s", t.field[2]);
		snprintf(v->where, sizeof(v->where), "%s", t.field[3]);
		snprintf(v->expect, sizeof(v->expect), "%s", t.field[4]);
		bool staff_row = is_staff(v->who);
		if (!listed(states, N(states), v->state) || !listed(events, N(events), v->event) ||
		    !(staff_row || listed(people, N(people), v->who)) ||
		    (staff_row ? !listed(places, N(places), v->where)
		               : strcmp(v->where, "-") != 0) ||
		    !(listed(states, N(states), v->expect) || !strcmp(v->expect, "conflict") ||
		      !strcmp(v->expect, "denied") || !strcmp(v->expect, "unauth")))
			fail_msg("%s:%d: unknown state, event, principal or answer", t.path,
			         t.lineno);
	}
	tsv_close(&t);
}

/* Asks the machine as who (with its grant at where, for staff). */
static enum tb_err ask(const char *state, const char *event, const char *who, const char *where,
                       const char **to)
{
	struct tb_principal p;
	memset(&p, 0, sizeof(p));
	if (strcmp(who, "system") == 0)
		return tb_machine_next(state, event, NULL, &obj, to);
	if (strcmp(who, "anon") == 0) {
		p.kind = TB_ANON;
	} else if (strcmp(who, "applicant") == 0 || strcmp(who, "citizen") == 0) {
		p.kind = TB_PERSON;
		p.account_id = strcmp(who, "applicant") == 0 ? 7 : 8;
	} else {
		p.kind = TB_PERSON;
		p.account_id = 100;
		p.ngrants = 1;
		snprintf(p.grants[0].role, sizeof(p.grants[0].role), "%s", who);
		p.grants[0].department_id = !strcmp(where, "dept")    ? 3
		                            : !strcmp(where, "other") ? 4
		                                                      : 9;
		snprintf(p.grants[0].region, sizeof(p.grants[0].region), "330106");
	}
	return tb_machine_next(state, event, &p, &obj, to);
}

static const struct vec *find(const char *state, const char *event, const char *who,
                              const char *where)
{
	for (int i = 0; i < nvecs; i++)
		if (!strcmp(vecs[i].state, state) && !strcmp(vecs[i].event, event) &&
		    !strcmp(vecs[i].who, who) && !strcmp(vecs[i].where, where))
			return &vecs[i];
	return NULL;
}

static void listed_answers(void **state)
{
	(void)state;
	load();
	int allowed = 0, refused = 0;
	for (int i = 0; i < nvecs; i++) {
		const struct vec *v = &vecs[i];
		const char *to = NULL;
		enum tb_err e = ask(v->state, v->event, v->who, v->where, &to);
		bool ok;
		if (listed(states, N(states), v->expect)) {
			allowed++;
			ok = e == TB_OK && to && strcmp(to, v->expect) == 0;
		} else {
			refused++;
			enum tb_err want = !strcmp(v->expect, "conflict") ? TB_ECONFLICT
			                   : !strcmp(v->expect, "denied") ? TB_EDENIED
			                                                  : TB_EUNAUTH;
			ok = e == want && to == NULL;
		}
		if (!ok)
			fail_msg("machine.tsv:%d: %s --%s--> by %s (%s): got %s %s, want %s",
			         v->line, v->state, v->event, v->who, v->where, tb_err_name(e),
			         to ? to : "-", v->expect);
	}
	assert_int_equal(allowed, 37);
	assert_true(refused >= 30);
}

static void check_unlisted(const char *s, const char *e, const char *who, const char *where,
                           int *checked)
{
	const struct vec *v = find(s, e, who, where);
	if (v && listed(states, N(states), v->expect))
		return; /* allowed, checked by listed_answers */
	const char *to = NULL;
	enum tb_err err = ask(s, e, who, where, &to);
	if (err == TB_OK || to)
		fail_msg("%s --%s--> by %s (%s) is allowed (to %s), but machine.tsv does not "
		         "list it as allowed",
		         s, e, who, where, to ? to : "-");
	(*checked)++;
}

static void nothing_else_allowed(void **state)
{
	(void)state;
	load();
	int checked = 0;
	for (size_t s = 0; s < N(states); s++)
		for (size_t e = 0; e < N(events); e++) {
			for (size_t w = 0; w < N(people); w++)
				check_unlisted(states[s], events[e], people[w], "-", &checked);
			for (size_t r = 0; r < N(staff); r++)
				for (size_t w = 0; w < N(places); w++)
					check_unlisted(states[s], events[e], staff[r], places[w],
					               &checked);
		}
	/* 11 states x 13 events x (4 + 7 x 3) principals, less the allowed. */
	assert_int_equal(checked, 11 * 13 * 25 - 37);
}

/* The table names no state or event the checks above do not cover. */
static void table_within_vocabulary(void **state)
{
	(void)state;
	const char *from, *event, *role, *to;
	int rows = 0;
	for (int i = 0; tb_machine_row(i, &from, &event, &role, &to); i++) {
		rows++;
		if (!listed(states, N(states), from) || !listed(states, N(states), to) ||
		    !listed(events, N(events), event) ||
		    !(is_staff(role) || !strcmp(role, "applicant") || !strcmp(role, "system")))
			fail_msg("transitions.tsv row %d (%s %s %s %s): a state, event or role "
			         "test_machine does not know",
			         i, from, event, role, to);
	}
	assert_true(rows > 0);
	assert_true(tb_machine_event_known("accept"));
	assert_false(tb_machine_event_known("explode"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(listed_answers),
	                                   cmocka_unit_test(nothing_else_allowed),
	                                   cmocka_unit_test(table_within_vocabulary)};
	return cmocka_run_group_tests_name("machine", tests, NULL, NULL);
}
