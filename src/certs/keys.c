/* Department signing keys (see keys.h). */
#include "certs/keys.h"
#include "certs/vault.h"
#include "base/json.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CACHE_MAX 256

/* Parsed keys by id (reading and parsing PEM costs more than a
 * signature). Handles are reference counted: a full cache starts again
 * while handles already given out stay valid. */
struct key_cache {
	pthread_mutex_t mu;
	int n;
	struct {
		char id[TB_SM2_KEY_ID];
		struct tb_sm2_key *key;
	} entries[CACHE_MAX];
};

/* A new handle on the key cached as id, or NULL. */
static struct tb_sm2_key *cache_get(struct key_cache *kc, const char *id)
{
	struct tb_sm2_key *out = NULL;
	pthread_mutex_lock(&kc->mu);
	for (int i = 0; i < kc->n && !out; i++)
		if (strcmp(kc->entries[i].id, id) == 0)
			out = tb_sm2_ref(kc->entries[i].key);
	pthread_mutex_unlock(&kc->mu);
	return out;
}

static void cache_clear(struct key_cache *kc)
{
	for (int i = 0; i < kc->n; i++)
		tb_sm2_free(kc->entries[i].key);
	kc->n = 0;
}

/* Keeps a handle on key as id. */
static void cache_put(struct key_cache *kc, const char *id, const struct tb_sm2_key *key)
{
	struct tb_sm2_key *ref = tb_sm2_ref(key);
	if (!ref)
		return;
	pthread_mutex_lock(&kc->mu);
	if (kc->n == CACHE_MAX)
		cache_clear(kc);
	snprintf(kc->entries[kc->n].id, TB_SM2_KEY_ID, "%s", id);
	kc->entries[kc->n++].key = ref;
	pthread_mutex_unlock(&kc->mu);
}

struct tb_keys {
	char *dir;
	/* Serialises key making (two first issues of one department must not
	 * make two keys); held across a store transaction. */
	pthread_mutex_t make_mu;
	/* Private keys. Its mutex is never held while waiting for the store:
	 * the batch writer reads the cache inside its transaction. */
	struct key_cache private_keys;
};

/* Public keys never change: one cache for the process. */
static struct key_cache public_keys = {.mu = PTHREAD_MUTEX_INITIALIZER};

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
	pthread_mutex_init(&k->private_keys.mu, NULL);
	pthread_mutex_init(&k->make_mu, NULL);
	*out = k;
	return TB_OK;
}

void tb_keys_close(struct tb_keys *k)
{
	if (!k)
		return;
	cache_clear(&k->private_keys);
	pthread_mutex_destroy(&k->private_keys.mu);
	pthread_mutex_destroy(&k->make_mu);
	free(k->dir);
	free(k);
}

static void key_path(const struct tb_keys *k, const char *id, char *out, size_t n)
{
	snprintf(out, n, "%s/%s.pem", k->dir, id);
}

/* The platform's keys (TB_KEYS_PLATFORM) are the rows of exchange_keys,
 * a department's those of dept_keys with its id: the same statements but
 * for the table and the department's condition. */
#define KEYS_SQL(dept, plat) (department == TB_KEYS_PLATFORM ? (plat) : (dept))

static enum tb_err active_id(struct tb_conn *c, int64_t department, char id[TB_SM2_KEY_ID])
{
	id[0] = '\0';
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    KEYS_SQL("SELECT key_id FROM dept_keys WHERE department_id = ? AND retired_at IS NULL"
	             " ORDER BY created_at DESC LIMIT 1",
	             "SELECT key_id FROM exchange_keys WHERE ? = 0 AND retired_at IS NULL"
	             " ORDER BY created_at DESC LIMIT 1"),
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
	/* Sealed in the store with the key's row (every node can sign with
	 * it) when there is a master key; else a file of this node. */
	e = !pem                 ? TB_EINTERNAL
	    : tb_vault_enabled() ? tb_vault_put_on(c, id, key)
	                         : tb_sm2_save_private(key, path);
	int64_t now = (int64_t)time(NULL);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    KEYS_SQL("UPDATE dept_keys SET retired_at = ? WHERE department_id = ?"
		             " AND retired_at IS NULL",
		             "UPDATE exchange_keys SET retired_at = ? WHERE ? = 0"
		             " AND retired_at IS NULL"),
		    "ii", now, department);
	if (e == TB_OK && department == TB_KEYS_PLATFORM)
		e = tb_conn_run(c, NULL,
		                "INSERT INTO exchange_keys (key_id, public_pem, created_at)"
		                " VALUES (?, ?, ?)",
		                "ssi", id, pem, now);
	else if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "INSERT INTO dept_keys (key_id, department_id, public_pem,"
		                " created_at) VALUES (?, ?, ?, ?)",
		                "sisi", id, department, pem, now);
	free(pem);
	tb_sm2_free(key);
	return e;
}

