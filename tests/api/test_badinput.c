/* A bad-input corpus over every endpoint, against the real binary with
 * --demo, on SQLite and PostgreSQL. Every route that takes a JSON body
 * (tests/api/badinput.tsv) gets probes that are not JSON, not an object,
 * hold a key twice, nest 10,000 deep, carry numbers no integer or double
 * holds, invalid UTF-8, raw control characters or a 1 MB string, name an
 * unknown member, lack a required one, or give a member the wrong type,
 * a control character, a NUL or a 64 KiB string. Each must answer 4xx with
 * a JSON error {"error", "field" or "reason"}, never 5xx, never hang (the
 * client gives up after 30 s), and change nothing stored: every table of
 * the database is fingerprinted (row count and a digest of every value,
 * read through sqlite3 or libpq) before and after each route's probes.
 * Every GET route then gets an unknown parameter, and each of its own
 * parameters empty, repeated, of invalid UTF-8, of junk and 4,000 bytes
 * long: no 5xx, a JSON error, and nothing but the audit trail of reads
 * changes. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http/router.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZHANG "33010619900101123X"

static struct test_srv srv;
static struct test_session admin, citizen, reviewer, catalog, clerk, supervisor, sharer;
static char db_url[512];
static char case_no[64], item[64], cert[96], me_id[32], rcase[64], followup[32];
static int probes;
static int by_status[600]; /* probes answered with each status */

/* ---- the stored state's fingerprint ------------------------------------ */

#define MAX_TABLES 64

struct table_fp {
	char name[64];
	long rows;
	uint64_t digest; /* sum over rows of a hash of the row's values */
};

struct fp {
	int n;
	struct table_fp t[MAX_TABLES];
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void fp_sqlite(struct fp *f)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(db_url + 7, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	sqlite3_stmt *st = NULL;
	/* As pg_settled: the notifier's deliveries done first. */
	for (int i = 0; i < 300; i++) {
		assert_int_equal(
		    sqlite3_prepare_v2(db,
		                       "SELECT count(*) FROM outbox WHERE inbox_done = 0"
		                       " OR hooks_done = 0",
		                       -1, &st, NULL),
		    SQLITE_OK);
		bool done = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
		sqlite3_finalize(st);
		if (done)
			break;
		assert_true(i < 299);
		usleep(100 * 1000);
	}
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name FROM sqlite_master WHERE type = 'table' "
	                                    "AND name NOT LIKE 'sqlite_%' ORDER BY name",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && f->n < MAX_TABLES)
		snprintf(f->t[f->n++].name, sizeof(f->t[0].name), "%s",
		         (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	for (int i = 0; i < f->n; i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", f->t[i].name);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			uint64_t h = 14695981039346656037ULL;
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const void *v = sqlite3_column_blob(st, c);
				h = fnv(h, v ? v : "", (size_t)sqlite3_column_bytes(st, c));
				h = fnv(h, "\x1f", 1);
			}
			f->t[i].rows++;
			f->t[i].digest += h;
		}
		assert_int_equal(rc, SQLITE_DONE);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* Waits (up to 30 s) until the server's notifier has delivered every
 * outbox row on c, so that its background inserts into the inbox are not
 * taken for a probe's change (the demo's messages are still being
 * delivered when a slow store, such as a cluster committing on a
 * synchronous standby, has answered the first probes). */
static void pg_settled(PGconn *c)
{
	for (int i = 0; i < 300; i++) {
		PGresult *r = PQexec(c, "SELECT count(*) FROM outbox WHERE inbox_done = 0 OR"
		                        " hooks_done = 0");
		bool done =
		    PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "0");
		PQclear(r);
		if (done)
			return;
		usleep(100 * 1000);
	}
	fail_msg("the outbox was not delivered within 30 s");
}

