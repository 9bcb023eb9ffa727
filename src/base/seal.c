/* See seal.h. */
#include "base/seal.h"
#include "base/crypto.h"
#include "base/mem.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PREFIX "tbseal1:"
#define NONCE  16
#define TAG    32

/* SM4-CTR of in[0..n) into out with the first half of master. */
static bool ctr(const unsigned char master[TB_MASTER_KEY_LEN], const unsigned char nonce[NONCE],
                const unsigned char *in, size_t n, unsigned char *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;
	bool ok = c && x && EVP_EncryptInit_ex(x, c, NULL, master, nonce) == 1 &&
	          (n == 0 || EVP_EncryptUpdate(x, out, &len, in, (int)n) == 1) &&
	          EVP_EncryptFinal_ex(x, out + len, &fin) == 1 && (size_t)(len + fin) == n;
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(c);
	return ok;
}

/* HMAC-SM3 with the second half of master over label, 0, nonce and the
 * ciphertext. */
static bool tag_of(const unsigned char master[TB_MASTER_KEY_LEN], const char *label,
                   const unsigned char nonce[NONCE], const unsigned char *ct, size_t n,
                   unsigned char out[TAG])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *x = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SM3", 0),
	                       OSSL_PARAM_construct_end()};
	size_t len = 0;
	bool ok = x && EVP_MAC_init(x, master + 16, 16, params) == 1 &&
	          EVP_MAC_update(x, (const unsigned char *)label, strlen(label) + 1) == 1 &&
	          EVP_MAC_update(x, nonce, NONCE) == 1 && EVP_MAC_update(x, ct, n) == 1 &&
	          EVP_MAC_final(x, out, &len, TAG) == 1 && len == TAG;
	EVP_MAC_CTX_free(x);
	EVP_MAC_free(mac);
	return ok;
}

char *tb_seal(const unsigned char master[TB_MASTER_KEY_LEN], const char *label, const void *plain,
              size_t n)
{
	unsigned char nonce[NONCE], tag[TAG];
	tb_random(nonce, NONCE);
	unsigned char *ct = tb_xmalloc(n ? n : 1);
	char *out = NULL;
	if (ctr(master, nonce, plain, n, ct) && tag_of(master, label, nonce, ct, n, tag)) {
		size_t size = strlen(PREFIX) + 2 * (NONCE + n + TAG) + 3;
		out = tb_xmalloc(size);
		memcpy(out, PREFIX, strlen(PREFIX));
		char *p = out + strlen(PREFIX);
		tb_hex(nonce, NONCE, p);
		p += 2 * NONCE;
		*p++ = ':';
		tb_hex(ct, n, p);
		p += 2 * n;
		*p++ = ':';
		tb_hex(tag, TAG, p);
	}
	free(ct);
	return out;
}

enum tb_err tb_unseal(const unsigned char master[TB_MASTER_KEY_LEN], const char *label,
                      const char *sealed, unsigned char **plain, size_t *n)
{
	*plain = NULL;
	*n = 0;
	size_t plen = strlen(PREFIX);
	if (!sealed || strncmp(sealed, PREFIX, plen) != 0)
		return TB_EINVAL;
	const char *a = sealed + plen;
	const char *b = strchr(a, ':');
	const char *c = b ? strchr(b + 1, ':') : NULL;
	if (!b || !c || b - a != 2 * NONCE || strlen(c + 1) != 2 * TAG || (c - b - 1) % 2)
		return TB_EINVAL;
	size_t len = (size_t)(c - b - 1) / 2;
	unsigned char nonce[NONCE], tag[TAG], want[TAG];
	unsigned char *ct = tb_xmalloc(len ? len : 1);
	enum tb_err e = TB_EINVAL;
	if (tb_unhex(a, nonce, NONCE) && tb_unhex(b + 1, ct, len) && tb_unhex(c + 1, tag, TAG)) {
		e = TB_EDENIED;
		if (tag_of(master, label, nonce, ct, len, want) &&
		    CRYPTO_memcmp(want, tag, TAG) == 0) {
			unsigned char *p = tb_xmalloc(len + 1);
			e = ctr(master, nonce, ct, len, p) ? TB_OK : TB_EINTERNAL;
			if (e == TB_OK) {
				p[len] = '\0';
				*plain = p;
				*n = len;
			} else {
				free(p);
			}
		}
	}
	free(ct);
	return e;
}

enum tb_err tb_master_key_load(const char *path, unsigned char out[TB_MASTER_KEY_LEN],
                               const char **why)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = "not a readable file";
		return TB_EINVAL;
	}
	if (st.st_mode & 077) {
		*why = "readable by others than its owner (chmod 600)";
		return TB_EINVAL;
	}
	FILE *f = fopen(path, "re");
	char buf[80] = {0};
	size_t got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
		buf[--got] = '\0';
	bool ok = got == 2 * TB_MASTER_KEY_LEN && tb_unhex(buf, out, TB_MASTER_KEY_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok) {
		*why = "expected 64 hex digits (openssl rand -hex 32)";
		return TB_EINVAL;
	}
	return TB_OK;
}
