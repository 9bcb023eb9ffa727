/* Tests of src/cli/config: the parser over tests/cli/config.tsv, then what
 * a .tsv line cannot hold (a line at and over the limit, a file over its
 * limit, an unreadable file), and tb_config_run: the file's options before
 * the command line's, --config found as getopt_long finds it, the last one
 * counting, TONGBAN_CONFIG, no second expansion within the command. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* serve's options, and one with an optional argument. */
static const struct option opts[] = {
    {"data", required_argument, NULL, 'd'},
    {"db", required_argument, NULL, 'b'},
    TB_CONFIG_LONGOPT,
    {"listen", required_argument, NULL, 'l'},
    {"demo", no_argument, NULL, 'D'},
    {"threads", required_argument, NULL, 't'},
    {"max-body", required_argument, NULL, 'm'},
    {"bench", no_argument, NULL, 'B'},
    {"quiet", no_argument, NULL, 'q'},
    {"secure-cookies", no_argument, NULL, 'S'},
    {"checkpoint-interval", required_argument, NULL, 'C'},
    {"level", optional_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Decodes the escapes of config.tsv in place; returns the length. */
static size_t unescape(char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			switch (*++p) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '0': c = '\0'; break;
			case '\\': c = '\\'; break;
			default: fail_msg("unknown escape \\%c", *p);
			}
		}
		s[n++] = c;
	}
	s[n] = '\0';
	return n;
}

/* The entries of a joined with '|'. */
static void joined(const struct tb_config_args *a, char *buf, size_t size)
{
	buf[0] = '\0';
	size_t n = 0;
	for (int i = 0; i < a->argc; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "|" : "", a->argv[i]);
	assert_true(n < size);
	assert_null(a->argv ? a->argv[a->argc] : NULL);
}

static void vectors(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/cli/config.tsv");
	int good = 0, refused = 0;
	while (tsv_next(&t)) {
		if (t.nfields != 3)
			fail_msg("%s:%d: want 3 fields, got %d", t.path, t.lineno, t.nfields);
		size_t len = unescape(t.field[0]);
		unescape(t.field[2]);
		long want = strtol(t.field[1], NULL, 10);
		struct tb_config_args a;
		char why[512] = "", got[2048];
		int line = tb_config_parse(t.field[0], len, opts, &a, why, sizeof(why));
		if (line != want)
			fail_msg("%s:%d: line %d (%s), want %ld", t.path, t.lineno, line, why,
			         want);
		if (line) {
			if (strcmp(why, t.field[2]) != 0)
				fail_msg("%s:%d: reason \"%s\", want \"%s\"", t.path, t.lineno, why,
				         t.field[2]);
			assert_int_equal(a.argc, 0);
			assert_null(a.argv);
			refused++;
			continue;
		}
		joined(&a, got, sizeof(got));
		if (strcmp(got, t.field[2]) != 0)
			fail_msg("%s:%d: \"%s\", want \"%s\"", t.path, t.lineno, got, t.field[2]);
		tb_config_args_free(&a);
		good++;
	}
	tsv_close(&t);
	assert_true(good >= 20);
	assert_true(refused >= 20);
}

/* A line of exactly n bytes "data = xxx...", then "quiet = true". */
static int parse_long(size_t n, char *why, size_t size)
{
	char *text = malloc(n + 32);
	assert_non_null(text);
	memcpy(text, "data = ", 7);
	memset(text + 7, 'x', n - 7);
	memcpy(text + n, "\nquiet = true\n", 15);
	struct tb_config_args a;
	int line = tb_config_parse(text, strlen(text), opts, &a, why, size);
	if (line == 0) {
		assert_int_equal(a.argc, 2);
		assert_int_equal(strlen(a.argv[0]), n - 7 + strlen("--data="));
		assert_string_equal(a.argv[1], "--quiet");
	}
	tb_config_args_free(&a);
	free(text);
	return line;
}