static void fp_pg(struct fp *f)
{
	PGconn *c = PQconnectdb(db_url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	pg_settled(c);
	PGresult *r = PQexec(c, "SELECT table_name FROM information_schema.tables "
	                        "WHERE table_schema = current_schema() "
	                        "AND table_type = 'BASE TABLE' ORDER BY 1");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	for (int i = 0; i < PQntuples(r) && f->n < MAX_TABLES; i++)
		snprintf(f->t[f->n++].name, sizeof(f->t[0].name), "%s", PQgetvalue(r, i, 0));
	PQclear(r);
	for (int i = 0; i < f->n; i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", f->t[i].name);
		r = PQexec(c, sql);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		for (int row = 0; row < PQntuples(r); row++) {
			uint64_t h = 14695981039346656037ULL;
			for (int col = 0; col < PQnfields(r); col++) {
				h = fnv(h, PQgetvalue(r, row, col),
				        (size_t)PQgetlength(r, row, col));
				h = fnv(h, "\x1f", 1);
			}
			f->t[i].rows++;
			f->t[i].digest += h;
		}
		PQclear(r);
	}
	PQfinish(c);
}

static void fingerprint(struct fp *f)
{
	memset(f, 0, sizeof(*f));
	if (strncmp(db_url, "sqlite:", 7) == 0)
		fp_sqlite(f);
	else
		fp_pg(f);
	assert_true(f->n > 10);
}

/* Tables that change on a read: the audit trail of staff reads, the
 * sessions' last use, and the log of data-sharing queries (every query is
 * logged, a refused one too). */
static bool read_changes(const char *table)
{
	return strcmp(table, "audit_log") == 0 || strcmp(table, "audit_head") == 0 ||
	       strcmp(table, "sessions") == 0 || strcmp(table, "data_uses") == 0;
}

/* Fails, naming the tables, when b differs from a (reads: but for the
 * tables a read may change). */
static void fp_same(const struct fp *a, const struct fp *b, bool reads, const char *what)
{
	assert_int_equal(a->n, b->n);
	bool same = true;
	for (int i = 0; i < a->n; i++) {
		if (reads && read_changes(a->t[i].name))
			continue;
		if (a->t[i].rows != b->t[i].rows || a->t[i].digest != b->t[i].digest) {
			print_error("%s changed table %s (%ld rows, now %ld)\n", what, a->t[i].name,
			            a->t[i].rows, b->t[i].rows);
			same = false;
		}
	}
	if (!same)
		fail_msg("%s changed what is stored", what);
}

/* ---- probes ---------------------------------------------------------- */

static const struct test_session *who_of(const char *who)
{
	if (strcmp(who, "admin") == 0)
		return &admin;
	if (strcmp(who, "citizen") == 0)
		return &citizen;
	if (strcmp(who, "reviewer") == 0)
		return &reviewer;
	if (strcmp(who, "catalog") == 0)
		return &catalog;
	if (strcmp(who, "clerk") == 0)
		return &clerk;
	if (strcmp(who, "supervisor") == 0)
		return &supervisor;
	if (strcmp(who, "sharer") == 0)
		return &sharer;
	assert_string_equal(who, "anon");
	return NULL;
}

/* s with each placeholder of the table replaced; malloc'd. */
static char *expand(const char *s)
{
	const char *keys[][2] = {
	    {"{CASE}", case_no}, {"{ITEM}", item},       {"{CERT}", cert},
	    {"{ME}", me_id},     {"{RCASE}", rcase},     {"{FOLLOWUP}", followup},
	    {"{code}", item},    {"{case_no}", case_no}, {"{identifier}", cert}};
	size_t cap = strlen(s) * 4 + 256, n = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	while (*s) {
		bool done = false;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && !done; k++) {
			size_t l = strlen(keys[k][0]);
			if (strncmp(s, keys[k][0], l) == 0) {
				n += (size_t)snprintf(out + n, cap - n, "%s", keys[k][1]);
				s += l;
				done = true;
			}
		}
		if (!done && *s == '{' && strchr(s, '}') && s[1] >= 'a' && s[1] <= 'z') {
			/* Any other path parameter: an id. */
			n += (size_t)snprintf(out + n, cap - n, "1");
			s = strchr(s, '}') + 1;
			done = true;
		}
		if (!done)
			out[n++] = *s++;
	}
	out[n] = '\0';
	return out;
}

/* Whether body is a JSON error: an object with a string "error" and a
 * non-empty string "field" or "reason". */
static bool json_error_body(const struct http_resp *r)
{
	json_t *j = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	const char *f = json_string_value(json_object_get(j, "field"));
	const char *why = json_string_value(json_object_get(j, "reason"));
	bool ok = json_is_string(json_object_get(j, "error")) && ((f && *f) || (why && *why));
	json_decref(j);
	return ok;
}

/* Sends body (len bytes, with content type ct) to method path as s and
 * fails unless the answer is a 4xx JSON error. */
