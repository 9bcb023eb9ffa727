/* Peer platforms (跨省通办, issue 18): another province's tongban that an
 * administrator registered by its province code, name, base URL and SM2
 * public key, with the keys it announced since. Writes record their audit
 * line in the same transaction; callers have already asked tb_authz.
 * Exports tb_peer_*. */
#ifndef TB_FEDERATION_PEERS_H
#define TB_FEDERATION_PEERS_H

#include "base/arena.h"
#include "base/err.h"
#include "base/sm2.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct tb_regions;

struct tb_peer {
	int64_t id;
	char province[10]; /* GB/T 2260 province code, e.g. 440000 */
	const char *name;
	const char *base_url; /* without a trailing slash */
	bool active;          /* false: suspended */
};

struct tb_peer_new {
	const char *province, *name, *base_url, *public_pem;
};

/* Registers a peer with its first key. province must be a province of
 * regions other than own (field "province"), name 1 to 64 characters
 * ("name"), base_url an http or https URL without user, query or
 * fragment ("base_url"), public_pem an SM2 public key ("public_pem"). A
 * province registered already is TB_ECONFLICT. *id gets the new peer's. */
enum tb_err tb_peer_register(struct tb_store *s, const struct tb_regions *regions, const char *own,
                             const struct tb_ctx *ctx, const struct tb_peer_new *in, int64_t *id,
                             struct tb_fail *f);

/* Suspends (!active) or resumes a peer, audited as peer.suspend or
 * peer.resume. TB_ENOTFOUND for no such peer. */
enum tb_err tb_peer_set_active(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                               bool active, struct tb_fail *f);

/* Adds a public key (PEM) to the peer's, audited as peer.key; key_id gets
 * its id. TB_ECONFLICT when the peer has it already. */
enum tb_err tb_peer_add_key(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                            const char *public_pem, char key_id[TB_SM2_KEY_ID], struct tb_fail *f);
/* The same on c inside the caller's transaction, without an audit line
 * (a key the peer announced: the message is audited). */
enum tb_err tb_peer_add_key_on(struct tb_conn *c, int64_t id, const char *public_pem,
                               char key_id[TB_SM2_KEY_ID], struct tb_fail *f);

/* The peer of province on c into *out (strings in a). TB_ENOTFOUND. */
enum tb_err tb_peer_find_on(struct tb_conn *c, const char *province, struct tb_arena *a,
                            struct tb_peer *out);
/* The peer id on c into *out (strings in a). TB_ENOTFOUND. */
enum tb_err tb_peer_get_on(struct tb_conn *c, int64_t id, struct tb_arena *a, struct tb_peer *out);

/* The public key key_id of peer on c: *out (the caller frees it).
 * TB_ENOTFOUND when the peer has no such key. */
enum tb_err tb_peer_key_on(struct tb_conn *c, int64_t peer, const char *key_id,
                           struct tb_sm2_key **out);

/* Every peer as JSON (arena): {"items": [{id, province, name, base_url,
 * state, created_at, keys: [{key_id, added_at}], messages: {pending,
 * delivered, dead, received}}]}, by province. */
enum tb_err tb_peer_list(struct tb_store *s, struct tb_arena *a, const char **text);

/* This platform (its province own and that province's name) and the
 * active peers as the public sees them, JSON (arena): {"province", "name",
 * "items": [{province, name, base_url}]}, by province: where a person of
 * another province comes from (全程网办). */
enum tb_err tb_peer_list_public(struct tb_store *s, const char *own, const char *own_name,
                                struct tb_arena *a, const char **text);

#endif
