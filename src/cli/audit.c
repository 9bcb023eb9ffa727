/* `tongban audit verify [--checkpoint FILE [--key PEM]]`: walks the audit
 * hash chains and says whether they are intact (exit 0) or where they were
 * first tampered with (exit 1), and, given a signed checkpoint, whether
 * the chains still hold it. `tongban audit checkpoint`: signs the heads
 * now.
 * Exports tb_cmd_audit. */
#include "app/app.h"
#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "base/files.h"
#include "cli/cli.h"
#include "cli/store_opts.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongban audit verify [--data DIR] [--db URL] [--checkpoint FILE [--key PEM]]\n"
    "       tongban audit checkpoint [--data DIR] [--db URL] [--dir DIR] [--out FILE]\n"
    "  verify:     recompute the audit hash chains; exit 0 when intact, 1 when a\n"
    "              record was altered, removed or reordered (or the store failed)\n"
    "  --checkpoint  also check a signed checkpoint: its signature (by the platform\n"
    "              key DATA/keys/" TB_CHECKPOINT_KEY_FILE ", or the public key in --key PEM)\n"
    "              and that every chain still holds it (not shorter, not rewritten)\n"
    "  checkpoint: sign the audit heads (each chain's count and head hash, time)\n"
    "              with the platform key (made on first need) and write it to DIR\n"
    "              (default DATA/checkpoints: latest.json and the day's file);\n"
    "              --out FILE writes a copy there too\n";

/* The trusted key for a checkpoint: the public key in pem_file, else the
 * platform key in DATA/keys. NULL after saying why on stderr. */
static struct tb_sm2_key *trusted_key(const char *pem_file, struct tb_store *s,
                                      const char *keys_dir)
{
	struct tb_sm2_key *key = NULL;
	if (pem_file) {
		char *pem;
		size_t n;
		if (tb_file_read(pem_file, 64 * 1024, &pem, &n) != TB_OK) {
			fprintf(stderr, "tongban audit: --key: cannot read %s\n", pem_file);
			return NULL;
		}
		enum tb_err e = tb_sm2_load_public(pem, &key);
		free(pem);
		if (e != TB_OK)
			fprintf(stderr, "tongban audit: --key: %s holds no SM2 public key (PEM)\n",
			        pem_file);
		return key;
	}
	if (tb_checkpoint_key(s, keys_dir, false, &key) != TB_OK)
		fprintf(stderr,
		        "tongban audit: no platform key %s/%s to check the checkpoint with; give"
		        " --key PEM (the public_pem of GET /api/v1/audit/checkpoint, kept apart)\n",
		        keys_dir, TB_CHECKPOINT_KEY_FILE);
	return key;
}

/* `audit verify`, with the checkpoint checked first when given. */
static int verify(struct tb_app *app, const char *cp_file, const char *key_file)
{
	struct tb_checkpoint cp = {0};
	if (cp_file) {
		struct tb_fail f = {0};
		if (tb_checkpoint_load(cp_file, &cp, &f) != TB_OK) {
			fprintf(stderr, "tongban audit: --checkpoint %s: %s: %s\n", cp_file,
			        f.field, f.reason);
			return 2;
		}
		struct tb_sm2_key *key = trusted_key(key_file, app->store, app->keys_dir);
		if (!key) {
			tb_checkpoint_clear(&cp);
			return 2;
		}
		bool good = tb_checkpoint_signed_by(&cp, key);
		char id[TB_SM2_KEY_ID];
		tb_sm2_key_id(key, id);
		tb_sm2_free(key);
		if (!good) {
			printf("audit: checkpoint %s is not signed by the platform key %s (%s):"
			       " forged or altered, not used\n",
			       cp_file, id,
			       strcmp(id, cp.key_id) != 0 ? "it names another key"
			                                  : "the signature does not verify");
			tb_checkpoint_clear(&cp);
			return 1;
		}
	}
	struct tb_audit_check chk;
	enum tb_err e = tb_audit_verify(app->store, &chk);
	if (e != TB_OK) {
		fprintf(stderr, "tongban audit: verify failed: %s\n", tb_err_message(e));
		tb_checkpoint_clear(&cp);
		return 1;
	}
	if (chk.problem) {
		printf("audit: chain %" PRId64 " record %" PRId64 " %s: %s\n", chk.bad_chain,
		       chk.bad_seq, chk.problem, chk.detail);
		tb_checkpoint_clear(&cp);
		return 1;
	}
	int status = 0;
	if (cp_file) {
		bool ok;
		char detail[320];
		e = tb_checkpoint_compare(app->store, &cp, &ok, detail, sizeof(detail));
		if (e != TB_OK) {
			fprintf(stderr, "tongban audit: verify failed: %s\n", tb_err_message(e));
			status = 1;
		} else if (!ok) {
			printf("audit: checkpoint not held: %s\n", detail);
			status = 1;
		} else {
			printf("audit: checkpoint ok: %s\n", detail);
		}
	}
	tb_checkpoint_clear(&cp);
	if (status == 0)
		printf("audit: %" PRId64 " records in %" PRId64 " chain%s intact, head %s\n",
		       chk.count, chk.chains, chk.chains == 1 ? "" : "s", chk.head);
	return status;
}

