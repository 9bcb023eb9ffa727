/* The material blob store: files kept by the SM3 of their content in a
 * directory fanned out by hash prefix (ab/cd/abcd...). A file arrives as a
 * stream: it is written to a temporary file, hashed and size-limited while
 * it streams (never whole in memory), checked by content (libmagic: PDF,
 * JPEG, PNG, OFD), fsynced, then renamed into place; identical content is
 * stored once. Exports tb_blobs_* and tb_blob_*. */
#ifndef TB_MATERIALS_BLOBS_H
#define TB_MATERIALS_BLOBS_H

#include "base/crypto.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

struct tb_blobs;
struct tb_blob_writer;

/* Opens (creating) the store under dir. The caller owns *out. */
enum tb_err tb_blobs_open(const char *dir, struct tb_blobs **out);
/* NULL is a no-op. */
void tb_blobs_close(struct tb_blobs *b);

struct tb_store;
/* From now on every file stored is also committed to s (table blob_files)
 * before tb_blob_finish returns, and tb_blob_path brings a file the folder
 * lacks from s: several nodes over one PostgreSQL serve each other's
 * uploads, and the files are replicated and backed up with the cases
 * that name them. The folder is then this node's copy. */
void tb_blobs_share(struct tb_blobs *b, struct tb_store *s);

/* Starts a file of at most max_size bytes. */
enum tb_err tb_blob_begin(struct tb_blobs *b, size_t max_size, struct tb_blob_writer **out);
/* Appends data. TB_ETOOBIG once the limit is passed: the writer is then
 * finished and its temporary file removed (call nothing more on it). */
enum tb_err tb_blob_write(struct tb_blob_writer *w, const void *data, size_t n);
/* Checks the content type, syncs and stores the file. sm3 gets its hash,
 * *size its length, *mime its type ("application/pdf", "image/jpeg",
 * "image/png", "application/ofd"), *existed whether the content was
 * stored already. TB_EMEDIA for any other content, TB_EINVAL for an
 * empty file; nothing is left behind on failure. Frees w either way. */
enum tb_err tb_blob_finish(struct tb_blob_writer *w, char sm3[TB_SM3_HEX], size_t *size,
                           const char **mime, bool *existed);
/* Drops a file being written (a truncated upload). NULL is a no-op. */
void tb_blob_abort(struct tb_blob_writer *w);

/* The path of the stored file with hash sm3 into path; false when the
 * hash is malformed or no such file is stored (in the folder, or in the
 * shared store, from which it is then copied into the folder). */
bool tb_blob_path(struct tb_blobs *b, const char *sm3, char *path, size_t size);

#endif
