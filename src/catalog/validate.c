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
 * (0571) 8799 8412转123, +86 571 87998412, 023—65751638. */
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
			else if (!strncmp(s, "\xe2\x80\x94", 3) || !strncmp(s, "\xef\xbc\x8d", 3))
				s += 2; /* — and －, as guides print them: 023—65751638 */
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
	static const char *const levels[] = {"province", "city", "county", "township", "village"};
	for (int i = 0; i < 5; i++)
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
		/* A guide that lists a material by name only leaves its form,
		 * source and count unstated (null). */
		const char *form = unstated(m, "form") && json_object_get(m, "form")
		                       ? NULL
		                       : one_of(v, m, p, "form", forms, true);
		const char *req = one_of(v, m, p, "required", reqs, true);
		const char *src = unstated(m, "source") && json_object_get(m, "source")
		                      ? NULL
		                      : one_of(v, m, p, "source", sources, true);
		long copies = 1;
		bool no_copies = json_is_null(json_object_get(m, "copies"));
		if (!no_copies)
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
		json_object_set_new(o, "copies", no_copies ? json_null() : json_integer(copies));
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
		/* Written only when given (null too: not stated): earlier
		 * documents stay as they were. */
		if (json_object_get(m, "originals"))
			json_object_set_new(o, "originals", originals ? originals : json_null());
		if (json_object_get(m, "media"))
			json_object_set_new(o, "media", jstr(medium));
		if (json_object_get(m, "condition"))
			json_object_set_new(o, "condition", jstr(condition));
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
	static const char *const keys[] = {"name", "role", "days", "hours", "text", NULL};
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
		const char *name = str(v, s, p, "name", 1, 200, true);
		/* A step's role and time may be unstated (null); its time may be
		 * in hours (1个小时) and its words kept (text). */
		bool no_role = json_is_null(json_object_get(s, "role"));
		const char *role = no_role ? NULL : str(v, s, p, "role", 1, 50, true);
		long days = 0, hours = 0;
		bool no_days = json_is_null(json_object_get(s, "days"));
		if (!no_days)
			integer(v, s, p, "days", 0, 365, true, 0, &days);
		json_t *h = json_object_get(s, "hours");
		if (h && !json_is_null(h))
			integer(v, s, p, "hours", 1, 720, true, 0, &hours);
		const char *text = str(v, s, p, "text", 1, 200, false);
		if (v->err != TB_OK)
			break;
		json_t *o = json_pack("{s:s, s:o, s:o}", "name", name, "role", jstr(role), "days",
		                      no_days ? json_null() : json_integer(days));
		if (h)
			json_object_set_new(o, "hours", hours ? json_integer(hours) : json_null());
		if (json_object_get(s, "text"))
			json_object_set_new(o, "text", jstr(text));
		json_array_append_new(outs, o);
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
	/* Empty: the guide does not say whom it serves. */
	if (!x || !json_is_array(x) || json_array_size(x) > 6)
		return bad(v, "service_objects", "expected an array of up to 6 codes (1-6)"), NULL;
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
	/* Empty: the guide does not say how to apply. */
	if (!x || !json_is_array(x) || json_array_size(x) > 4)
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
	/* A guide may name the kind of result (证照) but not the result. */
	const char *name = json_is_null(json_object_get(x, "name"))
	                       ? NULL
	                       : str(v, x, "result.", "name", 1, 100, true);
	const char *cert = str(v, x, "result.", "certificate_type", 2, 50, false);
	if (v->err != TB_OK)
		return NULL;
	return json_pack("{s:s, s:o, s:o}", "type", type, "name", jstr(name), "certificate_type",
	                 jstr(cert));
}

/* Published codes: letters, digits, - and . (as provinces print them:
 * 3707240501445-000, 230702-08-0-0431). */
static bool code_chars(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '.'))
			return false;
	return *s != '\0';
}

bool tb_catalog_is_key(const char *code)
{
	return code && code[0] == 't' && code[1] == 'b';
}

