/* See testmode.h. */
#include "base/testmode.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_bool entered;

static const char *const settings[] = {"TB_PWHASH_MEM_KIB", "TB_PWHASH_OPS",
                                       "TB_LOGIN_LOCK_SECONDS", "TB_NOTIFY_PAUSE",
                                       "TB_EXCHANGE_RETRY_MAX_S"};

void tb_test_mode_enter(void)
{
	atomic_store(&entered, true);
}

bool tb_test_mode(void)
{
	if (atomic_load(&entered))
		return true;
	const char *v = getenv("TB_TEST_MODE");
	return v && strcmp(v, "1") == 0;
}

const char *tb_test_getenv(const char *name)
{
	return tb_test_mode() ? getenv(name) : NULL;
}

const char *tb_test_env_refused(void)
{
	if (tb_test_mode())
		return NULL;
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const char *v = getenv(settings[i]);
		if (v && *v)
			return settings[i];
	}
	return NULL;
}
