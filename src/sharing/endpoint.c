/* Providers' real-time endpoints (see sharing.h): for a subject the
 * platform holds no record of, the provider is asked over HTTP with
 * libcurl. A call has a deadline, transport failures and 5xx are tried
 * again twice, and a resource whose endpoint failed three times in a row
 * is not called for 30 seconds (the circuit is open) so that queries fail
 * at once instead of queueing behind a dead service. The circuit lives in
 * this process: each node of a cluster keeps its own. */
#include "sharing/sharing.h"
#include "base/netaddr.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_MS  1000
#define DEADLINE_MS 2000
#define TRIES       3
#define TRIP_AFTER  3  /* consecutive failed calls open the circuit */
#define OPEN_FOR_S  30 /* then calls are held this long */
#define ANSWER_MAX  (64 * 1024)
#define CIRCUITS    256

static bool allow_private;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int64_t resource;
	int failures;
	time_t open_until;
} circuits[CIRCUITS];

void tb_share_endpoints_allow_private(bool allow)
{
	allow_private = allow;
}

/* The circuit slot of resource (by its id; a full table reuses slots). */
static int slot(int64_t resource)
{
	int free_at = -1;
	for (int i = 0; i < CIRCUITS; i++) {
		if (circuits[i].resource == resource)
			return i;
		if (free_at < 0 && circuits[i].resource == 0)
			free_at = i;
	}
	int i = free_at >= 0 ? free_at : (int)(resource % CIRCUITS);
	circuits[i].resource = resource;
	circuits[i].failures = 0;
	circuits[i].open_until = 0;
	return i;
}

static bool circuit_open(int64_t resource)
{
	pthread_mutex_lock(&lock);
	int i = slot(resource);
	bool open = circuits[i].open_until > time(NULL);
	pthread_mutex_unlock(&lock);
	return open;
}

static void circuit_note(int64_t resource, bool ok)
{
	pthread_mutex_lock(&lock);
	int i = slot(resource);
	circuits[i].failures = ok ? 0 : circuits[i].failures + 1;
	if (circuits[i].failures >= TRIP_AFTER) {
		circuits[i].open_until = time(NULL) + OPEN_FOR_S;
		circuits[i].failures = 0; /* one trial call once it closes again */
	}
	pthread_mutex_unlock(&lock);
}

struct answer {
	char *data;
	size_t len;
	bool too_long;
};

static size_t keep(char *p, size_t size, size_t nmemb, void *ud)
{
	struct answer *a = ud;
	size_t n = size * nmemb;
	if (a->len + n > ANSWER_MAX) {
		a->too_long = true;
		return 0;
	}
	char *grown = realloc(a->data, a->len + n + 1);
	if (!grown)
		return 0;
	a->data = grown;
	memcpy(a->data + a->len, p, n);
	a->len += n;
	a->data[a->len] = '\0';
	return n;
}

/* One POST of body to url; the status (0: no answer) and the answer. */
static long call(const char *url, const char *body, struct answer *out, CURLcode *rc)
{
	CURL *h = curl_easy_init();
	if (!h)
		return 0;
	struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)DEADLINE_MS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	if (!allow_private)
		tb_curl_public_only(h, NULL);
	long status = 0;
	*rc = curl_easy_perform(h);
	if (*rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return status;
}

enum tb_err tb_share_endpoint_fetch(const struct tb_share_resource *res, const char *subject,
                                    json_t **data, struct tb_fail *f)
{
	*data = NULL;
	if (circuit_open(res->id))
		return tb_fail(f, TB_EUNAVAIL, "resource",
		               "the provider's service is failing: calls are held for 30 seconds");
	json_t *req = json_pack("{s:s, s:s}", "resource", res->code, "subject", subject);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	struct answer a = {0};
	long status = 0;
	CURLcode rc = CURLE_OK;
	for (int i = 0; i < TRIES; i++) {
		free(a.data);
		a = (struct answer){0};
		status = call(res->endpoint, body, &a, &rc);
		/* Again only when nothing was asked of the provider or it failed
		 * itself; a deadline passed is not waited for twice. */
		bool again = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
		             (rc == CURLE_OK && status >= 500);
		if (!again)
			break;
		usleep((useconds_t)(100000 << i));
	}
	free(body);
	enum tb_err e = TB_OK;
	json_t *doc = status == 200 && a.data ? json_loads(a.data, 0, NULL) : NULL;
	json_t *found = json_object_get(doc, "found"), *got = json_object_get(doc, "data");
	const char *why = NULL;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		e = tb_fail(f, TB_EUNAVAIL, "resource",
		            "the provider's service did not answer in time");
	else if (rc != CURLE_OK || status == 0)
		e = tb_fail(f, TB_EUNAVAIL, "resource", "the provider's service cannot be reached");
	else if (status != 200)
		e = tb_fail(f, TB_EUNAVAIL, "resource", "the provider's service answered an error");
	else if (!json_is_boolean(found) || (json_is_true(found) && !json_is_object(got)) ||
	         (json_is_true(found) && !tb_share_data_valid(res, got, &why)))
		e = tb_fail(f, TB_EUNAVAIL, "resource",
		            "the provider's service answered something that is not a record");
	circuit_note(res->id, e == TB_OK);
	if (e == TB_OK && json_is_true(found))
		*data = json_incref(got);
	json_decref(doc);
	free(a.data);
	return e;
}
