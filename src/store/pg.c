/* The PostgreSQL backend over libpq: `?` placeholders rewritten to $n once
 * at prepare time, named prepared statements cached per connection, text
 * parameters and results. SQLSTATE class 23 (integrity) maps to conflict. */
#include "store/backend.h"
#include "store/stmt_cache.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pg_conn {
	struct tb_conn head;
	PGconn *pg;
	struct tb_stmt_cache cache;
	unsigned gen; /* bumped on reconnect: statements must be prepared again */
};

struct pg_stmt {
	struct tb_stmt head;
	char name[24];
	char *text; /* the SQL with $n placeholders */
	unsigned gen;
	int nparams;
	char **values;
	PGresult *res;
	int row, nrows;
};

/* Every session's settings: UTF-8 text, times in UTC. */
#define SESSION_SETUP "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'"

static void quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static enum tb_err pg_connect(const char *conninfo, struct tb_conn **out, struct tb_fail *f)
{
	*out = NULL;
	/* Defaults that the URL may override (later entries win, and the URL
	 * is expanded in place of dbname): a dead host is given up on in
	 * seconds, and a server that vanished without closing the socket (a
	 * machine lost, not a process) is noticed by TCP keepalives. */
	static const char *const keys[] = {
	    "connect_timeout",  "keepalives_idle", "keepalives_interval",
	    "keepalives_count", "dbname",          NULL};
	const char *const values[] = {"5", "10", "5", "3", conninfo, NULL};
	PGconn *pg = PQconnectdbParams(keys, values, 1);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		tb_log_error("pg", "connect: %s", pg ? PQerrorMessage(pg) : "out of memory");
		PQfinish(pg);
		return tb_fail(f, TB_EUNAVAIL, "db", "cannot connect to PostgreSQL");
	}
	PQsetNoticeProcessor(pg, quiet_notice, NULL);
	PGresult *r = PQexec(pg, SESSION_SETUP);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok) {
		PQfinish(pg);
		return tb_fail(f, TB_ESTORE, "db", "cannot configure the PostgreSQL session");
	}
	struct pg_conn *pc = tb_xcalloc(1, sizeof(*pc));
	pc->head.be = &tb_pg_backend;
	pc->pg = pg;
	*out = &pc->head;
	return TB_OK;
}

static void free_stmt(void *v)
{
	struct pg_stmt *ps = v;
	for (int i = 0; i < ps->nparams; i++)
		free(ps->values[i]);
	free(ps->values);
	free(ps->text);
	PQclear(ps->res);
	free(ps);
}

static void pg_disconnect(struct tb_conn *c)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	tb_stmt_cache_free(&pc->cache, free_stmt);
	PQfinish(pc->pg);
	free(pc);
}

/* Reconnects c (to whichever host of the URL is writable now, when the
 * URL asks for read-write); statements prepared on the old session are
 * prepared again on next use. The store learns that a server was lost so
 * that its other connections are checked before they are handed out. */
static void reconnect(struct pg_conn *pc)
{
	PQreset(pc->pg);
	/* A new session: set it up as pg_connect does. */
	if (PQstatus(pc->pg) == CONNECTION_OK)
		PQclear(PQexec(pc->pg, SESSION_SETUP));
	pc->gen++;
	if (pc->head.store)
		tb_store_note_lost(pc->head.store);
}

/* Whether SQLSTATE state says the session cannot go on where it is: the
 * server is shutting down or refusing (57P01-57P03), the connection broke
 * (class 08), or it is a standby now (25006: read-only transaction, after
 * a failover left this session on a demoted server). */
static bool session_lost(const char *state)
{
	return state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 ||
	                 strcmp(state, "25006") == 0);
}

/* Maps a failed result to an error, logging anything but a conflict. */
static enum tb_err result_err(struct pg_conn *pc, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (state && strncmp(state, "23", 2) == 0)
		return TB_ECONFLICT;
	tb_log_error("pg", "%s: %s", what, r ? PQresultErrorMessage(r) : PQerrorMessage(pc->pg));
	if (PQstatus(pc->pg) != CONNECTION_OK || session_lost(state)) {
		reconnect(pc);
		return TB_EUNAVAIL;
	}
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return TB_EUNAVAIL;
	return TB_ESTORE;
}

/* Called by the pool before it hands out a connection made before a
 * server was lost: a broken one is reconnected, a live one is asked
 * whether it is still on a writable server when it was (a failover can
 * leave it on a standby). */
