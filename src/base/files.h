/* Small file-system helpers for files kept beside the database (audit
 * checkpoints, backups): writing a file so that it is whole or absent
 * after a crash, reading a small file, and copying a folder tree with its
 * modes. Exports tb_file_* and tb_tree_*. */
#ifndef TB_BASE_FILES_H
#define TB_BASE_FILES_H

#include "base/err.h"

#include <stddef.h>
#include <sys/types.h>

/* Writes data[0..n) to path with mode: a temporary file beside it,
 * fsynced, renamed over path, then the folder fsynced. TB_ESTORE on any
 * failure (nothing half-written is left at path). */
enum tb_err tb_file_write_atomic(const char *path, const void *data, size_t n, mode_t mode);

/* Reads the whole file at path (at most max bytes) into *out, malloc'd and
 * NUL-terminated (the caller frees it), its length in *n. TB_ENOTFOUND
 * when it is missing, TB_ETOOBIG when longer than max, TB_ESTORE else. */
enum tb_err tb_file_read(const char *path, size_t max, char **out, size_t *n);

/* Makes the folder path (and its parents) with mode when missing.
 * TB_ESTORE when it cannot, or when path is not a folder. */
enum tb_err tb_dir_make(const char *path, mode_t mode);

/* Copies the tree under src into dst (made when missing): folders and
 * regular files with their permission bits, each file fsynced, each folder
 * fsynced once filled. Names ending in ".tmp" and folders named "tmp" are
 * left out (writes in progress). Existing files in dst are overwritten.
 * *files (may be NULL) gets the number of files copied. TB_ENOTFOUND when
 * src does not exist, TB_ESTORE on any other failure (said in the log). */
enum tb_err tb_tree_copy(const char *src, const char *dst, long *files);

/* The number of regular files under path, ".tmp" files and "tmp" folders
 * left out as by tb_tree_copy (0 when path does not exist); -1 when it
 * cannot be read. */
long tb_tree_count(const char *path);

#endif
