/* `tongban serve --config FILE` with the real binary: a good file starts
 * the server with its settings (a quoted folder with a space, quiet, no
 * checkpoints, the database URL from a db-file), options of the command
 * line win over the file's, the example packaging/tongban.conf starts it
 * too, and each bad file ends it with exit status 2 and a message naming
 * the file, the line and what is wrong. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text into dir/name; its path (static storage). */
static const char *write_file(const char *dir, const char *name, const char *text)
{
	static char path[400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Whether the file at path holds needle. */
static bool holds(const char *path, const char *needle)
{
	char *text = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	ssize_t n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	bool found = n > 0 && strstr(text, needle);
	free(text);
	return found;
}

static void healthy(struct test_srv *s)
{
	struct http_resp r;
	http_get(s, "/healthz", &r);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

/* Starts serve with dir/tongban.conf holding text (and --listen
 * 127.0.0.1:0 on the command line when listen), checks that it reports
 * the store sqlite:DIR/db and answers /healthz, and stops it cleanly;
 * whether it wrote an access line. */
static bool serve_with(const char *dir, const char *text, bool listen, const char *db)
{
	char conf[400], want[700], log[400];
	snprintf(conf, sizeof(conf), "%s", write_file(dir, "tongban.conf", text));
	struct test_srv s;
	if (listen)
		srv_start_args(&s, dir, "--config", conf, "--listen", "127.0.0.1:0", NULL);
	else
		srv_start_args(&s, dir, "--config", conf, NULL);
	snprintf(want, sizeof(want), "(store sqlite:%s/%s)", dir, db);
	if (!strstr(s.line, want))
		fail_msg("listening line \"%s\" lacks \"%s\"", s.line, want);
	healthy(&s);
	assert_int_equal(srv_stop(&s), 0);
	snprintf(log, sizeof(log), "%s/server.log", dir);
	return holds(log, "\"type\":\"access\"");
}

static void good_file(void **state)
{
	(void)state;
	char dir[300], text[1200], path[700];
	snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	snprintf(text, sizeof(text),
	         "# a test configuration\n"
	         "listen = 127.0.0.1:1   # the command line's --listen wins\n"
	         "\n"
	         "data = \"%s/my data\"\n"
	         "quiet = true\n"
	         "secure-cookies = false\n"
	         "checkpoint-interval = 0\n"
	         "threads = 2\n",
	         dir);
	/* quiet: no access line; checkpoint-interval 0: no checkpoint. */
	assert_false(serve_with(dir, text, true, "my data/tongban.db"));
	snprintf(path, sizeof(path), "%s/my data/checkpoints/latest.json", dir);
	assert_int_equal(access(path, F_OK), -1);
}

static void db_file(void **state)
{
	(void)state;
	char dir[300], text[1200];
	snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	snprintf(text, sizeof(text), "sqlite:%s/other.db\n", dir);
	write_file(dir, "db-url", text);
	snprintf(text, sizeof(text), "listen = 127.0.0.1:0\ndata = %s/data\ndb-file = %s/db-url\n",
	         dir, dir);
	/* Not quiet: the access line of /healthz is there. */
	assert_true(serve_with(dir, text, false, "other.db"));
}

/* The example of packaging/ as it is, with the command line's folder and
 * port instead of /var/lib/tongban and 8080. */
static void example(void **state)
{
	(void)state;
	struct test_srv s;
	srv_start(&s, NULL, "--config", "packaging/tongban.conf", NULL);
	healthy(&s);
	assert_int_equal(srv_stop(&s), 0);
}

/* Runs `[env] serve [--config conf] --listen 127.0.0.1:0 --data
 * DIR/data` with its output into out; its exit status (a server that
 * starts all the same is ended by timeout: 124). */
static int run_serve(char *out, size_t size, const char *dir, const char *env, const char *conf)
{
	char config[450] = "";
	if (conf)
		snprintf(config, sizeof(config), "--config '%s'", conf);
	return test_run(out, size,
	                "%s timeout 30 %s serve %s --listen 127.0.0.1:0 --data '%s/data'",
	                env ? env : "", test_bin(), config, dir);
}

/* serve on dir/bad.conf holding text: exit status 2 and the message
 * "tongban serve: FILE:want". */
static void refused(const char *dir, const char *text, const char *want)
{
	char conf[400], out[8192], msg[1200];
	snprintf(conf, sizeof(conf), "%s", write_file(dir, "bad.conf", text));
	int rc = run_serve(out, sizeof(out), dir, NULL, conf);
	snprintf(msg, sizeof(msg), "tongban serve: %s:%s\n", conf, want);
	if (rc != 2 || !strstr(out, msg))
		fail_msg("%s: exit %d, output \"%s\"; want 2 and \"%s\"", text, rc, out, msg);
}

static void bad_files(void **state)
{
	(void)state;
	char dir[300], out[8192], path[400], env[450], want[600];
	snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	refused(dir, "listen = 127.0.0.1:0\nport = 8080\n", "2: unknown key 'port'");
	refused(dir, "# serve\nquiet\n", "2: missing '=' (lines are KEY = VALUE)");
	refused(dir, "quiet = yes\n", "1: quiet takes no value but true or false, not 'yes'");
	refused(dir, "data = /a\n\ndata = /b\n", "3: duplicate key 'data' (first on line 1)");
	refused(dir, "data = \"/a\n", "1: data: unterminated quote");
	static char long_line[TB_CONFIG_LINE_MAX + 16];
	memset(long_line, '#', TB_CONFIG_LINE_MAX + 1);
	refused(dir, long_line, "1: line longer than 4096 bytes");

	/* An unreadable file, named by --config or by TONGBAN_CONFIG. */
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	snprintf(want, sizeof(want), "tongban serve: %s: cannot read: No such file or directory\n",
	         path);
	assert_int_equal(run_serve(out, sizeof(out), dir, NULL, path), 2);
	if (!strstr(out, want))
		fail_msg("output \"%s\" lacks \"%s\"", out, want);
	snprintf(env, sizeof(env), "TONGBAN_CONFIG='%s'", path);
	assert_int_equal(run_serve(out, sizeof(out), dir, env, NULL), 2);
	if (!strstr(out, want))
		fail_msg("output \"%s\" lacks \"%s\"", out, want);

	/* A value is checked by serve as on the command line. */
	assert_int_equal(
	    run_serve(out, sizeof(out), dir, NULL, write_file(dir, "bad.conf", "threads = 0\n")),
	    2);
	assert_non_null(strstr(out, "tongban serve: --threads: expected 1..256"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good_file),
	    cmocka_unit_test(db_file),
	    cmocka_unit_test(example),
	    cmocka_unit_test(bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
