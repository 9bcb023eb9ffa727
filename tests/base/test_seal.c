/* Tests of src/base/seal: a sealed value opens with the same master key
 * and label only; any change of nonce, ciphertext, tag or label, or
 * another key, is refused before anything is decrypted; the master key
 * file must be private and hold 64 hex digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/seal.h"
#include "support.h"

static const unsigned char master[TB_MASTER_KEY_LEN] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                                        12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                                        23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static const char secret[] = "-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n";

static void round_trip(void **state)
{
	(void)state;
	char *s = tb_seal(master, "key:abc", secret, sizeof(secret) - 1);
	assert_non_null(s);
	assert_int_equal(strncmp(s, "tbseal1:", 8), 0);
	assert_null(strstr(s, "PRIVATE")); /* nothing in the clear */
	unsigned char *p;
	size_t n;
	assert_int_equal(tb_unseal(master, "key:abc", s, &p, &n), TB_OK);
	assert_int_equal(n, sizeof(secret) - 1);
	assert_memory_equal(p, secret, n);
	assert_int_equal(p[n], '\0');
	free(p);
	/* The same secret sealed again looks different (a fresh nonce). */
	char *t = tb_seal(master, "key:abc", secret, sizeof(secret) - 1);
	assert_string_not_equal(s, t);
	free(t);
	/* Empty is allowed. */
	t = tb_seal(master, "x", "", 0);
	assert_int_equal(tb_unseal(master, "x", t, &p, &n), TB_OK);
	assert_int_equal(n, 0);
	free(p);
	free(t);
	free(s);
}

/* Flips one hex digit at offset off of a copy of s. */
static char *flipped(const char *s, size_t off)
{
	char *c = strdup(s);
	c[off] = c[off] == '0' ? '1' : '0';
	return c;
}

static void tamper(void **state)
{
	(void)state;
	char *s = tb_seal(master, "key:abc", secret, sizeof(secret) - 1);
	unsigned char *p = (unsigned char *)"untouched";
	size_t n = 7;
	/* Another label, another key. */
	assert_int_equal(tb_unseal(master, "key:abd", s, &p, &n), TB_EDENIED);
	assert_null(p);
	assert_int_equal(n, 0);
	unsigned char other[TB_MASTER_KEY_LEN];
	memcpy(other, master, sizeof(other));
	other[31] ^= 1; /* the MAC half */
	assert_int_equal(tb_unseal(other, "key:abc", s, &p, &n), TB_EDENIED);
	memcpy(other, master, sizeof(other));
	other[0] ^= 1; /* the cipher half: the tag still matches, the text would not */
	assert_int_equal(tb_unseal(other, "key:abc", s, &p, &n), TB_OK);
	assert_memory_not_equal(p, secret, n);
	free(p);
	/* A changed nonce, ciphertext or tag. */
	size_t len = strlen(s);
	size_t offs[] = {8, 8 + 33, len - 1};
	for (size_t i = 0; i < 3; i++) {
		char *c = flipped(s, offs[i]);
		assert_int_equal(tb_unseal(master, "key:abc", c, &p, &n), TB_EDENIED);
		free(c);
	}
	/* Malformed. */
	const char *bad[] = {"", "tbseal1:", "tbseal2:00:00:00", "tbseal1:zz", s + 1};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tb_unseal(master, "key:abc", bad[i], &p, &n), TB_EINVAL);
	char *cut = strdup(s);
	cut[len - 2] = '\0';
	assert_int_equal(tb_unseal(master, "key:abc", cut, &p, &n), TB_EINVAL);
	free(cut);
	free(s);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void master_file(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/master.key", test_tmpdir());
	unsigned char key[TB_MASTER_KEY_LEN];
	const char *why = NULL;
	const char *hex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n";
	write_file(path, hex, 0600);
	assert_int_equal(tb_master_key_load(path, key, &why), TB_OK);
	assert_memory_equal(key, master, sizeof(key));
	write_file(path, hex, 0640);
	assert_int_equal(tb_master_key_load(path, key, &why), TB_EINVAL);
	assert_non_null(strstr(why, "chmod 600"));
	write_file(path, "0102", 0600);
	assert_int_equal(tb_master_key_load(path, key, &why), TB_EINVAL);
	assert_non_null(strstr(why, "64 hex"));
	write_file(path, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fzz", 0600);
	assert_int_equal(tb_master_key_load(path, key, &why), TB_EINVAL);
	assert_int_equal(tb_master_key_load("/nonexistent/key", key, &why), TB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(tamper),
	    cmocka_unit_test(master_file),
	};
	return cmocka_run_group_tests_name("seal", tests, NULL, NULL);
}
