/* See store_opts.h. */
#include "cli/store_opts.h"

#include <stdio.h>
#include <string.h>

int tb_store_opt(struct tb_app_options *o, int ch, const char *arg)
{
	switch (ch) {
	case 'd': o->data_dir = arg; return 1;
	case 'b': o->db_url = arg; return 1;
	case 'M': o->master_key_file = arg; return 1;
	default: return 0;
	}
}

int tb_cli_store_verb(int argc, char **argv, const char *usage, const char *name, const char *verb,
                      struct tb_app **app)
{
	*app = NULL;
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
			printf("%s", usage);
			return 0;
		}
		fprintf(stderr, "%s", usage);
		return 2;
	}
	if (argc - optind != 1 || strcmp(argv[optind], verb) != 0) {
		fprintf(stderr, "%s", usage);
		return 2;
	}
	ao.pool_size = 1;
	struct tb_fail f = {0};
	enum tb_err e = tb_app_open_store(&ao, app, &f);
	if (e != TB_OK) {
		fprintf(stderr, "tongban %s: %s: %s\n", name, f.field ? f.field : "db",
		        f.reason ? f.reason : tb_err_message(e));
		return 1;
	}
	return -1;
}
