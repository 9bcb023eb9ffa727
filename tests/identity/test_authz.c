/* The authorisation table: the vectors of authz.tsv, the region prefix
 * rule, and a walk of every row of policy.tsv showing that the row's role
 * is allowed and that, for every action, at least one role is denied. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "identity/authz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Builds a principal from the vector notation of authz.tsv. */
static void principal(const char *spec, struct tb_principal *p)
{
	memset(p, 0, sizeof(*p));
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", spec);
	if (strcmp(buf, "anon") == 0)
		return;
	char *parts[4] = {0};
	int n = 0;
	for (char *s = buf, *c; s && n < 4; s = c ? c + 1 : NULL) {
		c = strchr(s, ':');
		if (c)
			*c = '\0';
		parts[n++] = s;
	}
	if (strcmp(parts[0], "person") == 0) {
		p->kind = TB_PERSON;
		char *at = strchr(parts[1], '@');
		if (at) {
			*at = '\0';
			p->acting_for = strtoll(at + 1, NULL, 10);
		}
		p->account_id = strtoll(parts[1], NULL, 10);
	} else if (strcmp(parts[0], "token") == 0) {
		p->kind = TB_TOKEN;
		p->token_id = 1;
		p->department_id = strtoll(parts[1], NULL, 10);
		snprintf(p->region, sizeof(p->region), "%s", parts[2]);
		for (char *s = parts[3]; s && *s; s++)
			if (*s == '+')
				*s = ',';
		snprintf(p->token_actions, sizeof(p->token_actions), "%s",
		         parts[3] ? parts[3] : "");
	} else {
		p->kind = TB_PERSON;
		p->account_id = 100;
		p->ngrants = 1;
		snprintf(p->grants[0].role, sizeof(p->grants[0].role), "%s", parts[0]);
		p->grants[0].department_id = strtoll(parts[1], NULL, 10);
		snprintf(p->grants[0].region, sizeof(p->grants[0].region), "%s", parts[2]);
	}
}

/* Which actions the vectors allow and refuse. */
struct seen {
	char action[48];
	bool ok, refused, open;
};
static struct seen seen[128];
static int nseen;

static struct seen *find_seen(const char *action)
{
	for (int i = 0; i < nseen; i++)
		if (strcmp(seen[i].action, action) == 0)
			return &seen[i];
	return NULL;
}

/* A vector of action that allows it (ok) or refuses a signed-in
 * principal (refused: "denied"; an anonymous "unauth" says nothing of a
 * scope, so it does not count). */
static void note(const char *action, bool ok, bool refused)
{
	struct seen *x = find_seen(action);
	if (!x && nseen < (int)(sizeof(seen) / sizeof(seen[0]))) {
		x = &seen[nseen++];
		snprintf(x->action, sizeof(x->action), "%s", action);
	}
	if (x && ok)
		x->ok = true;
	if (x && refused)
		x->refused = true;
}

static void vectors(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/identity/authz.tsv");
	int cases = 0;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 4);
		struct tb_principal p;
		principal(t.field[0], &p);
		char obj[64];
		snprintf(obj, sizeof(obj), "%s", t.field[2]);
		char *c1 = strchr(obj, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		assert_non_null(c2);
		char *c3 = strchr(c2 + 1, ':');
		*c1 = *c2 = '\0';
		if (c3)
			*c3 = '\0';
		struct tb_authz_object o = {strtoll(obj, NULL, 10), strtoll(c1 + 1, NULL, 10),
		                            strcmp(c2 + 1, "-") == 0 ? "" : c2 + 1,
		                            c3 ? strtoll(c3 + 1, NULL, 10) : 0};
		enum tb_err e = tb_authz(&p, t.field[1], &o);
		const char *got = e == TB_OK ? "ok" : e == TB_EUNAUTH ? "unauth" : "denied";
		if (strcmp(got, t.field[3]) != 0)
			fail_msg("%s:%d: %s %s %s: got %s, want %s", t.path, t.lineno, t.field[0],
			         t.field[1], t.field[2], got, t.field[3]);
		note(t.field[1], strcmp(t.field[3], "ok") == 0,
		     strcmp(t.field[3], "denied") == 0 && strcmp(t.field[0], "anon") != 0);
		cases++;
	}
	tsv_close(&t);
	assert_true(cases >= 30);
	/* Every action of the policy has a vector that allows it and, unless
	 * anyone may do it, one that refuses it: widening a row's scope or
	 * adding a row must break a vector. */
	const char *role, *action, *scope;
	for (int i = 0; tb_policy_row(i, &role, &action, &scope); i++) {
		struct seen *x = find_seen(action);
		if (!x || !x->ok)
			fail_msg("authz.tsv: no vector allows %s", action);
		if (strcmp(role, "anyone") == 0)
			x->open = true;
	}
	for (int i = 0; tb_policy_row(i, &role, &action, &scope); i++) {
		struct seen *x = find_seen(action);
		if (!x->open && !x->refused)
			fail_msg("authz.tsv: no vector refuses %s", action);
	}
}

