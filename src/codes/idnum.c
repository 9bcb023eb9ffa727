/* GB 11643-1999 citizen identity numbers: structure, birth date and the
 * ISO 7064 MOD 11-2 check character. Exports tb_idnum_check and
 * tb_idnum_check_char (see idnum.h). */
#include "codes/idnum.h"

#include <stddef.h>
#include <string.h>

#include "base/date.h"
#include "codes/code.h"

#define FIELD "id_number"

static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

char tb_idnum_check_char(const char *first17)
{
	if (!first17)
		return 0;
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return 0; /* also stops at a NUL */
		sum += (first17[i] - '0') * weights[i];
	}
	return "10X98765432"[sum % 11];
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

enum tb_err tb_idnum_check(const char *in, struct tb_idnum *out, struct tb_fail *f)
{
	if (out)
		memset(out, 0, sizeof(*out));
	size_t len = 0;
	while (in && len < 19 && in[len])
		len++;
	if (len != 18)
		return tb_fail(f, TB_EINVAL, FIELD, "length");

	for (int i = 0; i < 17; i++)
		if (!is_digit(in[i]))
			return tb_fail(f, TB_EINVAL, FIELD, "alphabet");
	char last = in[17] == 'x' ? 'X' : in[17];
	if (!is_digit(last) && last != 'X')
		return tb_fail(f, TB_EINVAL, FIELD, "alphabet");

	if (!tb_code_province_known(in))
		return tb_fail(f, TB_EINVAL, FIELD, "province");

	int y = num(in + 6, 4), m = num(in + 10, 2), d = num(in + 12, 2);
	if (!tb_date_valid(y, m, d))
		return tb_fail(f, TB_EINVAL, FIELD, "birth date");
	int64_t birth = tb_date_from_ymd(y, m, d);
	if (birth < tb_date_from_ymd(1900, 1, 1) || birth > tb_date_today())
		return tb_fail(f, TB_EINVAL, FIELD, "birth date");

	if (tb_idnum_check_char(in) != last)
		return tb_fail(f, TB_EINVAL, FIELD, "check digit");

	if (out) {
		memcpy(out->normalized, in, 17);
		out->normalized[17] = last;
		out->normalized[18] = '\0';
		memcpy(out->region, in, 6);
		out->region[6] = '\0';
		out->birth = birth;
		out->sex = (in[16] - '0') % 2 ? 'M' : 'F';
	}
	return TB_OK;
}