static void probe(const struct test_session *s, const char *method, const char *path,
                  const char *ct, const char *body, size_t len, const char *what)
{
	const char *h[4] = {NULL};
	int n = 0;
	char ctype[96];
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", ct);
	h[n++] = ctype;
	if (s) {
		h[n++] = s->cookie;
		h[n++] = s->csrf;
	}
	struct http_resp r;
	http_req(&srv, method, path, h, body, len, &r);
	probes++;
	if (r.status >= 0 && r.status < 600)
		by_status[r.status]++;
	if (getenv("TB_BADINPUT_VERBOSE")) /* every probe and its answer */
		fprintf(stderr, "%s %s | %s | %ld %.160s\n", method, path, what, r.status,
		        r.body ? r.body : "");
	if (r.status < 400 || r.status > 499 || !json_error_body(&r))
		fail_msg("%s %s, %s: %ld %.300s", method, path, what, r.status,
		         r.body ? r.body : "(no body)");
	http_free(&r);
}

static void probe_json(const struct test_session *s, const char *method, const char *path,
                       json_t *body, const char *what)
{
	char *text = json_dumps(body, JSON_COMPACT);
	assert_non_null(text);
	probe(s, method, path, "application/json", text, strlen(text), what);
	free(text);
}

/* A string of n copies of c, malloc'd. */
static char *repeat(char c, size_t n)
{
	char *p = malloc(n + 1);
	assert_non_null(p);
	memset(p, c, n);
	p[n] = '\0';
	return p;
}

/* A value of another JSON type than v. */
static json_t *wrong_type(const json_t *v)
{
	if (json_is_string(v))
		return json_integer(12345);
	if (json_is_integer(v))
		return json_string("7");
	if (json_is_array(v))
		return json_pack("{s:i}", "a", 1);
	if (json_is_object(v))
		return json_pack("[s]", "x");
	return json_array();
}

/* The probes of one member of base: its wrong type, and for a string a
 * control character, a NUL and 64 KiB of text. */
static void member_probes(const struct test_session *s, const char *method, const char *path,
                          const json_t *base, const char *key, bool types_only)
{
	char what[160];
	json_t *b = json_deep_copy(base);
	json_object_set_new(b, key, wrong_type(json_object_get(base, key)));
	snprintf(what, sizeof(what), "member %s of the wrong type", key);
	probe_json(s, method, path, b, what);
	if (!types_only) {
		static const char *const bad[] = {"a\001b", "x\033[2J", "\x7f"};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			json_object_set_new(b, key, json_string(bad[i]));
			snprintf(what, sizeof(what), "member %s with control character %zu", key,
			         i);
			probe_json(s, method, path, b, what);
		}
		json_object_set_new(b, key, json_stringn("a\0b", 3));
		snprintf(what, sizeof(what), "member %s with a NUL", key);
		probe_json(s, method, path, b, what);
		char *big = repeat('x', 64 * 1024);
		json_object_set_new(b, key, json_string(big));
		free(big);
		snprintf(what, sizeof(what), "member %s of 64 KiB", key);
		probe_json(s, method, path, b, what);
	}
	json_decref(b);
}

