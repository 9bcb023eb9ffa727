/* Crash safety against the real binary with --demo, on SQLite and
 * PostgreSQL (#14): four clients write at once (the general window of
 * 西湖区 opens 个体工商户设立登记 for 张三, uploads its three materials, each
 * a file of its own, and submits it), and the server is killed with
 * SIGKILL in the middle of it. Then, on the crashed store and data folder:
 * - `tongban audit verify` finds the chain intact, and agrees with the
 *   checkpoint the server signed (DATA/checkpoints/latest.json);
 * - a server started again on them serves every case whose creation was
 *   acknowledged (201), in the state it was acknowledged in: submitted when
 *   its submit was answered 200, a draft when no submit was sent (either,
 *   when one was sent and no answer came), with every acknowledged upload
 *   listed and its file served byte for byte.
 * TB_CRASH_ROUNDS kill cycles per store (default 3; `make crash` runs
 * more), about a second of load each. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define ITEM      "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区市场监督管理局 */
#define ZHANG     "33010619900101123X"
#define CLERK     "330106198808081015" /* 西湖区政务服务中心 window */
#define WORKERS   4
#define NMAT      3
/* Case numbers end in a four-digit serial of the day: all rounds of one
 * store together stay below it. */
#define MAX_CASES 8000

static const char *const materials[NMAT] = {"个体工商户登记（备案）申请书", "经营者居民身份证",
                                            "经营场所使用相关证明"};

static struct test_srv srv;
static struct test_session zhang, clerk;
static char db_url[512];
static char data_dir[256];

/* One case a worker opened, as far as the server acknowledged it. */
struct acked {
	char no[64];
	int round;
	bool submit_sent, submitted;
	bool uploaded[NMAT];
	char sm3[NMAT][65];
};

static struct acked cases[MAX_CASES];
static atomic_int ncases;
static atomic_bool stop_load;
static int round_no;
/* Answers that are neither acknowledgements nor a dead server. */
static atomic_int odd_answers;
static char odd_answer[300];

static int rounds(void)
{
	const char *r = getenv("TB_CRASH_ROUNDS");
	long n = r ? strtol(r, NULL, 10) : 3;
	return n > 0 && n <= 1000 ? (int)n : 3;
}

/* The file uploaded as material m of case c: a small PDF of its own
 * content, so that every upload is a blob of its own. */
static size_t file_of(int round, int c, int m, char *buf, size_t size)
{
	int n =
	    snprintf(buf, size, "%.*s%%crash %d %d %d\n", (int)test_pdf_len, test_pdf, round, c, m);
	return (size_t)n;
}

static void odd(const char *what, long status, const char *body)
{
	if (atomic_fetch_add(&odd_answers, 1) == 0)
		snprintf(odd_answer, sizeof(odd_answer), "%s -> %ld: %.200s", what, status,
		         body ? body : "");
}

/* Opens, fills and submits cases until told to stop or the server is
 * gone (status -1: the connection failed). */
static void *worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_load)) {
		struct http_resp r;
		test_call(&srv, &clerk, "POST", "/api/v1/cases",
		          "{\"item\":\"" ITEM "\",\"applicant\":\"" ZHANG
		          "\",\"form\":" TEST_SHOP_FORM "}",
		          &r);
		if (r.status != 201) {
			if (r.status != -1)
				odd("open", r.status, r.body);
			http_free(&r);
			return NULL;
		}
		json_t *j = json_loads(r.body, 0, NULL);
		const char *no = json_string_value(json_object_get(j, "case_no"));
		int c = atomic_fetch_add(&ncases, 1);
		if (!no || c >= MAX_CASES) {
			if (!no)
				odd("open", r.status, r.body);
			json_decref(j);
			http_free(&r);
			return NULL;
		}
		struct acked *a = &cases[c];
		memset(a, 0, sizeof(*a));
		snprintf(a->no, sizeof(a->no), "%s", no);
		a->round = round_no;
		json_decref(j);
		http_free(&r);

		for (int m = 0; m < NMAT; m++) {
			char file[256], *body = NULL;
			size_t n = file_of(a->round, c, m, file, sizeof(file));
			long st = test_upload(&srv, &clerk, a->no, materials[m], "m.pdf", file, n,
			                      NULL, &body);
			json_t *u = st == 201 ? json_loads(body, 0, NULL) : NULL;
			const char *sm3 = json_string_value(json_object_get(u, "sm3"));
			if (sm3) {
				snprintf(a->sm3[m], sizeof(a->sm3[m]), "%s", sm3);
				a->uploaded[m] = true;
			} else if (st != -1) {
				odd("upload", st, body);
			}
			json_decref(u);
			free(body);
			if (!sm3)
				return NULL;
		}
		char path[160];
		snprintf(path, sizeof(path), "/api/v1/cases/%s/submit", a->no);
		a->submit_sent = true;
		test_call(&srv, &clerk, "POST", path, "{}", &r);
		a->submitted = r.status == 200;
		if (r.status != 200 && r.status != -1)
			odd("submit", r.status, r.body);
		http_free(&r);
		if (!a->submitted)
			return NULL;
	}
	return NULL;
}

/* `tongban audit verify` on the (stopped) server's store: intact, and
 * not shorter than the last checkpoint the server signed. */
static void audit_verifies(void)
{
	char cmd[2000], out[4096], cp[400];
	snprintf(cp, sizeof(cp), "%s/checkpoints/latest.json", data_dir);
	struct stat sb;
	bool have_cp = stat(cp, &sb) == 0;
	snprintf(cmd, sizeof(cmd), "%s audit verify --data %s --db '%s'%s%s", test_bin(), data_dir,
	         db_url, have_cp ? " --checkpoint " : "", have_cp ? cp : "");
	int rc = test_run(out, sizeof(out), "%s", cmd);
	if (rc != 0 || !strstr(out, "intact"))
		fail_msg("round %d: audit verify exited %d: %s", round_no, rc, out);
}

