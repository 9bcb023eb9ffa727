/* Backup and restore of the database (see store.h): SQLite through its
 * backend's online backup, PostgreSQL through pg_dump and pg_restore run as
 * child processes. */
#include "store/backend.h"
#include "base/log.h"
#include "base/mem.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

/* prefix followed by value (malloc'd). */
static char *joined(const char *prefix, const char *value)
{
	size_t a = strlen(prefix), b = strlen(value);
	char *out = tb_xmalloc(a + b + 1);
	memcpy(out, prefix, a);
	memcpy(out + a, value, b + 1);
	return out;
}

/* Runs a PostgreSQL tool (argv[0], looked up on PATH) on the store's
 * database with our stdin, stdout and stderr and waits. The last but one
 * argument is set to --dbname= the store's conninfo without its password;
 * the password goes in the child's PGPASSWORD. Returns its exit status,
 * or -1 when it could not be started (127 when not found). */
static int run_tool(struct tb_store *s, char *argv[], int dbarg)
{
	char *password;
	char *conninfo = tb_pg_conninfo_split(tb_store_target(s), &password);
	if (!conninfo) {
		tb_log_error("store", "the database URL does not parse");
		return -1;
	}
	char *db = joined("--dbname=", conninfo);
	argv[dbarg] = db;
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = tb_xcalloc(n + 2, sizeof(*env)), *pw = NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!password || strncmp(environ[i], "PGPASSWORD=", 11) != 0)
			env[k++] = environ[i];
	if (password)
		env[k++] = pw = joined("PGPASSWORD=", password);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, env);
	if (pw)
		explicit_bzero(pw, strlen(pw));
	if (password)
		explicit_bzero(password, strlen(password));
	free(pw);
	free(password);
	free(env);
	free(db);
	free(conninfo);
	if (rc != 0) {
		tb_log_error("store", "cannot run %s: %s", argv[0], strerror(rc));
		return rc == ENOENT ? 127 : -1;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A PostgreSQL tool's failure as f: missing, or failed (its own message is
 * on stderr already). */
static enum tb_err tool_failed(struct tb_fail *f, int rc, const char *field, const char *missing,
                               const char *failed)
{
	return tb_fail(f, TB_ESTORE, field, rc == 127 ? missing : failed);
}

enum tb_err tb_store_backup(struct tb_store *s, const char *path, struct tb_fail *f)
{
	if (tb_store_kind(s) == TB_STORE_SQLITE) {
		struct tb_conn *c;
		enum tb_err e = tb_store_acquire(s, &c);
		if (e != TB_OK)
			return tb_fail(f, e, "db", "cannot open the database");
		e = c->be->backup(c, path, f);
		tb_store_release(c);
		return e;
	}
	/* pg_dump reads in one REPEATABLE READ snapshot: consistent while the
	 * server writes. */
	char file[4200];
	snprintf(file, sizeof(file), "--file=%s", path);
	char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges", file, NULL,
	                NULL};
	int rc = run_tool(s, argv, 5);
	if (rc != 0)
		return tool_failed(f, rc, "out", "pg_dump not found (install postgresql-client)",
		                   "pg_dump failed (its message is above)");
	return TB_OK;
}

enum tb_err tb_store_restore(struct tb_store *s, const char *path, bool clean, struct tb_fail *f)
{
	if (tb_store_kind(s) == TB_STORE_SQLITE) {
		struct tb_conn *c;
		enum tb_err e = tb_store_acquire(s, &c);
		if (e != TB_OK)
			return tb_fail(f, e, "db", "cannot open the database");
		e = c->be->restore(c, path, f);
		tb_store_release(c);
		return e;
	}
	/* One transaction: a failed restore leaves the target as it was. */
	char *argv[10] = {"pg_restore",      "--no-owner",           "--no-privileges",
	                  "--exit-on-error", "--single-transaction", NULL};
	int n = 6;
	if (clean) {
		argv[n++] = "--clean";
		argv[n++] = "--if-exists";
	}
	argv[n++] = (char *)path;
	argv[n] = NULL;
	int rc = run_tool(s, argv, 5);
	if (rc != 0)
		return tool_failed(f, rc, "from",
		                   "pg_restore not found (install postgresql-client)",
		                   "pg_restore failed (its message is above)");
	return TB_OK;
}

enum tb_err tb_store_is_empty(struct tb_store *s, bool *empty)
{
	*empty = false;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  tb_conn_kind(c) == TB_STORE_PG
	                      ? "SELECT count(*) FROM information_schema.tables"
	                        " WHERE table_schema = current_schema()"
	                      : "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
	                  "");
	if (e == TB_OK && row)
		*empty = tb_stmt_int(st, 0) == 0;
	if (st)
		tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}
