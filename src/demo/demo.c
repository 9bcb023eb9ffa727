/* The demo seed (see demo.h). Department credit codes are built from the
 * region and a serial with both check characters computed, so they are
 * valid GB 32100 codes (registration department 1, category 1: 机关). */
#include "demo/demo.h"
#include "demo/sets.h"
#include "app/app.h"
#include "base/asset.h"
#include "base/log.h"
#include "catalog/exchange.h"
#include "codes/credit.h"
#include "identity/accounts.h"
#include "identity/authz.h"
#include "identity/centres.h"
#include "identity/departments.h"
#include "identity/sessions.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static const struct tb_demo_dept zj_departments[] = {
    {"浙江省市场监督管理局", "330000", "province", "market"},
    {"浙江省人力资源和社会保障厅", "330000", "province", "hrss"},
    {"浙江省公安厅", "330000", "province", "police"},
    {"杭州市市场监督管理局", "330100", "city", "market"},
    {"杭州市民政局", "330100", "city", "civil"},
    {"杭州市公安局", "330100", "city", "police"},
    {"杭州市卫生健康委员会", "330100", "city", "health"},
    {"杭州市规划和自然资源局", "330100", "city", "land"},
    {"杭州市西湖区政务服务中心", "330106", "county", "centre"},
    {"杭州市西湖区市场监督管理局", "330106", "county", "market"},
    {"杭州市西湖区民政局", "330106", "county", "civil"},
    {"杭州市西湖区人力资源和社会保障局", "330106", "county", "hrss"},
    {"杭州市上城区市场监督管理局", "330102", "county", "market"},
    {"杭州市拱墅区市场监督管理局", "330105", "county", "market"},
    {"杭州市余杭区市场监督管理局", "330110", "county", "market"},
};

/* Staff: a person and one role, in a department (index above) or over a
 * region. */
static const struct tb_demo_staff zj_staff[] = {
    {"王窗口", "330106198808081015", "13800000001", "window_clerk", 8, NULL},
    {"赵审核", "330106198707072021", "13800000002", "reviewer", 9, NULL},
    {"钱审批", "330106198606063011", "13800000003", "approver", 9, NULL},
    {"孙目录", "330102198505054022", "13800000004", "catalog_manager", -1, "330100"},
    {"周共享", "330105198404045011", "13800000005", "sharing_officer", 5, NULL},
    {"吴监督", "330106198303036024", "13800000006", "supervisor", -1, "330000"},
    {"郑管理", "330106198202027014", "13800000007", "admin", -1, "330000"},
    {"冯登记", "330106198910103022", "13800000008", "reviewer", 10, NULL},
    {"陈民政", "33010619871111401X", "13800000009", "approver", 10, NULL},
    {"褚户政", "330102198612125025", "13800000010", "reviewer", 5, NULL},
    {"卫户籍", "33010519850101601X", "13800000011", "approver", 5, NULL},
};

static const struct tb_demo_person zj_citizens[] = {
    {"张三", "33010619900101123X", "13900000001"},
    {"李四", "330106198505052313", "13900000002"},
    {"王五", "330102199203154022", "13900000003"},
};

/* Businesses of the business registry (市场主体登记信息) and their legal
 * representatives; the first two are registered on the platform with
 * their representative as agent, the last is left for the demo to show
 * registering a business (by 王五). */
static const struct tb_demo_business zj_businesses[] = {
    {"杭州西湖示例科技有限公司", "91330106MA2H3K7L3H", 1, true},
    {"杭州上城示例餐饮店", "92330102MA2J8N4P4Q", 2, true},
    {"杭州西湖示例文化有限公司", "91330106024899997A", 2, false},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
const struct tb_demo_set tb_demo_zhejiang = {
    "330000",    zj_departments, N(zj_departments), zj_staff,         N(zj_staff),
    zj_citizens, N(zj_citizens), zj_businesses,     N(zj_businesses), "data/demo/catalog.json",
    true,
};

/* 11 + region + an 8-digit body + both check characters. */
static void dept_code(const char *region, int serial, char out[19])
{
	char body[12], first17[18];
	snprintf(body, sizeof(body), "%08d", (2480000 + serial * 1031) % 100000000);
	char org = tb_credit_org_check_char(body);
	snprintf(first17, sizeof(first17), "11%s%s%c", region, body, org);
	snprintf(out, 19, "%s%c", first17, tb_credit_check_char(first17));
}

static enum tb_err has_departments(struct tb_store *s, bool *yes)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM departments", "");
	*yes = e == TB_OK && row && tb_stmt_int(st, 0) > 0;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

static enum tb_err set_meta(struct tb_store *s, const char *key, const char *value)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_conn_run(c, NULL,
	                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
	                " DO UPDATE SET value = excluded.value",
	                "ss", key, value);
	tb_store_release(c);
	return e;
}

static enum tb_err fail(const char *what, const struct tb_fail *f, enum tb_err e)
{
	tb_log_error("demo", "%s: %s %s", what, f->field ? f->field : "",
	             f->reason ? f->reason : tb_err_message(e));
	return e;
}

