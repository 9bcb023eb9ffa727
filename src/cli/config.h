/* A configuration file as an alternative to a command's flags: `tongban
 * serve --config FILE` (or TONGBAN_CONFIG=FILE) reads lines
 *
 *     # a comment
 *     listen = 127.0.0.1:8080
 *     data = "/var/lib/tongban"
 *     quiet = true
 *
 * and runs the command on "--listen=127.0.0.1:8080 --data=/var/lib/tongban
 * --quiet" followed by the options of the command line, which therefore
 * win. Each key is a long option of the command, checked against the
 * command's own getopt_long table, so that an option added to the table
 * is a key at once. A flag (no_argument) takes true or false (false: left
 * out). A value may be quoted with double quotes (no escapes) to keep
 * spaces or a '#'; unquoted, a '#' at its start or after a space or tab
 * starts a comment. KEY-file = PATH, for an option KEY that takes a value,
 * gives that option the content of the file PATH (one line; a trailing
 * newline is dropped): a secret such as a database URL with its password
 * stays out of the configuration file. A key may appear once (KEY and
 * KEY-file count as one). */
#ifndef TB_CLI_CONFIG_H
#define TB_CLI_CONFIG_H

#include <getopt.h>
#include <stddef.h>

/* The getopt_long value of --config: above every character, so that it
 * never meets a command's own option letters. */
#define TB_CONFIG_OPT 0x100
/* The getopt_long entry to put in a command's table. */
#define TB_CONFIG_LONGOPT                                        \
	{                                                        \
		"config", required_argument, NULL, TB_CONFIG_OPT \
	}

/* Limits: a line (without its newline), a file, a KEY-file's content. */
#define TB_CONFIG_LINE_MAX   4096
#define TB_CONFIG_FILE_MAX   (1 << 20)
#define TB_CONFIG_SECRET_MAX 4096

/* Options read from a file: argc entries of argv, then NULL; each entry
 * and the array are owned (tb_config_args_free). */
struct tb_config_args {
	int argc;
	char **argv;
};

void tb_config_args_free(struct tb_config_args *a);

/* Parses text[0..len) against longopts (whose "config" entry, if any, is
 * not a key) into *out, as "--key=value" or "--key" entries in the file's
 * order. Returns 0, or the number of the line at fault (from 1) with the
 * reason in why[0..size) and *out empty. KEY-file paths are read here,
 * relative to the working directory. */
int tb_config_parse(const char *text, size_t len, const struct option *longopts,
                    struct tb_config_args *out, char *why, size_t size);

/* Reads and parses the file at path (tb_config_parse). Returns 0, or -1
 * with "PATH:LINE: reason" or "PATH: reason" in msg[0..size) and *out
 * empty. */
int tb_config_read(const char *path, const struct option *longopts, struct tb_config_args *out,
                   char *msg, size_t size);

/* The --config of a command: when argv (parsed with longopts, which holds
 * TB_CONFIG_LONGOPT) names a file with --config FILE (the last one counts),
 * or else TONGBAN_CONFIG names one, calls run on argv[0], the file's
 * options, then argv[1..argc), and returns run's status (run is the
 * command itself: it parses the lot with getopt_long, ignoring
 * TB_CONFIG_OPT, and this call returns -1 within it). A file that cannot
 * be read or parsed is said on stderr, prefixed by cmd, and gives 2.
 * Returns -1, having done nothing, when no file is named. argv is
 * borrowed; getopt's optind is left at 1. Not thread-safe (a command's
 * start). */
int tb_config_run(const char *cmd, const struct option *longopts, int argc, char **argv,
                  int (*run)(int argc, char **argv));

#endif
