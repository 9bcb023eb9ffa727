/* Numbered schema migrations, applied at start on either store. The files
 * are src/store/migrations/NNN_name.sql, built into the binary; each runs
 * once, in its own transaction, recorded in schema_migrations. Two tokens
 * keep them portable: {{ID}} (an auto-numbered 64-bit primary key) and
 * {{BLOB}} (binary data). */
#ifndef TB_STORE_MIGRATE_H
#define TB_STORE_MIGRATE_H

#include "store/store.h"

/* Applies every migration not yet recorded. *applied (may be NULL) gets how
 * many ran. A failed migration is rolled back and stops the run. */
enum tb_err tb_store_migrate(struct tb_store *s, int *applied);
/* The same, but only the versions up to and including upto (tests build a
 * store as an older binary left it, then upgrade it). */
enum tb_err tb_store_migrate_to(struct tb_store *s, int upto, int *applied);
/* Highest applied version (0 for an empty store). */
enum tb_err tb_store_schema_version(struct tb_store *s, int *version);

#endif
