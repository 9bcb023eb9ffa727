/* The store: one narrow interface over SQLite (embedded default) and
 * PostgreSQL (libpq). SQL is written once with `?` placeholders; the
 * PostgreSQL backend turns them into $n. A store holds a pool of
 * connections; a connection is used by one thread at a time and caches
 * its prepared statements. Exports tb_store_*, tb_conn_* and tb_stmt_*. */
#ifndef TB_STORE_STORE_H
#define TB_STORE_STORE_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb_store;
struct tb_conn;
struct tb_stmt;

enum tb_store_kind { TB_STORE_SQLITE, TB_STORE_PG };

/* Opens the store named by url: "sqlite:PATH" or "postgres://..." /
 * "postgresql://...". pool_size bounds the connections (>= 1). Opens one
 * connection at once so that a bad URL fails here. On failure f names
 * "db" and the reason. The caller owns *out and closes it. */
enum tb_err tb_store_open(const char *url, int pool_size, struct tb_store **out, struct tb_fail *f);
/* Closes every connection; waits for none (call once requests are done).
 * NULL is a no-op. */
void tb_store_close(struct tb_store *s);
enum tb_store_kind tb_store_kind(const struct tb_store *s);
/* The URL with any password masked, for logs. Owned by the store. */
const char *tb_store_url(const struct tb_store *s);

/* Takes a connection from the pool, opening one if the pool is not full,
 * otherwise waiting for one. Give it back with tb_store_release. */
enum tb_err tb_store_acquire(struct tb_store *s, struct tb_conn **out);
/* Returns c to its pool; an open transaction is rolled back first. */
void tb_store_release(struct tb_conn *c);
/* Connections open and in use now (for /metrics). */
void tb_store_counts(struct tb_store *s, int *open, int *in_use);
/* A round trip to the database ("SELECT 1"). */
enum tb_err tb_store_ping(struct tb_store *s);

/* Transactions. begin starts a write transaction (SQLite: BEGIN IMMEDIATE,
 * so that writers queue instead of failing on upgrade). */
enum tb_err tb_conn_begin(struct tb_conn *c);
enum tb_err tb_conn_commit(struct tb_conn *c);
void tb_conn_rollback(struct tb_conn *c);
enum tb_store_kind tb_conn_kind(const struct tb_conn *c);
/* The lock key among the nodes of one PostgreSQL store, held by c's
 * session (pg_try_advisory_lock): true when c now holds it, false when
 * another node does. It goes with the connection when a node dies. On
 * SQLite (one process) always true. Release it with tb_conn_node_unlock. */
bool tb_conn_node_lock(struct tb_conn *c, int64_t key);
void tb_conn_node_unlock(struct tb_conn *c, int64_t key);
/* A list of integers as one text parameter (bound with "s"), so that one
 * prepared statement serves a list of any length. Returns the parameter
 * (malloc'd: {1,2} on PostgreSQL, [1,2] on SQLite); *in gets the SQL that
 * follows a column to test membership: "= ANY (CAST(? AS bigint[]))" or
 * "IN (SELECT value FROM json_each(?))". */
char *tb_conn_int_list(const struct tb_conn *c, const int64_t *v, size_t n, const char **in);

/* Runs one or more statements without parameters or results (migrations). */
enum tb_err tb_conn_exec(struct tb_conn *c, const char *sql);

/* The prepared statement for sql on c, prepared on first use and cached on
 * the connection (sql is compared by content). Owned by c: do not free;
 * call tb_stmt_reset when done with it. */
enum tb_err tb_conn_prepare(struct tb_conn *c, const char *sql, struct tb_stmt **out);

/* Binds parameter idx (1-based). Text is copied. */
void tb_stmt_bind_text(struct tb_stmt *st, int idx, const char *s);
void tb_stmt_bind_int(struct tb_stmt *st, int idx, int64_t v);
void tb_stmt_bind_null(struct tb_stmt *st, int idx);

/* Executes on the first call, then moves to the next row: *row is true
 * while a row is available. TB_ECONFLICT on a unique or check violation. */
enum tb_err tb_stmt_step(struct tb_stmt *st, bool *row);
/* Column col (0-based) of the current row: text (NULL for SQL NULL; valid
 * until the next step or reset), integer (0 for NULL), NULL test. */
