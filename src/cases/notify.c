/* The outbox worker (see notify.h). */
#include "cases/notify.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/netaddr.h"
#include "base/testmode.h"
#include "identity/ctx.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH         100
#define MAX_ATTEMPTS  10
#define MAX_BACKOFF_S 3600
#define GAP_MS        25 /* between passes: a message waits at most this for a batch */

struct tb_notifier {
	struct tb_store *store;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, kicked;
	int interval_ms;
	bool allow_private;  /* webhooks may reach loopback and private networks */
	tb_notify_also also; /* another outbox's pass (tb_notifier_also), or NULL */
	void *also_arg;
};

/* What the applicant reads for each state a case reaches. */
static const char *title_of(const char *state)
{
	static const struct {
		const char *state, *title;
	} titles[] = {
	    {"submitted", "您的申请已提交"},      {"accepted", "您的办件已受理"},
	    {"not_accepted", "您的申请未予受理"}, {"needs_correction", "请补正材料"},
	    {"under_review", "您的办件正在审查"}, {"suspended", "您的办件已中止计时"},
	    {"approved", "您的办件已审批通过"},   {"refused", "您的办件未予许可"},
	    {"completed", "您的办件已办结"},      {"withdrawn", "您的申请已撤回"},
	};
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(titles[i].state, state) == 0)
			return titles[i].title;
	return "办件状态已更新";
}

/* Inbox and webhook fan-out of pending outbox rows: one transaction per
 * pass, with the inbox rows, the deliveries and the marks of the whole
 * batch a statement each (a pass under load carries many messages). */
static int fan_out(struct tb_conn *c, int64_t now)
{
	struct tb_stmt *st;
	bool row;
	int64_t ids[BATCH], accounts[BATCH], inbox_done[BATCH];
	char case_no[BATCH][64], state[BATCH][24];
	bool false_commitment[BATCH];
	int n = 0;
	if (tb_conn_query(c, &st, &row,
	                  "SELECT id, account_id, inbox_done, case_no, state, event FROM"
	                  " outbox WHERE hooks_done = 0 OR inbox_done = 0 ORDER BY id LIMIT ?",
	                  "i", (int64_t)BATCH) != TB_OK)
		return 0;
	while (row && n < BATCH) {
		ids[n] = tb_stmt_int(st, 0);
		accounts[n] = tb_stmt_int(st, 1);
		inbox_done[n] = tb_stmt_int(st, 2);
		snprintf(case_no[n], sizeof(case_no[n]), "%s", tb_stmt_text(st, 3));
		snprintf(state[n], sizeof(state[n]), "%s", tb_stmt_text(st, 4));
		false_commitment[n] = !strcmp(tb_stmt_text(st, 5), "commitment_false");
		n++;
		if (tb_stmt_step(st, &row) != TB_OK)
			break;
	}
	tb_stmt_reset(st);
	if (n == 0)
		return 0;
	/* The batch's ids as one parameter. Not a range: an outbox row with a
	 * smaller id may commit after the pass read a larger one. */
	bool pg = tb_conn_kind(c) == TB_STORE_PG;
	const char *in;
	char *list = tb_conn_int_list(c, ids, (size_t)n, &in);
	/* The inbox rows, as one JSON array parameter of {o, a, c, t, b}. */
	json_t *rows = json_array();
	for (int i = 0; i < n; i++) {
		if (inbox_done[i])
			continue;
		char body[512];
		const char *title = title_of(state[i]);
		snprintf(body, sizeof(body), "办件编号 %.63s，当前状态：%s。", case_no[i], title);
		/* A department found a commitment of this case false. */
		if (false_commitment[i]) {
			title = "您的告知承诺经核查不实";
			snprintf(body, sizeof(body),
			         "办件编号 %.63s 中您以告知承诺代替的证明材料，经办理部门核查与承诺"
			         "不符，已记入您的信用记录；信用修复前不再适用告知承诺，"
			         "请提交相应证明材料。",
			         case_no[i]);
		}
		json_array_append_new(rows,
		                      json_pack("{s:I, s:I, s:s, s:s, s:s}", "o",
		                                (json_int_t)ids[i], "a", (json_int_t)accounts[i],
		                                "c", case_no[i], "t", title, "b", body));
	}
	char *inbox = json_dumps(rows, JSON_COMPACT);
	bool any = json_array_size(rows) > 0;
	json_decref(rows);
	enum tb_err e = inbox ? tb_conn_begin(c) : TB_EINTERNAL;
	if (e == TB_OK && any)
		e = tb_conn_run(
		    c, NULL,
		    pg ? "INSERT INTO inbox (outbox_id, account_id, case_no, title, body, "
		         "created_at)"
		         " SELECT x.o, x.a, x.c, x.t, x.b, ? FROM json_to_recordset(CAST(? AS "
		         "json))"
		         " AS x(o bigint, a bigint, c text, t text, b text)"
		         " ON CONFLICT (outbox_id) DO NOTHING"
		       /* WHERE true: SQLite's upsert after a SELECT needs a WHERE. */
		       : "INSERT INTO inbox (outbox_id, account_id, case_no, title, body, "
		         "created_at)"
		         " SELECT json_extract(value, '$.o'), json_extract(value, '$.a'),"
		         " json_extract(value, '$.c'), json_extract(value, '$.t'),"
		         " json_extract(value, '$.b'), ? FROM json_each(?) WHERE true"
		         " ON CONFLICT (outbox_id) DO NOTHING",
		    "is", now, inbox);
	free(inbox);
	char sql[320];
	snprintf(sql, sizeof(sql),
	         "INSERT INTO deliveries (outbox_id, webhook_id, state, next_at)"
	         " SELECT o.id, w.id, 'pending', ? FROM outbox o JOIN webhooks w ON"
	         " w.department_id = o.department_id AND w.active = 1 WHERE o.id %s"
	         " ON CONFLICT (outbox_id, webhook_id) DO NOTHING",
	         in);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL, sql, "is", now, list);
	snprintf(sql, sizeof(sql), "UPDATE outbox SET inbox_done = 1, hooks_done = 1 WHERE id %s",
	         in);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL, sql, "s", list);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	free(list);
	return e == TB_OK ? n : 0;
}

