/* docs/openapi.yaml, parsed with libyaml, against the route table: the
 * file parses (a parse error fails with its line), no mapping repeats a
 * key, every path item holds only operations and the keys OpenAPI allows
 * beside them, every operation has its own operationId and at least one
 * response, every route is described with its method, and every
 * described path and method is a route (or the page at "/"). A lint of
 * the description's shape, run by make test. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_OPS 256
#define SPEC    "docs/openapi.yaml"

struct op {
	char path[1024];
	char method[8];
	char id[128];   /* operationId, "" when there is none */
	int line;       /* of the method's key, 1-based */
	bool responses; /* a non-empty responses mapping */
};

/* Parses path into doc; fails the test with the parser's message and line
 * when it is not YAML. */
static void parse(const char *path, yaml_document_t *doc)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	yaml_parser_t p;
	assert_true(yaml_parser_initialize(&p));
	yaml_parser_set_input_file(&p, f);
	if (!yaml_parser_load(&p, doc)) {
		char msg[512], ctx[256] = "";
		if (p.context)
			snprintf(ctx, sizeof(ctx), " (%s at line %zu)", p.context,
			         p.context_mark.line + 1);
		snprintf(msg, sizeof(msg), "%s:%zu:%zu: %s%s", path, p.problem_mark.line + 1,
		         p.problem_mark.column + 1, p.problem ? p.problem : "parse error", ctx);
		yaml_parser_delete(&p);
		fclose(f);
		fail_msg("%s", msg);
	}
	yaml_parser_delete(&p);
	fclose(f);
	if (!yaml_document_get_root_node(doc))
		fail_msg("%s: empty document", path);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of key in mapping m, or NULL. */
static yaml_node_t *get(yaml_document_t *doc, const yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* Fails on a mapping anywhere under n that holds a key twice (libyaml,
 * like most parsers, silently keeps one of them). depth bounds aliases. */
static void no_repeated_keys(yaml_document_t *doc, const yaml_node_t *n, int depth)
{
	if (!n || depth > 64)
		return;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++)
			no_repeated_keys(doc, yaml_document_get_node(doc, *i), depth + 1);
		return;
	}
	if (n->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *k = yaml_document_get_node(doc, p->key);
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			const char *a = scalar(k), *b = scalar(yaml_document_get_node(doc, q->key));
			if (a && b && strcmp(a, b) == 0)
				fail_msg(SPEC ":%zu: key %s repeated in one mapping",
				         k->start_mark.line + 1, a);
		}
		no_repeated_keys(doc, yaml_document_get_node(doc, p->value), depth + 1);
	}
}

/* Every operation under paths, read from the parsed tree. */
static int load(struct op *ops)
{
	yaml_document_t doc;
	parse(SPEC, &doc);
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	no_repeated_keys(&doc, root, 0);
	yaml_node_t *paths = get(&doc, root, "paths");
	if (!paths || paths->type != YAML_MAPPING_NODE)
		fail_msg(SPEC ": no paths mapping at the top level");
	static const char *const methods[] = {"get",     "put",  "post",  "delete",
	                                      "options", "head", "patch", "trace"};
	static const char *const others[] = {"summary", "description", "servers", "parameters",
	                                     "$ref"};
	int n = 0;
	for (yaml_node_pair_t *p = paths->data.mapping.pairs.start;
	     p < paths->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&doc, p->key);
		const char *path = scalar(kn);
		yaml_node_t *item = yaml_document_get_node(&doc, p->value);
		if (!path || path[0] != '/')
			fail_msg(SPEC ":%zu: a path must start with /", kn->start_mark.line + 1);
		if (!item || item->type != YAML_MAPPING_NODE)
			fail_msg(SPEC ":%zu: path %s is not a mapping", kn->start_mark.line + 1,
			         path);
		for (yaml_node_pair_t *q = item->data.mapping.pairs.start;
		     q < item->data.mapping.pairs.top; q++) {
			yaml_node_t *mk = yaml_document_get_node(&doc, q->key);
			const char *key = scalar(mk);
			size_t line = mk->start_mark.line + 1;
			bool method = false, other = false;
			for (size_t i = 0; key && i < sizeof(methods) / sizeof(methods[0]); i++)
				method |= strcmp(key, methods[i]) == 0;
			for (size_t i = 0; key && i < sizeof(others) / sizeof(others[0]); i++)
				other |= strcmp(key, others[i]) == 0;
			if (other)
				continue;
			if (!method)
				fail_msg(SPEC
				         ":%zu: %s: %s is neither an operation nor a path item key",
				         line, path, key ? key : "(not a scalar)");
			yaml_node_t *o = yaml_document_get_node(&doc, q->value);
			if (!o || o->type != YAML_MAPPING_NODE)
				fail_msg(SPEC ":%zu: %s %s is not a mapping", line, key, path);
			assert_true(n < MAX_OPS);
			struct op *x = &ops[n++];
			memset(x, 0, sizeof(*x));
			snprintf(x->path, sizeof(x->path), "%s", path);
			for (size_t k = 0; key[k] && k < sizeof(x->method) - 1; k++)
				x->method[k] = (char)(key[k] - 'a' + 'A');
			x->line = (int)line;
			const char *id = scalar(get(&doc, o, "operationId"));
			snprintf(x->id, sizeof(x->id), "%s", id ? id : "");
			yaml_node_t *r = get(&doc, o, "responses");
			x->responses = r && r->type == YAML_MAPPING_NODE &&
			               r->data.mapping.pairs.top > r->data.mapping.pairs.start;
		}
	}
	yaml_document_delete(&doc);
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
			fail_msg("%s %s is not in " SPEC, r->method, r->pattern);
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(ops[i].path, "/") == 0)
			continue;
		bool found = false;
		for (const struct tb_route *r = tb_routes; r->method && !found; r++)
			found = strcmp(ops[i].path, r->pattern) == 0 &&
			        strcmp(ops[i].method, r->method) == 0;
		if (!found)
			fail_msg(SPEC ":%d: describes %s %s, which is no route", ops[i].line,
			         ops[i].method, ops[i].path);
	}
}

/* Every operation has an operationId, and no two share one (generated
 * clients name their functions after them), and says what it answers. */
static void operations_complete(void **state)
{
	(void)state;
	static struct op ops[MAX_OPS];
	int n = load(ops);
	for (int i = 0; i < n; i++) {
		if (!ops[i].id[0])
			fail_msg(SPEC ":%d: %s %s has no operationId", ops[i].line, ops[i].method,
			         ops[i].path);
		if (!ops[i].responses)
			fail_msg(SPEC ":%d: %s %s has no responses", ops[i].line, ops[i].method,
			         ops[i].path);
		for (int k = 0; k < i; k++)
			if (strcmp(ops[i].id, ops[k].id) == 0)
				fail_msg("operationId %s twice (%s %s, %s %s)", ops[i].id,
				         ops[k].method, ops[k].path, ops[i].method, ops[i].path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(every_route_documented),
	                                   cmocka_unit_test(operations_complete)};
	return cmocka_run_group_tests_name("openapi", tests, NULL, NULL);
}
