/* Materials over HTTP: POST /api/v1/cases/{case_no}/materials streams a
 * multipart/form-data upload (a "material" field naming the catalog
 * material, a "file" part, optionally "valid_until") into the blob store,
 * hashing and limiting it as it comes; /api/v1/me/materials is the
 * caller's library (list, download, delete); /api/v1/stats/reuse is the
 * share of materials given without an upload. */
#include "app/app.h"
#include "cases/cases.h"
#include "http/handlers.h"
#include "http/router.h"
#include "materials/blobs.h"
#include "materials/library.h"
#include "materials/reuse.h"
#include "regions/regions.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdlib.h>
#include <string.h>

struct upload {
	struct tb_case_ref ref;
	struct tb_blob_writer *w;
	char material[256];
	size_t material_len;
	char valid_until[16];
	size_t valid_until_len;
	bool file_seen, failed;
};

static void upload_abort_writer(struct upload *u)
{
	if (u->w) {
		tb_blob_abort(u->w); /* a truncated or refused upload leaves nothing */
		u->w = NULL;
	}
}

static bool upload_begin(struct tb_req *r)
{
	struct upload *u = tb_arena_zalloc(r->arena, sizeof(*u));
	r->stream_ctx = u;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.update", &u->ref, &o))
		return false;
	if (tb_blob_begin(r->app->blobs, r->app->max_upload, &u->w) != TB_OK) {
		tb_resp_error(r, TB_ESTORE, NULL, NULL);
		return false;
	}
	return true;
}

/* Refuses the upload: the answer is kept for the end of the body, which
 * is read (and dropped) so that the client gets it cleanly. */
static bool refuse(struct tb_req *r, struct upload *u, const char *field, const char *reason)
{
	if (!u->failed)
		tb_resp_error(r, TB_EINVAL, field, reason);
	u->failed = true;
	upload_abort_writer(u);
	return true;
}

static bool upload_part(struct tb_req *r, const char *key, const char *filename, const char *data,
                        size_t size)
{
	struct upload *u = r->stream_ctx;
	if (u->failed)
		return true;
	if (key && strcmp(key, "material") == 0) {
		if (u->material_len + size >= sizeof(u->material))
			return refuse(r, u, "material", "too long");
		memcpy(u->material + u->material_len, data, size);
		u->material_len += size;
		u->material[u->material_len] = '\0';
		return true;
	}
	if (key && strcmp(key, "valid_until") == 0) {
		if (u->valid_until_len + size >= sizeof(u->valid_until))
			return refuse(r, u, "valid_until", "a date YYYY-MM-DD");
		memcpy(u->valid_until + u->valid_until_len, data, size);
		u->valid_until_len += size;
		u->valid_until[u->valid_until_len] = '\0';
		return true;
	}
	if (key && strcmp(key, "file") == 0) {
		if (filename &&
		    (strchr(filename, '/') || strchr(filename, '\\') || strstr(filename, "..")))
			return refuse(r, u, "file", "a path in the file name");
		u->file_seen = true;
		if (!size)
			return true;
		enum tb_err e = tb_blob_write(u->w, data, size);
		if (e != TB_OK) {
			u->w = NULL; /* the store dropped it */
			tb_resp_error(r, e, "file",
			              e == TB_ETOOBIG ? "file over the size limit"
			                              : "cannot store it");
			return false;
		}
		return true;
	}
	return refuse(r, u, key ? key : "body", "unknown field");
}

static void upload_abort(struct tb_req *r)
{
	struct upload *u = r->stream_ctx;
	if (u)
		upload_abort_writer(u);
}

const struct tb_stream tb_material_upload = {upload_begin, upload_part, upload_abort,
                                             (20u << 20) + 65536};

