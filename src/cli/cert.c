/* `tongban cert verify FILE.json --key KEY`: verifies an exported
 * e-certificate offline, with the issuer's public key (a PEM file, or the
 * JSON of GET /api/v1/keys/{key_id}). Exports tb_cmd_cert. */
#include "base/date.h"
#include "certs/record.h"
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongban cert verify FILE.json --key KEY\n"
    "  verify: check an exported e-certificate offline: its GB/T 36904\n"
    "          identifier, its SM2 signature with the issuer's public key KEY\n"
    "          (a PEM file, or the JSON of GET /api/v1/keys/{key_id}) and its\n"
    "          validity dates. Exit 0 valid, 1 expired or forged, 2 on a usage\n"
    "          error or an unreadable file. Revocation needs the register:\n"
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

/* The public key in text: PEM as is, or the "public_pem" of a key JSON. */
static struct tb_sm2_key *load_key(const char *text)
{
	struct tb_sm2_key *key = NULL;
	json_t *j = json_loads(text, 0, NULL);
	const char *pem = j ? json_string_value(json_object_get(j, "public_pem")) : text;
	tb_sm2_load_public(pem, &key);
	json_decref(j);
	return key;
}

int tb_cmd_cert(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *key_path = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "hk:", longopts, NULL)) != -1) {
		if (ch == 'k') {
			key_path = optarg;
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
	const char *doc_path = argv[optind + 1];
	char *doc_text = slurp(doc_path), *key_text = slurp(key_path);
	json_error_t jerr;
	json_t *doc = doc_text ? json_loads(doc_text, 0, &jerr) : NULL;
	struct tb_sm2_key *key = key_text ? load_key(key_text) : NULL;
	int rc = 2;
	if (!doc_text)
		fprintf(stderr, "tongban cert: %s: cannot read it\n", doc_path);
	else if (!doc)
		fprintf(stderr, "tongban cert: %s: not JSON (line %d: %s)\n", doc_path, jerr.line,
		        jerr.text);
	else if (!key_text)
		fprintf(stderr, "tongban cert: %s: cannot read it\n", key_path);
	else if (!key)
		fprintf(stderr, "tongban cert: %s: not an SM2 public key\n", key_path);
	else {
		const json_t *record = json_object_get(doc, "record");
		const char *named = json_string_value(json_object_get(record, "key_id"));
		char id[TB_SM2_KEY_ID];
		tb_sm2_key_id(key, id);
		const char *reason = NULL;
		enum tb_cert_status st = tb_cert_check(doc, key, tb_date_today(), &reason);
		if (st == TB_CERT_FORGED && named && strcmp(named, id) != 0 &&
		    strcmp(reason, "signature") == 0)
			reason = "signature (the document names another key than the one given)";
		const json_t *issuer = json_object_get(record, "issuer");
		printf("cert: %s%s%s%s: %s, issuer %s (%s)\n", tb_cert_status_name(st),
		       reason ? " (" : "", reason ? reason : "", reason ? ")" : "",
		       json_string_value(json_object_get(record, "identifier"))
		           ? json_string_value(json_object_get(record, "identifier"))
		           : "?",
		       json_string_value(json_object_get(issuer, "name"))
		           ? json_string_value(json_object_get(issuer, "name"))
		           : "?",
		       json_string_value(json_object_get(issuer, "code"))
		           ? json_string_value(json_object_get(issuer, "code"))
		           : "?");
		rc = st == TB_CERT_VALID ? 0 : 1;
	}
	json_decref(doc);
	tb_sm2_free(key);
	free(doc_text);
	free(key_text);
	return rc;
}
