/* Agents of organisations (see agents.h). */
#include "identity/agents.h"
#include "codes/idnum.h"
#include "identity/sessions.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_AGENTS 200

/* TB_OK when id is an organisation account, TB_ENOTFOUND otherwise. */
static enum tb_err organisation_on(struct tb_conn *c, int64_t id)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT 1 FROM accounts WHERE id = ? AND kind = 'organisation'", "i", id);
	tb_stmt_reset(st);
	return e == TB_OK && !row ? TB_ENOTFOUND : e;
}

enum tb_err tb_agents_list(struct tb_store *s, int64_t organisation, struct tb_arena *a,
                           struct tb_agent **out, size_t *n)
{
	*out = tb_arena_alloc(a, MAX_AGENTS * sizeof(**out));
	*n = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = organisation_on(c, organisation);
	if (e != TB_OK) {
		tb_store_release(c);
		return e;
	}
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT p.id, p.name, p.login, g.created_at FROM agents g JOIN"
	                  " accounts p ON p.id = g.person_id WHERE g.organisation_id = ?"
	                  " ORDER BY g.created_at, p.id LIMIT 200",
	                  "i", organisation);
	while (e == TB_OK && row && *n < MAX_AGENTS) {
		struct tb_agent *g = &(*out)[(*n)++];
		g->person_id = tb_stmt_int(st, 0);
		g->name = tb_arena_strdup(a, tb_stmt_text(st, 1));
		g->login = tb_arena_strdup(a, tb_stmt_text(st, 2));
		g->since = tb_stmt_int(st, 3);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

struct add_args {
	const struct tb_ctx *ctx;
	int64_t organisation;
	const char *id_number, *name;
	int64_t *person;
	struct tb_fail *f;
};

static enum tb_err add_in(struct tb_conn *c, void *arg)
{
	struct add_args *x = arg;
	enum tb_err e = organisation_on(c, x->organisation);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id, name, identity_proven FROM accounts WHERE login = ? AND"
	                  " kind = 'person' AND status = 'active'",
	                  "s", x->id_number);
	bool match = e == TB_OK && row && strcmp(tb_stmt_text(st, 1), x->name) == 0;
	bool proven = match && tb_stmt_int(st, 2) != 0;
	*x->person = match ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	if (e != TB_OK)
		return e;
	/* The same answer for an unknown number and a wrong name. */
	if (!match)
		return tb_fail(x->f, TB_EINVAL, "id_number",
		               "no registered person has this identity number and name");
	/* An unproven account may hold a number its owner never registered:
	 * it must not act for a business on a colleague's word. */
	if (!proven)
		return tb_fail(x->f, TB_EINVAL, "id_number",
		               "this person's identity is not proven yet: they prove it first"
		               " (for example at a window)");
	e = tb_conn_run(c, NULL,
	                "INSERT INTO agents (organisation_id, person_id, created_at) VALUES (?, ?,"
	                " ?)",
	                "iii", x->organisation, *x->person, (int64_t)time(NULL));
	if (e == TB_ECONFLICT)
		return tb_fail(x->f, e, "id_number", "already an agent of this organisation");
	char obj[48];
	snprintf(obj, sizeof(obj), "agent:%lld:%lld", (long long)x->organisation,
	         (long long)*x->person);
	if (e == TB_OK)
		e = tb_ctx_audit(c, x->ctx, "agent.add", obj, "ok");
	return e;
}

enum tb_err tb_agent_add(struct tb_store *s, const struct tb_ctx *ctx, int64_t organisation,
                         const char *id_number, const char *name, int64_t *person,
                         struct tb_fail *f)
{
	*person = 0;
	struct tb_idnum idn;
	if (!name || !*name)
		return tb_fail(f, TB_EINVAL, "name", "required");
	enum tb_err e = tb_idnum_check(id_number, &idn, f);
	if (e != TB_OK)
		return e;
	struct add_args x = {ctx, organisation, idn.normalized, name, person, f};
	e = tb_store_write(s, add_in, &x);
	if (e != TB_OK)
		*person = 0;
	return e;
}

struct remove_args {
	const struct tb_ctx *ctx;
	int64_t organisation, person;
	struct tb_fail *f;
};

static enum tb_err remove_in(struct tb_conn *c, void *arg)
{
	struct remove_args *x = arg;
	int64_t changed = 0;
	/* Locks the organisation's row (PostgreSQL; SQLite's write lock is
	 * already held): two agents removing each other at once must not both
	 * see the other one still there and leave none. */
	enum tb_err e = tb_conn_run(c, &changed,
	                            "UPDATE accounts SET status = status WHERE id = ? AND kind ="
	                            " 'organisation'",
	                            "i", x->organisation);
	if (e == TB_OK && changed == 0)
		return TB_ENOTFOUND;
	if (e == TB_OK)
		e = tb_conn_run(c, &changed,
		                "DELETE FROM agents WHERE organisation_id = ? AND person_id = ?",
		                "ii", x->organisation, x->person);
	if (e == TB_OK && changed == 0)
		return tb_fail(x->f, TB_ENOTFOUND, "person_id",
		               "not an agent of this organisation");
	struct tb_stmt *st;
	bool row;
	if (e == TB_OK) {
		e = tb_conn_query(c, &st, &row,
		                  "SELECT COUNT(*) FROM agents WHERE organisation_id = ?", "i",
		                  x->organisation);
		int64_t left = e == TB_OK && row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
		if (e == TB_OK && left == 0)
			return tb_fail(
			    x->f, TB_ECONFLICT, "person_id",
			    "an organisation keeps at least one agent: add another first");
	}
	/* Their sessions stop acting for it now, not at their next act-for. */
	if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "UPDATE sessions SET acting_for = NULL WHERE account_id = ? AND"
		                " acting_for = ?",
		                "ii", x->person, x->organisation);
	char obj[48];
	snprintf(obj, sizeof(obj), "agent:%lld:%lld", (long long)x->organisation,
	         (long long)x->person);
	if (e == TB_OK)
		e = tb_ctx_audit(c, x->ctx, "agent.remove", obj, "ok");
	return e;
}

enum tb_err tb_agent_remove(struct tb_store *s, const struct tb_ctx *ctx, int64_t organisation,
                            int64_t person, struct tb_fail *f)
{
	struct remove_args x = {ctx, organisation, person, f};
	/* Dropped before and after: a resolution that read the session before
	 * the commit cannot cache it (the drop advances the cache's
	 * generation), and one cached meanwhile is dropped by the second. */
	tb_session_cache_drop_person(person);
	enum tb_err e = tb_store_write(s, remove_in, &x);
	tb_session_cache_drop_person(person);
	return e;
}
