/* Fixed-size counter tables: routes x known statuses (the set of statuses
 * the platform sends is small and known), plus latency buckets. */
#include "http/metrics.h"
#include "http/router.h"
#include "identity/lockout.h"
#include "store/store.h"

#include <stdatomic.h>

#define MAX_ROUTES 128

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                               409, 413, 415, 429, 431, 500, 503, 0 /* other */};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

/* Upper bounds in seconds, Prometheus style. */
static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
#define NBUCKET (sizeof(bounds) / sizeof(bounds[0]))

static _Atomic uint64_t counts[MAX_ROUTES + 1][NSTATUS];
static _Atomic uint64_t buckets[NBUCKET + 1];
static _Atomic uint64_t sum_micros, total;

static size_t status_index(int status)
{
	for (size_t i = 0; i + 1 < NSTATUS; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void tb_metrics_observe(int route, int status, uint64_t micros)
{
	size_t ri = (route >= 0 && route < MAX_ROUTES) ? (size_t)route : MAX_ROUTES;
	atomic_fetch_add_explicit(&counts[ri][status_index(status)], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBUCKET && (double)micros / 1e6 > bounds[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_micros, micros, memory_order_relaxed);
	atomic_fetch_add_explicit(&total, 1, memory_order_relaxed);
}

void tb_metrics_render(struct tb_buf *out, struct tb_store *store)
{
	size_t nroutes = tb_routes_count();
	if (nroutes > MAX_ROUTES)
		nroutes = MAX_ROUTES;
	tb_buf_adds(out, "# HELP tongban_http_requests_total HTTP requests answered.\n"
	                 "# TYPE tongban_http_requests_total counter\n");
	for (size_t r = 0; r <= MAX_ROUTES; r++) {
		if (r < MAX_ROUTES && r >= nroutes)
			continue;
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t v = atomic_load_explicit(&counts[r][s], memory_order_relaxed);
			if (!v)
				continue;
			const char *route = r < nroutes ? tb_routes[r].pattern : "other";
			const char *method = r < nroutes ? tb_routes[r].method : "";
			if (statuses[s])
				tb_buf_printf(
				    out,
				    "tongban_http_requests_total{method=\"%s\",route=\"%s\","
				    "status=\"%d\"} %llu\n",
				    method, route, statuses[s], (unsigned long long)v);
			else
				tb_buf_printf(
				    out,
				    "tongban_http_requests_total{method=\"%s\",route=\"%s\","
				    "status=\"other\"} %llu\n",
				    method, route, (unsigned long long)v);
		}
	}
	tb_buf_adds(out, "# HELP tongban_http_request_duration_seconds Time to answer.\n"
	                 "# TYPE tongban_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b <= NBUCKET; b++) {
		cum += atomic_load_explicit(&buckets[b], memory_order_relaxed);
		if (b < NBUCKET)
			tb_buf_printf(
			    out, "tongban_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			    bounds[b], (unsigned long long)cum);
		else
			tb_buf_printf(
			    out, "tongban_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			    (unsigned long long)cum);
	}
	tb_buf_printf(out, "tongban_http_request_duration_seconds_sum %.6f\n",
	              (double)atomic_load(&sum_micros) / 1e6);
	tb_buf_printf(out, "tongban_http_request_duration_seconds_count %llu\n",
	              (unsigned long long)atomic_load(&total));
	tb_buf_printf(out,
	              "# HELP tongban_login_lockouts_total Sign-in locks begun (five wrong"
	              " passwords for an account, too many failures from an address).\n"
	              "# TYPE tongban_login_lockouts_total counter\n"
	              "tongban_login_lockouts_total{key=\"account\"} %llu\n"
	              "tongban_login_lockouts_total{key=\"address\"} %llu\n",
	              (unsigned long long)tb_lockouts(TB_LOCKOUT_ACCOUNT),
	              (unsigned long long)tb_lockouts(TB_LOCKOUT_ADDRESS));
	if (store) {
		int open, in_use;
		tb_store_counts(store, &open, &in_use);
		tb_buf_printf(out,
		              "# HELP tongban_store_connections Store connections by state.\n"
		              "# TYPE tongban_store_connections gauge\n"
		              "tongban_store_connections{state=\"open\"} %d\n"
		              "tongban_store_connections{state=\"in_use\"} %d\n",
		              open, in_use);
	}
}
