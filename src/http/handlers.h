/* The request handlers, one group per file (h_system.c, h_codes.c,
 * h_regions.c, h_calendar.c). Each validates its input, calls the domain
 * and sets one response; routes.c maps paths to them. */
#ifndef TB_HTTP_HANDLERS_H
#define TB_HTTP_HANDLERS_H

#include "http/req.h"

/* h_system.c */
void tb_handle_healthz(struct tb_req *r);
void tb_handle_metrics(struct tb_req *r);
void tb_handle_openapi(struct tb_req *r);
void tb_handle_static(struct tb_req *r);
void tb_handle_bench_trivial(struct tb_req *r);

/* h_codes.c */
void tb_handle_codes_check(struct tb_req *r);
void tb_handle_codes_check_batch(struct tb_req *r);

/* h_regions.c */
void tb_handle_region_get(struct tb_req *r);
void tb_handle_regions_list(struct tb_req *r);

/* h_calendar.c */
void tb_handle_calendar_add(struct tb_req *r);
void tb_handle_calendar_count(struct tb_req *r);
void tb_handle_calendar_days(struct tb_req *r);

/* h_auth.c */
void tb_handle_register(struct tb_req *r);
void tb_handle_login(struct tb_req *r);
void tb_handle_logout(struct tb_req *r);
void tb_handle_act_for(struct tb_req *r);
void tb_handle_me(struct tb_req *r);
void tb_handle_recover(struct tb_req *r);
void tb_handle_recovery_code(struct tb_req *r);

/* h_agents.c */
void tb_handle_agents_list(struct tb_req *r);
void tb_handle_agent_add(struct tb_req *r);
void tb_handle_agent_remove(struct tb_req *r);

/* h_admin.c */
void tb_handle_departments_list(struct tb_req *r);
void tb_handle_department_get(struct tb_req *r);
void tb_handle_department_create(struct tb_req *r);
void tb_handle_accounts_list(struct tb_req *r);
void tb_handle_account_get(struct tb_req *r);
void tb_handle_account_create(struct tb_req *r);
void tb_handle_role_grant(struct tb_req *r);
/* POST/DELETE /api/v1/departments/{id}/received: what a centre's window receives. */
void tb_handle_centre_receive(struct tb_req *r);
void tb_handle_centre_release(struct tb_req *r);
/* POST /api/v1/identity-proofs: a window clerk proves a person's identity. */
void tb_handle_identity_prove(struct tb_req *r);
void tb_handle_role_revoke(struct tb_req *r);
void tb_handle_token_create(struct tb_req *r);
void tb_handle_tokens_list(struct tb_req *r);
void tb_handle_token_revoke(struct tb_req *r);

/* h_audit.c */
void tb_handle_audit_list(struct tb_req *r);
void tb_handle_audit_checkpoint(struct tb_req *r);

/* h_catalog.c */
void tb_handle_items_list(struct tb_req *r);
void tb_handle_item_get(struct tb_req *r);
void tb_handle_item_versions(struct tb_req *r);
void tb_handle_item_create(struct tb_req *r);
void tb_handle_item_update(struct tb_req *r);
void tb_handle_item_publish(struct tb_req *r);
void tb_handle_item_withdraw(struct tb_req *r);
void tb_handle_events(struct tb_req *r);
void tb_handle_consistency(struct tb_req *r);
void tb_handle_completeness(struct tb_req *r);
void tb_handle_catalog_rule_get(struct tb_req *r);
void tb_handle_catalog_rule_put(struct tb_req *r);
void tb_handle_synonyms(struct tb_req *r);
void tb_handle_synonym_put(struct tb_req *r);
void tb_handle_synonym_delete(struct tb_req *r);
void tb_handle_basic_create(struct tb_req *r);
void tb_handle_basic_get(struct tb_req *r);

/* h_popular.c */
void tb_handle_popular_items(struct tb_req *r);

/* h_cases.c */
/* The object of an action on a department's behalf: the department and
 * its region ("none" when there is no such department, or id is 0). */
struct tb_authz_object tb_req_dept_object(struct tb_req *r, int64_t id);

/* Loads the case of the path into *ref and asks the policy for action over
 * it (the object into *o). Whoever may not read the case gets 404 as for
 * no case; signed out, 401. On refusal the answer is sent and false is
 * returned. Shared by the case handlers of every file. */
struct tb_case_ref;
struct tb_authz_object;
bool tb_req_case(struct tb_req *r, const char *action, struct tb_case_ref *ref,
                 struct tb_authz_object *o);
