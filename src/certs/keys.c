/* Department signing keys (see keys.h). */
#include "certs/keys.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CACHE_MAX 256

struct cached {
	char id[TB_SM2_KEY_ID];
	struct tb_sm2_key *key;
};

struct tb_keys {
	char *dir;
	/* Serialises key making (two first issues of one department must not
	 * make two keys); held across a store transaction. */
	pthread_mutex_t make_mu;
	/* Guards the cache only, and is never held while waiting for the
	 * store: the batch writer takes it inside its transaction, so holding
	 * it while waiting for the store's write lock would deadlock. */
	pthread_mutex_t mu;
	struct cached cache[CACHE_MAX];
	int ncache;
};

enum tb_err tb_keys_open(const char *dir, struct tb_keys **out)
{
	*out = NULL;
	if (mkdir(dir, 0700) != 0) {
		struct stat st;
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			return TB_ESTORE;
	}
	chmod(dir, 0700);
	struct tb_keys *k = calloc(1, sizeof(*k));
	if (!k || !(k->dir = strdup(dir))) {
		free(k);
		return TB_EINTERNAL;
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_mutex_init(&k->make_mu, NULL);
	*out = k;
	return TB_OK;
}

void tb_keys_close(struct tb_keys *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->ncache; i++)
		tb_sm2_free(k->cache[i].key);
	pthread_mutex_destroy(&k->mu);
	pthread_mutex_destroy(&k->make_mu);
	free(k->dir);
	free(k);
}

static void key_path(const struct tb_keys *k, const char *id, char *out, size_t n)
{
	snprintf(out, n, "%s/%s.pem", k->dir, id);
}

static enum tb_err active_id(struct tb_conn *c, int64_t department, char id[TB_SM2_KEY_ID])
{
	id[0] = '\0';
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT key_id FROM dept_keys WHERE department_id = ?"
	                              " AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
	                              "i", department);
	if (e == TB_OK && row)
		snprintf(id, TB_SM2_KEY_ID, "%s", tb_stmt_text(st, 0));
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

/* Makes a key, writes its file, and records it on c (inside the caller's
 * transaction), retiring the department's other keys. */
static enum tb_err make_key(struct tb_keys *k, struct tb_conn *c, int64_t department,
                            char id[TB_SM2_KEY_ID])
{
	struct tb_sm2_key *key;
	enum tb_err e = tb_sm2_generate(&key);
	if (e != TB_OK)
		return e;
	tb_sm2_key_id(key, id);
	char path[4096];
	key_path(k, id, path, sizeof(path));
	char *pem = tb_sm2_public_pem(key);
	e = pem ? tb_sm2_save_private(key, path) : TB_EINTERNAL;
	int64_t now = (int64_t)time(NULL);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "UPDATE dept_keys SET retired_at = ? WHERE department_id = ?"
		                " AND retired_at IS NULL",
		                "ii", now, department);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "INSERT INTO dept_keys (key_id, department_id, public_pem,"
		                " created_at) VALUES (?, ?, ?, ?)",
		                "sisi", id, department, pem, now);
	free(pem);
	tb_sm2_free(key);
	return e;
}

enum tb_err tb_keys_ensure(struct tb_keys *k, struct tb_store *s, int64_t department)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char id[TB_SM2_KEY_ID];
	e = active_id(c, department, id);
	if (e == TB_ENOTFOUND) {
		pthread_mutex_lock(&k->make_mu);
		e = active_id(c, department, id); /* made meanwhile? */
		if (e == TB_ENOTFOUND) {
			e = tb_conn_begin(c);
			if (e == TB_OK)
				e = make_key(k, c, department, id);
			e = e == TB_OK ? tb_conn_commit(c) : (tb_conn_rollback(c), e);
		}
		pthread_mutex_unlock(&k->make_mu);
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_keys_signer_on(struct tb_keys *k, struct tb_conn *c, int64_t department,
                              struct tb_sm2_key **key, char key_id[TB_SM2_KEY_ID])
{
	*key = NULL;
	enum tb_err e = active_id(c, department, key_id);
	if (e != TB_OK)
		return e;
	pthread_mutex_lock(&k->mu);
	for (int i = 0; i < k->ncache && !*key; i++)
		if (strcmp(k->cache[i].id, key_id) == 0)
			*key = tb_sm2_ref(k->cache[i].key);
	if (!*key) {
		char path[4096];
		key_path(k, key_id, path, sizeof(path));
		struct tb_sm2_key *loaded;
		e = tb_sm2_load_private(path, &loaded);
		if (e == TB_OK) {
			if (k->ncache ==
			    CACHE_MAX) { /* full: start again (handles out stay valid) */
				for (int i = 0; i < k->ncache; i++)
					tb_sm2_free(k->cache[i].key);
				k->ncache = 0;
			}
			snprintf(k->cache[k->ncache].id, TB_SM2_KEY_ID, "%s", key_id);
			k->cache[k->ncache++].key = loaded;
			*key = tb_sm2_ref(loaded);
		}
	}
	pthread_mutex_unlock(&k->mu);
	if (e == TB_OK && !*key)
		e = TB_EINTERNAL;
	return e;
}

enum tb_err tb_keys_rotate(struct tb_keys *k, struct tb_store *s, const struct tb_ctx *ctx,
                           int64_t department, char key_id[TB_SM2_KEY_ID])
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	pthread_mutex_lock(&k->make_mu);
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = make_key(k, c, department, key_id);
	if (e == TB_OK) {
		char object[64];
		snprintf(object, sizeof(object), "key:%s", key_id);
		e = tb_ctx_audit(c, ctx, "key.rotate", object, "ok");
	}
	e = e == TB_OK ? tb_conn_commit(c) : (tb_conn_rollback(c), e);
	pthread_mutex_unlock(&k->make_mu);
	tb_store_release(c);
	return e;
}

