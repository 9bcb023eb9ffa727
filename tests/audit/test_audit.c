/* The audit hash chain on SQLite and PostgreSQL: appending (Chinese text,
 * rollback, four threads at once), refusals, queries, the canonical format
 * recomputed independently, every kind of tampering done directly in SQL,
 * and `tongban audit verify` run as the real binary. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "store/migrate.h"
#include "store/store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHAIN 20

struct fx {
	struct tb_store *s;
	char url[512];
};

static int setup_with(void **state, const char *url)
{
	if (!url)
		return -1;
	struct fx *x = calloc(1, sizeof(*x));
	snprintf(x->url, sizeof(x->url), "%s", url);
	struct tb_fail f = {0};
	if (tb_store_open(url, 4, &x->s, &f) != TB_OK)
		return -1;
	int applied;
	if (tb_store_migrate(x->s, &applied) != TB_OK)
		return -1;
	*state = x;
	return 0;
}

static int setup_sqlite(void **state)
{
	return setup_with(state, test_sqlite_fresh());
}

static int setup_pg(void **state)
{
	return setup_with(state, test_pg_fresh("audit"));
}

static int teardown(void **state)
{
	struct fx *x = *state;
	tb_store_close(x->s);
	free(x);
	return 0;
}

static const char *const OBJECTS[] = {"account:12", "department:3 浙江省杭州市西湖区",
                                      "case:7 不动产登记", "region:330106"};

/* Appends n records, each in its own transaction; checks the seqs. */
static void build_chain(struct tb_store *s, int n)
{
	for (int i = 0; i < n; i++) {
		char actor[32], req[32];
		snprintf(actor, sizeof(actor), "account:%d", 10 + i % 3);
		snprintf(req, sizeof(req), "req-%d", i);
		struct tb_audit_rec r = {
		    .ts = 1767225600 + i,
		    .actor = actor,
		    .acting_for = i % 2 ? "account:40" : NULL,
		    .action = i % 4 == 3 ? "auth.login" : "case.update",
		    .object = OBJECTS[i % 4],
		    .outcome = i % 5 == 4 ? "denied" : "ok",
		    .client = "203.0.113.7",
		    .request_id = req,
		};
		struct tb_conn *c;
		assert_int_equal(tb_store_acquire(s, &c), TB_OK);
		assert_int_equal(tb_conn_begin(c), TB_OK);
		int64_t seq = 0;
		assert_int_equal(tb_audit_append(c, &r, &seq), TB_OK);
		assert_int_equal(tb_conn_commit(c), TB_OK);
		tb_store_release(c);
		(void)seq;
	}
}

static int64_t head_seq(struct tb_store *s)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(tb_conn_query(c, &st, &row, "SELECT seq FROM audit_head WHERE id = 1", ""),
	                 TB_OK);
	assert_true(row);
	int64_t v = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	tb_store_release(c);
	return v;
}

static void expect_intact(struct tb_store *s, int64_t count)
{
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(s, &chk), TB_OK);
	if (chk.problem)
		fail_msg("record %" PRId64 " %s: %s", chk.bad_seq, chk.problem, chk.detail);
	assert_int_equal(chk.count, count);
	assert_int_equal(chk.bad_seq, 0);
	assert_int_equal(strlen(chk.head), 64);
}

static void expect_problem(struct tb_store *s, int64_t seq, const char *p1, const char *p2)
{
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(s, &chk), TB_OK);
	if (!chk.problem)
		fail_msg("tampering not caught (%" PRId64 " records intact)", chk.count);
	if (chk.bad_seq != seq ||
	    (strcmp(chk.problem, p1) != 0 && (!p2 || strcmp(chk.problem, p2))))
		fail_msg("want record %" PRId64 " %s, got record %" PRId64 " %s: %s", seq, p1,
		         chk.bad_seq, chk.problem, chk.detail);
	assert_true(chk.detail[0] != '\0');
	/* Records before the bad one checked out (all of them for the head). */
	assert_true(chk.count == seq - 1 || chk.count == seq);
}

