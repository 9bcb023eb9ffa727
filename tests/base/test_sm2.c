/* Tests of src/base/sm2: sign and verify, what a changed byte does to
 * either, key files (mode 0600) and PEM round trips, key identifiers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/sm2.h"
#include "support.h"

static const char msg[] = "{\"holder\":\"张三\",\"type\":\"结婚证\"}";

static void test_sign_verify(void **state)
{
	(void)state;
	struct tb_sm2_key *k, *other;
	assert_int_equal(tb_sm2_generate(&k), TB_OK);
	assert_int_equal(tb_sm2_generate(&other), TB_OK);
	char sig[TB_SM2_SIG_HEX], sig2[TB_SM2_SIG_HEX];
	assert_int_equal(tb_sm2_sign(k, msg, strlen(msg), sig), TB_OK);
	assert_true(strlen(sig) >= 130);
	assert_true(tb_sm2_verify(k, msg, strlen(msg), sig));
	/* SM2 signatures are randomised: a second one differs, and verifies. */
	assert_int_equal(tb_sm2_sign(k, msg, strlen(msg), sig2), TB_OK);
	assert_string_not_equal(sig, sig2);
	assert_true(tb_sm2_verify(k, msg, strlen(msg), sig2));
	/* Another key, another message, a changed signature: all refused. */
	assert_false(tb_sm2_verify(other, msg, strlen(msg), sig));
	char changed[sizeof(msg)];
	memcpy(changed, msg, sizeof(msg));
	changed[3] ^= 1;
	assert_false(tb_sm2_verify(k, changed, strlen(changed), sig));
	size_t n = strlen(sig);
	sig[n - 3] = sig[n - 3] == '0' ? '1' : '0';
	assert_false(tb_sm2_verify(k, msg, strlen(msg), sig));
	assert_false(tb_sm2_verify(k, msg, strlen(msg), "zz"));
	assert_false(tb_sm2_verify(k, msg, strlen(msg), ""));
	assert_false(tb_sm2_verify(k, msg, strlen(msg), NULL));
	tb_sm2_free(k);
	tb_sm2_free(other);
	tb_sm2_free(NULL);
}

static void test_files(void **state)
{
	(void)state;
	struct tb_sm2_key *k, *back, *pub;
	assert_int_equal(tb_sm2_generate(&k), TB_OK);
	char path[512];
	snprintf(path, sizeof(path), "%s/dept.pem", test_tmpdir());
	assert_int_equal(tb_sm2_save_private(k, path), TB_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tb_sm2_load_private(path, &back), TB_OK);
	char id1[TB_SM2_KEY_ID], id2[TB_SM2_KEY_ID], id3[TB_SM2_KEY_ID];
	tb_sm2_key_id(k, id1);
	tb_sm2_key_id(back, id2);
	assert_string_equal(id1, id2);
	assert_int_equal(strlen(id1), 16);
	/* What the loaded key signs, the public PEM verifies. */
	char *pem = tb_sm2_public_pem(back);
	assert_non_null(pem);
	assert_non_null(strstr(pem, "BEGIN PUBLIC KEY"));
	assert_int_equal(tb_sm2_load_public(pem, &pub), TB_OK);
	tb_sm2_key_id(pub, id3);
	assert_string_equal(id1, id3);
	char sig[TB_SM2_SIG_HEX];
	assert_int_equal(tb_sm2_sign(back, msg, strlen(msg), sig), TB_OK);
	assert_true(tb_sm2_verify(pub, msg, strlen(msg), sig));
	/* Refusals. */
	struct tb_sm2_key *none;
	snprintf(path, sizeof(path), "%s/missing.pem", test_tmpdir());
	assert_int_equal(tb_sm2_load_private(path, &none), TB_ENOTFOUND);
	assert_null(none);
	assert_int_equal(tb_sm2_load_public("not a key", &none), TB_EINVAL);
	assert_int_equal(tb_sm2_load_public(NULL, &none), TB_EINVAL);
	free(pem);
	tb_sm2_free(k);
	tb_sm2_free(back);
	tb_sm2_free(pub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_verify),
	    cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
