/* `tongban check-id`: validates identity numbers and credit codes given on
 * the command line, one report line per code. Exports tb_cmd_check_id (see
 * cli.h); the line itself is built by tb_code_check_line in codes/. */
#include "cli/cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "codes/code.h"

static const char usage[] =
    "usage: tongban check-id CODE...\n"
    "Checks each CODE as a citizen identity number (GB 11643) or a unified\n"
    "social credit code (GB 32100) and prints one tab-separated line per code:\n"
    "  CODE  valid    KIND  key=value ...\n"
    "  CODE  invalid  KIND  REASON\n"
    "Exit status: 0 all valid, 1 some invalid, 2 usage error.\n";

int tb_cmd_check_id(int argc, char **argv)
{
	int first = 1;
	for (; first < argc; first++) {
		const char *a = argv[first];
		if (strcmp(a, "--") == 0) {
			first++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		fprintf(stderr, "tongban check-id: unknown option %s\n", a);
		fputs(usage, stderr);
		return 2;
	}
	if (first >= argc) {
		fputs(usage, stderr);
		return 2;
	}

	bool all_valid = true;
	struct tb_buf line = TB_BUF_INIT;
	for (int i = first; i < argc; i++) {
		tb_buf_reset(&line);
		if (!tb_code_check_line(argv[i], &line))
			all_valid = false;
		tb_buf_add(&line, "\n", 1);
		fwrite(line.data, 1, line.len, stdout);
	}
	tb_buf_free(&line);
	if (fflush(stdout) != 0) {
		perror("tongban check-id: stdout");
		return 2;
	}
	return all_valid ? 0 : 1;
}
