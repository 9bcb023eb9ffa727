/* Sealing secrets with the operator's master key, in the national
 * algorithms: SM4-CTR for secrecy and HMAC-SM3 over the label, the nonce
 * and the ciphertext for integrity (encrypt-then-MAC). The 32-byte master
 * key is split: its first 16 bytes key SM4, the last 16 the HMAC. A
 * sealed value is text, "tbseal1:" then hex of nonce (16 bytes),
 * ciphertext and tag (32 bytes), separated by ':'. The label binds a
 * sealed value to what it is (a key's id): one cannot be swapped for
 * another. Exports tb_seal*, tb_unseal and tb_master_key_load. */
#ifndef TB_BASE_SEAL_H
#define TB_BASE_SEAL_H

#include "base/err.h"

#include <stddef.h>

#define TB_MASTER_KEY_LEN 32

/* Seals plain[0..n) under master for label; a malloc'd string (the caller
 * frees it), NULL when the RNG or the cipher fails. */
char *tb_seal(const unsigned char master[TB_MASTER_KEY_LEN], const char *label, const void *plain,
              size_t n);

/* Opens sealed (made by tb_seal for the same label): *plain gets a
 * malloc'd copy (NUL-terminated, *n bytes before the NUL), which the
 * caller clears and frees. TB_EINVAL when sealed is malformed, TB_EDENIED
 * when the tag does not match (another master key, another label, or the
 * value was altered): nothing is decrypted then. */
enum tb_err tb_unseal(const unsigned char master[TB_MASTER_KEY_LEN], const char *label,
                      const char *sealed, unsigned char **plain, size_t *n);

/* Reads the master key from path: 64 hex digits (a final newline allowed).
 * The file must be a regular file not readable by group or others.
 * TB_EINVAL with *why naming what is wrong. */
enum tb_err tb_master_key_load(const char *path, unsigned char out[TB_MASTER_KEY_LEN],
                               const char **why);

#endif
