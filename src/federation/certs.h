/* Certificates across platforms (issue 18): a certificate issued at a
 * peer verifies here. The keys the peer's departments sign with come over
 * the peer link, signed by the peer (certkeys.request, a page of keys a
 * message, sent with every catalog sync) and are kept (peer_cert_keys);
 * a document offered here whose key is one of them is checked against it
 * (signature, digest, identifier, that the key signs for the issuer it
 * names, expiry), and then the peer's public register is asked whether it
 * holds the record and whether it was revoked: a certificate whose
 * platform cannot be reached still verifies by its signature, and the
 * answer says that the register was not asked. Exports tb_peer_cert*. */
#ifndef TB_FEDERATION_CERTS_H
#define TB_FEDERATION_CERTS_H

#include "certs/record.h"
#include "federation/exchange.h"

/* Asks peer for its departments' certificate keys (the first page;
 * each reply asks for the next), on c inside the caller's transaction. */
enum tb_err tb_peer_certkeys_sync_on(struct tb_conn *c, const struct tb_exchange_env *env,
                                     const struct tb_ctx *ctx, int64_t peer, struct tb_fail *f);

/* certkeys.request {after}: this platform's department keys after key id
 * `after`, a page: {keys: [{key_id, department: {code, name}, public_pem,
 * created_at, retired_at}], next} (tb_exchange_handler). */
enum tb_err tb_peer_certkeys_on_request(struct tb_conn *c, const struct tb_exchange_env *env,
                                        const struct tb_exchange_msg *m, json_t **reply,
                                        struct tb_fail *f);
/* Its reply at the asking platform (tb_exchange_reply_handler): each key
 * checked (its id is the hash of its PEM) and kept, the next page asked. */
enum tb_err tb_peer_certkeys_on_reply(struct tb_conn *c, const struct tb_exchange_env *env,
                                      int64_t peer, json_t *sent, json_t *reply);

/* Verifies doc (a certificate document as exported, already checked for
 * shape) issued at a peer: TB_ENOTFOUND when its key is no peer's key
 * (verify it here: certs.h). Else *status and *text (arena JSON): what
 * tb_cert_verify_document answers (identifier, status, reason, type,
 * issuer, holder masked, valid_from, valid_to, key_id, number, issued_on,
 * revoked_at and revoke_reason when revoked) plus platform {province,
 * name} and register_checked (false: the peer could not be asked). */
enum tb_err tb_peer_cert_verify(struct tb_store *s, const json_t *doc, struct tb_arena *a,
                                enum tb_cert_status *status, const char **text);

/* Verifies by identifier a certificate that this platform's register does
 * not hold but whose issuer (issuer_code, the identifier's department) is
 * a department of a peer whose keys were synced: the peer's public
 * register is asked. TB_ENOTFOUND when the issuer is no peer's
 * department. *text (arena JSON): the peer's verdict (identifier, status,
 * reason, type, issuer, valid_from, valid_to, key_id; revoked_at and
 * revoke_reason when revoked) with platform {province, name} and
 * register_checked; when the peer cannot be reached, status "unknown",
 * register_checked false. */
enum tb_err tb_peer_cert_verify_id(struct tb_store *s, const char *identifier,
                                   const char *issuer_code, struct tb_arena *a,
                                   enum tb_cert_status *status, const char **text);

/* Keeps doc, a certificate issued at a peer, for account (ctx the caller)
 * so that it is reused as a material here like one issued here: verified
 * first (tb_peer_cert_verify). Refusals: TB_EDENIED "identity_proven"
 * (the account's identity is not proven), TB_EINVAL "record.key_id" (not
 * signed with a peer's key), TB_EINVAL "document" (not valid: forged,
 * revoked, expired, unknown there), TB_EUNAVAIL "document" (the peer's
 * register could not be asked: try again), TB_EDENIED "record.holder"
 * (issued to another person). Kept again, it is checked again. Audited
 * cert.across. identifier (arena) gets its identifier. */
enum tb_err tb_peer_cert_keep(struct tb_store *s, const struct tb_ctx *ctx, int64_t account,
                              const json_t *doc, struct tb_arena *a, const char **identifier,
                              struct tb_fail *f);

/* The certificates issued at peers that account brought here, newest
 * first, as JSON (arena): {"items": [record members (identifier, type,
 * issuer, holder, number, issued_on, valid_from, valid_to, face) with
 * platform {province, name}, added_at, checked_at]}. */
enum tb_err tb_peer_certs_of(struct tb_store *s, int64_t account, struct tb_arena *a,
                             const char **text);

#endif