void tb_handle_material_upload(struct tb_req *r)
{
	struct upload *u = r->stream_ctx;
	if (u->failed)
		return; /* the refusal is already the answer */
	if (!u->file_seen || !u->material_len) {
		upload_abort(r);
		tb_resp_error(r, TB_EINVAL, u->file_seen ? "material" : "file", "required");
		return;
	}
	char sm3[TB_SM3_HEX];
	size_t size;
	const char *mime;
	bool existed; /* not told: it would say whether anyone else had uploaded these bytes */
	enum tb_err e = tb_blob_finish(u->w, sm3, &size, &mime, &existed);
	u->w = NULL;
	if (e != TB_OK) {
		tb_resp_error(r, e, "file",
		              e == TB_EMEDIA
		                  ? "not a PDF, JPEG, PNG or OFD file (checked by content)"
		              : e == TB_EINVAL ? "empty file"
		                               : NULL);
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	e = tb_case_add_upload(r->app->store, &ctx, r->params[0], u->material, sm3, size, mime,
	                       u->valid_until_len ? u->valid_until : NULL, &f);
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		return;
	}
	tb_resp_json(r, 201,
	             json_pack("{s:s, s:s, s:I, s:s}", "material", u->material, "sm3", sm3, "size",
	                       (json_int_t)size, "mime", mime));
}

void tb_handle_my_materials(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	int64_t me = p->acting_for ? p->acting_for : p->account_id;
	if (!tb_req_allow(r, "material.read", &(struct tb_authz_object){.owner = me}))
		return;
	const char *text;
	enum tb_err e = tb_material_library(r->app->store, me, r->arena, &text);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200, json_pack("{s:o}", "items", json_loads(text, 0, NULL)));
}

/* The caller's library entry of the path, or 0 with the answer sent. */
static int64_t my_material(struct tb_req *r, const char *action, int64_t *owner)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return 0;
	*owner = p->acting_for ? p->acting_for : p->account_id;
	if (!tb_req_allow(r, action, &(struct tb_authz_object){.owner = *owner}))
		return 0;
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	if (*end || id <= 0) {
		tb_resp_error(r, TB_ENOTFOUND, "id", "no such material in your library");
		return 0;
	}
	return id;
}

void tb_handle_my_material_file(struct tb_req *r)
{
	int64_t owner, id = my_material(r, "material.read", &owner);
	if (!id)
		return;
	struct tb_material_file mf;
	char path[4096];
	enum tb_err e = tb_material_file(r->app->store, owner, id, r->arena, &mf);
	if (e == TB_OK && !tb_blob_path(r->app->blobs, mf.sm3, path, sizeof(path)))
		e = TB_ESTORE; /* the register names a file the store lacks */
	int fd = e == TB_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (e == TB_OK && (fd < 0 || fstat(fd, &st) != 0))
		e = TB_ESTORE;
	if (e != TB_OK) {
		if (fd >= 0)
			close(fd);
		tb_resp_error(r, e, "id",
		              e == TB_ENOTFOUND ? "no such material in your library" : NULL);
		return;
	}
	tb_resp_header(r, "Content-Disposition", "attachment");
	tb_resp_file(r, 200, mf.mime, fd, (size_t)st.st_size);
}

void tb_handle_my_material_delete(struct tb_req *r)
{
	int64_t owner, id = my_material(r, "material.delete", &owner);
	if (!id)
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	enum tb_err e = tb_material_delete(r->app->store, &ctx, owner, id);
	if (e != TB_OK)
		tb_resp_error(r, e, "id",
		              e == TB_ENOTFOUND ? "no such material in your library" : NULL);
	else
		tb_resp_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}

void tb_handle_stats_reuse(struct tb_req *r)
{
	if (!tb_req_allow(r, "stats.read", NULL))
		return;
	const char *region = tb_req_query(r, "region"), *item = tb_req_query(r, "item");
	char code[10];
	if (region && !tb_region_code_normalize(region, code)) {
		tb_resp_error(r, TB_EINVAL, "region", "a 6-digit GB/T 2260 code");
		return;
	}
	const char *text;
	enum tb_err e = tb_reuse_stats(r->app->store, region ? code : NULL, item, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}
