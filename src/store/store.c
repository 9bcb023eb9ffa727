/* The backend-independent half of the store: URL parsing, the connection
 * pool, transactions and the bind-by-format helpers. */
#include "store/backend.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/memo.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Item documents and the like held in memory: a province's catalog is
 * read mostly in its few hundred busiest items. */
#define MEMO_SLOTS 1024

/* A write waiting for the batch writer. */
struct job {
	enum tb_err (*fn)(struct tb_conn *c, void *arg);
	void *arg;
	enum tb_err result;
	uint64_t ticket; /* its commit's, when the backend syncs on its own */
	bool done;
	/* Asynchronous (tb_store_write_async): called on the writer thread
	 * once the write is durable; the job is malloc'd and freed after. */
	void (*on_done)(void *cb, enum tb_err result);
	void *cb;
	/* Its own wakeup: a finished batch wakes only its waiters, not every
	 * thread queued behind it (a herd of futile context switches). */
	pthread_cond_t cv;
	struct job *next;
};

struct tb_store {
	const struct tb_backend *be;
	/* The batch writer (SQLite): its own connection and thread, and its
	 * queue under a mutex of its own (not the pool's). */
	struct tb_conn *writer;
	pthread_t writer_thread;
	bool writer_running, writer_stop;
	struct job *jobs, **jobs_tail;
	pthread_mutex_t wmu;
	pthread_cond_t jobs_cv;
	char *target;     /* path or conninfo handed to connect */
	char *url_masked; /* for logs */
	int pool_size;
	int open, in_use;
	_Atomic unsigned lost; /* servers found gone (tb_store_note_lost) */
	struct tb_conn *free_list;
	struct tb_conn **all;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tb_memo *memo; /* unchanging texts (memo.h) */
};

static char *mask_password(const char *url)
{
	/* postgres://user:secret@host -> postgres://user:***@host */
	char *copy = tb_xstrdup(url);
	char *scheme = strstr(copy, "://");
	char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (!at || !colon || colon > at)
		return copy;
	size_t head = (size_t)(colon - copy) + 1;
	size_t n = head + 3 + strlen(at) + 1;
	char *out = tb_xmalloc(n);
	memcpy(out, copy, head);
	memcpy(out + head, "***", 3);
	memcpy(out + head + 3, at, strlen(at) + 1);
	free(copy);
	return out;
}

enum tb_err tb_store_open(const char *url, int pool_size, struct tb_store **out, struct tb_fail *f)
{
	*out = NULL;
	const struct tb_backend *be;
	const char *target;
	if (strncmp(url, "sqlite:", 7) == 0) {
		be = &tb_sqlite_backend;
		target = url + 7;
		if (!*target)
			return tb_fail(f, TB_EINVAL, "db", "sqlite: needs a path");
	} else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		be = &tb_pg_backend;
		target = url;
	} else {
		return tb_fail(f, TB_EINVAL, "db", "expected sqlite:PATH or postgres://...");
	}
	struct tb_store *s = tb_xcalloc(1, sizeof(*s));
	s->be = be;
	s->target = tb_xstrdup(target);
	s->url_masked = mask_password(url);
	s->pool_size = pool_size < 1 ? 1 : pool_size;
	s->all = tb_xcalloc((size_t)s->pool_size, sizeof(*s->all));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_mutex_init(&s->wmu, NULL);
	pthread_cond_init(&s->jobs_cv, NULL);
	s->jobs_tail = &s->jobs;
	s->memo = tb_memo_new(MEMO_SLOTS);

	struct tb_conn *c;
	enum tb_err e = be->connect(s->target, &c, f);
	if (e != TB_OK) {
		tb_store_close(s);
		return e;
	}
	c->store = s;
	c->lost_seen = s->lost;
	s->all[s->open++] = c;
	c->next_free = NULL;
	s->free_list = c;
	*out = s;
	return TB_OK;
}

static void writer_stop(struct tb_store *s);

