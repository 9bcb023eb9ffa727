/* `tongban indicators rebuild [--data DIR] [--db URL]`: makes the counters
 * of GET /api/v1/indicators again from the cases, ratings and follow-ups
 * (after cases were imported or written straight into the store). Exports
 * tb_cmd_indicators. */
#include "app/app.h"
#include "cases/indicators.h"
#include "cli/cli.h"
#include "cli/store_opts.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] = "usage: tongban indicators rebuild [--data DIR] [--db URL]\n"
                            "  rebuild: count the indicators again from the cases, ratings and\n"
                            "           follow-ups in the store (one transaction; serve may run)\n";

int tb_cmd_indicators(int argc, char **argv)
{
	struct tb_app *app;
	int status = tb_cli_store_verb(argc, argv, USAGE, "indicators", "rebuild", &app);
	if (status >= 0)
		return status;
	enum tb_err e;
	int64_t days = 0, due = 0;
	e = tb_indicators_rebuild(app->store, &days, &due);
	tb_app_close(app);
	if (e != TB_OK) {
		fprintf(stderr, "tongban indicators: rebuild failed: %s\n", tb_err_message(e));
		return 1;
	}
	printf("indicators: %" PRId64 " region-days, %" PRId64 " open deadlines\n", days, due);
	return 0;
}
