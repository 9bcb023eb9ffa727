/* E-certificate identifiers of GB/T 36904:
 *   1.2.156.3005.2.<type code>.<issuer credit code>.<serial>.<version>.<check>
 * where the type code is the defining body's 18-character credit code and
 * a 3-digit sequence (GB/T 36902), the issuer is the issuing body's credit
 * code, the serial is 1-40 characters of 0-9 A-Z, the version 3 digits,
 * and the check character is ISO/IEC 7064 MOD 37,36 over type code,
 * issuer, serial and version written together. Exports tb_mod37_36 and
 * tb_certid_*. */
#ifndef TB_CODES_CERTID_H
#define TB_CODES_CERTID_H

#include "base/err.h"

#include <stddef.h>

#define TB_CERTID_PREFIX "1.2.156.3005.2."
#define TB_CERTID_MAX    128

/* The MOD 37,36 check character (0-9 A-Z) of s, or 0 when s is NULL,
 * empty, or holds a character outside 0-9 A-Z. */
char tb_mod37_36(const char *s);

struct tb_certid {
	char type_code[22]; /* 18 + 3 */
	char issuer[19];
	char serial[41];
	char version[4];
	char check;
};

/* Writes the identifier of type_code, issuer, serial and version into out
 * (size >= TB_CERTID_MAX). TB_EINVAL (f names the part) when a part is
 * malformed; the credit codes are checked by GB 32100. */
enum tb_err tb_certid_make(const char *type_code, const char *issuer, const char *serial,
                           const char *version, char *out, size_t size, struct tb_fail *f);

/* Parses in. TB_EINVAL with f->field "identifier" and a reason: "prefix",
 * "type code", "issuer", "serial", "version", "shape" (wrong number of
 * parts), or "check character" (well formed, but the check character does
 * not match: the mark of a mistyped or forged identifier). *out is filled
 * whenever the parts parse, so a forged one can still be reported. */
enum tb_err tb_certid_parse(const char *in, struct tb_certid *out, struct tb_fail *f);

#endif
