/* The route table of the JSON API and the operational endpoints. Pages
 * (GET of any path outside /api/) are served by tb_handle_static when no
 * route matches. Keep docs/openapi.yaml in step with this table. */
#include "http/handlers.h"
#include "http/router.h"

#include <stddef.h>

const struct tb_route tb_routes[] = {
    {"GET", "/healthz", tb_handle_healthz, ""},
    {"GET", "/metrics", tb_handle_metrics, ""},
    {"GET", "/_bench/trivial", tb_handle_bench_trivial, ""},
    {"GET", "/api/v1/openapi.yaml", tb_handle_openapi, ""},
    {"GET", "/api/v1/codes/check", tb_handle_codes_check, "code"},
    {"POST", "/api/v1/codes/check", tb_handle_codes_check_batch, ""},
    {"GET", "/api/v1/regions", tb_handle_regions_list, "parent"},
    {"GET", "/api/v1/regions/{code}", tb_handle_region_get, ""},
    {"GET", "/api/v1/calendar/add-workdays", tb_handle_calendar_add, "from,days"},
    {"GET", "/api/v1/calendar/count-workdays", tb_handle_calendar_count, "from,to"},
    {"GET", "/api/v1/calendar/days", tb_handle_calendar_days, "year"},
    {"POST", "/api/v1/auth/register", tb_handle_register, ""},
    {"POST", "/api/v1/auth/login", tb_handle_login, ""},
    {"POST", "/api/v1/auth/logout", tb_handle_logout, ""},
    {"POST", "/api/v1/auth/act-for", tb_handle_act_for, ""},
    {"GET", "/api/v1/me", tb_handle_me, ""},
    {"GET", "/api/v1/departments", tb_handle_departments_list, "region"},
    {"POST", "/api/v1/departments", tb_handle_department_create, ""},
    {"GET", "/api/v1/departments/{id}", tb_handle_department_get, ""},
    {"GET", "/api/v1/accounts", tb_handle_accounts_list, "q"},
    {"POST", "/api/v1/accounts", tb_handle_account_create, ""},
    {"GET", "/api/v1/accounts/{id}", tb_handle_account_get, ""},
    {"POST", "/api/v1/accounts/{id}/roles", tb_handle_role_grant, ""},
    {"DELETE", "/api/v1/accounts/{id}/roles/{grant}", tb_handle_role_revoke, ""},
    {"POST", "/api/v1/tokens", tb_handle_token_create, ""},
    {"GET", "/api/v1/tokens", tb_handle_tokens_list, "department_id"},
    {"DELETE", "/api/v1/tokens/{id}", tb_handle_token_revoke, ""},
    {"GET", "/api/v1/audit", tb_handle_audit_list, "actor,object,from,to,before,limit"},
    {"GET", "/api/v1/items", tb_handle_items_list,
     "region,department,item_type,service_object,event,online_depth,q,page,per_page"},
    {"POST", "/api/v1/items", tb_handle_item_create, ""},
    {"GET", "/api/v1/items/{code}", tb_handle_item_get, "version"},
    {"PUT", "/api/v1/items/{code}", tb_handle_item_update, ""},
    {"GET", "/api/v1/items/{code}/versions", tb_handle_item_versions, ""},
    {"POST", "/api/v1/items/{code}/publish", tb_handle_item_publish, ""},
    {"POST", "/api/v1/items/{code}/withdraw", tb_handle_item_withdraw, ""},
    {"GET", "/api/v1/events", tb_handle_events, ""},
    {"GET", "/api/v1/catalog/consistency", tb_handle_consistency, "basic_code,region"},
    {"POST", "/api/v1/catalog/basic-items", tb_handle_basic_create, ""},
    {"GET", "/api/v1/catalog/basic-items/{code}", tb_handle_basic_get, ""},
    {NULL, NULL, NULL, NULL},
};
