/* Password hashing with argon2id (libsodium). The stored string encodes
 * the algorithm, salt and costs, so costs can change without breaking old
 * hashes. Default costs: t=3 passes, m=64 MiB, one lane (measured on the
 * development machine: ~75 ms per hash). TB_PWHASH_MEM_KIB and
 * TB_PWHASH_OPS in the environment lower them for test runs only. */
#ifndef TB_BASE_PWHASH_H
#define TB_BASE_PWHASH_H

#include <stdbool.h>
#include <stddef.h>

#define TB_PWHASH_LEN 128 /* crypto_pwhash_STRBYTES */

/* Hashes password into out (NUL-terminated). False only when the system
 * cannot give the memory. */
bool tb_pwhash(const char *password, char out[TB_PWHASH_LEN]);
/* True when password matches hash. */
bool tb_pwhash_verify(const char *hash, const char *password);
/* Runs a verification against a fixed hash, so that a login for an
 * unknown account costs as much as one for a known account. */
void tb_pwhash_dummy(const char *password);
/* The costs in force, for docs and logs. */
void tb_pwhash_costs(unsigned long long *ops, size_t *mem_bytes);

#endif
