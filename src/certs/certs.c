/* E-certificates (see certs.h). */
#include "certs/certs.h"
#include "base/json.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/utf8.h"
#include "certs/types.h"
#include "codes/certid.h"
#include "codes/credit.h"
#include "codes/idnum.h"
#include "identity/sectors.h"
#include "identity/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FACE_VALUE 500

/* ---- issuing ---------------------------------------------------------------- */

/* The holder's code checked and normalised for the type's holder, and the
 * name checked as a person's or an organisation's name. */
static enum tb_err check_holder(const struct tb_cert_type *t, const char *code, const char *name,
                                char out[19], struct tb_fail *f)
{
	bool person = strcmp(t->holder_type, "person") == 0;
	if (person) {
		struct tb_idnum id;
		if (tb_idnum_check(code, &id, NULL) != TB_OK)
			return tb_fail(
			    f, TB_EINVAL, "holder.code",
			    "not a valid citizen identity number (this certificate is held "
			    "by a person)");
		memcpy(out, id.normalized, 19);
	} else {
		struct tb_credit cc;
		if (tb_credit_check(code, &cc, NULL) != TB_OK)
			return tb_fail(
			    f, TB_EINVAL, "holder.code",
			    "not a valid unified social credit code (this certificate is "
			    "held by an organisation)");
		memcpy(out, cc.normalized, 19);
	}
	if (!name)
		return tb_fail(f, TB_EINVAL, "holder.name", "required");
	return person ? tb_check_person_name(name, "holder.name", f)
	              : tb_check_org_name(name, "holder.name", f);
}

/* The holder's name against every register that knows the code: the
 * platform's account of it (a certificate goes to the wallet of the
 * account whose login is its code, so another name there would put a
 * certificate in one person's name into another's hands) and the shared
 * population or business registry. A code no register holds (a business
 * this very certificate creates, a person not yet known) is taken as the
 * issuer gives it: such a certificate is shown to nobody until an account
 * of that code has proven its identity. The registered name is never
 * said. */
static enum tb_err check_registered(struct tb_conn *c, const struct tb_cert_type *t,
                                    const char *code, const char *name, struct tb_fail *f)
{
	bool person = strcmp(t->holder_type, "person") == 0;
	const char *const sql[] = {
	    "SELECT name FROM accounts WHERE login = ?",
	    person ? "SELECT name FROM population_registry WHERE id_number = ?"
	           : "SELECT name FROM business_registry WHERE credit_code = ?"};
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		struct tb_stmt *st;
		bool row;
		enum tb_err e = tb_conn_query(c, &st, &row, sql[i], "s", code);
		bool other = e == TB_OK && row && strcmp(tb_stmt_text(st, 0), name) != 0;
		tb_stmt_reset(st);
		if (e != TB_OK)
			return e;
		if (other)
			return tb_fail(f, TB_EINVAL, "holder.name",
			               person ? "not the name registered for this identity number"
			                      : "not the name registered for this credit code");
	}
	return TB_OK;
}

/* Whether s is one or more of the codes (a JSON array of strings),
 * written together, each at most once: 准驾车型 "C1", "A2E". The longest
 * code that matches is taken at each place. */
static bool codes_ok(const char *s, const json_t *codes)
{
	bool used[32] = {false};
	if (!*s || json_array_size(codes) > 32)
		return false;
	while (*s) {
		size_t best = 0, at = 0, i;
		const json_t *x;
		json_array_foreach(codes, i, x)
		{
			const char *code = json_string_value(x);
			size_t n = code ? strlen(code) : 0;
			if (n > best && strncmp(s, code, n) == 0) {
				best = n;
				at = i;
			}
		}
		if (!best || used[at])
			return false;
		used[at] = true;
		s += best;
	}
	return true;
}

/* Whether s has the form of pattern: '9' a digit, 'A' a capital letter,
 * any other character itself. */
static bool pattern_ok(const char *s, const char *pattern)
{
	for (; *pattern; s++, pattern++) {
		bool ok = *pattern == '9'   ? (*s >= '0' && *s <= '9')
		          : *pattern == 'A' ? (*s >= 'A' && *s <= 'Z')
		                            : *s == *pattern;
		if (!ok)
			return false;
	}
	return *s == '\0';
}