void tb_handle_case_create(struct tb_req *r);
void tb_handle_case_get(struct tb_req *r);
void tb_handle_case_update(struct tb_req *r);
void tb_handle_case_submit(struct tb_req *r);
void tb_handle_case_query_code(struct tb_req *r);
void tb_handle_case_event(struct tb_req *r);
void tb_handle_cases_list(struct tb_req *r);
void tb_handle_progress(struct tb_req *r);

/* h_window.c */
void tb_handle_applicant_get(struct tb_req *r);

/* h_workbench.c */
void tb_handle_case_assign(struct tb_req *r);
void tb_handle_department_staff(struct tb_req *r);
void tb_handle_case_material_file(struct tb_req *r);

/* h_ratings.c */
void tb_handle_case_rate(struct tb_req *r);
void tb_handle_followups(struct tb_req *r);
/* h_sharing.c */
/* h_commitments.c: notification and commitment (告知承诺制), credit
 * records of false commitments. */
void tb_handle_case_commit(struct tb_req *r);
void tb_handle_commitment_check(struct tb_req *r);
void tb_handle_commitments(struct tb_req *r);
void tb_handle_my_credit_records(struct tb_req *r);
void tb_handle_credit_repair(struct tb_req *r);

void tb_handle_sharing_resources(struct tb_req *r);
void tb_handle_sharing_resource_get(struct tb_req *r);
void tb_handle_sharing_resource_create(struct tb_req *r);
void tb_handle_sharing_resource_update(struct tb_req *r);
void tb_handle_sharing_records_put(struct tb_req *r);
void tb_handle_sharing_record_delete(struct tb_req *r);
void tb_handle_sharing_grant_apply(struct tb_req *r);
void tb_handle_sharing_grants(struct tb_req *r);
void tb_handle_sharing_grant_decide(struct tb_req *r);
void tb_handle_sharing_grant_revoke(struct tb_req *r);
void tb_handle_verify(struct tb_req *r);
void tb_handle_my_data_usage(struct tb_req *r);
void tb_handle_followup_close(struct tb_req *r);
void tb_handle_messages(struct tb_req *r);
void tb_handle_webhook_create(struct tb_req *r);

/* h_materials.c */
struct tb_stream;
extern const struct tb_stream tb_material_upload;
void tb_handle_material_upload(struct tb_req *r);
void tb_handle_my_materials(struct tb_req *r);
void tb_handle_my_material_file(struct tb_req *r);
void tb_handle_my_material_delete(struct tb_req *r);
void tb_handle_stats_reuse(struct tb_req *r);

/* h_indicators.c */
void tb_handle_indicators(struct tb_req *r);

/* h_certs.c */
void tb_handle_cert_types(struct tb_req *r);
void tb_handle_cert_issue(struct tb_req *r);
void tb_handle_certs_list(struct tb_req *r);
void tb_handle_my_certificates(struct tb_req *r);
void tb_handle_cert_get(struct tb_req *r);
void tb_handle_cert_verify(struct tb_req *r);
void tb_handle_cert_verify_document(struct tb_req *r);
void tb_handle_cert_revoke(struct tb_req *r);
void tb_handle_cert_qr(struct tb_req *r);
void tb_handle_key_get(struct tb_req *r);
void tb_handle_key_rotate(struct tb_req *r);

/* h_federation.c: cross-province handling (peer platforms, the exchange). */
void tb_handle_federation_self(struct tb_req *r);
void tb_handle_federation_key_rotate(struct tb_req *r);
void tb_handle_peers_list(struct tb_req *r);
void tb_handle_peer_register(struct tb_req *r);
void tb_handle_peer_state(struct tb_req *r);
void tb_handle_peer_key_add(struct tb_req *r);
void tb_handle_peer_ping(struct tb_req *r);
void tb_handle_exchange_list(struct tb_req *r);
void tb_handle_exchange_retry(struct tb_req *r);
void tb_handle_exchange_receive(struct tb_req *r);
void tb_handle_assertion_issue(struct tb_req *r);
void tb_handle_peers_public(struct tb_req *r);
void tb_handle_login_federated(struct tb_req *r);
void tb_handle_peer_catalog_sync(struct tb_req *r);
void tb_handle_peer_items_list(struct tb_req *r);
void tb_handle_peer_item_get(struct tb_req *r);
void tb_handle_forward_create(struct tb_req *r);
void tb_handle_forwards_list(struct tb_req *r);
void tb_handle_forward_get(struct tb_req *r);
void tb_handle_forward_hand_out(struct tb_req *r);
void tb_handle_case_joint_get(struct tb_req *r);
void tb_handle_case_joint_start(struct tb_req *r);
void tb_handle_my_peer_certs(struct tb_req *r);
void tb_handle_my_peer_cert_add(struct tb_req *r);

#endif
