/* Catalog across platforms (issue 18): the items peer platforms offer
 * for cross-province handling, brought here by a sync (catalog.request
 * messages, federation/kinds.c) and shown to this platform's people and
 * windows with the peer's own guide. Exports tb_peer_items_* and
 * tb_peer_catalog_sync. */
#ifndef TB_FEDERATION_CATALOG_H
#define TB_FEDERATION_CATALOG_H

#include "federation/exchange.h"

/* Asks the peer for the items it offers (all of them, a page per
 * message): what it no longer offers is removed when the last page comes
 * back; and, in the same transaction, for its certificate keys
 * (federation/certs.h). Audited as the messages are (exchange.send). TB_ENOTFOUND,
 * TB_EDENIED (suspended) on "peer". */
enum tb_err tb_peer_catalog_sync(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                                 int64_t peer, struct tb_fail *f);

/* The peers' offered items, by name, whose name contains q (NULL: all) of
 * the peer of province (NULL: every active peer), page by page, as JSON
 * (arena): {"total", "items": [{peer: {province, name, base_url}, code,
 * version, name, department, region, online_depth, synced_at}]}. */
enum tb_err tb_peer_items_list(struct tb_store *s, const char *q, const char *province, int page,
                               int per_page, struct tb_arena *a, const char **text);

/* One offered item of the peer of province with its guide (the peer's
 * document) as JSON (arena): the list's members and "doc". TB_ENOTFOUND. */
enum tb_err tb_peer_item_get(struct tb_store *s, const char *province, const char *code,
                             struct tb_arena *a, const char **text);

#endif
