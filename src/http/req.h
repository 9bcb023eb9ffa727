/* One HTTP request as handlers see it, and the helpers that build the
 * answer. Handlers never touch libmicrohttpd: they read the request through
 * these functions and set exactly one response. Everything allocated for
 * the request lives in r->arena, freed when the response has been sent. */
#ifndef TB_HTTP_REQ_H
#define TB_HTTP_REQ_H

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "identity/authz.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct tb_app;
struct tb_route;

#define TB_REQ_MAX_PARAMS  4
#define TB_REQ_MAX_HEADERS 8

struct tb_req {
	struct tb_arena *arena;
	struct tb_app *app;
	const char *method; /* "GET", "POST", ... (HEAD is routed as GET) */
	const char *path;   /* decoded, without the query string */
	char request_id[20];
	const char *params[TB_REQ_MAX_PARAMS]; /* {name} segments of the route, in order */
	const char *body;                      /* NUL-terminated; NULL when none */
	size_t body_len;
	const struct tb_route *route;
	void *conn;      /* the transport's connection: for req.c only */
	char client[48]; /* client IP address */

	/* Who is asking: resolved on first use by tb_req_principal. */
	bool who_resolved;
	bool who_failed; /* resolving failed and was answered: NULL from now on */
	bool via_cookie; /* authenticated by session cookie (CSRF applies) */
	struct tb_principal who;
	char csrf[48];
	const char *session_token;

	void *stream_ctx; /* a streaming route's own state */

	/* An answer given later (tb_req_suspend / tb_req_resume). */
	bool suspended;
	void (*finish)(struct tb_req *r);
	void *later; /* the suspended handler's own state */

	/* The response. */
	int status;
	const char *content_type;
	char *resp_body; /* malloc'd (freed after sending) unless resp_static */
	size_t resp_len;
	bool resp_static;
	int resp_fd; /* an open file sent as the body (tb_resp_file), or -1 */
	const char *hdr_name[TB_REQ_MAX_HEADERS];
	const char *hdr_value[TB_REQ_MAX_HEADERS];
	int nhdr;
};

/* A query parameter's decoded value, or NULL. */
const char *tb_req_query(struct tb_req *r, const char *name);
/* A cookie's value, or NULL. */
const char *tb_req_cookie(struct tb_req *r, const char *name);
/* A request header's value, or NULL. */
const char *tb_req_header(struct tb_req *r, const char *name);
/* Parses the body as a JSON object. On failure sets a 4xx response (415
 * when the content type is not JSON, 400 naming "body" and the parser's
 * reason) and returns NULL. The caller owns the result (json_decref). */
json_t *tb_req_json_body(struct tb_req *r);

/* The principal of the request: the session cookie's person, the bearer
 * token's department system, or anonymous. On a bad bearer token sends
 * 401 and returns NULL. */
const struct tb_principal *tb_req_principal(struct tb_req *r);
/* Asks the policy whether the request may do action over o (may be NULL);
 * on refusal sends 401/403 and returns false. State-changing requests
 * authenticated by cookie must carry the session's X-CSRF-Token. */
bool tb_req_allow(struct tb_req *r, const char *action, const struct tb_authz_object *o);
/* Path parameter i as a positive id into *id; otherwise sends 400 naming
 * field and returns false. */
bool tb_req_path_id(struct tb_req *r, int i, const char *field, int64_t *id);
/* Query parameter name as a flag: absent or "false" is false, "true" is
 * true; anything else sends 400 naming it and returns false. */
bool tb_req_query_flag(struct tb_req *r, const char *name, bool *out);
/* Query parameter name as an integer from lo to hi into *out (left as it
 * is when the parameter is absent); false after answering 400. */
bool tb_req_query_int(struct tb_req *r, const char *name, long lo, long hi, long *out);
/* Query parameter "region" as a region the platform knows: *out NULL when
 * absent; false after answering 400 for an unknown code. */
struct tb_region;
bool tb_req_query_region(struct tb_req *r, const struct tb_region **out);

/* The tb_ctx of the request (who, client, request id) for domain calls. */
struct tb_ctx;
void tb_req_ctx(struct tb_req *r, struct tb_ctx *ctx);
/* Records in the audit trail that the request's principal read object
 * (e.g. action "case.read", object "case:NO"): a read of someone else's
 * record by staff. When the record cannot be written, sends 5xx and
 * returns false: the data is not given out unrecorded. */
bool tb_req_audit_read(struct tb_req *r, const char *action, const char *object);

/* One member of a JSON body: its name, its type ('s' string, 'S' string
 * or null, 'i' integer, 'b' boolean, 'a' array, 'o' any value), whether it is required,
 * and where to store it (const char **, json_int_t *, int *, json_t **). */
struct tb_field {
	const char *name;
	char type;
	bool required;
	void *out;
};

/* Reads the members of body into fields; a missing required member, a
 * member of the wrong type, a string with a NUL, and any member not listed
 * are refused with 400 naming it. Strings point into body. */
bool tb_req_fields(struct tb_req *r, json_t *body, const struct tb_field *fields, size_t n);

/* Suspends the request: the handler returns without an answer, and its
 * thread goes on serving others. Later, from any thread, tb_req_resume(r,
 * finish) has finish(r) run on the request's own thread to set the answer.
 * Between the two, only the one who resumes may touch r. */
void tb_req_suspend(struct tb_req *r);
void tb_req_resume(struct tb_req *r, void (*finish)(struct tb_req *r));

/* Sends json (taken: its reference is released) with status. */
void tb_resp_json(struct tb_req *r, int status, json_t *json);
/* Sends {"error": message-of-e, "field": field, "reason": reason,
 * "request_id": ...} with e's status; field and reason may be NULL. */
void tb_resp_error(struct tb_req *r, enum tb_err e, const char *field, const char *reason);
/* Same, with the members of extra (taken; NULL for none) in the body too. */
void tb_resp_error_with(struct tb_req *r, enum tb_err e, const char *field, const char *reason,
                        json_t *extra);
/* Same, taking field and reason from f. */
void tb_resp_fail(struct tb_req *r, enum tb_err e, const struct tb_fail *f);
/* Sends data that outlives the request (embedded assets) without copying. */
void tb_resp_static(struct tb_req *r, int status, const char *content_type, const char *data,
                    size_t len);
/* Sends JSON text (copied) with status. */
void tb_resp_json_text(struct tb_req *r, int status, const char *text);
/* Sends the JSON text in b, taking its memory (b is left empty). */
void tb_resp_json_buf(struct tb_req *r, int status, struct tb_buf *b);
/* Sends malloc'd data, taking ownership. */
void tb_resp_take(struct tb_req *r, int status, const char *content_type, char *data, size_t len);
/* Sends the open file fd (taken: closed after sending) of size bytes. */
void tb_resp_file(struct tb_req *r, int status, const char *content_type, int fd, size_t size);
/* Adds a response header; name and value are copied into the arena. */
void tb_resp_header(struct tb_req *r, const char *name, const char *value);

#endif
