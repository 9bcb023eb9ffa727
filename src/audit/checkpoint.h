/* Signed checkpoints of the audit head, kept outside the database. The
 * chain alone cannot show a removed tail whose head row was rewritten to
 * match; a checkpoint (count, head hash, time) signed with the platform's
 * SM2 key and published elsewhere can: a chain shorter than a checkpoint,
 * or whose record at the checkpoint's count has another hash, was cut or
 * rewritten. The platform key is DATA/keys/platform-audit.pem (0600, made
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
struct tb_audit_check;

/* The platform key's file name in the keys folder. */
#define TB_CHECKPOINT_KEY_FILE "platform-audit.pem"
/* The newest checkpoint's file name in the checkpoint folder. */
#define TB_CHECKPOINT_LATEST   "latest.json"

struct tb_checkpoint {
	int64_t count;                  /* records in the chain */
	char head[TB_SM3_HEX];          /* hash of record `count` (zeros for 0) */
	int64_t time;                   /* seconds since the epoch (UTC) */
	char key_id[TB_SM2_KEY_ID];     /* the signing key */
	char signature[TB_SM2_SIG_HEX]; /* SM2 over the canonical bytes */
	char *public_pem;               /* the signing key's public half (malloc'd) or NULL */
};

/* Frees cp->public_pem; NULL is a no-op. */
void tb_checkpoint_clear(struct tb_checkpoint *cp);

/* The platform key from keys_dir (made, with the folder, when create and
 * it is missing; two processes making it at once end with one key).
 * TB_ENOTFOUND when missing and !create. The caller frees *out. */
enum tb_err tb_checkpoint_key(const char *keys_dir, bool create, struct tb_sm2_key **out);

/* Reads the audit head of s, signs it with the platform key of keys_dir
 * and writes the checkpoint into dir (made when missing): latest.json and
 * the day's file. out (may be NULL) gets it (clear it after).
 * TB_EINTERNAL when the head row does not match its last record (a chain
 * already damaged is not signed; `tongban audit verify` says where). */
enum tb_err tb_checkpoint_make(struct tb_store *s, const char *keys_dir, const char *dir,
                               struct tb_checkpoint *out);

/* cp as JSON text (format, count, head, time, key_id, signature,
 * public_pem when known), malloc'd. */
char *tb_checkpoint_json(const struct tb_checkpoint *cp);
/* Parses a checkpoint's JSON text into out (clear it after). TB_EINVAL
 * with f naming the member when it is not one. */
enum tb_err tb_checkpoint_parse(const char *text, struct tb_checkpoint *out, struct tb_fail *f);
/* Reads and parses the checkpoint file at path. TB_ENOTFOUND, TB_EINVAL
 * (f says why). */
enum tb_err tb_checkpoint_load(const char *path, struct tb_checkpoint *out, struct tb_fail *f);

/* Whether cp names key and carries key's valid signature of its fields. */
bool tb_checkpoint_signed_by(const struct tb_checkpoint *cp, const struct tb_sm2_key *key);

/* Compares the chain of s, which chk found intact, with cp: *ok false and
 * detail (one line) when the chain is shorter than cp's count or its
 * record at that count has another hash. TB_ESTORE on a store failure. */
enum tb_err tb_checkpoint_compare(struct tb_store *s, const struct tb_checkpoint *cp,
                                  const struct tb_audit_check *chk, bool *ok, char *detail,
                                  size_t size);

/* A thread that makes a checkpoint every interval_s seconds (errors are
 * logged and tried again at the next turn); the first comes after one
 * interval (serve makes one itself at start). */
struct tb_checkpointer;
enum tb_err tb_checkpointer_start(struct tb_store *s, const char *keys_dir, const char *dir,
                                  int interval_s, struct tb_checkpointer **out);
/* Stops and frees it; NULL is a no-op. */
void tb_checkpointer_stop(struct tb_checkpointer *cp);

#endif
