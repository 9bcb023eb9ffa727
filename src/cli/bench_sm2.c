/* `tongban bench-sm2 [--seconds N]`: SM2 signatures with SM3 per second on
 * one thread of this machine, signing and verifying a certificate-sized
 * record, for make bench to print beside the certificate issue and verify
 * rates. Exports tb_cmd_bench_sm2. */
#include "base/sm2.h"
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int tb_cmd_bench_sm2(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"seconds", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	double secs = 2;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "hs:", longopts, NULL)) != -1) {
		if (ch == 's' && atof(optarg) > 0) {
			secs = atof(optarg);
		} else {
			fprintf(ch == 'h' ? stdout : stderr,
			        "usage: tongban bench-sm2 [--seconds N]\n");
			return ch == 'h' ? 0 : 2;
		}
	}
	/* About the size of a canonical certificate record. */
	char record[900];
	memset(record, 'x', sizeof(record) - 1);
	record[sizeof(record) - 1] = '\0';
	struct tb_sm2_key *k;
	if (tb_sm2_generate(&k) != TB_OK) {
		fprintf(stderr, "tongban bench-sm2: cannot make a key\n");
		return 1;
	}
	char sig[TB_SM2_SIG_HEX];
	long signs = 0, verifies = 0;
	double t0 = now_s(), t;
	while ((t = now_s()) - t0 < secs) {
		record[signs % 64] = (char)('a' + signs % 26);
		if (tb_sm2_sign(k, record, strlen(record), sig) != TB_OK)
			return 1;
		signs++;
	}
	double sign_rate = (double)signs / (t - t0);
	t0 = now_s();
	while ((t = now_s()) - t0 < secs) {
		if (!tb_sm2_verify(k, record, strlen(record), sig))
			return 1;
		verifies++;
	}
	double verify_rate = (double)verifies / (t - t0);
	tb_sm2_free(k);
	printf("SM2 with SM3, one thread: %.0f signs/s, %.0f verifies/s\n", sign_rate, verify_rate);
	return 0;
}
