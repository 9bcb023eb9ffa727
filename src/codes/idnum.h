/* Citizen identity numbers of GB 11643-1999: 6-digit region, 8-digit birth
 * date, 3-digit sequence (odd for men) and an ISO 7064 MOD 11-2 check
 * character. Exports the validator tb_idnum_check, which also splits a
 * number into its parts, and tb_idnum_check_char to build valid numbers. */
#ifndef TB_CODES_IDNUM_H
#define TB_CODES_IDNUM_H

#include <stdint.h>

#include "base/err.h"

/* The parts of a valid identity number. */
struct tb_idnum {
	char normalized[19]; /* the 18 characters, check char 'x' made 'X' */
	char region[7];      /* the 6-digit region code (not looked up) */
	int64_t birth;       /* birth date as a day number (base/date.h) */
	char sex;            /* 'M' for an odd sequence, 'F' for an even one */
};

/* Checks in (NUL-terminated; NULL is treated as empty) as a citizen
 * identity number. The checks run in this order and the first failure is
 * reported through f (may be NULL) with field "id_number" and one of these
 * reasons: "length" (not exactly 18 characters), "alphabet" (not 17 digits
 * followed by a digit, X or x), "province" (first two digits are not a
 * GB/T 2260 province), "birth date" (not a real date, before 1900-01-01 or
 * after tb_date_today()), "check digit". Never reads past the NUL.
 * Returns TB_OK and fills *out (may be NULL), or TB_EINVAL; on failure
 * *out is zeroed. Reasons are static strings. */
enum tb_err tb_idnum_check(const char *in, struct tb_idnum *out, struct tb_fail *f);

/* The check character ('0'-'9' or 'X') for the first 17 characters of an
 * identity number, or 0 when first17 is NULL or any of its first 17
 * characters is not a digit (a shorter string stops at its NUL). */
char tb_idnum_check_char(const char *first17);

#endif
