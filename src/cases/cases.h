/* Cases (办件): opening a case for a published item (online by the
 * applicant or an agent, or at the general window by a clerk for any
 * department's item), editing the draft, and moving it through the state
 * machine of machine.h under the working-day clock of clock.h. Every
 * transition writes its step, its audit record and its outbox row in one
 * transaction. Reads come back as JSON text. */
#ifndef TB_CASES_CASES_H
#define TB_CASES_CASES_H

#include "base/arena.h"
#include "base/err.h"
#include "base/jsonw.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdint.h>

struct tb_calendar;
struct tb_keys;

struct tb_case_new {
	const char *item;      /* implementation code */
	const char *applicant; /* identity number or credit code; NULL: the caller (or the
				  organisation they act for) */
	const char *form;      /* JSON object text */
	const char *materials; /* JSON array text of {name, source, ref}, or NULL */
	const char *channel;   /* web, mobile (window for clerks); NULL: web */
	/* Made for an application a peer platform forwarded (federation/
	 * forward.h): the applicant's own online draft of the item, if any,
	 * neither stands in its way nor is taken for it. */
	bool forwarded;
};

struct tb_case_created {
	const char *case_no;
	const char *query_code; /* shown once: only its hash is kept */
};

/* Opens a draft. The required materials it lacks are filled, where they
 * can be, from the applicant's valid e-certificates and library
 * (materials/reuse.h). TB_ENOTFOUND: no such published item in force;
 * TB_EDENIED: applicant is not the caller nor an organisation they act
 * for (and the caller is no window clerk). */
enum tb_err tb_case_create(struct tb_store *s, const struct tb_ctx *ctx,
                           const struct tb_case_new *in, struct tb_arena *a,
                           struct tb_case_created *out, struct tb_fail *f);

/* Who a case belongs to, for authorisation. */
struct tb_case_ref {
	int64_t id, applicant, department;
	int64_t window; /* the service centre whose window opened it, or 0 */
	char region[10];
	char state[24];
	char item_code[40];
	int64_t item_version;
};
enum tb_err tb_case_ref(struct tb_store *s, const char *case_no, struct tb_case_ref *out);

/* Replaces the form and/or materials (NULL keeps them) of a draft or of a
 * case that needs correction. TB_ECONFLICT in any other state. The
 * strings f names on refusal live in out (the caller's arena). */
enum tb_err tb_case_update(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                           const char *form, const char *materials, struct tb_arena *out,
                           struct tb_fail *f);

/* Gives material of the draft (or case returned for correction) case_no
 * as the applicant's commitment (告知承诺) when commit, or takes the
 * commitment back (the material is then missing until given otherwise),
 * by editing its list as tb_case_update does, with the same checks (the
 * item must allow it; an unrepaired false commitment on the applicant's
 * credit record refuses it). TB_EINVAL "material" for a material the
 * case does not commit when taking back. Reasons in out. */
enum tb_err tb_case_commit(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                           const char *material, bool commit, struct tb_arena *out,
                           struct tb_fail *f);

struct tb_case_event {
	const char *event;
	const char *opinion;     /* required for reject, refuse, extend, suspend */
	const char *corrections; /* request_correction: JSON array of {material|field, reason} */
	int visits;              /* submit at a window: visits made (0: keep) */
	const char *certificate; /* complete: JSON object {holder: {code, name}, face: {...}}
	                            for the certificate the item yields, or NULL */
	const char *delivery;    /* hand_out: "window" or "post" (opinion: tracking number) */
	/* The case as the caller read it just before (tb_case_ref), or NULL: a
	 * submission whose item verifies nothing online then reads nothing
	 * more before its transaction. */
	const struct tb_case_ref *seen;
};

/* Applies event. *state gets the new state (arena). A case that completes
 * (explicitly, or an immediate item on acceptance) gets the e-certificate
 * its item yields, signed with its department's key from keys (made on
 * first need), in the same transaction; f names "certificate.*" fields
 * when that cannot be issued. TB_ECONFLICT with
 * f->reason naming the current state when the event is not possible now;
 * submitting with required materials missing is TB_EINVAL and *missing
 * (arena JSON array text) lists every one. Submitting a case that is
 * already submitted answers TB_OK without a new step (idempotent). */