/* The reason (arena) value is not a well-formed value of face field fd,
 * or NULL. Every value is one line of text; a field's "format" (types.json)
 * says more: "date" (YYYY-MM-DD, not after the issue date), "one_of" or
 * "codes" (of its "values"), "pattern". */
static const char *malformed(const json_t *fd, const char *value, int64_t today, struct tb_arena *a)
{
	size_t n = strlen(value);
	if (!tb_utf8_is_line(value, n))
		return "expected one line of text without control characters";
	if (tb_utf8_chars(value, n) > MAX_FACE_VALUE)
		return "longer than 500 characters";
	const char *format = json_string_value(json_object_get(fd, "format"));
	const json_t *values = json_object_get(fd, "values");
	if (!format)
		return NULL;
	if (!strcmp(format, "date")) {
		int64_t d;
		if (!tb_date_parse(value, &d))
			return "a date YYYY-MM-DD";
		return d > today ? "a date after the issue date" : NULL;
	}
	if (!strcmp(format, "pattern")) {
		const char *p = json_string_value(values);
		return p && pattern_ok(value, p)
		           ? NULL
		           : tb_arena_printf(
		                 a, "expected the form %s (9: a digit, A: a capital letter)",
		                 p ? p : "");
	}
	size_t i;
	const json_t *x;
	struct tb_buf list = TB_BUF_INIT;
	bool found = false;
	json_array_foreach(values, i, x)
	{
		tb_buf_printf(&list, "%s%s", i ? ", " : "", json_string_value(x));
		found |= strcmp(json_string_value(x), value) == 0;
	}
	const char *reason = NULL;
	if (!strcmp(format, "codes") && !codes_ok(value, values))
		reason = tb_arena_printf(a, "one or more of %s, written together, each once",
		                         list.data ? list.data : "");
	else if (strcmp(format, "codes") != 0 && !found)
		reason = tb_arena_printf(a, "one of %s", list.data ? list.data : "");
	tb_buf_free(&list);
	return reason;
}

/* The face: each field of the type with its value, from where the type
 * says. The values given for "input" fields (inputs) must name input
 * fields of the type; a field the type marks "required" must have a
 * value (one that is not blank); every value given must be well formed
 * (malformed). A value left out of inputs is taken from the case form. */
static enum tb_err fill_face(const struct tb_cert_type *t, const struct tb_cert_issue *in,
                             const char *holder_code, const char *issued_on, struct tb_arena *a,
                             json_t **out, struct tb_fail *f)
{
	*out = NULL;
	json_t *fields = json_loads(t->fields, 0, NULL), *face = json_array();
	int64_t today = 0;
	tb_date_parse(issued_on, &today);
	size_t i;
	json_t *fd;
	enum tb_err e = TB_OK;
	const char *k;
	json_t *given;
	json_object_foreach((json_t *)in->inputs, k, given)
	{
		bool input = false;
		json_array_foreach(fields, i, fd)
		{
			input |= !strcmp(json_string_value(json_object_get(fd, "key")), k) &&
			         !strcmp(json_string_value(json_object_get(fd, "from")), "input");
		}
		if (!input) {
			e = tb_fail(f, TB_EINVAL, tb_arena_printf(a, "face.%s", k),
			            tb_arena_printf(a, "not a field a %s is given", t->name));
			break;
		}
	}
	json_array_foreach(fields, i, fd)
	{
		if (e != TB_OK)
			break;
		const char *key = json_string_value(json_object_get(fd, "key"));
		const char *from = json_string_value(json_object_get(fd, "from"));
		const char *value = NULL;
		if (!strcmp(from, "holder.name"))
			value = in->holder_name;
		else if (!strcmp(from, "holder.code"))
			value = holder_code;
		else if (!strcmp(from, "applicant.name"))
			value = in->applicant_name ? in->applicant_name : in->holder_name;
		else if (!strcmp(from, "issued_on"))
			value = issued_on;
		else {
			const json_t *v = json_object_get(in->inputs, key);
			if (!v)
				v = json_object_get(in->form, key);
			if (v && !json_is_string(v)) {
				e = tb_fail(f, TB_EINVAL, tb_arena_printf(a, "face.%s", key),
				            "expected text");
				break;
			}
			value = json_string_value(v);
			/* Blank is no value: a face shows nothing there. */
			const char *p = value;
			while (p && (*p == ' ' || !strncmp(p, "\xe3\x80\x80", 3)))
				p += *p == ' ' ? 1 : 3;
			if (p && !*p)
				value = NULL;
			const char *why = value ? malformed(fd, value, today, a) : NULL;
			if (why) {
				e = tb_fail(f, TB_EINVAL, tb_arena_printf(a, "face.%s", key), why);
				break;
			}
		}
		if (!value && json_is_true(json_object_get(fd, "required"))) {
			e = tb_fail(
			    f, TB_EINVAL, tb_arena_printf(a, "face.%s", key),
			    tb_arena_printf(a, "required on a %s (%s)", t->name,
			                    json_string_value(json_object_get(fd, "label"))));
			break;
		}
		json_array_append_new(face, json_pack("{s:s, s:O, s:o}", "key", key, "label",
		                                      json_object_get(fd, "label"), "value",
		                                      value ? json_string(value) : json_null()));
	}
	json_decref(fields);
	if (e != TB_OK)
		json_decref(face);
	else
		*out = face;
	return e;
}

