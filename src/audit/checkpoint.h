/* Signed checkpoints of the audit heads, kept outside the database. A
 * chain alone cannot show a removed tail whose head row was rewritten to
 * match; a checkpoint (every chain's count and head hash, time) signed
 * with the platform's SM2 key and published elsewhere can: a chain shorter
 * than the checkpoint says, or whose record at the checkpoint's count has
 * another hash, was cut or rewritten. Checkpoints signed before the chains
 * were striped (format v1: one chain) still check against chain 0. The platform key is DATA/keys/platform-audit.pem (0600, made
 * on first need, never in the database). Checkpoints are JSON files in a
 * folder (DATA/checkpoints by default): latest.json and one per UTC day
 * (YYYY-MM-DD.json, the day's last). Exports tb_checkpoint_* and
 * tb_checkpointer_*. */
#ifndef TB_AUDIT_CHECKPOINT_H
#define TB_AUDIT_CHECKPOINT_H

#include "base/crypto.h"
#include "base/err.h"
#include "base/sm2.h"

#include <stdbool.h>
#include <stdint.h>

struct tb_store;

/* The platform key's file name in the keys folder. */
#define TB_CHECKPOINT_KEY_FILE "platform-audit.pem"
/* The newest checkpoint's file name in the checkpoint folder. */
#define TB_CHECKPOINT_LATEST   "latest.json"

struct tb_audit_chain;

struct tb_checkpoint {
	int version;                   /* 2; 1 for one signed before migration 024 */
	int64_t count;                 /* records in all the chains */
	char head[TB_SM3_HEX];         /* tb_audit_heads_digest of chains (v1: hash of
	                                   record `count` of the one chain, zeros for 0) */
	struct tb_audit_chain *chains; /* every chain's head (v1: chain 0's), malloc'd */
	size_t nchains;
	int64_t time;                   /* seconds since the epoch (UTC) */
	char key_id[TB_SM2_KEY_ID];     /* the signing key */
	char signature[TB_SM2_SIG_HEX]; /* SM2 over the canonical bytes */
	char *public_pem;               /* the signing key's public half (malloc'd) or NULL */
};

/* Frees cp->public_pem and cp->chains; NULL is a no-op. */
void tb_checkpoint_clear(struct tb_checkpoint *cp);

/* The platform key: with a master key (certs/vault.h) and a store s,
 * the one sealed in s (when there is none and create, this node's key
 * file, made if need be, is sealed: an existing single node keeps its
 * key, and every node signs with the first one committed); otherwise
 * the file of keys_dir (made, with the folder, when create and it is
 * missing; two processes making it at once end with one key).
 * TB_ENOTFOUND when missing and !create. The caller frees *out. */
enum tb_err tb_checkpoint_key(struct tb_store *s, const char *keys_dir, bool create,
                              struct tb_sm2_key **out);

/* Reads the audit heads of s, signs them with the platform key of
 * keys_dir and writes the checkpoint into dir (made when missing):
 * latest.json and the day's file. out (may be NULL) gets it (clear it
 * after). TB_EINTERNAL when a head row does not match its chain's last
 * record (a chain already damaged is not signed; `tongban audit verify`
 * says where). */
enum tb_err tb_checkpoint_make(struct tb_store *s, const char *keys_dir, const char *dir,
                               struct tb_checkpoint *out);

/* cp as JSON text (format, count, head, chains (v2), time, key_id,
 * signature, public_pem when known), malloc'd. */
char *tb_checkpoint_json(const struct tb_checkpoint *cp);
/* Parses a checkpoint's JSON text into out (clear it after). TB_EINVAL
 * with f naming the member when it is not one. */
enum tb_err tb_checkpoint_parse(const char *text, struct tb_checkpoint *out, struct tb_fail *f);
/* Reads and parses the checkpoint file at path. TB_ENOTFOUND, TB_EINVAL
 * (f says why). */
enum tb_err tb_checkpoint_load(const char *path, struct tb_checkpoint *out, struct tb_fail *f);

/* Whether cp names key and carries key's valid signature of its fields
 * (v2: and its chains are the ones its head hashes, its count their sum:
 * the signature covers the chains through the head). */
bool tb_checkpoint_signed_by(const struct tb_checkpoint *cp, const struct tb_sm2_key *key);

/* Compares the chains of s, which tb_audit_verify found intact, with cp:
 * *ok false and detail (one line) when a chain is shorter than cp says or
 * its record at cp's count has another hash. TB_ESTORE on a store
 * failure, TB_EINTERNAL when a head does not match its chain. */
enum tb_err tb_checkpoint_compare(struct tb_store *s, const struct tb_checkpoint *cp, bool *ok,
                                  char *detail, size_t size);

/* A thread that makes a checkpoint every interval_s seconds (errors are
 * logged and tried again at the next turn); the first comes after one
 * interval (serve makes one itself at start). */
struct tb_checkpointer;
enum tb_err tb_checkpointer_start(struct tb_store *s, const char *keys_dir, const char *dir,
                                  int interval_s, struct tb_checkpointer **out);
/* Stops and frees it; NULL is a no-op. */
void tb_checkpointer_stop(struct tb_checkpointer *cp);

#endif
