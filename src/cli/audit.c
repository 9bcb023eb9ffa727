/* `tongban audit verify [--data DIR] [--db URL]`: walks the audit hash
 * chain and says whether it is intact (exit 0) or where it was first
 * tampered with (exit 1). Exports tb_cmd_audit. */
#include "app/app.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "cli/store_opts.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongban audit verify [--data DIR] [--db URL]\n"
    "  verify: recompute the audit hash chain; exit 0 when intact, 1 when a\n"
    "          record was altered, removed or reordered (or the store failed)\n";

int tb_cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct tb_app_options ao = {0};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(&ao, ch, optarg))
			continue;
		if (ch == 'h') {
			printf("%s", USAGE);
			return 0;
		}
		fprintf(stderr, "%s", USAGE);
		return 2;
	}
	if (argc - optind != 1 || strcmp(argv[optind], "verify") != 0) {
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
	struct tb_audit_check chk;
	e = tb_audit_verify(app->store, &chk);
	tb_app_close(app);
	if (e != TB_OK) {
		fprintf(stderr, "tongban audit: verify failed: %s\n", tb_err_message(e));
		return 1;
	}
	if (chk.problem) {
		printf("audit: record %" PRId64 " %s: %s\n", chk.bad_seq, chk.problem, chk.detail);
		return 1;
	}
	printf("audit: %" PRId64 " records intact, head %s\n", chk.count, chk.head);
	return 0;
}
