/* The exchange between peer platforms (跨省通办, issue 18): signed
 * messages over HTTP.
 *
 * A message is a JSON envelope {"id", "from", "to", "kind", "at",
 * "key_id", "body"}: a unique id (32 hex digits), the sending and the
 * receiving province, what it is, when it was sent, the sender's exchange
 * key and the content. It is POSTed to the receiver's
 * /api/v1/federation/messages with the SM2 signature of the envelope's
 * exact bytes in X-Tongban-Signature.
 *
 * Sending writes the signed envelope to exchange_out in the transaction of
 * the change it carries (audited as exchange.send); the notifier's worker
 * delivers it (tb_exchange_deliver: one node at a time, in order per peer,
 * retried with backoff while the peer is unreachable; a refusal makes it
 * dead, for the administrators' dead-letter view). Receiving checks the
 * envelope, the peer (known, not suspended), its key and the signature,
 * and then, in one transaction, runs the kind's handler, records the
 * message id in exchange_in and audits it: a duplicate or a replay finds
 * the id and changes nothing. Every refusal is audited. Exports
 * tb_exchange_*. */
#ifndef TB_FEDERATION_EXCHANGE_H
#define TB_FEDERATION_EXCHANGE_H

#include "base/arena.h"
#include "base/err.h"
#include "federation/peers.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct tb_keys;
struct tb_regions;

#define TB_EXCHANGE_ID         33 /* 32 hex digits + NUL */
/* The request header of the envelope's signature. */
#define TB_EXCHANGE_SIG_HEADER "X-Tongban-Signature"
/* Where a platform receives messages, after the peer's base URL. */
#define TB_EXCHANGE_PATH       "/api/v1/federation/messages"

struct tb_calendar;
struct tb_blobs;

/* What the exchange needs of the platform. */
struct tb_exchange_env {
	struct tb_store *store;
	struct tb_keys *keys; /* the platform's exchange key (TB_KEYS_PLATFORM) */
	const struct tb_regions *regions;
	const char *province; /* this platform's */
	const struct tb_calendar *calendar;
	struct tb_blobs *blobs; /* forwarded materials */
};

/* A received message, checked: strings and body live as long as the
 * receiving call. */
struct tb_exchange_msg {
	const char *id, *from, *to, *kind, *key_id;
	int64_t at;
	json_t *body;
	const struct tb_peer *peer;
};

/* What receiving a kind of message does, on c inside the receiving
 * transaction: *reply (NULL for none; taken) is kept and answered. A
 * refusal returns the error with f naming the member of the body and the
 * reason; the transaction is then rolled back and the refusal audited. */
typedef enum tb_err (*tb_exchange_handler)(struct tb_conn *c, const struct tb_exchange_env *env,
                                           const struct tb_exchange_msg *m, json_t **reply,
                                           struct tb_fail *f);

/* The handler of kind, or NULL for a kind the platform does not take
 * (federation/kinds.c). */
tb_exchange_handler tb_exchange_handler_of(const char *kind);

/* What the sender does with the peer's reply to a message of a kind, on c
 * inside the transaction that marks it delivered: sent is the body it
 * sent, reply the peer's answer. An error leaves the message pending, to
 * be sent again (the peer answers a duplicate with the same reply). */
typedef enum tb_err (*tb_exchange_reply_handler)(struct tb_conn *c,
                                                 const struct tb_exchange_env *env, int64_t peer,
                                                 json_t *sent, json_t *reply);
/* The reply handler of kind, or NULL when a reply needs nothing. */
tb_exchange_reply_handler tb_exchange_reply_handler_of(const char *kind);

/* Sends body (taken) as a message of kind to peer: signs it with the
 * platform's exchange key and writes it to exchange_out on c, inside the
 * caller's transaction, with an exchange.send audit record for ctx.
 * TB_ENOTFOUND (field "peer") for no such peer, TB_EDENIED for a suspended
 * one. msg_id (may be NULL) gets the message's id. Kick the notifier
 * after the commit. */
