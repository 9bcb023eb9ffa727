/* The application context: the long-lived services one process holds (the
 * store, the region snapshot, the working-day calendar, settings), built by
 * tb_app_open and handed to the HTTP layer and the CLI commands. */
#ifndef TB_APP_APP_H
#define TB_APP_APP_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

struct tb_store;
struct tb_regions;
struct tb_calendar;
struct tb_notifier;
struct tb_blobs;
struct tb_keys;

struct tb_app_options {
	const char *data_dir; /* default "tongban-data" */
	const char *db_url;   /* default "sqlite:DATA/tongban.db" */
	/* The operator's master key file (--master-key): signing keys are
	 * sealed in the store with it (certs/vault.h); NULL: key files. */
	const char *master_key_file;
	/* PostgreSQL standbys for public reads (serve --db-read), or NULL. */
	const char *db_read_url;
	int pool_size; /* store connections; default 8 */
	bool demo;     /* seed demo data */
	/* The province this deployment serves (serve --province), set in a
	 * store that has none; NULL: the store's (the demo's 330000). */
	const char *province;
	bool secure_cookies; /* cookies only over HTTPS */
};

struct tb_app {
	struct tb_store *store;
	/* Public reads that may lag the primary by its standbys' replay delay
	 * (the published catalog, progress by query code, indicators); NULL:
	 * they read store. Use tb_app_reader. */
	struct tb_store *read_store;
	int session_idle_s;     /* 1800 */
	int session_absolute_s; /* 43200 */
	bool secure_cookies;    /* add Secure to cookies (behind TLS) */
	char province[10];      /* the province this deployment serves, or 000000 */
	int yellow_days;        /* a case with this many working days left or fewer is yellow */
	struct tb_regions *regions;
	struct tb_calendar *calendar;
	struct tb_notifier *notifier; /* started by serve; NULL elsewhere */
	bool allow_private_webhooks;  /* serve --allow-private-webhooks: loopback etc. allowed */
	struct tb_blobs *blobs;       /* material files: DATA/blobs */
	size_t max_upload;            /* bytes of one uploaded file; default 20 MiB */
	struct tb_keys *keys;         /* departments' signing keys: DATA/keys */
	char *checkpoint_dir;         /* signed audit checkpoints: DATA/checkpoints */
	char *keys_dir;               /* DATA/keys: departments' and the platform's keys */
	char *data_dir;
	bool demo;
};

/* The store for public reads that may be a moment behind. */
static inline struct tb_store *tb_app_reader(const struct tb_app *app)
{
	return app->read_store ? app->read_store : app->store;
}

/* The exchange with peer platforms' view of app (its store, keys,
 * regions and province). */
struct tb_exchange_env;
void tb_app_exchange_env(const struct tb_app *app, struct tb_exchange_env *env);

/* Opens the store, applies migrations, seeds the built-in reference data
 * when the store has none (regions, calendar, certificate types), opens
 * the blob store and the signing keys under the data folder, loads the snapshots. On
 * failure f says what went wrong. The caller owns *out. */
enum tb_err tb_app_open(const struct tb_app_options *opt, struct tb_app **out, struct tb_fail *f);
/* Opens the store and applies migrations only (for commands that need no
 * snapshots). */
enum tb_err tb_app_open_store(const struct tb_app_options *opt, struct tb_app **out,
                              struct tb_fail *f);
/* Closes everything; NULL is a no-op. */
void tb_app_close(struct tb_app *app);

#endif