void tb_store_close(struct tb_store *s)
{
	if (!s)
		return;
	writer_stop(s);
	for (int i = 0; i < s->open; i++)
		s->be->disconnect(s->all[i]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->jobs_cv);
	pthread_mutex_destroy(&s->wmu);
	free(s->all);
	free(s->target);
	free(s->url_masked);
	tb_memo_free(s->memo);
	free(s);
}

struct tb_memo *tb_conn_memo(struct tb_conn *c)
{
	return c->store->memo;
}

const char *tb_store_target(const struct tb_store *s)
{
	return s->target;
}

enum tb_store_kind tb_store_kind(const struct tb_store *s)
{
	return s->be->kind;
}

const char *tb_store_url(const struct tb_store *s)
{
	return s->url_masked;
}

void tb_store_note_lost(struct tb_store *s)
{
	s->lost++;
}

/* A pooled connection made before the last lost server is checked (and
 * reconnected if need be) before use; one that cannot be goes back to the
 * pool and the caller gets TB_EUNAVAIL. */
static enum tb_err checked(struct tb_store *s, struct tb_conn *c)
{
	unsigned lost = s->lost;
	if (!c->be->revalidate || c->lost_seen == lost)
		return TB_OK;
	enum tb_err e = c->be->revalidate(c);
	if (e != TB_OK) {
		tb_store_release(c);
		return e;
	}
	c->lost_seen = lost;
	return TB_OK;
}

enum tb_err tb_store_acquire(struct tb_store *s, struct tb_conn **out)
{
	*out = NULL;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->free_list) {
			struct tb_conn *c = s->free_list;
			s->free_list = c->next_free;
			s->in_use++;
			pthread_mutex_unlock(&s->mu);
			enum tb_err e = checked(s, c);
			if (e == TB_OK)
				*out = c;
			return e;
		}
		if (s->open < s->pool_size) {
			/* Reserve the slot, connect outside the lock. */
			int slot = s->open++;
			s->in_use++;
			pthread_mutex_unlock(&s->mu);
			struct tb_conn *c;
			struct tb_fail f = {0};
			enum tb_err e = s->be->connect(s->target, &c, &f);
			pthread_mutex_lock(&s->mu);
			if (e != TB_OK) {
				/* Give the slot back: slots above it are filled in order,
				 * so move the last one down. */
				s->open--;
				s->in_use--;
				s->all[slot] = s->all[s->open];
				pthread_mutex_unlock(&s->mu);
				tb_log_error("store", "connect failed: %s",
				             f.reason ? f.reason : "?");
				return e;
			}
			c->store = s;
			c->lost_seen = s->lost;
			s->all[slot] = c;
			pthread_mutex_unlock(&s->mu);
			*out = c;
			return TB_OK;
		}
		pthread_cond_wait(&s->cv, &s->mu);
	}
}

