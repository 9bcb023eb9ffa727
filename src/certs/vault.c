/* See vault.h. A key's label in its seal is "key:" and its id, so that a
 * sealed row copied under another id does not open. */
#include "certs/vault.h"
#include "base/log.h"
#include "base/mem.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned char master[TB_MASTER_KEY_LEN];
static bool enabled;

void tb_vault_use(const unsigned char *key)
{
	if (key)
		memcpy(master, key, sizeof(master));
	else
		OPENSSL_cleanse(master, sizeof(master));
	enabled = key != NULL;
}

bool tb_vault_enabled(void)
{
	return enabled;
}

static void label_of(const char *id, char out[96])
{
	snprintf(out, 96, "key:%s", id);
}

/* The key's PEM sealed under m for id (malloc'd), NULL on failure. */
static char *sealed_pem(const unsigned char m[TB_MASTER_KEY_LEN], const char *id,
                        const struct tb_sm2_key *key)
{
	char *pem = tb_sm2_private_pem(key);
	if (!pem)
		return NULL;
	char label[96];
	label_of(id, label);
	char *s = tb_seal(m, label, pem, strlen(pem));
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	return s;
}

enum tb_err tb_vault_put_on(struct tb_conn *c, const char *id, const struct tb_sm2_key *key)
{
	if (!enabled)
		return TB_EINVAL;
	char *s = sealed_pem(master, id, key);
	if (!s)
		return TB_EINTERNAL;
	enum tb_err e = tb_conn_run(c, NULL,
	                            "INSERT INTO sealed_keys (key_id, sealed, created_at)"
	                            " VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
	                            "ssi", id, s, (int64_t)time(NULL));
	free(s);
	return e;
}

/* Opens the sealed text of id under m into *out. */
static enum tb_err open_sealed(const unsigned char m[TB_MASTER_KEY_LEN], const char *id,
                               const char *sealed, struct tb_sm2_key **out)
{
	*out = NULL;
	char label[96];
	label_of(id, label);
	unsigned char *pem;
	size_t n;
	enum tb_err e = tb_unseal(m, label, sealed, &pem, &n);
	if (e != TB_OK) {
		tb_log_error("vault", "key %s does not open with this master key", id);
		return TB_EDENIED;
	}
	e = tb_sm2_load_private_pem((const char *)pem, out);
	OPENSSL_cleanse(pem, n);
	free(pem);
	return e;
}

enum tb_err tb_vault_get_on(struct tb_conn *c, const char *id, struct tb_sm2_key **out)
{
	*out = NULL;
	if (!enabled)
		return TB_ENOTFOUND;
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row, "SELECT sealed FROM sealed_keys WHERE key_id = ?", "s", id);
	if (e == TB_OK && !row)
		e = TB_ENOTFOUND;
	if (e == TB_OK)
		e = open_sealed(master, id, tb_stmt_text(st, 0), out);
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_vault_get(struct tb_store *s, const char *id, struct tb_sm2_key **out)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_vault_get_on(c, id, out);
	tb_store_release(c);
	return e;
}

struct reseal_args {
	const unsigned char *next;
	int n;
};

static enum tb_err reseal_in(struct tb_conn *c, void *arg)
{
	struct reseal_args *x = arg;
	x->n = 0;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT key_id, sealed FROM sealed_keys ORDER BY key_id", "");
	/* Read all first: the statement is reset before the updates. */
	size_t cap = 16, k = 0;
	char **ids = tb_xmalloc(cap * sizeof(*ids)), **texts = tb_xmalloc(cap * sizeof(*texts));
	while (e == TB_OK && row) {
		if (k == cap) {
			cap *= 2;
			ids = tb_xrealloc(ids, cap * sizeof(*ids));
			texts = tb_xrealloc(texts, cap * sizeof(*texts));
		}
		ids[k] = tb_xstrdup(tb_stmt_text(st, 0));
		texts[k++] = tb_xstrdup(tb_stmt_text(st, 1));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	for (size_t i = 0; i < k && e == TB_OK; i++) {
		struct tb_sm2_key *key = NULL; /* stays NULL when the key does not open */
		e = open_sealed(master, ids[i], texts[i], &key);
		char *s = e == TB_OK ? sealed_pem(x->next, ids[i], key) : NULL;
		tb_sm2_free(key);
		if (e == TB_OK && !s)
			e = TB_EINTERNAL;
		if (e == TB_OK)
			e = tb_conn_run(c, NULL,
			                "UPDATE sealed_keys SET sealed = ? WHERE key_id = ?", "ss",
			                s, ids[i]);
		free(s);
		if (e == TB_OK)
			x->n++;
	}
	for (size_t i = 0; i < k; i++) {
		free(ids[i]);
		free(texts[i]);
	}
	free(ids);
	free(texts);
	return e;
}

enum tb_err tb_vault_reseal(struct tb_store *s, const unsigned char next[TB_MASTER_KEY_LEN], int *n)
{
	*n = 0;
	if (!enabled)
		return TB_EINVAL;
	struct reseal_args x = {next, 0};
	enum tb_err e = tb_store_write(s, reseal_in, &x);
	if (e == TB_OK)
		*n = x.n;
	return e;
}
