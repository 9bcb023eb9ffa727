/* A webhook receiver for API tests: an HTTP server on a loopback port, in
 * a thread of the test, that answers 200 to every POST and counts those
 * signed with the webhook's secret (HMAC-SHA256 of the body, as
 * X-Tongban-Signature: sha256=...) and those that are not, and keeps the
 * well-signed bodies. One receiver per test program at a time. */
#ifndef TB_TESTS_HOOK_H
#define TB_TESTS_HOOK_H

#include <stdbool.h>

/* Starts the receiver; returns its port. */
int test_hook_start(void);
/* Stops it and forgets what it received. */
void test_hook_end(void);
/* The secret the platform gave for the webhook (POST /api/v1/webhooks). */
void test_hook_secret(const char *secret);
/* Answers each post ms milliseconds late (a slow receiver). */
void test_hook_delay(int ms);
/* Posts received with a good signature, and with a bad one. */
int test_hook_count(void);
int test_hook_bad(void);
/* How many well-signed bodies contained text. */
int test_hook_saw(const char *text);

#endif
