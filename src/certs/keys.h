/* Each department's SM2 key pairs for signing certificates. The public
 * half is in the store (dept_keys); the private half is a file
 * DATA/keys/<key_id>.pem with mode 0600, never in the database, or, with
 * a master key (certs/vault.h), sealed in the store so that every node
 * signs with it. A key is
 * made on first need; rotating makes a new one and retires the old, whose
 * signatures stay verifiable. Loaded private keys are cached by key id. */
#ifndef TB_CERTS_KEYS_H
#define TB_CERTS_KEYS_H

#include "base/arena.h"
#include "base/err.h"
#include "base/sm2.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdint.h>

struct tb_keys;

/* The platform's own key for signing exchange messages with peer
 * platforms (federation/exchange.h): the functions below given this as
 * department keep it in exchange_keys, made, cached, sealed and rotated
 * as a department's. */
#define TB_KEYS_PLATFORM 0

/* Opens (creating, mode 0700) the key folder dir. The caller owns *out. */
enum tb_err tb_keys_open(const char *dir, struct tb_keys **out);
/* NULL is a no-op. */
void tb_keys_close(struct tb_keys *k);

/* Makes sure department has an active key, making one in a transaction of
 * its own when it has none (call it outside any transaction). */
enum tb_err tb_keys_ensure(struct tb_keys *k, struct tb_store *s, int64_t department);

/* The department's active key on c: *key (a handle the caller frees with
 * tb_sm2_free; the key itself stays cached) and its id. TB_ENOTFOUND when
 * it has none (see tb_keys_ensure) or its file is gone. */
enum tb_err tb_keys_signer_on(struct tb_keys *k, struct tb_conn *c, int64_t department,
                              struct tb_sm2_key **key, char key_id[TB_SM2_KEY_ID]);

/* The private key key_id (active or retired) on c: *key as
 * tb_keys_signer_on. TB_ENOTFOUND when neither its file nor the vault
 * has it. */
enum tb_err tb_keys_private_on(struct tb_keys *k, struct tb_conn *c, const char *key_id,
                               struct tb_sm2_key **key);
/* The active key's id on c (TB_ENOTFOUND when there is none). */
enum tb_err tb_keys_active_on(struct tb_conn *c, int64_t department, char key_id[TB_SM2_KEY_ID]);

/* Makes a new key for department and retires the active one, with an
 * audit record; key_id gets the new key's id. */
enum tb_err tb_keys_rotate(struct tb_keys *k, struct tb_store *s, const struct tb_ctx *ctx,
                           int64_t department, char key_id[TB_SM2_KEY_ID]);
/* What else a rotation writes, on c in its transaction, once the new key
 * (new_id) is recorded; an error rolls the rotation back. */
typedef enum tb_err (*tb_keys_then)(struct tb_conn *c, const char *new_id, void *arg);
/* tb_keys_rotate, then then(c, key_id, arg) in the same transaction. */
enum tb_err tb_keys_rotate_then(struct tb_keys *k, struct tb_store *s, const struct tb_ctx *ctx,
                                int64_t department, char key_id[TB_SM2_KEY_ID], tb_keys_then then,
                                void *arg);

/* A public key on c by id: *out (the caller frees it with tb_sm2_free).
 * Public keys never change: parsed ones are kept in a process-wide cache.
 * TB_ENOTFOUND. */
enum tb_err tb_keys_public_on(struct tb_conn *c, const char *key_id, struct tb_sm2_key **out);

/* A public key by id as JSON (arena): key_id, department (credit code and
 * name), public_pem, created_at, retired_at. TB_ENOTFOUND. */
enum tb_err tb_keys_describe(struct tb_store *s, const char *key_id, struct tb_arena *a,
                             const char **text);

#endif
