/* Building the application context: data folder, store, migrations, the
 * built-in reference data on first start, and the in-memory snapshots. */
#include "app/app.h"
#include "federation/exchange.h"
#include "catalog/synonyms.h"
#include "base/log.h"
#include "base/mem.h"
#include "calendar/calendar_store.h"
#include "demo/demo.h"
#include "identity/ratelimit.h"
#include "certs/keys.h"
#include "certs/vault.h"
#include "base/seal.h"
#include "certs/types.h"
#include "materials/blobs.h"
#include "regions/regions.h"
#include "catalog/catalog.h"
#include "store/migrate.h"
#include "store/store.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum tb_err tb_app_open_store(const struct tb_app_options *opt, struct tb_app **out,
                              struct tb_fail *f)
{
	*out = NULL;
	const char *dir = opt->data_dir ? opt->data_dir : "tongban-data";
	char url[4096];
	if (opt->db_url) {
		snprintf(url, sizeof(url), "%s", opt->db_url);
	} else {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return tb_fail(f, TB_EINVAL, "data", "cannot create the data folder");
		snprintf(url, sizeof(url), "sqlite:%s/tongban.db", dir);
	}
	if (opt->master_key_file) {
		unsigned char key[TB_MASTER_KEY_LEN];
		const char *why = NULL;
		if (tb_master_key_load(opt->master_key_file, key, &why) != TB_OK)
			return tb_fail(f, TB_EINVAL, "master-key", why);
		tb_vault_use(key);
		OPENSSL_cleanse(key, sizeof(key));
	}
	struct tb_app *app = tb_xcalloc(1, sizeof(*app));
	app->data_dir = tb_xstrdup(dir);
	char cps[4096];
	snprintf(cps, sizeof(cps), "%s/checkpoints", dir);
	app->checkpoint_dir = tb_xstrdup(cps);
	snprintf(cps, sizeof(cps), "%s/keys", dir);
	app->keys_dir = tb_xstrdup(cps);
	app->demo = opt->demo;
	app->secure_cookies = opt->secure_cookies;
	app->session_idle_s = 1800;
	app->yellow_days = 2;
	app->max_upload = 20u << 20;
	app->session_absolute_s = 43200;
	memcpy(app->province, "000000", 7);
	enum tb_err e = tb_store_open(url, opt->pool_size > 0 ? opt->pool_size : 8, &app->store, f);
	if (e == TB_OK) {
		int applied;
		e = tb_store_migrate(app->store, &applied);
		if (e != TB_OK)
			tb_fail(f, e, "db", "schema migration failed");
		else if (applied && (e = tb_catalog_search_backfill(app->store)) != TB_OK)
			tb_fail(f, e, "db", "search documents of older items failed");
	}
	/* The standbys: no migrations (they replay the primary's), and the
	 * same kind of store only. */
	if (e == TB_OK && opt->db_read_url) {
		if (tb_store_kind(app->store) != TB_STORE_PG ||
		    (strncmp(opt->db_read_url, "postgres://", 11) != 0 &&
		     strncmp(opt->db_read_url, "postgresql://", 13) != 0))
			e = tb_fail(
			    f, TB_EINVAL, "db-read",
			    "standbys for reads need a PostgreSQL --db and a postgres:// URL");
		else
			e = tb_store_open(opt->db_read_url, opt->pool_size > 0 ? opt->pool_size : 8,
			                  &app->read_store, f);
		if (e != TB_OK && f->field && !strcmp(f->field, "db"))
			f->field = "db-read";
	}
	if (e != TB_OK) {
		tb_app_close(app);
		return e;
	}
	*out = app;
	return TB_OK;
}