/* Every probe of one JSON route. */
static void route_probes(const char *method, const char *path, const char *who,
                         const char *base_text, const char *required, const char *flags)
{
	const struct test_session *s = who_of(who);
	json_t *base = json_loads(base_text, 0, NULL);
	assert_non_null(base);
	static const struct {
		const char *body, *what;
	} fixed[] = {
	    {"not json", "not JSON"},
	    {"{", "truncated"},
	    {"{\"a\":1,}", "trailing comma"},
	    {"[1,2]", "an array"},
	    {"\"text\"", "a string"},
	    {"42", "a number"},
	    {"null", "null"},
	    {"true", "true"},
	    {"{} {}", "two documents"},
	    {"{\"a\":1,\"a\":2}", "a duplicate key"},
	    {"{\"zz\":1e400}", "a double out of range"},
	    {"{\"zz\":99999999999999999999}", "an integer out of range"},
	    {"{\"zz\":-99999999999999999999}", "a negative integer out of range"},
	    {"{\"zz\":NaN}", "NaN"},
	    {"{\"zz\":\"\xff\xfe\"}", "invalid UTF-8"},
	    {"{\"zz\":\"\xc0\xaf\"}", "overlong UTF-8"},
	    {"{\"zz\":\"\xed\xa0\x80\"}", "a UTF-8 surrogate"},
	    {"{\"zz\":\"\\ud800\"}", "a lone surrogate escape"},
	    {"{\"zz\":\"a\001b\"}", "a raw control character"},
	    {"{\"zz\":\"a\nb\"}", "a raw newline in a string"},
	    {"{\"\xff\":1}", "invalid UTF-8 in a key"},
	    {"\xef\xbb\xbf{}", "a byte-order mark"},
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		probe(s, method, path, "application/json", fixed[i].body, strlen(fixed[i].body),
		      fixed[i].what);
	/* An empty body, and the base under other content types. */
	probe(s, method, path, "application/json", "", 0, "an empty body");
	probe(s, method, path, "text/plain", base_text, strlen(base_text), "text/plain");
	probe(s, method, path, "application/x-www-form-urlencoded", "a=1", 3, "a form");
	/* Deep nesting, arrays and objects. */
	char *deep = repeat('[', 10000);
	probe(s, method, path, "application/json", deep, strlen(deep), "10,000 [");
	free(deep);
	size_t depth = 5000, len = 0;
	char *obj = malloc(depth * 6 + 8);
	assert_non_null(obj);
	for (size_t i = 0; i < depth; i++)
		len += (size_t)snprintf(obj + len, 8, "{\"a\":");
	len += (size_t)snprintf(obj + len, 8, "1");
	memset(obj + len, '}', depth);
	len += depth;
	probe(s, method, path, "application/json", obj, len, "5,000 nested objects");
	free(obj);
	/* A 1 MB string, and one past the body limit. */
	for (size_t mb = 1000 * 1000; mb <= 2 * 1024 * 1024; mb += mb) {
		char *big = malloc(mb + 16);
		assert_non_null(big);
		int n = snprintf(big, 16, "{\"zz\":\"");
		memset(big + n, 'x', mb);
		memcpy(big + n + mb, "\"}", 3);
		probe(s, method, path, "application/json", big, strlen(big), "an oversized string");
		free(big);
	}
	/* The members: unknown, missing, of the wrong type or content. */
	json_t *b = json_deep_copy(base);
	json_object_set_new(b, "zz_unknown", json_integer(1));
	probe_json(s, method, path, b, "an unknown member");
	json_decref(b);
	if (strcmp(required, "-") != 0) {
		char req[256];
		snprintf(req, sizeof(req), "%s", required);
		for (char *k = req, *comma; k && *k; k = comma ? comma + 1 : NULL) {
			comma = strchr(k, ',');
			if (comma)
				*comma = '\0';
			assert_non_null(json_object_get(base, k));
			b = json_deep_copy(base);
			json_object_del(b, k);
			char what[300];
			snprintf(what, sizeof(what), "required member %s missing", k);
			probe_json(s, method, path, b, what);
			json_decref(b);
		}
		probe(s, method, path, "application/json", "{}", 2, "an empty object");
	}
	const char *key;
	json_t *v;
	json_object_foreach(base, key, v)
	    member_probes(s, method, path, base, key, strcmp(flags, "types") == 0);
	json_decref(base);
}

/* The fingerprint sees a write: a sign-in adds a session. */
static void fingerprint_sees_writes(void **state)
{
	(void)state;
	struct fp a, b;
	fingerprint(&a);
	assert_int_equal(test_login(&srv, "330106198808081015", "tongban-demo", NULL), 200);
	fingerprint(&b);
	bool changed = false;
	for (int i = 0; i < a.n; i++)
		changed |= a.t[i].rows != b.t[i].rows || a.t[i].digest != b.t[i].digest;
	assert_true(changed);
}

static void json_bodies(void **state)
{
	(void)state;
	memset(by_status, 0, sizeof(by_status));
	struct tsv t;
	tsv_open(&t, "tests/api/badinput.tsv");
	int routes = 0, before = probes;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 6);
		char *path = expand(t.field[1]), *base = expand(t.field[3]);
		struct fp a, b;
		fingerprint(&a);
		route_probes(t.field[0], path, t.field[2], base, t.field[4], t.field[5]);
		fingerprint(&b);
		char what[300];
		snprintf(what, sizeof(what), "the probes of %s %s", t.field[0], path);
		/* "logs": the route records refused requests by design. */
		fp_same(&a, &b, strcmp(t.field[5], "logs") == 0, what);
		free(path);
		free(base);
		routes++;
	}
	tsv_close(&t);
	print_message("badinput: %d probes over %d JSON routes:", probes - before, routes);
	for (int i = 0; i < 600; i++)
		if (by_status[i])
			print_message(" %d x %d", by_status[i], i);
	print_message("\n");
}

