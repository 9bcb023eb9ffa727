/* SM2 over OpenSSL 3 (see sm2.h). */
#include "base/sm2.h"
#include "base/crypto.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tb_sm2_key {
	EVP_PKEY *pkey;
};

/* GB/T 35276's default user identifier. */
static const char default_id[] = "1234567812345678";

static struct tb_sm2_key *wrap(EVP_PKEY *pkey)
{
	struct tb_sm2_key *k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->pkey = pkey;
	return k;
}

static bool is_sm2(EVP_PKEY *pkey)
{
	return pkey && EVP_PKEY_is_a(pkey, "SM2");
}

enum tb_err tb_sm2_generate(struct tb_sm2_key **out)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	*out = pkey ? wrap(pkey) : NULL;
	return *out ? TB_OK : TB_ESTORE;
}

void tb_sm2_free(struct tb_sm2_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

struct tb_sm2_key *tb_sm2_ref(const struct tb_sm2_key *k)
{
	if (EVP_PKEY_up_ref(k->pkey) != 1)
		return NULL;
	return wrap(k->pkey);
}

enum tb_err tb_sm2_save_private(const struct tb_sm2_key *k, const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return TB_EINVAL;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return TB_ESTORE;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return TB_ESTORE;
	}
	bool ok = PEM_write_PrivateKey(f, k->pkey, NULL, NULL, 0, NULL, NULL) == 1;
	ok = fflush(f) == 0 && ok;
	ok = fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (ok)
		ok = rename(tmp, path) == 0;
	if (!ok) {
		unlink(tmp);
		return TB_ESTORE;
	}
	/* The rename itself survives a crash once the folder is synced. */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return TB_OK;
}

enum tb_err tb_sm2_load_private(const char *path, struct tb_sm2_key **out)
{
	*out = NULL;
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? TB_ENOTFOUND : TB_ESTORE;
	EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!is_sm2(pkey)) {
		EVP_PKEY_free(pkey);
		return TB_EINVAL;
	}
	*out = wrap(pkey);
	return *out ? TB_OK : TB_EINTERNAL;
}

/* k as PEM, public or private, malloc'd (NULL on failure); a private
 * key passes only through secure memory on its way. */
static char *pem_of(const struct tb_sm2_key *k, bool private)
{
	BIO *b = BIO_new(private ? BIO_s_secmem() : BIO_s_mem());
	if (!b)
		return NULL;
	char *out = NULL;
	int ok = private ? PEM_write_bio_PrivateKey(b, k->pkey, NULL, NULL, 0, NULL, NULL)
	                 : PEM_write_bio_PUBKEY(b, k->pkey);
	if (ok == 1) {
		char *p;
		long n = BIO_get_mem_data(b, &p);
		out = malloc((size_t)n + 1);
		if (out) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	return out;
}

/* The SM2 key in PEM text, public or private. */
static enum tb_err key_of_pem(const char *pem, bool private, struct tb_sm2_key **out)
{
	*out = NULL;
	if (!pem)
		return TB_EINVAL;
	BIO *b = BIO_new_mem_buf(pem, -1);
	if (!b)
		return TB_EINTERNAL;
	EVP_PKEY *pkey = private ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)
	                         : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!is_sm2(pkey)) {
		EVP_PKEY_free(pkey);
		return TB_EINVAL;
	}
	*out = wrap(pkey);
	return *out ? TB_OK : TB_EINTERNAL;
}

char *tb_sm2_public_pem(const struct tb_sm2_key *k)
{
	return pem_of(k, false);
}

enum tb_err tb_sm2_load_public(const char *pem, struct tb_sm2_key **out)
{
	return key_of_pem(pem, false, out);
}

char *tb_sm2_private_pem(const struct tb_sm2_key *k)
{
	return pem_of(k, true);
}

enum tb_err tb_sm2_load_private_pem(const char *pem, struct tb_sm2_key **out)
{
	return key_of_pem(pem, true, out);
}

void tb_sm2_key_id(const struct tb_sm2_key *k, char out[TB_SM2_KEY_ID])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k->pkey, &der);
	char hex[TB_SM3_HEX];
	tb_sm3_hex(der, n > 0 ? (size_t)n : 0, hex);
	OPENSSL_free(der);
	memcpy(out, hex, TB_SM2_KEY_ID - 1);
	out[TB_SM2_KEY_ID - 1] = '\0';
}

/* A digest context set up for SM2 with SM3 and the default identifier. */
static EVP_MD_CTX *begin(const struct tb_sm2_key *k, bool sign)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	if (!m)
		return NULL;
	/* Init parameters cannot carry the identifier (OpenSSL 3.0 refuses
	 * them); set on the context it applies to this digest. Without it
	 * OpenSSL 3.0 would use an empty identifier, not the standard's. */
	EVP_PKEY_CTX *pc = NULL;
	int ok = sign ? EVP_DigestSignInit_ex(m, &pc, "SM3", NULL, NULL, k->pkey, NULL)
	              : EVP_DigestVerifyInit_ex(m, &pc, "SM3", NULL, NULL, k->pkey, NULL);
	if (ok == 1)
		ok = EVP_PKEY_CTX_set1_id(pc, default_id, sizeof(default_id) - 1);
	if (ok != 1) {
		EVP_MD_CTX_free(m);
		return NULL;
	}
	return m;
}

enum tb_err tb_sm2_sign(const struct tb_sm2_key *k, const void *data, size_t n,
                        char sig_hex[TB_SM2_SIG_HEX])
{
	sig_hex[0] = '\0';
	EVP_MD_CTX *m = begin(k, true);
	if (!m)
		return TB_ESTORE;
	unsigned char sig[80];
	size_t len = sizeof(sig);
	int ok = EVP_DigestSign(m, sig, &len, data, n);
	EVP_MD_CTX_free(m);
	if (ok != 1 || len * 2 >= TB_SM2_SIG_HEX)
		return TB_ESTORE;
	tb_hex(sig, len, sig_hex);
	return TB_OK;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool tb_sm2_verify(const struct tb_sm2_key *k, const void *data, size_t n, const char *sig_hex)
{
	size_t hl = sig_hex ? strlen(sig_hex) : 0;
	unsigned char sig[80];
	if (hl == 0 || hl % 2 || hl / 2 > sizeof(sig))
		return false;
	for (size_t i = 0; i < hl / 2; i++) {
		int hi = hex_value(sig_hex[2 * i]), lo = hex_value(sig_hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		sig[i] = (unsigned char)(hi << 4 | lo);
	}
	EVP_MD_CTX *m = begin(k, false);
	if (!m)
		return false;
	int ok = EVP_DigestVerify(m, sig, hl / 2, data, n);
	EVP_MD_CTX_free(m);
	return ok == 1;
}
