/* The store interface against SQLite and a real PostgreSQL: migrations,
 * round trips of text (Chinese), integers and NULL, conflicts, rollback,
 * `?` inside string literals, the statement cache and the pool under
 * threads; on SQLite, the batch writer with synchronous and asynchronous
 * writes at once. Every test runs once per backend. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "store/backend.h"
#include "base/arena.h"
#include "store/memo.h"
#include "store/migrate.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static struct tb_store *open_store(const char *url)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(url, 4, &s, &f), TB_OK);
	int applied = -1;
	assert_int_equal(tb_store_migrate(s, &applied), TB_OK);
	assert_true(applied >= 1);
	return s;
}

static int setup_sqlite(void **state)
{
	*state = open_store(test_sqlite_fresh());
	return 0;
}

static int setup_pg(void **state)
{
	const char *url = test_pg_fresh("store");
	if (!url)
		return -1;
	*state = open_store(url);
	return 0;
}

static int teardown(void **state)
{
	tb_store_close(*state);
	return 0;
}

static void migrations_are_idempotent(void **state)
{
	struct tb_store *s = *state;
	int applied = -1, v1 = 0, v2 = 0;
	assert_int_equal(tb_store_schema_version(s, &v1), TB_OK);
	assert_int_equal(tb_store_migrate(s, &applied), TB_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(tb_store_schema_version(s, &v2), TB_OK);
	assert_int_equal(v1, v2);
	assert_true(v1 >= 1);
}

static void round_trip(void **state)
{
	struct tb_store *s = *state;
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_conn_run(c, NULL, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss",
	                             "名称", "浙江省杭州市西湖区 'quoted' ?"),
	                 TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(tb_conn_query(c, &st, &row,
	                               "SELECT value, 42, NULL FROM meta WHERE key = ?", "s",
	                               "名称"),
	                 TB_OK);
	assert_true(row);
	assert_string_equal(tb_stmt_text(st, 0), "浙江省杭州市西湖区 'quoted' ?");
	assert_int_equal(tb_stmt_int(st, 1), 42);
	assert_true(tb_stmt_is_null(st, 2));
	assert_null(tb_stmt_text(st, 2));
	assert_int_equal(tb_stmt_step(st, &row), TB_OK);
	assert_false(row);
	tb_stmt_reset(st);

	/* A literal '?' in SQL is not a placeholder. */
	assert_int_equal(tb_conn_query(c, &st, &row, "SELECT 'a?b', ?", "i", (int64_t)1 << 40),
	                 TB_OK);
	assert_true(row);
	assert_string_equal(tb_stmt_text(st, 0), "a?b");
	assert_int_equal(tb_stmt_int(st, 1), (int64_t)1 << 40);
	tb_stmt_reset(st);
	tb_store_release(c);
}

static void conflict_and_rollback(void **state)
{
	struct tb_store *s = *state;
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(
	    tb_conn_run(c, NULL, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss", "k", "v1"),
	    TB_OK);
	assert_int_equal(
	    tb_conn_run(c, NULL, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss", "k", "v2"),
	    TB_ECONFLICT);
	/* A CHECK constraint is a conflict too. */
	assert_int_equal(tb_conn_run(c, NULL,
	                             "INSERT INTO calendar_days (day, kind, name) VALUES (?, ?, ?)",
	                             "sss", "2026-01-01", "party", "x"),
	                 TB_ECONFLICT);

	assert_int_equal(tb_conn_begin(c), TB_OK);
	int64_t changed = 0;
	assert_int_equal(tb_conn_run(c, &changed, "UPDATE meta SET value = ? WHERE key = ?", "ss",
	                             "changed", "k"),
	                 TB_OK);
	assert_int_equal(changed, 1);
	tb_conn_rollback(c);

	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row, "SELECT value FROM meta WHERE key = ?", "s", "k"), TB_OK);
	assert_true(row);
	assert_string_equal(tb_stmt_text(st, 0), "v1");
	tb_stmt_reset(st);

	/* Releasing a connection inside a transaction rolls it back. */
	assert_int_equal(tb_conn_begin(c), TB_OK);
	assert_int_equal(tb_conn_run(c, NULL, "DELETE FROM meta", ""), TB_OK);
	tb_store_release(c);
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM meta", ""), TB_OK);
	assert_int_equal(tb_stmt_int(st, 0), 1);
	tb_stmt_reset(st);
	tb_store_release(c);
}

/* The value of meta key k, or "" when there is none (c outside a
 * transaction). */
