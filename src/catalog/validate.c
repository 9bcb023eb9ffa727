/* Catalog validation (see validate.h). Each check reads one member of the
 * input, refuses it with its path, and copies the accepted value into the
 * canonical output in the format's key order. */
#include "catalog/validate.h"
#include "sharing/sharing.h"
#include "catalog/form.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/utf8.h"
#include "codes/credit.h"

#include <stdio.h>
#include <string.h>

struct v {
	struct tb_fail *f;
	struct tb_arena *a;
	const char *prefix;
	json_t *in, *out;
	enum tb_err err;
};

static bool bad(struct v *v, const char *field, const char *reason)
{
	if (v->err == TB_OK) {
		v->err = TB_EINVAL;
		tb_fail(v->f, TB_EINVAL, tb_arena_printf(v->a, "%s%s", v->prefix, field), reason);
	}
	return false;
}

/* Refuses members of o not in the NULL-terminated list. */
static bool only(struct v *v, json_t *o, const char *path, const char *const *keys)
{
	const char *k;
	json_t *x;
	json_object_foreach(o, k, x)
	{
		bool ok = false;
		for (int i = 0; keys[i] && !ok; i++)
			ok = strcmp(keys[i], k) == 0;
		if (!ok)
			return bad(v, tb_arena_printf(v->a, "%s%s", path, k), "unknown field");
	}
	return true;
}

static bool text_ok(const char *s, size_t minc, size_t maxc, bool line)
{
	size_t n = strlen(s);
	if (line ? !tb_utf8_is_line(s, n) : !tb_utf8_valid(s, n))
		return false;
	size_t c = tb_utf8_chars(s, n);
	return c >= minc && c <= maxc;
}

/* Whether s is telephone numbers and nothing else (phone, complaint_phone):
 * one or more separated by "、", each an optional leading '+', digits
 * (at least 3), spaces, hyphens and parentheses (not nested), and an
 * optional extension "转" and 1-6 digits: 0571-87998412, 12345,
 * (0571) 8799 8412转123, +86 571 87998412. */
static bool phone_shape(const char *s)
{
	for (;;) {
		int digits = 0, open = 0;
		if (*s == '+')
			s++;
		for (; *s; s++) {
			if (*s >= '0' && *s <= '9')
				digits++;
			else if (*s == '(' && !open)
				open = 1;
			else if (*s == ')' && open)
				open = 0;
			else if (*s != ' ' && *s != '-')
				break;
		}
		if (digits < 3 || open)
			return false;
		if (!strncmp(s, "\xe8\xbd\xac", 3)) { /* 转 */
			int ext = 0;
			for (s += 3; *s >= '0' && *s <= '9'; s++)
				ext++;
			if (ext < 1 || ext > 6)
				return false;
		}
		if (!*s)
			return true;
		if (strncmp(s, "\xe3\x80\x81", 3) != 0) /* 、 */
			return false;
		s += 3;
	}
}

/* A string member: required (or NULL when absent and optional). */
static const char *str(struct v *v, json_t *o, const char *path, const char *key, size_t minc,
                       size_t maxc, bool required)
{
	json_t *x = json_object_get(o, key);
	const char *field = tb_arena_printf(v->a, "%s%s", path, key);
	if (!x || json_is_null(x)) {
		if (required)
			bad(v, field, "required");
		return NULL;
	}
	if (!json_is_string(x) || strlen(json_string_value(x)) != json_string_length(x))
		return bad(v, field, "expected a string"), NULL;
	const char *s = json_string_value(x);
	if (!*s && !required && minc > 0)
		return NULL; /* "" stands for "none" in an optional member */
	if (!text_ok(s, minc, maxc, maxc <= 200))
		return bad(v, field,
		           tb_arena_printf(v->a, "expected %zu to %zu characters of clean text",
		                           minc, maxc)),
		       NULL;
	return s;
}

static bool integer(struct v *v, json_t *o, const char *path, const char *key, long lo, long hi,
                    bool required, long dflt, long *out)
{
	json_t *x = json_object_get(o, key);
	const char *field = tb_arena_printf(v->a, "%s%s", path, key);
	*out = dflt;
	if (!x) {
		if (required)
			return bad(v, field, "required");
		return true;
	}
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		return bad(v, field,
		           tb_arena_printf(v->a, "expected an integer from %ld to %ld", lo, hi));
	*out = (long)json_integer_value(x);
	return true;
}

static const char *one_of(struct v *v, json_t *o, const char *path, const char *key,
                          const char *const *allowed, bool required)
{
	const char *s = str(v, o, path, key, 1, 40, required);
	if (!s)
		return NULL;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], s) == 0)
			return s;
	struct tb_buf b = TB_BUF_INIT;
	for (int i = 0; allowed[i]; i++)
		tb_buf_printf(&b, "%s%s", i ? ", " : "one of ", allowed[i]);
	bad(v, tb_arena_printf(v->a, "%s%s", path, key), tb_arena_strdup(v->a, b.data));
	tb_buf_free(&b);
	return NULL;
}

