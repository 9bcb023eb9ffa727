/* The --data DIR and --db URL options that every subcommand using the store
 * takes, parsed the same way everywhere. */
#ifndef TB_CLI_STORE_OPTS_H
#define TB_CLI_STORE_OPTS_H

#include "app/app.h"

#include <getopt.h>

/* getopt_long entries for --data, --db and --master-key FILE (values
 * 'd', 'b' and 'M'). */
#define TB_STORE_LONGOPTS                                                             \
	{"data", required_argument, NULL, 'd'}, {"db", required_argument, NULL, 'b'}, \
	{                                                                             \
		"master-key", required_argument, NULL, 'M'                            \
	}

/* Applies option ch (from getopt_long) to o; false when ch is not one of
 * the store options. */
int tb_store_opt(struct tb_app_options *o, int ch, const char *arg);

/* Parses "tongban NAME VERB [--data DIR] [--db URL] [--help]" and opens the
 * store with one connection into *app (the caller closes it). Returns -1
 * when *app is open; otherwise the exit status to end with (0 after
 * --help, 2 for a usage error, 1 when the store failed: each said on
 * stdout or stderr). */
int tb_cli_store_verb(int argc, char **argv, const char *usage, const char *name, const char *verb,
                      struct tb_app **app);

#endif
