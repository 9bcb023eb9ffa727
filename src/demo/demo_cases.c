/* Demo cases: a few dozen cases in every state, made through the normal
 * case functions by the demo's own people. Some were accepted weeks ago
 * (the clock runs on a pinned "today" while they are made), so that the
 * queues show yellow and red cases. */
#include "demo/demo.h"
#include "app/app.h"
#include "base/date.h"
#include "base/log.h"
#include "calendar/calendar.h"
#include "cases/cases.h"
#include "cases/ratings.h"
#include "catalog/catalog.h"
#include "materials/blobs.h"
#include "codes/credit.h"
#include "identity/sessions.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accounts of the demo, by the order demo.c creates them. */
enum {
	ZHANG = 1,
	LI = 2,
	WANG = 3,
	CLERK = 4,
	REVIEWER = 5,
	APPROVER = 6,
	MZ_REVIEWER = 11, /* 杭州市西湖区民政局 */
	MZ_APPROVER = 12,
	GA_REVIEWER = 13, /* 杭州市公安局 */
	GA_APPROVER = 14
};

static enum tb_err person(struct tb_store *s, int64_t id, struct tb_principal *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = TB_PERSON;
	p->account_id = id;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		e = tb_grants_load(c, id, p);
		tb_store_release(c);
	}
	return e;
}

/* Gives every material of item to case no as an upload (a small PDF in
 * the blob store, through the normal upload path). */
static enum tb_err upload_all(struct tb_app *app, const struct tb_ctx *ctx, const char *item,
                              const char *no, struct tb_arena *a)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
	struct tb_blob_writer *w;
	char sm3[TB_SM3_HEX];
	size_t size;
	const char *mime;
	bool existed;
	enum tb_err e = tb_blob_begin(app->blobs, app->max_upload, &w);
	if (e == TB_OK)
		e = tb_blob_write(w, pdf, sizeof(pdf) - 1);
	if (e == TB_OK)
		e = tb_blob_finish(w, sm3, &size, &mime, &existed);
	const char *text;
	struct tb_item_meta meta;
	if (e == TB_OK)
		e = tb_item_get(app->store, item, 0, a, &text, &meta);
	json_t *doc = e == TB_OK ? json_loads(text, 0, NULL) : NULL;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "materials"), i, m)
	{
		struct tb_fail f = {0};
		if (e == TB_OK)
			e = tb_case_add_upload(app->store, ctx, no,
			                       json_string_value(json_object_get(m, "name")), sm3,
			                       size, mime, NULL, &f);
	}
	json_decref(doc);
	return e;
}

/* A path through the machine: events after creation, each by whom (0:
 * the applicant). */
struct step {
	const char *event;
	int who; /* account id */
	const char *opinion;
};

/* One case of item for applicant along steps; certificate (JSON text or
 * NULL) goes with its completion, form (NULL: a remark) is its form. */