/* An array of strings, each minc..maxc characters, count in [min, max]. */
static json_t *strings(struct v *v, json_t *o, const char *path, const char *key, size_t min,
                       size_t max, size_t minc, size_t maxc)
{
	json_t *x = json_object_get(o, key);
	const char *field = tb_arena_printf(v->a, "%s%s", path, key);
	if (!x)
		return min ? (bad(v, field, "required"), NULL) : json_array();
	if (!json_is_array(x) || json_array_size(x) < min || json_array_size(x) > max)
		return bad(v, field,
		           tb_arena_printf(v->a, "expected an array of %zu to %zu strings", min,
		                           max)),
		       NULL;
	size_t i;
	json_t *e;
	json_array_foreach(x, i, e)
	{
		if (!json_is_string(e) || !text_ok(json_string_value(e), minc, maxc, maxc <= 200))
			return bad(v, tb_arena_printf(v->a, "%s[%zu]", field, i),
			           tb_arena_printf(v->a,
			                           "expected %zu to %zu characters of clean text",
			                           minc, maxc)),
			       NULL;
	}
	return json_copy(x);
}

/* Whether member key of o is not stated (absent or null): a guide that
 * does not say stays silent in the catalog (shown as 未公布), never
 * turned into "none" or "free". */
static bool unstated(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	return !x || json_is_null(x);
}