/* The stored record seq (strings in a). */
static struct tb_audit_entry get_rec(struct tb_store *s, struct tb_arena *a, int64_t seq)
{
	struct tb_audit_filter f = {.before_seq = seq + 1, .limit = 1};
	struct tb_audit_entry *e;
	size_t n;
	assert_int_equal(tb_audit_query(s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].seq, seq);
	return e[0];
}

/* The hash of e, computed here from the written format, not audit.c. */
static void independent_hash(const struct tb_audit_entry *e, char out[TB_SM3_HEX])
{
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_printf(&b, "%stongban-audit-v1\x1f%" PRId64 "\x1f%" PRId64, e->prev_hash, e->seq,
	              e->ts);
	const char *f[] = {e->actor,   e->acting_for, e->action,    e->object,
	                   e->outcome, e->client,     e->request_id};
	for (size_t i = 0; i < 7; i++)
		tb_buf_printf(&b, "\x1f%s", f[i]);
	tb_sm3_hex(b.data, b.len, out);
	tb_buf_free(&b);
}

/* Runs q directly (the tampering); it must change at least one row. */
static void sql(struct tb_store *s, const char *q)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	int64_t changed = 0;
	assert_int_equal(tb_conn_run(c, &changed, q, ""), TB_OK);
	assert_true(changed >= 1);
	tb_store_release(c);
}

/* Writes every column of e but seq into row seq. */
static void overwrite(struct tb_store *s, int64_t seq, const struct tb_audit_entry *e)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	int64_t changed = 0;
	assert_int_equal(tb_conn_run(c, &changed,
	                             "UPDATE audit_log SET ts = ?, actor = ?, acting_for = ?,"
	                             " action = ?, object = ?, outcome = ?, client = ?,"
	                             " request_id = ?, prev_hash = ?, hash = ? WHERE seq = ?",
	                             "isssssssssi", e->ts, e->actor, e->acting_for, e->action,
	                             e->object, e->outcome, e->client, e->request_id, e->prev_hash,
	                             e->hash, seq),
	                 TB_OK);
	assert_int_equal(changed, 1);
	tb_store_release(c);
}

/* ---- the chain ---------------------------------------------------------- */

struct worker {
	struct tb_store *s;
	int id;
	enum tb_err e;
	int64_t last;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 50 && w->e == TB_OK; i++) {
		char actor[32];
		snprintf(actor, sizeof(actor), "account:%d", 100 + w->id);
		struct tb_audit_rec r = {.actor = actor,
		                         .action = "case.submit",
		                         .object = "case:办件",
		                         .outcome = "ok",
		                         .client = "198.51.100.2"};
		struct tb_conn *c;
		w->e = tb_store_acquire(w->s, &c);
		if (w->e != TB_OK)
			break;
		w->e = tb_conn_begin(c);
		int64_t seq = 0;
		if (w->e == TB_OK)
			w->e = tb_audit_append(c, &r, &seq);
		if (w->e == TB_OK)
			w->e = tb_conn_commit(c);
		tb_store_release(c);
		if (w->e == TB_OK && seq <= w->last)
			w->e = TB_EINTERNAL; /* a thread's own records must ascend */
		w->last = seq;
	}
	return NULL;
}

