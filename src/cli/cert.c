/* `tongban cert verify FILE.json --key KEY [--issuer CREDIT_CODE]`:
 * verifies an exported e-certificate offline, with the issuer's public key
 * (the JSON of GET /api/v1/keys/{key_id}, which names the key's
 * department, or a PEM file with --issuer naming it). Exports
 * tb_cmd_cert. */
#include "base/date.h"
#include "certs/record.h"
#include "cli/cli.h"
#include "codes/credit.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongban cert verify FILE.json --key KEY [--issuer CREDIT_CODE]\n"
    "  verify: check an exported e-certificate offline: its GB/T 36904\n"
    "          identifier, its SM2 signature with the issuer's public key KEY\n"
    "          and its validity dates. KEY is the JSON of GET /api/v1/keys/\n"
    "          {key_id} (it names the key's department), or a PEM file, which\n"
    "          names nobody: then --issuer gives the credit code of the\n"
    "          department the key belongs to (required). The record must name\n"
    "          that key and that department as its issuer. Exit 0 valid, 1\n"
    "          expired or forged, 2 on a usage error or an unreadable file.\n"
    "          Revocation needs the register:\n"
    "          GET /api/v1/certificates/{identifier}/verify.\n";

/* The file at path, malloc'd and NUL-terminated, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1 || cap > (64u << 20))
			break;
		char *more = realloc(buf, cap * 2);
		if (!more) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = more;
		cap *= 2;
	}
	bool err = ferror(f);
	fclose(f);
	if (buf && !err) {
		buf[n] = '\0';
		return buf;
	}
	free(buf);
	return NULL;
}

/* A public key and whose it is. */
struct given_key {
	struct tb_sm2_key *key;
	char id[TB_SM2_KEY_ID]; /* computed from the key, as the platform does */
	char department[19];    /* credit code, from the JSON or --issuer; "" unknown */
	char name[200];         /* the department's name, from the JSON */
};

/* Reads the key in text (path names it in messages): the JSON of GET
 * /api/v1/keys/{key_id}, whose key_id must be its key's and which must
 * name the department, or a bare PEM. Prints why not and returns false. */
static bool load_key(const char *path, const char *text, struct given_key *out)
{
	memset(out, 0, sizeof(*out));
	json_t *j = json_loads(text, 0, NULL);
	const char *pem = j ? json_string_value(json_object_get(j, "public_pem")) : text;
	bool ok = pem && tb_sm2_load_public(pem, &out->key) == TB_OK;
	if (!ok) {
		fprintf(stderr, "tongban cert: %s: not an SM2 public key%s\n", path,
		        j ? " (a key JSON without public_pem)" : "");
		goto out;
	}
	tb_sm2_key_id(out->key, out->id);
	if (j) {
		const char *id = json_string_value(json_object_get(j, "key_id"));
		const json_t *dept = json_object_get(j, "department");
		const char *code = json_string_value(json_object_get(dept, "code"));
		const char *name = json_string_value(json_object_get(dept, "name"));
		if (!id || strcmp(id, out->id) != 0) {
			fprintf(stderr,
			        "tongban cert: %s: the key_id %s is not the id of its public key "
			        "(%s)\n",
			        path, id ? id : "(none)", out->id);
			ok = false;
		} else if (!code || !*code) {
			fprintf(stderr,
			        "tongban cert: %s: names no department credit code: use the JSON "
			        "of GET /api/v1/keys/{key_id}\n",
			        path);
			ok = false;
		} else {
			snprintf(out->department, sizeof(out->department), "%s", code);
			snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
		}
	}
out:
	json_decref(j);
	if (!ok) {
		tb_sm2_free(out->key);
		out->key = NULL;
	}
	return ok;
}

