/* The PostgreSQL backend over libpq: `?` placeholders rewritten to $n once
 * at prepare time, named prepared statements cached per connection, text
 * parameters and results. SQLSTATE class 23 (integrity) maps to conflict.
 *
 * Inside a transaction, what needs no answer yet goes through libpq's
 * pipeline: BEGIN, and the writes given to run_later, are queued without
 * waiting, and sent with the next statement that returns something or with
 * the COMMIT, whose round trip then brings every answer (drain). A
 * submission's ten statements so take three round trips instead of ten,
 * each of which costs both processes a wakeup. */
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
	/* Answers the pipeline owes (0: not in pipeline mode), and for each the
	 * rows it must have changed (EXPECT_ANY, or EXPECT_COMMIT). */
	int queued, cap;
	int64_t *expect;
};

#define EXPECT_ANY    (-1)
#define EXPECT_COMMIT (-2) /* a COMMIT: its tag must say COMMIT, not ROLLBACK */
#define EXPECT_KEEP   (-3) /* the last answer, kept for the caller */

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
	free(pc->expect);
	free(pc);
}

/* Reconnects c (to whichever host of the URL is writable now, when the
 * URL asks for read-write); statements prepared on the old session are
 * prepared again on next use. The store learns that a server was lost so
 * that its other connections are checked before they are handed out. */
static void reconnect(struct pg_conn *pc)
{
	/* The old session's pipeline goes with it (PQreset leaves pipeline
	 * mode). */
	pc->queued = 0;
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

/* Sends prepared statement ps with its bound values into the pipeline
 * (entering pipeline mode when needed), owing one answer checked against
 * expect. A connection that cannot take it is made again: its session,
 * and any transaction with it, is gone (TB_EUNAVAIL). */
static enum tb_err pipe_push(struct pg_conn *pc, const struct pg_stmt *ps, int64_t expect)
{
	if ((PQpipelineStatus(pc->pg) != PQ_PIPELINE_ON && PQenterPipelineMode(pc->pg) != 1) ||
	    PQsendQueryPrepared(pc->pg, ps->name, ps->nparams, (const char *const *)ps->values,
	                        NULL, NULL, 0) != 1) {
		tb_log_error("pg", "pipeline send: %s", PQerrorMessage(pc->pg));
		reconnect(pc);
		return TB_EUNAVAIL;
	}
	if (pc->queued == pc->cap) {
		pc->cap = pc->cap ? pc->cap * 2 : 16;
		pc->expect = tb_xrealloc(pc->expect, (size_t)pc->cap * sizeof(*pc->expect));
	}
	pc->expect[pc->queued++] = expect;
	return TB_OK;
}

static enum tb_err pg_prepare(struct tb_conn *c, const char *sql, struct tb_stmt **out);

/* Sends sql, a statement without parameters (BEGIN, COMMIT: prepared once
 * per session, so that the server does not parse them every time), into
 * the pipeline (pipe_push). */
static enum tb_err pipe_send(struct pg_conn *pc, const char *sql, int64_t expect)
{
	struct tb_stmt *st;
	enum tb_err e = pg_prepare(&pc->head, sql, &st);
	return e == TB_OK ? pipe_push(pc, (struct pg_stmt *)st, expect) : e;
}

/* Whether answer r meets what was expected of it. */
static bool as_expected(PGresult *r, int64_t expect)
{
	if (expect == EXPECT_COMMIT)
		return strcmp(PQcmdStatus(r), "COMMIT") == 0;
	return expect < 0 || strtoll(PQcmdTuples(r), NULL, 10) == expect;
}

/* Sends a sync and reads every answer the pipeline owes, then leaves
 * pipeline mode. The first failure is the result (a failed statement
 * makes the server skip the rest, which answer "aborted"); an answer
 * that changed other rows than expected is TB_ECONFLICT. With keep, the
 * last answer (EXPECT_KEEP) is given to the caller when all went well. A
 * connection that breaks is made again (TB_EUNAVAIL): whatever was in the
 * pipeline, a COMMIT too, may or may not have run. */
static enum tb_err drain(struct pg_conn *pc, PGresult **keep)
{
	if (keep)
		*keep = NULL;
	PGresult *failed = NULL, *kept = NULL;
	bool conflict = false, broken = PQpipelineSync(pc->pg) != 1;
	for (int i = 0; i < pc->queued && !broken; i++) {
		PGresult *r = PQgetResult(pc->pg);
		if (!r) {
			broken = true;
			break;
		}
		ExecStatusType st = PQresultStatus(r);
		bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
		if (!ok && st != PGRES_PIPELINE_ABORTED && !failed) {
			failed = r;
		} else if (ok && pc->expect[i] == EXPECT_KEEP) {
			kept = r;
		} else {
			if (ok && !as_expected(r, pc->expect[i]))
				conflict = true;
			PQclear(r);
		}
		/* Each statement's answers end with NULL. */
		for (PGresult *more; (more = PQgetResult(pc->pg)) != NULL;)
			PQclear(more);
	}
	if (!broken) {
		PGresult *r = PQgetResult(pc->pg);
		broken = !r || PQresultStatus(r) != PGRES_PIPELINE_SYNC;
		PQclear(r);
	}
	pc->queued = 0;
	if (!broken)
		broken = PQexitPipelineMode(pc->pg) != 1;
	enum tb_err e = TB_OK;
	if (failed) {
		e = result_err(pc, failed, "pipeline"); /* may have made a new session */
		PQclear(failed);
	}
	if (broken) {
		if (PQpipelineStatus(pc->pg) != PQ_PIPELINE_OFF || !failed) {
			tb_log_error("pg", "pipeline: %s", PQerrorMessage(pc->pg));
			reconnect(pc);
		}
		e = TB_EUNAVAIL;
	} else if (e == TB_OK && conflict) {
		e = TB_ECONFLICT;
	}
	if (e == TB_OK && keep)
		*keep = kept;
	else
		PQclear(kept);
	return e;
}

static enum tb_err pg_exec(struct tb_conn *c, const char *sql)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	if (pc->queued) {
		enum tb_err e = drain(pc, NULL);
		if (e != TB_OK)
			return e;
	}
	PGresult *r = PQexec(pc->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	enum tb_err e = TB_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		e = result_err(pc, r, "exec");
	PQclear(r);
	return e;
}

/* BEGIN goes with the transaction's first statement. A connection that
 * cannot even queue it is broken: made again, and the transaction, which
 * has not begun, may be run again (TB_EUNAVAIL). */
static enum tb_err pg_begin(struct tb_conn *c)
{
	return pipe_send((struct pg_conn *)c, "BEGIN", EXPECT_ANY);
}

/* PostgreSQL flushes its WAL at COMMIT and groups concurrent commits
 * itself. The COMMIT goes with the writes still in the pipeline; its tag
 * must say COMMIT (a transaction that failed unseen would say ROLLBACK). */
static enum tb_err pg_commit(struct tb_conn *c)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	enum tb_err e = pipe_send(pc, "COMMIT", EXPECT_COMMIT);
	return e == TB_OK ? drain(pc, NULL) : e;
}

