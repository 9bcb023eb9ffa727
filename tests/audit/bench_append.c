/* A small benchmark of audited writes (not part of make test; build it
 * with `make build/tests/audit/bench_append`): THREADS threads, each
 * committing transactions of one row in a table of its own kind plus one
 * audit record (tb_audit_append), for SECONDS; prints transactions per
 * second and the audit chain's verification. Meant for a PostgreSQL
 * server that flushes its commits (fsync on, synchronous_commit on): there
 * the time a transaction holds the audit head is its commit's flush.
 *   bench_append URL SECONDS THREADS...
 * The store at URL is migrated and written to (use a scratch database). */
#include "audit/audit.h"
#include "store/migrate.h"
#include "store/store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_bool stop;

struct worker {
	struct tb_store *s;
	int id;
	int64_t done;
	enum tb_err e;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char actor[32];
	snprintf(actor, sizeof(actor), "account:%d", 1000 + w->id);
	while (!atomic_load(&stop) && w->e == TB_OK) {
		struct tb_conn *c;
		if ((w->e = tb_store_acquire(w->s, &c)) != TB_OK)
			break;
		w->e = tb_conn_begin(c);
		if (w->e == TB_OK)
			w->e =
			    tb_conn_run(c, NULL, "INSERT INTO bench_rows (worker, n) VALUES (?, ?)",
			                "ii", (int64_t)w->id, w->done);
		struct tb_audit_rec r = {.actor = actor,
		                         .action = "case.submit",
		                         .object = "case:bench",
		                         .outcome = "ok",
		                         .client = "198.51.100.2"};
		if (w->e == TB_OK)
			w->e = tb_audit_append(c, &r, NULL);
		if (w->e == TB_OK)
			w->e = tb_conn_commit(c);
		else
			tb_conn_rollback(c);
		tb_store_release(c);
		if (w->e == TB_OK)
			w->done++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench_append URL SECONDS THREADS...\n");
		return 2;
	}
	int secs = (int)strtol(argv[2], NULL, 10);
	int most = 1;
	for (int i = 3; i < argc; i++) {
		int n = (int)strtol(argv[i], NULL, 10);
		most = n > most ? n : most;
	}
	struct tb_store *s;
	struct tb_fail f = {0};
	if (tb_store_open(argv[1], most, &s, &f) != TB_OK) {
		fprintf(stderr, "bench_append: %s: %s\n", f.field, f.reason);
		return 1;
	}
	int applied;
	struct tb_conn *c;
	if (tb_store_migrate(s, &applied) != TB_OK || tb_store_acquire(s, &c) != TB_OK ||
	    tb_conn_exec(c, "CREATE TABLE IF NOT EXISTS bench_rows (worker BIGINT NOT NULL,"
	                    " n BIGINT NOT NULL)") != TB_OK) {
		fprintf(stderr, "bench_append: cannot prepare the store\n");
		return 1;
	}
	tb_store_release(c);
	printf("%-10s %14s\n", "threads", "transactions/s");
	for (int i = 3; i < argc; i++) {
		int n = (int)strtol(argv[i], NULL, 10);
		struct worker *w = calloc((size_t)n, sizeof(*w));
		pthread_t *t = calloc((size_t)n, sizeof(*t));
		atomic_store(&stop, false);
		double t0 = now();
		for (int k = 0; k < n; k++) {
			w[k] = (struct worker){.s = s, .id = k, .e = TB_OK};
			pthread_create(&t[k], NULL, work, &w[k]);
		}
		struct timespec d = {.tv_sec = secs};
		nanosleep(&d, NULL);
		atomic_store(&stop, true);
		int64_t total = 0;
		int failed = 0;
		for (int k = 0; k < n; k++) {
			pthread_join(t[k], NULL);
			total += w[k].done;
			failed += w[k].e != TB_OK;
		}
		double el = now() - t0;
		printf("%-10d %14.0f%s\n", n, (double)total / el,
		       failed ? "  (writers failed)" : "");
		fflush(stdout);
		free(w);
		free(t);
	}
	struct tb_audit_check chk;
	double t0 = now();
	if (tb_audit_verify(s, &chk) != TB_OK) {
		fprintf(stderr, "bench_append: verify failed\n");
		return 1;
	}
	printf("verify: %" PRId64 " records %s in %.2f s\n", chk.count,
	       chk.problem ? chk.problem : "intact", now() - t0);
	tb_store_close(s);
	return chk.problem ? 1 : 0;
}
