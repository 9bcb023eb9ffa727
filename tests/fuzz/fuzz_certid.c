/* Fuzzes GB/T 36904 e-certificate identifiers: tb_certid_parse, and
 * tb_certid_make on the parts of any identifier that parses. A valid
 * identifier must round-trip: made again from its parts it is the same
 * text. */
#include "support.h"

#include "codes/certid.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct tb_certid id;
	memset(&id, 0, sizeof(id));
	struct tb_fail f = {0};
	enum tb_err e = tb_certid_parse(s, &id, &f);
	if (e != TB_OK && (!f.field || !f.reason))
		abort();
	if (e == TB_OK || (f.reason && strcmp(f.reason, "check character") == 0)) {
		char again[TB_CERTID_MAX];
		struct tb_fail g = {0};
		enum tb_err m = tb_certid_make(id.type_code, id.issuer, id.serial, id.version,
		                               again, sizeof(again), &g);
		/* A valid identifier is made of valid parts, and made again it is
		 * the same text (the check character included). */
		if (e == TB_OK && (m != TB_OK || strcmp(again, s) != 0))
			abort();
	}
	(void)tb_mod37_36(s);
	free(s);
	return 0;
}
