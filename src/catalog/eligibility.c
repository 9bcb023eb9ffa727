/* Eligibility rules evaluated for an applicant (see eligibility.h). */
#include "catalog/eligibility.h"
#include "base/date.h"
#include "codes/idnum.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Full years from birth (days) to day. */
static int age_on(int64_t birth, int64_t day)
{
	int by, bm, bd, y, m, d;
	tb_date_to_ymd(birth, &by, &bm, &bd);
	tb_date_to_ymd(day, &y, &m, &d);
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

json_t *tb_eligibility_check(const json_t *rules, const char *code, int64_t today)
{
	struct tb_idnum id;
	if (!json_is_array(rules) || !json_array_size(rules) || !code ||
	    tb_idnum_check(code, &id, NULL) != TB_OK)
		return NULL;
	int age = age_on(id.birth, today);
	const char *sex = id.sex == 'M' ? "male" : "female";
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r)
	{
		const char *want = json_string_value(json_object_get(r, "sex"));
		if (want && strcmp(want, sex) != 0)
			continue;
		json_t *lo = json_object_get(r, "min"), *hi = json_object_get(r, "max");
		bool young = json_is_integer(lo) && age < json_integer_value(lo);
		bool old = json_is_integer(hi) && age > json_integer_value(hi);
		char reason[256] = "";
		const char *who = want ? (id.sex == 'M' ? "（男性）" : "（女性）") : "";
		if (young)
			snprintf(reason, sizeof(reason),
			         "本事项要求年满 %lld 周岁%s；按您的身份证件，您今年 %d 周岁。",
			         (long long)json_integer_value(lo), who, age);
		else if (old)
			snprintf(reason, sizeof(reason),
			         "本事项要求不超过 %lld 周岁%s；按您的身份证件，您今年 %d 周岁。",
			         (long long)json_integer_value(hi), who, age);
		json_t *x = json_deep_copy(r);
		json_object_set_new(x, "holds", json_boolean(!young && !old));
		json_object_set_new(x, "age", json_integer(age));
		json_object_set_new(x, "reason", json_string(reason));
		json_array_append_new(out, x);
	}
	if (!json_array_size(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}
