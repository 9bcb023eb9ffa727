/* Operational endpoints and pages: health (with a store round trip),
 * Prometheus metrics, the OpenAPI description, the static pages built
 * into the binary (with an ETag, gzip when the client takes it, and
 * caching), and the trivial handler that `make bench` compares every
 * figure against. */
#include "app/app.h"
#include "base/asset.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"
#include "store/migrate.h"
#include "store/store.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

void tb_handle_healthz(struct tb_req *r)
{
	struct tb_store *s = r->app->store;
	enum tb_err e = tb_store_ping(s);
	json_t *j = json_object();
	json_object_set_new(j, "status", json_string(e == TB_OK ? "ok" : "unavailable"));
	json_object_set_new(j, "store",
	                    json_string(tb_store_kind(s) == TB_STORE_PG ? "postgresql" : "sqlite"));
	/* Ready means this node can write: a load balancer sends it nothing
	 * while its store is unreachable or read-only (a standby). */
	if (e != TB_OK)
		json_object_set_new(j, "reason",
		                    json_string(e == TB_EUNAVAIL
		                                    ? "the store is unreachable or not writable"
		                                    : "the store failed"));
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

/* What is worked out once per page file: its ETag (a hash of the bytes,
 * so it changes exactly when a build changes the file) and, for text
 * worth compressing, the gzip form. Built on the first static request
 * and kept for the life of the process, like the assets themselves. */
struct static_file {
	const struct tb_asset *a;
	char etag[24];     /* "<16 hex of SM3>" with the quotes */
	char gz_etag[28];  /* "<16 hex of SM3>-gz": another representation */
	unsigned char *gz; /* NULL when gzip would not be smaller */
	size_t gz_len;
};

static struct static_file *files;
static size_t nfiles;
static pthread_once_t files_once = PTHREAD_ONCE_INIT;

static bool compressible(const char *path)
{
	const char *type = content_type(path);
	return !strncmp(type, "text/", 5) || !strncmp(type, "application/json", 16) ||
	       !strcmp(type, "image/svg+xml");
}

/* The gzip form of n bytes at data (malloc'd, *out_len), or NULL when
 * it would not be smaller. Level 9: done once, sent many times. */
static unsigned char *gzip_bytes(const char *data, size_t n, size_t *out_len)
{
	z_stream z = {0};
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, (uLong)n);
	unsigned char *out = malloc(cap);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
	*out_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || *out_len >= n) {
		free(out);
		return NULL;
	}
	return out;
}

static void count_file(const struct tb_asset *a, void *ctx)
{
	(void)a;
	(*(size_t *)ctx)++;
}

static void add_file(const struct tb_asset *a, void *ctx)
{
	(void)ctx;
	struct static_file *f = &files[nfiles++];
	char hex[TB_SM3_HEX];
	tb_sm3_hex(a->data, a->size, hex);
	f->a = a;
	snprintf(f->etag, sizeof(f->etag), "\"%.16s\"", hex);
	snprintf(f->gz_etag, sizeof(f->gz_etag), "\"%.16s-gz\"", hex);
	f->gz = compressible(a->path) ? gzip_bytes(a->data, a->size, &f->gz_len) : NULL;
}

static void build_files(void)
{
	size_t n = 0;
	tb_asset_each("web/", count_file, &n);
	files = calloc(n ? n : 1, sizeof(*files));
	if (files)
		tb_asset_each("web/", add_file, NULL);
}

static int file_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct static_file *)elem)->a->path);
}

/* The prepared form of asset a (a page file), or NULL. */
static const struct static_file *static_file(const struct tb_asset *a)
{
	pthread_once(&files_once, build_files);
	return files ? bsearch(a->path, files, nfiles, sizeof(*files), file_cmp) : NULL;
}

/* True when the Accept-Encoding value ae takes gzip: a "gzip" or "*"
 * coding whose q is not zero (RFC 9110 12.5.3). */
static bool takes_gzip(const char *ae)
{
	while (ae && *ae) {
		ae += strspn(ae, " \t,");
		size_t n = strcspn(ae, " \t;,");
		bool named = (n == 4 && !strncasecmp(ae, "gzip", 4)) || (n == 1 && *ae == '*');
		const char *end = ae + strcspn(ae, ",");
		const char *q = ae + n;
		bool zero = false;
		while (q < end && (q = strchr(q, ';')) && q < end) {
			q++;
			q += strspn(q, " \t");
			if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
				zero = strtod(q + 2, NULL) == 0;
		}
		if (named && !zero)
			return true;
		ae = end;
	}
	return false;
}

/* True when the If-None-Match value inm names etag (weak comparison,
 * RFC 9110 13.1.2: a W/ prefix is ignored) or is "*". */
static bool etag_matches(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	while (inm && *inm) {
		inm += strspn(inm, " \t,");
		if (*inm == '*')
			return true;
		if (!strncmp(inm, "W/", 2))
			inm += 2;
		if (!strncmp(inm, etag, n) && (inm[n] == '\0' || strchr(" \t,", inm[n])))
			return true;
		inm += strcspn(inm, ",");
	}
	return false;
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
	/* Pages are asked again each time (no-cache: a 304 when unchanged), so
	 * that a new build shows at once; their scripts, styles and images are
	 * kept for 5 minutes, which spares a phone the revalidation round trip
	 * of each module of the import chain on the next page, at the cost of
	 * scripts up to 5 minutes old right after an upgrade. */
	bool page = !strcmp(content_type(asset), "text/html; charset=utf-8");
	tb_resp_header(r, "Cache-Control", page ? "no-cache" : "max-age=300");
	const struct static_file *f = static_file(a);
	if (!f) { /* out of memory when preparing: send it plain */
		tb_resp_static(r, 200, content_type(asset), a->data, a->size);
		return;
	}
	bool gz = f->gz && takes_gzip(tb_req_header(r, "Accept-Encoding"));
	const char *etag = gz ? f->gz_etag : f->etag;
	if (f->gz)
		tb_resp_header(r, "Vary", "Accept-Encoding");
	tb_resp_header(r, "ETag", etag);
	if (etag_matches(tb_req_header(r, "If-None-Match"), etag)) {
		tb_resp_static(r, 304, NULL, "", 0);
		return;
	}
	if (gz) {
		tb_resp_header(r, "Content-Encoding", "gzip");
		tb_resp_static(r, 200, content_type(asset), (const char *)f->gz, f->gz_len);
		return;
	}
	tb_resp_static(r, 200, content_type(asset), a->data, a->size);
}