static int checkpoint(struct tb_app *app, const char *dir, const char *out)
{
	struct tb_checkpoint cp;
	enum tb_err e =
	    tb_checkpoint_make(app->store, app->keys_dir, dir ? dir : app->checkpoint_dir, &cp);
	if (e != TB_OK) {
		fprintf(stderr, "tongban audit: checkpoint failed: %s%s\n", tb_err_message(e),
		        e == TB_EINTERNAL ? " (the audit head does not match its last record:"
		                            " run `tongban audit verify`)"
		                          : "");
		return 1;
	}
	int status = 0;
	if (out) {
		char *text = tb_checkpoint_json(&cp);
		if (!text || tb_file_write_atomic(out, text, strlen(text), 0644) != TB_OK) {
			fprintf(stderr, "tongban audit: --out: cannot write %s\n", out);
			status = 1;
		}
		free(text);
	}
	printf("audit: checkpoint %" PRId64 " records, head %s, key %s, in %s/%s\n", cp.count,
	       cp.head, cp.key_id, dir ? dir : app->checkpoint_dir, TB_CHECKPOINT_LATEST);
	tb_checkpoint_clear(&cp);
	return status;
}

int tb_cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    {"checkpoint", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"dir", required_argument, NULL, 'D'},
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct tb_app_options ao = {0};
	const char *cp_file = NULL, *key_file = NULL, *dir = NULL, *out = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(&ao, ch, optarg))
			continue;
		switch (ch) {
		case 'c': cp_file = optarg; break;
		case 'k': key_file = optarg; break;
		case 'D': dir = optarg; break;
		case 'o': out = optarg; break;
		case 'h': printf("%s", USAGE); return 0;
		default: fprintf(stderr, "%s", USAGE); return 2;
		}
	}
	const char *verb = argc - optind == 1 ? argv[optind] : "";
	bool is_verify = strcmp(verb, "verify") == 0, is_cp = strcmp(verb, "checkpoint") == 0;
	const char *misplaced = is_verify && (dir || out) ? "--dir and --out go with checkpoint"
	                        : is_cp && (cp_file || key_file)
	                            ? "--checkpoint and --key go with verify"
	                        : key_file && !cp_file ? "--key needs --checkpoint"
	                                               : NULL;
	if ((!is_verify && !is_cp) || misplaced) {
		if (misplaced)
			fprintf(stderr, "tongban audit: %s\n", misplaced);
		fprintf(stderr, "%s", USAGE);
		return 2;
	}
	ao.pool_size = 1;
	struct tb_app *app;
	struct tb_fail f = {0};
	enum tb_err e = tb_app_open_store(&ao, &app, &f);
	if (e != TB_OK) {
		fprintf(stderr, "tongban audit: %s: %s\n", f.field ? f.field : "db",
		        f.reason ? f.reason : tb_err_message(e));
		return 1;
	}
	int status = is_verify ? verify(app, cp_file, key_file) : checkpoint(app, dir, out);
	tb_app_close(app);
	return status;
}
