/* Request metrics for GET /metrics: counts by route and status, and one
 * latency histogram, kept in lock-free counters. */
#ifndef TB_HTTP_METRICS_H
#define TB_HTTP_METRICS_H

#include "base/buf.h"

#include <stdint.h>

struct tb_store;

/* Records one answered request. route: index into tb_routes, or -1 for
 * pages and unmatched paths. */
void tb_metrics_observe(int route, int status, uint64_t micros);
/* Appends the Prometheus text exposition (version 0.0.4) to out,
 * including the store's connection counts when store is not NULL. */
void tb_metrics_render(struct tb_buf *out, struct tb_store *store);

#endif
