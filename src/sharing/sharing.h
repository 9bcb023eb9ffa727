/* Data sharing between departments (政务信息共享): the sharing catalog of
 * what each provider holds (resources.c), the records providers keep
 * current on the platform (records.c), grants of conditional resources
 * (grants.c), the verification query with its use log (verify.c) and each
 * person's or business's view of who used their data (usage.c).
 *
 * JSON in and out: documents are checked here, refusals name the member
 * (f->field, in the arena given) and say why. Every write is audited in
 * its own transaction; every query, answered or refused, leaves a
 * data_uses row and an audit record. */
#ifndef TB_SHARING_SHARING_H
#define TB_SHARING_SHARING_H

#include "base/err.h"
#include "identity/ctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct tb_arena;
struct tb_calendar;
struct tb_conn;
struct tb_store;

/* Most records one push may carry. */
#define TB_SHARE_BATCH_MAX 1000

/* ---- resources.c ---------------------------------------------------- */

/* A resource as stored (strings point into the caller's arena). fields
 * and assertions are JSON arrays (owned by the struct: tb_share_resource_
 * release). */
struct tb_share_resource {
	int64_t id;
	const char *code, *name, *summary, *subject_kind, *sharing_type, *conditions, *legal_basis,
	    *update_cycle;
	int64_t provider_id;
	const char *provider_name;
	const char *endpoint; /* the provider's real-time service, or NULL */
	json_t *fields, *assertions;
};
void tb_share_resource_release(struct tb_share_resource *r);

/* Whether code is a resource code: front code (class 1 basic, 2 theme, 3
 * department; item 2 digits; entry 3; sub-entry up to 9 more), "/", and a
 * sequence of 1 to 9 digits. */
bool tb_share_code_valid(const char *code);

/* Checks doc (a resource document, see docs/openapi.yaml
 * SharingResource) and creates (create) or replaces the resource code.
 * The provider of a new resource is doc's provider_id; a replaced one
 * keeps its provider (a different provider_id is refused), and its
 * endpoint when doc has no "endpoint" member (null removes it). TB_EINVAL
 * naming the member, TB_ECONFLICT when creating an existing code,
 * TB_ENOTFOUND when replacing a missing one. */
enum tb_err tb_share_resource_put(struct tb_store *s, const struct tb_ctx *ctx, json_t *doc,
                                  bool create, struct tb_arena *a, struct tb_fail *f);
/* Resource code into out (TB_ENOTFOUND); _on: on c. */
enum tb_err tb_share_resource_get_on(struct tb_conn *c, const char *code, struct tb_arena *a,
                                     struct tb_share_resource *out);
enum tb_err tb_share_resource_get(struct tb_store *s, const char *code, struct tb_arena *a,
                                  struct tb_share_resource *out);
/* The resource as public JSON (no data), with its provider. */
json_t *tb_share_resource_json(const struct tb_share_resource *r);
/* The public listing: every resource, or those of provider (when > 0)
 * or whose name or summary holds q (when non-empty), by code. */
enum tb_err tb_share_resources_list(struct tb_store *s, int64_t provider, const char *q,
                                    json_t **out);

/* ---- records.c ------------------------------------------------------ */

/* Checks and stores records (a JSON array of {"subject", "data"}) of
 * resource code, all or none: one record per subject, replaced whole.
 * A subject must be a valid identity number (a resource about persons)
 * or credit code (about organisations); data may hold only the
 * resource's fields, each of its type (null: not recorded). *stored gets
 * the count. TB_EINVAL naming e.g. "records[2].data.婚姻状况". Subjects are
 * normalised in records (the upper-case X). */
enum tb_err tb_share_records_put(struct tb_store *s, const struct tb_ctx *ctx,
                                 const struct tb_share_resource *res, json_t *records, int *stored,
                                 struct tb_arena *a, struct tb_fail *f);
/* Removes the record of subject (TB_ENOTFOUND). */
enum tb_err tb_share_record_delete(struct tb_store *s, const struct tb_ctx *ctx,
                                   const struct tb_share_resource *res, const char *subject);

/* Whether subject is a well-formed code for a resource about kind
 * ("person": identity number, "organisation": credit code): its
 * normalised form (upper case X) into norm, or *reason says why not. */
bool tb_share_subject_valid(const char *kind, const char *subject, char norm[19],
                            const char **reason);

/* Whether data (a record's {field: value}) holds only fields of res, each
 * of its type; *why says what is wrong. */
bool tb_share_data_valid(const struct tb_share_resource *res, json_t *data, const char **why);

/* ---- endpoint.c ----------------------------------------------------- */

/* Lets endpoints be on loopback and private networks (tests, a closed
 * network: serve --allow-private-webhooks). Call before serving. */
