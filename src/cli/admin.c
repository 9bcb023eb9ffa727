/* `tongban admin create --name NAME --id-number N [--phone P] [--region R]`:
 * makes the first administrator (or another one) from the command line.
 * The password is read from standard input (one line), never from argv,
 * so it stays out of the process list and the shell history. */
#include "app/app.h"
#include "cli/cli.h"
#include "cli/store_opts.h"
#include "identity/accounts.h"
#include "identity/departments.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongban admin create --name NAME --id-number N [--phone P] [--region CODE]\n"
    "                            [--data DIR] [--db URL]   (password on standard input)\n"
    "  --region  the region the administrator covers (default 000000: everything)\n";

int tb_cmd_admin(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	const char *name = NULL, *id_number = NULL, *phone = NULL, *region = "000000";
	static const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    {"name", required_argument, NULL, 'n'},
	    {"id-number", required_argument, NULL, 'i'},
	    {"phone", required_argument, NULL, 'p'},
	    {"region", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(&ao, ch, optarg))
			continue;
		switch (ch) {
		case 'n': name = optarg; break;
		case 'i': id_number = optarg; break;
		case 'p': phone = optarg; break;
		case 'r': region = optarg; break;
		case 'h': printf("%s", USAGE); return 0;
		default: fprintf(stderr, "%s", USAGE); return 2;
		}
	}
	if (optind + 1 != argc || strcmp(argv[optind], "create") != 0 || !name || !id_number) {
		fprintf(stderr, "%s", USAGE);
		return 2;
	}
	char password[256];
	if (!fgets(password, sizeof(password), stdin)) {
		fprintf(stderr, "tongban admin: no password on standard input\n");
		return 2;
	}
	password[strcspn(password, "\r\n")] = '\0';

	struct tb_app *app;
	struct tb_fail f = {0};
	enum tb_err e = tb_app_open(&ao, &app, &f);
	if (e != TB_OK) {
		fprintf(stderr, "tongban admin: %s\n", f.reason ? f.reason : tb_err_message(e));
		return 1;
	}
	struct tb_principal system = {.kind = TB_ANON};
	struct tb_ctx ctx = {&system, "cli", ""};
	struct tb_person_new p = {name, id_number, password, phone};
	int64_t id = 0, grant = 0;
	e = tb_person_register(app->store, &ctx, &p, &id, &f);
	if (e == TB_ECONFLICT) {
		/* An existing person becomes an administrator. */
		struct tb_account a;
		struct tb_arena *arena = tb_arena_new();
		if (tb_account_find(app->store, id_number, arena, &a) == TB_OK)
			id = a.id;
		tb_arena_free(arena);
	}
	if (e == TB_OK || (e == TB_ECONFLICT && id)) {
		memset(&f, 0, sizeof(f));
		e = tb_role_grant(app->store, app->regions, &ctx, id, "admin", 0, region, &grant,
		                  &f);
	}
	tb_app_close(app);
	memset(password, 0, sizeof(password));
	if (e != TB_OK) {
		fprintf(stderr, "tongban admin: %s: %s\n", f.field ? f.field : "create",
		        f.reason ? f.reason : tb_err_message(e));
		return 1;
	}
	printf("administrator account %lld (role grant %lld over %s)\n", (long long)id,
	       (long long)grant, region);
	return 0;
}
