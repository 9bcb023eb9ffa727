/* Fuzzes GB 32100 unified social credit codes: tb_credit_check and the two
 * check-character functions. A valid code must round-trip: its last
 * character is tb_credit_check_char of its first 17, its 17th the GB 11714
 * check of characters 9-16. */
#include "support.h"

#include "codes/credit.h"

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
	struct tb_credit c;
	struct tb_fail f = {0};
	if (tb_credit_check(s, &c, &f) == TB_OK) {
		if (strlen(c.normalized) != 18 ||
		    tb_credit_check_char(c.normalized) != c.normalized[17] ||
		    tb_credit_org_check_char(c.normalized + 8) != c.normalized[16] ||
		    !c.dept_name || !c.category_name || strlen(c.region) != 6)
			abort();
	} else if (!f.field || !f.reason || c.normalized[0]) {
		abort();
	}
	(void)tb_credit_check_char(s);
	(void)tb_credit_org_check_char(s);
	free(s);
	return 0;
}