static size_t discard(char *p, size_t size, size_t nmemb, void *ud)
{
	(void)p;
	(void)ud;
	return size * nmemb;
}

/* POSTs body to url signed with secret; returns the HTTP status or 0
 * (*refused: the address was not public and allow_private is false). */
static long post(const char *url, const char *secret, const char *body, int64_t delivery,
                 bool allow_private, bool *refused)
{
	unsigned char mac[32];
	unsigned int maclen = 0;
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, strlen(body),
	     mac, &maclen);
	char hex[65], sig[96], did[64];
	tb_hex(mac, maclen, hex);
	snprintf(sig, sizeof(sig), "X-Tongban-Signature: sha256=%s", hex);
	snprintf(did, sizeof(did), "X-Tongban-Delivery: %lld", (long long)delivery);
	CURL *h = curl_easy_init();
	if (!h)
		return 0;
	struct curl_slist *hdrs = NULL;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, sig);
	hdrs = curl_slist_append(hdrs, did);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	*refused = false;
	if (!allow_private)
		tb_curl_public_only(h, refused);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return status;
}

/* Attempts the deliveries that are due. */
static int deliver(struct tb_conn *c, int64_t now, bool allow_private)
{
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(c, &st, &row,
	                  "SELECT d.id, d.attempts, w.url, w.secret, o.case_no, o.event, o.state,"
	                  " o.created_at, o.id FROM deliveries d JOIN webhooks w ON w.id ="
	                  " d.webhook_id JOIN outbox o ON o.id = d.outbox_id WHERE d.state ="
	                  " 'pending' AND d.next_at <= ? ORDER BY d.next_at LIMIT 20",
	                  "i", now) != TB_OK)
		return 0;
	struct job {
		int64_t id, attempts;
		char *url, *secret, *body;
	} jobs[20];
	int n = 0;
	while (row && n < 20) {
		struct job *j = &jobs[n++];
		j->id = tb_stmt_int(st, 0);
		j->attempts = tb_stmt_int(st, 1);
		j->url = tb_xstrdup(tb_stmt_text(st, 2));
		j->secret = tb_xstrdup(tb_stmt_text(st, 3));
		struct tb_buf b = TB_BUF_INIT;
		tb_buf_printf(&b,
		              "{\"delivery\":%lld,\"outbox_id\":%lld,\"case_no\":\"%s\",\"event\":"
		              "\"%s\",\"state\":\"%s\",\"at\":%lld}",
		              (long long)j->id, (long long)tb_stmt_int(st, 8), tb_stmt_text(st, 4),
		              tb_stmt_text(st, 5), tb_stmt_text(st, 6),
		              (long long)tb_stmt_int(st, 7));
		j->body = tb_buf_take(&b);
		if (tb_stmt_step(st, &row) != TB_OK)
			break;
	}
	tb_stmt_reset(st);
	/* The network calls run outside any transaction. */
	for (int i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		bool refused;
		long status = post(j->url, j->secret, j->body, j->id, allow_private, &refused);
		int64_t attempts = j->attempts + 1;
		bool ok = status >= 200 && status < 300;
		int64_t backoff = (int64_t)1 << (attempts < 12 ? attempts : 12);
		if (backoff > MAX_BACKOFF_S)
			backoff = MAX_BACKOFF_S;
		const char *state = ok                         ? "delivered"
		                    : attempts >= MAX_ATTEMPTS ? "failed"
		                                               : "pending";
		tb_conn_run(c, NULL,
		            "UPDATE deliveries SET attempts = ?, state = ?, last_status = ?,"
		            " next_at = ?, delivered_at = ? WHERE id = ?",
		            "isiiIi", attempts, state, (int64_t)status, now + backoff,
		            ok ? now : (int64_t)0, j->id);
		if (refused)
			tb_log_warn(
			    "notify",
			    "webhook delivery %lld: attempt %lld refused: the address is not "
			    "public (serve --allow-private-webhooks allows it)",
			    (long long)j->id, (long long)attempts);
		else if (!ok)
			tb_log_warn("notify", "webhook delivery %lld: attempt %lld got %ld",
			            (long long)j->id, (long long)attempts, status);
		free(j->url);
		free(j->secret);
		free(j->body);
	}
	return n;
}