static enum tb_err one(struct tb_app *app, const char *item, int applicant, int accepted_ago,
                       const struct step *steps, int score, const char *certificate,
                       const char *form)
{
	struct tb_store *s = app->store;
	struct tb_arena *a = tb_arena_new();
	struct tb_principal who;
	enum tb_err e = person(s, applicant, &who);
	struct tb_ctx ctx = {&who, "demo", "demo"};
	struct tb_case_new in = {.item = item, .form = form ? form : "{\"备注\":\"演示办件\"}"};
	/* A case the applicant brings to the general window: the clerk opens it. */
	struct tb_principal clerk;
	if (e == TB_OK && steps[0].event && steps[1].event && steps[1].who == CLERK &&
	    applicant == ZHANG) {
		e = person(s, CLERK, &clerk);
		ctx.who = &clerk;
		in.applicant = "33010619900101123X";
	}
	struct tb_case_created made;
	struct tb_fail f = {0};
	char pinned[11] = "";
	if (accepted_ago > 0) {
		int64_t day =
		    tb_calendar_add_workdays(app->calendar, tb_date_today(), -accepted_ago);
		tb_date_format(day, pinned);
	}
	if (e == TB_OK && pinned[0])
		setenv("TB_TODAY", pinned, 1);
	if (e == TB_OK)
		e = tb_case_create(s, &ctx, &in, a, &made, &f);
	for (int i = 0; e == TB_OK && steps[i].event; i++) {
		if (!strcmp(steps[i].event, "materials")) {
			e = upload_all(app, &ctx, item, made.case_no, a);
			continue;
		}
		if (!strcmp(steps[i].event, "now")) {
			unsetenv("TB_TODAY");
			continue;
		}
		/* who 0: the applicant themself. */
		struct tb_principal staff;
		e = person(s, steps[i].who ? steps[i].who : applicant, &staff);
		struct tb_ctx sctx = {&staff, "demo", "demo"};
		struct tb_case_event ev = {.event = steps[i].event, .opinion = steps[i].opinion};
		if (!strcmp(ev.event, "complete") || !strcmp(ev.event, "accept"))
			ev.certificate = certificate;
		if (!strcmp(ev.event, "request_correction"))
			ev.corrections =
			    "[{\"material\":\"经营场所使用相关证明\",\"reason\":\"证明已过期\"}]";
		const char *state, *missing;
		if (e == TB_OK)
			e = tb_case_apply(s, app->calendar, app->keys, &sctx, made.case_no, &ev, a,
			                  &state, &missing, &f);
	}
	unsetenv("TB_TODAY");
	if (e == TB_OK && score) {
		int64_t followup;
		person(s, applicant, &who);
		ctx.who = &who;
		e = tb_rating_add(s, app->calendar, &ctx, made.case_no, score,
		                  score >= 4 ? "窗口排队时间较长" : "办理高效", "web", &followup,
		                  &f);
	}
	if (e != TB_OK)
		tb_log_error("demo", "case for %s: %s %s", item, f.field ? f.field : "",
		             f.reason ? f.reason : tb_err_message(e));
	tb_arena_free(a);
	return e;
}

#define END                   \
	{                     \
		NULL, 0, NULL \
	}
#define MAT                          \
	{                            \
		"materials", 0, NULL \
	}
#define SUBMIT(w)                 \
	{                         \
		"submit", w, NULL \
	}
#define NOW                    \
	{                      \
		"now", 0, NULL \
	}

/* The 营业执照 a completed 个体工商户 registration yields: the new
 * business, with a credit code of its own (92: 市场监管, 个体工商户). */
static const char *shop_licence(size_t n, struct tb_arena *a)
{
	char body[9], first17[18];
	snprintf(body, sizeof(body), "MA2H%04zu", n);
	snprintf(first17, sizeof(first17), "92330106%s%c", body, tb_credit_org_check_char(body));
	return tb_arena_printf(
	    a,
	    "{\"holder\":{\"code\":\"%s%c\",\"name\":\"杭州市西湖区示例小店%zu号\"},"
	    "\"face\":{\"entity_type\":\"个体工商户\",\"address\":"
	    "\"浙江省杭州市西湖区文三路%zu号\",\"business_scope\":\"日用百货零售\"}}",
	    first17, tb_credit_check_char(first17), n, 100 + n);
}

/* The application form of the n-th demo 个体工商户设立登记 (the
 * applicant's name, number and phone are prefilled from the account). */
static const char *shop_form(size_t n, struct tb_arena *a)
{
	return tb_arena_printf(a,
	                       "{\"名称\":\"杭州市西湖区示例小店%zu号\",\"经营场所\":"
	                       "\"浙江省杭州市西湖区文三路%zu号\",\"组成形式\":\"%s\","
	                       "\"经营范围\":\"日用百货零售\",\"资金数额\":\"%zu\","
	                       "\"从业人数\":\"%zu\"}",
	                       n, 100 + n, n % 3 ? "个人经营" : "家庭经营", 5 + n % 20, 1 + n % 5);
}