void tb_share_endpoints_allow_private(bool allow);
/* Asks res's real-time endpoint (POST {"resource", "subject"}; answer
 * {"found": bool, "data": {...}}) for subject's record: *data (NULL when
 * not found; caller decrefs). A deadline of 2 s, two more tries after a
 * transport failure or a 5xx, and a circuit that holds calls for 30 s
 * after three failed calls in a row. TB_EUNAVAIL naming "resource" and
 * saying what went wrong (no answer in time, unreachable, an error, not a
 * record, the circuit open). */
enum tb_err tb_share_endpoint_fetch(const struct tb_share_resource *res, const char *subject,
                                    json_t **data, struct tb_fail *f);

/* ---- grants.c ------------------------------------------------------- */

/* A consumer department applies for a conditional resource: purpose and
 * the fields it needs (a JSON array of names). The provider must answer
 * within 10 working days of cal (due_date). *id gets the grant. */
enum tb_err tb_share_grant_apply(struct tb_store *s, const struct tb_calendar *cal,
                                 const struct tb_ctx *ctx, const struct tb_share_resource *res,
                                 int64_t consumer, const char *purpose, json_t *fields, int64_t *id,
                                 struct tb_arena *a, struct tb_fail *f);
/* The provider answers a pending grant: approve with fields (NULL: all
 * requested; else a subset of them) until expires_on (NULL: a year from
 * today), or refuse with a reason. */
enum tb_err tb_share_grant_decide(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                                  bool approve, json_t *fields, const char *expires_on,
                                  const char *reason, struct tb_arena *a, struct tb_fail *f);
/* Ends an approved grant (the provider). */
enum tb_err tb_share_grant_revoke(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                                  const char *reason, struct tb_fail *f);
/* The provider and consumer departments of grant id. */
enum tb_err tb_share_grant_parties(struct tb_store *s, int64_t id, int64_t *provider,
                                   int64_t *consumer);
/* Grants where department is provider or consumer (0: all), newest
 * first; pending ones past their due date carry "overdue": true; only
 * those when overdue_only. region (non-empty) keeps grants whose provider
 * lies in it. */
enum tb_err tb_share_grants_list(struct tb_store *s, int64_t department, const char *region,
                                 bool overdue_only, json_t **out);

/* ---- verify.c ------------------------------------------------------- */

/* A verification query (POST /api/v1/verify) by consumer department. */
struct tb_share_query {
	const char *resource, *subject, *purpose, *case_no;
	json_t *assertions; /* array of assertion names, or NULL */
	json_t *fields;     /* array of field names, or NULL */
	bool submitting;    /* the platform checks at the case's submission,
	                       with the applicant's consent (no official) */
};

/* Answers q for consumer if the rules allow it, and logs the use either
 * way (data_uses + audit, durable before this returns):
 * the resource must exist and be shared; a conditional one needs an
 * approved, unexpired grant to consumer covering every field asked (an
 * assertion asks for its field); purpose and case_no are required, the
 * case must be the consumer's, before it (submitted; or being submitted,
 * when q->submitting) and about subject (its applicant or agent). *out
 * gets {"found", "results": [{"assertion", "label", "holds"}]} or
 * {"found", "fields": {...}} holding only the fields asked. Refusals:
 * TB_EINVAL / TB_EDENIED / TB_ENOTFOUND naming the member. */
enum tb_err tb_share_verify(struct tb_store *s, const struct tb_ctx *ctx, int64_t consumer,
                            const struct tb_share_query *q, json_t **out, struct tb_arena *a,
                            struct tb_fail *f);

/* As tb_share_verify, for a request that can answer later: the rules run
 * now; the use joins the store's batch writer (tb_store_write_async) and
 * done(cb, e, out) runs on the writer's thread once it is durable (out:
 * the answer, taken by done; f: why, when e is not TB_OK). Everything
 * lives in a until done has run; ctx's principal must too. */
void tb_share_verify_async(struct tb_store *s, const struct tb_ctx *ctx, int64_t consumer,
                           const struct tb_share_query *q, struct tb_arena *a, struct tb_fail *f,
                           void (*done)(void *cb, enum tb_err e, json_t *out), void *cb);

/* The deciding department and the receiving window (0: none) of case
 * case_no; both 0 when there is no such case. */
void tb_share_case_departments(struct tb_store *s, const char *case_no, int64_t *department,
                               int64_t *window);

/* ---- usage.c -------------------------------------------------------- */

/* Every use of subject's data, newest first: up to limit uses with id
 * below before (0: from the newest). *out gets {"items": [...],
 * "next_before": id or null}. */
enum tb_err tb_share_usage(struct tb_store *s, const char *subject, int64_t before, int limit,
                           json_t **out);

#endif
