/* The agents of an organisation (the natural persons who act for it):
 * listing them, adding a registered person, removing one. Removing an
 * agent also ends that person's acting for the organisation in every
 * session at once. Every change records its audit line in the same
 * transaction. */
#ifndef TB_IDENTITY_AGENTS_H
#define TB_IDENTITY_AGENTS_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct tb_agent {
	int64_t person_id;
	const char *name;
	const char *login; /* the identity number (unmasked: mask it for display) */
	int64_t since;     /* when the link was made, seconds since the epoch */
};

/* The agents of organisation, oldest link first (at most 200; strings in
 * a). TB_ENOTFOUND when organisation is no organisation account. */
enum tb_err tb_agents_list(struct tb_store *s, int64_t organisation, struct tb_arena *a,
                           struct tb_agent **out, size_t *n);

/* Makes the registered person with identity number id_number and name
 * an agent of organisation; *person gets their account. TB_EINVAL (f:
 * id_number) when no active person account has both that number and that
 * name (one answer for both, so the call is no name oracle), or when that
 * person's identity is not proven; TB_ECONFLICT when they are an agent
 * already; TB_ENOTFOUND when organisation is no organisation account. */
enum tb_err tb_agent_add(struct tb_store *s, const struct tb_ctx *ctx, int64_t organisation,
                         const char *id_number, const char *name, int64_t *person,
                         struct tb_fail *f);

/* Removes person from the agents of organisation and clears the acting of
 * every session of theirs that acts for it (the cached resolutions are
 * dropped too). TB_ENOTFOUND when person is not its agent; TB_ECONFLICT
 * when person is its last agent (an organisation keeps at least one). */
enum tb_err tb_agent_remove(struct tb_store *s, const struct tb_ctx *ctx, int64_t organisation,
                            int64_t person, struct tb_fail *f);

#endif
