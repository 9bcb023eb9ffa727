/* Settings that lower security, for tests and demonstrations only:
 * TB_PWHASH_MEM_KIB and TB_PWHASH_OPS (cheaper password hashing),
 * TB_LOGIN_LOCK_SECONDS (shorter login locks), TB_NOTIFY_PAUSE=1 (no
 * notification delivery) and TB_EXCHANGE_RETRY_MAX_S (the longest wait
 * between attempts to reach a peer platform). They are read from the environment only in test
 * mode: TB_TEST_MODE=1, or `serve --demo`. Anywhere else `serve` refuses
 * to start while one of them is set, rather than run weakened or silently
 * ignore what the operator asked for. */
#ifndef TB_BASE_TESTMODE_H
#define TB_BASE_TESTMODE_H

#include <stdbool.h>

/* Enters test mode for the rest of the process (serve --demo). Call it
 * before anything reads a setting. */
void tb_test_mode_enter(void);
/* True in test mode (TB_TEST_MODE=1, or after tb_test_mode_enter). */
bool tb_test_mode(void);
/* getenv(name) in test mode; NULL otherwise. */
const char *tb_test_getenv(const char *name);
/* Outside test mode, the name of the first such setting present in the
 * environment (static storage); NULL when none is, or in test mode. */
const char *tb_test_env_refused(void);

#endif
