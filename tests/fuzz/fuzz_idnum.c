/* Fuzzes the 18-character national codes as a free-text field reaches
 * them: tb_code_guess, tb_idnum_check (GB 11643), tb_credit_check
 * (GB 32100) through tb_code_check_line (the line of `tongban check-id`
 * and GET /api/v1/codes/check). A valid identity number must round-trip:
 * its check character is tb_idnum_check_char of its first 17. */
#include "support.h"

#include "base/buf.h"
#include "codes/code.h"
#include "codes/idnum.h"

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
	struct tb_idnum id;
	struct tb_fail f = {0};
	if (tb_idnum_check(s, &id, &f) == TB_OK) {
		if (strlen(id.normalized) != 18 ||
		    tb_idnum_check_char(id.normalized) != id.normalized[17] ||
		    (id.sex != 'M' && id.sex != 'F') || strncmp(id.region, s, 6) != 0)
			abort();
	} else if (!f.field || !f.reason || id.normalized[0]) {
		abort();
	}
	(void)tb_idnum_check_char(s);
	enum tb_code_kind kind = tb_code_guess(s);
	if (kind < TB_CODE_UNKNOWN || kind >= TB_CODE__MAX)
		abort();
	struct tb_buf line = TB_BUF_INIT;
	bool valid = tb_code_check_line(s, &line);
	/* One line, whatever the input held. */
	if (!line.data || memchr(line.data, '\n', line.len) || memchr(line.data, '\r', line.len) ||
	    (valid && kind == TB_CODE_UNKNOWN))
		abort();
	tb_buf_free(&line);
	free(s);
	return 0;
}