/* Whether path (of the table, placeholders expanded) is an instance of
 * the route's pattern: the same segments but where the pattern has a
 * parameter. */
static bool instance_of(const char *path, const char *pattern)
{
	while (*path && *pattern) {
		size_t a = strcspn(path, "/"), b = strcspn(pattern, "/");
		if (!(pattern[0] == '{' || (a == b && strncmp(path, pattern, a) == 0)))
			return false;
		path += a;
		pattern += b;
		if (*path != *pattern)
			return false;
		if (*path)
			path++, pattern++;
	}
	return !*path && !*pattern;
}

/* Every route that takes a body (other than multipart) is in the table. */
static void table_complete(void **state)
{
	(void)state;
	for (const struct tb_route *r = tb_routes; r->method; r++) {
		if (strcmp(r->method, "POST") != 0 && strcmp(r->method, "PUT") != 0)
			continue;
		if (r->stream)
			continue; /* multipart uploads: tests/api/test_materials.c */
		/* Routes that read no body: nothing to probe. */
		static const char *const bodyless[] = {"/api/v1/auth/logout",
		                                       "/api/v1/me/recovery-code",
		                                       "/api/v1/cases/{case_no}/query-code",
		                                       "/api/v1/items/{code}/publish",
		                                       "/api/v1/items/{code}/withdraw",
		                                       "/api/v1/departments/{id}/keys",
		                                       "/api/v1/federation/keys",
		                                       "/api/v1/federation/peers/{id}/ping",
		                                       "/api/v1/federation/peers/{id}/catalog-sync",
		                                       "/api/v1/federation/outbox/{id}/retry"};
		bool found = false;
		for (size_t i = 0; !found && i < sizeof(bodyless) / sizeof(bodyless[0]); i++)
			found = strcmp(r->pattern, bodyless[i]) == 0;
		struct tsv t;
		tsv_open(&t, "tests/api/badinput.tsv");
		while (!found && tsv_next(&t)) {
			char *p = expand(t.field[1]);
			found = strcmp(t.field[0], r->method) == 0 && instance_of(p, r->pattern);
			free(p);
		}
		tsv_close(&t);
		if (!found)
			fail_msg("%s %s takes a body but is not in tests/api/badinput.tsv",
			         r->method, r->pattern);
	}
}

/* One GET with a bad query: no 5xx, JSON when refused, and want (when not
 * 0) as its status. */
static void query_probe(const char *path, const char *query, long want, const char *field)
{
	size_t n = strlen(path) + strlen(query) + 2;
	char *url = malloc(n);
	assert_non_null(url);
	snprintf(url, n, "%s?%s", path, query);
	struct http_resp r;
	test_call(&srv, &admin, "GET", url, NULL, &r);
	probes++;
	if (r.status >= 500 || r.status < 200 || (want && r.status != want) ||
	    (r.status >= 400 && !json_error_body(&r)))
		fail_msg("GET %.200s: %ld %.300s", url, r.status, r.body ? r.body : "(no body)");
	if (field) {
		json_t *j = json_loadb(r.body, r.len, 0, NULL);
		const char *f = json_string_value(json_object_get(j, "field"));
		if (!f || strcmp(f, field) != 0)
			fail_msg("GET %.200s: field %s, not %s", url, f ? f : "(none)", field);
		json_decref(j);
	}
	http_free(&r);
	free(url);
}