/* valid_from and valid_to: given, or the issue date and the type's
 * validity (the day before the anniversary). */
static enum tb_err dates(const struct tb_cert_type *t, const struct tb_cert_issue *in,
                         int64_t today, char from[11], char to[11], struct tb_fail *f)
{
	int64_t d_from = today, d_to = 0;
	if (in->valid_from && !tb_date_parse(in->valid_from, &d_from))
		return tb_fail(f, TB_EINVAL, "valid_from", "a date YYYY-MM-DD");
	tb_date_format(d_from, from);
	to[0] = '\0';
	if (in->valid_to && *in->valid_to) {
		if (!tb_date_parse(in->valid_to, &d_to))
			return tb_fail(f, TB_EINVAL, "valid_to", "a date YYYY-MM-DD");
		if (d_to < d_from)
			return tb_fail(f, TB_EINVAL, "valid_to", "before valid_from");
		tb_date_format(d_to, to);
	} else if (!in->valid_to && t->validity_years > 0) {
		int y, m, d;
		tb_date_to_ymd(d_from, &y, &m, &d);
		y += t->validity_years;
		if (m == 2 && d == 29 && !tb_date_valid(y, m, d))
			d = 28;
		tb_date_format(tb_date_from_ymd(y, m, d) - 1, to);
	}
	return TB_OK;
}

struct issuer {
	const char *code, *name, *region, *sector;
};

static enum tb_err issuer_on(struct tb_conn *c, int64_t department, struct tb_arena *a,
                             struct issuer *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT credit_code, name, region, sector FROM departments WHERE id = ?",
	    "i", department);
	if (e == TB_OK && row) {
		out->code = tb_arena_strdup(a, tb_stmt_text(st, 0));
		out->name = tb_arena_strdup(a, tb_stmt_text(st, 1));
		out->region = tb_arena_strdup(a, tb_stmt_text(st, 2));
		out->sector = tb_arena_strdup(a, tb_stmt_text(st, 3));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	return e;
}

/* The next number of type and issuer this year: YYYY and 8 digits. */
static enum tb_err next_number(struct tb_conn *c, const char *type, const char *issuer,
                               const char *year, char out[16])
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%s.%s.%.4s", type, issuer, year);
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "INSERT INTO cert_serials (prefix, last) VALUES (?, 1) ON"
	                              " CONFLICT (prefix) DO UPDATE SET last ="
	                              " cert_serials.last + 1 RETURNING last",
	                              "s", prefix);
	int64_t serial = e == TB_OK && row ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	if (e == TB_OK && (serial < 1 || serial > 99999999))
		e = TB_EUNAVAIL;
	snprintf(out, 16, "%.4s%08lld", year, (long long)serial);
	return e;
}

