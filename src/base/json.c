/* jansson helpers (see json.h). */
#include "base/json.h"

#include <stdlib.h>

char *tb_json_take(json_t *j, struct tb_arena *a)
{
	char *t = json_dumps(j, JSON_COMPACT);
	char *out = tb_arena_strdup(a, t ? t : "null");
	free(t);
	json_decref(j);
	return out;
}
