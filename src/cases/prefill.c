/* Form prefill (see prefill.h). */
#include "cases/prefill.h"
#include "base/date.h"
#include "catalog/form.h"
#include "certs/certs.h"
#include "identity/accounts.h"

#include <string.h>

/* The member of w that a prefill's "name", "code" or "phone" names. */
static const char *member(const struct tb_account *w, const char *what)
{
	if (!strcmp(what, "name"))
		return w->name;
	if (!strcmp(what, "code"))
		return w->login;
	return !strcmp(what, "phone") ? w->phone : NULL;
}

enum tb_err tb_case_prefill_on(struct tb_conn *c, const json_t *fields, int64_t applicant,
                               int64_t agent, json_t *form, struct tb_arena *a)
{
	if (!json_array_size(fields))
		return TB_OK;
	struct tb_account app, ag;
	enum tb_err e = tb_account_get_on(c, applicant, a, &app);
	if (e == TB_OK && agent)
		e = tb_account_get_on(c, agent, a, &ag);
	else
		ag = app;
	char day[11];
	tb_date_format(tb_date_today(), day);
	size_t i;
	const json_t *d;
	json_array_foreach(fields, i, d)
	{
		if (e != TB_OK)
			break;
		const char *name = json_string_value(json_object_get(d, "name"));
		const char *from = json_string_value(json_object_get(d, "prefill"));
		const json_t *have = json_object_get(form, name);
		if (!name || !from || (json_is_string(have) && json_string_length(have)))
			continue;
		const char *value = NULL;
		if (!strncmp(from, "applicant.", 10))
			value = member(&app, from + 10);
		else if (!strncmp(from, "agent.", 6))
			value = member(&ag, from + 6);
		else if (!strncmp(from, "certificate:", 12) && app.identity_proven) {
			const char *dot = strrchr(from, '.');
			const char *type =
			    tb_arena_strndup(a, from + 12, (size_t)(dot - from - 12));
			e = tb_cert_face_on(c, app.login, type, dot + 1, day, a, &value);
			if (e == TB_ENOTFOUND)
				e = TB_OK;
		}
		json_t *v = value && *value ? json_string(value) : NULL;
		if (v && tb_form_value_ok(d, v, a))
			json_object_set_new(form, name, v);
		else
			json_decref(v);
	}
	return e;
}