static void meta_is(struct tb_conn *c, const char *k, const char *want)
{
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row, "SELECT value FROM meta WHERE key = ?", "s", k), TB_OK);
	assert_string_equal(row ? tb_stmt_text(st, 0) : "", want);
	tb_stmt_reset(st);
}

/* Writes whose answers come later (tb_conn_run_later: libpq's pipeline on
 * PostgreSQL, at once on SQLite) take effect in order with the reads
 * between them; one that fails fails the transaction, at the next
 * statement that waits or at COMMIT, and nothing of the transaction is
 * kept; one that changes other rows than expected is a conflict; the
 * connection is clean for the next transaction; outside a transaction
 * they run at once. */
static void writes_later(void **state)
{
	struct tb_store *s = *state;
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	bool pg = tb_conn_kind(c) == TB_STORE_PG;

	assert_int_equal(tb_conn_begin(c), TB_OK);
	assert_int_equal(
	    tb_conn_run_later(c, 1, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss", "a", "1"),
	    TB_OK);
	assert_int_equal(
	    tb_conn_run_later(c, 1, "UPDATE meta SET value = ? WHERE key = ?", "ss", "2", "a"),
	    TB_OK);
	meta_is(c, "a", "2"); /* the read waits for both, and sees them */
	assert_int_equal(
	    tb_conn_run_later(c, -1, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss", "b", "1"),
	    TB_OK);
	assert_int_equal(tb_conn_commit(c), TB_OK);
	meta_is(c, "b", "1");

	/* A duplicate key: on PostgreSQL the write is only sent, and the
	 * COMMIT brings its failure. */
	assert_int_equal(tb_conn_begin(c), TB_OK);
	assert_int_equal(
	    tb_conn_run_later(c, -1, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss", "c", "1"),
	    TB_OK);
	enum tb_err e = tb_conn_run_later(c, -1, "INSERT INTO meta (key, value) VALUES (?, ?)",
	                                  "ss", "a", "again");
	assert_int_equal(e, pg ? TB_OK : TB_ECONFLICT);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	assert_int_equal(e, TB_ECONFLICT);
	meta_is(c, "c", "");
	meta_is(c, "a", "2");

	/* No row where one was expected: a conflict at the next read. */
	assert_int_equal(tb_conn_begin(c), TB_OK);
	assert_int_equal(
	    tb_conn_run_later(c, -1, "UPDATE meta SET value = ? WHERE key = ?", "ss", "3", "a"),
	    TB_OK);
	e = tb_conn_run_later(c, 1, "UPDATE meta SET value = ? WHERE key = ?", "ss", "x", "none");
	assert_int_equal(e, pg ? TB_OK : TB_ECONFLICT);
	if (e == TB_OK) {
		struct tb_stmt *st;
		bool row;
		assert_int_equal(tb_conn_query(c, &st, &row, "SELECT 1", ""), TB_ECONFLICT);
	}
	tb_conn_rollback(c);
	meta_is(c, "a", "2");

	/* The next transaction starts clean. */
	assert_int_equal(tb_conn_begin(c), TB_OK);
	meta_is(c, "b", "1");
	assert_int_equal(tb_conn_run_later(c, 1, "DELETE FROM meta WHERE key = ?", "s", "b"),
	                 TB_OK);
	assert_int_equal(tb_conn_commit(c), TB_OK);
	meta_is(c, "b", "");

	/* Outside a transaction: at once, expectation included. */
	assert_int_equal(
	    tb_conn_run_later(c, 1, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss", "d", "1"),
	    TB_OK);
	meta_is(c, "d", "1");
	assert_int_equal(
	    tb_conn_run_later(c, 1, "UPDATE meta SET value = ? WHERE key = ?", "ss", "x", "none"),
	    TB_ECONFLICT);
	tb_store_release(c);
}

static void bad_sql_is_a_store_error(void **state)
{
	struct tb_store *s = *state;
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	assert_int_equal(tb_conn_prepare(c, "SELECT FROM nowhere WHERE", &st), TB_ESTORE);
	/* The connection stays usable. */
	bool row;
	assert_int_equal(tb_conn_query(c, &st, &row, "SELECT 1", ""), TB_OK);
	assert_true(row);
	tb_stmt_reset(st);
	tb_store_release(c);
	assert_int_equal(tb_store_ping(s), TB_OK);
}

struct worker {
	struct tb_store *s;
	int id;
	enum tb_err e;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 50 && w->e == TB_OK; i++) {
		struct tb_conn *c;
		w->e = tb_store_acquire(w->s, &c);
		if (w->e != TB_OK)
			break;
		char key[32];
		snprintf(key, sizeof(key), "w%d-%d", w->id, i);
		w->e = tb_conn_begin(c);
		if (w->e == TB_OK)
			w->e = tb_conn_run(c, NULL, "INSERT INTO meta (key, value) VALUES (?, ?)",
			                   "ss", key, "x");
		if (w->e == TB_OK)
			w->e = tb_conn_commit(c);
		tb_store_release(c);
	}
	return NULL;
}

static void pool_under_threads(void **state)
{
	struct tb_store *s = *state;
	struct worker w[8];
	pthread_t t[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){s, i, TB_OK};
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].e, TB_OK);
	}
	int open, in_use;
	tb_store_counts(s, &open, &in_use);
	assert_true(open >= 1 && open <= 4);
	assert_int_equal(in_use, 0);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM meta WHERE key LIKE 'w%'", ""),
	    TB_OK);
	assert_int_equal(tb_stmt_int(st, 0), 8 * 50);
	tb_stmt_reset(st);
	tb_store_release(c);
}

