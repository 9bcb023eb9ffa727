/* The applicant's library (材料库): the files a person or business gave,
 * each with its kind and validity date, which later applications reuse
 * (materials/reuse.h). Deleting hides a file from the library and from
 * reuse; the stored file stays, because the cases it was given for keep
 * it as their law requires. */
#ifndef TB_MATERIALS_LIBRARY_H
#define TB_MATERIALS_LIBRARY_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdint.h>

/* The library of owner as a JSON array (arena), newest first. */
enum tb_err tb_material_library(struct tb_store *s, int64_t owner, struct tb_arena *a,
                                const char **text);

struct tb_material_file {
	const char *sm3, *mime, *name;
};
/* One file of owner's library (strings in a). TB_ENOTFOUND when owner has
 * no such file (or deleted it). */
enum tb_err tb_material_file(struct tb_store *s, int64_t owner, int64_t id, struct tb_arena *a,
                             struct tb_material_file *out);

/* Deletes a file from owner's library, with an audit record.
 * TB_ENOTFOUND when owner has no such file. */
enum tb_err tb_material_delete(struct tb_store *s, const struct tb_ctx *ctx, int64_t owner,
                               int64_t id);

#endif