/* Whether the server serves the case acknowledged as a, as acknowledged. */
static void check_case(const struct acked *a)
{
	char path[200];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", a->no);
	struct http_resp r;
	test_call(&srv, &zhang, "GET", path, NULL, &r);
	if (r.status != 200)
		fail_msg("round %d: acknowledged case %s is lost: GET -> %ld: %s", a->round, a->no,
		         r.status, r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	http_free(&r);
	const char *state = json_string_value(json_object_get(j, "state"));
	bool ok =
	    state && (a->submitted     ? !strcmp(state, "submitted")
	              : a->submit_sent ? !strcmp(state, "submitted") || !strcmp(state, "draft")
	                               : !strcmp(state, "draft"));
	if (!ok)
		fail_msg("round %d: case %s is %s, acknowledged %s", a->round, a->no,
		         state ? state : "(none)",
		         a->submitted     ? "submitted"
		         : a->submit_sent ? "draft or submitted"
		                          : "draft");
	json_t *mats = json_object_get(j, "materials");
	for (int m = 0; m < NMAT; m++) {
		if (!a->uploaded[m])
			continue;
		bool listed = false;
		size_t i;
		json_t *x;
		json_array_foreach(mats, i, x)
		{
			const char *name = json_string_value(json_object_get(x, "name"));
			const char *src = json_string_value(json_object_get(x, "source"));
			listed |=
			    name && src && !strcmp(name, materials[m]) && !strcmp(src, "upload");
		}
		if (!listed)
			fail_msg("round %d: case %s: acknowledged upload of %s is not listed",
			         a->round, a->no, materials[m]);
		char fp[300], want[256];
		snprintf(fp, sizeof(fp), "/api/v1/cases/%s/materials/%s/file", a->no, a->sm3[m]);
		size_t n = file_of(a->round, (int)(a - cases), m, want, sizeof(want));
		test_call(&srv, &zhang, "GET", fp, NULL, &r);
		if (r.status != 200 || r.len != n || memcmp(r.body, want, n) != 0)
			fail_msg("round %d: case %s: file of %s: %ld, %zu bytes (want %zu)",
			         a->round, a->no, materials[m], r.status, r.len, n);
		http_free(&r);
	}
	json_decref(j);
}

/* Signs both in again after a restart. */
static void sign_in(void)
{
	assert_int_equal(test_login(&srv, ZHANG, "tongban-demo", &zhang), 200);
	assert_int_equal(test_login(&srv, CLERK, "tongban-demo", &clerk), 200);
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000}, NULL);
}

/* One round: load, kill -9 in the middle of it, verify the audit chain on
 * the crashed store, start again on it and find every acknowledged write. */
static void one_round(int per_round)
{
	int first = atomic_load(&ncases);
	atomic_store(&stop_load, false);
	pthread_t t[WORKERS];
	for (int i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
	/* Some writes acknowledged, then a varying while more: the kill
	 * lands in different places of a request. */
	for (int i = 0; i < 500 && atomic_load(&ncases) - first < 4 && !atomic_load(&odd_answers);
	     i++)
		sleep_ms(10);
	long more = 200 + rand() % 800;
	for (long w = 0; w < more && atomic_load(&ncases) - first < per_round; w += 10)
		sleep_ms(10);
	kill(srv.pid, SIGKILL);
	waitpid(srv.pid, NULL, 0);
	/* Reaped: its number may be anyone's now (see stop). */
	srv.pid = 0;
	atomic_store(&stop_load, true);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	if (atomic_load(&odd_answers))
		fail_msg("round %d: %d unexpected answers under load, the first: %s", round_no,
		         atomic_load(&odd_answers), odd_answer);
	int last = atomic_load(&ncases);
	if (last > MAX_CASES) {
		last = MAX_CASES;
		atomic_store(&ncases, last);
	}
	assert_true(last - first >= 4);

	audit_verifies();
	srv_start_on(&srv, data_dir, db_url, "--demo", NULL);
	sign_in();
	int submitted = 0;
	for (int c = first; c < last; c++) {
		check_case(&cases[c]);
		submitted += cases[c].submitted;
	}
	print_message("      round %d: killed after %d cases acknowledged (%d submitted): none "
	              "lost, audit intact\n",
	              round_no, last - first, submitted);
}

static void kill_under_load(void **state)
{
	(void)state;
	int n = rounds();
	int per_round = MAX_CASES / n;
	srand((unsigned)time(NULL));
	atomic_store(&ncases, 0);
	for (round_no = 1; round_no <= n; round_no++)
		one_round(per_round);
	/* Earlier rounds' cases outlived the later crashes too. */
	int total = atomic_load(&ncases);
	for (int c = 0; c < total; c++)
		check_case(&cases[c]);
	audit_verifies();
}

static int start(const char *db)
{
	snprintf(db_url, sizeof(db_url), "%s", db);
	const struct test_who who[] = {{ZHANG, &zhang}, {CLERK, &clerk}};
	int rc = test_start_demo(&srv, db_url, who, 2);
	snprintf(data_dir, sizeof(data_dir), "%s", srv.data);
	return rc;
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("crash"));
}

static int stop(void **state)
{
	(void)state;
	/* No server when a round failed between the kill and the restart. */
	return srv.pid == 0 || srv_stop(&srv) == 0 ? 0 : -1;
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kill_under_load),
	};
	int failed = cmocka_run_group_tests_name("crash/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("crash/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
