/* One error table for the whole program: the X-macro below generates the
 * enum, its message, its short name and the HTTP status it maps to.
 * Exports enum tb_err, struct tb_fail (field + reason of a refusal) and
 * the lookup functions. */
#ifndef TB_BASE_ERR_H
#define TB_BASE_ERR_H

#define TB_ERR_TABLE(XX)                                     \
	XX(OK, "ok", 200)                                    \
	XX(EINVAL, "invalid input", 400)                     \
	XX(EUNAUTH, "unauthorized", 401)                     \
	XX(EDENIED, "forbidden", 403)                        \
	XX(ENOTFOUND, "not found", 404)                      \
	XX(EMETHOD, "method not allowed", 405)               \
	XX(ECONFLICT, "conflict", 409)                       \
	XX(ETOOBIG, "payload too large", 413)                \
	XX(EMEDIA, "unsupported media type", 415)            \
	XX(ERATE, "too many requests", 429)                  \
	XX(EHEADERS, "request header fields too large", 431) \
	XX(ESTORE, "storage failure", 500)                   \
	XX(EINTERNAL, "internal error", 500)                 \
	XX(EUNAVAIL, "service unavailable", 503)

enum tb_err {
#define TB_ERR_ENUM(name, msg, status) TB_##name,
	TB_ERR_TABLE(TB_ERR_ENUM)
#undef TB_ERR_ENUM
	    TB_ERR__MAX
};

/* Why input was refused: the field (a JSON path or parameter name) and a
 * short reason. Both point to static strings or to memory owned by the
 * caller's arena; a tb_fail never owns anything. */
struct tb_fail {
	const char *field;
	const char *reason;
};

/* Human message of e, e.g. "invalid input". Never NULL. */
const char *tb_err_message(enum tb_err e);
/* Upper-case name of e without prefix, e.g. "EINVAL". Never NULL. */
const char *tb_err_name(enum tb_err e);
/* HTTP status for e (200 for TB_OK, 500 for an out-of-range value). */
int tb_err_status(enum tb_err e);

/* Records field and reason in f (which may be NULL) and returns e, so that
 * a validator can write `return tb_fail(f, TB_EINVAL, "name", "empty");`. */
enum tb_err tb_fail(struct tb_fail *f, enum tb_err e, const char *field, const char *reason);

#endif
