/* The policy table is parsed once from the built-in policy.tsv; a check
 * walks its rows (a few dozen) and matches the principal's roles and the
 * row's scope against the object. */
#include "identity/authz.h"
#include "base/asset.h"
#include "base/log.h"
#include "regions/regions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 256

enum scope { SCOPE_ALL, SCOPE_OWN, SCOPE_DEPARTMENT, SCOPE_REGION, SCOPE_WINDOW };

struct row {
	char role[24];
	char action[48];
	char scope_name[16];
	enum scope scope;
};

static struct row rows[MAX_ROWS];
static int nrows;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *const staff_roles[] = {
    "window_clerk",    "reviewer",   "approver", "catalog_manager",
    "sharing_officer", "supervisor", "admin"};

bool tb_role_known(const char *role)
{
	for (size_t i = 0; i < sizeof(staff_roles) / sizeof(staff_roles[0]); i++)
		if (strcmp(role, staff_roles[i]) == 0)
			return true;
	return false;
}

static void add_row(char *line, void *ctx)
{
	(void)ctx;
	if (nrows >= MAX_ROWS)
		return;
	struct row *r = &rows[nrows];
	char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	if (!t1 || !t2) {
		tb_log_error("authz", "policy line skipped: %s", line);
		return;
	}
	*t1 = *t2 = '\0';
	snprintf(r->role, sizeof(r->role), "%.23s", line);
	snprintf(r->action, sizeof(r->action), "%.47s", t1 + 1);
	snprintf(r->scope_name, sizeof(r->scope_name), "%.15s", t2 + 1);
	if (strcmp(t2 + 1, "all") == 0)
		r->scope = SCOPE_ALL;
	else if (strcmp(t2 + 1, "own") == 0)
		r->scope = SCOPE_OWN;
	else if (strcmp(t2 + 1, "department") == 0)
		r->scope = SCOPE_DEPARTMENT;
	else if (strcmp(t2 + 1, "region") == 0)
		r->scope = SCOPE_REGION;
	else if (strcmp(t2 + 1, "window") == 0)
		r->scope = SCOPE_WINDOW;
	else {
		tb_log_error("authz", "policy line with unknown scope skipped");
		return;
	}
	nrows++;
}

static void load(void)
{
	const struct tb_asset *a = tb_asset_find("src/identity/policy.tsv");
	if (a)
		tb_asset_lines(a, add_row, NULL);
	else
		tb_log_error("authz", "policy table missing: everything is denied");
}

bool tb_policy_row(int i, const char **role, const char **action, const char **scope)
{
	pthread_once(&once, load);
	if (i < 0 || i >= nrows)
		return false;
	*role = rows[i].role;
	*action = rows[i].action;
	*scope = rows[i].scope_name;
	return true;
}

bool tb_action_known(const char *action)
{
	pthread_once(&once, load);
	for (int i = 0; i < nrows; i++)
		if (strcmp(rows[i].action, action) == 0)
			return true;
	return false;
}

const char *tb_authz_widest_region(const struct tb_principal *p, const char *action)
{
	const char *region = NULL;
	for (int i = 0; p && i < p->ngrants; i++)
		if (tb_authz_as(p, p->grants[i].role, action,
		                &(struct tb_authz_object){.region = p->grants[i].region}) ==
		        TB_OK &&
		    (!region || tb_region_covers(p->grants[i].region, region)))
			region = p->grants[i].region;
	return region;
}

bool tb_region_covers(const char *ancestor, const char *region)
{
	if (!ancestor || !region || !*region)
		return false;
	char sig[10];
	tb_region_prefix(ancestor, sig);
	return strncmp(sig, region, strlen(sig)) == 0;
}

/* Does the token's own action list hold action? */
static bool token_holds(const struct tb_principal *p, const char *action)
{
	size_t n = strlen(action);
	for (const char *s = p->token_actions; *s;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		if (l == n && strncmp(s, action, n) == 0)
			return true;
		if (!comma)
			break;
		s = comma + 1;
	}
	return false;
}

static bool scope_ok(const struct row *r, const struct tb_principal *p, const struct tb_grant *g,
                     const struct tb_authz_object *o)
{
	switch (r->scope) {
	case SCOPE_ALL: return true;
	case SCOPE_OWN:
		if (!o)
			return true;
		if (p->kind == TB_TOKEN)
			return o->department && o->department == p->department_id;
		return o->owner &&
		       (o->owner == p->account_id || (p->acting_for && o->owner == p->acting_for));
	case SCOPE_DEPARTMENT:
		if (!o)
			return true;
		if (p->kind == TB_TOKEN)
			return o->department && o->department == p->department_id;
		return g && o->department && o->department == g->department_id;
	case SCOPE_REGION:
		if (!o)
			return true;
		if (p->kind == TB_TOKEN)
			return tb_region_covers(p->region, o->region);
		return g && tb_region_covers(g->region, o->region);
	case SCOPE_WINDOW:
		/* Only a person at that centre's window: tokens and other
		 * departments never qualify. */
		if (!o)
			return true;
		return p->kind == TB_PERSON && g && o->window && o->window == g->department_id;
	}
	return false;
}

enum tb_err tb_authz(const struct tb_principal *p, const char *action,
                     const struct tb_authz_object *o)
{
	return tb_authz_as(p, NULL, action, o);
}

enum tb_err tb_authz_as(const struct tb_principal *p, const char *only_role, const char *action,
                        const struct tb_authz_object *o)
{
	pthread_once(&once, load);
	bool needs_login = false;
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		if (strcmp(r->action, action) != 0)
			continue;
		if (only_role && strcmp(r->role, only_role) != 0)
			continue;
		if (strcmp(r->role, "anyone") == 0) {
			if (scope_ok(r, p, NULL, o))
				return TB_OK;
			continue;
		}
		needs_login = true;
		if (p->kind == TB_ANON)
			continue;
		if (strcmp(r->role, "token") == 0) {
			if (p->kind == TB_TOKEN && token_holds(p, action) &&
			    scope_ok(r, p, NULL, o))
				return TB_OK;
			continue;
		}
		if (p->kind != TB_PERSON)
			continue;
		if (strcmp(r->role, "person") == 0) {
			if (scope_ok(r, p, NULL, o))
				return TB_OK;
			continue;
		}
		for (int k = 0; k < p->ngrants; k++)
			if (strcmp(p->grants[k].role, r->role) == 0 &&
			    scope_ok(r, p, &p->grants[k], o))
				return TB_OK;
	}
	return (needs_login && p->kind == TB_ANON) ? TB_EUNAUTH : TB_EDENIED;
}

int64_t tb_principal_window(const struct tb_principal *p)
{
	for (int k = 0; p && k < p->ngrants; k++)
		if (strcmp(p->grants[k].role, "window_clerk") == 0)
			return p->grants[k].department_id;
	return 0;
}