static void put(struct v *v, const char *key, json_t *value)
{
	if (v->err == TB_OK)
		json_object_set_new(v->out, key, value ? value : json_null());
	else
		json_decref(value);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static bool all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *const item_types[] = {"01", "02", "03", "04", "05", "06",
                                         "07", "08", "09", "10", "20", NULL};

static bool known_type(const char *t)
{
	for (int i = 0; item_types[i]; i++)
		if (strncmp(item_types[i], t, 2) == 0)
			return true;
	return false;
}

int tb_catalog_use_level(const char *dept_level)
{
	static const char *const levels[] = {"province", "city", "county", "township"};
	for (int i = 0; i < 4; i++)
		if (dept_level && strcmp(dept_level, levels[i]) == 0)
			return i + 2;
	return 0;
}

enum tb_err tb_catalog_check_basic(json_t *in, const struct tb_catalog_refs *refs,
                                   const char *prefix, struct tb_arena *a, json_t **out,
                                   struct tb_fail *f)
{
	*out = NULL;
	struct v v = {f, a, prefix, in, json_object(), TB_OK};
	static const char *const keys[] = {"code",        "name",        "item_type",
	                                   "parent_code", "legal_basis", NULL};
	if (!json_is_object(in)) {
		bad(&v, "", "expected an object");
		json_decref(v.out);
		return v.err;
	}
	only(&v, in, "", keys);
	const char *code = str(&v, in, "", "code", 12, 12, true);
	if (code && (!all_digits(code, 12) || !known_type(code)))
		bad(&v, "code", "expected 12 digits starting with a known item type");
	const char *name = str(&v, in, "", "name", 2, 100, true);
	const char *type = one_of(&v, in, "", "item_type", item_types, true);
	if (code && type && strncmp(code, type, 2) != 0)
		bad(&v, "item_type", "must be the first two digits of code");
	const char *parent = str(&v, in, "", "parent_code", 12, 12, false);
	bool sub = code && strlen(code) == 12 && strcmp(code + 9, "000") != 0;
	if (code && sub) {
		char want[13];
		memcpy(want, code, 9);
		memcpy(want + 9, "000", 4);
		char t[3];
		if (!parent || strcmp(parent, want) != 0)
			bad(&v, "parent_code",
			    "a sub item's parent is its main item (sub item 000)");
		else if (refs && !refs->basic(refs->ctx, parent, t))
			bad(&v, "parent_code", "no such basic item");
	} else if (parent) {
		bad(&v, "parent_code", "a main item has no parent");
	}
	const char *basis = str(&v, in, "", "legal_basis", 1, 2000, true);
	put(&v, "code", jstr(code));
	put(&v, "name", jstr(name));
	put(&v, "item_type", jstr(type));
	put(&v, "parent_code", jstr(parent));
	put(&v, "legal_basis", jstr(basis));
	if (v.err != TB_OK) {
		json_decref(v.out);
		return v.err;
	}
	*out = v.out;
	return TB_OK;
}

/* Refuses name (of element i of the array list, path p) when an earlier
 * element has the same name. */
static void unique_name(struct v *v, json_t *list, size_t i, const char *p, const char *name)
{
	for (size_t k = 0; name && k < i; k++) {
		const char *other =
		    json_string_value(json_object_get(json_array_get(list, k), "name"));
		if (other && strcmp(other, name) == 0)
			bad(v, tb_arena_printf(v->a, "%sname", p), "appears twice in this item");
	}
}

/* Notification and commitment (告知承诺制): what the applicant commits to
 * instead of bringing the material (content, the 证明内容 of the
 * commitment letter) and within how many working days after submission
 * the department checks it (check_days, 1 to 60, 20 when not given).
 * NULL when the material has none (or on an error, in v). */
static json_t *check_commitment(struct v *v, json_t *m, const char *p)
{
	json_t *x = json_object_get(m, "commitment");
	if (!x || json_is_null(x))
		return NULL;
	const char *q = tb_arena_printf(v->a, "%scommitment", p);
	if (!json_is_object(x))
		return bad(v, q, "expected an object {content, check_days}"), NULL;
	static const char *const keys[] = {"content", "check_days", NULL};
	const char *qp = tb_arena_printf(v->a, "%s.", q);
	only(v, x, qp, keys);
	const char *content = str(v, x, qp, "content", 4, 500, true);
	long days;
	integer(v, x, qp, "check_days", 1, 60, false, 20, &days);
	if (v->err != TB_OK)
		return NULL;
	return json_pack("{s:s, s:i}", "content", content, "check_days", (int)days);
}

/* A conditional material's machine check (optional): the application
 * form's field {name} and the value that makes the material required
 * ({"name": "组成形式", "equals": "家庭经营"}). */
static json_t *check_condition_field(struct v *v, json_t *m, const char *p)
{
	json_t *x = json_object_get(m, "condition_field");
	if (!x || json_is_null(x))
		return NULL;
	const char *q = tb_arena_printf(v->a, "%scondition_field", p);
	if (!json_is_object(x))
		return bad(v, q, "expected an object {name, equals}"), NULL;
	static const char *const keys[] = {"name", "equals", NULL};
	const char *qp = tb_arena_printf(v->a, "%s.", q);
	only(v, x, qp, keys);
	const char *name = str(v, x, qp, "name", 1, 30, true);
	const char *equals = str(v, x, qp, "equals", 1, 200, true);
	if (v->err == TB_OK &&
	    strcmp(json_string_value(json_object_get(m, "required")), "conditional"))
		bad(v, q, "only a conditional material has one");
	if (v->err != TB_OK)
		return NULL;
	return json_pack("{s:s, s:s}", "name", name, "equals", equals);
}

static json_t *check_materials(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "materials");
	if (!x)
		return json_array();
	if (!json_is_array(x) || json_array_size(x) > 100)
		return bad(v, "materials", "expected an array of at most 100 materials"), NULL;
	static const char *const keys[] = {"name",
	                                   "form",
	                                   "required",
	                                   "source",
	                                   "copies",
	                                   "issuing_body",
	                                   "certificate_type",
	                                   "sharing_resource",
	                                   "blank_form",
	                                   "sample",
	                                   "legal_basis",
	                                   "note",
	                                   "sharing_assertion",
	                                   "commitment",
	                                   "originals",
	                                   "media",
	                                   "condition",
	                                   "condition_field",
	                                   NULL};
	static const char *const forms[] = {"original", "copy", "electronic", NULL};
	/* conditional: required only in the situation `condition` states. */
	static const char *const reqs[] = {"required", "optional", "later", "conditional", NULL};
	/* institution: a third party (a hospital, a bank, a forensic
	 * institute), named in issuing_body like a government department. */
	static const char *const sources[] = {"applicant", "government", "institution", NULL};
	static const char *const media[] = {"paper", "electronic", "either", NULL};
	json_t *outs = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(x, i, m)
	{
		const char *p = tb_arena_printf(v->a, "materials[%zu].", i);
		if (!json_is_object(m)) {
			bad(v, tb_arena_printf(v->a, "materials[%zu]", i), "expected an object");
			break;
		}
		only(v, m, p, keys);
		const char *name = str(v, m, p, "name", 2, 100, true);
		unique_name(v, x, i, p, name);
		const char *form = one_of(v, m, p, "form", forms, true);
		const char *req = one_of(v, m, p, "required", reqs, true);
		const char *src = one_of(v, m, p, "source", sources, true);
		long copies;
		integer(v, m, p, "copies", 0, 20, false, 1, &copies);
		const char *issuer = str(v, m, p, "issuing_body", 2, 100, false);
		if (src && strcmp(src, "applicant") != 0 && !issuer)
			bad(v, tb_arena_printf(v->a, "%sissuing_body", p),
			    "required when source is government or institution");
		/* As guides count them: 原件1份、复印件2份 (originals and copies). */
		json_t *originals = NULL;
		if (json_object_get(m, "originals") &&
		    !json_is_null(json_object_get(m, "originals"))) {
			long n;
			integer(v, m, p, "originals", 0, 20, true, 0, &n);
			originals = json_integer(n);
		}
		const char *medium = one_of(v, m, p, "media", media, false);
		const char *condition = str(v, m, p, "condition", 2, 500, false);
		if (v->err == TB_OK && req && !strcmp(req, "conditional") && !condition)
			bad(v, tb_arena_printf(v->a, "%scondition", p),
			    "a conditional material states the situation that needs it");
		json_t *when = v->err == TB_OK ? check_condition_field(v, m, p) : NULL;
		const char *cert = str(v, m, p, "certificate_type", 2, 50, false);
		const char *share = str(v, m, p, "sharing_resource", 2, 100, false);
		/* Verified online at submission: a resource of the sharing
		 * catalog (by its code) and one of its assertions. */
		const char *assertion = str(v, m, p, "sharing_assertion", 1, 40, false);
		for (const char *c = assertion; c && *c && v->err == TB_OK; c++)
			if (!(*c >= 'a' && *c <= 'z') && !(*c >= '0' && *c <= '9') && *c != '_')
				bad(v, tb_arena_printf(v->a, "%ssharing_assertion", p),
				    "expected lower-case letters, digits and _");
		if (assertion && v->err == TB_OK && (!share || !tb_share_code_valid(share)))
			bad(v, tb_arena_printf(v->a, "%ssharing_resource", p),
			    "an online check needs the resource's code");
		const char *blank = str(v, m, p, "blank_form", 1, 500, false);
		const char *sample = str(v, m, p, "sample", 1, 500, false);
		const char *basis = str(v, m, p, "legal_basis", 0, 2000, false);
		const char *note = str(v, m, p, "note", 0, 1000, false);
		json_t *commitment = v->err == TB_OK ? check_commitment(v, m, p) : NULL;
		if (v->err != TB_OK) {
			json_decref(originals);
			json_decref(when);
			break;
		}
		json_t *o = json_object();
		json_object_set_new(o, "name", jstr(name));
		json_object_set_new(o, "form", jstr(form));
		json_object_set_new(o, "required", jstr(req));
		json_object_set_new(o, "source", jstr(src));
		json_object_set_new(o, "copies", json_integer(copies));
		json_object_set_new(o, "issuing_body", jstr(issuer));
		json_object_set_new(o, "certificate_type", jstr(cert));
		json_object_set_new(o, "sharing_resource", jstr(share));
		if (assertion)
			json_object_set_new(o, "sharing_assertion", json_string(assertion));
		json_object_set_new(o, "blank_form", jstr(blank));
		json_object_set_new(o, "sample", jstr(sample));
		json_object_set_new(o, "legal_basis", json_string(basis ? basis : ""));
		json_object_set_new(o, "note", json_string(note ? note : ""));
		if (commitment)
			json_object_set_new(o, "commitment", commitment);
		/* Written only when given: earlier documents stay as they were. */
		if (originals)
			json_object_set_new(o, "originals", originals);
		if (medium)
			json_object_set_new(o, "media", json_string(medium));
		if (condition)
			json_object_set_new(o, "condition", json_string(condition));
		if (when)
			json_object_set_new(o, "condition_field", when);
		json_array_append_new(outs, o);
	}
	if (v->err != TB_OK) {
		json_decref(outs);
		return NULL;
	}
	return outs;
}

