/* Small jansson helpers shared by the domain modules. */
#ifndef TB_BASE_JSON_H
#define TB_BASE_JSON_H

#include "base/arena.h"

#include <jansson.h>

/* j as compact JSON text in a ("null" when it cannot be written); takes j
 * (its reference is released). */
char *tb_json_take(json_t *j, struct tb_arena *a);

#endif
