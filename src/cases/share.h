/* Online verification at submission (证明事项在线核验): a required
 * material whose catalog entry names a sharing resource and one of its
 * assertions is checked with the provider instead of being asked for. */
#ifndef TB_CASES_SHARE_H
#define TB_CASES_SHARE_H

#include "base/arena.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>

/* Before case_no is submitted by ctx (the applicant, or the window clerk
 * for them, who consents by submitting): each required material the case
 * lacks that its catalog entry lets the platform verify online is checked
 * for the applicant, with the case's department as the consumer (every
 * check logged and shown to the applicant as any other use). Returns a
 * JSON object {material name: "data_use:ID"} of the checks that held
 * (the caller decrefs), or NULL when there were none. A failed check is
 * no error: the material stays missing and is asked for. seen (may be
 * NULL) is the case as the caller read it just before: when its state or
 * its item (the item's document is memoised) rules out any check, nothing
 * more is read. */
struct tb_case_ref;
json_t *tb_case_share_check(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                            const struct tb_case_ref *seen, struct tb_arena *a);

#endif