struct make_args {
	struct tb_keys *k;
	const struct tb_ctx *ctx; /* rotation: audited */
	int64_t department;
	char *key_id;
	tb_keys_then then; /* rotation: run in its transaction, or NULL */
	void *arg;
};

/* Makes the department's first key, unless it has one by now. */
static enum tb_err ensure_in(struct tb_conn *c, void *arg)
{
	struct make_args *x = arg;
	enum tb_err e = active_id(c, x->department, x->key_id);
	return e == TB_ENOTFOUND ? make_key(x->k, c, x->department, x->key_id) : e;
}

enum tb_err tb_keys_ensure(struct tb_keys *k, struct tb_store *s, int64_t department)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char id[TB_SM2_KEY_ID];
	e = active_id(c, department, id);
	tb_store_release(c);
	if (e == TB_ENOTFOUND) {
		struct make_args x = {k, NULL, department, id, NULL, NULL};
		pthread_mutex_lock(&k->make_mu);
		e = tb_store_write(s, ensure_in, &x);
		pthread_mutex_unlock(&k->make_mu);
	}
	return e;
}

enum tb_err tb_keys_active_on(struct tb_conn *c, int64_t department, char key_id[TB_SM2_KEY_ID])
{
	return active_id(c, department, key_id);
}

enum tb_err tb_keys_signer_on(struct tb_keys *k, struct tb_conn *c, int64_t department,
                              struct tb_sm2_key **key, char key_id[TB_SM2_KEY_ID])
{
	*key = NULL;
	enum tb_err e = active_id(c, department, key_id);
	return e == TB_OK ? tb_keys_private_on(k, c, key_id, key) : e;
}

enum tb_err tb_keys_private_on(struct tb_keys *k, struct tb_conn *c, const char *key_id,
                               struct tb_sm2_key **key)
{
	enum tb_err e = TB_OK;
	if ((*key = cache_get(&k->private_keys, key_id)))
		return e;
	/* A file of this node (made before there was a master key), else the
	 * vault. */
	char path[4096];
	key_path(k, key_id, path, sizeof(path));
	e = tb_sm2_load_private(path, key);
	if (e == TB_ENOTFOUND && tb_vault_enabled())
		e = tb_vault_get_on(c, key_id, key);
	if (e == TB_OK)
		cache_put(&k->private_keys, key_id, *key);
	return e;
}

static enum tb_err rotate_in(struct tb_conn *c, void *arg)
{
	struct make_args *x = arg;
	enum tb_err e = make_key(x->k, c, x->department, x->key_id);
	char object[64];
	snprintf(object, sizeof(object), "key:%s", x->key_id);
	if (e == TB_OK)
		e = tb_ctx_audit(c, x->ctx, "key.rotate", object, "ok");
	return e == TB_OK && x->then ? x->then(c, x->key_id, x->arg) : e;
}

enum tb_err tb_keys_rotate(struct tb_keys *k, struct tb_store *s, const struct tb_ctx *ctx,
                           int64_t department, char key_id[TB_SM2_KEY_ID])
{
	return tb_keys_rotate_then(k, s, ctx, department, key_id, NULL, NULL);
}

enum tb_err tb_keys_rotate_then(struct tb_keys *k, struct tb_store *s, const struct tb_ctx *ctx,
                                int64_t department, char key_id[TB_SM2_KEY_ID], tb_keys_then then,
                                void *arg)
{
	struct make_args x = {k, ctx, department, key_id, then, arg};
	pthread_mutex_lock(&k->make_mu);
	enum tb_err e = tb_store_write(s, rotate_in, &x);
	pthread_mutex_unlock(&k->make_mu);
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

enum tb_err tb_keys_public_on(struct tb_conn *c, const char *key_id, struct tb_sm2_key **out)
{
	*out = NULL;
	if (!key_id_ok(key_id))
		return TB_ENOTFOUND;
	if ((*out = cache_get(&public_keys, key_id)))
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
		cache_put(&public_keys, key_id, *out);
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
		*text = tb_json_take(j, a);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}
