/* SM2 signatures (GB/T 32918) over OpenSSL 3: key pairs, PEM files and
 * strings, and signing with SM3 (the standard's Z value with the default
 * distinguishing identifier 1234567812345678, then the message). The
 * signature travels as lower-case hex of its DER encoding. Exports
 * tb_sm2_*. */
#ifndef TB_BASE_SM2_H
#define TB_BASE_SM2_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

struct tb_sm2_key;

#define TB_SM2_SIG_HEX 160 /* a DER signature is at most 72 bytes: 144 hex + NUL */
#define TB_SM2_KEY_ID  17  /* 16 hex digits + NUL */

/* A new key pair; the caller owns *out. TB_ESTORE when OpenSSL fails. */
enum tb_err tb_sm2_generate(struct tb_sm2_key **out);
/* NULL is a no-op. */
void tb_sm2_free(struct tb_sm2_key *k);
/* Another handle on the same key (shared, reference counted: free each
 * handle with tb_sm2_free); NULL when memory runs out. A key may be used
 * by several threads at once. */
struct tb_sm2_key *tb_sm2_ref(const struct tb_sm2_key *k);

/* Writes the private key as PKCS#8 PEM to path with mode 0600 (a
 * temporary file, fsynced, renamed; the folder is synced too). */
enum tb_err tb_sm2_save_private(const struct tb_sm2_key *k, const char *path);
/* Reads a private key written by tb_sm2_save_private. TB_ENOTFOUND when
 * the file is missing, TB_EINVAL when it holds no SM2 key. */
enum tb_err tb_sm2_load_private(const char *path, struct tb_sm2_key **out);
/* The private key as PKCS#8 PEM, malloc'd (the caller clears it with
 * OPENSSL_cleanse and frees it); NULL on failure. For sealing it. */
char *tb_sm2_private_pem(const struct tb_sm2_key *k);
/* Reads a private key from PEM text. TB_EINVAL when it holds no SM2 key. */
enum tb_err tb_sm2_load_private_pem(const char *pem, struct tb_sm2_key **out);
/* The public key as PEM (SubjectPublicKeyInfo), malloc'd; NULL on failure. */
char *tb_sm2_public_pem(const struct tb_sm2_key *k);
/* Reads a public key from PEM text. TB_EINVAL when it is not an SM2 key. */
enum tb_err tb_sm2_load_public(const char *pem, struct tb_sm2_key **out);
/* The key's identifier: the first 16 hex digits of the SM3 of its public
 * key (DER). */
void tb_sm2_key_id(const struct tb_sm2_key *k, char out[TB_SM2_KEY_ID]);

/* Signs data[0..n) with k (a private key) into sig_hex. */
enum tb_err tb_sm2_sign(const struct tb_sm2_key *k, const void *data, size_t n,
                        char sig_hex[TB_SM2_SIG_HEX]);
/* Whether sig_hex is k's signature of data[0..n); false for malformed hex. */
bool tb_sm2_verify(const struct tb_sm2_key *k, const void *data, size_t n, const char *sig_hex);

#endif
