/* Certificate documents (see record.h). */
#include "certs/record.h"
#include "base/date.h"
#include "codes/certid.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *tb_cert_status_name(enum tb_cert_status s)
{
	static const char *const names[] = {"valid", "revoked", "expired", "forged", "unknown"};
	return s <= TB_CERT_UNKNOWN ? names[s] : "unknown";
}

char *tb_cert_canonical(const json_t *record)
{
	if (!json_is_object(record))
		return NULL;
	return json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
}

static const char *text_at(const json_t *o, const char *a, const char *b)
{
	const json_t *x = json_object_get(o, a);
	return json_string_value(b ? json_object_get(x, b) : x);
}

static enum tb_cert_status forged(const char **reason, const char *why)
{
	*reason = why;
	return TB_CERT_FORGED;
}

const char *tb_cert_doc_malformed(const json_t *doc, const char **why)
{
	/* What the export holds; status, revoked_at and revoke_reason are the
	 * register's answer when it was exported, beside the signed part,
	 * and never trusted. */
	static const struct {
		const char *name;
		int type; /* 'o' object, 's' string, 'i' integer */
		bool required;
	} members[] = {{"record", 'o', true},         {"signature", 's', true},
	               {"digest", 's', false},        {"format", 's', true},
	               {"format_version", 'i', true}, {"status", 's', false},
	               {"revoked_at", 'i', false},    {"revoke_reason", 's', false}};
	size_t n = sizeof(members) / sizeof(members[0]);
	if (!json_is_object(doc))
		return *why = "expected a certificate document {record, digest, signature}", "body";
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_object_get(doc, members[i].name);
		if (!x && members[i].required)
			return *why = "required", members[i].name;
		if (!x)
			continue;
		bool ok = members[i].type == 'o'   ? json_is_object(x)
		          : members[i].type == 's' ? json_is_string(x)
		                                   : json_is_integer(x);
		if (!ok)
			return *why = members[i].type == 'o'   ? "expected an object"
			              : members[i].type == 's' ? "expected a string"
			                                       : "expected an integer",
			       members[i].name;
	}
	if (strcmp(json_string_value(json_object_get(doc, "format")), "tongban-certificate") != 0)
		return *why = "expected tongban-certificate", "format";
	if (json_integer_value(json_object_get(doc, "format_version")) != 1)
		return *why = "expected 1 (the only version)", "format_version";
	const char *k;
	const json_t *x;
	json_object_foreach((json_t *)doc, k, x)
	{
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(k, members[i].name) == 0;
		if (!known)
			return *why = "unknown member", k;
	}
	*why = NULL;
	return NULL;
}

enum tb_cert_status tb_cert_check(const json_t *doc, const struct tb_sm2_key *key,
                                  const char *key_issuer, int64_t today, const char **reason)
{
	*reason = NULL;
	const json_t *record = json_object_get(doc, "record");
	const char *sig = json_string_value(json_object_get(doc, "signature"));
	const char *why;
	if (tb_cert_doc_malformed(doc, &why))
		return forged(reason, "not a certificate document");
	struct tb_certid id;
	struct tb_fail f = {0};
	if (tb_certid_parse(text_at(record, "identifier", NULL), &id, &f) != TB_OK)
		return forged(reason, strcmp(f.reason, "check character") == 0
		                          ? "identifier check character"
		                          : "identifier");
	const char *type = text_at(record, "type", "code"),
	           *issuer = text_at(record, "issuer", "code");
	const char *number = text_at(record, "number", NULL);
	if (!type || !issuer || !number || strcmp(type, id.type_code) ||
	    strcmp(issuer, id.issuer) || strcmp(number, id.serial))
		return forged(reason, "identifier does not match the record");
	if (!key)
		return forged(reason, "key");
	/* A good signature proves only that key signed: the record must name
	 * this very key, and the key's department must be the issuer, or any
	 * department could sign in another's name. */
	char key_id[TB_SM2_KEY_ID];
	tb_sm2_key_id(key, key_id);
	const char *named = text_at(record, "key_id", NULL);
	if (!named || strcmp(named, key_id) != 0)
		return forged(reason, "key");
	if (key_issuer && strcmp(key_issuer, issuer) != 0)
		return forged(reason, "issuer");
	char *canon = tb_cert_canonical(record);
	char digest[TB_SM3_HEX];
	tb_sm3_hex(canon, strlen(canon), digest);
	const char *claimed = json_string_value(json_object_get(doc, "digest"));
	enum tb_cert_status st = TB_CERT_VALID;
	if (claimed && strcmp(claimed, digest) != 0)
		st = forged(reason, "digest");
	else if (!tb_sm2_verify(key, canon, strlen(canon), sig))
		st = forged(reason, "signature");
	free(canon);
	if (st != TB_CERT_VALID)
		return st;
	int64_t until;
	const char *to = text_at(record, "valid_to", NULL);
	if (to && tb_date_parse(to, &until) && until < today)
		return TB_CERT_EXPIRED;
	return TB_CERT_VALID;
}