/* ---- the batch writer ---------------------------------------------------- */

/* A write: inserts meta key, or fails (and is undone alone) when the key
 * starts with "bad". */
static enum tb_err put_key(struct tb_conn *c, void *arg)
{
	const char *key = arg;
	enum tb_err e =
	    tb_conn_run(c, NULL, "INSERT INTO meta (key, value) VALUES (?, 'x')", "s", key);
	return e == TB_OK && strncmp(key, "bad", 3) == 0 ? TB_EINVAL : e;
}

struct async_count {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, ok, failed;
};

static void counted(void *cb, enum tb_err result)
{
	struct async_count *n = cb;
	pthread_mutex_lock(&n->mu);
	n->done++;
	n->ok += result == TB_OK;
	n->failed += result == TB_EINVAL;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mu);
}

struct writer_thread {
	struct tb_store *s;
	int id;
	int ok;
};

static void *sync_writes(void *arg)
{
	struct writer_thread *w = arg;
	for (int i = 0; i < 40; i++) {
		char key[32];
		snprintf(key, sizeof(key), "s%d-%d", w->id, i);
		w->ok += tb_store_write(w->s, put_key, key) == TB_OK;
	}
	return NULL;
}

static int64_t count_keys(struct tb_store *s, const char *like)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM meta WHERE key LIKE ?", "s", like),
	    TB_OK);
	int64_t n = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	tb_store_release(c);
	return n;
}

/* Synchronous and asynchronous writes together: every one gets its own
 * result (a failing one undoes only itself), every callback runs once,
 * and what succeeded is stored. */
static void batch_writer(void **state)
{
	struct tb_store *s = *state;
	assert_true(tb_store_async(s));
	static char keys[300][16];
	struct async_count n = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
	struct writer_thread w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer_thread){s, i, 0};
		pthread_create(&t[i], NULL, sync_writes, &w[i]);
	}
	for (int i = 0; i < 300; i++) {
		snprintf(keys[i], sizeof(keys[i]), i % 10 == 0 ? "bad%d" : "a%d", i);
		tb_store_write_async(s, put_key, keys[i], counted, &n);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].ok, 40);
	}
	pthread_mutex_lock(&n.mu);
	while (n.done < 300)
		pthread_cond_wait(&n.cv, &n.mu);
	pthread_mutex_unlock(&n.mu);
	assert_int_equal(n.ok, 270);
	assert_int_equal(n.failed, 30);
	assert_int_equal(count_keys(s, "a%"), 270);
	assert_int_equal(count_keys(s, "bad%"), 0);
	assert_int_equal(count_keys(s, "s%"), 4 * 40);
}

/* Without a batch writer (PostgreSQL) the store says so. */
static void no_batch_writer(void **state)
{
	assert_false(tb_store_async(*state));
}

/* SQLite's online backup writes a new file, never over an existing one
 * (store.h): the file there is refused and left as it was. */
static void backup_to_a_new_file_only(void **state)
{
	struct tb_store *s = *state;
	char path[512];
	snprintf(path, sizeof(path), "%s/backup-%d.db", test_tmpdir(), (int)getpid());
	struct tb_fail f = {0};
	assert_int_equal(tb_store_backup(s, path, &f), TB_OK);
	/* An empty file (SQLite takes it for an empty database) stays empty. */
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(tb_store_backup(s, path, &f), TB_ESTORE);
	assert_string_equal(f.field, "out");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(path);
}

