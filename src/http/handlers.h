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

#endif
