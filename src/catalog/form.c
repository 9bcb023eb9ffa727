/* Application forms (see form.h). The checks are the ones a paper form's
 * clerk makes: the identity number and credit code by their check
 * characters, phone numbers by their national shapes, dates that exist. */
#include "catalog/form.h"
#include "base/date.h"
#include "base/utf8.h"
#include "codes/credit.h"
#include "codes/idnum.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tb_form_types[] = {"text",        "textarea", "integer", "decimal",
                                     "date",        "select",   "phone",   "id_number",
                                     "credit_code", "email",    NULL};

bool tb_form_prefill_ok(const char *p)
{
	static const char *const known[] = {"applicant.name",
	                                    "applicant.code",
	                                    "applicant.phone",
	                                    "agent.name",
	                                    "agent.code",
	                                    "agent.phone",
	                                    NULL};
	for (int i = 0; known[i]; i++)
		if (strcmp(p, known[i]) == 0)
			return true;
	/* certificate:TYPE.FIELD: a type name of 2 or more bytes, then a face
	 * field key of lower-case letters, digits and underscores. */
	if (strncmp(p, "certificate:", 12) != 0)
		return false;
	const char *dot = strrchr(p + 12, '.');
	if (!dot || dot - (p + 12) < 2 || !dot[1])
		return false;
	for (const char *k = dot + 1; *k; k++)
		if (!(islower((unsigned char)*k) || isdigit((unsigned char)*k) || *k == '_'))
			return false;
	return tb_utf8_is_line(p, strlen(p));
}

/* Whether s is -?DIGITS(.DIGITS)? with at most 12 integer digits and at
 * most decimals fraction digits; the value in *out. */
static bool number(const char *s, int decimals, double *out)
{
	const char *q = s + (*s == '-');
	size_t whole = strspn(q, "0123456789");
	if (whole < 1 || whole > 12)
		return false;
	q += whole;
	if (*q == '.') {
		size_t frac = strspn(q + 1, "0123456789");
		if (frac < 1 || (int)frac > decimals)
			return false;
		q += 1 + frac;
	}
	if (*q)
		return false;
	*out = strtod(s, NULL);
	return true;
}

/* A mainland mobile number (11 digits from 13-19) or a landline with its
 * area code (0 + 9 to 11 digits), spaces and hyphens ignored. */
static bool phone(const char *s)
{
	char d[24];
	size_t n = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (!isdigit((unsigned char)*s) || n + 1 >= sizeof(d))
			return false;
		d[n++] = *s;
	}
	d[n] = '\0';
	if (n == 11 && d[0] == '1' && d[1] >= '3')
		return true;
	return d[0] == '0' && n >= 10 && n <= 12;
}

static bool email(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 100)
		return false;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Checks one value v of field d (named name); the reason on refusal. */
static const char *check_value(const json_t *d, const json_t *v, struct tb_arena *a)
{
	const char *type = json_string_value(json_object_get(d, "type"));
	bool numeric = !strcmp(type, "integer") || !strcmp(type, "decimal");
	char buf[64];
	const char *s = json_string_value(v);
	if (numeric && json_is_number(v)) {
		if (json_is_integer(v))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		else
			snprintf(buf, sizeof(buf), "%.2f", json_real_value(v));
		s = buf;
	}
	if (!s)
		return "expected text";
	size_t n = strlen(s);
	if (!strcmp(type, "text") || !strcmp(type, "textarea")) {
		bool line = !strcmp(type, "text");
		json_int_t max = json_integer_value(json_object_get(d, "max_length"));
		if (!max)
			max = line ? 100 : 1000;
		if (line ? !tb_utf8_is_line(s, n) : !tb_utf8_valid(s, n))
			return line ? "expected one line of text" : "expected text";
		if ((json_int_t)tb_utf8_chars(s, n) > max)
			return tb_arena_printf(a, "expected at most %s characters",
			                       tb_arena_printf(a, "%lld", (long long)max));
		return NULL;
	}
	if (numeric) {
		double x;
		bool whole = !strcmp(type, "integer");
		if (!number(s, whole ? 0 : 2, &x))
			return whole ? "expected a whole number"
			             : "expected a number with at most two decimals";
		const json_t *lo = json_object_get(d, "min"), *hi = json_object_get(d, "max");
		if (lo && x < (double)json_integer_value(lo))
			return tb_arena_printf(
			    a, "expected at least %s",
			    tb_arena_printf(a, "%lld", (long long)json_integer_value(lo)));
		if (hi && x > (double)json_integer_value(hi))
			return tb_arena_printf(
			    a, "expected at most %s",
			    tb_arena_printf(a, "%lld", (long long)json_integer_value(hi)));
		return NULL;
	}
	if (!strcmp(type, "date")) {
		int64_t day;
		return n == 10 && tb_date_parse(s, &day) ? NULL : "expected a date YYYY-MM-DD";
	}
	if (!strcmp(type, "select")) {
		size_t i;
		const json_t *o;
		json_array_foreach(json_object_get(d, "options"), i, o)
		{
			if (strcmp(json_string_value(o), s) == 0)
				return NULL;
		}
		return "expected one of the listed choices";
	}
	if (!strcmp(type, "phone"))
		return phone(s) ? NULL : "expected a mobile or landline number";
	if (!strcmp(type, "email"))
		return email(s) ? NULL : "expected an email address";
	struct tb_fail f = {0};
	if (!strcmp(type, "id_number")) {
		struct tb_idnum id;
		return tb_idnum_check(s, &id, &f) == TB_OK ? NULL : tb_arena_strdup(a, f.reason);
	}
	if (!strcmp(type, "credit_code")) {
		struct tb_credit cc;
		return tb_credit_check(s, &cc, &f) == TB_OK ? NULL : tb_arena_strdup(a, f.reason);
	}
	return "unknown field type";
}

bool tb_form_value_ok(const json_t *field, const json_t *value, struct tb_arena *a)
{
	return check_value(field, value, a) == NULL;
}

enum tb_err tb_form_check(const json_t *fields, const json_t *form, bool complete,
                          struct tb_arena *a, struct tb_fail *f)
{
	size_t i;
	const json_t *d;
	json_array_foreach(fields, i, d)
	{
		const char *name = json_string_value(json_object_get(d, "name"));
		const json_t *v = json_object_get(form, name);
		bool empty = !v || json_is_null(v) || (json_is_string(v) && !json_string_length(v));
		const char *why = NULL;
		if (empty)
			why = complete && json_is_true(json_object_get(d, "required")) ? "required"
			                                                               : NULL;
		else
			why = check_value(d, v, a);
		if (why)
			return tb_fail(f, TB_EINVAL, tb_arena_printf(a, "form.%s", name), why);
	}
	return TB_OK;
}