enum tb_err tb_cert_issue_on(struct tb_keys *k, struct tb_conn *c, const struct tb_ctx *ctx,
                             const struct tb_cert_issue *in, struct tb_arena *a,
                             const char **identifier, struct tb_fail *f)
{
	*identifier = NULL;
	struct tb_cert_type t;
	enum tb_err e = tb_cert_type_get_on(c, in->type, a, &t);
	if (e == TB_ENOTFOUND)
		return tb_fail(f, TB_EINVAL, "type", "no such certificate type");
	char holder[19], issued_on[11], from[11], to[11], number[16], id[TB_CERTID_MAX];
	int64_t today = tb_date_today();
	tb_date_format(today, issued_on);
	if (e == TB_OK)
		e = check_holder(&t, in->holder_code, in->holder_name, holder, f);
	if (e == TB_OK)
		e = check_registered(c, &t, holder, in->holder_name, f);
	if (e == TB_OK)
		e = dates(&t, in, today, from, to, f);
	json_t *face = NULL;
	if (e == TB_OK)
		e = fill_face(&t, in, holder, issued_on, a, &face, f);
	struct issuer is = {0};
	if (e == TB_OK)
		e = issuer_on(c, in->department, a, &is);
	/* Authority to issue comes from the law that governs the type, which
	 * names a kind of body: no staff role can stand in for it. */
	if (e == TB_OK && !tb_sector_in(t.issuer_sectors, is.sector))
		e = tb_fail(
		    f, TB_EDENIED, "type",
		    tb_arena_printf(a, "%s is issued only by %s", t.name,
		                    t.issuing_bodies[0] ? t.issuing_bodies : "another body"));
	if (e == TB_OK)
		e = next_number(c, t.code, is.code, issued_on, number);
	if (e == TB_OK)
		e = tb_certid_make(t.code, is.code, number, "001", id, sizeof(id), f);
	struct tb_sm2_key *key = NULL;
	char key_id[TB_SM2_KEY_ID];
	if (e == TB_OK)
		e = tb_keys_signer_on(k, c, in->department, &key, key_id);
	if (e != TB_OK) {
		json_decref(face);
		return e;
	}
	json_t *record = json_pack(
	    "{s:s, s:{s:s, s:s, s:s}, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:o, s:s,"
	    " s:o, s:s, s:s}",
	    "identifier", id, "type", "code", t.code, "name", t.name, "defining_body",
	    t.defining_body, "number", number, "holder", "name", in->holder_name, "code", holder,
	    "code_type", strcmp(t.holder_type, "person") == 0 ? "111" : "001", "issuer", "name",
	    is.name, "code", is.code, "issued_on", issued_on, "valid_from", from, "valid_to",
	    to[0] ? json_string(to) : json_null(), "jurisdiction", is.region, "face", face,
	    "key_id", key_id, "algorithm", "SM2-SM3");
	char *canon = tb_cert_canonical(record);
	json_decref(record);
	char sig[TB_SM2_SIG_HEX];
	e = tb_sm2_sign(key, canon, strlen(canon), sig);
	tb_sm2_free(key);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO certificates (identifier, type_code, holder_code,"
		    " holder_name, department_id, case_id, valid_from, valid_to, record,"
		    " signature, key_id, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?)",
		    "ssssiIsssssi", id, t.code, holder, in->holder_name, in->department,
		    in->case_id, from, to[0] ? to : NULL, canon, sig, key_id, (int64_t)time(NULL));
	free(canon);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "cert.issue", tb_arena_printf(a, "cert:%s", id), "ok");
	if (e == TB_OK)
		*identifier = tb_arena_strdup(a, id);
	return e;
}

struct issue_args {
	struct tb_keys *k;
	const struct tb_ctx *ctx;
	const struct tb_cert_issue *in;
	struct tb_arena *a;
	const char **identifier;
	struct tb_fail *f;
};

static enum tb_err issue_in(struct tb_conn *c, void *arg)
{
	struct issue_args *x = arg;
	return tb_cert_issue_on(x->k, c, x->ctx, x->in, x->a, x->identifier, x->f);
}

