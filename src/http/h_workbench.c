/* The department workbench over HTTP (issue #12): claim and assign a case
 * (POST /api/v1/cases/{case_no}/assign), the department's officials to
 * assign to (GET /api/v1/departments/{id}/staff), and a file given for a
 * case opened by its department's staff (GET
 * /api/v1/cases/{case_no}/materials/{sm3}/file). The queue is
 * GET /api/v1/cases?view=queue (h_cases.c). */
#include "app/app.h"
#include "cases/cases.h"
#include "cases/workbench.h"
#include "http/handlers.h"
#include "materials/blobs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdlib.h>
#include <string.h>

void tb_handle_case_assign(struct tb_req *r)
{
	struct tb_case_ref ref;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.assign", &ref, &o))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_int_t assignee = 0;
	const struct tb_field fields[] = {{"assignee", 'i', true, &assignee}};
	if (tb_req_fields(r, body, fields, 1)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e = assignee > 0 ? tb_case_assign(r->app->store, &ctx, r->params[0],
		                                              (int64_t)assignee, &f)
		                             : tb_fail(&f, TB_EINVAL, "assignee",
		                                       "not an official of the case's department");
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 200,
			             json_pack("{s:s, s:I}", "case_no", r->params[0], "assignee",
			                       (json_int_t)assignee));
	}
	json_decref(body);
}

void tb_handle_department_staff(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id))
		return;
	/* Whom a case can go to: for those who may assign the department's cases. */
	if (!tb_req_allow(r, "case.assign", &(struct tb_authz_object){.department = id}))
		return;
	const char *text;
	enum tb_err e = tb_case_staff(r->app->store, id, r->arena, &text);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200,
	             json_pack("{s:I, s:o}", "department_id", (json_int_t)id, "items",
	                       json_loads(text, 0, NULL)));
}

void tb_handle_case_material_file(struct tb_req *r)
{
	struct tb_case_ref ref;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.read_materials", &ref, &o))
		return;
	const char *sm3 = r->params[1], *mime = NULL;
	char path[4096];
	enum tb_err e = tb_case_material_mime(r->app->store, ref.id, sm3, r->arena, &mime);
	if (e == TB_OK && !tb_blob_path(r->app->blobs, sm3, path, sizeof(path)))
		e = TB_ESTORE; /* the register names a file the store lacks */
	int fd = e == TB_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (e == TB_OK && (fd < 0 || fstat(fd, &st) != 0))
		e = TB_ESTORE;
	if (e != TB_OK) {
		if (fd >= 0)
			close(fd);
		tb_resp_error(r, e, "sm3", e == TB_ENOTFOUND ? "no such file in this case" : NULL);
		return;
	}
	/* Staff opening someone's file leave a record; the applicant does not. */
	if (tb_authz_as(tb_req_principal(r), "person", "case.read_materials", &o) != TB_OK &&
	    !tb_req_audit_read(r, "case.read_materials",
	                       tb_arena_printf(r->arena, "case:%s", r->params[0]))) {
		close(fd);
		return;
	}
	/* Shown in the browser (PDF, JPEG, PNG: checked by content on upload). */
	tb_resp_header(r, "Content-Disposition", "inline");
	tb_resp_file(r, 200, mime, fd, (size_t)st.st_size);
}