static bool key_id_ok(const char *id)
{
	if (!id || strlen(id) != TB_SM2_KEY_ID - 1)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* Parsed public keys by id (parsing PEM costs more than a verification). */
static pthread_mutex_t public_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cached public_cache[CACHE_MAX];
static int npublic;

static struct tb_sm2_key *public_cached(const char *key_id)
{
	struct tb_sm2_key *out = NULL;
	pthread_mutex_lock(&public_mu);
	for (int i = 0; i < npublic && !out; i++)
		if (strcmp(public_cache[i].id, key_id) == 0)
			out = tb_sm2_ref(public_cache[i].key);
	pthread_mutex_unlock(&public_mu);
	return out;
}

static void public_keep(const char *key_id, const struct tb_sm2_key *key)
{
	pthread_mutex_lock(&public_mu);
	if (npublic == CACHE_MAX) { /* full: start again (handles out stay valid) */
		for (int i = 0; i < npublic; i++)
			tb_sm2_free(public_cache[i].key);
		npublic = 0;
	}
	struct tb_sm2_key *ref = tb_sm2_ref(key);
	if (ref) {
		snprintf(public_cache[npublic].id, TB_SM2_KEY_ID, "%s", key_id);
		public_cache[npublic++].key = ref;
	}
	pthread_mutex_unlock(&public_mu);
}

enum tb_err tb_keys_public_on(struct tb_conn *c, const char *key_id, struct tb_sm2_key **out)
{
	*out = NULL;
	if (!key_id_ok(key_id))
		return TB_ENOTFOUND;
	if ((*out = public_cached(key_id)))
		return TB_OK;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT public_pem FROM dept_keys WHERE key_id = ?", "s", key_id);
	if (e == TB_OK && row)
		e = tb_sm2_load_public(tb_stmt_text(st, 0), out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	if (e == TB_OK)
		public_keep(key_id, *out);
	return e;
}

enum tb_err tb_keys_describe(struct tb_store *s, const char *key_id, struct tb_arena *a,
                             const char **text)
{
	*text = NULL;
	if (!key_id_ok(key_id))
		return TB_ENOTFOUND;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT k.key_id, d.credit_code, d.name, k.public_pem, k.created_at,"
	                  " k.retired_at FROM dept_keys k JOIN departments d ON d.id ="
	                  " k.department_id WHERE k.key_id = ?",
	                  "s", key_id);
	if (e == TB_OK && row) {
		json_t *j = json_pack(
		    "{s:s, s:{s:s, s:s}, s:s, s:s, s:I, s:o}", "key_id", tb_stmt_text(st, 0),
		    "department", "code", tb_stmt_text(st, 1), "name", tb_stmt_text(st, 2),
		    "algorithm", "SM2-SM3", "public_pem", tb_stmt_text(st, 3), "created_at",
		    (json_int_t)tb_stmt_int(st, 4), "retired_at",
		    tb_stmt_is_null(st, 5) ? json_null() : json_integer(tb_stmt_int(st, 5)));
		char *d = json_dumps(j, JSON_COMPACT);
		*text = tb_arena_strdup(a, d);
		free(d);
		json_decref(j);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}