/* The implementation code: the platform's key for an item whose guide
 * publishes none (tb..., tb_catalog_item_key); a code that claims the
 * national structure (31 characters ending in a 12-digit basic code of a
 * known item type) checked against it: the department's credit code
 * (when published), the use level and the basic code (when given); any
 * other code kept as the province publishes it (the 12-digit part of a
 * local scheme starts with the province's code, not an item type). */
static void check_impl_code(struct v *v, const char *impl, const char *credit, long use_level,
                            const char *basic)
{
	size_t n = strlen(impl);
	if (tb_catalog_is_key(impl)) {
		size_t digits = strspn(impl + 2, "0123456789");
		if ((digits != 6 && digits != 9) || impl[2 + digits] != '-' ||
		    strlen(impl + 3 + digits) != 10 ||
		    strspn(impl + 3 + digits, "0123456789abcdef") != 10)
			bad(v, "implementation_code",
			    "a code starting with tb is the platform's own (tb, region, -, 10 "
			    "hex)");
		return;
	}
	if (n != 31 || !all_digits(impl + 19, 12) || !known_type(impl + 19))
		return; /* a local scheme, as published */
	struct tb_credit cc;
	if (credit) {
		char want[40];
		snprintf(want, sizeof(want), "%s%ld%s", credit, use_level,
		         basic ? basic : impl + 19);
		if (strcmp(impl, want) != 0)
			bad(v, "implementation_code",
			    tb_arena_printf(v->a, "must be department + use level + basic code: %s",
			                    want));
		return;
	}
	char first[19];
	snprintf(first, sizeof(first), "%.18s", impl);
	if (tb_credit_check(first, &cc, NULL) != TB_OK || impl[18] != (char)('0' + use_level) ||
	    (basic && strcmp(impl + 19, basic) != 0))
		bad(v, "implementation_code",
		    "a national code is a credit code + use level + basic code");
}

/* codes: every code the guide prints, as printed, with its label (事项编码,
 * 基本编码, 实施编码): up to 10; written when given. */
