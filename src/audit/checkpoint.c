/* Signed audit checkpoints (see checkpoint.h): the platform key, reading
 * and signing the head, the JSON files, comparing a chain with a
 * checkpoint, and the thread that makes them at an interval. */
#include "audit/checkpoint.h"
#include "audit/audit.h"

#include "base/buf.h"
#include "base/files.h"
#include "base/log.h"
#include "certs/vault.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FORMAT_V1  "tongban-audit-checkpoint-v1"
#define FORMAT_V2  "tongban-audit-checkpoint-v2"
/* More chains than any store has (32 on PostgreSQL). */
#define MAX_CHAINS 4096

void tb_checkpoint_clear(struct tb_checkpoint *cp)
{
	if (!cp)
		return;
	free(cp->public_pem);
	cp->public_pem = NULL;
	free(cp->chains);
	cp->chains = NULL;
	cp->nchains = 0;
}

/* The key file of keys_dir (see tb_checkpoint_key). */
static enum tb_err key_file(const char *keys_dir, bool create, struct tb_sm2_key **out)
{
	*out = NULL;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", keys_dir, TB_CHECKPOINT_KEY_FILE);
	enum tb_err e = tb_sm2_load_private(path, out);
	if (e != TB_ENOTFOUND || !create)
		return e;
	if (tb_dir_make(keys_dir, 0700) != TB_OK)
		return TB_ESTORE;
	struct tb_sm2_key *key;
	if ((e = tb_sm2_generate(&key)) != TB_OK)
		return e;
	/* Written whole under a name of its own, then linked into place: link
	 * fails when another process got there first, and then both use the
	 * key that won. */
	char mine[4200];
	snprintf(mine, sizeof(mine), "%s.%ld", path, (long)getpid());
	e = tb_sm2_save_private(key, mine);
	tb_sm2_free(key);
	if (e != TB_OK)
		return e;
	if (link(mine, path) != 0 && errno != EEXIST) {
		unlink(mine);
		return TB_ESTORE;
	}
	unlink(mine);
	tb_log_info("audit", "made the platform's checkpoint key %s", path);
	return tb_sm2_load_private(path, out);
}

/* The vault's id of the platform key. */
#define VAULT_ID "platform-audit"

struct seal_args {
	const struct tb_sm2_key *key;
};

static enum tb_err seal_in(struct tb_conn *c, void *arg)
{
	struct seal_args *x = arg;
	return tb_vault_put_on(c, VAULT_ID, x->key);
}

/* The sealed platform key of s; when there is none and create, this
 * node's key file (made first if need be) is sealed, or rather the first
 * of the nodes' keys to be committed: every node then reads that one. */
static enum tb_err key_sealed(struct tb_store *s, const char *keys_dir, bool create,
                              struct tb_sm2_key **out)
{
	enum tb_err e = tb_vault_get(s, VAULT_ID, out);
	if (e != TB_ENOTFOUND || !create)
		return e;
	struct tb_sm2_key *mine;
	if ((e = key_file(keys_dir, true, &mine)) != TB_OK)
		return e;
	struct seal_args x = {mine};
	e = tb_store_write(s, seal_in, &x);
	tb_sm2_free(mine);
	if (e == TB_OK)
		tb_log_info("audit", "sealed the platform's checkpoint key in the store");
	return e == TB_OK ? tb_vault_get(s, VAULT_ID, out) : e;
}

enum tb_err tb_checkpoint_key(struct tb_store *s, const char *keys_dir, bool create,
                              struct tb_sm2_key **out)
{
	*out = NULL;
	if (s && tb_vault_enabled())
		return key_sealed(s, keys_dir, create, out);
	return key_file(keys_dir, create, out);
}

/* The bytes a checkpoint's signature covers (the chains through head). */
static void canonical(struct tb_buf *b, const struct tb_checkpoint *cp)
{
	tb_buf_reset(b);
	tb_buf_printf(b, "%s\x1f%" PRId64 "\x1f%s\x1f%" PRId64 "\x1f%s",
	              cp->version == 1 ? FORMAT_V1 : FORMAT_V2, cp->count, cp->head, cp->time,
	              cp->key_id);
}

/* The heads into cp (chains, their total and digest), each checked against
 * its chain's last record; said in the log when not. */
static enum tb_err read_heads(struct tb_store *s, struct tb_checkpoint *cp)
{
	enum tb_err e = tb_audit_heads(s, &cp->chains, &cp->nchains);
	if (e == TB_EINTERNAL)
		tb_log_error("audit", "an audit head does not match its chain's last record: no"
		                      " checkpoint signed (run `tongban audit verify`)");
	if (e != TB_OK)
		return e;
	cp->version = 2;
	cp->count = 0;
	for (size_t i = 0; i < cp->nchains; i++)
		cp->count += cp->chains[i].count;
	tb_audit_heads_digest(cp->chains, cp->nchains, cp->head);
	return TB_OK;
}