static void region_prefix(void **state)
{
	(void)state;
	assert_true(tb_region_covers("330000", "330106"));
	assert_true(tb_region_covers("330100", "330106001"));
	assert_true(tb_region_covers("330106", "330106"));
	assert_true(tb_region_covers("000000", "110101"));
	assert_false(tb_region_covers("330100", "330200"));
	assert_false(tb_region_covers("330106", "330100"));
	assert_false(tb_region_covers("330000", ""));
	assert_false(tb_region_covers(NULL, "330106"));
}

static const char *const roles[] = {"window_clerk",    "reviewer",   "approver", "catalog_manager",
                                    "sharing_officer", "supervisor", "admin"};

/* A principal holding role with a scope that fits object o. */
static void holder(const char *role, const char *action, const struct tb_authz_object *o,
                   struct tb_principal *p)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(role, "token") == 0) {
		p->kind = TB_TOKEN;
		p->department_id = o->department;
		snprintf(p->region, sizeof(p->region), "%s", o->region);
		snprintf(p->token_actions, sizeof(p->token_actions), "%s", action);
		return;
	}
	if (strcmp(role, "anyone") == 0)
		return;
	p->kind = TB_PERSON;
	p->account_id = o->owner;
	if (strcmp(role, "person") == 0)
		return;
	p->account_id = 100;
	p->ngrants = 1;
	snprintf(p->grants[0].role, sizeof(p->grants[0].role), "%s", role);
	p->grants[0].department_id = o->department;
	snprintf(p->grants[0].region, sizeof(p->grants[0].region), "%s", o->region);
}

static void every_row(void **state)
{
	(void)state;
	struct tb_authz_object o = {.owner = 7, .department = 3, .region = "330106", .window = 3};
	const char *role, *action, *scope;
	int rows = 0;
	for (int i = 0; tb_policy_row(i, &role, &action, &scope); i++) {
		rows++;
		assert_true(strcmp(role, "anyone") == 0 || strcmp(role, "person") == 0 ||
		            strcmp(role, "token") == 0 || tb_role_known(role));
		struct tb_principal p;
		holder(role, action, &o, &p);
		if (tb_authz(&p, action, &o) != TB_OK)
			fail_msg("policy row %d (%s %s %s) does not allow its own role", i, role,
			         action, scope);
		/* The same role outside the row's scope is refused (but "all"). */
		if (strcmp(scope, "all") != 0) {
			struct tb_authz_object away = {
			    .owner = 8, .department = 4, .region = "110101", .window = 4};
			if (tb_authz(&p, action, &away) == TB_OK)
				fail_msg("row %d (%s %s %s) allows outside its scope", i, role,
				         action, scope);
		}
		/* Some role must be denied this action. */
		int denied = 0;
		struct tb_principal q;
		holder("person", action, &o, &q);
		q.account_id = 9;
		if (tb_authz(&q, action, &o) != TB_OK)
			denied++;
		for (size_t k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
			holder(roles[k], action, &o, &q);
			/* a staff person who is not the owner */
			if (tb_authz(&q, action, &o) != TB_OK)
				denied++;
		}
		struct tb_principal anon = {.kind = TB_ANON};
		if (strcmp(role, "anyone") != 0 && tb_authz(&anon, action, &o) == TB_OK)
			fail_msg("row %d: anonymous is allowed %s", i, action);
		if (strcmp(role, "anyone") != 0 && denied == 0)
			fail_msg("action %s: no role is denied", action);
	}
	assert_true(rows >= 15);
	assert_false(tb_action_known("no.such.action"));
	assert_true(tb_action_known("audit.read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vectors),
	    cmocka_unit_test(region_prefix),
	    cmocka_unit_test(every_row),
	};
	return cmocka_run_group_tests_name("authz", tests, NULL, NULL);
}
