/* argon2id through libsodium's crypto_pwhash_str. */
#include "base/pwhash.h"
#include "base/testmode.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long ops = 3;
static size_t mem = 64u << 20;
static char dummy_hash[TB_PWHASH_LEN];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "tongban: libsodium failed to start\n");
		abort();
	}
	const char *m = tb_test_getenv("TB_PWHASH_MEM_KIB"), *o = tb_test_getenv("TB_PWHASH_OPS");
	if (m && strtoul(m, NULL, 10) >= 8)
		mem = (size_t)strtoul(m, NULL, 10) << 10;
	if (o && strtoul(o, NULL, 10) >= 1)
		ops = strtoull(o, NULL, 10);
	if (crypto_pwhash_str(dummy_hash, "tongban-dummy-password", 22, ops, mem) != 0)
		abort();
}

bool tb_pwhash(const char *password, char out[TB_PWHASH_LEN])
{
	pthread_once(&once, init);
	return crypto_pwhash_str(out, password, strlen(password), ops, mem) == 0;
}

bool tb_pwhash_verify(const char *hash, const char *password)
{
	pthread_once(&once, init);
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void tb_pwhash_dummy(const char *password)
{
	pthread_once(&once, init);
	if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0) {
		/* Cannot match a real account: the result is only spent time. */
	}
}

void tb_pwhash_costs(unsigned long long *o, size_t *m)
{
	pthread_once(&once, init);
	*o = ops;
	*m = mem;
}