/* The advisory lock that makes one node the deliverer (any constant the
 * platform uses for nothing else). */
#define DELIVERER_LOCK 0x7462646cL /* "tbdl" */

int tb_notify_pass(struct tb_store *s, int64_t now, bool allow_private)
{
	struct tb_conn *c;
	if (tb_store_acquire(s, &c) != TB_OK)
		return 0;
	/* Several nodes over one PostgreSQL: one delivers at a time, so that
	 * a webhook is not posted twice by two nodes that read the same due
	 * row. The lock is the session's: it goes with the connection when a
	 * node dies, and another node takes over on its next pass. */
	if (!tb_conn_node_lock(c, DELIVERER_LOCK)) {
		tb_store_release(c);
		return 0;
	}
	int n = fan_out(c, now);
	n += deliver(c, now, allow_private);
	tb_conn_node_unlock(c, DELIVERER_LOCK);
	tb_store_release(c);
	return n;
}

/* Waits on n's condition until ms from now or until stop; with kicks,
 * until the first kick. Called with n->mu held. */
static void wait_ms(struct tb_notifier *n, int ms, bool kicks)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	while (!n->stop && !(kicks && n->kicked))
		if (pthread_cond_timedwait(&n->cv, &n->mu, &ts) != 0)
			break;
}

static void *worker(void *arg)
{
	struct tb_notifier *n = arg;
	pthread_mutex_lock(&n->mu);
	while (!n->stop) {
		pthread_mutex_unlock(&n->mu);
		int done = tb_notify_pass(n->store, (int64_t)time(NULL), n->allow_private);
		pthread_mutex_lock(&n->mu);
		tb_notify_also also = n->also;
		void *also_arg = n->also_arg;
		pthread_mutex_unlock(&n->mu);
		if (also)
			done += also(n->store, (int64_t)time(NULL), also_arg);
		pthread_mutex_lock(&n->mu);
		if (done >= BATCH || n->stop)
			continue; /* more waiting */
		/* Every transition kicks, but a pass waits GAP_MS after the last:
		 * under load it then carries many messages at once (a pass costs
		 * about nine statements, whatever it carries). */
		wait_ms(n, GAP_MS, false);
		wait_ms(n, n->interval_ms, true);
		n->kicked = false;
	}
	pthread_mutex_unlock(&n->mu);
	return NULL;
}