static void edges(void **state)
{
	(void)state;
	char why[512], msg[1024];
	assert_int_equal(parse_long(TB_CONFIG_LINE_MAX, why, sizeof(why)), 0);
	assert_int_equal(parse_long(TB_CONFIG_LINE_MAX + 1, why, sizeof(why)), 1);
	assert_string_equal(why, "line longer than 4096 bytes");

	/* NULL text of no length: no options. */
	struct tb_config_args a;
	assert_int_equal(tb_config_parse(NULL, 0, opts, &a, why, sizeof(why)), 0);
	assert_int_equal(a.argc, 0);

	assert_int_equal(tb_config_read("tests/cli/none.conf", opts, &a, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "tests/cli/none.conf: cannot read: No such file or directory");
	assert_int_equal(tb_config_read("tests/cli", opts, &a, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "tests/cli: cannot read: Is a directory");

	char path[300];
	snprintf(path, sizeof(path), "%s/big.conf", test_tmpdir());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (long n = 0; n <= TB_CONFIG_FILE_MAX; n += 16)
		fputs("# filler line..\n", f);
	fclose(f);
	assert_int_equal(tb_config_read(path, opts, &a, msg, sizeof(msg)), -1);
	char want[400];
	snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", path);
	assert_string_equal(msg, want);

	snprintf(path, sizeof(path), "%s/bad.conf", test_tmpdir());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# serve\nlisten = 127.0.0.1:0\n\nquiet = maybe\n", f);
	fclose(f);
	assert_int_equal(tb_config_read(path, opts, &a, msg, sizeof(msg)), -1);
	snprintf(want, sizeof(want), "%s:4: quiet takes no value but true or false, not 'maybe'",
	         path);
	assert_string_equal(msg, want);
}

/* ---- tb_config_run ------------------------------------------------------ */

static char ran[2048];
static int runs, inner;

/* A command: notes its argv joined with ' ', and what tb_config_run
 * answers within it. */
static int command(int argc, char **argv)
{
	runs++;
	size_t n = 0;
	ran[0] = '\0';
	for (int i = 0; i < argc; i++)
		n += (size_t)snprintf(ran + n, sizeof(ran) - n, "%s%s", i ? " " : "", argv[i]);
	assert_null(argv[argc]);
	inner = tb_config_run("test", opts, argc, argv, command);
	return 7;
}

static const char *conf_file(const char *text)
{
	static char path[300];
	snprintf(path, sizeof(path), "%s/t.conf", test_tmpdir());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Runs tb_config_run on the NULL-terminated arguments after serve; its
 * status. */
static int run(const char *first, ...)
{
	char *argv[16] = {"serve"};
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s && argc < 15; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	runs = 0;
	ran[0] = '\0';
	inner = 0;
	return tb_config_run("test", opts, argc, argv, command);
}

static void run_order(void **state)
{
	(void)state;
	unsetenv("TONGBAN_CONFIG");
	const char *p = conf_file("listen = 127.0.0.1:1\nquiet = true\n");
	char want[1024];

	/* No file named: nothing done. */
	assert_int_equal(run("--listen", "127.0.0.1:0", NULL), -1);
	assert_int_equal(runs, 0);

	/* The file's options first, then the command line's, --config kept. */
	assert_int_equal(run("--listen", "127.0.0.1:0", "--config", p, NULL), 7);
	assert_int_equal(runs, 1);
	assert_int_equal(inner, -1);
	snprintf(want, sizeof(want),
	         "serve --listen=127.0.0.1:1 --quiet --listen 127.0.0.1:0 --config %s", p);
	assert_string_equal(ran, want);
	assert_int_equal(optind, 1);

	/* --config=FILE and an abbreviation, as getopt_long takes them. */
	char eq[400];
	snprintf(eq, sizeof(eq), "--conf=%s", p);
	assert_int_equal(run(eq, NULL), 7);
	snprintf(want, sizeof(want), "serve --listen=127.0.0.1:1 --quiet %s", eq);
	assert_string_equal(ran, want);

	/* The value of another option, or after "--", is not a --config. */
	assert_int_equal(run("--data", "--config", "x", NULL), -1);
	assert_int_equal(run("--", "--config", p, NULL), -1);

	/* The last --config counts. */
	assert_int_equal(run("--config", "tests/cli/none.conf", "--config", p, NULL), 7);
	assert_int_equal(runs, 1);

	/* A bad file: 2 and no run. */
	assert_int_equal(run("--config", "tests/cli/none.conf", NULL), 2);
	assert_int_equal(runs, 0);
	assert_int_equal(run("--config", conf_file("quiet\n"), NULL), 2);
	assert_int_equal(runs, 0);
}

static void run_env(void **state)
{
	(void)state;
	const char *p = conf_file("data = /srv/env\n");
	setenv("TONGBAN_CONFIG", p, 1);
	assert_int_equal(run("--quiet", NULL), 7);
	assert_string_equal(ran, "serve --data=/srv/env --quiet");
	/* --config wins over the environment. */
	char other[300];
	snprintf(other, sizeof(other), "%s", p);
	setenv("TONGBAN_CONFIG", "tests/cli/none.conf", 1);
	assert_int_equal(run("--config", other, NULL), 7);
	setenv("TONGBAN_CONFIG", "tests/cli/none.conf", 1);
	assert_int_equal(run(NULL), 2);
	setenv("TONGBAN_CONFIG", "", 1);
	assert_int_equal(run(NULL), -1);
	unsetenv("TONGBAN_CONFIG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vectors),
	    cmocka_unit_test(edges),
	    cmocka_unit_test(run_order),
	    cmocka_unit_test(run_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