enum tb_err tb_cert_issue(struct tb_keys *k, struct tb_store *s, const struct tb_ctx *ctx,
                          const struct tb_cert_issue *in, struct tb_arena *a,
                          const char **identifier, struct tb_fail *f)
{
	enum tb_err e = tb_keys_ensure(k, s, in->department);
	struct issue_args x = {k, ctx, in, a, identifier, f};
	return e == TB_OK ? tb_store_write(s, issue_in, &x) : e;
}

/* ---- reading ---------------------------------------------------------------- */

#define CERT_COLS                                                                       \
	"c.identifier, c.record, c.signature, c.key_id, c.revoked_at, c.revoke_reason," \
	" c.valid_to, c.department_id, c.holder_code, d.region"

struct stored {
	const char *identifier, *record, *signature, *key_id, *revoke_reason, *valid_to;
	int64_t revoked_at, department;
	char holder_code[19], region[10];
};

static void read_stored(struct tb_stmt *st, struct tb_arena *a, struct stored *out)
{
	memset(out, 0, sizeof(*out));
	out->identifier = tb_arena_strdup(a, tb_stmt_text(st, 0));
	out->record = tb_arena_strdup(a, tb_stmt_text(st, 1));
	out->signature = tb_arena_strdup(a, tb_stmt_text(st, 2));
	out->key_id = tb_arena_strdup(a, tb_stmt_text(st, 3));
	out->revoked_at = tb_stmt_int(st, 4);
	out->revoke_reason = tb_stmt_text(st, 5) ? tb_arena_strdup(a, tb_stmt_text(st, 5)) : NULL;
	out->valid_to = tb_stmt_text(st, 6) ? tb_arena_strdup(a, tb_stmt_text(st, 6)) : NULL;
	out->department = tb_stmt_int(st, 7);
	snprintf(out->holder_code, sizeof(out->holder_code), "%s", tb_stmt_text(st, 8));
	snprintf(out->region, sizeof(out->region), "%s", tb_stmt_text(st, 9));
}