enum tb_err tb_demo_seed(struct tb_app *app, const char *province)
{
	const struct tb_demo_set *set = !province || strcmp(province, "330000") == 0
	                                    ? &tb_demo_zhejiang
	                                : strcmp(province, "440000") == 0 ? &tb_demo_guangdong
	                                                                  : NULL;
	if (!set) {
		tb_log_error("demo", "no demo data for province %s (330000 or 440000)", province);
		return TB_EINVAL;
	}
	const struct tb_demo_dept *departments = set->departments;
	const struct tb_demo_staff *staff = set->staff;
	const struct tb_demo_person *citizens = set->citizens;
	const struct tb_demo_business *businesses = set->businesses;
	struct tb_store *s = app->store;
	bool seeded;
	enum tb_err e = has_departments(s, &seeded);
	if (e != TB_OK || seeded)
		return e;
	struct tb_principal system = {.kind = TB_ANON};
	struct tb_ctx ctx = {&system, "cli", "demo"};
	struct tb_fail f = {0};

	int64_t dept_ids[64];
	for (size_t i = 0; i < set->ndepartments; i++) {
		char code[19];
		dept_code(departments[i].region, (int)i, code);
		e = tb_department_create(s, app->regions, &ctx, departments[i].name, code,
		                         departments[i].region, departments[i].level,
		                         departments[i].sector, &dept_ids[i], &f);
		if (e != TB_OK)
			return fail(departments[i].name, &f, e);
	}
	/* The population registry knows the demo people (online checks), the
	 * staff too: their identities are proven like anyone's. */
	for (size_t i = 0; i < set->ncitizens; i++)
		if ((e = tb_registry_put(s, citizens[i].id_number, citizens[i].name, "demo")) !=
		    TB_OK)
			return e;
	for (size_t i = 0; i < set->nstaff; i++)
		if ((e = tb_registry_put(s, staff[i].id_number, staff[i].name, "demo")) != TB_OK)
			return e;
	int64_t citizen_ids[64];
	for (size_t i = 0; i < set->ncitizens; i++) {
		struct tb_person_new p = {citizens[i].name, citizens[i].id_number, TB_DEMO_PASSWORD,
		                          citizens[i].phone};
		if ((e = tb_person_register(s, &ctx, &p, &citizen_ids[i], &f)) != TB_OK)
			return fail(citizens[i].name, &f, e);
	}
	for (size_t i = 0; i < set->nstaff; i++) {
		struct tb_person_new p = {staff[i].name, staff[i].id_number, TB_DEMO_PASSWORD,
		                          staff[i].phone};
		int64_t id, grant;
		if ((e = tb_person_register(s, &ctx, &p, &id, &f)) != TB_OK)
			return fail(staff[i].name, &f, e);
		int64_t dept = staff[i].department >= 0 ? dept_ids[staff[i].department] : 0;
		e = tb_role_grant(s, app->regions, &ctx, id, staff[i].role, dept, staff[i].region,
		                  &grant, &f);
		if (e != TB_OK)
			return fail(staff[i].role, &f, e);
	}
	/* Each service centre's window receives the items of the departments of
	 * its region and above (a county centre takes city and province items
	 * too), not those of other counties. */
	for (size_t i = 0; i < set->ndepartments; i++) {
		if (strcmp(departments[i].sector, "centre") != 0)
			continue;
		for (size_t k = 0; k < set->ndepartments; k++)
			if (k != i &&
			    tb_region_covers(departments[k].region, departments[i].region) &&
			    (e = tb_centre_receive(s, &ctx, dept_ids[i], dept_ids[k], true, &f)) !=
			        TB_OK)
				return fail(departments[k].name, &f, e);
	}
	/* The business registry knows the demo businesses (registration needs
	 * their legal representative). */
	for (size_t i = 0; i < set->nbusinesses; i++)
		if ((e = tb_business_registry_put(s, businesses[i].credit_code, businesses[i].name,
		                                  citizens[businesses[i].agent].id_number,
		                                  citizens[businesses[i].agent].name, "demo")) !=
		    TB_OK)
			return e;
	for (size_t i = 0; i < set->nbusinesses; i++) {
		if (!businesses[i].on_platform)
			continue;
		struct tb_principal agent = {.kind = TB_PERSON,
		                             .account_id = citizen_ids[businesses[i].agent]};
		struct tb_ctx as = {&agent, "cli", "demo"};
		int64_t id;
		e = tb_org_register(s, &as, businesses[i].name, businesses[i].credit_code, &id, &f);
		if (e != TB_OK)
			return fail(businesses[i].name, &f, e);
	}
	/* The demo catalog: real services of the departments above. */
	const struct tb_asset *cat = tb_asset_find(set->catalog);
	if (cat) {
		struct tb_import_report rep;
		e = tb_catalog_import(s, app->regions, &ctx, cat->data, cat->size, &rep);
		for (size_t i = 0; i < rep.nerrors && i < 10; i++)
			tb_log_error("demo", "catalog: %s", rep.errors[i]);
		tb_import_report_free(&rep);
		if (e != TB_OK)
			return e;
		tb_log_info("demo", "catalog: %ld basic items, %ld items", rep.basic_items,
		            rep.items);
	}
	if (set->cases && (e = tb_demo_sharing(app, &ctx)) != TB_OK)
		return e;
	if (set->cases && (e = tb_demo_cases(app)) != TB_OK)
		return e;
	if (set->cases && (e = tb_demo_sharing_uses(app)) != TB_OK)
		return e;
	if ((e = set_meta(s, "province", set->province)) != TB_OK)
		return e;
	snprintf(app->province, sizeof(app->province), "%s", set->province);
	tb_log_info("demo", "seeded %zu departments, %zu staff, %zu citizens, %zu businesses",
	            set->ndepartments, set->nstaff, set->ncitizens, set->nbusinesses);
	return TB_OK;
}
