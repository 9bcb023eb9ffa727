/* 多地联办 (handled jointly; issue 18): an item whose document names a
 * joint_part (e.g. 户口迁入 at the arriving province, whose 户口迁出 is done
 * by the leaving province's police) is applied for here, once; the
 * official handling the case sends the part to the peer platform that
 * does it, as a forward tied to the case (federation/forward.h): the
 * applicant, the form and the case's files that the peer's item asks
 * for. The peer makes it a case of its own and reports its steps back;
 * the case here is approved only once the part has been approved and
 * completed there (the check is in cases.c). Exports tb_joint_*. */
#ifndef TB_FEDERATION_JOINT_H
#define TB_FEDERATION_JOINT_H

#include "federation/exchange.h"

/* Sends the joint part of case_no to peer (a province) as its offered
 * item (an item of peer_items), on behalf of ctx (an official of the
 * case's department; the caller checks the policy). Refusals name the
 * member: "case_no" (the item has no joint_part), "state" (only an
 * accepted case or one under review; TB_ECONFLICT), "joint" (a part is
 * already under way or done; TB_ECONFLICT), "peer" (unknown or
 * suspended), "item" (not offered by the peer, or not of the national
 * basic item the joint_part names), "materials" (the case has no file
 * the peer's item asks for). part_no (arena) gets the forward's number. */
enum tb_err tb_joint_start(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                           const char *case_no, const char *peer, const char *item, size_t max_size,
                           struct tb_arena *a, const char **part_no, struct tb_fail *f);

/* The joint part of case_no as JSON (arena): {"joint_part": text or null,
 * "parts": [{part_no, peer: {province, name}, item: {code, name}, state,
 * peer_case_no, note, approved, created_at, updated_at, steps: [{step,
 * event, state, opinion, at}]}], "offers": [{province, name, code,
 * item_name}]} (offers: the items peers offer that could do the part,
 * listed only when with_offers and the item has a joint_part). */
enum tb_err tb_joint_read(struct tb_store *s, const char *case_no, bool with_offers,
                          struct tb_arena *a, const char **text);

#endif
