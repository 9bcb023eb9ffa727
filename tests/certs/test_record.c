/* Certificate documents checked offline (tb_cert_check), on a document
 * signed here with a fresh key: a record whose identifier names another
 * issuer, serial or type is forged even when correctly signed, and the
 * validity ends exactly on valid_to (no grace), on a fixed day. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/date.h"
#include "certs/record.h"
#include "codes/certid.h"

#include <stdlib.h>
#include <string.h>

#define TYPE   "11100000000013100M001" /* a type code of data/certs/types.json */
#define ISSUER "11330106024892795E"    /* 西湖区市场监督管理局 */
#define OTHER  "11330106024903108G"    /* 西湖区民政局 */

static struct tb_sm2_key *key;

/* A signed document: the identifier made of id_issuer and id_serial, the
 * record saying issuer and number, valid until valid_to (NULL: long-term). */
static json_t *document(const char *id_issuer, const char *id_serial, const char *issuer,
                        const char *number, const char *valid_to)
{
	char id[TB_CERTID_MAX];
	struct tb_fail f = {0};
	assert_int_equal(tb_certid_make(TYPE, id_issuer, id_serial, "001", id, sizeof(id), &f),
	                 TB_OK);
	char key_id[TB_SM2_KEY_ID];
	tb_sm2_key_id(key, key_id);
	json_t *record = json_pack(
	    "{s:s, s:{s:s, s:s}, s:s, s:{s:s, s:s}, s:s, s:s, s:o, s:s, s:s}", "identifier", id,
	    "type", "code", TYPE, "name", "营业执照", "number", number, "issuer", "code", issuer,
	    "name", "西湖区市场监督管理局", "issued_on", "2026-01-05", "valid_from", "2026-01-05",
	    "valid_to", valid_to ? json_string(valid_to) : json_null(), "key_id", key_id,
	    "algorithm", "SM2-with-SM3");
	assert_non_null(record);
	char *canon = tb_cert_canonical(record);
	char digest[TB_SM3_HEX], sig[TB_SM2_SIG_HEX];
	tb_sm3_hex(canon, strlen(canon), digest);
	assert_int_equal(tb_sm2_sign(key, canon, strlen(canon), sig), TB_OK);
	free(canon);
	return json_pack("{s:s, s:i, s:o, s:s, s:s}", "format", "tongban-certificate",
	                 "format_version", 1, "record", record, "digest", digest, "signature", sig);
}

static int64_t day(const char *s)
{
	int64_t d;
	assert_true(tb_date_parse(s, &d));
	return d;
}

static void check(json_t *doc, const char *today, enum tb_cert_status want, const char *why)
{
	const char *reason = NULL;
	enum tb_cert_status got = tb_cert_check(doc, key, ISSUER, day(today), &reason);
	if (got != want || (why && (!reason || strcmp(reason, why) != 0)))
		fail_msg("got %s (%s), want %s (%s)", tb_cert_status_name(got),
		         reason ? reason : "-", tb_cert_status_name(want), why ? why : "-");
	json_decref(doc);
}

static void identifier_matches_record(void **state)
{
	(void)state;
	check(document(ISSUER, "A0001", ISSUER, "A0001", NULL), "2026-06-01", TB_CERT_VALID, NULL);
	/* Well signed, but the identifier names another issuer or serial. */
	check(document(OTHER, "A0001", ISSUER, "A0001", NULL), "2026-06-01", TB_CERT_FORGED,
	      "identifier does not match the record");
	check(document(ISSUER, "A0002", ISSUER, "A0001", NULL), "2026-06-01", TB_CERT_FORGED,
	      "identifier does not match the record");
	check(document(ISSUER, "A0001", OTHER, "A0001", NULL), "2026-06-01", TB_CERT_FORGED, NULL);
	/* A good signature, but a digest that is not the record's. */
	json_t *doc = document(ISSUER, "A0003", ISSUER, "A0003", NULL);
	json_object_set_new(doc, "digest",
	                    json_string("0000000000000000000000000000000000000000"
	                                "000000000000000000000000"));
	check(doc, "2026-06-01", TB_CERT_FORGED, "digest");
}

static void expiry_is_exact(void **state)
{
	(void)state;
	/* Valid through its last day, expired the day after: no grace. */
	check(document(ISSUER, "B1", ISSUER, "B1", "2026-06-30"), "2026-06-30", TB_CERT_VALID,
	      NULL);
	check(document(ISSUER, "B1", ISSUER, "B1", "2026-06-30"), "2026-07-01", TB_CERT_EXPIRED,
	      NULL);
	check(document(ISSUER, "B1", ISSUER, "B1", "2026-06-30"), "2027-06-01", TB_CERT_EXPIRED,
	      NULL);
	/* A long-term certificate does not expire. */
	check(document(ISSUER, "B2", ISSUER, "B2", NULL), "2099-12-31", TB_CERT_VALID, NULL);
}

static int setup(void **state)
{
	(void)state;
	return tb_sm2_generate(&key) == TB_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tb_sm2_free(key);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(identifier_matches_record),
	                                   cmocka_unit_test(expiry_is_exact)};
	return cmocka_run_group_tests_name("record", tests, setup, teardown);
}
