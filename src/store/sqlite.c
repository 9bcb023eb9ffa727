/* The SQLite backend: WAL, foreign keys on, a busy timeout so that writers
 * queue, and the prepared statements of each connection cached by SQL
 * text. Durability with group commit: connections run with
 * synchronous=NORMAL (COMMIT appends to the WAL without an fsync), and
 * tb_conn_commit returns only after an fdatasync of the WAL file that
 * started after the COMMIT. One fdatasync serves every commit that
 * finished before it began, so concurrent writers share them; a commit is
 * acknowledged only once it would survive power loss, as with
 * synchronous=FULL. */
#include "store/backend.h"
#include "store/stmt_cache.h"
#include "base/log.h"
#include "base/mem.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The group sync of one database file, shared by its connections. */
struct wal_sync {
	char *path;
	int fd; /* the WAL file, opened once it exists */
	int refs;
	uint64_t committed, synced; /* commit tickets */
	bool syncing;
	/* One writer at a time, queued here rather than polling SQLite's busy
	 * handler: the write lock is released at COMMIT, before the fsync. */
	pthread_mutex_t writer;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wal_sync *next;
};

static struct wal_sync *syncs;
static pthread_mutex_t syncs_mu = PTHREAD_MUTEX_INITIALIZER;

struct lite_conn {
	struct tb_conn head;
	sqlite3 *db;
	struct tb_stmt_cache cache;
	struct wal_sync *sync;
	bool writing; /* holds sync->writer */
};

static struct wal_sync *sync_get(const char *path)
{
	pthread_mutex_lock(&syncs_mu);
	struct wal_sync *w = syncs;
	while (w && strcmp(w->path, path) != 0)
		w = w->next;
	if (!w) {
		w = tb_xcalloc(1, sizeof(*w));
		w->path = tb_xstrdup(path);
		w->fd = -1;
		pthread_mutex_init(&w->mu, NULL);
		pthread_mutex_init(&w->writer, NULL);
		pthread_cond_init(&w->cv, NULL);
		w->next = syncs;
		syncs = w;
	}
	w->refs++;
	pthread_mutex_unlock(&syncs_mu);
	return w;
}

static void sync_put(struct wal_sync *w)
{
	pthread_mutex_lock(&syncs_mu);
	if (--w->refs == 0) {
		struct wal_sync **pp = &syncs;
		while (*pp != w)
			pp = &(*pp)->next;
		*pp = w->next;
		if (w->fd >= 0)
			close(w->fd);
		pthread_mutex_destroy(&w->mu);
		pthread_mutex_destroy(&w->writer);
		pthread_cond_destroy(&w->cv);
		free(w->path);
		free(w);
	}
	pthread_mutex_unlock(&syncs_mu);
}

/* A ticket for a commit that has just finished (its frames are in the WAL). */
static uint64_t sync_ticket(struct wal_sync *w)
{
	pthread_mutex_lock(&w->mu);
	uint64_t ticket = ++w->committed;
	pthread_mutex_unlock(&w->mu);
	return ticket;
}

/* Waits until an fdatasync of the WAL that began after the commit of
 * ticket has finished, running it when no other thread is. */
static enum tb_err sync_wait(struct wal_sync *w, uint64_t ticket)
{
	pthread_mutex_lock(&w->mu);
	enum tb_err e = TB_OK;
	while (w->synced < ticket) {
		if (w->syncing) {
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		w->syncing = true;
		uint64_t upto = w->committed;
		if (w->fd < 0) {
			char wal[4096];
			snprintf(wal, sizeof(wal), "%s-wal", w->path);
			w->fd = open(wal, O_RDONLY | O_CLOEXEC);
		}
		int fd = w->fd;
		pthread_mutex_unlock(&w->mu);
		int rc = fd >= 0 ? fdatasync(fd) : -1;
		pthread_mutex_lock(&w->mu);
		w->syncing = false;
		if (rc == 0)
			w->synced = upto;
		else
			e = TB_ESTORE;
		pthread_cond_broadcast(&w->cv);
		if (e != TB_OK)
			break;
	}
	pthread_mutex_unlock(&w->mu);
	if (e != TB_OK)
		tb_log_error("sqlite", "fdatasync of the WAL failed: commit not durable");
	return e;
}

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
	if (lite_exec(&lc->head, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	                         " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
	                         " PRAGMA cache_size=-8192;") != TB_OK) {
		sqlite3_close(db);
		free(lc);
		return tb_fail(f, TB_ESTORE, "db", "cannot configure the SQLite database");
	}
	lc->sync = sync_get(path);
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
	if (lc->sync)
		sync_put(lc->sync);
	/* A clean close checkpoints the WAL. */
	if (sqlite3_close(lc->db) != SQLITE_OK)
		tb_log_error("sqlite", "close: %s", sqlite3_errmsg(lc->db));
	free(lc);
}

