/* 异地代收代办 (received here, handled there; issue 18). A window clerk
 * of this platform receives an application for an item a peer offers for
 * cross-province handling, with the applicant's materials, and forwards
 * it: the files go as material.put messages (each with its SM3, checked
 * on arrival), then the application as case.forward, all in the
 * transaction that records the forward. The peer records it on arrival
 * (exactly once, with the message), makes it a case of its own for the
 * applicant and submits it (tb_forward_admit, run by the exchange's
 * worker), and reports each step of that case back (case.state, from
 * tb_forward_relay); here the forward shows them, and the window hands
 * the result out. Exports tb_forward_*. */
#ifndef TB_FEDERATION_FORWARD_H
#define TB_FEDERATION_FORWARD_H

#include "federation/exchange.h"

/* The largest file a forward carries: a material.put message goes to the
 * peer in one request, within a platform's default body limit (1 MiB)
 * once base64 (4/3) and the envelope are added. Larger files (chunked, or
 * fetched by the peer) are not carried yet. */
#define TB_FORWARD_FILE_MAX (700u * 1024u)

/* One material of a forward: the catalog material's name, a file name
 * and the file's bytes as base64. */
struct tb_forward_material {
	const char *material, *name, *content;
};

struct tb_forward_new {
	const char *peer; /* the peer's province */
	const char *item; /* an item the peer offers (peer_items) */
	const char *name; /* the applicant */
	const char *id_number;
	const char *phone; /* or NULL */
	const char *form;  /* JSON object text */
	const struct tb_forward_material *materials;
	size_t nmaterials;
	int64_t case_id; /* 多地联办: the case here whose part this is, or 0 */
};

/* Records and forwards an application received at the window of
 * department (a service centre; ctx the clerk). Refusals name the member:
 * "peer" (unknown, suspended), "item" (not offered by the peer),
 * "id_number", "name", "form", "materials[i].content" (not base64, not a
 * PDF, JPEG, PNG or OFD, empty or over max_size bytes, or over
 * TB_FORWARD_FILE_MAX). forward_no
 * (arena) gets the forward's number. Audited forward.create. */
enum tb_err tb_forward_create(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                              int64_t department, const struct tb_forward_new *in, size_t max_size,
                              struct tb_arena *a, const char **forward_no, struct tb_fail *f);

/* The forwards received at the window of department (0: every window),
 * newest first, at most limit, as JSON (arena): {"items": [{forward_no,
 * peer: {province, name}, item: {code, name}, applicant: {name,
 * id_number (masked)}, phone, state, peer_case_no, handed_out: {at,
 * delivery} or null, created_at, updated_at}]}. The parts of cases
 * handled jointly (federation/joint.h) are not a window's and not
 * listed. */
enum tb_err tb_forward_list(struct tb_store *s, int64_t department, int limit, struct tb_arena *a,
                            const char **text);

/* One forward with its materials and the steps the peer reported, as
 * JSON (arena); *department gets its window's department (for the
 * caller's policy check). TB_ENOTFOUND. */
enum tb_err tb_forward_get(struct tb_store *s, const char *forward_no, struct tb_arena *a,
                           const char **text, int64_t *department);

/* Records that the result of forward_no, completed at the peer, was
 * handed out at its window ("window", note optional) or posted ("post",
 * note: the postal service and tracking number), by ctx (a clerk of the
 * forward's window: department; the caller checks the policy), and tells
 * the peer (case.handed_out) in the same transaction. Refusals name the
 * member: "forward_no" (TB_ENOTFOUND, or another window's), "delivery",
 * "note", "state" (not completed there yet, or handed out already;
 * TB_ECONFLICT). Audited forward.hand_out. */
enum tb_err tb_forward_hand_out(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                                int64_t department, const char *forward_no, const char *delivery,
                                const char *note, struct tb_fail *f);

/* case.handed_out {origin_no, delivery, note}: at the handling platform,
 * the forwarding window handed the result out (tb_exchange_handler). */
enum tb_err tb_forward_on_handed_out(struct tb_conn *c, const struct tb_exchange_env *env,
                                     const struct tb_exchange_msg *m, json_t **reply,
                                     struct tb_fail *f);

/* Appends the steps the peer reported for forward id (its row id), oldest
 * first, to the JSON array out: {step, event, state, opinion, at}. */
enum tb_err tb_forward_steps_on(struct tb_conn *c, int64_t id, json_t *out);

/* The kinds of message of 异地代收代办 (tb_exchange_handler): at the
 * handling platform material.put (a file, checked against its SM3) and
 * case.forward (the application, recorded for tb_forward_admit: refused
 * for an item this platform does not offer across provinces or a file
 * that has not arrived); at the forwarding one case.state (the steps of
 * the peer's case). */
enum tb_err tb_forward_on_material(struct tb_conn *c, const struct tb_exchange_env *env,
                                   const struct tb_exchange_msg *m, json_t **reply,
                                   struct tb_fail *f);
enum tb_err tb_forward_on_case(struct tb_conn *c, const struct tb_exchange_env *env,
                               const struct tb_exchange_msg *m, json_t **reply, struct tb_fail *f);
enum tb_err tb_forward_on_state(struct tb_conn *c, const struct tb_exchange_env *env,
                                const struct tb_exchange_msg *m, json_t **reply, struct tb_fail *f);

/* The exchange worker's part at the handling platform: makes the
 * forwarded applications received a case each (the applicant's account
 * made on first use), adds their materials and submits them; one that
 * cannot be made a case is failed and its reason reported back. Returns
 * how many it handled. */
int tb_forward_admit(const struct tb_exchange_env *env);

/* Sends the steps of forwarded cases not yet reported to the platform
 * that forwarded them (case.state), each step once. Returns how many
 * cases it reported on. */
int tb_forward_relay(const struct tb_exchange_env *env);

#endif