static void query_params(void **state)
{
	(void)state;
	int routes = 0, before = probes;
	struct fp a, b;
	fingerprint(&a);
	for (const struct tb_route *r = tb_routes; r->method; r++) {
		if (strcmp(r->method, "GET") != 0 || strcmp(r->pattern, "/_bench/trivial") == 0)
			continue;
		char *path = expand(r->pattern);
		routes++;
		query_probe(path, "zz_unknown=1", 400, "zz_unknown");
		query_probe(path, "%ff=1", 400, NULL);
		char q[64];
		const char *p = r->query;
		while (p && *p) {
			const char *comma = strchr(p, ',');
			int l = comma ? (int)(comma - p) : (int)strlen(p);
			static const char *const values[] = {
			    "",      "%ff%fe",      "%00", "-1", "99999999999999999999",
			    "x%0Dy", "%3Cscript%3E"};
			for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
				snprintf(q, sizeof(q), "%.*s=%s", l, p, values[i]);
				query_probe(path, q, 0, NULL);
			}
			snprintf(q, sizeof(q), "%.*s=1&%.*s=2", l, p, l, p);
			query_probe(path, q, 0, NULL);
			char *longq = malloc(4100);
			assert_non_null(longq);
			int k = snprintf(longq, 4100, "%.*s=", l, p);
			memset(longq + k, 'x', 4000);
			longq[k + 4000] = '\0';
			query_probe(path, longq, 0, NULL);
			free(longq);
			p = comma ? comma + 1 : NULL;
		}
		free(path);
	}
	fingerprint(&b);
	fp_same(&a, &b, true, "the query probes");
	print_message("badinput: %d query probes over %d GET routes\n", probes - before, routes);
}

/* ---- setup ----------------------------------------------------------- */

static int start(const char *db)
{
	snprintf(db_url, sizeof(db_url), "%s", db);
	const struct test_who who[] = {
	    {"330106198202027014", &admin},    {ZHANG, &citizen},
	    {"330106198707072021", &reviewer}, {"330102198505054022", &catalog},
	    {"330106198808081015", &clerk},    {"330106198303036024", &supervisor},
	    {"330105198404045011", &sharer}};
	if (test_start_demo(&srv, db, who, sizeof(who) / sizeof(who[0])) != 0)
		return -1;
	/* The ids the probes name: a published item, a draft of 张三's, one of
	 * his certificates and his account. */
	struct http_resp r;
	test_call(&srv, NULL, "GET", "/api/v1/items?per_page=1", NULL, &r);
	json_t *j = json_loadb(r.body, r.len, 0, NULL);
	http_free(&r);
	const char *code = json_string_value(
	    json_object_get(json_array_get(json_object_get(j, "items"), 0), "implementation_code"));
	if (!code)
		return -1;
	snprintf(item, sizeof(item), "%s", code);
	json_decref(j);
	char body[256];
	snprintf(body, sizeof(body), "{\"item\":\"%s\"}", item);
	test_call(&srv, &citizen, "POST", "/api/v1/cases", body, &r);
	j = json_loadb(r.body, r.len, 0, NULL);
	http_free(&r);
	code = json_string_value(json_object_get(j, "case_no"));
	snprintf(case_no, sizeof(case_no), "%s",
	         code ? code : "11330106024892795E4010010201000202611260004");
	json_decref(j);
	test_call(&srv, &citizen, "GET", "/api/v1/me/certificates", NULL, &r);
	j = json_loadb(r.body, r.len, 0, NULL);
	http_free(&r);
	code = json_string_value(
	    json_object_get(json_array_get(json_object_get(j, "items"), 0), "identifier"));
	snprintf(cert, sizeof(cert), "%s", code ? code : "none");
	json_decref(j);
	/* A case the reviewer may decide, and a follow-up of a bad rating. */
	test_call(&srv, &reviewer, "GET", "/api/v1/cases", NULL, &r);
	j = json_loadb(r.body, r.len, 0, NULL);
	http_free(&r);
	code = json_string_value(
	    json_object_get(json_array_get(json_object_get(j, "items"), 0), "case_no"));
	snprintf(rcase, sizeof(rcase), "%s", code ? code : case_no);
	json_decref(j);
	test_call(&srv, &supervisor, "GET", "/api/v1/ratings/followups", NULL, &r);
	j = json_loadb(r.body, r.len, 0, NULL);
	http_free(&r);
	snprintf(followup, sizeof(followup), "%lld",
	         (long long)json_integer_value(
	             json_object_get(json_array_get(json_object_get(j, "items"), 0), "id")));
	json_decref(j);
	test_call(&srv, &citizen, "GET", "/api/v1/me", NULL, &r);
	j = json_loadb(r.body, r.len, 0, NULL);
	http_free(&r);
	snprintf(me_id, sizeof(me_id), "%lld",
	         (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	return 0;
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("badinput"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table_complete),
	    cmocka_unit_test(fingerprint_sees_writes),
	    cmocka_unit_test(json_bodies),
	    cmocka_unit_test(query_params),
	};
	int failed = cmocka_run_group_tests_name("badinput/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("badinput/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