enum tb_err tb_exchange_send_on(struct tb_conn *c, const struct tb_exchange_env *env,
                                const struct tb_ctx *ctx, int64_t peer, const char *kind,
                                json_t *body, char msg_id[TB_EXCHANGE_ID], struct tb_fail *f);
/* tb_exchange_send_on in a transaction of its own. */
enum tb_err tb_exchange_send(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                             int64_t peer, const char *kind, json_t *body,
                             char msg_id[TB_EXCHANGE_ID], struct tb_fail *f);

/* Receives the envelope text[0..n) signed sig_hex from client (an
 * address, for the audit trail). On success *reply (arena) is the JSON
 * answer {"id", "duplicate", "reply"}. Refusals: TB_EINVAL for a
 * malformed envelope or one addressed to another platform, TB_EDENIED for
 * an unknown or suspended peer or an unknown key, TB_EUNAUTH for a
 * signature that does not verify, and what the kind's handler refuses;
 * f says which member and why. Each refusal of a parsed envelope is
 * audited (exchange.refuse). */
enum tb_err tb_exchange_receive(const struct tb_exchange_env *env, const char *client,
                                const char *text, size_t n, const char *sig_hex, struct tb_arena *a,
                                const char **reply, struct tb_fail *f);

/* Whether s is exactly len lower-case hex digits. */
bool tb_exchange_hex_ok(const char *s, size_t len);

/* Checks that from is a registered, active peer whose key key_id signed
 * text[0..n) as sig_hex: the peer into *peer (arena). TB_EDENIED on
 * "from" (unknown, suspended) or "key_id", TB_EUNAUTH on "signature". */
enum tb_err tb_exchange_check_sender(const struct tb_exchange_env *env, const char *from,
                                     const char *key_id, const char *text, size_t n,
                                     const char *sig, struct tb_arena *a, struct tb_peer *peer,
                                     struct tb_fail *f);

/* An HTTP request to a peer (libcurl): a POST of body (JSON) signed sig
 * (the X-Tongban-Signature header; NULL for none), or a GET when body is
 * NULL, within timeout_s. Returns the status (0: no answer; 502 for an
 * answer over max bytes) and the answer into *reply (malloc'd, may be
 * NULL). */
long tb_exchange_http(const char *url, const char *body, const char *sig, long timeout_s,
                      size_t max, char **reply);

/* One delivery pass (a tb_notify_also: arg is the env): the due pending
 * messages of active peers, oldest first, stopping at a peer's first
 * failure so that each peer gets them in order. Returns how many it
 * attempted. */
int tb_exchange_deliver(struct tb_store *s, int64_t now, void *env);

/* The messages sent, newest first, at most limit, as JSON (arena):
 * {"items": [{id, msg_id, peer: {id, province, name}, kind, state,
 * attempts, last_status, last_error, created_at, delivered_at}]};
 * state "" for every state, peer 0 for every peer. */
enum tb_err tb_exchange_list(struct tb_store *s, const char *state, int64_t peer, int limit,
                             struct tb_arena *a, const char **text);

/* Sends a dead message again (pending, due now, attempts from 0), audited
 * as exchange.retry. TB_ENOTFOUND, or TB_ECONFLICT when it is not dead. */
enum tb_err tb_exchange_retry(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                              struct tb_fail *f);

/* Rotates the platform's exchange key and, in the same transaction, sends
 * key.announce (the new public key, signed with the old one) to every
 * active peer. key_id gets the new key's id. */
enum tb_err tb_exchange_rotate(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                               char key_id[TB_SM2_KEY_ID]);

/* This platform as peers see it, as JSON (arena): {"province", "name",
 * "key_id", "public_pem", "keys": [{key_id, public_pem, created_at,
 * retired_at}]} (the active key made when there is none yet). */
enum tb_err tb_exchange_self(const struct tb_exchange_env *env, struct tb_arena *a,
                             const char **text);

#endif