/* An item's legal basis (设定依据): one text (as earlier files give it),
 * or a list of entries {law, article, text} (the law or regulation's
 * name, the article as cited, its words), 1 to 50; null when the guide
 * does not state it. */
static json_t *check_legal_basis(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "legal_basis");
	if (!json_is_array(x)) {
		const char *basis = str(v, in, "", "legal_basis", 1, 4000, false);
		return basis ? json_string(basis) : NULL;
	}
	if (json_array_size(x) < 1 || json_array_size(x) > 50)
		return bad(v, "legal_basis",
		           "expected a text, or 1 to 50 entries {law, article, text}"),
		       NULL;
	static const char *const keys[] = {"law", "article", "text", NULL};
	json_t *out = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(x, i, e)
	{
		const char *p = tb_arena_printf(v->a, "legal_basis[%zu].", i);
		if (!json_is_object(e)) {
			bad(v, tb_arena_printf(v->a, "legal_basis[%zu]", i), "expected an object");
			break;
		}
		only(v, e, p, keys);
		const char *law = str(v, e, p, "law", 2, 200, true);
		const char *article = str(v, e, p, "article", 1, 100, false);
		const char *text = str(v, e, p, "text", 1, 2000, false);
		if (v->err != TB_OK)
			break;
		json_array_append_new(out, json_pack("{s:s, s:o, s:o}", "law", law, "article",
		                                     jstr(article), "text", jstr(text)));
	}
	if (v->err != TB_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Where and who (issue #16): several service places, each {name,
 * address, hours, phone}; the accepting window when it is not the
 * deciding department's own ({name, credit_code}: a delegated window in a
 * service hall); and an item implemented by any institution of a class
 * (implemented_by: 辖区内各助产机构). Each written only when given. */
static void check_places(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "places");
	if (x && !json_is_null(x)) {
		if (!json_is_array(x) || json_array_size(x) < 1 || json_array_size(x) > 50) {
			bad(v, "places", "expected 1 to 50 places");
			return;
		}
		static const char *const keys[] = {"name", "address", "hours", "phone", NULL};
		json_t *out = json_array();
		size_t i;
		json_t *pl;
		json_array_foreach(x, i, pl)
		{
			const char *p = tb_arena_printf(v->a, "places[%zu].", i);
			if (!json_is_object(pl)) {
				bad(v, tb_arena_printf(v->a, "places[%zu]", i),
				    "expected an object");
				break;
			}
			only(v, pl, p, keys);
			const char *name = str(v, pl, p, "name", 2, 100, true);
			const char *address = str(v, pl, p, "address", 2, 200, false);
			const char *hours = str(v, pl, p, "hours", 2, 500, false);
			const char *phone = str(v, pl, p, "phone", 3, 40, false);
			if (phone && !phone_shape(phone))
				bad(v, tb_arena_printf(v->a, "%sphone", p),
				    "expected telephone numbers (digits, spaces, -, (), a leading "
				    "+, 转 and"
				    " an extension)");
			if (v->err != TB_OK)
				break;
			json_array_append_new(out, json_pack("{s:s, s:o, s:o, s:o}", "name", name,
			                                     "address", jstr(address), "hours",
			                                     jstr(hours), "phone", jstr(phone)));
		}
		if (v->err != TB_OK) {
			json_decref(out);
			return;
		}
		json_object_set_new(v->out, "places", out);
	}
	json_t *acc = json_object_get(in, "accepting_body");
	if (acc && !json_is_null(acc)) {
		if (!json_is_object(acc)) {
			bad(v, "accepting_body", "expected an object {name, credit_code}");
			return;
		}
		static const char *const keys[] = {"name", "credit_code", NULL};
		only(v, acc, "accepting_body.", keys);
		const char *name = str(v, acc, "accepting_body.", "name", 2, 100, true);
		const char *code = str(v, acc, "accepting_body.", "credit_code", 18, 18, false);
		struct tb_credit cc;
		struct tb_fail cf = {0};
		if (v->err == TB_OK && code && tb_credit_check(code, &cc, &cf) != TB_OK)
			bad(v, "accepting_body.credit_code", "not a valid credit code");
		if (v->err != TB_OK)
			return;
		json_object_set_new(v->out, "accepting_body",
		                    json_pack("{s:s, s:o}", "name", name, "credit_code",
		                              code ? json_string(cc.normalized) : json_null()));
	}
	const char *by = str(v, in, "", "implemented_by", 2, 200, false);
	if (v->err == TB_OK && by)
		json_object_set_new(v->out, "implemented_by", json_string(by));
}

