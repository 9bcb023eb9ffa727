/* Telling the 18-character national codes apart: a citizen identity number
 * (GB 11643) and a unified social credit code (GB 32100) have the same
 * length, so a free-text field needs a guess before it can be checked.
 * Exports tb_code_guess, tb_code_kind_name, the one-line report used by
 * `tongban check-id` and the province-code test both checks share. */
#ifndef TB_CODES_CODE_H
#define TB_CODES_CODE_H

#include <stdbool.h>

#include "base/buf.h"

enum tb_code_kind { TB_CODE_UNKNOWN, TB_CODE_RESIDENT_ID, TB_CODE_CREDIT, TB_CODE__MAX };

/* Which check applies to in (NUL-terminated, may be NULL). Exactly 18
 * characters are required. 17 digits followed by a digit or X/x is a
 * resident identity number, unless it fails that check and passes the
 * credit code check (a credit code may be all digits, e.g. 914403...);
 * when both checks pass it stays a resident identity number, because
 * about one valid identity number in 4,000 is also a well-formed credit
 * code while an all-digit credit code almost never is a well-formed
 * identity number. Otherwise a string made only of credit code characters
 * (either case) is a credit code. Anything else, NULL included, is
 * TB_CODE_UNKNOWN. Apart from the tie-break above the guess does not
 * validate: check the code with tb_idnum_check or tb_credit_check. */
enum tb_code_kind tb_code_guess(const char *in);

/* "resident-id", "credit-code" or "unknown" (also for out-of-range values).
 * Static string, never NULL. */
const char *tb_code_kind_name(enum tb_code_kind kind);

/* True when the two characters at p are a province-level code of
 * GB/T 2260: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82.
 * Reads p[0] and p[1] only if p[0] is not NUL. */
bool tb_code_province_known(const char *p);

/* Guesses the kind of in, checks it and appends one line, without a
 * newline, to out:
 *   CODE \t valid \t KIND \t key=value key=value ...
 *   CODE \t invalid \t KIND \t REASON
 * CODE is the normalised code when valid, the input as given otherwise
 * (control characters replaced by '?', so the line stays one line; NULL
 * is printed as empty). KIND is a tb_code_kind_name; REASON is the reason
 * token of the failed check ("length", "alphabet", "check digit", ...).
 * Returns true when the code is valid. The caller owns out. */
bool tb_code_check_line(const char *in, struct tb_buf *out);

#endif
