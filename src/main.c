/* tongban: an integrated online government services platform. main picks
 * the subcommand; each lives in src/cli/. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#ifndef TB_VERSION
#define TB_VERSION "0.1.0"
#endif

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"serve", tb_cmd_serve, "run the platform (JSON API, pages, health, metrics)"},
    {"check-id", tb_cmd_check_id, "check identity numbers and unified social credit codes"},
    {"import", tb_cmd_import, "import regions (GB/T 2260), a working-day calendar or a catalog"},
    {"export", tb_cmd_export, "export the service catalog as JSON"},
    {"admin", tb_cmd_admin, "create an administrator (password on standard input)"},
    {"migrate", tb_cmd_migrate, "apply schema migrations to the store"},
    {"bench-cases", tb_cmd_bench_cases, "add drafts and a million cases (make bench)"},
    {"bench-sharing", tb_cmd_bench_sharing,
     "add a million records to a sharing resource (make bench)"},
    {"bench-catalog", tb_cmd_bench_catalog, "add a large synthetic catalog (make bench)"},
    {"bench-sm2", tb_cmd_bench_sm2, "SM2 signs and verifies per second (make bench)"},
    {"audit", tb_cmd_audit, "verify the audit trail; sign a checkpoint of its head"},
    {"backup", tb_cmd_backup, "copy the database, blobs and keys while the server runs"},
    {"restore", tb_cmd_restore, "bring a backup back into an empty target"},
    {"indicators", tb_cmd_indicators, "count the indicators again from the cases"},
    {"keys", tb_cmd_keys, "seal signing keys into the store; rotate the master key"},
    {"cert", tb_cmd_cert, "verify an exported e-certificate offline"},
};

static void usage(FILE *out)
{
	fprintf(out,
	        "tongban %s: integrated online government services platform\n\n"
	        "usage: tongban COMMAND [OPTIONS]\n\ncommands:\n",
	        TB_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`tongban COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("tongban %s\n", TB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "tongban: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