enum tb_err tb_case_apply(struct tb_store *s, const struct tb_calendar *cal, struct tb_keys *keys,
                          const struct tb_ctx *ctx, const char *case_no,
                          const struct tb_case_event *ev, struct tb_arena *a, const char **state,
                          const char **missing, struct tb_fail *f);

/* The checks tb_case_apply makes before its transaction: the event is
 * one of the machine's, and a completion's department has a signing key
 * (made now when it has none). */
enum tb_err tb_case_apply_prepare(struct tb_store *s, struct tb_keys *keys, const char *case_no,
                                  const struct tb_case_event *ev, struct tb_fail *f);

/* What tb_case_apply_async gives its callback: tb_case_apply's result,
 * new state, missing list and failure. */
struct tb_case_outcome {
	enum tb_err e;
	const char *state, *missing;
	struct tb_fail f;
};

/* tb_case_apply in the background, for a store with tb_store_async and
 * after tb_case_apply_prepare: queues the transition and returns; done(cb,
 * outcome) runs on the store's writer thread once it is durable or has
 * failed. ev and its strings, and ctx, are copied into a; what ctx
 * points to, case_no and a must live until done has run. */
void tb_case_apply_async(struct tb_store *s, const struct tb_calendar *cal, struct tb_keys *keys,
                         const struct tb_ctx *ctx, const char *case_no,
                         const struct tb_case_event *ev, struct tb_arena *a,
                         void (*done)(void *cb, const struct tb_case_outcome *o), void *cb);

/* The case as JSON (arena): everything, with its steps, materials and
 * clock (remaining working days and colour; yellow_days sets yellow).
 * Without refs, the materials say how each was given but not which
 * certificate or file (identifier, SM3): what a reader who neither owns
 * the case nor decides it needs. */
enum tb_err tb_case_read(struct tb_store *s, const struct tb_calendar *cal, const char *case_no,
                         int yellow_days, bool refs, struct tb_arena *a, const char **text);

/* The non-personal progress of a case for whoever holds its query code
 * (TB_ENOTFOUND for a wrong code and for no case alike). */
enum tb_err tb_case_progress(struct tb_store *s, const struct tb_calendar *cal, const char *case_no,
                             const char *code, int yellow_days, struct tb_arena *a,
                             const char **text);

/* Which cases a list shows: exactly one of applicant (their cases, newest
 * first), department (its open queue, most urgent first) or window (the
 * cases opened at that service centre's window, newest first); state, when
 * set, keeps only cases in that state. The department queue also narrows
 * by item (implementation code), overdue (the promised deadline has passed
 * and the clock runs) and assignee (claimed by or assigned to that
 * account). Rows carry the applicant's name and the assignee. */
struct tb_case_filter {
	int64_t applicant, department, window;
	const char *state;
	int limit;
	const char *item; /* NULL: any */
	bool overdue;
	int64_t assignee; /* 0: anyone's or no one's */
	/* A region's overdue cases (supervision): those within it (prefix
	 * rule) in handling past their deadline, as the indicators count
	 * them; NULL: not this view. */
	const char *overdue_region;
};

/* True when state is a state of the case machine. */
bool tb_case_state_known(const char *state);

/* Writes the cases f selects to w, as a JSON array (texts read on the way
 * live in a). On failure w may hold part of the array: discard it. */
enum tb_err tb_case_list(struct tb_store *s, const struct tb_calendar *cal,
                         const struct tb_case_filter *f, int yellow_days, struct tb_arena *a,
                         struct tb_jw *w);
/* Gives case_no a new query code, replacing the old one (which stops
 * working): *code (arena) gets its 8 digits, shown this once like the
 * first; the store keeps only the salted hash. Audited as case.query_code.
 * The caller has authorised the applicant. TB_ENOTFOUND: no such case. */
enum tb_err tb_case_query_code(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                               struct tb_arena *a, const char **code);
/* Records an uploaded file (already in the blob store as sm3) as material
 * name of a case in draft or needing correction: the case's list says
 * "upload" with the hash, and the owner's library gets the file, of the
 * material's kind, valid until valid_until (YYYY-MM-DD, or NULL: no end).
 * TB_EINVAL (f names "material") when the item has no such material;
 * TB_ECONFLICT in any other state. */
enum tb_err tb_case_add_upload(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                               const char *name, const char *sm3, size_t size, const char *mime,
                               const char *valid_until, struct tb_fail *f);

#endif