/* Who may apply, as far as a machine can tell (适用对象, optional): rules
 * the application page checks against the applicant's identity number
 * to warn before submission (the conditions' own words stay the law):
 * {"kind": "age", "min", "max" (full years on the day of application,
 * either or both), "sex": "male" | "female" (absent: anyone), "text"}. */
static json_t *check_eligibility(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "eligibility");
	if (!x || json_is_null(x))
		return NULL;
	if (!json_is_array(x) || json_array_size(x) > 10)
		return bad(v, "eligibility", "expected up to 10 rules"), NULL;
	static const char *const keys[] = {"kind", "min", "max", "sex", "text", NULL};
	static const char *const kinds[] = {"age", NULL};
	static const char *const sexes[] = {"male", "female", NULL};
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(x, i, r)
	{
		const char *p = tb_arena_printf(v->a, "eligibility[%zu].", i);
		if (!json_is_object(r)) {
			bad(v, tb_arena_printf(v->a, "eligibility[%zu]", i), "expected an object");
			break;
		}
		only(v, r, p, keys);
		/* null stands for absent (exports write every member). */
		json_t *given = json_copy(r);
		const char *key;
		void *tmp;
		json_t *val;
		json_object_foreach_safe(given, tmp, key, val) if (json_is_null(val))
		    json_object_del(given, key);
		one_of(v, given, p, "kind", kinds, true);
		long lo = -1, hi = -1;
		integer(v, given, p, "min", 0, 150, false, -1, &lo);
		integer(v, given, p, "max", 0, 150, false, -1, &hi);
		const char *sex = one_of(v, given, p, "sex", sexes, false);
		const char *text = str(v, given, p, "text", 2, 200, false);
		/* The strings live in r, which outlives given. */
		sex = sex ? json_string_value(json_object_get(r, "sex")) : NULL;
		text = text ? json_string_value(json_object_get(r, "text")) : NULL;
		json_decref(given);
		if (v->err == TB_OK && lo < 0 && hi < 0)
			bad(v, tb_arena_printf(v->a, "%smin", p), "an age rule needs min or max");
		if (v->err == TB_OK && lo >= 0 && hi >= 0 && hi < lo)
			bad(v, tb_arena_printf(v->a, "%smax", p), "less than min");
		if (v->err != TB_OK)
			break;
		json_t *o = json_pack("{s:s}", "kind", "age");
		json_object_set_new(o, "min", lo >= 0 ? json_integer(lo) : json_null());
		json_object_set_new(o, "max", hi >= 0 ? json_integer(hi) : json_null());
		json_object_set_new(o, "sex", jstr(sex));
		json_object_set_new(o, "text", jstr(text));
		json_array_append_new(out, o);
	}
	if (v->err != TB_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The application form (申请表): its fields, in the order shown. A field's
 * name is the key of its value in a case's form; prefill names what the
 * platform already knows that fills it (see catalog/form.h). */
static json_t *check_form_fields(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "form_fields");
	if (!x || json_is_null(x))
		return NULL;
	if (!json_is_array(x) || json_array_size(x) > 60)
		return bad(v, "form_fields", "expected an array of at most 60 fields"), NULL;
	static const char *const keys[] = {"name",    "type", "required",   "options",
	                                   "min",     "max",  "max_length", "unit",
	                                   "prefill", "help", NULL};
	json_t *outs = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(x, i, d)
	{
		const char *p = tb_arena_printf(v->a, "form_fields[%zu].", i);
		if (!json_is_object(d)) {
			bad(v, tb_arena_printf(v->a, "form_fields[%zu]", i), "expected an object");
			break;
		}
		only(v, d, p, keys);
		const char *name = str(v, d, p, "name", 1, 30, true);
		unique_name(v, x, i, p, name);
		const char *type = one_of(v, d, p, "type", tb_form_types, true);
		json_t *req = json_object_get(d, "required");
		if (req && !json_is_boolean(req))
			bad(v, tb_arena_printf(v->a, "%srequired", p), "expected true or false");
		json_t *options = NULL;
		bool select = type && strcmp(type, "select") == 0;
		if (select)
			options = strings(v, d, p, "options", 2, 50, 1, 50);
		else if (json_object_get(d, "options"))
			bad(v, tb_arena_printf(v->a, "%soptions", p), "only for type select");
		bool numeric = type && (!strcmp(type, "integer") || !strcmp(type, "decimal"));
		long min = 0, max = 0, maxlen = 0;
		bool has_min = json_object_get(d, "min"), has_max = json_object_get(d, "max");
		if ((has_min || has_max) && !numeric)
			bad(v, tb_arena_printf(v->a, "%s%s", p, has_min ? "min" : "max"),
			    "only for types integer and decimal");
		integer(v, d, p, "min", -1000000000L, 1000000000L, false, 0, &min);
		integer(v, d, p, "max", -1000000000L, 1000000000L, false, 0, &max);
		if (v->err == TB_OK && has_min && has_max && max < min)
			bad(v, tb_arena_printf(v->a, "%smax", p), "less than min");
		bool text = type && (!strcmp(type, "text") || !strcmp(type, "textarea"));
		if (json_object_get(d, "max_length") && !text)
			bad(v, tb_arena_printf(v->a, "%smax_length", p),
			    "only for types text and textarea");
		integer(v, d, p, "max_length", 1, 2000, false, 0, &maxlen);
		const char *unit = str(v, d, p, "unit", 1, 10, false);
		const char *prefill = str(v, d, p, "prefill", 1, 80, false);
		if (prefill && !tb_form_prefill_ok(prefill))
			bad(v, tb_arena_printf(v->a, "%sprefill", p),
			    "expected applicant.name, applicant.code, applicant.phone, agent.name,"
			    " agent.code, agent.phone or certificate:TYPE.FIELD");
		const char *help = str(v, d, p, "help", 1, 200, false);
		if (v->err != TB_OK) {
			json_decref(options); /* the choices of a field refused after them */
			break;
		}
		json_t *o = json_object();
		json_object_set_new(o, "name", jstr(name));
		json_object_set_new(o, "type", jstr(type));
		json_object_set_new(o, "required", json_boolean(json_is_true(req)));
		if (options)
			json_object_set_new(o, "options", options);
		if (has_min)
			json_object_set_new(o, "min", json_integer(min));
		if (has_max)
			json_object_set_new(o, "max", json_integer(max));
		if (maxlen)
			json_object_set_new(o, "max_length", json_integer(maxlen));
		if (unit)
			json_object_set_new(o, "unit", json_string(unit));
		if (prefill)
			json_object_set_new(o, "prefill", json_string(prefill));
		if (help)
			json_object_set_new(o, "help", json_string(help));
		json_array_append_new(outs, o);
	}
	if (v->err != TB_OK || !json_array_size(outs)) {
		json_decref(outs);
		return NULL;
	}
	return outs;
}

