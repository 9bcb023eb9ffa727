/* Shared test helpers: reading .tsv vector files (one case per line, '#'
 * comments, tab-separated fields) and small assertions around them.
 * Tests run from the repository root, so vector paths are relative to it. */
#ifndef TB_TESTS_SUPPORT_H
#define TB_TESTS_SUPPORT_H

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#define TSV_MAX_FIELDS 16

/* A complete application form of 个体工商户设立登记 (its form_fields in
 * data/demo/catalog.json) but for what the platform prefills for a person
 * applying for themself: name, identity number and phone. */
#define TEST_SHOP_FORM                                                                                       \
	"{\"经营场所\":\"浙江省杭州市西湖区文三路90号\",\"组成形式\":\"个人经营\"," \
	"\"经营范围\":\"日用百货零售\",\"资金数额\":\"10\",\"从业人数\":\"2\"}"

struct tsv {
	FILE *f;
	const char *path;
	int lineno;
	int nfields;
	char *field[TSV_MAX_FIELDS];
	char line[4096];
};

/* Opens path; aborts the test program with a message when it cannot. */
void tsv_open(struct tsv *t, const char *path);
/* Reads the next case into t->field[0..nfields); false at end of file.
 * Blank lines and lines starting with '#' are skipped. An empty field is "". */
bool tsv_next(struct tsv *t);
void tsv_close(struct tsv *t);

/* ---- Running groups ------------------------------------------------------ */

/* cmocka 1.1 prints a failing group setup or teardown ("GROUP TEARDOWN")
 * but does not count it: the program would still exit 0, and with it the
 * checks of the server's exit status and of LeakSanitizer's verdict that
 * teardowns make. test_run_group runs the group through cmocka and returns
 * its failed tests plus one for a failed group setup, one for a failed
 * group teardown, and one for each child server that exited non-zero or
 * wrote a sanitizer report during the group (srv_stop). It prints
 * "[  GROUP   ] NAME: R run, F failed" for scripts/test.sh, which counts the
 * cases of groups named ".../sqlite" and ".../postgresql" per store.
 * Every test program gets it through the two macros below. */
int test_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
                   CMFixtureFunction setup, CMFixtureFunction teardown);
