/* The vault: private signing keys sealed with the operator's master key
 * (base/seal.h) in the store's table sealed_keys, so that every node of
 * a province signs with the same keys and the database alone reveals
 * none of them. Used when the process has a master key (serve
 * --master-key FILE, tb_vault_use); without one, keys stay files of the
 * data folder (one node). Departments' certificate keys (certs/keys.h)
 * and the platform's audit checkpoint key (audit/checkpoint.h) live
 * here. Exports tb_vault_*. */
#ifndef TB_CERTS_VAULT_H
#define TB_CERTS_VAULT_H

#include "base/err.h"
#include "base/seal.h"
#include "base/sm2.h"
#include "store/store.h"

#include <stdbool.h>

/* From now on keys are sealed with master (copied); NULL: no vault. Call
 * before serving. */
void tb_vault_use(const unsigned char *master);
/* Whether a master key is in use. */
bool tb_vault_enabled(void);

/* Seals key under id into the store on c, in the caller's transaction;
 * a key already stored under id is kept (two nodes making the same
 * named key at once: the first commit wins; read it back with
 * tb_vault_get_on). TB_EINVAL without a vault. */
enum tb_err tb_vault_put_on(struct tb_conn *c, const char *id, const struct tb_sm2_key *key);

/* The key stored under id, opened: *out (the caller frees it).
 * TB_ENOTFOUND when none is stored, TB_EDENIED when the master key does
 * not open it (another master key, or the row was altered: logged). */
enum tb_err tb_vault_get_on(struct tb_conn *c, const char *id, struct tb_sm2_key **out);
/* tb_vault_get_on on a connection of s. */
enum tb_err tb_vault_get(struct tb_store *s, const char *id, struct tb_sm2_key **out);

/* Seals every stored key again under next (the master key being
 * rotated to), in one transaction: all or none. *n gets the count.
 * TB_EDENIED when the current master key does not open one of them. */
enum tb_err tb_vault_reseal(struct tb_store *s, const unsigned char next[TB_MASTER_KEY_LEN],
                            int *n);

#endif