/* The province this deployment serves (meta key "province"). */
static enum tb_err load_province(struct tb_app *app)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(app->store, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT value FROM meta WHERE key = 'province'", "");
	if (e == TB_OK && row)
		snprintf(app->province, sizeof(app->province), "%.6s", tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* Makes the store serve province (a province code of the regions) when
 * it serves none yet; a store that serves another is refused: its cases,
 * catalog and peers belong to that one. */
static enum tb_err claim_province(struct tb_app *app, const char *province, struct tb_fail *f)
{
	const struct tb_region *p = tb_regions_find(app->regions, province);
	if (!p || p->level != TB_REGION_PROVINCE || strcmp(p->code, province) != 0)
		return tb_fail(f, TB_EINVAL, "province",
		               "expected the code of a province, e.g. 440000");
	if (strcmp(app->province, province) == 0)
		return TB_OK;
	if (strcmp(app->province, "000000") != 0) {
		static __thread char why[96];
		snprintf(why, sizeof(why), "this store serves province %s", app->province);
		return tb_fail(f, TB_EINVAL, "province", why);
	}
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(app->store, &c);
	if (e == TB_OK) {
		e = tb_conn_run(c, NULL,
		                "INSERT INTO meta (key, value) VALUES ('province', ?)"
		                " ON CONFLICT (key) DO NOTHING",
		                "s", province);
		tb_store_release(c);
	}
	/* Another node may have claimed it first: what the store says wins. */
	if (e == TB_OK)
		e = load_province(app);
	if (e == TB_OK && strcmp(app->province, province) != 0)
		return claim_province(app, province, f);
	return e;
}

enum tb_err tb_app_open(const struct tb_app_options *opt, struct tb_app **out, struct tb_fail *f)
{
	struct tb_app *app;
	enum tb_err e = tb_app_open_store(opt, &app, f);
	if (e != TB_OK)
		return e;
	bool seeded;
	e = tb_regions_seed(app->store, &seeded);
	if (e == TB_OK)
		e = tb_calendar_seed(app->store, &seeded);
	int changed;
	if (e == TB_OK)
		e = tb_cert_types_sync(app->store, &changed);
	if (e == TB_OK)
		e = tb_synonyms_seed(app->store);
	if (e == TB_OK)
		e = tb_regions_load(app->store, &app->regions);
	if (e == TB_OK)
		e = tb_calendar_load(app->store, &app->calendar);
	if (e == TB_OK) {
		/* Files beside the database: material blobs and signing keys. */
		char dir[4096];
		if (mkdir(app->data_dir, 0700) != 0 && errno != EEXIST)
			e = TB_ESTORE;
		snprintf(dir, sizeof(dir), "%s/blobs", app->data_dir);
		if (e == TB_OK)
			e = tb_blobs_open(dir, &app->blobs);
		if (e == TB_OK)
			e = tb_keys_open(app->keys_dir, &app->keys);
	}
	/* Several nodes may serve one PostgreSQL: what limits sign-ins and
	 * queries, and the material files, are kept there, where each node
	 * sees the others'. */
	if (e == TB_OK && tb_store_kind(app->store) == TB_STORE_PG) {
		tb_limit_share(app->store);
		tb_blobs_share(app->blobs, app->store);
	}
	if (e == TB_OK && opt->demo)
		e = tb_demo_seed(app, opt->province);
	if (e == TB_OK)
		e = load_province(app);
	if (e == TB_OK && opt->province && (e = claim_province(app, opt->province, f)) != TB_OK) {
		tb_app_close(app);
		return e;
	}
	if (e != TB_OK) {
		tb_fail(f, e, "db", "loading reference data failed");
		tb_app_close(app);
		return e;
	}
	*out = app;
	return TB_OK;
}

void tb_app_close(struct tb_app *app)
{
	if (!app)
		return;
	if (app->store && tb_store_kind(app->store) == TB_STORE_PG)
		tb_limit_share(NULL);
	tb_blobs_close(app->blobs);
	tb_keys_close(app->keys);
	tb_regions_free(app->regions);
	tb_calendar_free(app->calendar);
	tb_store_close(app->store);
	tb_store_close(app->read_store);
	tb_vault_use(NULL);
	free(app->data_dir);
	free(app->checkpoint_dir);
	free(app->keys_dir);
	free(app);
}

void tb_app_exchange_env(const struct tb_app *app, struct tb_exchange_env *env)
{
	*env = (struct tb_exchange_env){app->store,    app->keys,     app->regions,
	                                app->province, app->calendar, app->blobs};
}
