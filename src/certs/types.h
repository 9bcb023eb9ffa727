/* Certificate types (电子证照类型, GB/T 36902): code, name, defining body,
 * holder type, validity and the fields on the face. The built-in set
 * (data/certs/types.json) is loaded on first start. */
#ifndef TB_CERTS_TYPES_H
#define TB_CERTS_TYPES_H

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct tb_cert_type {
	const char *code, *name, *defining_body;
	const char *holder_type;    /* person or organisation */
	int validity_years;         /* 0: long-term */
	const char *fields;         /* JSON array of {key, label, from, required?} */
	const char *issuing_bodies; /* who issues it, as the governing law says */
	const char *issuer_sectors; /* comma-separated sectors whose departments may issue it */
};

/* Makes the store's types what data/certs/types.json (built in) says:
 * inserts the missing ones and rewrites those that differ, so that a
 * binary with newer rules (a face field made required, say) brings them to
 * an existing store without a migration copying the file; the usual start
 * reads the table and writes nothing. *changed: how many were written. */
enum tb_err tb_cert_types_sync(struct tb_store *s, int *changed);

/* The type whose code or name is key, on c (strings in a).
 * TB_ENOTFOUND when there is none. */
enum tb_err tb_cert_type_get_on(struct tb_conn *c, const char *key, struct tb_arena *a,
                                struct tb_cert_type *out);

/* Every type as a JSON array (arena), by code. */
enum tb_err tb_cert_types_list(struct tb_store *s, struct tb_arena *a, const char **text);

#endif