char *tb_checkpoint_json(const struct tb_checkpoint *cp)
{
	json_t *j = json_pack("{s:s, s:I, s:s}", "format", cp->version == 1 ? FORMAT_V1 : FORMAT_V2,
	                      "count", (json_int_t)cp->count, "head", cp->head);
	if (!j)
		return NULL;
	if (cp->version != 1) {
		json_t *a = json_array();
		for (size_t i = 0; i < cp->nchains; i++)
			json_array_append_new(a, json_pack("{s:I, s:I, s:s}", "chain",
			                                   (json_int_t)cp->chains[i].chain, "count",
			                                   (json_int_t)cp->chains[i].count, "hash",
			                                   cp->chains[i].hash));
		json_object_set_new(j, "chains", a);
	}
	json_object_set_new(j, "time", json_integer((json_int_t)cp->time));
	json_object_set_new(j, "key_id", json_string(cp->key_id));
	json_object_set_new(j, "signature", json_string(cp->signature));
	if (cp->public_pem)
		json_object_set_new(j, "public_pem", json_string(cp->public_pem));
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return text;
}

static bool hex_of(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The chains member of a v2 checkpoint into out: 1..MAX_CHAINS objects
 * {chain, count, hash} in ascending chain order. */
static enum tb_err parse_chains(json_t *a, struct tb_checkpoint *out, struct tb_fail *f)
{
	size_t n = json_array_size(a);
	if (!json_is_array(a) || n < 1 || n > MAX_CHAINS)
		return tb_fail(f, TB_EINVAL, "chains", "expected an array of 1 to 4096 chains");
	out->chains = calloc(n, sizeof(*out->chains));
	if (!out->chains)
		return TB_EINTERNAL;
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(a, i);
		json_t *chain = json_object_get(x, "chain"), *count = json_object_get(x, "count");
		const char *hash = json_string_value(json_object_get(x, "hash"));
		if (!json_is_integer(chain) || json_integer_value(chain) < 0 ||
		    (i > 0 && json_integer_value(chain) <= out->chains[i - 1].chain) ||
		    !json_is_integer(count) || json_integer_value(count) < 0 || !hash ||
		    !hex_of(hash, TB_SM3_HEX - 1, TB_SM3_HEX - 1))
			return tb_fail(f, TB_EINVAL, "chains",
			               "expected {chain, count, hash} in ascending chain order");
		out->chains[i].chain = json_integer_value(chain);
		out->chains[i].count = json_integer_value(count);
		snprintf(out->chains[i].hash, sizeof(out->chains[i].hash), "%s", hash);
		out->nchains = i + 1;
	}
	return TB_OK;
}

enum tb_err tb_checkpoint_parse(const char *text, struct tb_checkpoint *out, struct tb_fail *f)
{
	memset(out, 0, sizeof(*out));
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return tb_fail(f, TB_EINVAL, "checkpoint", "not a JSON object");
	}
	enum tb_err e = TB_OK;
	json_t *format = json_object_get(j, "format");
	json_t *count = json_object_get(j, "count"), *time = json_object_get(j, "time");
	const char *head = json_string_value(json_object_get(j, "head"));
	const char *key_id = json_string_value(json_object_get(j, "key_id"));
	const char *sig = json_string_value(json_object_get(j, "signature"));
	const char *pem = json_string_value(json_object_get(j, "public_pem"));
	const char *fmt = json_string_value(format);
	out->version = fmt && strcmp(fmt, FORMAT_V1) == 0 ? 1 : 2;
	if (!fmt || (strcmp(fmt, FORMAT_V1) != 0 && strcmp(fmt, FORMAT_V2) != 0))
		e = tb_fail(f, TB_EINVAL, "format", "not an audit checkpoint");
	else if (!json_is_integer(count) || json_integer_value(count) < 0)
		e = tb_fail(f, TB_EINVAL, "count", "expected a non-negative integer");
	else if (!head || !hex_of(head, TB_SM3_HEX - 1, TB_SM3_HEX - 1))
		e = tb_fail(f, TB_EINVAL, "head", "expected 64 lower-case hex digits");
	else if (!json_is_integer(time) || json_integer_value(time) < 0)
		e = tb_fail(f, TB_EINVAL, "time", "expected seconds since the epoch");
	else if (!key_id || !hex_of(key_id, TB_SM2_KEY_ID - 1, TB_SM2_KEY_ID - 1))
		e = tb_fail(f, TB_EINVAL, "key_id", "expected 16 lower-case hex digits");
	else if (!sig || !hex_of(sig, 2, TB_SM2_SIG_HEX - 1))
		e = tb_fail(f, TB_EINVAL, "signature", "expected lower-case hex");
	else if (out->version == 2)
		e = parse_chains(json_object_get(j, "chains"), out, f);
	/* A v1 checkpoint signed the one chain, which migration 024 made chain
	 * 0 (its records keep their places and hashes). */
	else if ((out->chains = calloc(1, sizeof(*out->chains))) != NULL) {
		out->nchains = 1;
		out->chains[0].count = json_integer_value(count);
		snprintf(out->chains[0].hash, sizeof(out->chains[0].hash), "%s", head);
	} else {
		e = TB_EINTERNAL;
	}
	if (e == TB_OK) {
		out->count = json_integer_value(count);
		out->time = json_integer_value(time);
		snprintf(out->head, sizeof(out->head), "%s", head);
		snprintf(out->key_id, sizeof(out->key_id), "%s", key_id);
		snprintf(out->signature, sizeof(out->signature), "%s", sig);
		out->public_pem = pem ? strdup(pem) : NULL;
	} else {
		tb_checkpoint_clear(out);
	}
	json_decref(j);
	return e;
}

