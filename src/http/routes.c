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
    {NULL, NULL, NULL, NULL},
};
