/* What a store backend provides: the operations behind store.h. Only
 * store.c, sqlite.c and pg.c include this file. */
#ifndef TB_STORE_BACKEND_H
#define TB_STORE_BACKEND_H

#include "store/store.h"

struct tb_backend {
	enum tb_store_kind kind;
	/* Opens a new connection to target (path or conninfo). */
	enum tb_err (*connect)(const char *target, struct tb_conn **out, struct tb_fail *f);
	void (*disconnect)(struct tb_conn *c);
	/* Optional: checks a connection made before the store noted a lost
	 * server (tb_store_note_lost), reconnecting it when it is broken.
	 * TB_EUNAVAIL when it cannot be made usable. */
	enum tb_err (*revalidate)(struct tb_conn *c);
	enum tb_err (*exec)(struct tb_conn *c, const char *sql);
	enum tb_err (*begin)(struct tb_conn *c);
	/* Commits and returns once the transaction is durable. */
	enum tb_err (*commit)(struct tb_conn *c);
	/* Optional (NULL when the backend has no group sync): commits without
	 * waiting, giving *ticket; durable(c, ticket), from any thread, returns
	 * once that commit is durable. */
	enum tb_err (*commit_deferred)(struct tb_conn *c, uint64_t *ticket);
	enum tb_err (*durable)(struct tb_conn *c, uint64_t ticket);
	void (*rollback)(struct tb_conn *c);
	enum tb_err (*prepare)(struct tb_conn *c, const char *sql, struct tb_stmt **out);
	void (*bind_text)(struct tb_stmt *st, int idx, const char *s);
	void (*bind_int)(struct tb_stmt *st, int idx, int64_t v);
	void (*bind_null)(struct tb_stmt *st, int idx);
	enum tb_err (*step)(struct tb_stmt *st, bool *row);
	const char *(*text)(struct tb_stmt *st, int col);
	int64_t (*integer)(struct tb_stmt *st, int col);
	bool (*is_null)(struct tb_stmt *st, int col);
	int64_t (*changes)(struct tb_stmt *st);
	void (*reset)(struct tb_stmt *st);
	/* Optional (PostgreSQL): sends the bound statement without waiting
	 * for its answer, inside a transaction; the answer, checked against
	 * expect (rows changed, or -1), is read with the next statement that
	 * returns something or the commit (tb_stmt_run_later). */
	enum tb_err (*run_later)(struct tb_stmt *st, int64_t expect);
	/* Optional (SQLite): copies the database behind c, as one consistent
	 * snapshot, into a new file at path; and the reverse, replacing the
	 * database behind c with the copy at path. PostgreSQL has none: its
	 * own tools do it (backup.c). */
	enum tb_err (*backup)(struct tb_conn *c, const char *path, struct tb_fail *f);
	enum tb_err (*restore)(struct tb_conn *c, const char *path, struct tb_fail *f);
};

/* The part of every connection that store.c reads; backends embed it first. */
struct tb_conn {
	const struct tb_backend *be;
	struct tb_store *store;
	unsigned lost_seen; /* the store's count of lost servers when last checked */
	bool in_tx;
	struct tb_conn *next_free;
};

/* The head of every backend statement. */
struct tb_stmt {
	struct tb_conn *conn;
};

/* A backend found its server gone (and reconnected the connection it was
 * on): the pool checks each of its other connections before handing it
 * out again, so that one failover costs one failed request, not one per
 * pooled connection. Thread-safe. */
void tb_store_note_lost(struct tb_store *s);

/* The path or conninfo the store connects to (store.c; for backup.c). */
const char *tb_store_target(const struct tb_store *s);

/* Splits a PostgreSQL URL or conninfo for a child tool (pg_dump,
 * pg_restore): returns a malloc'd conninfo with every parameter but the
 * password, and sets *password to the password (malloc'd) or NULL. The
 * tools then get the password through PGPASSWORD, not their command line,
 * which every user of the machine can read (ps). NULL when conninfo does
 * not parse. */
char *tb_pg_conninfo_split(const char *conninfo, char **password);

extern const struct tb_backend tb_sqlite_backend;
extern const struct tb_backend tb_pg_backend;

#endif
