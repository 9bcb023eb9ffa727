/* Small cryptographic helpers over OpenSSL 3: random bytes, SM3 digests
 * (GB/T 32905, the hash Chinese e-government uses), hex encoding and
 * constant-time comparison. */
#ifndef TB_BASE_CRYPTO_H
#define TB_BASE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define TB_SM3_LEN 32
#define TB_SM3_HEX 65 /* 64 hex digits + NUL */

/* n cryptographically strong random bytes; aborts if the system cannot
 * provide them (nothing safe can continue without). */
void tb_random(void *out, size_t n);
/* SM3 of data[0..n) into out (32 bytes). */
void tb_sm3(const void *data, size_t n, unsigned char out[TB_SM3_LEN]);
/* SM3 as 64 lower-case hex digits + NUL. */
void tb_sm3_hex(const void *data, size_t n, char out[TB_SM3_HEX]);
/* Lower-case hex of in[0..n) into out (2n+1 bytes). */
void tb_hex(const void *in, size_t n, char *out);
/* The n bytes whose hex (either case) is hex[0..2n) into out; false when
 * a character is not a hex digit (out is then partly written). */
bool tb_unhex(const char *hex, unsigned char *out, size_t n);
/* A random token: nbytes random bytes as base64url without padding, with
 * prefix in front (may be ""). out needs strlen(prefix) + 4*nbytes/3 + 4. */
void tb_token(const char *prefix, size_t nbytes, char *out, size_t out_size);
/* Compares two NUL-terminated strings in time that depends only on their
 * lengths. */
bool tb_streq_ct(const char *a, const char *b);

/* An SM3 digest computed piece by piece (streamed uploads). */
struct tb_sm3_stream;
/* A new stream; never NULL. */
struct tb_sm3_stream *tb_sm3_begin(void);
void tb_sm3_update(struct tb_sm3_stream *s, const void *data, size_t n);
/* Writes the hex digest and frees s. */
void tb_sm3_end(struct tb_sm3_stream *s, char out[TB_SM3_HEX]);
/* Frees s without a digest; NULL is a no-op. */
void tb_sm3_abort(struct tb_sm3_stream *s);

#endif