void tb_store_release(struct tb_conn *c)
{
	if (!c)
		return;
	if (c->in_tx)
		tb_conn_rollback(c);
	struct tb_store *s = c->store;
	pthread_mutex_lock(&s->mu);
	c->next_free = s->free_list;
	s->free_list = c;
	s->in_use--;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void tb_store_counts(struct tb_store *s, int *open, int *in_use)
{
	pthread_mutex_lock(&s->mu);
	*open = s->open;
	*in_use = s->in_use;
	pthread_mutex_unlock(&s->mu);
}

enum tb_err tb_store_ping(struct tb_store *s)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	/* Ready means writable: a PostgreSQL standby (or a primary demoted
	 * by a failover) answers 0. */
	e = tb_conn_query(c, &st, &row,
	                  s->be->kind == TB_STORE_PG
	                      ? "SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE 1 END"
	                      : "SELECT 1",
	                  "");
	if (e == TB_OK) {
		if (!row)
			e = TB_ESTORE;
		else if (tb_stmt_int(st, 0) != 1)
			e = TB_EUNAVAIL;
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_conn_begin(struct tb_conn *c)
{
	enum tb_err e = c->be->begin(c);
	if (e == TB_OK)
		c->in_tx = true;
	return e;
}

enum tb_err tb_conn_commit(struct tb_conn *c)
{
	enum tb_err e = c->be->commit(c);
	if (e != TB_OK) {
		tb_conn_rollback(c);
		return e;
	}
	c->in_tx = false;
	return TB_OK;
}

void tb_conn_rollback(struct tb_conn *c)
{
	if (!c->in_tx)
		return;
	c->be->rollback(c);
	c->in_tx = false;
}

enum tb_store_kind tb_conn_kind(const struct tb_conn *c)
{
	return c->be->kind;
}

/* Runs sql (one parameter: the key) and returns its boolean answer. */
static bool advisory(struct tb_conn *c, const char *sql, int64_t key)
{
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(c, &st, &row, sql, "i", key) != TB_OK)
		return false;
	bool yes = row && tb_stmt_int(st, 0) == 1;
	tb_stmt_reset(st);
	return yes;
}

bool tb_conn_node_lock(struct tb_conn *c, int64_t key)
{
	return c->be->kind != TB_STORE_PG || advisory(c, "SELECT pg_try_advisory_lock(?)", key);
}

void tb_conn_node_unlock(struct tb_conn *c, int64_t key)
{
	if (c->be->kind == TB_STORE_PG)
		advisory(c, "SELECT pg_advisory_unlock(?)", key);
}

char *tb_conn_int_list(const struct tb_conn *c, const int64_t *v, size_t n, const char **in)
{
	bool pg = c->be->kind == TB_STORE_PG;
	*in = pg ? "= ANY (CAST(? AS bigint[]))" : "IN (SELECT value FROM json_each(?))";
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_adds(&b, pg ? "{" : "[");
	for (size_t i = 0; i < n; i++)
		tb_buf_printf(&b, "%s%lld", i ? "," : "", (long long)v[i]);
	tb_buf_adds(&b, pg ? "}" : "]");
	return tb_buf_take(&b);
}

enum tb_err tb_conn_exec(struct tb_conn *c, const char *sql)
{
	return c->be->exec(c, sql);
}

enum tb_err tb_conn_prepare(struct tb_conn *c, const char *sql, struct tb_stmt **out)
{
	return c->be->prepare(c, sql, out);
}

void tb_stmt_bind_text(struct tb_stmt *st, int idx, const char *s)
{
	if (s)
		st->conn->be->bind_text(st, idx, s);
	else
		st->conn->be->bind_null(st, idx);
}

void tb_stmt_bind_int(struct tb_stmt *st, int idx, int64_t v)
{
	st->conn->be->bind_int(st, idx, v);
}

void tb_stmt_bind_null(struct tb_stmt *st, int idx)
{
	st->conn->be->bind_null(st, idx);
}

enum tb_err tb_stmt_step(struct tb_stmt *st, bool *row)
{
	return st->conn->be->step(st, row);
}

const char *tb_stmt_text(struct tb_stmt *st, int col)
{
	return st->conn->be->text(st, col);
}

int64_t tb_stmt_int(struct tb_stmt *st, int col)
{
	return st->conn->be->integer(st, col);
}

bool tb_stmt_is_null(struct tb_stmt *st, int col)
{
	return st->conn->be->is_null(st, col);
}

int64_t tb_stmt_changes(struct tb_stmt *st)
{
	return st->conn->be->changes(st);
}

void tb_stmt_reset(struct tb_stmt *st)
{
	if (st)
		st->conn->be->reset(st);
}

static void bind_va(struct tb_stmt *st, const char *fmt, va_list ap)
{
	for (int i = 0; fmt[i]; i++) {
		switch (fmt[i]) {
		case 's': tb_stmt_bind_text(st, i + 1, va_arg(ap, const char *)); break;
		case 'i': tb_stmt_bind_int(st, i + 1, va_arg(ap, int64_t)); break;
		case 'I': {
			/* An id where 0 means NULL. */
			int64_t v = va_arg(ap, int64_t);
			if (v)
				tb_stmt_bind_int(st, i + 1, v);
			else
				tb_stmt_bind_null(st, i + 1);
			break;
		}
		default: tb_stmt_bind_null(st, i + 1); break;
		}
	}
}

/* Prepares sql and binds fmt's arguments (bind_va). */
static enum tb_err prepare_bound(struct tb_conn *c, const char *sql, const char *fmt, va_list ap,
                                 struct tb_stmt **out)
{
	enum tb_err e = tb_conn_prepare(c, sql, out);
	if (e == TB_OK)
		bind_va(*out, fmt, ap);
	return e;
}

/* Steps st to its end; *changes (may be NULL) gets the rows changed. */
static enum tb_err run_to_end(struct tb_stmt *st, int64_t *changes)
{
	bool row = true;
	enum tb_err e = TB_OK;
	while (e == TB_OK && row)
		e = tb_stmt_step(st, &row);
	if (e == TB_OK && changes)
		*changes = tb_stmt_changes(st);
	return e;
}

enum tb_err tb_conn_query(struct tb_conn *c, struct tb_stmt **out, bool *row, const char *sql,
                          const char *fmt, ...)
{
	*out = NULL;
	*row = false;
	struct tb_stmt *st;
	va_list ap;
	va_start(ap, fmt);
	enum tb_err e = prepare_bound(c, sql, fmt, ap, &st);
	va_end(ap);
	if (e != TB_OK)
		return e;
	e = tb_stmt_step(st, row);
	if (e != TB_OK) {
		tb_stmt_reset(st);
		return e;
	}
	*out = st;
	return TB_OK;
}

enum tb_err tb_conn_run(struct tb_conn *c, int64_t *changes, const char *sql, const char *fmt, ...)
{
	if (changes)
		*changes = 0;
	struct tb_stmt *st;
	va_list ap;
	va_start(ap, fmt);
	enum tb_err e = prepare_bound(c, sql, fmt, ap, &st);
	va_end(ap);
	if (e != TB_OK)
		return e;
	e = run_to_end(st, changes);
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_stmt_run_later(struct tb_stmt *st, int64_t expect)
{
	struct tb_conn *c = st->conn;
	enum tb_err e;
	if (c->in_tx && c->be->run_later) {
		e = c->be->run_later(st, expect);
	} else {
		int64_t changes = 0;
		e = run_to_end(st, &changes);
		if (e == TB_OK && expect >= 0 && changes != expect)
			e = TB_ECONFLICT;
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_conn_run_later(struct tb_conn *c, int64_t expect, const char *sql, const char *fmt,
                              ...)
{
	struct tb_stmt *st;
	va_list ap;
	va_start(ap, fmt);
	enum tb_err e = prepare_bound(c, sql, fmt, ap, &st);
	va_end(ap);
	return e == TB_OK ? tb_stmt_run_later(st, expect) : e;
}

/* ---- batched writes ----------------------------------------------------- */

#define BATCH_MAX 64

/* One attempt; *sent says whether COMMIT was sent (after which a failure
 * leaves the outcome unknown). */
static enum tb_err run_once(struct tb_store *s, enum tb_err (*fn)(struct tb_conn *c, void *arg),
                            void *arg, bool *sent)
{
	*sent = false;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_conn_begin(c);
	if (e == TB_OK) {
		e = fn(c, arg);
		if (e == TB_OK) {
			*sent = true;
			e = tb_conn_commit(c);
		} else {
			tb_conn_rollback(c);
		}
	}
	tb_store_release(c);
	return e;
}

/* Runs fn in a transaction of its own. When the server is lost before the
 * commit was sent (a failover, a restart), nothing was written and the
 * transaction is run again on a new connection, a few times over about
 * three seconds; a failure of the COMMIT itself is returned (TB_EUNAVAIL):
 * whether it took effect is unknown, and only the caller knows whether
 * its request may be repeated (a submission may: it is idempotent). */
static enum tb_err run_alone(struct tb_store *s, enum tb_err (*fn)(struct tb_conn *c, void *arg),
                             void *arg)
{
	static const int wait_ms[] = {100, 400, 1000, 1500};
	bool sent;
	enum tb_err e = run_once(s, fn, arg, &sent);
	for (size_t i = 0; i < sizeof(wait_ms) / sizeof(wait_ms[0]); i++) {
		if (e != TB_EUNAVAIL || sent || s->be->kind != TB_STORE_PG)
			break;
		tb_log_warn("store", "the store is unavailable: trying again in %d ms", wait_ms[i]);
		struct timespec ts = {wait_ms[i] / 1000, (long)(wait_ms[i] % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		e = run_once(s, fn, arg, &sent);
	}
	return e;
}

/* Commits the writer's transaction: with a backend that can, without
 * waiting for the fsync (each job's waiter waits for it, while the writer
 * goes on with the next batch: fsyncs and batches overlap). */
static enum tb_err batch_commit(struct tb_conn *c, uint64_t *ticket)
{
	*ticket = 0;
	if (!c->be->commit_deferred)
		return tb_conn_commit(c);
	enum tb_err e = c->be->commit_deferred(c, ticket);
	if (e != TB_OK) {
		tb_conn_rollback(c);
		return e;
	}
	c->in_tx = false;
	return TB_OK;
}

/* Runs a batch of jobs in one transaction, each in a savepoint. */
static void run_batch(struct tb_store *s, struct job *batch)
{
	struct tb_conn *c = s->writer;
	enum tb_err e = tb_conn_begin(c);
	for (struct job *j = batch; j; j = j->next) {
		if (e != TB_OK) {
			j->result = e;
			continue;
		}
		enum tb_err se = tb_conn_exec(c, "SAVEPOINT job");
		j->result = se == TB_OK ? j->fn(c, j->arg) : se;
		if (se == TB_OK && j->result == TB_OK) {
			tb_conn_exec(c, "RELEASE job");
		} else if (se == TB_OK) {
			tb_conn_exec(c, "ROLLBACK TO job");
			tb_conn_exec(c, "RELEASE job");
		}
	}
	uint64_t ticket = 0;
	if (e == TB_OK)
		e = batch_commit(c, &ticket);
	if (e != TB_OK) {
		tb_conn_rollback(c);
		for (struct job *j = batch; j; j = j->next)
			if (j->result == TB_OK)
				j->result = e; /* nothing of the batch is durable */
	}
	for (struct job *j = batch; j; j = j->next)
		j->ticket = j->result == TB_OK ? ticket : 0;
}

/* Waits for the durability of the asynchronous jobs of a batch (they
 * share one commit, so one wait) and tells each its result. */
static void finish_async(struct tb_store *s, struct job *async)
{
	enum tb_err durable = TB_OK;
	uint64_t waited = 0;
	for (struct job *j = async, *next; j; j = next) {
		next = j->next;
		if (j->result == TB_OK && j->ticket) {
			if (j->ticket != waited) {
				durable = s->writer->be->durable(s->writer, j->ticket);
				waited = j->ticket;
			}
			j->result = durable;
		}
		j->on_done(j->cb, j->result);
		free(j);
	}
}

static void *writer_main(void *arg)
{
	struct tb_store *s = arg;
	pthread_mutex_lock(&s->wmu);
	for (;;) {
		while (!s->jobs && !s->writer_stop)
			pthread_cond_wait(&s->jobs_cv, &s->wmu);
		if (!s->jobs && s->writer_stop)
			break;
		/* Take what is waiting, up to BATCH_MAX. */
		struct job *batch = s->jobs, *last = batch;
		int n = 1;
		while (last->next && n < BATCH_MAX) {
			last = last->next;
			n++;
		}
		s->jobs = last->next;
		if (!s->jobs)
			s->jobs_tail = &s->jobs;
		last->next = NULL;
		pthread_mutex_unlock(&s->wmu);
		run_batch(s, batch);
		/* Asynchronous jobs are taken out first: waiting ones may be
		 * gone as soon as they are signalled. */
		struct job *async = NULL, **async_tail = &async;
		pthread_mutex_lock(&s->wmu);
		for (struct job *j = batch, *next; j; j = next) {
			next = j->next;
			if (j->on_done) {
				j->next = NULL;
				*async_tail = j;
				async_tail = &j->next;
				continue;
			}
			j->done = true;
			pthread_cond_signal(&j->cv);
		}
		pthread_mutex_unlock(&s->wmu);
		finish_async(s, async);
		pthread_mutex_lock(&s->wmu);
	}
	pthread_mutex_unlock(&s->wmu);
	return NULL;
}

/* Starts the writer on first use; false when it cannot (then callers run
 * alone). Called with s->wmu held. */
static bool writer_start(struct tb_store *s)
{
	if (s->writer_running)
		return true;
	struct tb_fail f = {0};
	if (s->be->connect(s->target, &s->writer, &f) != TB_OK)
		return false;
	s->writer->store = s;
	if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
		s->be->disconnect(s->writer);
		s->writer = NULL;
		return false;
	}
	s->writer_running = true;
	return true;
}

static void writer_stop(struct tb_store *s)
{
	pthread_mutex_lock(&s->wmu);
	bool running = s->writer_running;
	s->writer_stop = true;
	pthread_cond_broadcast(&s->jobs_cv);
	pthread_mutex_unlock(&s->wmu);
	if (!running)
		return;
	pthread_join(s->writer_thread, NULL);
	s->be->disconnect(s->writer);
	s->writer = NULL;
	s->writer_running = false;
}

enum tb_err tb_store_write(struct tb_store *s, enum tb_err (*fn)(struct tb_conn *c, void *arg),
                           void *arg)
{
	if (s->be->kind != TB_STORE_SQLITE)
		return run_alone(s, fn, arg);
	pthread_mutex_lock(&s->wmu);
	if (s->writer_stop || !writer_start(s)) {
		pthread_mutex_unlock(&s->wmu);
		return run_alone(s, fn, arg);
	}
	struct job j = {.fn = fn, .arg = arg, .result = TB_OK};
	pthread_cond_init(&j.cv, NULL);
	*s->jobs_tail = &j;
	s->jobs_tail = &j.next;
	pthread_cond_signal(&s->jobs_cv);
	while (!j.done)
		pthread_cond_wait(&j.cv, &s->wmu);
	struct tb_conn *writer = s->writer;
	pthread_mutex_unlock(&s->wmu);
	pthread_cond_destroy(&j.cv);
	/* Acknowledged only once durable. */
	if (j.result == TB_OK && j.ticket)
		j.result = writer->be->durable(writer, j.ticket);
	return j.result;
}

bool tb_store_async(struct tb_store *s)
{
	if (s->be->kind != TB_STORE_SQLITE)
		return false;
	pthread_mutex_lock(&s->wmu);
	bool ok = !s->writer_stop && writer_start(s);
	pthread_mutex_unlock(&s->wmu);
	return ok;
}

void tb_store_write_async(struct tb_store *s, enum tb_err (*fn)(struct tb_conn *c, void *arg),
                          void *arg, void (*on_done)(void *cb, enum tb_err result), void *cb)
{
	pthread_mutex_lock(&s->wmu);
	if (s->writer_stop || !writer_start(s)) {
		/* Stopping: the write runs here and now. */
		pthread_mutex_unlock(&s->wmu);
		on_done(cb, run_alone(s, fn, arg));
		return;
	}
	struct job *j = tb_xcalloc(1, sizeof(*j));
	j->fn = fn;
	j->arg = arg;
	j->on_done = on_done;
	j->cb = cb;
	*s->jobs_tail = j;
	s->jobs_tail = &j->next;
	pthread_cond_signal(&s->jobs_cv);
	pthread_mutex_unlock(&s->wmu);
}
