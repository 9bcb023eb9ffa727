/* The SQLite backend: WAL with synchronous=FULL (a commit survives power
 * loss), foreign keys on, a busy timeout so that writers queue, and the
 * prepared statements of each connection cached by SQL text. */
#include "store/backend.h"
#include "store/stmt_cache.h"
#include "base/log.h"
#include "base/mem.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct lite_conn {
	struct tb_conn head;
	sqlite3 *db;
	struct tb_stmt_cache cache;
};

struct lite_stmt {
	struct tb_stmt head;
	sqlite3_stmt *st;
	int64_t changes;
};

static enum tb_err map_rc(sqlite3 *db, int rc, const char *what)
{
	int prim = rc & 0xff;
	if (prim == SQLITE_CONSTRAINT)
		return TB_ECONFLICT;
	tb_log_error("sqlite", "%s: %s (%d)", what, sqlite3_errmsg(db), rc);
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return TB_EUNAVAIL;
	return TB_ESTORE;
}

static enum tb_err lite_exec(struct tb_conn *c, const char *sql)
{
	struct lite_conn *lc = (struct lite_conn *)c;
	char *err = NULL;
	int rc = sqlite3_exec(lc->db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		tb_log_error("sqlite", "exec: %s", err ? err : "?");
		sqlite3_free(err);
		return (rc & 0xff) == SQLITE_CONSTRAINT ? TB_ECONFLICT : TB_ESTORE;
	}
	return TB_OK;
}

static enum tb_err lite_connect(const char *path, struct tb_conn **out, struct tb_fail *f)
{
	*out = NULL;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(
	    path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		tb_log_error("sqlite", "open %s: %s", path, db ? sqlite3_errmsg(db) : "?");
		sqlite3_close(db);
		return tb_fail(f, TB_ESTORE, "db", "cannot open the SQLite database");
	}
	sqlite3_busy_timeout(db, 10000);
	struct lite_conn *lc = tb_xcalloc(1, sizeof(*lc));
	lc->head.be = &tb_sqlite_backend;
	lc->db = db;
	if (lite_exec(&lc->head, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                         " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
	                         " PRAGMA mmap_size=1073741824;") != TB_OK) {
		sqlite3_close(db);
		free(lc);
		return tb_fail(f, TB_ESTORE, "db", "cannot configure the SQLite database");
	}
	*out = &lc->head;
	return TB_OK;
}

static void free_stmt(void *v)
{
	struct lite_stmt *ls = v;
	sqlite3_finalize(ls->st);
	free(ls);
}

static void lite_disconnect(struct tb_conn *c)
{
	struct lite_conn *lc = (struct lite_conn *)c;
	tb_stmt_cache_free(&lc->cache, free_stmt);
	/* A clean close checkpoints the WAL. */
	if (sqlite3_close(lc->db) != SQLITE_OK)
		tb_log_error("sqlite", "close: %s", sqlite3_errmsg(lc->db));
	free(lc);
}

static enum tb_err lite_begin(struct tb_conn *c)
{
	return lite_exec(c, "BEGIN IMMEDIATE");
}

static enum tb_err lite_prepare(struct tb_conn *c, const char *sql, struct tb_stmt **out)
{
	struct lite_conn *lc = (struct lite_conn *)c;
	struct lite_stmt *ls = tb_stmt_cache_get(&lc->cache, sql);
	if (!ls) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v3(lc->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK)
			return map_rc(lc->db, rc, "prepare");
		ls = tb_xcalloc(1, sizeof(*ls));
		ls->head.conn = c;
		ls->st = st;
		tb_stmt_cache_put(&lc->cache, sql, ls);
	}
	*out = &ls->head;
	return TB_OK;
}

static void lite_bind_text(struct tb_stmt *st, int idx, const char *s)
{
	sqlite3_bind_text(((struct lite_stmt *)st)->st, idx, s, -1, SQLITE_TRANSIENT);
}

static void lite_bind_int(struct tb_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(((struct lite_stmt *)st)->st, idx, v);
}

static void lite_bind_null(struct tb_stmt *st, int idx)
{
	sqlite3_bind_null(((struct lite_stmt *)st)->st, idx);
}

static enum tb_err lite_step(struct tb_stmt *st, bool *row)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	int rc = sqlite3_step(ls->st);
	if (rc == SQLITE_ROW) {
		*row = true;
		return TB_OK;
	}
	*row = false;
	if (rc == SQLITE_DONE) {
		ls->changes = sqlite3_changes64(sqlite3_db_handle(ls->st));
		return TB_OK;
	}
	return map_rc(sqlite3_db_handle(ls->st), rc, "step");
}

static const char *lite_text(struct tb_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(((struct lite_stmt *)st)->st, col);
}

static int64_t lite_integer(struct tb_stmt *st, int col)
{
	return sqlite3_column_int64(((struct lite_stmt *)st)->st, col);
}

static bool lite_is_null(struct tb_stmt *st, int col)
{
	return sqlite3_column_type(((struct lite_stmt *)st)->st, col) == SQLITE_NULL;
}

static int64_t lite_changes(struct tb_stmt *st)
{
	return ((struct lite_stmt *)st)->changes;
}

static void lite_reset(struct tb_stmt *st)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	sqlite3_reset(ls->st);
	sqlite3_clear_bindings(ls->st);
	ls->changes = 0;
}

const struct tb_backend tb_sqlite_backend = {
    .kind = TB_STORE_SQLITE,
    .connect = lite_connect,
    .disconnect = lite_disconnect,
    .exec = lite_exec,
    .begin = lite_begin,
    .prepare = lite_prepare,
    .bind_text = lite_bind_text,
    .bind_int = lite_bind_int,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .text = lite_text,
    .integer = lite_integer,
    .is_null = lite_is_null,
    .changes = lite_changes,
    .reset = lite_reset,
};