enum tb_err tb_checkpoint_load(const char *path, struct tb_checkpoint *out, struct tb_fail *f)
{
	memset(out, 0, sizeof(*out));
	char *text;
	size_t n;
	enum tb_err e = tb_file_read(path, 64 * 1024, &text, &n);
	if (e == TB_ENOTFOUND)
		return tb_fail(f, e, "checkpoint", "no such file");
	if (e != TB_OK)
		return tb_fail(f, TB_EINVAL, "checkpoint", "cannot read the file");
	e = tb_checkpoint_parse(text, out, f);
	free(text);
	return e;
}

bool tb_checkpoint_signed_by(const struct tb_checkpoint *cp, const struct tb_sm2_key *key)
{
	char id[TB_SM2_KEY_ID];
	tb_sm2_key_id(key, id);
	if (strcmp(id, cp->key_id) != 0)
		return false;
	if (cp->version != 1) {
		char digest[TB_SM3_HEX];
		tb_audit_heads_digest(cp->chains, cp->nchains, digest);
		int64_t total = 0;
		for (size_t i = 0; i < cp->nchains; i++)
			total += cp->chains[i].count;
		if (strcmp(digest, cp->head) != 0 || total != cp->count)
			return false;
	}
	struct tb_buf b = TB_BUF_INIT;
	canonical(&b, cp);
	bool ok = tb_sm2_verify(key, b.data, b.len, cp->signature);
	tb_buf_free(&b);
	return ok;
}

/* Writes cp into dir: the day's file, then latest.json. */
static enum tb_err write_files(const char *dir, const struct tb_checkpoint *cp)
{
	if (tb_dir_make(dir, 0755) != TB_OK)
		return TB_ESTORE;
	char *text = tb_checkpoint_json(cp);
	if (!text)
		return TB_EINTERNAL;
	time_t t = (time_t)cp->time;
	struct tm tm;
	gmtime_r(&t, &tm);
	char path[4200];
	snprintf(path, sizeof(path), "%s/%04d-%02d-%02d.json", dir, tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday);
	size_t n = strlen(text);
	enum tb_err e = tb_file_write_atomic(path, text, n, 0644);
	snprintf(path, sizeof(path), "%s/%s", dir, TB_CHECKPOINT_LATEST);
	if (e == TB_OK)
		e = tb_file_write_atomic(path, text, n, 0644);
	free(text);
	return e;
}

enum tb_err tb_checkpoint_make(struct tb_store *s, const char *keys_dir, const char *dir,
                               struct tb_checkpoint *out)
{
	struct tb_checkpoint cp = {0};
	enum tb_err e = read_heads(s, &cp);
	if (e != TB_OK)
		return e;
	struct tb_sm2_key *key;
	if ((e = tb_checkpoint_key(s, keys_dir, true, &key)) != TB_OK) {
		tb_log_error("audit", "no platform key in %s: no checkpoint", keys_dir);
		tb_checkpoint_clear(&cp);
		return e;
	}
	cp.time = (int64_t)time(NULL);
	tb_sm2_key_id(key, cp.key_id);
	cp.public_pem = tb_sm2_public_pem(key);
	struct tb_buf b = TB_BUF_INIT;
	canonical(&b, &cp);
	e = tb_sm2_sign(key, b.data, b.len, cp.signature);
	tb_buf_free(&b);
	tb_sm2_free(key);
	if (e == TB_OK)
		e = write_files(dir, &cp);
	if (e == TB_OK && out)
		*out = cp;
	else
		tb_checkpoint_clear(&cp);
	return e;
}

