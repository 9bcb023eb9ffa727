/* Backup, restore and signed audit checkpoints against the real binary
 * with --demo, on SQLite and PostgreSQL (#14):
 * - `tongban backup` while a thread keeps creating cases through the API;
 *   `tongban restore` into a fresh target; the restored chain verifies,
 *   every case acknowledged (answered 201) before the backup command was
 *   started is there, and so is every blob the restored materials name and
 *   every department key file (mode 0600). Cases acknowledged while the
 *   backup ran may or may not be in it: only "before it started" is
 *   promised.
 * - a non-empty target is refused without --force; bad input gets a clear
 *   message and a non-zero exit;
 * - the server signs a checkpoint at start (GET /api/v1/audit/checkpoint,
 *   public); `tongban audit checkpoint` signs one on demand; `audit verify
 *   --checkpoint` passes intact chains, refuses a forged or foreign
 *   checkpoint (a chain's count changed under its signature too), and
 *   fails a chain whose tail was deleted and whose head was rewritten to
 *   match (which plain `audit verify` cannot see), or that was rewritten
 *   past the checkpoint. */
#include "support.h"

#include "audit/audit.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define BIRTH "1133010002486186853200032801000" /* 生育登记 */
#define ZHANG "33010619900101123X"
#define CLERK "330106198808081015" /* 西湖区政务服务中心 window */

static struct test_srv srv;
static struct test_session zhang, clerk;
static char db_url[512];
static bool is_pg;

static int start(const char *db, bool pg)
{
	snprintf(db_url, sizeof(db_url), "%s", db);
	is_pg = pg;
	const struct test_who who[] = {{ZHANG, &zhang}, {CLERK, &clerk}};
	return test_start_demo(&srv, db_url, who, 2);
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh(), false);
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("backup"), true);
}

static int stop(void **state)
{
	(void)state;
	/* The checkpoint test stops the server itself to edit the store. */
	return srv.pid == 0 || srv_stop(&srv) == 0 ? 0 : -1;
}

/* --db URL for the CLI on the server's store. */
static const char *db_opt(const char *url)
{
	static char buf[700];
	snprintf(buf, sizeof(buf), "--db '%.600s'", url);
	return buf;
}

static struct tb_store *open_store(const char *url)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(url, 2, &s, &f), TB_OK);
	return s;
}

static void sql(struct tb_store *s, const char *q)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_conn_exec(c, q), TB_OK);
	tb_store_release(c);
}

/* ---- backup under write load ------------------------------------------- */

#define MAX_CASES 4000

struct acked {
	char no[64];
	bool before; /* acknowledged before the backup started */
};

static struct acked acks[MAX_CASES];
static atomic_int nacks;
static atomic_bool backup_started, writer_stop;
static long writer_bad_status;
static char writer_bad_body[256];

/* Receives cases for 张三 at the window until told to stop, noting each acknowledged one
 * and whether its 201 arrived before the backup was started. */
static void *writer(void *arg)
{
	(void)arg;
	while (!atomic_load(&writer_stop) && atomic_load(&nacks) < MAX_CASES) {
		struct http_resp r;
		test_call(&srv, &clerk, "POST", "/api/v1/cases",
		          "{\"item\":\"" BIRTH "\",\"applicant\":\"" ZHANG "\"}", &r);
		/* Read after the answer came: a false here means the answer
		 * came before the flag was set, i.e. before the backup began. */
		bool before = !atomic_load(&backup_started);
		json_t *j = r.status == 201 ? json_loads(r.body, 0, NULL) : NULL;
		const char *no = json_string_value(json_object_get(j, "case_no"));
		if (no) {
			int i = atomic_load(&nacks);
			snprintf(acks[i].no, sizeof(acks[i].no), "%s", no);
			acks[i].before = before;
			atomic_store(&nacks, i + 1);
		} else if (!writer_bad_status) {
			writer_bad_status = r.status;
			snprintf(writer_bad_body, sizeof(writer_bad_body), "%s",
			         r.body ? r.body : "");
		}
		json_decref(j);
		http_free(&r);
	}
	return NULL;
}