static enum tb_err pg_revalidate(struct tb_conn *c)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	if (PQstatus(pc->pg) == CONNECTION_OK) {
		PGresult *r = PQexec(pc->pg, "SELECT pg_is_in_recovery()");
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
		bool standby = ok && PQgetvalue(r, 0, 0)[0] == 't';
		const char *tsa = NULL;
		PQconninfoOption *opts = PQconninfo(pc->pg);
		for (PQconninfoOption *o = opts; o && o->keyword; o++)
			if (!strcmp(o->keyword, "target_session_attrs"))
				tsa = o->val;
		bool want_primary = tsa && (!strcmp(tsa, "read-write") || !strcmp(tsa, "primary"));
		PQconninfoFree(opts);
		PQclear(r);
		if (ok && !(standby && want_primary))
			return TB_OK;
	}
	reconnect(pc);
	return PQstatus(pc->pg) == CONNECTION_OK ? TB_OK : TB_EUNAVAIL;
}

static enum tb_err pg_exec(struct tb_conn *c, const char *sql)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	PGresult *r = PQexec(pc->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	enum tb_err e = TB_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		e = result_err(pc, r, "exec");
	PQclear(r);
	return e;
}

static enum tb_err pg_begin(struct tb_conn *c)
{
	return pg_exec(c, "BEGIN");
}

/* PostgreSQL flushes its WAL at COMMIT and groups concurrent commits
 * itself. */
static enum tb_err pg_commit(struct tb_conn *c)
{
	return pg_exec(c, "COMMIT");
}

static void pg_rollback(struct tb_conn *c)
{
	pg_exec(c, "ROLLBACK");
}

/* Rewrites ? to $1, $2, ... outside string literals and quoted names. */
static char *rewrite(const char *sql, int *nparams)
{
	struct tb_buf b = TB_BUF_INIT;
	int n = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			tb_buf_add(&b, p, 1);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			tb_buf_add(&b, p, 1);
		} else if (*p == '?') {
			tb_buf_printf(&b, "$%d", ++n);
		} else {
			tb_buf_add(&b, p, 1);
		}
	}
	*nparams = n;
	return tb_buf_take(&b);
}

static enum tb_err server_prepare(struct pg_conn *pc, struct pg_stmt *ps)
{
	PGresult *r = PQprepare(pc->pg, ps->name, ps->text, 0, NULL);
	enum tb_err e = TB_OK;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		e = result_err(pc, r, "prepare");
	PQclear(r);
	if (e == TB_OK)
		ps->gen = pc->gen;
	return e;
}

/* server_prepare, once more on a connection that was found broken and has
 * just been made again outside a transaction: preparing runs nothing. */
static enum tb_err prepare_again(struct pg_conn *pc, struct pg_stmt *ps)
{
	enum tb_err e = server_prepare(pc, ps);
	if (e == TB_EUNAVAIL && !pc->head.in_tx && PQstatus(pc->pg) == CONNECTION_OK)
		e = server_prepare(pc, ps);
	return e;
}

/* Executes ps; on failure maps the error and clears the result. */
static enum tb_err execute(struct pg_conn *pc, struct pg_stmt *ps, const char *what, PGresult **out)
{
	PGresult *r = PQexecPrepared(pc->pg, ps->name, ps->nparams, (const char *const *)ps->values,
	                             NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
		*out = r;
		return TB_OK;
	}
	enum tb_err e = result_err(pc, r, what);
	PQclear(r);
	*out = NULL;
	return e;
}

static enum tb_err pg_prepare(struct tb_conn *c, const char *sql, struct tb_stmt **out)
{
	*out = NULL;
	struct pg_conn *pc = (struct pg_conn *)c;
	struct pg_stmt *ps = tb_stmt_cache_get(&pc->cache, sql);
	if (!ps) {
		ps = tb_xcalloc(1, sizeof(*ps));
		ps->head.conn = c;
		ps->text = rewrite(sql, &ps->nparams);
		snprintf(ps->name, sizeof(ps->name), "tb%zu", tb_stmt_cache_count(&pc->cache));
		ps->values = tb_xcalloc((size_t)(ps->nparams ? ps->nparams : 1), sizeof(char *));
		enum tb_err e = prepare_again(pc, ps);
		if (e != TB_OK) {
			free_stmt(ps);
			return e;
		}
		tb_stmt_cache_put(&pc->cache, sql, ps);
	} else if (ps->gen != pc->gen) {
		enum tb_err e = prepare_again(pc, ps);
		if (e != TB_OK)
			return e;
	}
	ps->row = -1;
	*out = &ps->head;
	return TB_OK;
}