/* What is still in the pipeline is read (and its failure ignored) first:
 * a ROLLBACK in the pipeline behind a failed statement would be skipped. */
static void pg_rollback(struct tb_conn *c)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	if (pc->queued && drain(pc, NULL) == TB_EUNAVAIL)
		return; /* a new session: nothing to roll back */
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
	/* Preparing waits for its answer: what the pipeline holds goes first. */
	if (pc->queued) {
		enum tb_err e = drain(pc, NULL);
		if (e != TB_OK)
			return e;
	}
	enum tb_err e = server_prepare(pc, ps);
	if (e == TB_EUNAVAIL && !pc->head.in_tx && PQstatus(pc->pg) == CONNECTION_OK)
		e = server_prepare(pc, ps);
	return e;
}

/* Executes ps; on failure maps the error and clears the result. */
static enum tb_err execute(struct pg_conn *pc, struct pg_stmt *ps, const char *what, PGresult **out)
{
	if (pc->queued) {
		/* Behind what the pipeline holds, in the same round trip. */
		*out = NULL;
		enum tb_err e = pipe_push(pc, ps, EXPECT_KEEP);
		return e == TB_OK ? drain(pc, out) : e;
	}
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
	char buf[21];
	tb_int_text(v, buf);
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

static enum tb_err pg_run_later(struct tb_stmt *st, int64_t expect)
{
	return pipe_push((struct pg_conn *)st->conn, (struct pg_stmt *)st, expect);
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
	/* Plain digits, as integers come, without strtoll's locale work; a
	 * sign or anything else goes the long way. */
	int64_t v = 0;
	const char *p = t;
	for (; *p >= '0' && *p <= '9' && p - t < 18; p++)
		v = v * 10 + (*p - '0');
	return *p == '\0' && p > t ? v : strtoll(t, NULL, 10);
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
    .run_later = pg_run_later,
};