static void bad_urls(void **state)
{
	(void)state;
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open("mysql://x", 1, &s, &f), TB_EINVAL);
	assert_string_equal(f.field, "db");
	assert_null(s);
	assert_int_equal(tb_store_open("sqlite:", 1, &s, &f), TB_EINVAL);
	assert_int_equal(tb_store_open("sqlite:/nonexistent-dir/x/y.db", 1, &s, &f), TB_ESTORE);
	/* A server that does not answer is unavailable (503 on a request),
	 * not broken. */
	assert_int_equal(
	    tb_store_open("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", 1, &s, &f),
	    TB_EUNAVAIL);
}

/* pg_dump and pg_restore get the store's URL without its password (the
 * command line is public on the machine); the password goes apart. */
static void tool_conninfo_hides_password(void **state)
{
	(void)state;
	char *pw;
	char *ci = tb_pg_conninfo_split(
	    "postgresql://tb:s3cr%27t@db1.example:6432,db2.example:6432/tongban"
	    "?sslmode=require&target_session_attrs=read-write",
	    &pw);
	assert_non_null(ci);
	assert_string_equal(pw, "s3cr't");
	assert_null(strstr(ci, "s3cr"));
	assert_non_null(strstr(ci, "user='tb'"));
	assert_non_null(strstr(ci, "host='db1.example,db2.example'"));
	assert_non_null(strstr(ci, "dbname='tongban'"));
	assert_non_null(strstr(ci, "target_session_attrs='read-write'"));
	free(ci);
	free(pw);
	/* Quotes and backslashes survive the round trip; no password: NULL. */
	ci = tb_pg_conninfo_split("host=/tmp/x dbname='a\\\\b c\\'d'", &pw);
	assert_non_null(ci);
	assert_null(pw);
	char *again = tb_pg_conninfo_split(ci, &pw);
	assert_string_equal(again, ci);
	assert_non_null(strstr(ci, "dbname='a\\\\b c\\'d'"));
	free(again);
	free(ci);
	assert_null(tb_pg_conninfo_split("host=x nosuchkey=1", &pw));
}

/* A write transaction that changes nothing. */
static enum tb_err trivial_write(struct tb_conn *c, void *arg)
{
	(void)arg;
	return tb_conn_exec(c, "SELECT 1");
}

/* Runs sql on the test server's maintenance database. */
static void on_server(const char *sql)
{
	struct tb_store *admin;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(test_pg_base_url(), 1, &admin, &f), TB_OK);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(admin, &c), TB_OK);
	assert_int_equal(tb_conn_exec(c, sql), TB_OK);
	tb_store_release(c);
	tb_store_close(admin);
}

/* A write whose server is gone before its COMMIT is tried again for about
 * three seconds (100, 400, 1000 and 1500 ms apart) before the caller is
 * told TB_EUNAVAIL: the waits of a second and more were once no waits at
 * all (a timespec with 1e9 nanoseconds or more is refused), and the tries
 * ended in half a second, before a failover could end. */
static void lost_server_is_waited_for(void **state)
{
	(void)state;
	const char *url = test_pg_fresh("retry");
	char name[128];
	const char *slash = strrchr(url, '/') + 1;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(slash, "?"), slash);
	struct tb_store *s = open_store(url);
	assert_int_equal(tb_store_write(s, trivial_write, NULL), TB_OK);
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "ALTER DATABASE %s ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid)"
	         " FROM pg_stat_activity WHERE datname = '%s'",
	         name, name);
	on_server(sql);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum tb_err e = tb_store_write(s, trivial_write, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS true", name);
	on_server(sql);
	assert_int_equal(e, TB_EUNAVAIL);
	if (took < 2.9)
		fail_msg("gave up after %.2f s, not the 3 s of waits", took);
	/* Back: the next write goes through on a connection made again. */
	assert_int_equal(tb_store_write(s, trivial_write, NULL), TB_OK);
	tb_store_close(s);
}

/* A list of integers is one parameter on either backend: members are
 * found, others not, and the empty list matches nothing. */
static void int_list_parameter(void **state)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(*state, &c), TB_OK);
	const int64_t lists[][3] = {{1, 2, 999999}, {999998, 999999, 0}};
	const size_t lens[] = {3, 3, 0};
	const int64_t want[] = {2, 0, 0};
	for (int k = 0; k < 3; k++) {
		const char *in;
		char *list = tb_conn_int_list(c, lists[k < 2 ? k : 0], lens[k], &in);
		char sql[160];
		snprintf(sql, sizeof(sql),
		         "SELECT COUNT(*) FROM schema_migrations WHERE version %s", in);
		struct tb_stmt *st;
		bool row;
		assert_int_equal(tb_conn_query(c, &st, &row, sql, "s", list), TB_OK);
		assert_true(row);
		assert_int_equal(tb_stmt_int(st, 0), want[k]);
		tb_stmt_reset(st);
		free(list);
	}
	tb_store_release(c);
}

