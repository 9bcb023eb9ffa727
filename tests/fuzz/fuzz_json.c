/* Fuzzes JSON request bodies as every handler reads them: jansson with the
 * server's flags (duplicate keys refused) over the body, then
 * tb_req_fields with the member list of a real handler (the first input
 * byte picks which). Must hold: a refusal is a 400 JSON error naming a
 * field; an acceptance leaves every required member set, every string
 * without a NUL. */
#include "support.h"

#include "base/arena.h"
#include "http/req.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

/* Where the members go: one slot per field, of every type. */
struct slots {
	const char *s[6];
	json_int_t i[6];
	int b[6];
	json_t *j[6];
};

/* Member lists of real handlers (the out pointers are set per run). */
static const struct tb_field lists[][6] = {
    /* POST /api/v1/auth/login */
    {{"login", 's', true, NULL}, {"password", 's', true, NULL}},
    /* POST /api/v1/auth/register, a person */
    {{"kind", 's', true, NULL},
     {"name", 's', true, NULL},
     {"id_number", 's', true, NULL},
     {"phone", 's', true, NULL},
     {"password", 's', true, NULL}},
    /* POST /api/v1/auth/act-for */
    {{"credit_code", 'S', true, NULL}},
    /* POST /api/v1/accounts/{id}/roles */
    {{"role", 's', true, NULL}, {"department_id", 'i', false, NULL}, {"region", 's', false, NULL}},
    /* POST /api/v1/tokens */
    {{"name", 's', true, NULL}, {"department_id", 'i', true, NULL}, {"actions", 'a', true, NULL}},
    /* POST /api/v1/cases */
    {{"item", 's', true, NULL},
     {"applicant", 'S', false, NULL},
     {"form", 'o', false, NULL},
     {"materials", 'a', false, NULL},
     {"channel", 's', false, NULL}},
    /* a member of each type */
    {{"s", 's', false, NULL},
     {"n", 'S', false, NULL},
     {"i", 'i', true, NULL},
     {"b", 'b', false, NULL},
     {"a", 'a', false, NULL},
     {"o", 'o', false, NULL}},
};
#define NLISTS (sizeof(lists) / sizeof(lists[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const struct tb_field *list = lists[data[0] % NLISTS];
	size_t n = 0;
	while (n < 6 && list[n].name)
		n++;
	struct slots sl;
	memset(&sl, 0, sizeof(sl));
	struct tb_field fields[6];
	for (size_t k = 0; k < n; k++) {
		fields[k] = list[k];
		switch (list[k].type) {
		case 's':
		case 'S': fields[k].out = &sl.s[k]; break;
		case 'i': fields[k].out = &sl.i[k]; break;
		case 'b': fields[k].out = &sl.b[k]; break;
		default: fields[k].out = &sl.j[k]; break;
		}
	}
	struct tb_req r;
	memset(&r, 0, sizeof(r));
	r.arena = tb_arena_new();
	r.resp_fd = -1;
	r.method = "POST";
	r.path = "/api/v1/fuzz";
	memcpy(r.request_id, "fuzz", 5);
	/* The server keeps a body NUL-terminated (req.h). */
	char *body = fuzz_cstr(data + 1, size - 1);
	json_error_t err;
	json_t *j = json_loadb(body, size - 1, JSON_REJECT_DUPLICATES, &err);
	if (json_is_object(j)) {
		bool ok = tb_req_fields(&r, j, fields, n);
		if (ok != (r.status == 0))
			abort();
		if (!ok) {
			json_t *e = json_loadb(r.resp_body, r.resp_len, 0, NULL);
			if (r.status != 400 || !json_is_string(json_object_get(e, "field")) ||
			    !json_is_string(json_object_get(e, "reason")))
				abort();
			json_decref(e);
		} else {
			for (size_t k = 0; k < n; k++) {
				bool str = fields[k].type == 's' || fields[k].type == 'S';
				if (str && sl.s[k] &&
				    strlen(sl.s[k]) !=
				        json_string_length(json_object_get(j, fields[k].name)))
					abort();
				if (fields[k].required && !json_object_get(j, fields[k].name))
					abort();
			}
		}
	}
	json_decref(j);
	if (r.resp_body && !r.resp_static)
		free(r.resp_body);
	free(body);
	tb_arena_free(r.arena);
	return 0;
}