/* The form of the n-th demo 食品经营许可: a shop of the applicant's, with
 * its own credit code (92: 个体工商户). */
static const char *food_form(size_t n, struct tb_arena *a)
{
	char body[9], first17[18];
	snprintf(body, sizeof(body), "MA2J%04zu", n);
	snprintf(first17, sizeof(first17), "92330106%s%c", body, tb_credit_org_check_char(body));
	return tb_arena_printf(
	    a,
	    "{\"经营者名称\":\"杭州市西湖区示例餐馆%zu号\",\"统一社会信用代码\":\"%s%c\","
	    "\"经营场所\":\"浙江省杭州市西湖区曙光路%zu号\",\"主体业态\":\"餐饮服务经营者\","
	    "\"经营项目\":\"热食类食品制售\",\"从业人员数\":\"%zu\"}",
	    n, first17, tb_credit_check_char(first17), 10 + n, 3 + n);
}

/* 张三's e-certificates, issued through the normal path: his household
 * register (户口迁入, 杭州市公安局) and his marriage certificate (内地居民
 * 结婚登记, 西湖区民政局). Later applications reuse them. */
static enum tb_err certificates_of_zhang(struct tb_app *app)
{
	const struct step hukou[] = {MAT,
	                             SUBMIT(0),
	                             {"accept", GA_REVIEWER, "材料齐全"},
	                             {"review", GA_REVIEWER, NULL},
	                             {"approve", GA_APPROVER, "准予迁入"},
	                             {"complete", GA_APPROVER, "户口簿已签发"},
	                             END};
	enum tb_err e = one(app, "1133010002485155523010051001000", ZHANG, 0, hukou, 0,
	                    "{\"face\":{\"household_type\":\"家庭户\",\"address\":"
	                    "\"浙江省杭州市西湖区文三路100号\"}}",
	                    "{\"迁出地址\":\"浙江省宁波市海曙区中山西路8号\","
	                    "\"迁入地址\":\"浙江省杭州市西湖区文三路100号\",\"随迁人数\":\"0\"}");
	/* An immediate item (即办件): it completes on acceptance. */
	/* Both parties come to the registry in person (online depth II): the
	 * general window opens the case. */
	const struct step marriage[] = {
	    MAT, SUBMIT(CLERK), {"accept", MZ_REVIEWER, "双方自愿，证件齐全，当场登记"}, END};
	if (e == TB_OK)
		e = one(app, "11330106024903108G4070081601000", ZHANG, 0, marriage, 5, NULL,
		        "{\"spouse_name\":\"李梅\",\"spouse_id\":\"330106199202022023\"}");
	return e;
}

