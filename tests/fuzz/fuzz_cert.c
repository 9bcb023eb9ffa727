/* Fuzzes certificate documents as POST /api/v1/certificates/verify and
 * `tongban cert verify` take them: tb_cert_doc_malformed, tb_cert_check
 * and tb_cert_canonical, with a fixed test key (below: made for this
 * harness, it signs nothing real). Each input is checked as it is, and
 * again with its record signed by the test key, so that the checks past
 * the signature are reached. Must hold: the canonical text of a record
 * parses back to the same record; a record signed by the key is never
 * refused for its key, digest or signature. */
#include "support.h"

#include "base/crypto.h"
#include "base/date.h"
#include "base/sm2.h"
#include "certs/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char test_key[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQg7xJS3V/CS/vJVJOM\n"
                               "OX71vYgqsdtt4DOinz80cXVBLyihRANCAATZQZFTNoooaCM2tvHSYzCu/XOW/9HQ\n"
                               "eo+0xZXqG88MtUakFJ14nmhkbOiKrJIbnpqlRIg6WyKRtIZ4RgifEp0g\n"
                               "-----END PRIVATE KEY-----\n";
#define ISSUER "11330106024892795E" /* 西湖区市场监督管理局 */

static struct tb_sm2_key *key;
static char key_id[TB_SM2_KEY_ID];
static int64_t today;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	const char *tmp = getenv("TMPDIR");
	char path[256];
	snprintf(path, sizeof(path), "%s/tongban-fuzz-key-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, test_key, sizeof(test_key) - 1) != (ssize_t)(sizeof(test_key) - 1))
		abort();
	close(fd);
	enum tb_err e = tb_sm2_load_private(path, &key);
	unlink(path);
	if (e != TB_OK)
		abort();
	tb_sm2_key_id(key, key_id);
	today = tb_date_from_ymd(2026, 11, 30);
	return 0;
}

static void check(const json_t *doc, const char *issuer, bool signed_here)
{
	const char *reason = NULL;
	enum tb_cert_status st = tb_cert_check(doc, key, issuer, today, &reason);
	if (st != TB_CERT_VALID && st != TB_CERT_EXPIRED && st != TB_CERT_FORGED)
		abort();
	if ((st == TB_CERT_FORGED) != (reason != NULL))
		abort();
	if (signed_here && reason &&
	    (!strcmp(reason, "key") || !strcmp(reason, "digest") || !strcmp(reason, "signature"))) {
		fprintf(stderr, "a record signed by the key is refused for its %s\n", reason);
		abort();
	}
	const char *why = NULL;
	const char *bad = tb_cert_doc_malformed(doc, &why);
	if ((bad != NULL) != (why != NULL) || (bad && st != TB_CERT_FORGED))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The verify endpoint parses the body as the server parses every body. */
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!doc)
		return 0;
	check(doc, ISSUER, false);
	check(doc, NULL, false);
	json_t *record = json_object_get(doc, "record");
	char *canon = tb_cert_canonical(record);
	if ((canon != NULL) != json_is_object(record))
		abort();
	if (canon) {
		json_t *back = json_loads(canon, JSON_REJECT_DUPLICATES, NULL);
		if (!back || !json_equal(back, record)) {
			fprintf(stderr, "the canonical text is not the record: %s\n", canon);
			abort();
		}
		json_decref(back);
		free(canon);

		/* Signed here, by the key it names. */
		json_t *copy = json_deep_copy(doc);
		json_t *rec = json_object_get(copy, "record");
		json_object_set_new(rec, "key_id", json_string(key_id));
		canon = tb_cert_canonical(rec);
		char digest[TB_SM3_HEX], sig[TB_SM2_SIG_HEX];
		tb_sm3_hex(canon, strlen(canon), digest);
		if (tb_sm2_sign(key, canon, strlen(canon), sig) != TB_OK)
			abort();
		free(canon);
		json_object_set_new(copy, "digest", json_string(digest));
		json_object_set_new(copy, "signature", json_string(sig));
		check(copy, NULL, true);
		json_decref(copy);
	}
	json_decref(doc);
	return 0;
}
