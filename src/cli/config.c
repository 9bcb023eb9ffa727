/* See config.h. The file becomes argv entries and the command parses them
 * with its own getopt_long loop, so that a value in the file is checked
 * exactly as the same value on the command line. */
#include "cli/config.h"

#include "base/files.h"
#include "base/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENV "TONGBAN_CONFIG"

/* A key already given: which option it set, on which line, as written. */
struct seen {
	int opt;
	int line;
	char key[64];
};

struct parse {
	const struct option *longopts;
	struct tb_config_args *out;
	int cap;
	struct seen *seen;
	int nseen, seencap;
	char *why;
	size_t size;
};

void tb_config_args_free(struct tb_config_args *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	a->argc = 0;
	a->argv = NULL;
}

static int refuse(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->why, p->size, fmt, ap);
	va_end(ap);
	return -1;
}

static void push(struct parse *p, char *arg)
{
	struct tb_config_args *a = p->out;
	if (a->argc + 2 > p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		a->argv = tb_xrealloc(a->argv, (size_t)p->cap * sizeof(*a->argv));
	}
	a->argv[a->argc++] = arg;
	a->argv[a->argc] = NULL;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The option named exactly key (never "config"), or -1. */
static int find(const struct option *longopts, const char *key)
{
	for (int i = 0; longopts[i].name; i++)
		if (strcmp(longopts[i].name, key) == 0 && strcmp(key, "config") != 0)
			return i;
	return -1;
}

/* Refuses a second key for option opt; else notes it. */
static int once(struct parse *p, int opt, const char *key, int line)
{
	for (int i = 0; i < p->nseen; i++) {
		if (p->seen[i].opt != opt)
			continue;
		if (strcmp(p->seen[i].key, key) == 0)
			return refuse(p, "duplicate key '%s' (first on line %d)", key,
			              p->seen[i].line);
		return refuse(p, "duplicate key '%s': '%s' on line %d sets %s too", key,
		              p->seen[i].key, p->seen[i].line, p->longopts[opt].name);
	}
	if (p->nseen == p->seencap) {
		p->seencap = p->seencap ? p->seencap * 2 : 16;
		p->seen = tb_xrealloc(p->seen, (size_t)p->seencap * sizeof(*p->seen));
	}
	struct seen *s = &p->seen[p->nseen++];
	s->opt = opt;
	s->line = line;
	/* key is an option name (perhaps with -file): short. */
	snprintf(s->key, sizeof(s->key), "%.*s", (int)sizeof(s->key) - 1, key);
	return 0;
}

/* The one line of the file at path (a trailing newline dropped) into *out
 * (malloc'd), or -1 with the reason. */
static int read_secret(struct parse *p, const char *key, const char *path, char **out)
{
	char *text;
	size_t n;
	enum tb_err e = tb_file_read(path, TB_CONFIG_SECRET_MAX, &text, &n);
	if (e == TB_ETOOBIG)
		return refuse(p, "%s: %s is longer than %d bytes", key, path, TB_CONFIG_SECRET_MAX);
	if (e != TB_OK)
		return refuse(p, "%s: cannot read %s: %s", key, path,
		              e == TB_ENOTFOUND ? strerror(ENOENT) : strerror(errno));
	if (n && text[n - 1] == '\n')
		text[--n] = '\0';
	if (n && text[n - 1] == '\r')
		text[--n] = '\0';
	int rc = 0;
	if (n == 0)
		rc = refuse(p, "%s: %s is empty", key, path);
	else if (memchr(text, '\n', n) || strlen(text) != n)
		rc = refuse(p, "%s: %s must hold one line", key, path);
	if (rc) {
		free(text);
		return rc;
	}
	*out = text;
	return 0;
}

/* One line, NUL-terminated, without its newline. */
static int parse_line(struct parse *p, char *s, int line)
{
	while (blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (!eq)
		return refuse(p, "missing '=' (lines are KEY = VALUE)");
	char *k = eq;
	while (k > s && blank(k[-1]))
		k--;
	*k = '\0';
	if (*s == '\0')
		return refuse(p, "missing key before '='");

	size_t klen = strlen(s);
	int opt = find(p->longopts, s);
	bool from_file = false;
	if (opt < 0 && klen > 5 && strcmp(s + klen - 5, "-file") == 0) {
		s[klen - 5] = '\0';
		opt = find(p->longopts, s);
		s[klen - 5] = '-';
		from_file = opt >= 0 && p->longopts[opt].has_arg == required_argument;
		if (!from_file)
			opt = -1;
	}
	if (opt < 0)
		return refuse(p, "unknown key '%s'", s);
	if (once(p, opt, s, line) != 0)
		return -1;

	char *v = eq + 1;
	while (blank(*v))
		v++;
	if (*v == '"') {
		char *close = strchr(++v, '"');
		if (!close)
			return refuse(p, "%s: unterminated quote", s);
		*close = '\0';
		char *rest = close + 1;
		while (blank(*rest))
			rest++;
		if (*rest && *rest != '#')
			return refuse(p, "%s: text after the closing quote", s);
	} else {
		char *end = v;
		for (; *end; end++)
			if (*end == '#' && (end == v || blank(end[-1])))
				break;
		while (end > v && blank(end[-1]))
			end--;
		*end = '\0';
		if (*v == '\0')
			return refuse(p, "%s: missing value (\"\" for an empty one)", s);
	}

	const char *name = p->longopts[opt].name;
	if (p->longopts[opt].has_arg == no_argument) {
		if (strcmp(v, "false") == 0)
			return 0;
		if (strcmp(v, "true") != 0)
			return refuse(p, "%s takes no value but true or false, not '%s'", s, v);
		size_t n = strlen(name) + 3;
		char *arg = tb_xmalloc(n);
		snprintf(arg, n, "--%s", name);
		push(p, arg);
		return 0;
	}
	char *secret = NULL;
	if (from_file && read_secret(p, s, v, &secret) != 0)
		return -1;
	const char *value = secret ? secret : v;
	/* An optional argument given as "" is the option without one. */
	size_t n = strlen(name) + strlen(value) + 4;
	char *arg = tb_xmalloc(n);
	if (p->longopts[opt].has_arg == optional_argument && *value == '\0')
		snprintf(arg, n, "--%s", name);
	else
		snprintf(arg, n, "--%s=%s", name, value);
	free(secret);
	push(p, arg);
	return 0;
}

int tb_config_parse(const char *text, size_t len, const struct option *longopts,
                    struct tb_config_args *out, char *why, size_t size)
{
	*out = (struct tb_config_args){0};
	struct parse p = {.longopts = longopts, .out = out, .why = why, .size = size};
	char buf[TB_CONFIG_LINE_MAX + 1];
	int line = 0, rc = 0;
	for (const char *s = text, *end = text + len; s < end && rc == 0;) {
		line++;
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		if (n && s[n - 1] == '\r')
			n--;
		if (n > TB_CONFIG_LINE_MAX)
			rc = refuse(&p, "line longer than %d bytes", TB_CONFIG_LINE_MAX);
		else if (memchr(s, '\0', n))
			rc = refuse(&p, "NUL byte in the line");
		else {
			memcpy(buf, s, n);
			buf[n] = '\0';
			rc = parse_line(&p, buf, line);
		}
		s = nl ? nl + 1 : end;
	}
	free(p.seen);
	if (rc == 0)
		return 0;
	tb_config_args_free(out);
	return line;
}

int tb_config_read(const char *path, const struct option *longopts, struct tb_config_args *out,
                   char *msg, size_t size)
{
	*out = (struct tb_config_args){0};
	char *text;
	size_t n;
	enum tb_err e = tb_file_read(path, TB_CONFIG_FILE_MAX, &text, &n);
	if (e == TB_ETOOBIG) {
		snprintf(msg, size, "%s: larger than %d bytes", path, TB_CONFIG_FILE_MAX);
		return -1;
	}
	if (e != TB_OK) {
		snprintf(msg, size, "%s: cannot read: %s", path,
		         e == TB_ENOTFOUND ? strerror(ENOENT) : strerror(errno));
		return -1;
	}
	char why[512];
	int line = tb_config_parse(text, n, longopts, out, why, sizeof(why));
	free(text);
	if (line == 0)
		return 0;
	snprintf(msg, size, "%s:%d: %s", path, line, why);
	return -1;
}

/* The file named by the last --config of argv, found by getopt_long
 * itself (abbreviations, "--", an option's value that looks like
 * --config, all as the command's own parse sees them), or NULL. */
static const char *named(const struct option *longopts, int argc, char **argv)
{
	char **copy = tb_xmalloc(((size_t)argc + 1) * sizeof(*copy));
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	copy[argc] = NULL;
	const char *path = NULL;
	int saved = opterr, idx = -1;
	opterr = 0; /* the command's own parse reports the errors */
	optind = 1;
	while (getopt_long(argc, copy, "", longopts, &idx) != -1) {
		if (idx >= 0 && strcmp(longopts[idx].name, "config") == 0)
			path = optarg;
		idx = -1;
	}
	opterr = saved;
	optind = 1;
	free(copy);
	return path;
}

int tb_config_run(const char *cmd, const struct option *longopts, int argc, char **argv,
                  int (*run)(int argc, char **argv))
{
	static bool running;
	if (running)
		return -1;
	const char *path = named(longopts, argc, argv);
	if (!path && getenv(ENV) && *getenv(ENV))
		path = getenv(ENV);
	if (!path)
		return -1;
	struct tb_config_args a;
	char msg[1024 + TB_CONFIG_LINE_MAX];
	if (tb_config_read(path, longopts, &a, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s: %s\n", cmd, msg);
		return 2;
	}
	int n = 0;
	char **all = tb_xmalloc(((size_t)argc + (size_t)a.argc + 1) * sizeof(*all));
	all[n++] = argv[0];
	for (int i = 0; i < a.argc; i++)
		all[n++] = a.argv[i];
	for (int i = 1; i < argc; i++)
		all[n++] = argv[i];
	all[n] = NULL;
	running = true;
	int rc = run(n, all);
	running = false;
	free(all);
	tb_config_args_free(&a);
	return rc;
}
