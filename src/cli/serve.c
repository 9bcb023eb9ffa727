/* `tongban serve`: opens the application, starts the HTTP server, prints
 * the address it listens on (tests read that line to learn a port picked
 * with :0), waits for SIGINT/SIGTERM and shuts down in order: stop
 * accepting, drain requests in flight, close the store. */
#include "app/app.h"
#include "audit/checkpoint.h"
#include "base/log.h"
#include "base/netaddr.h"
#include "base/mem.h"
#include "base/testmode.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/store_opts.h"
#include "cases/notify.h"
#include "federation/exchange.h"
#include "http/server.h"
#include "sharing/sharing.h"
#include "store/store.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: tongban serve [--listen ADDR:PORT] [--data DIR] [--db URL] [--demo]\n"
	    "                     [--threads N] [--max-body BYTES] [--bench] [--quiet]\n"
	    "                     [--secure-cookies] [--allow-private-webhooks]\n"
	    "                     [--checkpoint-interval SECONDS] [--checkpoint-dir DIR]\n"
	    "                     [--trusted-proxy ADDR[,ADDR...]] [--db-read URL]\n"
	    "                     [--master-key FILE] [--province CODE] [--config FILE]\n"
	    "  --config    FILE of options (KEY = VALUE lines, KEY an option below; see\n"
	    "              packaging/tongban.conf), read first: options given here win;\n"
	    "              also TONGBAN_CONFIG=FILE\n"
	    "  --listen    address to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
	    "  --data      data folder (default tongban-data)\n"
	    "  --db        sqlite:PATH (default DATA/tongban.db) or postgres://...\n"
	    "  --demo      load demonstration data\n"
	    "  --threads   HTTP worker threads (default: 4 per CPU)\n"
	    "  --max-body  largest JSON request body in bytes (default 1048576)\n"
	    "  --bench     also serve GET /_bench/trivial for make bench\n"
	    "  --quiet     no access log lines\n"
	    "  --secure-cookies  mark session cookies Secure (behind an HTTPS proxy)\n"
	    "  --allow-private-webhooks  let webhooks and data providers' endpoints reach\n"
	    "              loopback, private, link-local\n"
	    "              and multicast addresses (refused by default; tests, labs)\n"
	    "  --checkpoint-interval  sign the audit head at start and then every SECONDS\n"
	    "              (default 600; 0: never)\n"
	    "  --checkpoint-dir  where checkpoints go (default DATA/checkpoints)\n"
	    "  --trusted-proxy  addresses of the load balancers in front: their requests\n"
	    "              come from the last address of X-Forwarded-For\n"
	    "  --master-key  FILE of the operator's master key (64 hex digits, mode 0600):\n"
	    "              signing keys are sealed with it in the store, shared by every node\n"
	    "              (default: key files in DATA/keys, one node)\n"
	    "  --province  the province this platform serves (GB/T 2260, e.g. 440000),\n"
	    "              set once in a new store (the demo's: 330000)\n"
	    "  --db-read   postgres://... of standbys for public reads (published catalog,\n"
	    "              progress, indicators), e.g. with target_session_attrs=prefer-standby;\n"
	    "              answers may lag the primary by the standbys' replay delay\n");
}

static long number(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);
	return (*s && !*end && v >= lo && v <= hi) ? v : -1;
}

