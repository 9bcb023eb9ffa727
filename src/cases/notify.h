/* The notifier: a worker thread that delivers the outbox that every case
 * transition writes in its own transaction. To the applicant's inbox
 * exactly once (the inbox row and the outbox mark are one transaction, and
 * the inbox has one row per outbox row at most); to the department's
 * webhooks at least once (libcurl POST with an HMAC-SHA256 signature,
 * retried with exponential backoff, every attempt logged). After a crash
 * it resumes from the outbox: nothing committed is lost. */
#ifndef TB_CASES_NOTIFY_H
#define TB_CASES_NOTIFY_H

#include "base/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct tb_notifier;

/* Starts the worker over s (poll every interval_ms, woken early by
 * tb_notifier_kick). Webhook deliveries connect only to public addresses
 * (tb_addr_public, checked on the address each connection is made to)
 * unless allow_private. TB_NOTIFY_PAUSE=1 in the environment keeps it
 * from starting (tests that crash the server before delivery). */
enum tb_err tb_notifier_start(struct tb_store *s, int interval_ms, bool allow_private,
                              struct tb_notifier **out);
/* Another outbox the worker delivers after each pass of its own (the
 * exchange with peer platforms): pass(s, now, arg) returns how many rows
 * it handled, and takes its own lock among nodes. NULL n: no-op. */
typedef int (*tb_notify_also)(struct tb_store *s, int64_t now, void *arg);
void tb_notifier_also(struct tb_notifier *n, tb_notify_also pass, void *arg);
/* Wakes the worker (after a commit that wrote outbox rows). NULL: no-op. */
void tb_notifier_kick(struct tb_notifier *n);
/* Stops the worker after its current batch; NULL is a no-op. */
void tb_notifier_stop(struct tb_notifier *n);

/* One pass: inbox deliveries, webhook fan-out and due webhook attempts
 * (to public addresses only unless allow_private). Returns how many rows
 * it handled (for tests and the worker). */
int tb_notify_pass(struct tb_store *s, int64_t now, bool allow_private);

struct tb_ctx;
/* Registers a webhook of department at url (http or https) with an audit
 * record (webhook.create, object webhook:ID) in the same transaction; the
 * secret for the signature goes to secret (shown once). Unless
 * allow_private, the URL's host must resolve to public addresses only
 * (tb_host_public): TB_EINVAL on "url" otherwise. TB_ECONFLICT on
 * "department_id" for no such department. */
enum tb_err tb_webhook_create(struct tb_store *s, const struct tb_ctx *ctx, int64_t department,
                              const char *url, bool allow_private, int64_t *id, char secret[64],
                              struct tb_fail *f);

struct tb_arena;
/* The inbox of account (newest first, at most limit) as a JSON array
 * (arena). */
enum tb_err tb_inbox_list(struct tb_store *s, int64_t account, int limit, struct tb_arena *a,
                          const char **text);

#endif