static void chain_append_rollback_threads(void **state)
{
	struct fx *x = *state;
	expect_intact(x->s, 0);
	build_chain(x->s, CHAIN);
	expect_intact(x->s, CHAIN);

	struct tb_arena *a = tb_arena_new();
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
	struct tb_audit_entry last = get_rec(x->s, a, CHAIN);
	assert_string_equal(chk.head, last.hash);
	/* The format as documented, recomputed independently. */
	for (int64_t i = 1; i <= CHAIN; i++) {
		struct tb_audit_entry e = get_rec(x->s, a, i);
		char h[TB_SM3_HEX];
		independent_hash(&e, h);
		assert_string_equal(h, e.hash);
	}
	struct tb_audit_entry first = get_rec(x->s, a, 1);
	assert_string_equal(first.prev_hash,
	                    "0000000000000000000000000000000000000000000000000000000000000000");
	assert_string_equal(first.acting_for, "");
	assert_string_equal(get_rec(x->s, a, 2).object, "department:3 浙江省杭州市西湖区");

	/* A rolled-back change takes its audit record with it. */
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(x->s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	struct tb_audit_rec r = {.actor = "system", .action = "x.y", .outcome = "ok"};
	int64_t seq = 0;
	assert_int_equal(tb_audit_append(c, &r, &seq), TB_OK);
	assert_int_equal(seq, CHAIN + 1);
	tb_conn_rollback(c);
	tb_store_release(c);
	assert_int_equal(head_seq(x->s), CHAIN);
	struct tb_audit_check chk2;
	assert_int_equal(tb_audit_verify(x->s, &chk2), TB_OK);
	assert_null(chk2.problem);
	assert_int_equal(chk2.count, CHAIN);
	assert_string_equal(chk2.head, chk.head);

	/* Four writers at once: no gaps, no forks. */
	struct worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){x->s, i, TB_OK, 0};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].e, TB_OK);
	}
	expect_intact(x->s, CHAIN + 200);
	assert_int_equal(head_seq(x->s), CHAIN + 200);

	/* tb_audit_log: its own transaction. */
	struct tb_audit_rec fl = {.actor = "anonymous",
	                          .action = "auth.login",
	                          .object = "account:12",
	                          .outcome = "failed",
	                          .client = "192.0.2.1",
	                          .request_id = "r1"};
	assert_int_equal(tb_audit_log(x->s, &fl), TB_OK);
	expect_intact(x->s, CHAIN + 201);
	struct tb_audit_entry newest = get_rec(x->s, a, CHAIN + 201);
	assert_string_equal(newest.outcome, "failed");
	assert_true(newest.ts > 1700000000); /* ts 0 = now */
	tb_arena_free(a);
}

static void bad_records_are_refused(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, 2);
	char big[TB_AUDIT_FIELD_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char max[TB_AUDIT_FIELD_MAX + 1];
	memset(max, 'a', sizeof(max) - 1);
	max[sizeof(max) - 1] = '\0';
	const struct tb_audit_rec ok = {.actor = "system", .action = "a.b", .outcome = "ok"};
	struct tb_audit_rec bad[9];
	for (int i = 0; i < 9; i++)
		bad[i] = ok;
	bad[0].object = "case:1\x1f"
	                "forged";
	bad[1].client = "a\nb";
	bad[2].request_id = big;
	bad[3].actor = "";
	bad[4].action = NULL;
	bad[5].outcome = "maybe";
	bad[6].object = "\xe4\xb8"; /* truncated UTF-8 */
	bad[7].ts = -1;
	bad[8].acting_for = "\t";
	for (int i = 0; i < 9; i++)
		assert_int_equal(tb_audit_log(x->s, &bad[i]), TB_EINVAL);
	expect_intact(x->s, 2);
	assert_int_equal(head_seq(x->s), 2);
	struct tb_audit_rec edge = ok;
	edge.object = max;
	assert_int_equal(tb_audit_log(x->s, &edge), TB_OK);
	expect_intact(x->s, 3);
}

static void query_filters_and_pages(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry *e;
	size_t n;
	struct tb_audit_filter f = {.limit = 7};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 7);
	assert_int_equal(e[0].seq, CHAIN);
	assert_int_equal(e[6].seq, CHAIN - 6);
	/* Paging backwards until the start. */
	int64_t total = 0, before = 0;
	for (;;) {
		f.before_seq = before;
		assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
		if (n == 0)
			break;
		for (size_t i = 1; i < n; i++)
			assert_int_equal(e[i].seq, e[i - 1].seq - 1);
		total += (int64_t)n;
		before = e[n - 1].seq;
	}
	assert_int_equal(total, CHAIN);

	/* build_chain: actor account:(10 + i%3), object OBJECTS[i%4], ts base+i
	 * for i = seq - 1. */
	f = (struct tb_audit_filter){.object = "department:3 浙江省杭州市西湖区", .limit = 500};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, CHAIN / 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal((e[i].seq - 1) % 4, 1);
	f = (struct tb_audit_filter){.actor = "account:10", .object = "account:12", .limit = 500};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 2); /* i = 0, 12 */
	assert_int_equal(e[0].seq, 13);
	assert_int_equal(e[1].seq, 1);
	f = (struct tb_audit_filter){
	    .from_ts = 1767225600 + 5, .to_ts = 1767225600 + 9, .limit = 3};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].seq, 10);
	f.before_seq = e[2].seq;
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(e[1].seq, 6);
	f = (struct tb_audit_filter){.actor = "nobody", .limit = 10};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 0);

	f = (struct tb_audit_filter){.limit = 0};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_EINVAL);
	f.limit = 501;
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_EINVAL);
	tb_arena_free(a);
}