/* Seconds since the epoch as "2026-03-01T10:00:00Z". */
static void utc(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum tb_err tb_checkpoint_compare(struct tb_store *s, const struct tb_checkpoint *cp, bool *ok,
                                  char *detail, size_t size)
{
	*ok = false;
	char when[32];
	utc(cp->time, when);
	struct tb_audit_chain *now;
	size_t n;
	enum tb_err e = tb_audit_heads(s, &now, &n);
	if (e != TB_OK)
		return e;
	/* Each chain the checkpoint signed: at least as long now, and its
	 * record at the signed count the one signed. (tb_audit_heads answers
	 * chains 0..n-1 in order.) */
	for (size_t i = 0; i < cp->nchains && e == TB_OK; i++) {
		const struct tb_audit_chain *want = &cp->chains[i];
		int64_t have = want->chain < (int64_t)n ? now[want->chain].count : 0;
		if (have < want->count) {
			snprintf(detail, size,
			         "chain %" PRId64 " holds %" PRId64
			         " records but the checkpoint of %s holds %" PRId64
			         ": records %" PRId64 "..%" PRId64 " were removed",
			         want->chain, have, when, want->count, have + 1, want->count);
			free(now);
			return TB_OK;
		}
		char hash[TB_SM3_HEX];
		bool found;
		e = tb_audit_hash_at(s, want->chain, want->count, hash, &found);
		if (e == TB_OK && (!found || strcmp(hash, want->hash) != 0)) {
			snprintf(detail, size,
			         "record %" PRId64 " of chain %" PRId64
			         " is not the one the checkpoint"
			         " of %s signed (its hash %.16s..., the checkpoint's %.16s...): "
			         "the chain"
			         " was rewritten",
			         want->count, want->chain, when, hash, want->hash);
			free(now);
			return TB_OK;
		}
	}
	free(now);
	if (e != TB_OK)
		return e;
	snprintf(detail, size,
	         "the chains hold the checkpoint of %s (%" PRId64 " records in %zu chain%s)", when,
	         cp->count, cp->nchains, cp->nchains == 1 ? "" : "s");
	*ok = true;
	return TB_OK;
}

/* ---- the periodic thread ----------------------------------------------- */

struct tb_checkpointer {
	struct tb_store *store;
	char *keys_dir, *dir;
	int interval_s;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

static void *run(void *arg)
{
	struct tb_checkpointer *cp = arg;
	pthread_mutex_lock(&cp->mu);
	while (!cp->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += cp->interval_s;
		while (!cp->stop && pthread_cond_timedwait(&cp->cv, &cp->mu, &until) != ETIMEDOUT)
			;
		if (cp->stop)
			break;
		pthread_mutex_unlock(&cp->mu);
		struct tb_checkpoint made;
		if (tb_checkpoint_make(cp->store, cp->keys_dir, cp->dir, &made) == TB_OK) {
			tb_log_info("audit", "checkpoint: %" PRId64 " records, head %.16s...",
			            made.count, made.head);
			tb_checkpoint_clear(&made);
		} else {
			tb_log_error("audit", "checkpoint into %s failed", cp->dir);
		}
		pthread_mutex_lock(&cp->mu);
	}
	pthread_mutex_unlock(&cp->mu);
	return NULL;
}

enum tb_err tb_checkpointer_start(struct tb_store *s, const char *keys_dir, const char *dir,
                                  int interval_s, struct tb_checkpointer **out)
{
	*out = NULL;
	struct tb_checkpointer *cp = calloc(1, sizeof(*cp));
	if (!cp)
		return TB_EINTERNAL;
	cp->store = s;
	cp->keys_dir = strdup(keys_dir);
	cp->dir = strdup(dir);
	cp->interval_s = interval_s > 0 ? interval_s : 600;
	pthread_mutex_init(&cp->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cp->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (!cp->keys_dir || !cp->dir || pthread_create(&cp->thread, NULL, run, cp) != 0) {
		free(cp->keys_dir);
		free(cp->dir);
		pthread_mutex_destroy(&cp->mu);
		pthread_cond_destroy(&cp->cv);
		free(cp);
		return TB_EINTERNAL;
	}
	*out = cp;
	return TB_OK;
}

void tb_checkpointer_stop(struct tb_checkpointer *cp)
{
	if (!cp)
		return;
	pthread_mutex_lock(&cp->mu);
	cp->stop = true;
	pthread_cond_signal(&cp->cv);
	pthread_mutex_unlock(&cp->mu);
	pthread_join(cp->thread, NULL);
	pthread_mutex_destroy(&cp->mu);
	pthread_cond_destroy(&cp->cv);
	free(cp->keys_dir);
	free(cp->dir);
	free(cp);
}