const char *tb_stmt_text(struct tb_stmt *st, int col);
int64_t tb_stmt_int(struct tb_stmt *st, int col);
bool tb_stmt_is_null(struct tb_stmt *st, int col);
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t tb_stmt_changes(struct tb_stmt *st);
/* Clears results and bindings so that the statement can be used again. */
void tb_stmt_reset(struct tb_stmt *st);

/* Runs fn(c, arg) inside a write transaction and returns once the
 * transaction is durable, with fn's result (TB_OK commits fn's writes;
 * anything else undoes them). fn must not begin or commit itself. On
 * SQLite concurrent calls are batched: one writer thread runs several in
 * one transaction, each in its own savepoint, so they share one commit
 * and one fsync; on PostgreSQL each runs in its own transaction. */
enum tb_err tb_store_write(struct tb_store *s, enum tb_err (*fn)(struct tb_conn *c, void *arg),
                           void *arg);

/* Whether tb_store_write_async runs writes in the background (SQLite's
 * batch writer; not PostgreSQL). */
bool tb_store_async(struct tb_store *s);
/* Queues fn(c, arg) for the batch writer and returns at once; on_done(cb,
 * result) runs on the writer thread once the write is durable (or has
 * failed), after which the store no longer touches arg. For callers that
 * can answer later (a suspended HTTP request): no thread waits. When the
 * store is stopping, fn and on_done run on the calling thread. */
void tb_store_write_async(struct tb_store *s, enum tb_err (*fn)(struct tb_conn *c, void *arg),
                          void *arg, void (*on_done)(void *cb, enum tb_err result), void *cb);

/* Backup and restore of the database alone (the CLI copies the files
 * beside it). tb_store_backup writes one consistent copy of the database
 * of s while others keep writing: SQLite's online backup API into a new
 * file at path (which must not exist); on PostgreSQL pg_dump's custom
 * format (pg_dump on PATH, with the store's URL). tb_store_restore
 * replaces the database of s with such a copy (the same kind of store):
 * SQLite's backup API from the file; pg_restore into the store's
 * database, with clean = drop the objects the dump holds first. Neither
 * checks that the target is empty: see tb_store_is_empty. On failure f
 * names "out", "from" or "db" and says why (the tools' own messages go to
 * stderr). */
enum tb_err tb_store_backup(struct tb_store *s, const char *path, struct tb_fail *f);
enum tb_err tb_store_restore(struct tb_store *s, const char *path, bool clean, struct tb_fail *f);
/* Whether the database of s holds no table at all (of its current schema
 * on PostgreSQL). */
enum tb_err tb_store_is_empty(struct tb_store *s, bool *empty);

/* Convenience: prepare, bind from a format and step once.
 * fmt has one letter per parameter: 's' const char * (NULL binds NULL),
 * 'i' int64_t, 'I' int64_t id where 0 binds NULL, 'n' NULL (no argument). Leaves the statement positioned on
 * the first row (*row says whether there is one); the caller resets it. */
enum tb_err tb_conn_query(struct tb_conn *c, struct tb_stmt **out, bool *row, const char *sql,
                          const char *fmt, ...);
/* Prepare, bind, run to completion and reset; *changes (may be NULL) gets
 * the rows changed. */
enum tb_err tb_conn_run(struct tb_conn *c, int64_t *changes, const char *sql, const char *fmt, ...);
/* A write whose answer the caller need not see before the transaction
 * goes on: inside a PostgreSQL transaction it is sent without waiting for
 * it (libpq's pipeline), and its answer is read with the next statement
 * that returns something, or with the COMMIT, which then fails with its
 * error; elsewhere it runs now. expect >= 0 is the number of rows it must
 * change (any other number is TB_ECONFLICT, then or later); -1: any.
 * Saves a round trip to the server for each such write. */
enum tb_err tb_conn_run_later(struct tb_conn *c, int64_t expect, const char *sql, const char *fmt,
                              ...);
/* The same for a statement prepared and bound by the caller; resets it. */
enum tb_err tb_stmt_run_later(struct tb_stmt *st, int64_t expect);

#endif
