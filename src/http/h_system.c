/* Operational endpoints and pages: health (with a store round trip),
 * Prometheus metrics, the OpenAPI description, the static pages built
 * into the binary, and the trivial handler that `make bench` compares
 * every figure against. */
#include "app/app.h"
#include "base/asset.h"
#include "base/buf.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"
#include "store/migrate.h"
#include "store/store.h"

#include <string.h>

void tb_handle_healthz(struct tb_req *r)
{
	struct tb_store *s = r->app->store;
	enum tb_err e = tb_store_ping(s);
	json_t *j = json_object();
	json_object_set_new(j, "status", json_string(e == TB_OK ? "ok" : "unavailable"));
	json_object_set_new(j, "store",
	                    json_string(tb_store_kind(s) == TB_STORE_PG ? "postgresql" : "sqlite"));
	tb_resp_json(r, e == TB_OK ? 200 : 503, j);
}

void tb_handle_metrics(struct tb_req *r)
{
	struct tb_buf b = TB_BUF_INIT;
	tb_metrics_render(&b, r->app->store);
	size_t len = b.len;
	tb_resp_take(r, 200, "text/plain; version=0.0.4; charset=utf-8", tb_buf_take(&b), len);
}

void tb_handle_openapi(struct tb_req *r)
{
	const struct tb_asset *a = tb_asset_find("docs/openapi.yaml");
	if (!a) {
		tb_resp_error(r, TB_ENOTFOUND, "path", "no API description built in");
		return;
	}
	tb_resp_static(r, 200, "application/yaml; charset=utf-8", a->data, a->size);
}

void tb_handle_bench_trivial(struct tb_req *r)
{
	/* About 200 bytes, like a small API answer, with no store and no JSON
	 * encoding: the ceiling the other figures are compared with. */
	static const char body[] =
	    "{\"status\":\"ok\",\"service\":\"tongban\",\"note\":\"trivial in-process handler "
	    "for make bench: no store, no JSON encoding; every other figure is compared "
	    "with this one\",\"pad\":\"0123456789abcdef\"}";
	if (!tb_http_bench_enabled()) {
		tb_resp_error(r, TB_ENOTFOUND, "path", "no such resource");
		return;
	}
	tb_resp_static(r, 200, "application/json; charset=utf-8", body, sizeof(body) - 1);
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".json", "application/json; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* True when every segment of path is a plain name: no "", ".", "..", no
 * leading dot, no backslash; a final "/" names a folder's index page. */
static bool clean_path(const char *path)
{
	if (strchr(path, '\\'))
		return false;
	const char *seg = path + 1;
	if (!*seg)
		return true; /* "/" */
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 || seg[0] == '.')
			return false;
		if (!end || !end[1])
			return true;
		seg = end + 1;
	}
}

void tb_handle_static(struct tb_req *r)
{
	if (!clean_path(r->path)) {
		tb_resp_error(r, TB_EINVAL, "path", "path traversal or hidden file");
		return;
	}
	/* A folder is its index page: /window/ is web/window/index.html. */
	size_t n = strlen(r->path);
	char *asset = tb_arena_printf(r->arena, "web%s%s", r->path,
	                              n && r->path[n - 1] == '/' ? "index.html" : "");
	const struct tb_asset *a = tb_asset_find(asset);
	if (!a && n > 1 && r->path[n - 1] != '/' &&
	    tb_asset_find(tb_arena_printf(r->arena, "web%s/index.html", r->path))) {
		/* /window is the folder /window/: its relative links need the slash. */
		static const char moved[] = "moved\n";
		tb_resp_header(r, "Location", tb_arena_printf(r->arena, "%s/", r->path));
		tb_resp_static(r, 301, "text/plain; charset=utf-8", moved, sizeof(moved) - 1);
		return;
	}
	if (!a) {
		tb_resp_error(r, TB_ENOTFOUND, "path", "no such page");
		return;
	}
	tb_resp_header(r, "Cache-Control", "no-cache");
	tb_resp_static(r, 200, content_type(asset), a->data, a->size);
}
