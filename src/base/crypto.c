/* OpenSSL-backed helpers of crypto.h. SM3 goes through EVP with a fetched
 * algorithm object kept for the process (fetching is the costly part). */
#include "base/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static EVP_MD *sm3_md;
static pthread_once_t sm3_once = PTHREAD_ONCE_INIT;

static void fetch_sm3(void)
{
	sm3_md = EVP_MD_fetch(NULL, "SM3", NULL);
	if (!sm3_md) {
		fprintf(stderr, "tongban: OpenSSL has no SM3\n");
		abort();
	}
}

void tb_random(void *out, size_t n)
{
	if (RAND_bytes(out, (int)n) != 1) {
		fprintf(stderr, "tongban: no random bytes available\n");
		abort();
	}
}

void tb_sm3(const void *data, size_t n, unsigned char out[TB_SM3_LEN])
{
	pthread_once(&sm3_once, fetch_sm3);
	unsigned int len = 0;
	if (EVP_Digest(data, n, out, &len, sm3_md, NULL) != 1 || len != TB_SM3_LEN) {
		fprintf(stderr, "tongban: SM3 failed\n");
		abort();
	}
}

void tb_hex(const void *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool tb_unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(hex[2 * i]), lo = hi < 0 ? -1 : nibble(hex[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

void tb_sm3_hex(const void *data, size_t n, char out[TB_SM3_HEX])
{
	unsigned char d[TB_SM3_LEN];
	tb_sm3(data, n, d);
	tb_hex(d, sizeof(d), out);
}

void tb_token(const char *prefix, size_t nbytes, char *out, size_t out_size)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[64];
	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	tb_random(raw, nbytes);
	size_t o = 0, plen = strlen(prefix);
	if (plen + 4 * nbytes / 3 + 4 > out_size) {
		out[0] = '\0';
		return;
	}
	memcpy(out, prefix, plen);
	o = plen;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < nbytes; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		out[o++] = b64[(acc << (6 - bits)) & 63];
	out[o] = '\0';
}

bool tb_streq_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = (unsigned char)(la != lb);
	size_t n = la < lb ? la : lb;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

struct tb_sm3_stream {
	EVP_MD_CTX *ctx;
};

struct tb_sm3_stream *tb_sm3_begin(void)
{
	pthread_once(&sm3_once, fetch_sm3);
	struct tb_sm3_stream *s = malloc(sizeof(*s));
	if (!s || !(s->ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(s->ctx, sm3_md, NULL) != 1) {
		fprintf(stderr, "tongban: SM3 failed\n");
		abort();
	}
	return s;
}

void tb_sm3_update(struct tb_sm3_stream *s, const void *data, size_t n)
{
	if (EVP_DigestUpdate(s->ctx, data, n) != 1) {
		fprintf(stderr, "tongban: SM3 failed\n");
		abort();
	}
}

void tb_sm3_end(struct tb_sm3_stream *s, char out[TB_SM3_HEX])
{
	unsigned char d[TB_SM3_LEN];
	unsigned int len = 0;
	EVP_DigestFinal_ex(s->ctx, d, &len);
	tb_hex(d, sizeof(d), out);
	EVP_MD_CTX_free(s->ctx);
	free(s);
}

void tb_sm3_abort(struct tb_sm3_stream *s)
{
	if (!s)
		return;
	EVP_MD_CTX_free(s->ctx);
	free(s);
}