static void wait_acks(int n)
{
	for (int i = 0; i < 600 && atomic_load(&nacks) < n && !writer_bad_status; i++)
		nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
}

static void backup_under_load(void **state)
{
	(void)state;
	char out[4096];
	char bk[300], target[300], restored_db[600];
	snprintf(bk, sizeof(bk), "%s", test_tmpdir()); /* empty: allowed */
	snprintf(target, sizeof(target), "%s/data", test_tmpdir());
	if (is_pg)
		snprintf(restored_db, sizeof(restored_db), "%s", test_pg_fresh("restored"));
	else
		snprintf(restored_db, sizeof(restored_db), "sqlite:%s/tongban.db", target);

	atomic_store(&nacks, 0);
	atomic_store(&backup_started, false);
	atomic_store(&writer_stop, false);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, writer, NULL), 0);
	wait_acks(10);
	atomic_store(&backup_started, true);
	int before_n = atomic_load(&nacks);
	int rc = test_run(out, sizeof(out), "%s backup --data %s %s --out %s", test_bin(), srv.data,
	                  db_opt(db_url), bk);
	/* Writes went on while the backup ran; a few more after it. */
	wait_acks(atomic_load(&nacks) + 5);
	atomic_store(&writer_stop, true);
	pthread_join(t, NULL);
	if (writer_bad_status)
		fail_msg("creating a case answered %ld: %s", writer_bad_status, writer_bad_body);
	if (rc != 0)
		fail_msg("backup exited %d: %s", rc, out);
	assert_non_null(strstr(out, "backup:"));
	assert_true(before_n >= 10);

	/* Restore into a fresh target; again into it is refused. */
	rc = test_run(out, sizeof(out), "%s restore --from %s --data %s %s", test_bin(), bk, target,
	              db_opt(restored_db));
	if (rc != 0)
		fail_msg("restore exited %d: %s", rc, out);
	rc = test_run(out, sizeof(out), "%s restore --from %s --data %s %s", test_bin(), bk, target,
	              db_opt(restored_db));
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "not empty"));
	assert_non_null(strstr(out, "--force"));

	rc = test_run(out, sizeof(out), "%s audit verify --data %s %s", test_bin(), target,
	              db_opt(restored_db));
	if (rc != 0)
		fail_msg("audit verify of the restored store exited %d: %s", rc, out);
	assert_non_null(strstr(out, "intact"));

	/* Every case acknowledged before the backup started is served by a
	 * server on the restored store. */
	struct test_srv back;
	srv_start(&back, restored_db, "--data", target, NULL);
	struct test_session z;
	assert_int_equal(test_login(&back, ZHANG, "tongban-demo", &z), 200);
	int n = atomic_load(&nacks), found_before = 0, during = 0;
	for (int i = 0; i < n; i++) {
		char path[160];
		snprintf(path, sizeof(path), "/api/v1/cases/%.64s", acks[i].no);
		struct http_resp r;
		test_call(&back, &z, "GET", path, NULL, &r);
		if (acks[i].before && r.status != 200)
			fail_msg("case %s, acknowledged before the backup, is missing (%ld)",
			         acks[i].no, r.status);
		found_before += acks[i].before;
		during += !acks[i].before && r.status == 200;
		http_free(&r);
	}
	assert_true(found_before >= before_n);
	print_message("      %d cases acknowledged before the backup, all restored; %d of %d"
	              " acknowledged later are in it too\n",
	              found_before, during, n - found_before);
	assert_int_equal(srv_stop(&back), 0);

	/* The files beside the database: every blob the materials name (those
	 * taken from a certificate name its signed record instead) and
	 * every department key, with the keys' mode kept. */
	struct tb_store *s = open_store(restored_db);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	int blobs = 0, keys = 0;
	assert_int_equal(tb_conn_query(c, &st, &row,
	                               "SELECT DISTINCT sm3 FROM materials"
	                               " WHERE source IN ('upload', 'library')",
	                               ""),
	                 TB_OK);
	while (row) {
		const char *h = tb_stmt_text(st, 0);
		char p[600];
		snprintf(p, sizeof(p), "%s/blobs/%.2s/%.2s/%s", target, h, h + 2, h);
		struct stat sb;
		if (stat(p, &sb) != 0)
			fail_msg("blob %s is missing from the restored data", p);
		blobs++;
		assert_int_equal(tb_stmt_step(st, &row), TB_OK);
	}
	tb_stmt_reset(st);
	assert_int_equal(tb_conn_query(c, &st, &row, "SELECT key_id FROM dept_keys", ""), TB_OK);
	while (row) {
		char p[600];
		snprintf(p, sizeof(p), "%s/keys/%s.pem", target, tb_stmt_text(st, 0));
		struct stat sb;
		if (stat(p, &sb) != 0)
			fail_msg("key %s is missing from the restored data", p);
		assert_int_equal(sb.st_mode & 0777, 0600);
		keys++;
		assert_int_equal(tb_stmt_step(st, &row), TB_OK);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	tb_store_close(s);
	assert_true(blobs >= 1 && keys >= 1);
}