static void set_value(struct pg_stmt *ps, int idx, char *v)
{
	if (idx < 1 || idx > ps->nparams) {
		free(v);
		return;
	}
	free(ps->values[idx - 1]);
	ps->values[idx - 1] = v;
}

static void pg_bind_text(struct tb_stmt *st, int idx, const char *s)
{
	set_value((struct pg_stmt *)st, idx, tb_xstrdup(s));
}

static void pg_bind_int(struct tb_stmt *st, int idx, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	set_value((struct pg_stmt *)st, idx, tb_xstrdup(buf));
}

static void pg_bind_null(struct tb_stmt *st, int idx)
{
	set_value((struct pg_stmt *)st, idx, NULL);
}

/* Whether sql only reads: a SELECT without FOR UPDATE / FOR SHARE (locks
 * matter only inside transactions, which are never run again here) and
 * without a function that might write, as the platform's reads are. */
static bool read_only(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0 && !strstr(sql, "nextval") &&
	       !strstr(sql, "advisory");
}

static enum tb_err pg_step(struct tb_stmt *st, bool *row)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	struct pg_conn *pc = (struct pg_conn *)st->conn;
	*row = false;
	if (!ps->res) {
		PGresult *r;
		enum tb_err e = execute(pc, ps, "execute", &r);
		/* A read on its own (no transaction) met a connection that had
		 * broken since its last use (a restarted or failed-over server),
		 * now made again: reading again is safe, and spares the request an
		 * error. A write might have run: never. */
		if (e == TB_EUNAVAIL && !st->conn->in_tx && read_only(ps->text) &&
		    PQstatus(pc->pg) == CONNECTION_OK && server_prepare(pc, ps) == TB_OK)
			e = execute(pc, ps, "execute again", &r);
		if (e != TB_OK)
			return e;
		ps->res = r;
		ps->nrows = PQntuples(r);
		ps->row = -1;
	}
	if (ps->row + 1 < ps->nrows) {
		ps->row++;
		*row = true;
	} else {
		ps->row = ps->nrows;
	}
	return TB_OK;
}

static const char *pg_text(struct tb_stmt *st, int col)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!ps->res || ps->row < 0 || ps->row >= ps->nrows || col >= PQnfields(ps->res) ||
	    PQgetisnull(ps->res, ps->row, col))
		return NULL;
	return PQgetvalue(ps->res, ps->row, col);
}

static int64_t pg_integer(struct tb_stmt *st, int col)
{
	const char *t = pg_text(st, col);
	if (!t)
		return 0;
	if (t[0] == 't' && t[1] == '\0')
		return 1; /* boolean true */
	return strtoll(t, NULL, 10);
}

static bool pg_is_null(struct tb_stmt *st, int col)
{
	return pg_text(st, col) == NULL;
}

static int64_t pg_changes(struct tb_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!ps->res)
		return 0;
	return strtoll(PQcmdTuples(ps->res), NULL, 10);
}

static void pg_reset(struct tb_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	PQclear(ps->res);
	ps->res = NULL;
	ps->row = -1;
	ps->nrows = 0;
	for (int i = 0; i < ps->nparams; i++) {
		free(ps->values[i]);
		ps->values[i] = NULL;
	}
}

char *tb_pg_conninfo_split(const char *conninfo, char **password)
{
	*password = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	if (!opts)
		return NULL;
	struct tb_buf b = TB_BUF_INIT;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			*password = tb_xstrdup(o->val);
			continue;
		}
		/* keyword='value', with ' and \ escaped as libpq reads them. */
		tb_buf_printf(&b, "%s%s='", b.len ? " " : "", o->keyword);
		for (const char *v = o->val; *v; v++) {
			if (*v == '\'' || *v == '\\')
				tb_buf_add(&b, "\\", 1);
			tb_buf_add(&b, v, 1);
		}
		tb_buf_add(&b, "'", 1);
	}
	PQconninfoFree(opts);
	return tb_buf_take(&b);
}

const struct tb_backend tb_pg_backend = {
    .kind = TB_STORE_PG,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .revalidate = pg_revalidate,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .text = pg_text,
    .integer = pg_integer,
    .is_null = pg_is_null,
    .changes = pg_changes,
    .reset = pg_reset,
};
