/* GB 32100-2015 unified social credit codes: the department and category
 * table of the standard, the region, the GB 11714 organisation code and the
 * MOD 31 check character. Exports tb_credit_check, tb_credit_check_char and
 * tb_credit_org_check_char (see credit.h). */
#include "codes/credit.h"

#include <stddef.h>
#include <string.h>

#include "codes/code.h"

#define FIELD "credit_code"

/* The 31 characters of a credit code, in value order 0..30. */
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

struct category {
	char code;
	const char *name;
};

struct dept {
	char code;
	const char *name;
	struct category cat[7]; /* ends at code 0 */
};

/* Registration departments and their organisation categories, from the
 * standard's table as amended (A and N were added after 2015). The design
 * notes name only 1, 5, 9 and Y, but codes of the other departments are
 * issued (law firms 31..., trade unions 81...), so they are accepted. */
static const struct dept depts[] = {
    {'1',
     "机构编制",
     {{'1', "机关"},
      {'2', "事业单位"},
      {'3', "中央编办直接管理机构编制的群众团体"},
      {'9', "其他"}}},
    {'2', "外交", {{'1', "外国常驻新闻机构"}, {'9', "其他"}}},
    {'3',
     "司法行政",
     {{'1', "律师执业机构"},
      {'2', "公证处"},
      {'3', "基层法律服务所"},
      {'4', "司法鉴定机构"},
      {'5', "仲裁委员会"},
      {'9', "其他"}}},
    {'4', "文化", {{'1', "外国在华文化中心"}, {'9', "其他"}}},
    {'5', "民政", {{'1', "社会团体"}, {'2', "民办非企业单位"}, {'3', "基金会"}, {'9', "其他"}}},
    {'6',
     "旅游",
     {{'1', "外国旅游部门常驻代表机构"},
      {'2', "港澳台地区旅游部门常驻内地（大陆）代表机构"},
      {'9', "其他"}}},
    {'7', "宗教", {{'1', "宗教活动场所"}, {'2', "宗教院校"}, {'9', "其他"}}},
    {'8', "工会", {{'1', "基层工会"}, {'9', "其他"}}},
    {'9', "市场监管", {{'1', "企业"}, {'2', "个体工商户"}, {'3', "农民专业合作社"}}},
    {'A', "中央军委改革和编制办公室", {{'1', "军队事业单位"}, {'9', "其他"}}},
    {'N',
     "农业",
     {{'1', "组级集体经济组织"},
      {'2', "村级集体经济组织"},
      {'3', "乡镇级集体经济组织"},
      {'9', "其他"}}},
    {'Y', "其他", {{'1', "其他"}}},
};

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Value 0..30 of c (either case) in the credit alphabet, or -1. */
static int credit_value(char c)
{
	c = upper(c);
	if (c == '\0')
		return -1;
	const char *p = strchr(alphabet, c);
	return p ? (int)(p - alphabet) : -1;
}

char tb_credit_check_char(const char *first17)
{
	if (!first17)
		return 0;
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int v = credit_value(first17[i]);
		if (v < 0)
			return 0; /* also stops at a NUL */
		sum += v * weights[i];
	}
	return alphabet[(31 - sum % 31) % 31];
}

char tb_credit_org_check_char(const char *body8)
{
	if (!body8)
		return 0;
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		char c = upper(body8[i]);
		int v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'A' && c <= 'Z')
			v = c - 'A' + 10;
		else
			return 0; /* also stops at a NUL */
		sum += v * org_weights[i];
	}
	int check = 11 - sum % 11;
	if (check == 10)
		return 'X';
	if (check == 11)
		return '0';
	return (char)('0' + check);
}

static const struct dept *find_dept(char code)
{
	for (size_t i = 0; i < sizeof(depts) / sizeof(depts[0]); i++)
		if (depts[i].code == code)
			return &depts[i];
	return NULL;
}

static const struct category *find_category(const struct dept *d, char code)
{
	for (const struct category *c = d->cat; c->code; c++)
		if (c->code == code)
			return c;
	return NULL;
}

static int region_ok(const char *r)
{
	for (int i = 0; i < 6; i++)
		if (r[i] < '0' || r[i] > '9')
			return 0;
	return tb_code_province_known(r) || memcmp(r, "100000", 6) == 0;
}

enum tb_err tb_credit_check(const char *in, struct tb_credit *out, struct tb_fail *f)
{
	if (out)
		memset(out, 0, sizeof(*out));
	size_t len = 0;
	while (in && len < 19 && in[len])
		len++;
	if (len != 18)
		return tb_fail(f, TB_EINVAL, FIELD, "length");

	char code[19];
	for (int i = 0; i < 18; i++) {
		if (credit_value(in[i]) < 0)
			return tb_fail(f, TB_EINVAL, FIELD, "alphabet");
		code[i] = upper(in[i]);
	}
	code[18] = '\0';

	const struct dept *dept = find_dept(code[0]);
	if (!dept)
		return tb_fail(f, TB_EINVAL, FIELD, "registration department");
	const struct category *cat = find_category(dept, code[1]);
	if (!cat)
		return tb_fail(f, TB_EINVAL, FIELD, "category");
	if (!region_ok(code + 2))
		return tb_fail(f, TB_EINVAL, FIELD, "region");
	/* Positions 9-17 are a GB 11714 organisation code for every category,
	 * individual businesses (92) included: their codes come from the
	 * registration bodies' own segments (MA..., L...) and carry the same
	 * check character. Every real code sampled while writing this passes
	 * it (tests/codes/credit.tsv). Some pilot-era codes (e.g. Xiamen
	 * 91350203M0001...) fail the final check character and are refused. */
	if (tb_credit_org_check_char(code + 8) != code[16])
		return tb_fail(f, TB_EINVAL, FIELD, "organisation code");
	if (tb_credit_check_char(code) != code[17])
		return tb_fail(f, TB_EINVAL, FIELD, "check character");

	if (out) {
		memcpy(out->normalized, code, sizeof(code));
		out->dept = code[0];
		out->category = code[1];
		memcpy(out->region, code + 2, 6);
		out->region[6] = '\0';
		out->dept_name = dept->name;
		out->category_name = cat->name;
	}
	return TB_OK;
}
