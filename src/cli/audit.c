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
	struct tb_app *app;
	int status = tb_cli_store_verb(argc, argv, USAGE, "audit", "verify", &app);
	if (status >= 0)
		return status;
	enum tb_err e;
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
