/* `tongban keys import`: seals the private keys of this node's data folder
 * (the .pem files of DATA/keys: departments' certificate keys and the platform's
 * audit key) into the store with the master key, so that other nodes sign
 * with them; `tongban keys reseal`: seals every stored key again under a
 * new master key (rotating it), all or none. Exports tb_cmd_keys. */
#include "app/app.h"
#include "base/seal.h"
#include "certs/vault.h"
#include "cli/cli.h"
#include "cli/store_opts.h"

#include <dirent.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongban keys import [--data DIR] [--db URL] --master-key FILE\n"
    "       tongban keys reseal [--data DIR] [--db URL] --master-key FILE --new-master-key FILE\n"
    "  import:  seal the private keys of DATA/keys into the store (kept there when\n"
    "           already stored), for the nodes of a province to share\n"
    "  reseal:  seal every stored key again under the new master key, in one\n"
    "           transaction; then give every node the new key file\n"
    "  FILE:    64 hex digits (openssl rand -hex 32), mode 0600\n";

struct import_args {
	const char *dir;
	int n;
};

/* The id a key file is stored under: its name without .pem. */
static bool id_of(const char *name, char *id, size_t size)
{
	size_t n = strlen(name);
	if (n <= 4 || n - 4 >= size || strcmp(name + n - 4, ".pem") != 0 || name[0] == '.')
		return false;
	memcpy(id, name, n - 4);
	id[n - 4] = '\0';
	return true;
}

static enum tb_err import_in(struct tb_conn *c, void *arg)
{
	struct import_args *x = arg;
	x->n = 0;
	DIR *d = opendir(x->dir);
	if (!d)
		return TB_ENOTFOUND;
	enum tb_err e = TB_OK;
	struct dirent *de;
	while (e == TB_OK && (de = readdir(d))) {
		char id[128], path[4400];
		if (!id_of(de->d_name, id, sizeof(id)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", x->dir, de->d_name);
		struct tb_sm2_key *key;
		e = tb_sm2_load_private(path, &key);
		if (e != TB_OK) {
			fprintf(stderr, "tongban keys: %s holds no SM2 private key\n", path);
			break;
		}
		e = tb_vault_put_on(c, id, key);
		tb_sm2_free(key);
		if (e == TB_OK) {
			printf("keys: sealed %s\n", id);
			x->n++;
		}
	}
	closedir(d);
	return e;
}

int tb_cmd_keys(int argc, char **argv)
{
	static const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    {"new-master-key", required_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct tb_app_options ao = {0};
	const char *next_file = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(&ao, ch, optarg))
			continue;
		if (ch == 'N') {
			next_file = optarg;
			continue;
		}
		fprintf(ch == 'h' ? stdout : stderr, "%s", USAGE);
		return ch == 'h' ? 0 : 2;
	}
	const char *verb = optind + 1 == argc ? argv[optind] : NULL;
	bool import = verb && !strcmp(verb, "import"), reseal = verb && !strcmp(verb, "reseal");
	if ((!import && !reseal) || !ao.master_key_file || (reseal != (next_file != NULL))) {
		fprintf(stderr, "%s", USAGE);
		return 2;
	}
	unsigned char next[TB_MASTER_KEY_LEN];
	const char *why = NULL;
	if (reseal && tb_master_key_load(next_file, next, &why) != TB_OK) {
		fprintf(stderr, "tongban keys: --new-master-key %s: %s\n", next_file, why);
		return 2;
	}
	ao.pool_size = 1;
	struct tb_app *app;
	struct tb_fail f = {0};
	if (tb_app_open_store(&ao, &app, &f) != TB_OK) {
		fprintf(stderr, "tongban keys: %s: %s\n", f.field ? f.field : "db",
		        f.reason ? f.reason : "cannot open the store");
		OPENSSL_cleanse(next, sizeof(next));
		return f.field && !strcmp(f.field, "master-key") ? 2 : 1;
	}
	int n = 0;
	enum tb_err e;
	if (import) {
		struct import_args x = {app->keys_dir, 0};
		e = tb_store_write(app->store, import_in, &x);
		n = x.n;
		if (e == TB_ENOTFOUND)
			fprintf(stderr, "tongban keys: no key folder %s\n", app->keys_dir);
	} else {
		e = tb_vault_reseal(app->store, next, &n);
		if (e == TB_EDENIED)
			fprintf(stderr,
			        "tongban keys: a stored key does not open with --master-key: "
			        "nothing changed\n");
	}
	OPENSSL_cleanse(next, sizeof(next));
	tb_app_close(app);
	if (e != TB_OK) {
		fprintf(stderr, "tongban keys: %s failed: nothing changed\n", verb);
		return 1;
	}
	printf("keys: %d %s\n", n, import ? "sealed into the store" : "sealed again");
	return 0;
}