static json_t *check_codes(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "codes");
	if (!x)
		return NULL;
	if (!json_is_array(x) || json_array_size(x) > 10)
		return bad(v, "codes", "expected an array of at most 10 {label, code}"), NULL;
	static const char *const keys[] = {"label", "code", NULL};
	json_t *out = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(x, i, e)
	{
		const char *p = tb_arena_printf(v->a, "codes[%zu].", i);
		if (!json_is_object(e)) {
			bad(v, tb_arena_printf(v->a, "codes[%zu]", i), "expected an object");
			break;
		}
		only(v, e, p, keys);
		const char *label = str(v, e, p, "label", 2, 20, true);
		const char *code = str(v, e, p, "code", 1, 64, true);
		if (code && !code_chars(code))
			bad(v, tb_arena_printf(v->a, "%scode", p),
			    "expected letters, digits, - and . as printed");
		if (v->err != TB_OK)
			break;
		json_array_append_new(out, json_pack("{s:s, s:s}", "label", label, "code", code));
	}
	if (v->err != TB_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* source: where the guide was published {url, retrieved, publisher,
 * title}; written when given. */
static json_t *check_source(struct v *v, json_t *in)
{
	json_t *x = json_object_get(in, "source");
	if (!x || json_is_null(x))
		return NULL;
	if (!json_is_object(x))
		return bad(v, "source", "expected {url, retrieved, publisher, title}"), NULL;
	static const char *const keys[] = {"url", "retrieved", "publisher", "title", NULL};
	only(v, x, "source.", keys);
	const char *url = str(v, x, "source.", "url", 10, 500, true);
	if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		bad(v, "source.url", "expected an http or https address");
	const char *day = str(v, x, "source.", "retrieved", 10, 10, true);
	int64_t d;
	if (day && !tb_date_parse(day, &d))
		bad(v, "source.retrieved", "expected a date YYYY-MM-DD");
	const char *publisher = str(v, x, "source.", "publisher", 2, 100, false);
	const char *title = str(v, x, "source.", "title", 2, 200, false);
	if (v->err != TB_OK)
		return NULL;
	return json_pack("{s:s, s:s, s:o, s:o}", "url", url, "retrieved", day, "publisher",
	                 jstr(publisher), "title", jstr(title));
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
	                                   "codes",
	                                   "basic_code",
	                                   "department",
	                                   "department_name",
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
	                                   "promised_hours",
	                                   "time_text",
	                                   "extension_days",
	                                   "fees",
	                                   "service_objects",
	                                   "case_kind",
	                                   "case_kind_condition",
	                                   "channels",
	                                   "online_depth",
	                                   "required_visits",
	                                   "visit_reason",
	                                   "cross_region",
	                                   "joint_part",
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
	                                   "source",
	                                   "valid_from",
	                                   "valid_to",
	                                   NULL};
	only(&v, in, "", keys);
	const char *impl = str(&v, in, "", "implementation_code", 1, 36, true);
	if (impl && !code_chars(impl))
		bad(&v, "implementation_code",
		    "expected letters, digits, - and . as published (at most 36)");
	json_t *codes = v.err == TB_OK ? check_codes(&v, in) : NULL;
	/* Not stated (null): the guide names no basic item of the national
	 * catalog; a local basic code it publishes goes in codes. */
	const char *basic = str(&v, in, "", "basic_code", 12, 12, false);
	char basic_type[3] = "";
	if (basic && (!all_digits(basic, 12) || !known_type(basic)))
		bad(&v, "basic_code", "expected 12 digits starting with a known item type");
	else if (basic && refs && !refs->basic(refs->ctx, basic, basic_type))
		bad(&v, "basic_code", "no such basic item");
	/* The department's credit code, or the platform's key for a department
	 * whose code its guide does not publish (tb_catalog_dept_key). */
	const char *dept = str(&v, in, "", "department", 18, 18, true);
	char level[12] = "", region[10] = "";
	struct tb_credit cc = {0};
	struct tb_fail cf = {0};
	bool dept_key = dept && tb_catalog_is_key(dept);
	if (dept && !dept_key && tb_credit_check(dept, &cc, &cf) != TB_OK)
		bad(&v, "department", tb_arena_printf(a, "not a valid credit code: %s", cf.reason));
	else if (dept && refs && !refs->department(refs->ctx, dept, level, region))
		bad(&v, "department", "no such department");
	const char *dept_name = str(&v, in, "", "department_name", 2, 100, false);
	long use_level;
	integer(&v, in, "", "use_level", 1, 6, true, 0, &use_level);
	if (v.err == TB_OK && refs && tb_catalog_use_level(level) != use_level)
		bad(&v, "use_level",
		    tb_arena_printf(a, "the department is at %s level (%d)", level,
		                    tb_catalog_use_level(level)));
	if (v.err == TB_OK && impl)
		check_impl_code(&v, impl, dept_key ? NULL : cc.normalized, use_level, basic);
	const char *name = str(&v, in, "", "name", 2, 100, true);
	/* Not stated (null) is not "none": conditions, steps, fees ([] is
	 * free of charge, null is unstated), place, hours, phones and the
	 * legal basis may be unstated; the completeness report lists them. */
	json_t *conditions =
	    unstated(in, "conditions") ? NULL : strings(&v, in, "", "conditions", 1, 50, 2, 1000);
	json_t *materials = v.err == TB_OK && !json_is_null(json_object_get(in, "materials"))
	                        ? check_materials(&v, in)
	                        : NULL;
	json_t *form_fields = v.err == TB_OK ? check_form_fields(&v, in) : NULL;
	json_t *steps = v.err == TB_OK && !unstated(in, "steps") ? check_steps(&v, in) : NULL;
	/* Time as written: working days, or not stated (null: a guide that
	 * says 无时限 or nothing); a promise in hours (1小时) beside them; the
	 * words of the guide kept in time_text. */
	long statutory = 0, promised = 0, extension = 0, depth = 0, visits = 0, promise_hours = 0;
	bool no_statutory = json_is_null(json_object_get(in, "statutory_days")),
	     no_promised = json_is_null(json_object_get(in, "promised_days")),
	     no_extension = json_is_null(json_object_get(in, "extension_days"));
	if (!no_statutory)
		integer(&v, in, "", "statutory_days", 0, 365, true, 0, &statutory);
	if (!no_promised)
		integer(&v, in, "", "promised_days", 0, 365, true, 0, &promised);
	if (v.err == TB_OK && !no_statutory && !no_promised && promised > statutory)
		bad(&v, "promised_days", "must not exceed statutory_days");
	bool has_hours = json_object_get(in, "promised_hours") &&
	                 !json_is_null(json_object_get(in, "promised_hours"));
	if (has_hours)
		integer(&v, in, "", "promised_hours", 1, 72, true, 0, &promise_hours);
	const char *time_text = str(&v, in, "", "time_text", 2, 500, false);
	if (!no_extension)
		integer(&v, in, "", "extension_days", 0, 365, false, 0, &extension);
	json_t *fees = v.err == TB_OK && !unstated(in, "fees") ? check_fees(&v, in) : NULL;
	json_t *objects = v.err == TB_OK ? check_objects(&v, in) : NULL;
	/* either: immediate in some situations, promised in others (即办件、
	 * 承诺件), with the situation that decides. An immediate item promises
	 * at most one working day (即办件, 承诺时限 1个工作日, as guides say). */
	static const char *const kinds[] = {"immediate", "promised", "either", NULL};
	const char *kind =
	    unstated(in, "case_kind") ? NULL : one_of(&v, in, "", "case_kind", kinds, true);
	if (kind && strcmp(kind, "immediate") == 0 && !no_promised && promised > 1)
		bad(&v, "promised_days", "an immediate item (即办件) promises at most 1 day");
	const char *kind_when = str(&v, in, "", "case_kind_condition", 2, 200, false);
	if (v.err == TB_OK && kind && strcmp(kind, "either") == 0 && !kind_when)
		bad(&v, "case_kind_condition",
		    "required for either: the situation that makes it immediate or promised");
	json_t *channels = v.err == TB_OK ? check_channels(&v, in) : NULL;
	bool no_depth = json_is_null(json_object_get(in, "online_depth")),
	     no_visits = json_is_null(json_object_get(in, "required_visits"));
	if (!no_depth)
		integer(&v, in, "", "online_depth", 1, 4, true, 0, &depth);
	if (!no_visits)
		integer(&v, in, "", "required_visits", 0, 2, true, 0, &visits);
	if (v.err == TB_OK && !no_depth && !no_visits && depth == 4 && visits != 0)
		bad(&v, "required_visits", "online depth IV (fully online) means zero visits");
	const char *reason = str(&v, in, "", "visit_reason", 2, 200, false);
	if (v.err == TB_OK && !no_visits && visits > 0 && !reason &&
	    !json_is_null(json_object_get(in, "visit_reason")))
		bad(&v, "visit_reason", "required when required_visits is not 0");
	static const char *const scopes[] = {"nationwide", "province", "city", "county",
	                                     "township",   "none",     NULL};
	const char *cross =
	    unstated(in, "cross_region") ? NULL : one_of(&v, in, "", "cross_region", scopes, true);
	/* 多地联办: the part of the service done at the platform of another
	 * province (e.g. the leaving province's 户口迁出), named by the
	 * national basic item that does it there (same item, same code). */
	json_t *joint = NULL, *jp = json_object_get(in, "joint_part");
	static const char *const joint_keys[] = {"basic_code", "name", NULL};
	if (jp && !json_is_null(jp) && !json_is_object(jp))
		bad(&v, "joint_part", "expected an object {basic_code, name}");
	else if (jp && !json_is_null(jp) && only(&v, jp, "joint_part.", joint_keys)) {
		const char *jb = str(&v, jp, "joint_part.", "basic_code", 12, 12, true);
		if (jb && (!all_digits(jb, 12) || !known_type(jb)))
			bad(&v, "joint_part.basic_code",
			    "expected 12 digits starting with a known item type");
		const char *jn = str(&v, jp, "joint_part.", "name", 2, 200, true);
		if (jb && jn)
			joint = json_pack("{s:s, s:s}", "basic_code", jb, "name", jn);
	}
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
	json_t *appeals =
	    unstated(in, "appeals") ? NULL : strings(&v, in, "", "appeals", 1, 10, 2, 500);
	json_t *result = v.err == TB_OK && !unstated(in, "result") ? check_result(&v, in) : NULL;
	json_t *events = strings(&v, in, "", "events", 0, 20, 1, 20);
	json_t *basis = v.err == TB_OK ? check_legal_basis(&v, in) : NULL;
	json_t *eligibility = v.err == TB_OK ? check_eligibility(&v, in) : NULL;
	json_t *source = v.err == TB_OK ? check_source(&v, in) : NULL;
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
	 * department). Exports carry them; when given they must agree. Without
	 * a basic code the item type is as the guide states it, or not stated. */
	char type[3] = {basic ? basic[0] : 0, basic ? basic[1] : 0, 0};
	const char *given_type = NULL;
	if (basic) {
		given_type = str(&v, in, "", "item_type", 2, 2, false);
		if (v.err == TB_OK && given_type && strcmp(given_type, type) != 0)
			bad(&v, "item_type", "must be the first two digits of basic_code");
	} else if (!unstated(in, "item_type")) {
		given_type = one_of(&v, in, "", "item_type", item_types, true);
	}
	const char *given_region = str(&v, in, "", "region", 6, 9, false);
	if (v.err == TB_OK && given_region && refs && strcmp(given_region, region) != 0)
		bad(&v, "region", "must be the department's region");
	(void)basic_type;
	put(&v, "implementation_code", jstr(impl));
	if (codes)
		put(&v, "codes", codes);
	put(&v, "basic_code", jstr(basic));
	put(&v, "item_type", basic ? json_string(type) : jstr(given_type));
	put(&v, "department", jstr(dept));
	if (json_object_get(in, "department_name"))
		put(&v, "department_name", jstr(dept_name));
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
	put(&v, "statutory_days", no_statutory ? NULL : json_integer(statutory));
	put(&v, "promised_days", no_promised ? NULL : json_integer(promised));
	/* Written only when given: earlier documents stay as they were. */
	if (json_object_get(in, "promised_hours"))
		put(&v, "promised_hours", has_hours ? json_integer(promise_hours) : NULL);
	if (json_object_get(in, "time_text"))
		put(&v, "time_text", jstr(time_text));
	put(&v, "extension_days", no_extension ? NULL : json_integer(extension));
	put(&v, "fees", fees);
	put(&v, "service_objects", objects);
	put(&v, "case_kind", jstr(kind));
	if (json_object_get(in, "case_kind_condition"))
		put(&v, "case_kind_condition", jstr(kind_when));
	put(&v, "channels", channels);
	put(&v, "online_depth", no_depth ? NULL : json_integer(depth));
	put(&v, "required_visits", no_visits ? NULL : json_integer(visits));
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
	if (joint && v.err == TB_OK)
		put(&v, "joint_part", joint);
	else
		json_decref(joint);
	if (v.err == TB_OK)
		check_places(&v, in);
	if (source)
		put(&v, "source", source);
	put(&v, "valid_from", jstr(from));
	put(&v, "valid_to", jstr(to));
	if (v.err != TB_OK) {
		json_decref(v.out);
		return v.err;
	}
	*out = v.out;
	return TB_OK;
}