enum tb_err tb_notifier_start(struct tb_store *s, int interval_ms, bool allow_private,
                              struct tb_notifier **out)
{
	*out = NULL;
	const char *pause = tb_test_getenv("TB_NOTIFY_PAUSE");
	if (pause && strcmp(pause, "1") == 0) {
		tb_log_warn("notify", "TB_NOTIFY_PAUSE=1: notifications are not delivered");
		return TB_OK;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct tb_notifier *n = tb_xcalloc(1, sizeof(*n));
	n->store = s;
	n->interval_ms = interval_ms > 0 ? interval_ms : 200;
	n->allow_private = allow_private;
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cv, NULL);
	if (pthread_create(&n->thread, NULL, worker, n) != 0) {
		free(n);
		return TB_EINTERNAL;
	}
	*out = n;
	return TB_OK;
}

void tb_notifier_also(struct tb_notifier *n, tb_notify_also pass, void *arg)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->also = pass;
	n->also_arg = arg;
	n->kicked = true;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mu);
}

void tb_notifier_kick(struct tb_notifier *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->kicked = true;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mu);
}

void tb_notifier_stop(struct tb_notifier *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->stop = true;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mu);
	pthread_join(n->thread, NULL);
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cv);
	free(n);
	curl_global_cleanup();
}

struct create_args {
	const struct tb_ctx *ctx;
	int64_t department;
	const char *url, *secret;
	int64_t *id;
	struct tb_fail *f;
};

static enum tb_err create_in(struct tb_conn *c, void *arg)
{
	struct create_args *x = arg;
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "INSERT INTO webhooks (department_id, url, secret, created_at)"
	                  " VALUES (?, ?, ?, ?) RETURNING id",
	                  "issi", x->department, x->url, x->secret, (int64_t)time(NULL));
	if (e == TB_ECONFLICT)
		return tb_fail(x->f, e, "department_id", "no such department");
	if (e != TB_OK)
		return e;
	*x->id = row ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	char object[48];
	snprintf(object, sizeof(object), "webhook:%lld", (long long)*x->id);
	return tb_ctx_audit(c, x->ctx, "webhook.create", object, "ok");
}

enum tb_err tb_webhook_create(struct tb_store *s, const struct tb_ctx *ctx, int64_t department,
                              const char *url, bool allow_private, int64_t *id, char secret[64],
                              struct tb_fail *f)
{
	*id = 0;
	secret[0] = '\0';
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) ||
	    strlen(url) > 500 || strpbrk(url, " \t\r\n"))
		return tb_fail(f, TB_EINVAL, "url", "expected an http or https URL");
	if (!allow_private) {
		/* The host as curl will read it; delivery checks again (post). */
		CURLU *u = curl_url();
		char *host = NULL;
		bool parsed = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
		const char *why = NULL;
		bool ok = parsed && tb_host_public(host, &why);
		curl_free(host);
		curl_url_cleanup(u);
		if (!ok)
			return tb_fail(f, TB_EINVAL, "url",
			               parsed ? why : "expected an http or https URL");
	}
	char token[64];
	tb_token("whs_", 32, token, sizeof(token));
	struct create_args x = {ctx, department, url, token, id, f};
	enum tb_err e = tb_store_write(s, create_in, &x);
	if (e == TB_OK)
		memcpy(secret, token, strlen(token) + 1);
	else
		*id = 0;
	return e;
}

enum tb_err tb_inbox_list(struct tb_store *s, int64_t account, int limit, struct tb_arena *a,
                          const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_adds(&b, "[");
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT id, case_no, title, body, created_at FROM inbox WHERE account_id = ?"
	    " ORDER BY id DESC LIMIT ?",
	    "ii", account, (int64_t)limit);
	int n = 0;
	while (e == TB_OK && row) {
		json_t *j =
		    json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)tb_stmt_int(st, 0),
		              "case_no", tb_stmt_text(st, 1), "title", tb_stmt_text(st, 2), "body",
		              tb_stmt_text(st, 3), "created_at", (json_int_t)tb_stmt_int(st, 4));
		char *t = json_dumps(j, JSON_COMPACT);
		tb_buf_printf(&b, "%s%s", n++ ? "," : "", t);
		free(t);
		json_decref(j);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	tb_buf_adds(&b, "]");
	if (e == TB_OK)
		*text = tb_arena_strdup(a, b.data);
	tb_buf_free(&b);
	return e;
}
