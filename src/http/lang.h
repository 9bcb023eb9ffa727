/* The language of the answers people read. Error messages (base/err.h)
 * and refusal reasons are written in English at their call sites; their
 * Chinese is held in one table, src/http/reasons_zh.tsv, built into the
 * binary. A reason built with printf has a pattern there: "%s" in the
 * English matches any non-empty text, and "{1}", "{2}"... in the Chinese
 * stand for what the first, second... "%s" matched (translated in turn when
 * it is itself a reason of the table). tests/http/test_reasons.c checks that
 * every reason written in src/ has its entry. */
#ifndef TB_HTTP_LANG_H
#define TB_HTTP_LANG_H

#include "base/arena.h"

#include <stdbool.h>

/* Whether an Accept-Language value (may be NULL) prefers Chinese: its
 * language range of highest q-value (the first of equals) is "zh" or
 * starts with "zh-" (zh-CN, zh-Hans, zh-TW...). NULL, "" and "*" are not. */
bool tb_lang_zh(const char *accept_language);

/* Whether an Accept value (may be NULL) asks for a page: it names text/html
 * with a q-value above 0 and at least that of application/json. Browsers
 * do; API clients (nothing, * / *, application/json) do not. */
bool tb_lang_html(const char *accept);

/* The Chinese of en (an error message or a reason), allocated in a when a
 * pattern filled it, or NULL when the table has no entry for it. */
const char *tb_lang_reason_zh(struct tb_arena *a, const char *en);

/* Whether the table has an entry whose English is exactly key (a text or
 * a pattern with "%s"): for the test that every reason has its Chinese. */
bool tb_lang_known(const char *key);

#endif