/* Verify reads one snapshot: while writers append, every walk sees a
 * consistent chain and head (never a false alarm). */
static void verify_while_appending(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, 5);
	struct worker w[2];
	pthread_t t[2];
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){x->s, i, TB_OK, 0};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	int64_t seen = 0;
	int walks = 0;
	/* Bounded: writers that stop early (a failed append) must fail the
	 * test, not hang it. */
	time_t give_up = time(NULL) + 120;
	while (seen < 105) {
		if (time(NULL) > give_up)
			fail_msg("only %" PRId64 " of 105 records after 120 s", seen);
		struct tb_audit_check chk;
		assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
		if (chk.problem)
			fail_msg("record %" PRId64 " %s: %s", chk.bad_seq, chk.problem, chk.detail);
		assert_true(chk.count >= seen);
		seen = chk.count;
		walks++;
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].e, TB_OK);
	}
	assert_true(walks >= 1);
	expect_intact(x->s, 105);
}

/* More than one page of the verify walk (1000 rows), appended in one
 * transaction; a gap right at and after a page boundary. */
static void long_chain_pages(void **state)
{
	struct fx *x = *state;
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(x->s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	for (int i = 1; i <= 2345; i++) {
		char obj[32];
		snprintf(obj, sizeof(obj), "case:%d", i);
		struct tb_audit_rec r = {
		    .actor = "system", .action = "case.expire", .object = obj, .outcome = "ok"};
		int64_t seq;
		assert_int_equal(tb_audit_append(c, &r, &seq), TB_OK);
		assert_int_equal(seq, i);
	}
	assert_int_equal(tb_conn_commit(c), TB_OK);
	tb_store_release(c);
	expect_intact(x->s, 2345);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 2001");
	expect_problem(x->s, 2001, "removed", NULL);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 1000");
	expect_problem(x->s, 1000, "removed", NULL);
}

/* ---- tampering ---------------------------------------------------------- */

static void tamper_field(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	sql(x->s, "UPDATE audit_log SET outcome = 'ok', actor = 'account:99' WHERE seq = 5");
	expect_problem(x->s, 5, "altered", NULL);
}

static void tamper_ts(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	sql(x->s, "UPDATE audit_log SET ts = ts + 1 WHERE seq = 11");
	expect_problem(x->s, 11, "altered", NULL);
}

static void tamper_delete_middle(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 7");
	expect_problem(x->s, 7, "removed", NULL);
}

static void tamper_delete_first(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	sql(x->s, "DELETE FROM audit_log WHERE seq <= 2");
	expect_problem(x->s, 1, "removed", NULL);
}

static void tamper_swap(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r3 = get_rec(x->s, a, 3), r4 = get_rec(x->s, a, 4);
	overwrite(x->s, 3, &r4);
	overwrite(x->s, 4, &r3);
	tb_arena_free(a);
	expect_problem(x->s, 3, "reordered", "altered");
}

static void tamper_delete_tail(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 20");
	expect_problem(x->s, 20, "removed", NULL);
	sql(x->s, "DELETE FROM audit_log WHERE seq >= 17");
	expect_problem(x->s, 17, "removed", NULL);
}

static void tamper_head_hash(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	sql(x->s,
	    "UPDATE audit_head SET hash = "
	    "'1111111111111111111111111111111111111111111111111111111111111111' WHERE id = 1");
	expect_problem(x->s, CHAIN, "altered", NULL);
}

static void tamper_head_seq(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	sql(x->s, "UPDATE audit_head SET seq = seq - 1 WHERE id = 1");
	expect_problem(x->s, CHAIN, "altered", NULL);
	sql(x->s, "UPDATE audit_head SET seq = seq + 5 WHERE id = 1");
	expect_problem(x->s, CHAIN + 1, "removed", NULL);
}

static void tamper_rehash(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r = get_rec(x->s, a, 9);
	r.object = "account:1 (forged)";
	char h[TB_SM3_HEX];
	independent_hash(&r, h);
	r.hash = h;
	overwrite(x->s, 9, &r);
	tb_arena_free(a);
	/* Record 9 checks out by itself; record 10 committed to the old hash. */
	expect_problem(x->s, 10, "reordered", "altered");
}

static void tamper_rehash_tail(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r = get_rec(x->s, a, CHAIN);
	r.outcome = "ok";
	r.actor = "system";
	char h[TB_SM3_HEX];
	independent_hash(&r, h);
	r.hash = h;
	overwrite(x->s, CHAIN, &r);
	tb_arena_free(a);
	/* The last record has no successor: the head still holds the old hash. */
	expect_problem(x->s, CHAIN, "altered", NULL);
}

/* ---- the command ---------------------------------------------------------- */

/* Runs the binary with args; stdout into out; returns the exit status. */
static int run_bin(char *out, size_t size, const char *const *args)
{
	const char *bin = getenv("TB_TEST_BIN");
	if (!bin)
		bin = "build/tongban";
	const char *argv[16];
	int n = 0;
	argv[n++] = bin;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		freopen("/dev/null", "w", stderr); /* usage text */
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while ((r = read(p[0], out + len, size - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void cli_verify(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
	char out[1024], want[256];
	const char *verify[] = {"audit", "verify", "--db", x->url, NULL};
	assert_int_equal(run_bin(out, sizeof(out), verify), 0);
	snprintf(want, sizeof(want), "audit: %d records intact, head %s\n", CHAIN, chk.head);
	assert_string_equal(out, want);

	sql(x->s, "DELETE FROM audit_log WHERE seq = 7");
	assert_int_equal(run_bin(out, sizeof(out), verify), 1);
	assert_true(strncmp(out, "audit: record 7 removed: ", 25) == 0);

	const char *help[] = {"audit", "--help", NULL};
	assert_int_equal(run_bin(out, sizeof(out), help), 0);
	assert_non_null(strstr(out, "usage: tongban audit verify"));
	const char *none[] = {"audit", NULL};
	assert_int_equal(run_bin(out, sizeof(out), none), 2);
	assert_string_equal(out, ""); /* usage goes to stderr */
	const char *other[] = {"audit", "repair", "--db", x->url, NULL};
	assert_int_equal(run_bin(out, sizeof(out), other), 2);
	const char *badopt[] = {"audit", "verify", "--bogus", NULL};
	assert_int_equal(run_bin(out, sizeof(out), badopt), 2);
}

#define BOTH(name) cmocka_unit_test_setup_teardown(name, setup_sqlite, teardown),
#define PG(name)   cmocka_unit_test_setup_teardown(name, setup_pg, teardown),

#define TESTS(X)                         \
	X(chain_append_rollback_threads) \
	X(bad_records_are_refused)       \
	X(query_filters_and_pages)       \
	X(long_chain_pages)              \
	X(verify_while_appending)        \
	X(tamper_field)                  \
	X(tamper_ts)                     \
	X(tamper_delete_middle)          \
	X(tamper_delete_first)           \
	X(tamper_swap)                   \
	X(tamper_delete_tail)            \
	X(tamper_head_hash)              \
	X(tamper_head_seq)               \
	X(tamper_rehash)                 \
	X(tamper_rehash_tail)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {TESTS(BOTH) BOTH(cli_verify)};
	const struct CMUnitTest pg_tests[] = {TESTS(PG) PG(cli_verify)};
	int failed = cmocka_run_group_tests_name("audit/sqlite", sqlite_tests, NULL, NULL);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("audit/postgresql", pg_tests, NULL, NULL);
	return failed ? 1 : 0;
}
