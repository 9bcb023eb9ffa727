/* `tongban import regions DIR` and `tongban import calendar FILE`, and
 * `tongban migrate`: the store maintenance commands. */
#include "app/app.h"
#include "base/buf.h"
#include "calendar/calendar_store.h"
#include "cli/cli.h"
#include "cli/store_opts.h"
#include "regions/regions.h"
#include "store/migrate.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* Parses the store options; leaves positional arguments at argv[optind..]. */
static int parse_store_opts(int argc, char **argv, struct tb_app_options *ao, const char *usage)
{
	static const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(ao, ch, optarg))
			continue;
		if (ch == 'h') {
			printf("%s", usage);
			return 0;
		}
		fprintf(stderr, "%s", usage);
		return 2;
	}
	return -1;
}

static const char IMPORT_USAGE[] =
    "usage: tongban import regions DIR [--data DIR] [--db URL]\n"
    "       tongban import calendar FILE.csv [--data DIR] [--db URL]\n"
    "       tongban import catalog FILE.json [--data DIR] [--db URL]\n"
    "  regions: DIR holds provinces.csv, cities.csv, areas.csv, streets.csv (GB/T 2260)\n"
    "  calendar: date,kind,name rows (kind holiday or workday)\n";

static int read_file(const char *path, struct tb_buf *out)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tb_buf_add(out, chunk, n);
	int err = ferror(fp);
	fclose(fp);
	return err ? -1 : 0;
}

int tb_cmd_import(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	int rc = parse_store_opts(argc, argv, &ao, IMPORT_USAGE);
	if (rc >= 0)
		return rc;
	if (argc - optind == 2 && strcmp(argv[optind], "catalog") == 0)
		return tb_import_catalog(&ao, argv[optind + 1]);
	if (argc - optind != 2 ||
	    (strcmp(argv[optind], "regions") != 0 && strcmp(argv[optind], "calendar") != 0)) {
		fprintf(stderr, "%s", IMPORT_USAGE);
		return 2;
	}
	const char *what = argv[optind], *src = argv[optind + 1];
	struct tb_app *app;
	struct tb_fail f = {0};
	enum tb_err e = tb_app_open_store(&ao, &app, &f);
	if (e != TB_OK) {
		fprintf(stderr, "tongban import: %s: %s\n", f.field ? f.field : "db",
		        f.reason ? f.reason : tb_err_message(e));
		return 1;
	}
	if (strcmp(what, "regions") == 0) {
		struct tb_regions_import_stats st;
		e = tb_regions_import_dir(app->store, src, &st, &f);
		if (e == TB_OK)
			printf("regions: %ld upserted, %ld retired (kept for old codes)\n",
			       st.upserted, st.retired);
	} else {
		struct tb_buf b = TB_BUF_INIT;
		if (read_file(src, &b) != 0) {
			fprintf(stderr, "tongban import: %s: cannot read\n", src);
			tb_buf_free(&b);
			tb_app_close(app);
			return 1;
		}
		int rows;
		e = tb_calendar_import(app->store, b.data ? b.data : "", b.len, &rows, &f);
		tb_buf_free(&b);
		if (e == TB_OK)
			printf("calendar: %d days imported\n", rows);
	}
	tb_app_close(app);
	if (e != TB_OK) {
		fprintf(stderr, "tongban import %s: %s: %s (nothing imported)\n", what,
		        f.field ? f.field : src, f.reason ? f.reason : tb_err_message(e));
		return 1;
	}
	return 0;
}

static const char MIGRATE_USAGE[] = "usage: tongban migrate [--data DIR] [--db URL]\n";

int tb_cmd_migrate(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	int rc = parse_store_opts(argc, argv, &ao, MIGRATE_USAGE);
	if (rc >= 0)
		return rc;
	if (optind != argc) {
		fprintf(stderr, "%s", MIGRATE_USAGE);
		return 2;
	}
	struct tb_app *app;
	struct tb_fail f = {0};
	if (tb_app_open_store(&ao, &app, &f) != TB_OK) {
		fprintf(stderr, "tongban migrate: %s\n", f.reason ? f.reason : "failed");
		return 1;
	}
	int v = 0;
	enum tb_err e = tb_store_schema_version(app->store, &v);
	tb_app_close(app);
	if (e != TB_OK)
		return 1;
	printf("schema version %d\n", v);
	return 0;
}