static json_t *check_steps(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "steps");
	if (!json_is_array(x) || json_array_size(x) < 1 || json_array_size(x) > 30)
		return bad(v, "steps", "expected an array of 1 to 30 steps"), NULL;
	static const char *const keys[] = {"name", "role", "days", NULL};
	json_t *outs = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(x, i, s)
	{
		const char *p = tb_arena_printf(v->a, "steps[%zu].", i);
		if (!json_is_object(s)) {
			bad(v, tb_arena_printf(v->a, "steps[%zu]", i), "expected an object");
			break;
		}
		only(v, s, p, keys);
		const char *name = str(v, s, p, "name", 1, 50, true);
		const char *role = str(v, s, p, "role", 1, 50, true);
		long days;
		integer(v, s, p, "days", 0, 365, true, 0, &days);
		if (v->err != TB_OK)
			break;
		json_array_append_new(outs, json_pack("{s:s, s:s, s:i}", "name", name, "role", role,
		                                      "days", (int)days));
	}
	if (v->err != TB_OK) {
		json_decref(outs);
		return NULL;
	}
	return outs;
}

static bool money(const char *s)
{
	/* "0", "80", "80.5", "80.50": digits, optional 1-2 decimals. */
	size_t n = strlen(s), i = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i > 9)
		return false;
	if (i == n)
		return true;
	if (s[i] != '.' || n - i - 1 < 1 || n - i - 1 > 2)
		return false;
	for (size_t k = i + 1; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return false;
	return true;
}

static json_t *check_fees(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "fees");
	if (!json_is_array(x) || json_array_size(x) > 30)
		return bad(v, "fees", "expected an array of at most 30 fees"), NULL;
	static const char *const keys[] = {"item", "amount_yuan", "basis", "waiver", NULL};
	json_t *outs = json_array();
	size_t i;
	json_t *fe;
	json_array_foreach(x, i, fe)
	{
		const char *p = tb_arena_printf(v->a, "fees[%zu].", i);
		if (!json_is_object(fe)) {
			bad(v, tb_arena_printf(v->a, "fees[%zu]", i), "expected an object");
			break;
		}
		only(v, fe, p, keys);
		const char *item = str(v, fe, p, "item", 1, 100, true);
		const char *amount = str(v, fe, p, "amount_yuan", 1, 13, true);
		if (amount && !money(amount))
			bad(v, tb_arena_printf(v->a, "%samount_yuan", p),
			    "expected an amount in yuan like \"80.00\"");
		const char *basis = str(v, fe, p, "basis", 1, 1000, true);
		const char *waiver = str(v, fe, p, "waiver", 0, 1000, false);
		if (v->err != TB_OK)
			break;
		json_array_append_new(outs, json_pack("{s:s, s:s, s:s, s:s}", "item", item,
		                                      "amount_yuan", amount, "basis", basis,
		                                      "waiver", waiver ? waiver : ""));
	}
	if (v->err != TB_OK) {
		json_decref(outs);
		return NULL;
	}
	return outs;
}

static json_t *check_objects(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "service_objects");
	if (!x || !json_is_array(x) || json_array_size(x) < 1 || json_array_size(x) > 6)
		return bad(v, "service_objects", "expected an array of 1 to 6 codes (1-6)"), NULL;
	size_t i;
	json_t *e;
	int seen = 0;
	json_array_foreach(x, i, e)
	{
		json_int_t k = json_is_integer(e) ? json_integer_value(e) : 0;
		if (k < 1 || k > 6 || (seen & (1 << k)))
			return bad(v, tb_arena_printf(v->a, "service_objects[%zu]", i),
			           "expected a distinct code from 1 to 6"),
			       NULL;
		seen |= 1 << k;
	}
	json_t *out = json_array();
	for (int k = 1; k <= 6; k++)
		if (seen & (1 << k))
			json_array_append_new(out, json_integer(k));
	return out;
}

