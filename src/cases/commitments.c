/* Notification and commitment (see commitments.h). */
#include "cases/commitments.h"
#include "base/date.h"
#include "base/utf8.h"
#include "cases/credit.h"
#include "cases/row.h"
#include "regions/regions.h"
#include "sharing/sharing.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const json_t *tb_commitment_of(const json_t *item, const char *name)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(item, "materials"), i, m)
	{
		const char *n = json_string_value(json_object_get(m, "name"));
		if (name && n && !strcmp(n, name))
			return json_is_object(json_object_get(m, "commitment")) ? m : NULL;
	}
	return NULL;
}

/* The login (identity number or credit code) of account into out[19]. */
static enum tb_err subject_of(struct tb_conn *c, int64_t account, char out[19])
{
	out[0] = '\0';
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row, "SELECT login FROM accounts WHERE id = ?", "i", account);
	if (e == TB_OK && row)
		snprintf(out, 19, "%s", tb_stmt_text(st, 0));
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_commitments_allowed_on(struct tb_conn *c, int64_t applicant, const json_t *item,
                                      const char *materials, struct tb_arena *a, struct tb_fail *f)
{
	json_t *list = json_loads(materials, 0, NULL);
	enum tb_err e = TB_OK;
	bool checked = false;
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		const char *src = json_string_value(json_object_get(m, "source"));
		if (!src || strcmp(src, "commitment") != 0)
			continue;
		const char *field = tb_arena_printf(a, "materials[%zu].source", i);
		if (!tb_commitment_of(item, json_string_value(json_object_get(m, "name")))) {
			e = tb_fail(f, TB_EINVAL, field,
			            "this material cannot be replaced by a commitment: give the "
			            "document");
			break;
		}
		if (checked)
			continue;
		checked = true;
		char subject[19];
		const char *case_no = NULL;
		e = subject_of(c, applicant, subject);
		if (e == TB_OK)
			e = tb_credit_restriction_on(c, subject, a, &case_no);
		if (e == TB_OK && case_no) {
			e = tb_fail(
			    f, TB_EINVAL, field,
			    tb_arena_printf(a,
			                    "the applicant's credit record holds a false "
			                    "commitment (case %s) not yet repaired: give the "
			                    "document",
			                    case_no));
			break;
		}
		if (e != TB_OK)
			break;
	}
	json_decref(list);
	return e;
}

/* Whether the case's list has name given as a commitment. */
static bool committed(json_t *list, const char *name)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		const char *n = json_string_value(json_object_get(m, "name"));
		const char *src = json_string_value(json_object_get(m, "source"));
		if (n && src && !strcmp(n, name) && !strcmp(src, "commitment"))
			return true;
	}
	return false;
}

/* On a resubmission: pending commitments of case_id whose material the
 * list no longer gives as a commitment are dropped. */