static enum tb_err load_on(struct tb_conn *c, const char *identifier, struct tb_arena *a,
                           struct stored *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT " CERT_COLS " FROM certificates c JOIN departments d"
	                              " ON d.id = c.department_id WHERE c.identifier = ?",
	                              "s", identifier ? identifier : "");
	if (e == TB_OK && row)
		read_stored(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_cert_ref(struct tb_store *s, const char *identifier, struct tb_cert_ref *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_arena *a = tb_arena_new();
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	struct stored x;
	if (e == TB_OK) {
		e = load_on(c, identifier, a, &x);
		tb_store_release(c);
	}
	if (e == TB_OK) {
		out->department = x.department;
		memcpy(out->holder_code, x.holder_code, sizeof(out->holder_code));
		memcpy(out->region, x.region, sizeof(out->region));
	}
	tb_arena_free(a);
	return e;
}

/* The stored certificate's status: its own signature checked again (a
 * changed row is forged), then revocation and expiry. */
static enum tb_cert_status status_of(struct tb_conn *c, const struct stored *x, json_t *doc,
                                     const char **reason)
{
	struct tb_sm2_key *key = NULL;
	tb_keys_public_on(c, x->key_id, &key);
	/* The key is the one the row names: issued with the row, so its
	 * department is the issuer's (no key_issuer needed). */
	enum tb_cert_status st = tb_cert_check(doc, key, NULL, tb_date_today(), reason);
	tb_sm2_free(key);
	if (st == TB_CERT_FORGED)
		return st;
	if (x->revoked_at)
		return TB_CERT_REVOKED;
	return st;
}

/* The document of a stored certificate (caller decrefs). */
static json_t *document(const struct stored *x)
{
	/* The stored text is the canonical record as signed: its digest is
	 * the record's (a row changed in any byte no longer verifies). */
	json_t *record = json_loads(x->record, 0, NULL);
	char digest[TB_SM3_HEX];
	tb_sm3_hex(x->record, strlen(x->record), digest);
	return json_pack("{s:s, s:i, s:o, s:s, s:s}", "format", "tongban-certificate",
	                 "format_version", 1, "record", record ? record : json_object(), "digest",
	                 digest, "signature", x->signature);
}

static void add_revocation(json_t *j, const struct stored *x)
{
	if (!x->revoked_at)
		return;
	json_object_set_new(j, "revoked_at", json_integer(x->revoked_at));
	json_object_set_new(j, "revoke_reason",
	                    json_string(x->revoke_reason ? x->revoke_reason : ""));
}

enum tb_err tb_cert_get(struct tb_store *s, const char *identifier, struct tb_arena *a,
                        const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct stored x;
	e = load_on(c, identifier, a, &x);
	if (e == TB_OK) {
		json_t *doc = document(&x);
		const char *reason;
		json_object_set_new(
		    doc, "status",
		    json_string(tb_cert_status_name(status_of(c, &x, doc, &reason))));
		add_revocation(doc, &x);
		*text = tb_json_take(doc, a);
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_cert_list(struct tb_store *s, const char *holder_code, int64_t department, int limit,
                         struct tb_arena *a, const char **text)
{
	*text = NULL;
	if (limit < 1 || limit > 500)
		limit = 500;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	json_t *arr = json_array();
	/* One query per filter, so that each uses its index. */
	if (department && holder_code)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT " CERT_COLS " FROM certificates c JOIN departments d ON d.id"
		    " = c.department_id WHERE c.department_id = ? AND c.holder_code = ?"
		    " ORDER BY c.id DESC LIMIT ?",
		    "isi", department, holder_code, (int64_t)limit);
	else if (department)
		e = tb_conn_query(c, &st, &row,
		                  "SELECT " CERT_COLS
		                  " FROM certificates c JOIN departments d ON d.id"
		                  " = c.department_id WHERE c.department_id = ? ORDER BY c.id DESC"
		                  " LIMIT ?",
		                  "ii", department, (int64_t)limit);
	else
		e = tb_conn_query(c, &st, &row,
		                  "SELECT " CERT_COLS
		                  " FROM certificates c JOIN departments d ON d.id"
		                  " = c.department_id WHERE c.holder_code = ? ORDER BY c.id DESC"
		                  " LIMIT ?",
		                  "si", holder_code ? holder_code : "", (int64_t)limit);
	/* Statuses need the keys: collect the rows first, then check them. */
	struct stored *rows = tb_arena_alloc(a, (size_t)limit * sizeof(*rows));
	size_t n = 0;
	while (e == TB_OK && row && n < (size_t)limit) {
		read_stored(st, a, &rows[n++]);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	for (size_t i = 0; e == TB_OK && i < n; i++) {
		json_t *doc = document(&rows[i]);
		const char *reason;
		enum tb_cert_status status = status_of(c, &rows[i], doc, &reason);
		json_t *item = json_deep_copy(json_object_get(doc, "record"));
		json_object_set_new(item, "status", json_string(tb_cert_status_name(status)));
		add_revocation(item, &rows[i]);
		json_array_append_new(arr, item);
		json_decref(doc);
	}
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_json_take(arr, a);
	else
		json_decref(arr);
	return e;
}

/* ---- verifying ------------------------------------------------------------- */

char *tb_cert_mask_name(const char *name, struct tb_arena *a)
{
	if (!name)
		name = "";
	size_t first = 0;
	if (*name) /* the first character's bytes: a lead byte, then continuations */
		for (first = 1; (name[first] & 0xC0) == 0x80; first++)
			;
	size_t rest = tb_utf8_chars(name + first, strlen(name + first));
	char *out = tb_arena_alloc(a, first + rest + 1);
	memcpy(out, name, first);
	memset(out + first, '*', rest);
	out[first + rest] = '\0';
	return out;
}

/* The verdict. full (the verifier showed the document) adds the holder's
 * masked name, the number and the issue date; by identifier alone anyone
 * may ask, and sequential identifiers would otherwise let them read the
 * register person by person. */
static json_t *answer(const char *identifier, enum tb_cert_status status, const char *reason,
                      const json_t *record, const struct stored *x, bool full, struct tb_arena *a)
{
	json_t *j = json_pack("{s:s, s:s, s:o}", "identifier", identifier, "status",
	                      tb_cert_status_name(status), "reason",
	                      reason ? json_string(reason) : json_null());
	if (record && status != TB_CERT_FORGED) {
		json_object_set(j, "type", json_object_get(record, "type"));
		json_object_set(j, "issuer", json_object_get(record, "issuer"));
		if (full)
			json_object_set_new(j, "holder",
			                    json_string(tb_cert_mask_name(
			                        json_string_value(json_object_get(
			                            json_object_get(record, "holder"), "name")),
			                        a)));
		static const char *const keep[] = {"valid_from", "valid_to",  "key_id",
		                                   "number",     "issued_on", NULL};
		for (int i = 0; keep[i] && (full || i < 3); i++)
			json_object_set(j, keep[i], json_object_get(record, keep[i]));
	}
	if (x)
		add_revocation(j, x);
	return j;
}

enum tb_err tb_cert_verify(struct tb_store *s, const char *identifier, struct tb_arena *a,
                           enum tb_cert_status *status, const char **text, struct tb_fail *f)
{
	*text = NULL;
	struct tb_certid id;
	struct tb_fail pf = {0};
	enum tb_err e = tb_certid_parse(identifier, &id, &pf);
	if (e != TB_OK && strcmp(pf.reason, "check character") != 0)
		return tb_fail(f, TB_EINVAL, "identifier",
		               tb_arena_printf(a, "not a GB/T 36904 identifier (%s)", pf.reason));
	if (e != TB_OK) {
		*status = TB_CERT_FORGED;
		*text = tb_json_take(
		    answer(identifier, *status, "identifier check character", NULL, NULL, false, a),
		    a);
		return TB_OK;
	}
	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	struct stored x;
	e = load_on(c, identifier, a, &x);
	if (e == TB_ENOTFOUND) {
		*status = TB_CERT_UNKNOWN;
		*text = tb_json_take(
		    answer(identifier, *status, "not on the register", NULL, NULL, false, a), a);
		e = TB_OK;
	} else if (e == TB_OK) {
		json_t *doc = document(&x);
		const char *reason;
		*status = status_of(c, &x, doc, &reason);
		*text = tb_json_take(answer(identifier, *status, reason,
		                            json_object_get(doc, "record"), &x, false, a),
		                     a);
		json_decref(doc);
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_cert_verify_document(struct tb_store *s, const json_t *doc, struct tb_arena *a,
                                    enum tb_cert_status *status, const char **text)
{
	*text = NULL;
	const json_t *record = json_object_get(doc, "record");
	const char *identifier = json_string_value(json_object_get(record, "identifier"));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_sm2_key *key = NULL;
	tb_keys_public_on(c, json_string_value(json_object_get(record, "key_id")), &key);
	const char *reason;
	/* No key_issuer: a document that passes is compared with the register
	 * below, whose row was signed by the issuer's own key. */
	*status = tb_cert_check(doc, key, NULL, tb_date_today(), &reason);
	tb_sm2_free(key);
	struct stored x;
	bool stored = false;
	if (*status != TB_CERT_FORGED) {
		e = load_on(c, identifier, a, &x);
		stored = e == TB_OK;
		char *canon = tb_cert_canonical(record);
		if (e == TB_ENOTFOUND) {
			*status = TB_CERT_UNKNOWN;
			reason = "not on the register";
			e = TB_OK;
		} else if (e == TB_OK && strcmp(canon, x.record) != 0) {
			*status = TB_CERT_FORGED;
			reason = "differs from the register";
		} else if (e == TB_OK && x.revoked_at) {
			*status = TB_CERT_REVOKED;
		}
		free(canon);
	}
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_json_take(answer(identifier ? identifier : "", *status, reason, record,
		                            stored ? &x : NULL, true, a),
		                     a);
	return e;
}

struct revoke_args {
	const struct tb_ctx *ctx;
	const char *identifier, *reason;
	struct tb_fail *f;
};

static enum tb_err revoke_in(struct tb_conn *c, void *arg)
{
	struct revoke_args *x = arg;
	int64_t changed = 0;
	enum tb_err e =
	    tb_conn_run(c, &changed,
	                "UPDATE certificates SET revoked_at = ?, revoke_reason = ? WHERE"
	                " identifier = ? AND revoked_at IS NULL",
	                "iss", (int64_t)time(NULL), x->reason, x->identifier);
	if (e == TB_OK && changed != 1)
		return tb_fail(x->f, TB_ECONFLICT, "identifier", "already revoked");
	char object[TB_CERTID_MAX + 8];
	snprintf(object, sizeof(object), "cert:%s", x->identifier);
	return e == TB_OK ? tb_ctx_audit(c, x->ctx, "cert.revoke", object, "ok") : e;
}

enum tb_err tb_cert_revoke(struct tb_store *s, const struct tb_ctx *ctx, const char *identifier,
                           const char *reason, struct tb_fail *f)
{
	size_t chars = reason ? tb_utf8_chars(reason, strlen(reason)) : 0;
	if (chars < 1 || chars > 500)
		return tb_fail(f, TB_EINVAL, "reason", "1 to 500 characters");
	struct revoke_args x = {ctx, identifier, reason, f};
	return tb_store_write(s, revoke_in, &x);
}

enum tb_err tb_cert_find_valid_on(struct tb_conn *c, const char *holder_code, const char *type_name,
                                  const char *day, struct tb_arena *a, const char **identifier)
{
	*identifier = NULL;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT c.identifier FROM certificates c JOIN cert_types t ON t.code = c.type_code"
	    " WHERE c.holder_code = ? AND t.name = ? AND c.revoked_at IS NULL AND"
	    " c.valid_from <= ? AND (c.valid_to IS NULL OR c.valid_to >= ?) ORDER BY c.id DESC"
	    " LIMIT 1",
	    "ssss", holder_code, type_name, day, day);
	bool here = e == TB_OK && row;
	if (here)
		*identifier = tb_arena_strdup(a, tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	/* One issued at a peer platform that its holder brought here
	 * (federation/certs.h), checked when it was. */
	if (e == TB_OK && !here) {
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT identifier FROM peer_certificates WHERE holder_code = ? AND"
		    " type_name = ? AND valid_from <= ? AND (valid_to IS NULL OR"
		    " valid_to >= ?) ORDER BY added_at DESC LIMIT 1",
		    "ssss", holder_code, type_name, day, day);
		if (e == TB_OK && row)
			*identifier = tb_arena_strdup(a, tb_stmt_text(st, 0));
		else if (e == TB_OK)
			e = TB_ENOTFOUND;
		tb_stmt_reset(st);
	}
	return e;
}

enum tb_err tb_cert_face_on(struct tb_conn *c, const char *holder_code, const char *type_name,
                            const char *key, const char *day, struct tb_arena *a,
                            const char **value)
{
	*value = NULL;
	const char *id;
	enum tb_err e = tb_cert_find_valid_on(c, holder_code, type_name, day, a, &id);
	struct tb_stmt *st;
	bool row = false;
	if (e == TB_OK)
		e = tb_conn_query(c, &st, &row,
		                  "SELECT record FROM certificates WHERE identifier = ? UNION ALL"
		                  " SELECT record FROM peer_certificates WHERE identifier = ?",
		                  "ss", id, id);
	json_t *doc = e == TB_OK && row ? json_loads(tb_stmt_text(st, 0), 0, NULL) : NULL;
	if (e == TB_OK)
		tb_stmt_reset(st);
	/* The column holds the canonical record as signed. */
	size_t i;
	json_t *field;
	json_array_foreach(json_object_get(doc, "face"), i, field)
	{
		const char *k = json_string_value(json_object_get(field, "key"));
		const char *v = json_string_value(json_object_get(field, "value"));
		if (k && v && *v && strcmp(k, key) == 0) {
			*value = tb_arena_strdup(a, v);
			break;
		}
	}
	json_decref(doc);
	return e == TB_OK && !*value ? TB_ENOTFOUND : e;
}
