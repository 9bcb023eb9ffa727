/* The field checks of validate.h. */
#include "identity/validate.h"
#include "base/utf8.h"

#include <stdbool.h>
#include <string.h>

enum tb_err tb_check_person_name(const char *s, const char *field, struct tb_fail *f)
{
	if (!s || !*s)
		return tb_fail(f, TB_EINVAL, field, "required");
	size_t n = strlen(s);
	if (n > 200 || !tb_utf8_is_line(s, n))
		return tb_fail(f, TB_EINVAL, field, "not a clean line of UTF-8 text");
	size_t chars = tb_utf8_chars(s, n);
	if (chars > 50)
		return tb_fail(f, TB_EINVAL, field, "longer than 50 characters");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ' ||
		                  c == '.' || c == '-'))
			return tb_fail(f, TB_EINVAL, field, "digits or symbols in a name");
	}
	if (s[0] == ' ' || s[n - 1] == ' ')
		return tb_fail(f, TB_EINVAL, field, "leading or trailing space");
	return TB_OK;
}

enum tb_err tb_check_org_name(const char *s, const char *field, struct tb_fail *f)
{
	if (!s || !*s)
		return tb_fail(f, TB_EINVAL, field, "required");
	size_t n = strlen(s);
	if (n > 400 || !tb_utf8_is_line(s, n))
		return tb_fail(f, TB_EINVAL, field, "not a clean line of UTF-8 text");
	size_t chars = tb_utf8_chars(s, n);
	if (chars < 2 || chars > 100)
		return tb_fail(f, TB_EINVAL, field, "expected 2 to 100 characters");
	if (s[0] == ' ' || s[n - 1] == ' ')
		return tb_fail(f, TB_EINVAL, field, "leading or trailing space");
	return TB_OK;
}

enum tb_err tb_check_phone(const char *s, const char *field, struct tb_fail *f)
{
	if (!s || !*s)
		return tb_fail(f, TB_EINVAL, field, "required");
	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return tb_fail(f, TB_EINVAL, field, "expected an 11-digit mobile number");
	for (int i = 0; i < 11; i++)
		if (s[i] < '0' || s[i] > '9')
			return tb_fail(f, TB_EINVAL, field, "expected an 11-digit mobile number");
	return TB_OK;
}

enum tb_err tb_check_password(const char *s, const char *field, struct tb_fail *f)
{
	if (!s || !*s)
		return tb_fail(f, TB_EINVAL, field, "required");
	size_t n = strlen(s);
	if (n < 8)
		return tb_fail(f, TB_EINVAL, field, "shorter than 8 characters");
	if (n > 128)
		return tb_fail(f, TB_EINVAL, field, "longer than 128 bytes");
	if (!tb_utf8_is_line(s, n))
		return tb_fail(f, TB_EINVAL, field, "not a clean line of UTF-8 text");
	bool other = false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			other = true;
	if (!other)
		return tb_fail(f, TB_EINVAL, field, "digits only");
	return TB_OK;
}
