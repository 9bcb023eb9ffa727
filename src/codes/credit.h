/* Unified social credit codes of GB 32100-2015: registration department,
 * organisation category, 6-digit region, 9-character organisation code
 * (GB 11714, with its own check character) and a MOD 31 check character.
 * Exports the validator tb_credit_check and the two check-character
 * functions, so that tests and demo data can build valid codes. */
#ifndef TB_CODES_CREDIT_H
#define TB_CODES_CREDIT_H

#include "base/err.h"

/* The parts of a valid credit code. */
struct tb_credit {
	char normalized[19];       /* the 18 characters in upper case */
	char dept;                 /* registration department, e.g. '9' */
	char category;             /* organisation category, e.g. '1' */
	char region[7];            /* the 6-digit region of the registering body */
	const char *dept_name;     /* static Chinese name, e.g. "市场监管" */
	const char *category_name; /* static Chinese name, e.g. "企业" */
};

/* Checks in (NUL-terminated; NULL is treated as empty) as a unified social
 * credit code; lower case is accepted. The checks run in this order and
 * the first failure is reported through f (may be NULL) with field
 * "credit_code" and one of these reasons: "length" (not exactly 18
 * characters), "alphabet" (a character outside 0-9 A-Z without I O Z S V),
 * "registration department", "category" (not defined for that
 * department), "region" (characters 3-8 not 6 digits starting with a
 * GB/T 2260 province, nor 100000 for national bodies), "organisation
 * code" (the GB 11714 check character, position 17, is wrong), "check
 * character". Never reads past the NUL. Returns TB_OK and fills *out (may
 * be NULL), or TB_EINVAL; on failure *out is zeroed. Reasons and names
 * are static strings. */
enum tb_err tb_credit_check(const char *in, struct tb_credit *out, struct tb_fail *f);

/* The GB 32100 check character (in "0123456789ABCDEFGHJKLMNPQRTUWXY") for
 * the first 17 characters of a credit code, either case, or 0 when
 * first17 is NULL or holds a character outside that alphabet among its
 * first 17 (a shorter string stops at its NUL). */
char tb_credit_check_char(const char *first17);

/* The GB 11714 check character ('0'-'9' or 'X') of an organisation code
 * body: the 8 characters at body8, digits or letters A-Z in either case.
 * Returns 0 when body8 is NULL or holds anything else among its first 8
 * (a shorter string stops at its NUL). */
char tb_credit_org_check_char(const char *body8);

#endif