/* Each store has its own memo: a document held for one database is never
 * answered for another opened in the same process (two test stores, or a
 * tool opening a second one, may hold the same item code and version with
 * different texts). */
static void memo_is_the_stores_own(void **state)
{
	struct tb_store *s = *state, *other = open_store(test_sqlite_fresh());
	struct tb_conn *c, *d;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_store_acquire(other, &d), TB_OK);
	struct tb_arena *a = tb_arena_new();
	assert_null(tb_memo_get(tb_conn_memo(c), "item-doc:X#1", a));
	tb_memo_put(tb_conn_memo(c), "item-doc:X#1", "{\"name\":\"甲\"}");
	tb_memo_put(tb_conn_memo(d), "item-doc:X#1", "{\"name\":\"乙\"}");
	assert_string_equal(tb_memo_get(tb_conn_memo(c), "item-doc:X#1", a), "{\"name\":\"甲\"}");
	assert_string_equal(tb_memo_get(tb_conn_memo(d), "item-doc:X#1", a), "{\"name\":\"乙\"}");
	/* A key is answered only for itself, whatever shares its slot. */
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		tb_memo_put(tb_conn_memo(c), key, key);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		const char *v = tb_memo_get(tb_conn_memo(c), key, a);
		if (v)
			assert_string_equal(v, key);
	}
	assert_string_equal(tb_memo_get(tb_conn_memo(c), "k4999", a), "k4999");
	tb_arena_free(a);
	tb_store_release(c);
	tb_store_release(d);
	tb_store_close(other);
}

/* The notifier's pass reads the outbox rows not yet fanned out, oldest
 * first, after every transition: through the partial index of migration
 * 028, never a walk of every row the outbox ever held. */
static void undone_outbox_rows_are_read_by_index(void **state)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(*state, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(tb_conn_query(c, &st, &row,
	                               "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE"
	                               " hooks_done = 0 OR inbox_done = 0 ORDER BY id LIMIT 100",
	                               ""),
	                 TB_OK);
	char plan[512] = "";
	while (row) {
		size_t n = strlen(plan);
		snprintf(plan + n, sizeof(plan) - n, "%s;", tb_stmt_text(st, 3));
		assert_int_equal(tb_stmt_step(st, &row), TB_OK);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	assert_non_null(strstr(plan, "outbox_undone"));
	assert_null(strstr(plan, "TEMP B-TREE"));
}

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
	    cmocka_unit_test_setup_teardown(migrations_are_idempotent, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(round_trip, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(conflict_and_rollback, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(writes_later, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(bad_sql_is_a_store_error, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(pool_under_threads, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(batch_writer, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(backup_to_a_new_file_only, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(memo_is_the_stores_own, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(int_list_parameter, setup_sqlite, teardown),
	    cmocka_unit_test_setup_teardown(undone_outbox_rows_are_read_by_index, setup_sqlite,
	                                    teardown),
	    cmocka_unit_test(bad_urls),
	    cmocka_unit_test(tool_conninfo_hides_password),
	};
	const struct CMUnitTest pg_tests[] = {
	    cmocka_unit_test_setup_teardown(migrations_are_idempotent, setup_pg, teardown),
	    cmocka_unit_test_setup_teardown(round_trip, setup_pg, teardown),
	    cmocka_unit_test_setup_teardown(conflict_and_rollback, setup_pg, teardown),
	    cmocka_unit_test_setup_teardown(writes_later, setup_pg, teardown),
	    cmocka_unit_test_setup_teardown(bad_sql_is_a_store_error, setup_pg, teardown),
	    cmocka_unit_test_setup_teardown(pool_under_threads, setup_pg, teardown),
	    cmocka_unit_test_setup_teardown(no_batch_writer, setup_pg, teardown),
	    cmocka_unit_test_setup_teardown(int_list_parameter, setup_pg, teardown),
	    cmocka_unit_test(lost_server_is_waited_for),
	};
	int failed = cmocka_run_group_tests_name("store/sqlite", sqlite_tests, NULL, NULL);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("store/postgresql", pg_tests, NULL, NULL);
	return failed ? 1 : 0;
}
