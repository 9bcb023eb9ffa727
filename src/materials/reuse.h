/* Reuse when applying: "a material that can be shared is never asked for
 * again". For each required material of an item that a case does not
 * have yet and that has a certificate type (a document of a kind; forms,
 * declarations and contracts belong to one case), the platform tries in
 * order a valid e-certificate of the applicant of that type, then a
 * still-valid file of the same kind in the applicant's library, then a
 * fact verified online with a sharing resource at submission
 * (cases/share.h). */
#ifndef TB_MATERIALS_REUSE_H
#define TB_MATERIALS_REUSE_H

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

/* The kind of a catalog material (item JSON material object): its
 * certificate type, or NULL when it has none (then it is not reused). */
const char *tb_material_kind(const json_t *material);

/* Fills the required materials of item (parsed item JSON) that the case's
 * list (JSON array text of {name, source, ref}) lacks, on c, for the
 * applicant account; verified (may be NULL) maps material names to the
 * "data_use:ID" of an online check that held (source "sharing"). *out
 * (arena) gets the new list text, *filled how many were added. */
enum tb_err tb_reuse_fill_on(struct tb_conn *c, int64_t applicant, const json_t *item,
                             const char *materials, const json_t *verified, struct tb_arena *a,
                             const char **out, int *filled);

/* Records, in the materials register, each entry of a case's list
 * (JSON array text) that came from a certificate or the library and is not
 * recorded for that case yet: who gave it (given_by), when, for which case
 * and catalog material, and how (the library file's SM3, or the SM3 of
 * the certificate's signed record). */
enum tb_err tb_reuse_record_on(struct tb_conn *c, int64_t applicant, int64_t case_id,
                               int64_t given_by, const char *materials);

/* Checks what an applicant claims in a case's list (JSON array text): an
 * "upload" must name (ref) the SM3 of a file they gave with the upload
 * endpoint, a "certificate" a valid certificate they hold of the
 * material's certificate type, a "library" entry a file of their library;
 * "window" (handed in at the general window) only on a window case
 * (channel), and "sharing" comes only from a sharing query, never from the
 * applicant: such an entry is accepted only as the case's current list
 * (current, JSON array text, or NULL) already has it, name and ref (a
 * case returned for correction sent back as it was). TB_EINVAL with f
 * naming materials[i].ref or materials[i].source (field strings in a). */
enum tb_err tb_reuse_check_on(struct tb_conn *c, int64_t applicant, const char *channel,
                              const json_t *item, const char *materials, const char *current,
                              struct tb_arena *a, struct tb_fail *f);

/* The share of required materials satisfied without an upload over the
 * submitted cases, by region and item, with totals; region (a GB/T 2260
 * code: it and the regions below it) and item (an implementation code)
 * narrow it when not NULL. JSON text in a. */
enum tb_err tb_reuse_stats(struct tb_store *s, const char *region, const char *item,
                           struct tb_arena *a, const char **text);

#endif
