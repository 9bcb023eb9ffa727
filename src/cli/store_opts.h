/* The --data DIR and --db URL options that every subcommand using the store
 * takes, parsed the same way everywhere. */
#ifndef TB_CLI_STORE_OPTS_H
#define TB_CLI_STORE_OPTS_H

#include "app/app.h"

#include <getopt.h>

/* getopt_long entries for --data and --db (values 'd' and 'b'). */
#define TB_STORE_LONGOPTS                          \
	{"data", required_argument, NULL, 'd'},    \
	{                                          \
		"db", required_argument, NULL, 'b' \
	}

/* Applies option ch (from getopt_long) to o; false when ch is not one of
 * the store options. */
int tb_store_opt(struct tb_app_options *o, int ch, const char *arg);

#endif
