/* GB/T 36904 identifiers and ISO/IEC 7064 MOD 37,36 (see certid.h). */
#include "codes/certid.h"
#include "codes/credit.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int alnum_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

/* The hybrid system with M = 36: the running value p starts at M; each
 * character adds its value mod M (0 counts as M), and the result is
 * doubled mod M + 1. The check character brings p + check to 1 mod M. */
char tb_mod37_36(const char *s)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	if (!s || !*s)
		return 0;
	int p = 36;
	for (; *s; s++) {
		int v = alnum_value(*s);
		if (v < 0)
			return 0;
		int t = (p + v) % 36;
		p = (2 * (t ? t : 36)) % 37;
	}
	return alphabet[(37 - p) % 36];
}

static bool all_alnum(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (alnum_value(s[i]) < 0)
			return false;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Checks the four parts; f names the first bad one. */
static enum tb_err check_parts(const char *type_code, const char *issuer, const char *serial,
                               const char *version, const char *field, struct tb_fail *f)
{
	char defining[19];
	size_t tl = strlen(type_code);
	snprintf(defining, sizeof(defining), "%.18s", type_code);
	if (tl != 21 || !all_digits(type_code + 18, 3) ||
	    tb_credit_check(defining, NULL, NULL) != TB_OK)
		return tb_fail(f, TB_EINVAL, field ? field : "type_code",
		               field ? "type code"
		                     : "the defining body's credit code and 3 digits");
	if (tb_credit_check(issuer, NULL, NULL) != TB_OK)
		return tb_fail(f, TB_EINVAL, field ? field : "issuer",
		               field ? "issuer" : "not a valid credit code");
	size_t sl = strlen(serial);
	if (sl < 1 || sl > 40 || !all_alnum(serial, sl))
		return tb_fail(f, TB_EINVAL, field ? field : "serial",
		               field ? "serial" : "1 to 40 characters of 0-9 A-Z");
	if (strlen(version) != 3 || !all_digits(version, 3))
		return tb_fail(f, TB_EINVAL, field ? field : "version",
		               field ? "version" : "3 digits");
	return TB_OK;
}

static char check_of(const char *type_code, const char *issuer, const char *serial,
                     const char *version)
{
	char all[128];
	snprintf(all, sizeof(all), "%s%s%s%s", type_code, issuer, serial, version);
	return tb_mod37_36(all);
}

enum tb_err tb_certid_make(const char *type_code, const char *issuer, const char *serial,
                           const char *version, char *out, size_t size, struct tb_fail *f)
{
	if (size)
		out[0] = '\0';
	if (!type_code || !issuer || !serial || !version)
		return tb_fail(f, TB_EINVAL, "identifier", "a part is missing");
	enum tb_err e = check_parts(type_code, issuer, serial, version, NULL, f);
	if (e != TB_OK)
		return e;
	int n = snprintf(out, size, TB_CERTID_PREFIX "%s.%s.%s.%s.%c", type_code, issuer, serial,
	                 version, check_of(type_code, issuer, serial, version));
	if (n < 0 || (size_t)n >= size) {
		if (size)
			out[0] = '\0';
		return tb_fail(f, TB_EINVAL, "identifier", "too long");
	}
	return TB_OK;
}

enum tb_err tb_certid_parse(const char *in, struct tb_certid *out, struct tb_fail *f)
{
	memset(out, 0, sizeof(*out));
	size_t pl = strlen(TB_CERTID_PREFIX);
	if (!in || strncmp(in, TB_CERTID_PREFIX, pl) != 0)
		return tb_fail(f, TB_EINVAL, "identifier", "prefix");
	if (strlen(in) >= TB_CERTID_MAX)
		return tb_fail(f, TB_EINVAL, "identifier", "shape");
	/* Five dot-separated parts after the prefix. */
	char buf[TB_CERTID_MAX];
	snprintf(buf, sizeof(buf), "%s", in + pl);
	char *part[5];
	int n = 0;
	char *s = buf;
	for (;;) {
		if (n == 5)
			return tb_fail(f, TB_EINVAL, "identifier", "shape");
		part[n++] = s;
		char *dot = strchr(s, '.');
		if (!dot)
			break;
		*dot = '\0';
		s = dot + 1;
	}
	if (n != 5 || strlen(part[4]) != 1)
		return tb_fail(f, TB_EINVAL, "identifier", "shape");
	enum tb_err e = check_parts(part[0], part[1], part[2], part[3], "identifier", f);
	if (e != TB_OK)
		return e;
	snprintf(out->type_code, sizeof(out->type_code), "%s", part[0]);
	snprintf(out->issuer, sizeof(out->issuer), "%s", part[1]);
	snprintf(out->serial, sizeof(out->serial), "%s", part[2]);
	snprintf(out->version, sizeof(out->version), "%s", part[3]);
	out->check = part[4][0];
	if (check_of(part[0], part[1], part[2], part[3]) != out->check)
		return tb_fail(f, TB_EINVAL, "identifier", "check character");
	return TB_OK;
}
