/* Accounts: natural persons (known by the identity number), organisations
 * (known by the unified social credit code, acting through agents), and
 * the reads the API needs. Every write records its audit line in the same
 * transaction. */
#ifndef TB_IDENTITY_ACCOUNTS_H
#define TB_IDENTITY_ACCOUNTS_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb_account {
	int64_t id;
	const char *kind;  /* "person" or "organisation" */
	const char *login; /* identity number or credit code */
	const char *name;
	const char *phone; /* NULL when none */
	const char *region;
	const char *status;
	int64_t created_at;
	bool identity_proven; /* a person known to the population registry, an
	                       * organisation registered against the business
	                       * registry: only these see and reuse certificates */
};

struct tb_person_new {
	const char *name, *id_number, *password;
	const char *phone; /* NULL for none (accounts made by the CLI) */
};

/* Registers a natural person: checks every field (f names the first bad
 * one), the identity number (GB 11643) and, where the population registry
 * knows the number, that the name matches it. A number the registry does
 * not know is registered but not identity-proven. TB_ECONFLICT, with one
 * and the same reason, when the number is registered already or the name
 * is not the registry's (no caller can tell which). *id gets the new
 * account. */
enum tb_err tb_person_register(struct tb_store *s, const struct tb_ctx *ctx,
                               const struct tb_person_new *in, int64_t *id, struct tb_fail *f);

/* Registers an organisation by name and credit code (GB 32100) with the
 * signed-in person of ctx as its first agent. The business registry must
 * hold the code (TB_EINVAL, field credit_code), under that name (field
 * name), with the signed-in person as legal representative (TB_EDENIED,
 * field credit_code; the representative is never named). TB_ECONFLICT
 * when the code is registered already. */
enum tb_err tb_org_register(struct tb_store *s, const struct tb_ctx *ctx, const char *name,
                            const char *credit_code, int64_t *id, struct tb_fail *f);

/* Reads account id into *out (strings in arena). TB_ENOTFOUND. */
enum tb_err tb_account_get(struct tb_store *s, int64_t id, struct tb_arena *a,
                           struct tb_account *out);
/* The same on c (a connection, maybe inside a transaction). */
enum tb_err tb_account_get_on(struct tb_conn *c, int64_t id, struct tb_arena *a,
                              struct tb_account *out);
/* Finds an account by identity number or credit code (normalised first). */
enum tb_err tb_account_find(struct tb_store *s, const char *login, struct tb_arena *a,
                            struct tb_account *out);
/* Accounts whose region lies within region (prefix rule), newest first,
 * at most limit, optionally only those whose login or name contains q. */
enum tb_err tb_account_list(struct tb_store *s, const char *region, const char *q, int limit,
                            struct tb_arena *a, struct tb_account **out, size_t *n);

/* The organisations person acts for (id, name, login in the accounts). */
enum tb_err tb_agent_orgs(struct tb_store *s, int64_t person, struct tb_arena *a,
                          struct tb_account **out, size_t *n);
/* True (TB_OK) when person is an agent of organisation; TB_EDENIED if not. */
enum tb_err tb_agent_check(struct tb_store *s, int64_t person, int64_t organisation);

/* Proves a person's identity at a window: the clerk of ctx has seen the
 * person's identity document (document, e.g. "居民身份证") with number
 * id_number and name. The account becomes identity-proven, with an audit
 * record naming the document, in one transaction. TB_ENOTFOUND (field
 * id_number) when no person account has the number; TB_EINVAL (field
 * name) when the name is not the account's. *id gets the account. */
enum tb_err tb_person_prove(struct tb_store *s, const struct tb_ctx *ctx, const char *id_number,
                            const char *name, const char *document, int64_t *id, struct tb_fail *f);

/* Adds the name of an identity number to the population registry (the
 * demo and the sharing import use it). */
enum tb_err tb_registry_put(struct tb_store *s, const char *id_number, const char *name,
                            const char *source);

/* Puts a business into the business registry (市场主体登记信息): credit
 * code, name, the legal representative's identity number and name, and
 * where the record comes from; a record of the same code is replaced (the
 * demo, an import from market regulation). The _on form runs on c, inside
 * the caller's transaction (a 营业执照 issued by the platform), and adds
 * only a business the registry does not hold yet. */
enum tb_err tb_business_registry_put(struct tb_store *s, const char *credit_code, const char *name,
                                     const char *rep_id, const char *rep_name, const char *source);
enum tb_err tb_business_registry_put_on(struct tb_conn *c, const char *credit_code,
                                        const char *name, const char *rep_id, const char *rep_name,
                                        const char *source);

/* Masks an identity number or phone for display: 330106********123X,
 * 138****5678. Result in arena. */
const char *tb_mask(struct tb_arena *a, const char *s);

#endif