enum tb_err tb_demo_cases(struct tb_app *app)
{
	/* 个体工商户设立登记 and 食品经营许可 of 西湖区市场监督管理局, whose
	 * reviewer and approver the demo has. */
	const char *shop = "11330106024892795E4010010201000";
	const struct step draft[] = {END};
	const struct step submitted[] = {MAT, SUBMIT(0), END};
	const struct step correction[] = {
	    MAT, SUBMIT(0), {"request_correction", REVIEWER, NULL}, END};
	const struct step rejected[] = {
	    MAT, SUBMIT(0), {"reject", REVIEWER, "不属于本部门职权范围"}, END};
	const struct step accepted[] = {MAT, SUBMIT(0), {"accept", REVIEWER, "材料齐全"}, NOW, END};
	const struct step review[] = {
	    MAT, SUBMIT(0), {"accept", REVIEWER, "材料齐全"}, {"review", REVIEWER, NULL}, NOW, END};
	const struct step suspended[] = {MAT,
	                                 SUBMIT(0),
	                                 {"accept", REVIEWER, NULL},
	                                 {"review", REVIEWER, NULL},
	                                 {"suspend", REVIEWER, "需现场核查"},
	                                 NOW,
	                                 END};
	const struct step approved[] = {MAT,
	                                SUBMIT(0),
	                                {"accept", REVIEWER, NULL},
	                                {"review", REVIEWER, NULL},
	                                {"approve", APPROVER, "准予登记"},
	                                NOW,
	                                END};
	const struct step refused[] = {MAT,
	                               SUBMIT(0),
	                               {"accept", REVIEWER, NULL},
	                               {"review", REVIEWER, NULL},
	                               {"refuse", APPROVER, "经营场所不符合要求"},
	                               NOW,
	                               END};
	const struct step completed[] = {MAT,
	                                 SUBMIT(0),
	                                 {"accept", REVIEWER, NULL},
	                                 {"review", REVIEWER, NULL},
	                                 {"approve", APPROVER, NULL},
	                                 {"complete", APPROVER, "执照已送达"},
	                                 NOW,
	                                 END};
	const struct step withdrawn[] = {MAT, SUBMIT(0), {"withdraw", 0, "不再需要"}, END};
	const struct step at_window[] = {MAT, SUBMIT(CLERK), END};
	struct {
		int applicant, ago, score;
		const struct step *steps;
	} cases[] = {
	    {ZHANG, 0, 0, submitted},
	    {WANG, 0, 0, submitted},
	    {LI, 0, 0, submitted},
	    {ZHANG, 0, 0, at_window},
	    {WANG, 0, 0, correction},
	    {ZHANG, 0, 0, correction},
	    {WANG, 0, 0, rejected},
	    {LI, 0, 0, rejected},
	    {ZHANG, 0, 0, accepted},
	    {WANG, 1, 0, accepted},
	    {LI, 3, 0, accepted},
	    {ZHANG, 0, 0, review},
	    {WANG, 1, 0, review},
	    {LI, 2, 0, review},
	    {ZHANG, 5, 0, review},
	    {WANG, 8, 0, review},
	    {ZHANG, 2, 0, suspended},
	    {LI, 4, 0, suspended},
	    {ZHANG, 1, 0, approved},
	    {WANG, 6, 0, approved},
	    {LI, 2, 0, refused},
	    {ZHANG, 9, 1, completed},
	    {WANG, 7, 2, completed},
	    {LI, 5, 5, completed},
	    {ZHANG, 4, 4, completed},
	    {WANG, 3, 1, completed},
	    {ZHANG, 2, 0, completed},
	    {WANG, 0, 0, withdrawn},
	    {LI, 0, 0, withdrawn},
	    /* Last: one draft per applicant and item, which would refuse a
	     * second one opened after it. */
	    {WANG, 0, 0, draft},
	    {LI, 0, 0, draft},
	};
	enum tb_err e = TB_OK;
	int made = 0;
	struct tb_arena *a = tb_arena_new();
	for (size_t i = 0; e == TB_OK && i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Window cases are opened by the clerk for the applicant. */
		e = one(app, shop, cases[i].applicant, cases[i].ago, cases[i].steps, cases[i].score,
		        shop_licence(i, a), shop_form(i, a));
		made += e == TB_OK;
	}
	/* 食品经营许可 promises 3 working days: freshly accepted cases are green. */
	const char *food = "11330106024892795E4010020301001";
	const struct step *fresh[] = {review, accepted, review, approved};
	for (size_t i = 0; e == TB_OK && i < sizeof(fresh) / sizeof(fresh[0]); i++) {
		e = one(app, food, (int)(i % 3) + 1, 0, fresh[i], 0, NULL, food_form(i, a));
		made += e == TB_OK;
	}
	if (e == TB_OK)
		e = certificates_of_zhang(app);
	tb_arena_free(a);
	tb_log_info("demo", "%d demo cases", made);
	return e;
}
