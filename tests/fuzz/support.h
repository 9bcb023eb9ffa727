/* What the libFuzzer harnesses of tests/fuzz share: a NUL-terminated copy
 * of an input, an application on a throwaway SQLite store (for the parsers
 * that check against the store: catalog import, regions), and the real
 * HTTP server over it on a loopback port (for the request parsers that only
 * exist inside libmicrohttpd and the server: URLs, queries, multipart).
 * Everything made here is removed when the fuzzer exits. */
#ifndef TB_FUZZ_SUPPORT_H
#define TB_FUZZ_SUPPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb_app;
struct tb_catalog_refs;

/* libFuzzer's entry points (declared here for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* data[0..n) as a malloc'd NUL-terminated string (the caller frees it). */
char *fuzz_cstr(const uint8_t *data, size_t n);

/* Sets the environment of the test suite (test mode, cheap argon2id, no
 * notifications, errors-only log) before anything reads it. */
void fuzz_env(void);

/* How much an application holds: the migrated store only, also the
 * built-in reference data (regions, calendar, certificate types), also the
 * demo data (departments, catalog, accounts, cases). */
enum fuzz_level { FUZZ_BARE, FUZZ_REFERENCE, FUZZ_DEMO };

/* References for the catalog's rules that resolve from file (a catalog in
 * the exchange format, may be NULL): a department listed there has its
 * level and region, any other is a county department of 330106; a basic
 * item listed there has its item type, any other is 01. So the rules past
 * the references are reached without a store. */
void fuzz_catalog_refs(struct tb_catalog_refs *refs, json_t *file);

/* The application on a fresh SQLite store in a temporary folder, holding
 * what level says; made on the first call (later calls return it, whatever
 * their level), closed and removed at exit. Aborts when it cannot be made. */
struct tb_app *fuzz_app(enum fuzz_level level);

/* Starts the HTTP server over fuzz_app(FUZZ_DEMO) on 127.0.0.1 (once) and
 * returns its port. */
int fuzz_server_port(void);

/* Sends req[0..n) on a new connection to the server, half-closes it, and
 * reads the first answer (past a 100 Continue) until it is whole or the
 * server closes. Returns its HTTP status (0 when the server closed without
 * one). With patience_ms 0 the request is whole and owed an answer: a
 * server that neither answers nor closes within 20 s is a finding, and it
 * aborts (libFuzzer keeps the input). Otherwise it gives up after
 * patience_ms and returns -1 (libmicrohttpd keeps a connection that
 * stopped mid-request, half-closed or not, until its idle timeout). The
 * answer (up to size - 1 bytes, NUL-terminated) goes into out when out is
 * not NULL. */
int fuzz_http(const void *req, size_t n, char *out, size_t size, int patience_ms);

/* Sends req[0..n) on a new connection and closes it at once, reading
 * nothing: for requests cut short, which are owed no answer. */
void fuzz_http_send(const void *req, size_t n);

#endif
