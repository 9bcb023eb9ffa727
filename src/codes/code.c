/* Guessing which national code an 18-character string is, and the one-line
 * report of `tongban check-id`. Exports tb_code_guess, tb_code_kind_name,
 * tb_code_province_known and tb_code_check_line (see code.h). */
#include "codes/code.h"

#include <stddef.h>
#include <string.h>

#include "base/date.h"
#include "codes/credit.h"
#include "codes/idnum.h"

bool tb_code_province_known(const char *p)
{
	if (!p || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return false;
	int v = (p[0] - '0') * 10 + (p[1] - '0');
	return (v >= 11 && v <= 15) || (v >= 21 && v <= 23) || (v >= 31 && v <= 37) ||
	       (v >= 41 && v <= 46) || (v >= 50 && v <= 54) || (v >= 61 && v <= 65) || v == 71 ||
	       v == 81 || v == 82;
}

static bool credit_char(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c >= '0' && c <= '9')
		return true;
	return c >= 'A' && c <= 'Z' && !strchr("IOZSV", c);
}

enum tb_code_kind tb_code_guess(const char *in)
{
	size_t len = 0;
	while (in && len < 19 && in[len])
		len++;
	if (len != 18)
		return TB_CODE_UNKNOWN;

	bool id_shaped = true;
	for (int i = 0; i < 17; i++)
		if (in[i] < '0' || in[i] > '9')
			id_shaped = false;
	if (!(in[17] >= '0' && in[17] <= '9') && in[17] != 'X' && in[17] != 'x')
		id_shaped = false;
	if (id_shaped) {
		if (tb_idnum_check(in, NULL, NULL) == TB_OK)
			return TB_CODE_RESIDENT_ID;
		return tb_credit_check(in, NULL, NULL) == TB_OK ? TB_CODE_CREDIT
		                                                : TB_CODE_RESIDENT_ID;
	}

	for (int i = 0; i < 18; i++)
		if (!credit_char(in[i]))
			return TB_CODE_UNKNOWN;
	return TB_CODE_CREDIT;
}

const char *tb_code_kind_name(enum tb_code_kind kind)
{
	switch (kind) {
	case TB_CODE_RESIDENT_ID: return "resident-id";
	case TB_CODE_CREDIT: return "credit-code";
	default: return "unknown";
	}
}

/* Appends s with control characters (and DEL) replaced by '?'. */
static void add_printable(struct tb_buf *out, const char *s)
{
	if (!s)
		return;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		tb_buf_add(out, c < 0x20 || c == 0x7f ? "?" : p, 1);
	}
}

bool tb_code_check_line(const char *in, struct tb_buf *out)
{
	enum tb_code_kind kind = tb_code_guess(in);
	struct tb_fail f = {NULL, NULL};

	if (kind == TB_CODE_RESIDENT_ID) {
		struct tb_idnum id;
		if (tb_idnum_check(in, &id, &f) == TB_OK) {
			char birth[11];
			tb_date_format(id.birth, birth);
			tb_buf_printf(out, "%s\tvalid\t%s\tregion=%s birth=%s sex=%c",
			              id.normalized, tb_code_kind_name(kind), id.region, birth,
			              id.sex);
			return true;
		}
	} else if (kind == TB_CODE_CREDIT) {
		struct tb_credit c;
		if (tb_credit_check(in, &c, &f) == TB_OK) {
			tb_buf_printf(out,
			              "%s\tvalid\t%s\tdept=%c dept_name=%s category=%c "
			              "category_name=%s region=%s",
			              c.normalized, tb_code_kind_name(kind), c.dept, c.dept_name,
			              c.category, c.category_name, c.region);
			return true;
		}
	} else {
		/* Neither check applies: say why in the checks' own words. */
		size_t len = 0;
		while (in && len < 19 && in[len])
			len++;
		f.reason = len == 18 ? "alphabet" : "length";
	}
	add_printable(out, in);
	tb_buf_printf(out, "\tinvalid\t%s\t%s", tb_code_kind_name(kind), f.reason);
	return false;
}