/* Why a document failed, in words for the verifier. */
static const char *explain(const char *reason, const struct given_key *k, const json_t *record,
                           char *buf, size_t size)
{
	const char *issuer =
	    json_string_value(json_object_get(json_object_get(record, "issuer"), "code"));
	const char *named = json_string_value(json_object_get(record, "key_id"));
	if (reason && strcmp(reason, "key") == 0)
		snprintf(buf, size, "key: the document names key %s, the key given is %s",
		         named ? named : "(none)", k->id);
	else if (reason && strcmp(reason, "issuer") == 0)
		snprintf(buf, size,
		         "issuer: the key belongs to %s%s%s%s, the record's issuer is %s",
		         k->department, k->name[0] ? " (" : "", k->name, k->name[0] ? ")" : "",
		         issuer ? issuer : "(none)");
	else
		return reason;
	return buf;
}

int tb_cmd_cert(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"issuer", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *key_path = NULL, *issuer = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "hk:i:", longopts, NULL)) != -1) {
		if (ch == 'k') {
			key_path = optarg;
		} else if (ch == 'i') {
			issuer = optarg;
		} else if (ch == 'h') {
			printf("%s", USAGE);
			return 0;
		} else {
			fprintf(stderr, "%s", USAGE);
			return 2;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "verify") != 0 || !key_path) {
		fprintf(stderr, "%s", USAGE);
		return 2;
	}
	struct tb_credit credit = {0};
	if (issuer && tb_credit_check(issuer, &credit, NULL) != TB_OK) {
		fprintf(stderr, "tongban cert: --issuer %s: not a unified social credit code\n",
		        issuer);
		return 2;
	}
	const char *doc_path = argv[optind + 1];
	char *doc_text = slurp(doc_path), *key_text = slurp(key_path);
	json_error_t jerr;
	json_t *doc = doc_text ? json_loads(doc_text, 0, &jerr) : NULL;
	struct given_key k = {0};
	int rc = 2;
	if (!doc_text)
		fprintf(stderr, "tongban cert: %s: cannot read it\n", doc_path);
	else if (!doc)
		fprintf(stderr, "tongban cert: %s: not JSON (line %d: %s)\n", doc_path, jerr.line,
		        jerr.text);
	else if (!key_text)
		fprintf(stderr, "tongban cert: %s: cannot read it\n", key_path);
	else if (!load_key(key_path, key_text, &k))
		; /* said why */
	else if (!k.department[0] && !issuer)
		fprintf(stderr,
		        "tongban cert: %s is a bare PEM key, which does not say whose it is: give "
		        "--issuer CREDIT_CODE (the department the key belongs to), or use the "
		        "JSON of GET /api/v1/keys/{key_id}\n",
		        key_path);
	else if (k.department[0] && issuer && strcmp(credit.normalized, k.department) != 0)
		fprintf(stderr, "tongban cert: --issuer %s, but the key %s belongs to %s\n", issuer,
		        key_path, k.department);
	else {
		if (!k.department[0])
			snprintf(k.department, sizeof(k.department), "%s", credit.normalized);
		const json_t *record = json_object_get(doc, "record");
		const char *reason = NULL;
		enum tb_cert_status st =
		    tb_cert_check(doc, k.key, k.department, tb_date_today(), &reason);
		char why[400];
		reason = explain(reason, &k, record, why, sizeof(why));
		const json_t *is = json_object_get(record, "issuer");
		const char *id = json_string_value(json_object_get(record, "identifier"));
		const char *name = json_string_value(json_object_get(is, "name"));
		const char *code = json_string_value(json_object_get(is, "code"));
		printf("cert: %s%s%s%s: %s, issuer %s (%s)\n", tb_cert_status_name(st),
		       reason ? " (" : "", reason ? reason : "", reason ? ")" : "", id ? id : "?",
		       name ? name : "?", code ? code : "?");
		rc = st == TB_CERT_VALID ? 0 : 1;
	}
	json_decref(doc);
	tb_sm2_free(k.key);
	free(doc_text);
	free(key_text);
	return rc;
}