#undef cmocka_run_group_tests
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests(t, setup, teardown) \
	test_run_group(#t, (t), sizeof(t) / sizeof((t)[0]), (setup), (teardown))
#define cmocka_run_group_tests_name(name, t, setup, teardown) \
	test_run_group((name), (t), sizeof(t) / sizeof((t)[0]), (setup), (teardown))

/* ---- Stores under test ---------------------------------------------- */

/* The PostgreSQL server for tests (TB_TEST_PG_URL, set by make test), or
 * NULL. With CI=true a missing server fails the test program instead. */
const char *test_pg_base_url(void);
/* When it returns NULL, test_pg_base_url prints once, on stderr,
 * "skipped: PROGRAM: PostgreSQL groups: TB_TEST_PG_URL is not set", which
 * scripts/test.sh repeats in its summary: a green run that tested SQLite
 * alone says so. */
/* A new empty database on that server, named after tag and the process;
 * returns its URL (static storage, overwritten by the next call). */
const char *test_pg_fresh(const char *tag);
/* A new empty SQLite database URL in a fresh temporary folder (static
 * storage, overwritten by the next call). The folder is left for the OS's
 * /tmp cleaning: tests may want to look after a failure. */
const char *test_sqlite_fresh(void);
/* A new empty temporary folder (static storage). */
const char *test_tmpdir(void);

/* ---- The binary's commands ------------------------------------------- */

/* The binary under test: TB_TEST_BIN, else build/tongban. */
const char *test_bin(void);
/* Runs the shell command made from fmt (stderr joined to stdout) with its
 * output into out (size bytes, NUL-terminated); answers its exit status
 * (-1 when it could not run or did not exit). */
int test_run(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- The real binary over HTTP ---------------------------------------- */

struct test_srv {
	int pid;
	int port;
	char data[256];
	char line[512]; /* the "listening" line it printed */
};

/* Starts `$TB_TEST_BIN serve --listen 127.0.0.1:0 --data <tmp> --quiet`
 * plus --db db (when not NULL) and the NULL-terminated extra arguments,
 * and waits for its "listening" line. Aborts the test program on failure. */
void srv_start(struct test_srv *s, const char *db, ...);
/* srv_start on the existing folder data instead of a new one (its
 * server.log is appended to): the same blobs and keys, to start again
 * after a crash. */
void srv_start_on(struct test_srv *s, const char *data, const char *db, ...);
/* Starts `$TB_TEST_BIN serve` with the NULL-terminated arguments alone
 * (no --listen, --data or --quiet of its own: they may come from a
 * configuration file) and its log in dir/server.log, then waits as
 * srv_start does. */
void srv_start_args(struct test_srv *s, const char *dir, ...);
/* Sends SIGTERM and waits; returns the exit status (0 for a clean stop).
 * A non-zero status, or a sanitizer report in the server's log (AddressSanitizer,
 * LeakSanitizer, UndefinedBehaviorSanitizer), is printed with the log's tail and
 * counted as a failure of the running group (test_run_group), wherever
 * srv_stop was called from. */
int srv_stop(struct test_srv *s);

struct http_resp {
	long status;
	char *body;
	size_t len;
	char *headers; /* raw header block */
};

/* Sends a request; hdrs is a NULL-terminated list of "Name: value" lines
 * (may be NULL); body may be NULL. Raw path: no normalisation by the client. */
void http_req(struct test_srv *s, const char *method, const char *path, const char *const *hdrs,
              const char *body, size_t body_len, struct http_resp *out);
void http_get(struct test_srv *s, const char *path, struct http_resp *out);
/* The value of a response header (case-insensitive), copied into buf. */
const char *http_header(const struct http_resp *r, const char *name, char *buf, size_t size);
void http_free(struct http_resp *r);

/* ---- signing in -------------------------------------------------------- */

struct test_session {
	char cookie[300]; /* "Cookie: tb_session=..." */
	char csrf[96];    /* "X-CSRF-Token: ..." */
};

/* POST /api/v1/auth/login; on 200 fills s (may be NULL). Returns the status. */
long test_login(struct test_srv *srv, const char *login, const char *password,
                struct test_session *s);

/* A valid identity number of 西湖区 (GB 11643 check character) that no
 * earlier call of this process gave and no demo person has. */
void test_fresh_id_number(char out[19]);

/* One person of the demo to sign in: an identity number and the session
 * to fill. */
struct test_who {
	const char *login;
	struct test_session *s;
};
/* Starts the real binary with --demo on db into srv and signs in each of
 * the n people of who with the demo password; 0, or -1 when a sign-in
 * failed (for a group setup to return). */
int test_start_demo(struct test_srv *srv, const char *db, const struct test_who *who, size_t n);
/* A request as s (NULL: anonymous) with a JSON body (may be NULL). */
void test_call(struct test_srv *srv, const struct test_session *s, const char *method,
               const char *path, const char *json, struct http_resp *out);

/* test_call, then fails the test unless the status is want; the body
 * parsed as JSON (NULL when it is none), which the caller decrefs. */
json_t *test_expect(struct test_srv *srv, const struct test_session *s, const char *method,
                    const char *path, const char *json, long want);
/* The string member key of j; fails the test when there is none. */
const char *test_str(const json_t *j, const char *key);

/* POST /api/v1/cases/{case_no}/materials as s: multipart with the fields
 * valid_until and material when not NULL, and the file part (data, n
 * bytes, named filename) when data is not NULL. Returns the status (-1
 * when the connection failed); *body (may be NULL) gets the answer,
 * malloc'd. */
long test_upload(struct test_srv *srv, const struct test_session *s, const char *case_no,
                 const char *material, const char *filename, const void *data, size_t n,
                 const char *valid_until, char **body);
/* A minimal PDF, for uploads. */
extern const char test_pdf[];
extern const size_t test_pdf_len;

#endif