static enum tb_err drop_withdrawn(struct tb_conn *c, int64_t case_id, json_t *list)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT id, material FROM case_commitments WHERE case_id = ?"
	                              " AND state = 'pending'",
	                              "i", case_id);
	json_t *gone = json_array();
	while (e == TB_OK && row) {
		if (!committed(list, tb_stmt_text(st, 1)))
			json_array_append_new(gone, json_integer(tb_stmt_int(st, 0)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	size_t i;
	json_t *id;
	json_array_foreach(gone, i, id)
	{
		if (e == TB_OK)
			e = tb_conn_run(c, NULL, "DELETE FROM case_commitments WHERE id = ?", "i",
			                (int64_t)json_integer_value(id));
	}
	json_decref(gone);
	return e;
}

enum tb_err tb_commitments_submit_on(struct tb_conn *c, const struct tb_calendar *cal,
                                     int64_t case_id, int64_t applicant, int64_t submitter,
                                     const json_t *item, const char *materials, bool resubmission,
                                     struct tb_arena *a, struct tb_fail *f)
{
	/* Most cases commit nothing: their lists are not parsed. */
	if (!strstr(materials, "\"commitment\"") && !resubmission)
		return TB_OK;
	enum tb_err e = tb_commitments_allowed_on(c, applicant, item, materials, a, f);
	if (e != TB_OK)
		return e;
	json_t *list = json_loads(materials, 0, NULL);
	if (resubmission)
		e = drop_withdrawn(c, case_id, list);
	char subject[19] = "";
	int64_t now = (int64_t)time(NULL), today = tb_date_today();
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		if (e != TB_OK)
			break;
		if (!committed(list, name ? name : ""))
			continue;
		const json_t *cm = json_object_get(tb_commitment_of(item, name), "commitment");
		if (!subject[0])
			e = subject_of(c, applicant, subject);
		char due[11];
		tb_date_format(
		    tb_calendar_add_workdays(
		        cal, today, (int)json_integer_value(json_object_get(cm, "check_days"))),
		    due);
		if (e == TB_OK)
			e = tb_conn_run(
			    c, NULL,
			    "INSERT INTO case_commitments (case_id, material, content, subject,"
			    " committed_by, committed_at, due_date, state, finding) VALUES (?, ?, "
			    "?, ?, ?,"
			    " ?, ?, 'pending', '') ON CONFLICT (case_id, material) DO NOTHING",
			    "isssiis", case_id, name,
			    json_string_value(json_object_get(cm, "content")), subject, submitter,
			    now, due);
	}
	json_decref(list);
	return e;
}

/* One commitment of the current row of st (the columns of COLS). */
#define COLS                                                                          \
	"k.id, k.material, k.content, k.committed_at, k.due_date, k.state, k.method," \
	" k.finding, k.checked_at, k.last_use_id"

static json_t *row_json(struct tb_stmt *st, const char *today)
{
	const char *state = tb_stmt_text(st, 5), *due = tb_stmt_text(st, 4);
	return json_pack(
	    "{s:I, s:s, s:s, s:I, s:s, s:b, s:s, s:o, s:s, s:o, s:o}", "id",
	    (json_int_t)tb_stmt_int(st, 0), "material", tb_stmt_text(st, 1), "content",
	    tb_stmt_text(st, 2), "committed_at", (json_int_t)tb_stmt_int(st, 3), "due_date", due,
	    "overdue", !strcmp(state, "pending") && strcmp(due, today) < 0, "state", state,
	    "method", tb_stmt_is_null(st, 6) ? json_null() : json_string(tb_stmt_text(st, 6)),
	    "finding", tb_stmt_text(st, 7), "checked_at",
	    tb_stmt_is_null(st, 8) ? json_null() : json_integer(tb_stmt_int(st, 8)), "last_use_id",
	    tb_stmt_is_null(st, 9) ? json_null() : json_integer(tb_stmt_int(st, 9)));
}

json_t *tb_commitments_of_case_on(struct tb_conn *c, int64_t case_id)
{
	char today[11];
	tb_date_format(tb_date_today(), today);
	json_t *out = json_array();
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT " COLS
	                              " FROM case_commitments k WHERE k.case_id = ? ORDER BY k.id",
	                              "i", case_id);
	while (e == TB_OK && row) {
		json_t *x = row_json(st, today);
		if (x)
			json_array_append_new(out, x);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return out;
}

enum tb_err tb_commitments_list(struct tb_store *s, int64_t department, const char *region,
                                const char *state, bool overdue_only, json_t **out)
{
	*out = json_array();
	char today[11];
	tb_date_format(tb_date_today(), today);
	char prefix[10], like[16];
	tb_region_prefix(region && *region ? region : "000000", prefix);
	snprintf(like, sizeof(like), "%s%%", prefix);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	/* Pending ones soonest due first (a work list); others newest first. */
	bool pending = (state && !strcmp(state, "pending")) || overdue_only;
#define LIST_SQL                                                                              \
	"SELECT " COLS ", c.case_no, c.item_name, d.id, d.name FROM case_commitments k JOIN"  \
	" cases c ON c.id = k.case_id JOIN departments d ON d.id = c.department_id WHERE"     \
	" (? = '' OR k.state = ?) AND (? = 0 OR c.department_id = ?) AND c.region LIKE ? AND" \
	" (? = 0 OR (k.state = 'pending' AND k.due_date < ?)) ORDER BY "
	struct tb_stmt *st;
	bool row;
	const char *want = state ? state : "";
	e = tb_conn_query(
	    c, &st, &row,
	    pending ? LIST_SQL "k.due_date, k.id LIMIT 500" : LIST_SQL "k.id DESC LIMIT 500",
	    "ssiisis", want, want, department, department, like, (int64_t)overdue_only, today);
#undef LIST_SQL
	while (e == TB_OK && row) {
		json_t *x = row_json(st, today);
		if (x) {
			json_object_set_new(x, "case_no", json_string(tb_stmt_text(st, 10)));
			json_object_set_new(x, "item_name", json_string(tb_stmt_text(st, 11)));
			json_object_set_new(x, "department",
			                    json_pack("{s:I, s:s}", "id",
			                              (json_int_t)tb_stmt_int(st, 12), "name",
			                              tb_stmt_text(st, 13)));
			json_array_append_new(*out, x);
		}
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* ---- the department's check ---------------------------------------------- */

/* A commitment with its case, as the check needs it. */
struct target {
	int64_t id, case_id, department, applicant, item_version;
	const char *material, *state, *subject, *case_no, *case_state, *item_code, *item_name;
};

static enum tb_err load_target(struct tb_conn *c, const char *case_no, int64_t id,
                               struct tb_arena *a, struct target *t, struct tb_fail *f)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT k.id, k.material, k.state, k.subject, c.id, c.case_no, c.state,"
	    " c.department_id, c.applicant_id, c.item_code, c.item_version, c.item_name FROM"
	    " case_commitments k JOIN cases c ON c.id = k.case_id WHERE k.id = ? AND c.case_no = ?",
	    "is", id, case_no);
	if (e == TB_OK && row) {
		t->id = tb_stmt_int(st, 0);
		t->material = tb_arena_strdup(a, tb_stmt_text(st, 1));
		t->state = tb_arena_strdup(a, tb_stmt_text(st, 2));
		t->subject = tb_arena_strdup(a, tb_stmt_text(st, 3));
		t->case_id = tb_stmt_int(st, 4);
		t->case_no = tb_arena_strdup(a, tb_stmt_text(st, 5));
		t->case_state = tb_arena_strdup(a, tb_stmt_text(st, 6));
		t->department = tb_stmt_int(st, 7);
		t->applicant = tb_stmt_int(st, 8);
		t->item_code = tb_arena_strdup(a, tb_stmt_text(st, 9));
		t->item_version = tb_stmt_int(st, 10);
		t->item_name = tb_arena_strdup(a, tb_stmt_text(st, 11));
	} else if (e == TB_OK) {
		e = tb_fail(f, TB_ENOTFOUND, "id", "no such commitment in this case");
	}
	tb_stmt_reset(st);
	return e;
}

/* Checks the method, outcome and finding of in; the online check's
 * resource and assertion (from the item) into *resource and *assertion. */
static enum tb_err check_input(struct tb_conn *c, const struct target *t,
                               const struct tb_commitment_check *in, struct tb_arena *a,
                               const char **resource, const char **assertion, struct tb_fail *f)
{
	static const char *const methods[] = {"online", "onsite", "assist", "document", NULL};
	bool known = false;
	for (int i = 0; in->method && methods[i]; i++)
		known |= !strcmp(in->method, methods[i]);
	if (!known)
		return tb_fail(f, TB_EINVAL, "method", "one of online, onsite, assist, document");
	size_t n = in->finding ? strlen(in->finding) : 0;
	bool online = !strcmp(in->method, "online");
	if (in->finding && (!tb_utf8_valid(in->finding, n) || tb_utf8_chars(in->finding, n) > 500 ||
	                    (!online && tb_utf8_chars(in->finding, n) < 2)))
		return tb_fail(f, TB_EINVAL, "finding", "2 to 500 characters");
	if (!online && in->outcome < 0)
		return tb_fail(f, TB_EINVAL, "outcome", "true (属实) or false (不实)");
	if (!online && !in->finding)
		return tb_fail(f, TB_EINVAL, "finding", "say what the check found");
	if (online && in->outcome >= 0)
		return tb_fail(f, TB_EINVAL, "outcome",
		               "an online check decides by its answer; a fact that does not hold "
		               "online is decided by another method");
	if (strcmp(t->state, "pending") != 0)
		return tb_fail(f, TB_ECONFLICT, "state",
		               !strcmp(t->state, "true")
		                   ? "this commitment was checked already and holds"
		                   : "this commitment was checked already and found false");
	*resource = *assertion = NULL;
	if (!online)
		return TB_OK;
	json_t *item = tb_case_item_doc_on(c, t->item_code, t->item_version, a);
	const json_t *m = tb_commitment_of(item, t->material);
	const char *res = json_string_value(json_object_get(m, "sharing_resource"));
	const char *as = json_string_value(json_object_get(m, "sharing_assertion"));
	if (res && as) {
		*resource = tb_arena_strdup(a, res);
		*assertion = tb_arena_strdup(a, as);
	}
	json_decref(item);
	if (!*resource)
		return tb_fail(f, TB_EINVAL, "method",
		               "this material names no sharing resource to check online: check "
		               "onsite, by another body's assistance or by a document");
	return TB_OK;
}

/* Writes the outcome of t's check on c in one transaction: state (NULL:
 * stays pending, noting use), the credit record and the applicant's
 * message when false. */
static enum tb_err settle(struct tb_conn *c, const struct tb_ctx *ctx, const struct target *t,
                          const char *state, const char *method, const char *finding, int64_t use,
                          struct tb_arena *a, int64_t *record, struct tb_fail *f)
{
	int64_t now = (int64_t)time(NULL), changed = 0;
	enum tb_err e = tb_conn_begin(c);
	if (e == TB_OK)
		e = state
		        ? tb_conn_run(
		              c, &changed,
		              "UPDATE case_commitments SET state = ?, method = ?, finding ="
		              " ?, checked_by = ?, checked_at = ?, last_use_id ="
		              " COALESCE(?, last_use_id) WHERE id = ? AND state = 'pending'",
		              "sssiiIi", state, method, finding, ctx->who->account_id, now, use,
		              t->id)
		        : tb_conn_run(c, &changed,
		                      "UPDATE case_commitments SET last_use_id = ? WHERE id = ? AND"
		                      " state = 'pending'",
		                      "ii", use, t->id);
	/* Another official's check landed first. */
	if (e == TB_OK && changed == 0)
		e = tb_fail(f, TB_ECONFLICT, "state", "this commitment was checked meanwhile");
	const char *object = tb_arena_printf(a, "case:%s", t->case_no);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "commitment.check", object, "ok");
	if (e == TB_OK && state && !strcmp(state, "false")) {
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(
		    c, &st, &row,
		    "INSERT INTO credit_records (subject, kind, commitment_id, case_no,"
		    " item_name, material, finding, department_id, recorded_by,"
		    " recorded_at) VALUES (?, 'false_commitment', ?, ?, ?, ?, ?, ?, ?, ?)"
		    " RETURNING id",
		    "sissssiii", t->subject, t->id, t->case_no, t->item_name, t->material, finding,
		    t->department, ctx->who->account_id, now);
		if (e == TB_OK && row)
			*record = tb_stmt_int(st, 0);
		tb_stmt_reset(st);
		if (e == TB_OK)
			e = tb_ctx_audit(
			    c, ctx, "credit.record",
			    tb_arena_printf(a, "credit_record:%lld", (long long)*record), "ok");
		/* The applicant learns it in their messages (the notifier). */
		if (e == TB_OK)
			e = tb_conn_run(
			    c, NULL,
			    "INSERT INTO outbox (case_id, case_no, event, state, account_id,"
			    " department_id, created_at) VALUES (?, ?, 'commitment_false', ?,"
			    " ?, ?, ?)",
			    "issiii", t->case_id, t->case_no, t->case_state, t->applicant,
			    t->department, now);
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	return e;
}

enum tb_err tb_commitment_check(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                                int64_t id, const struct tb_commitment_check *in,
                                struct tb_arena *a, json_t **out, struct tb_fail *f)
{
	*out = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct target t;
	memset(&t, 0, sizeof(t));
	const char *resource = NULL, *assertion = NULL;
	e = load_target(c, case_no, id, a, &t, f);
	if (e == TB_OK)
		e = check_input(c, &t, in, a, &resource, &assertion, f);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	const char *state = in->outcome == 1 ? "true" : in->outcome == 0 ? "false" : NULL;
	const char *finding = in->finding;
	int64_t use = 0;
	json_t *holds = NULL;
	if (resource) {
		/* Asked as the case's department, by this official, logged and
		 * shown to the applicant as any other use of their data. */
		json_t *names = json_pack("[s]", assertion), *answer = NULL;
		struct tb_share_query q = {
		    .resource = resource,
		    .subject = t.subject,
		    .purpose = tb_arena_printf(a, "核查告知承诺：%s", t.material),
		    .case_no = t.case_no,
		    .assertions = names,
		};
		e = tb_share_verify(s, ctx, t.department, &q, &answer, a, f);
		json_decref(names);
		if (e != TB_OK)
			return e;
		json_t *r0 = json_array_get(json_object_get(answer, "results"), 0);
		use = (int64_t)json_integer_value(json_object_get(answer, "use_id"));
		holds = json_boolean(json_is_true(json_object_get(r0, "holds")));
		if (json_is_true(holds)) {
			state = "true";
			if (!finding)
				finding = tb_arena_printf(
				    a, "在线核查属实：%s",
				    json_string_value(json_object_get(r0, "label")));
		}
		json_decref(answer);
	}
	int64_t record = 0;
	e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		e = settle(c, ctx, &t, state, in->method, finding ? finding : "", use, a, &record,
		           f);
		tb_store_release(c);
	}
	if (e != TB_OK) {
		json_decref(holds);
		return e;
	}
	*out = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)t.id, "state",
	                 state ? state : "pending", "method", in->method, "finding",
	                 state ? finding : "");
	if (holds) {
		json_object_set_new(*out, "holds", holds);
		json_object_set_new(*out, "data_use_id", json_integer(use));
	}
	if (record)
		json_object_set_new(*out, "credit_record_id", json_integer(record));
	return TB_OK;
}