static void end_write(struct lite_conn *lc)
{
	if (lc->writing) {
		lc->writing = false;
		pthread_mutex_unlock(&lc->sync->writer);
	}
}

static enum tb_err lite_begin(struct tb_conn *c)
{
	struct lite_conn *lc = (struct lite_conn *)c;
	pthread_mutex_lock(&lc->sync->writer);
	lc->writing = true;
	enum tb_err e = lite_exec(c, "BEGIN IMMEDIATE");
	if (e != TB_OK)
		end_write(lc);
	return e;
}

static enum tb_err lite_commit_deferred(struct tb_conn *c, uint64_t *ticket)
{
	struct lite_conn *lc = (struct lite_conn *)c;
	enum tb_err e = lite_exec(c, "COMMIT");
	if (e != TB_OK)
		return e; /* the caller rolls back, which ends the write */
	end_write(lc);
	*ticket = sync_ticket(lc->sync);
	return TB_OK;
}

static enum tb_err lite_durable(struct tb_conn *c, uint64_t ticket)
{
	return sync_wait(((struct lite_conn *)c)->sync, ticket);
}

static enum tb_err lite_commit(struct tb_conn *c)
{
	uint64_t ticket;
	enum tb_err e = lite_commit_deferred(c, &ticket);
	return e == TB_OK ? lite_durable(c, ticket) : e;
}

static void lite_rollback(struct tb_conn *c)
{
	lite_exec(c, "ROLLBACK");
	end_write((struct lite_conn *)c);
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

/* Copies every page of src into dst in one step, so that the copy is one
 * read snapshot of src: page by page, a write to src between steps would
 * restart the copy (for ever under steady load). In WAL mode the reader
 * does not block writers, so a running server goes on meanwhile. */
static int copy_db(sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b)
		return sqlite3_errcode(dst);
	int rc = sqlite3_backup_step(b, -1);
	int fin = sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? fin : rc;
}

static enum tb_err lite_backup(struct tb_conn *c, const char *path, struct tb_fail *f)
{
	struct lite_conn *lc = (struct lite_conn *)c;
	/* The copy must not land on an existing file: SQLITE_OPEN_EXCLUSIVE is
	 * for VFSs only and sqlite3_open_v2 ignores it, so the file is made
	 * here (0600, refused when it exists) and then opened. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return tb_fail(f, TB_ESTORE, "out",
		               "the backup's database file exists or cannot be made");
	close(fd);
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = copy_db(dst, lc->db);
	/* The copy is one self-contained file (no -wal beside it), synced by
	 * the rollback journal's commit (synchronous=FULL). */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(dst, "PRAGMA synchronous=FULL; PRAGMA journal_mode=DELETE;", NULL,
		                  NULL, NULL);
	if (rc != SQLITE_OK)
		tb_log_error("sqlite", "backup to %s: %s (%d)", path,
		             dst ? sqlite3_errmsg(dst) : "?", rc);
	if (sqlite3_close(dst) != SQLITE_OK && rc == SQLITE_OK)
		rc = SQLITE_ERROR;
	if (rc != SQLITE_OK)
		return tb_fail(f, TB_ESTORE, "out", "the SQLite online backup failed");
	return TB_OK;
}

static enum tb_err lite_restore(struct tb_conn *c, const char *path, struct tb_fail *f)
{
	struct lite_conn *lc = (struct lite_conn *)c;
	sqlite3 *src = NULL;
	int rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(src, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(src);
		return tb_fail(f, TB_EINVAL, "from", "the backup's database is not SQLite");
	}
	/* A restore is acknowledged once it survives power loss. */
	sqlite3_exec(lc->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
	pthread_mutex_lock(&lc->sync->writer);
	rc = copy_db(lc->db, src);
	pthread_mutex_unlock(&lc->sync->writer);
	if (rc == SQLITE_OK)
		rc = sqlite3_wal_checkpoint_v2(lc->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL,
		                               NULL);
	sqlite3_exec(lc->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		tb_log_error("sqlite", "restore from %s: %s (%d)", path, sqlite3_errmsg(lc->db),
		             rc);
	sqlite3_close(src);
	if (rc != SQLITE_OK)
		return tb_fail(f, TB_ESTORE, "db", "restoring into the SQLite database failed");
	return TB_OK;
}

const struct tb_backend tb_sqlite_backend = {
    .kind = TB_STORE_SQLITE,
    .connect = lite_connect,
    .disconnect = lite_disconnect,
    .exec = lite_exec,
    .begin = lite_begin,
    .commit = lite_commit,
    .commit_deferred = lite_commit_deferred,
    .durable = lite_durable,
    .rollback = lite_rollback,
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
    .backup = lite_backup,
    .restore = lite_restore,
};