static json_t *check_channels(struct v *v, json_t *in)
{
	static const char *const names[] = {"window", "web", "mobile", "post"};
	json_t *x = json_object_get(in, "channels");
	if (!x || !json_is_array(x) || json_array_size(x) < 1 || json_array_size(x) > 4)
		return bad(v, "channels", "expected an array of window, web, mobile, post"), NULL;
	int seen = 0;
	size_t i;
	json_t *e;
	json_array_foreach(x, i, e)
	{
		int k = -1;
		for (int n = 0; n < 4 && json_is_string(e); n++)
			if (strcmp(json_string_value(e), names[n]) == 0)
				k = n;
		if (k < 0 || (seen & (1 << k)))
			return bad(v, tb_arena_printf(v->a, "channels[%zu]", i),
			           "expected a distinct one of window, web, mobile, post"),
			       NULL;
		seen |= 1 << k;
	}
	json_t *out = json_array();
	for (int k = 0; k < 4; k++)
		if (seen & (1 << k))
			json_array_append_new(out, json_string(names[k]));
	return out;
}

static json_t *check_result(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "result");
	if (!x || !json_is_object(x))
		return bad(v, "result", "required: {type, name, certificate_type}"), NULL;
	static const char *const keys[] = {"type", "name", "certificate_type", NULL};
	static const char *const types[] = {"certificate", "approval", "document", "other", NULL};
	only(v, x, "result.", keys);
	const char *type = one_of(v, x, "result.", "type", types, true);
	const char *name = str(v, x, "result.", "name", 1, 100, true);
	const char *cert = str(v, x, "result.", "certificate_type", 2, 50, false);
	if (v->err != TB_OK)
		return NULL;
	return json_pack("{s:s, s:s, s:o}", "type", type, "name", name, "certificate_type",
	                 jstr(cert));
}

enum tb_err tb_catalog_check_item(json_t *in, const struct tb_catalog_refs *refs,
                                  const char *prefix, struct tb_arena *a, json_t **out,
                                  struct tb_fail *f)
{
	*out = NULL;
	struct v v = {f, a, prefix, in, json_object(), TB_OK};
	if (!json_is_object(in)) {
		bad(&v, "", "expected an object");
		json_decref(v.out);
		return v.err;
	}
	static const char *const keys[] = {"implementation_code",
	                                   "basic_code",
	                                   "department",
	                                   "use_level",
	                                   "item_type",
	                                   "region",
	                                   "name",
	                                   "conditions",
	                                   "materials",
	                                   "form_fields",
	                                   "steps",
	                                   "statutory_days",
	                                   "promised_days",
	                                   "extension_days",
	                                   "fees",
	                                   "service_objects",
	                                   "case_kind",
	                                   "channels",
	                                   "online_depth",
	                                   "required_visits",
	                                   "visit_reason",
	                                   "cross_region",
	                                   "address",
	                                   "hours",
	                                   "phone",
	                                   "complaint_phone",
	                                   "appeals",
	                                   "result",
	                                   "events",
	                                   "legal_basis",
	                                   "eligibility",
	                                   "places",
	                                   "accepting_body",
	                                   "implemented_by",
	                                   "valid_from",
	                                   "valid_to",
	                                   NULL};
	only(&v, in, "", keys);
	const char *impl = str(&v, in, "", "implementation_code", 31, 31, true);
	const char *basic = str(&v, in, "", "basic_code", 12, 12, true);
	char basic_type[3] = "";
	if (basic && (!all_digits(basic, 12) || !known_type(basic)))
		bad(&v, "basic_code", "expected 12 digits starting with a known item type");
	else if (basic && refs && !refs->basic(refs->ctx, basic, basic_type))
		bad(&v, "basic_code", "no such basic item");
	const char *dept = str(&v, in, "", "department", 18, 18, true);
	char level[12] = "", region[10] = "";
	struct tb_credit cc;
	struct tb_fail cf = {0};
	if (dept && tb_credit_check(dept, &cc, &cf) != TB_OK)
		bad(&v, "department", tb_arena_printf(a, "not a valid credit code: %s", cf.reason));
	else if (dept && refs && !refs->department(refs->ctx, dept, level, region))
		bad(&v, "department", "no such department");
	long use_level;
	integer(&v, in, "", "use_level", 1, 6, true, 0, &use_level);
	if (v.err == TB_OK && refs && tb_catalog_use_level(level) != use_level)
		bad(&v, "use_level",
		    tb_arena_printf(a, "the department is at %s level (%d)", level,
		                    tb_catalog_use_level(level)));
	if (v.err == TB_OK && impl) {
		char want[40];
		snprintf(want, sizeof(want), "%s%ld%s", cc.normalized, use_level, basic);
		if (strcmp(impl, want) != 0)
			bad(&v, "implementation_code",
			    tb_arena_printf(a, "must be department + use level + basic code: %s",
			                    want));
	}
	const char *name = str(&v, in, "", "name", 2, 100, true);
	/* Not stated (null) is not "none": conditions, steps, fees ([] is
	 * free of charge, null is unstated), place, hours, phones and the
	 * legal basis may be unstated; the completeness report lists them. */
	json_t *conditions =
	    unstated(in, "conditions") ? NULL : strings(&v, in, "", "conditions", 1, 50, 2, 1000);
	json_t *materials = v.err == TB_OK ? check_materials(&v, in) : NULL;
	json_t *form_fields = v.err == TB_OK ? check_form_fields(&v, in) : NULL;
	json_t *steps = v.err == TB_OK && !unstated(in, "steps") ? check_steps(&v, in) : NULL;
	long statutory, promised, extension, depth, visits;
	integer(&v, in, "", "statutory_days", 0, 365, true, 0, &statutory);
	integer(&v, in, "", "promised_days", 0, 365, true, 0, &promised);
	if (v.err == TB_OK && promised > statutory)
		bad(&v, "promised_days", "must not exceed statutory_days");
	integer(&v, in, "", "extension_days", 0, 365, false, 0, &extension);
	json_t *fees = v.err == TB_OK && !unstated(in, "fees") ? check_fees(&v, in) : NULL;
	json_t *objects = v.err == TB_OK ? check_objects(&v, in) : NULL;
	static const char *const kinds[] = {"immediate", "promised", NULL};
	const char *kind = one_of(&v, in, "", "case_kind", kinds, true);
	if (kind && strcmp(kind, "immediate") == 0 && promised != 0)
		bad(&v, "promised_days", "an immediate item (即办件) promises 0 days");
	json_t *channels = v.err == TB_OK ? check_channels(&v, in) : NULL;
	integer(&v, in, "", "online_depth", 1, 4, true, 0, &depth);
	integer(&v, in, "", "required_visits", 0, 2, true, 0, &visits);
	if (v.err == TB_OK && depth == 4 && visits != 0)
		bad(&v, "required_visits", "online depth IV (fully online) means zero visits");
	const char *reason = str(&v, in, "", "visit_reason", 2, 200, false);
	if (v.err == TB_OK && visits > 0 && !reason)
		bad(&v, "visit_reason", "required when required_visits is not 0");
	static const char *const scopes[] = {"nationwide", "province", "city",
	                                     "county",     "none",     NULL};
	const char *cross = one_of(&v, in, "", "cross_region", scopes, true);
	const char *address = str(&v, in, "", "address", 2, 200, false);
	const char *hours = str(&v, in, "", "hours", 2, 200, false);
	const char *phone = str(&v, in, "", "phone", 3, 40, false);
	const char *complaint = str(&v, in, "", "complaint_phone", 3, 40, false);
	static const char not_phone[] = "expected telephone numbers (digits, spaces, -, (), a"
	                                " leading +, 转 and an extension)";
	if (phone && !phone_shape(phone))
		bad(&v, "phone", not_phone);
	if (complaint && !phone_shape(complaint))
		bad(&v, "complaint_phone", not_phone);
	json_t *appeals = strings(&v, in, "", "appeals", 1, 10, 2, 500);
	json_t *result = v.err == TB_OK ? check_result(&v, in) : NULL;
	json_t *events = strings(&v, in, "", "events", 0, 20, 1, 20);
	json_t *basis = v.err == TB_OK ? check_legal_basis(&v, in) : NULL;
	json_t *eligibility = v.err == TB_OK ? check_eligibility(&v, in) : NULL;
	const char *from = str(&v, in, "", "valid_from", 10, 10, true);
	const char *to = str(&v, in, "", "valid_to", 10, 10, false);
	int64_t dfrom = 0, dto = 0;
	if (from && !tb_date_parse(from, &dfrom))
		bad(&v, "valid_from", "expected a date YYYY-MM-DD");
	if (to && !tb_date_parse(to, &dto))
		bad(&v, "valid_to", "expected a date YYYY-MM-DD");
	if (v.err == TB_OK && to && dto < dfrom)
		bad(&v, "valid_to", "earlier than valid_from");

