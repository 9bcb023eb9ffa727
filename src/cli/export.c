/* `tongban export catalog [--region CODE]` and `tongban import catalog
 * FILE`: the catalog exchange format of docs/catalog-format.md. */
#include "app/app.h"
#include "base/buf.h"
#include "catalog/exchange.h"
#include "cli/cli.h"
#include "cli/store_opts.h"
#include "regions/regions.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongban export catalog [--region CODE] [--data DIR] [--db URL]\n"
    "  writes the catalog (departments, basic items, every item version)\n"
    "  as JSON to standard output; --region limits it to a region\n";

int tb_cmd_export(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	const char *region = NULL;
	static const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    {"region", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(&ao, ch, optarg))
			continue;
		if (ch == 'r') {
			region = optarg;
		} else if (ch == 'h') {
			printf("%s", USAGE);
			return 0;
		} else {
			fprintf(stderr, "%s", USAGE);
			return 2;
		}
	}
	if (optind + 1 != argc || strcmp(argv[optind], "catalog") != 0) {
		fprintf(stderr, "%s", USAGE);
		return 2;
	}
	char canon[10];
	if (region && (!tb_region_code_normalize(region, canon) || strlen(canon) != 6)) {
		fprintf(stderr, "tongban export: --region: expected a 6-digit GB/T 2260 code\n");
		return 2;
	}
	struct tb_app *app;
	struct tb_fail f = {0};
	if (tb_app_open_store(&ao, &app, &f) != TB_OK) {
		fprintf(stderr, "tongban export: %s\n",
		        f.reason ? f.reason : "cannot open the store");
		return 1;
	}
	enum tb_err e = tb_catalog_export(app->store, region ? canon : NULL, stdout);
	tb_app_close(app);
	if (e != TB_OK || fflush(stdout) != 0) {
		fprintf(stderr, "tongban export: %s\n", tb_err_message(e ? e : TB_EINTERNAL));
		return 1;
	}
	return 0;
}

int tb_import_catalog(struct tb_app_options *ao, const char *file)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!fp) {
		fprintf(stderr, "tongban import: %s: cannot read\n", file);
		return 1;
	}
	struct tb_buf b = TB_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tb_buf_add(&b, chunk, n);
	if (fp != stdin)
		fclose(fp);
	struct tb_app *app;
	struct tb_fail f = {0};
	if (tb_app_open(ao, &app, &f) != TB_OK) {
		fprintf(stderr, "tongban import: %s\n",
		        f.reason ? f.reason : "cannot open the store");
		tb_buf_free(&b);
		return 1;
	}
	struct tb_principal system = {.kind = TB_ANON};
	struct tb_ctx ctx = {&system, "cli", ""};
	struct tb_import_report rep;
	enum tb_err e =
	    tb_catalog_import(app->store, app->regions, &ctx, b.data ? b.data : "", b.len, &rep);
	tb_buf_free(&b);
	tb_app_close(app);
	if (e == TB_EINVAL) {
		for (size_t i = 0; i < rep.nerrors; i++)
			fprintf(stderr, "%s: %s\n", file, rep.errors[i]);
		fprintf(stderr, "tongban import: %zu bad record(s): nothing imported\n",
		        rep.nerrors);
	} else if (e != TB_OK) {
		fprintf(stderr, "tongban import: %s: nothing imported\n", tb_err_message(e));
	} else {
		printf("catalog: %ld departments, %ld basic items, %ld item versions imported\n",
		       rep.departments, rep.basic_items, rep.items);
	}
	tb_import_report_free(&rep);
	return e == TB_OK ? 0 : 1;
}
