/* docs/openapi.yaml against the route table: every route is described
 * with its method, and every described path and method is a route (or
 * the page at "/"); every operation has its own operationId. A lint of the
 * description's shape, run by make test. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#define MAX_OPS 256

struct op {
	char path[1024];
	char method[8];
	char id[128]; /* operationId */
};

static int load(struct op *ops)
{
	FILE *f = fopen("docs/openapi.yaml", "r");
	assert_non_null(f);
	char line[1024], path[1024] = "";
	int n = 0;
	bool in_paths = false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "paths:", 6) == 0) {
			in_paths = true;
			continue;
		}
		if (in_paths && line[0] != ' ' && line[0] != '\n' && line[0] != '#')
			in_paths = false; /* the next top-level key */
		if (!in_paths)
			continue;
		if (line[0] == ' ' && line[1] == ' ' && line[2] == '/') {
			char *colon = strrchr(line, ':');
			assert_non_null(colon);
			*colon = '\0';
			snprintf(path, sizeof(path), "%s", line + 2);
		} else if (strncmp(line, "      operationId: ", 19) == 0 && n > 0) {
			snprintf(ops[n - 1].id, sizeof(ops[n - 1].id), "%.127s", line + 19);
			ops[n - 1].id[strcspn(ops[n - 1].id, "\n")] = '\0';
		} else if (strncmp(line, "    ", 4) == 0 && line[4] != ' ' && path[0]) {
			static const char *const methods[] = {
			    "get:", "post:", "put:", "delete:", "patch:"};
			for (size_t i = 0; i < 5; i++) {
				if (strncmp(line + 4, methods[i], strlen(methods[i])) == 0) {
					assert_true(n < MAX_OPS);
					memcpy(ops[n].path, path, sizeof(ops[n].path));
					size_t l = strlen(methods[i]) - 1;
					for (size_t k = 0; k < l; k++)
						ops[n].method[k] = (char)(line[4 + k] - 'a' + 'A');
					ops[n].method[l] = '\0';
					n++;
				}
			}
		}
	}
	fclose(f);
	return n;
}

static void every_route_documented(void **state)
{
	(void)state;
	static struct op ops[MAX_OPS];
	int n = load(ops);
	assert_true(n >= (int)tb_routes_count());
	for (const struct tb_route *r = tb_routes; r->method; r++) {
		bool found = false;
		for (int i = 0; i < n && !found; i++)
			found = strcmp(ops[i].path, r->pattern) == 0 &&
			        strcmp(ops[i].method, r->method) == 0;
		if (!found)
			fail_msg("%s %s is not in docs/openapi.yaml", r->method, r->pattern);
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(ops[i].path, "/") == 0)
			continue;
		bool found = false;
		for (const struct tb_route *r = tb_routes; r->method && !found; r++)
			found = strcmp(ops[i].path, r->pattern) == 0 &&
			        strcmp(ops[i].method, r->method) == 0;
		if (!found)
			fail_msg("docs/openapi.yaml describes %s %s, which is no route",
			         ops[i].method, ops[i].path);
	}
}

/* Every operation has an operationId, and no two share one (generated
 * clients name their functions after them). */
static void operation_ids(void **state)
{
	(void)state;
	static struct op ops[MAX_OPS];
	int n = load(ops);
	for (int i = 0; i < n; i++) {
		if (!ops[i].id[0])
			fail_msg("%s %s has no operationId", ops[i].method, ops[i].path);
		for (int k = 0; k < i; k++)
			if (strcmp(ops[i].id, ops[k].id) == 0)
				fail_msg("operationId %s twice (%s %s, %s %s)", ops[i].id,
				         ops[k].method, ops[k].path, ops[i].method, ops[i].path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(every_route_documented),
	                                   cmocka_unit_test(operation_ids)};
	return cmocka_run_group_tests_name("openapi", tests, NULL, NULL);
}