	/* Derived members: item_type (of the basic code) and region (of the
	 * department). Exports carry them; when given they must agree. */
	char type[3] = {basic ? basic[0] : 0, basic ? basic[1] : 0, 0};
	const char *given_type = str(&v, in, "", "item_type", 2, 2, false);
	if (v.err == TB_OK && given_type && strcmp(given_type, type) != 0)
		bad(&v, "item_type", "must be the first two digits of basic_code");
	const char *given_region = str(&v, in, "", "region", 6, 9, false);
	if (v.err == TB_OK && given_region && refs && strcmp(given_region, region) != 0)
		bad(&v, "region", "must be the department's region");
	(void)basic_type;
	put(&v, "implementation_code", jstr(impl));
	put(&v, "basic_code", jstr(basic));
	put(&v, "item_type", json_string(type));
	put(&v, "department", jstr(dept));
	put(&v, "region", json_string(refs ? region : (given_region ? given_region : "")));
	put(&v, "use_level", json_integer(use_level));
	put(&v, "name", jstr(name));
	put(&v, "conditions", conditions);
	put(&v, "materials", materials);
	/* Written only when the item has a form: documents and exports of
	 * items without one stay as they were. */
	if (form_fields)
		put(&v, "form_fields", form_fields);
	put(&v, "steps", steps);
	put(&v, "statutory_days", json_integer(statutory));
	put(&v, "promised_days", json_integer(promised));
	put(&v, "extension_days", json_integer(extension));
	put(&v, "fees", fees);
	put(&v, "service_objects", objects);
	put(&v, "case_kind", jstr(kind));
	put(&v, "channels", channels);
	put(&v, "online_depth", json_integer(depth));
	put(&v, "required_visits", json_integer(visits));
	put(&v, "visit_reason", jstr(reason));
	put(&v, "cross_region", jstr(cross));
	put(&v, "address", jstr(address));
	put(&v, "hours", jstr(hours));
	put(&v, "phone", jstr(phone));
	put(&v, "complaint_phone", jstr(complaint));
	put(&v, "appeals", appeals);
	put(&v, "result", result);
	put(&v, "events", events);
	put(&v, "legal_basis", basis);
	/* Written only when given: documents without rules stay as they were. */
	if (eligibility)
		put(&v, "eligibility", eligibility);
	if (v.err == TB_OK)
		check_places(&v, in);
	put(&v, "valid_from", jstr(from));
	put(&v, "valid_to", jstr(to));
	if (v.err != TB_OK) {
		json_decref(v.out);
		return v.err;
	}
	*out = v.out;
	return TB_OK;
}
