/* The transition table, parsed once from the built-in transitions.tsv. */
#include "cases/machine.h"
#include "base/asset.h"
#include "base/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_ROWS 128

struct row {
	char from[24], event[24], role[24], to[24];
};

static struct row rows[MAX_ROWS];
static int nrows;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void add_row(char *line, void *ctx)
{
	(void)ctx;
	if (nrows >= MAX_ROWS)
		return;
	struct row *r = &rows[nrows];
	if (sscanf(line, "%23[^\t]\t%23[^\t]\t%23[^\t]\t%23s", r->from, r->event, r->role, r->to) ==
	    4)
		nrows++;
	else
		tb_log_error("cases", "transition line skipped");
}

static void load(void)
{
	const struct tb_asset *a = tb_asset_find("src/cases/transitions.tsv");
	if (a)
		tb_asset_lines(a, add_row, NULL);
	else
		tb_log_error("cases", "transition table missing: no case can move");
}

bool tb_machine_row(int i, const char **from, const char **event, const char **role,
                    const char **to)
{
	pthread_once(&once, load);
	if (i < 0 || i >= nrows)
		return false;
	*from = rows[i].from;
	*event = rows[i].event;
	*role = rows[i].role;
	*to = rows[i].to;
	return true;
}

bool tb_machine_event_known(const char *event)
{
	pthread_once(&once, load);
	for (int i = 0; i < nrows; i++)
		if (strcmp(rows[i].event, event) == 0)
			return true;
	return false;
}

enum tb_err tb_machine_next(const char *from, const char *event, const struct tb_principal *p,
                            const struct tb_authz_object *o, const char **to)
{
	pthread_once(&once, load);
	*to = NULL;
	char action[40];
	snprintf(action, sizeof(action), "case.%s", event);
	bool possible = false;
	enum tb_err why = TB_EDENIED;
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		if (strcmp(r->from, from) != 0 || strcmp(r->event, event) != 0)
			continue;
		if (strcmp(r->role, "system") == 0) {
			if (!p) { /* the platform itself */
				*to = r->to;
				return TB_OK;
			}
			continue;
		}
		if (!p)
			continue;
		possible = true;
		const char *role = strcmp(r->role, "applicant") == 0 ? "person" : r->role;
		enum tb_err e = tb_authz_as(p, role, action, o);
		if (e == TB_OK) {
			*to = r->to;
			return TB_OK;
		}
		if (e == TB_EUNAUTH)
			why = TB_EUNAUTH;
	}
	return (possible && p) ? why : TB_ECONFLICT;
}

int tb_machine_allowed(const char *from, const struct tb_principal *p,
                       const struct tb_authz_object *o, const char **out, int max)
{
	pthread_once(&once, load);
	int n = 0;
	for (int i = 0; i < nrows && n < max; i++) {
		const struct row *r = &rows[i];
		if (strcmp(r->from, from) != 0 || strcmp(r->role, "system") == 0)
			continue;
		bool seen = false;
		for (int k = 0; k < n; k++)
			seen |= strcmp(out[k], r->event) == 0;
		const char *to;
		if (!seen && tb_machine_next(from, r->event, p, o, &to) == TB_OK)
			out[n++] = r->event;
	}
	return n;
}
