/* What an applicant already holds that counts as materials given: valid
 * e-certificates issued to their identity number or credit code, and the
 * files of their library. Counts only: the general window learns how much
 * will be filled in, not which certificate or file. */
#ifndef TB_MATERIALS_HOLDINGS_H
#define TB_MATERIALS_HOLDINGS_H

#include "base/err.h"
#include "store/store.h"

#include <stdint.h>

struct tb_holdings {
	int64_t certificates; /* not revoked, in force today */
	int64_t library;      /* uploaded files not deleted, not expired today */
};

/* Counts what the account owner (id), known by login (its identity number
 * or credit code), holds today, into *out. */
enum tb_err tb_holdings_count(struct tb_store *s, int64_t owner, const char *login,
                              struct tb_holdings *out);

#endif