/* Bad input: usage errors exit 2, refusals and failures 1, each saying why. */
static void backup_bad_input(void **state)
{
	(void)state;
	char out[4096];
	assert_int_equal(test_run(out, sizeof(out), "%s backup --data %s", test_bin(), srv.data),
	                 2);
	assert_non_null(strstr(out, "--out PATH is required"));
	assert_int_equal(
	    test_run(out, sizeof(out), "%s restore --data %s", test_bin(), test_tmpdir()), 2);
	assert_non_null(strstr(out, "--from PATH is required"));
	assert_int_equal(test_run(out, sizeof(out), "%s backup --db mysql://x --out %s/b",
	                          test_bin(), test_tmpdir()),
	                 2);
	assert_non_null(strstr(out, "expected sqlite:PATH or postgres://"));
	/* A missing SQLite database is not created by a backup. */
	char empty[300];
	snprintf(empty, sizeof(empty), "%s", test_tmpdir());
	assert_int_equal(test_run(out, sizeof(out), "%s backup --data %s --out %s/b", test_bin(),
	                          empty, test_tmpdir()),
	                 1);
	assert_non_null(strstr(out, "no database at"));
	/* The output folder must be new (or empty). */
	assert_int_equal(test_run(out, sizeof(out), "%s backup --data %s %s --out %s", test_bin(),
	                          srv.data, db_opt(db_url), srv.data),
	                 1);
	assert_non_null(strstr(out, "not empty"));
	/* Not a backup. */
	assert_int_equal(test_run(out, sizeof(out), "%s restore --from %s --data %s/t", test_bin(),
	                          empty, test_tmpdir()),
	                 1);
	assert_non_null(strstr(out, "not a finished tongban backup"));
	/* A backup restores into the same kind of store only. */
	char bk[300];
	snprintf(bk, sizeof(bk), "%s/bk", test_tmpdir());
	assert_int_equal(test_run(out, sizeof(out), "%s backup --data %s %s --out %s", test_bin(),
	                          srv.data, db_opt(db_url), bk),
	                 0);
	/* (The kind is checked before anything is opened.) */
	char target[600];
	if (is_pg)
		snprintf(target, sizeof(target), "--data %s/t", test_tmpdir());
	else
		snprintf(target, sizeof(target), "--data %s/t --db postgres://nobody@127.0.0.1:1/x",
		         test_tmpdir());
	assert_int_equal(
	    test_run(out, sizeof(out), "%s restore --from %s %s", test_bin(), bk, target), 1);
	assert_non_null(strstr(out, "restore into the same kind"));
}

/* ---- checkpoints -------------------------------------------------------- */

/* The checkpoint JSON at path (the test fails when unreadable). */
static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	if (!j)
		fail_msg("%s: %s", path, err.text);
	return j;
}