int tb_cmd_serve(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	struct tb_http_config hc = {.listen = "127.0.0.1:8080"};
	static const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    TB_CONFIG_LONGOPT,
	    {"listen", required_argument, NULL, 'l'},
	    {"demo", no_argument, NULL, 'D'},
	    {"threads", required_argument, NULL, 't'},
	    {"max-body", required_argument, NULL, 'm'},
	    {"bench", no_argument, NULL, 'B'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"secure-cookies", no_argument, NULL, 'S'},
	    {"allow-private-webhooks", no_argument, NULL, 'W'},
	    {"checkpoint-interval", required_argument, NULL, 'C'},
	    {"checkpoint-dir", required_argument, NULL, 'K'},
	    {"trusted-proxy", required_argument, NULL, 'P'},
	    {"db-read", required_argument, NULL, 'R'},
	    {"province", required_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool private_hooks = false;
	long cp_interval = 600;
	const char *cp_dir = NULL;
	int ch;
	/* --config FILE: this command again, on the file's options and then
	 * the command line's (which therefore win). */
	if ((ch = tb_config_run("tongban serve", longopts, argc, argv, tb_cmd_serve)) >= 0)
		return ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(&ao, ch, optarg))
			continue;
		long v;
		switch (ch) {
		case 'l': hc.listen = optarg; break;
		case 'D': ao.demo = true; break;
		case 'B': hc.bench = true; break;
		case 'q': tb_log_set_access(false); break;
		case 'S': ao.secure_cookies = true; break;
		case 'W': private_hooks = true; break;
		case 'K': cp_dir = optarg; break;
		case 'R': ao.db_read_url = optarg; break;
		case 'V': ao.province = optarg; break;
		case 'P':
			if (!tb_addr_list_ok(optarg)) {
				fprintf(stderr,
				        "tongban serve: --trusted-proxy: expected IP addresses "
				        "separated by commas\n");
				return 2;
			}
			hc.trusted_proxies = optarg;
			break;
		case TB_CONFIG_OPT: break; /* read by tb_config_run */
		case 'C':
			if ((cp_interval = number(optarg, 0, 7 * 86400)) < 0) {
				fprintf(stderr, "tongban serve: --checkpoint-interval: expected "
				                "0..604800 seconds\n");
				return 2;
			}
			break;
		case 't':
			if ((v = number(optarg, 1, 256)) < 0) {
				fprintf(stderr, "tongban serve: --threads: expected 1..256\n");
				return 2;
			}
			hc.threads = (unsigned)v;
			break;
		case 'm':
			if ((v = number(optarg, 1024, 64L << 20)) < 0) {
				fprintf(stderr,
				        "tongban serve: --max-body: expected 1024..67108864\n");
				return 2;
			}
			hc.max_body = (size_t)v;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tongban serve: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* The settings that lower security are for tests and demonstrations
	 * (base/testmode.h): refused anywhere else. */
	if (ao.demo)
		tb_test_mode_enter();
	const char *weakening = tb_test_env_refused();
	if (weakening) {
		fprintf(stderr,
		        "tongban serve: %s lowers security and is honoured only with "
		        "TB_TEST_MODE=1 or --demo; unset it\n",
		        weakening);
		return 2;
	}

	/* Signals are taken by sigwait below, so every thread started from
	 * here on inherits the blocked mask. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned threads = hc.threads ? hc.threads : 0;
	ao.pool_size = (int)(threads ? threads * 2 : 16);
	struct tb_app *app;
	struct tb_fail f = {0};
	enum tb_err e = tb_app_open(&ao, &app, &f);
	if (e != TB_OK) {
		fprintf(stderr, "tongban serve: %s: %s\n", f.field ? f.field : "start",
		        f.reason ? f.reason : tb_err_message(e));
		return 1;
	}
	if (ao.demo)
		tb_log_warn("serve",
		            "demo mode: demonstration data loaded; do not use in production");

	app->allow_private_webhooks = private_hooks;
	tb_share_endpoints_allow_private(private_hooks);
	if (private_hooks)
		tb_log_warn("serve", "webhooks may reach loopback and private addresses");
	if (tb_notifier_start(app->store, 200, private_hooks, &app->notifier) != TB_OK)
		tb_log_error("serve", "the notifier did not start");
	/* The notifier's worker also delivers the messages to peer platforms. */
	static struct tb_exchange_env exchange;
	tb_app_exchange_env(app, &exchange);
	tb_notifier_also(app->notifier, tb_exchange_deliver, &exchange);
	if (cp_dir) {
		free(app->checkpoint_dir);
		app->checkpoint_dir = tb_xstrdup(cp_dir);
	}
	struct tb_checkpointer *checkpointer = NULL;
	/* One at start, before the first request, so that the openness page
	 * always has one to show. */
	if (cp_interval > 0 &&
	    tb_checkpoint_make(app->store, app->keys_dir, app->checkpoint_dir, NULL) != TB_OK)
		tb_log_error("serve", "the audit checkpoint at start failed");
	if (cp_interval > 0 && tb_checkpointer_start(app->store, app->keys_dir, app->checkpoint_dir,
	                                             (int)cp_interval, &checkpointer) != TB_OK)
		tb_log_error("serve", "the audit checkpointer did not start");
	struct tb_http_server *srv;
	e = tb_http_start(&hc, app, &srv, &f);
	if (e != TB_OK) {
		fprintf(stderr, "tongban serve: %s: %s\n", f.field ? f.field : "listen",
		        f.reason ? f.reason : tb_err_message(e));
		tb_checkpointer_stop(checkpointer);
		tb_notifier_stop(app->notifier);
		tb_app_close(app);
		return 1;
	}
	char host[64];
	const char *colon = strrchr(hc.listen, ':');
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hc.listen), hc.listen);
	printf("tongban: listening on http://%s:%u/ (store %s)\n", host, tb_http_port(srv),
	       tb_store_url(app->store));
	fflush(stdout);
	tb_log_info("serve", "listening on %s:%u", host, tb_http_port(srv));

	int sig = 0;
	sigwait(&stop, &sig);
	tb_log_info("serve", "signal %d: draining requests", sig);
	tb_http_stop(srv, 10000);
	tb_checkpointer_stop(checkpointer);
	tb_notifier_stop(app->notifier);
	app->notifier = NULL;
	tb_app_close(app);
	tb_log_info("serve", "stopped cleanly");
	return 0;
}