static void checkpoint_detects_cut_tail(void **state)
{
	(void)state;
	char out[4096];
	/* The server signed one at start: public, no sign-in. */
	json_t *pub = NULL;
	for (int i = 0; i < 100 && !pub; i++) {
		struct http_resp r;
		test_call(&srv, NULL, "GET", "/api/v1/audit/checkpoint", NULL, &r);
		if (r.status == 200)
			pub = json_loads(r.body, 0, NULL);
		else
			assert_int_equal(r.status, 404);
		http_free(&r);
		if (!pub)
			nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	assert_non_null(pub);
	assert_true(json_integer_value(json_object_get(pub, "count")) > 0);
	assert_int_equal(strlen(test_str(pub, "head")), 64);
	assert_int_equal(strlen(test_str(pub, "key_id")), 16);
	assert_non_null(strstr(test_str(pub, "public_pem"), "BEGIN PUBLIC KEY"));
	assert_true(json_integer_value(json_object_get(pub, "time")) > 0);
	/* The platform key is a 0600 file beside the department keys. */
	char p[600];
	snprintf(p, sizeof(p), "%s/keys/platform-audit.pem", srv.data);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* One on demand, kept in a file of our own too. */
	char dir[300], cp[400], pem[400];
	snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	snprintf(cp, sizeof(cp), "%s/cp.json", dir);
	snprintf(pem, sizeof(pem), "%s/platform.pem", dir);
	int rc = test_run(out, sizeof(out), "%s audit checkpoint --data %s %s --out %s", test_bin(),
	                  srv.data, db_opt(db_url), cp);
	if (rc != 0)
		fail_msg("audit checkpoint exited %d: %s", rc, out);
	json_t *mine = load_json(cp);
	json_int_t count = json_integer_value(json_object_get(mine, "count"));
	assert_true(count >= json_integer_value(json_object_get(pub, "count")));
	FILE *f = fopen(pem, "w");
	fputs(test_str(pub, "public_pem"), f);
	fclose(f);
	json_decref(pub);
	/* The openness page's answer is now that one. */
	json_t *now = test_expect(&srv, NULL, "GET", "/api/v1/audit/checkpoint", NULL, 200);
	assert_string_equal(test_str(now, "signature"), test_str(mine, "signature"));
	json_decref(now);

	/* An intact chain holds it, checked with the key file or the public
	 * key kept elsewhere. */
	rc = test_run(out, sizeof(out), "%s audit verify --data %s %s --checkpoint %s", test_bin(),
	              srv.data, db_opt(db_url), cp);
	if (rc != 0)
		fail_msg("verify --checkpoint of an intact chain exited %d: %s", rc, out);
	assert_non_null(strstr(out, "checkpoint ok"));
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s audit verify --data %s %s --checkpoint %s --key %s",
	                          test_bin(), srv.data, db_opt(db_url), cp, pem),
	                 0);

	/* Forged: a count changed under the same signature; a chain's count
	 * (the longest chain: the one cut below). */
	json_t *chains = json_object_get(mine, "chains");
	assert_int_equal(json_array_size(chains), is_pg ? 32 : 1);
	size_t longest = 0;
	for (size_t i = 0; i < json_array_size(chains); i++)
		if (json_integer_value(json_object_get(json_array_get(chains, i), "count")) >
		    json_integer_value(json_object_get(json_array_get(chains, longest), "count")))
			longest = i;
	json_int_t chain_count =
	    json_integer_value(json_object_get(json_array_get(chains, longest), "count"));
	assert_true(chain_count >= 4);
	char forged[400];
	snprintf(forged, sizeof(forged), "%s/forged.json", dir);
	for (int k = 0; k < 2; k++) {
		json_t *fj = json_deep_copy(mine);
		if (k == 0)
			json_object_set_new(fj, "count", json_integer(count - 1));
		else
			json_object_set_new(json_array_get(json_object_get(fj, "chains"), longest),
			                    "count", json_integer(chain_count - 1));
		assert_int_equal(json_dump_file(fj, forged, 0), 0);
		json_decref(fj);
		assert_int_equal(test_run(out, sizeof(out),
		                          "%s audit verify --data %s %s --checkpoint %s",
		                          test_bin(), srv.data, db_opt(db_url), forged),
		                 1);
		assert_non_null(strstr(out, "the signature does not verify"));
	}
	/* Signed, but by another key than the platform's. */
	char other[300];
	snprintf(other, sizeof(other), "%s", test_tmpdir());
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s audit checkpoint --data %s %s --out %s/x.json", test_bin(),
	                          other, db_opt(db_url), other),
	                 0);
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s audit verify --data %s %s --checkpoint %s/x.json", test_bin(),
	                          srv.data, db_opt(db_url), other),
	                 1);
	assert_non_null(strstr(out, "it names another key"));
	/* Not a checkpoint at all: a usage error. */
	assert_int_equal(test_run(out, sizeof(out), "%s audit verify --data %s %s --checkpoint %s",
	                          test_bin(), srv.data, db_opt(db_url), pem),
	                 2);
	assert_non_null(strstr(out, "not a JSON object"));
	assert_int_equal(test_run(out, sizeof(out), "%s audit checkpoint --data %s --checkpoint %s",
	                          test_bin(), srv.data, cp),
	                 2);

	/* Cut the tail of the longest chain and rewrite its head to match,
	 * with the server stopped. */
	assert_int_equal(srv_stop(&srv), 0);
	srv.pid = 0;
	struct tb_store *s = open_store(db_url);
	char q[300];
	int64_t keep = chain_count - 3;
	snprintf(q, sizeof(q), "DELETE FROM audit_log WHERE chain = %zu AND chain_seq > %" PRId64,
	         longest, keep);
	sql(s, q);
	snprintf(q, sizeof(q),
	         "UPDATE audit_head SET count = %" PRId64 ", hash = (SELECT hash FROM audit_log"
	         " WHERE chain = %zu AND chain_seq = %" PRId64 ") WHERE chain = %zu",
	         keep, longest, keep, longest);
	sql(s, q);
	/* The chain alone looks intact... */
	rc = test_run(out, sizeof(out), "%s audit verify --data %s %s", test_bin(), srv.data,
	              db_opt(db_url));
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "intact"));
	/* ...the checkpoint says it is short. */
	rc = test_run(out, sizeof(out), "%s audit verify --data %s %s --checkpoint %s", test_bin(),
	              srv.data, db_opt(db_url), cp);
	if (rc != 1)
		fail_msg("verify --checkpoint of a cut chain exited %d: %s", rc, out);
	assert_non_null(strstr(out, "checkpoint not held"));
	assert_non_null(strstr(out, "were removed"));

	/* Records appended to it after the cut make it long enough again, but
	 * not the chain the checkpoint signed. (PostgreSQL: every other chain
	 * held meanwhile, so that the appends can take only this one.) */
	struct tb_conn *others = NULL;
	if (is_pg) {
		assert_int_equal(tb_store_acquire(s, &others), TB_OK);
		assert_int_equal(tb_conn_begin(others), TB_OK);
		assert_int_equal(
		    tb_conn_run(others, NULL,
		                "SELECT chain FROM audit_head WHERE chain <> ? FOR UPDATE", "i",
		                (int64_t)longest),
		    TB_OK);
	}
	for (int i = 0; i < 5; i++) {
		struct tb_audit_rec rec = {.actor = "system",
		                           .action = "test.rewrite",
		                           .object = "audit",
		                           .outcome = "ok",
		                           .client = "cli"};
		assert_int_equal(tb_audit_log(s, &rec), TB_OK);
	}
	if (others) {
		tb_conn_rollback(others);
		tb_store_release(others);
	}
	tb_store_close(s);
	rc = test_run(out, sizeof(out), "%s audit verify --data %s %s --checkpoint %s", test_bin(),
	              srv.data, db_opt(db_url), cp);
	if (rc != 1)
		fail_msg("verify --checkpoint of a rewritten chain exited %d: %s", rc, out);
	assert_non_null(strstr(out, "the chain was rewritten"));
	json_decref(mine);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(backup_under_load),
	    cmocka_unit_test(backup_bad_input),
	    cmocka_unit_test(checkpoint_detects_cut_tail),
	};
	int failed = cmocka_run_group_tests_name("backup/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("backup/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
