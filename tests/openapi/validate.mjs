// Validates an OpenAPI description with @apidevtools/swagger-parser (pinned
// by package-lock.json): the YAML parses, the document matches the OpenAPI
// 3.0 schema, every $ref resolves, and the checks of its validator hold
// (unique operationIds, path parameters declared, ...). scripts/test.sh runs
// it over docs/openapi.yaml; it prints "N passed, N failed" and exits 1 on
// an invalid document.
//   node validate.mjs FILE
import SwaggerParser from '@apidevtools/swagger-parser';

const file = process.argv[2];
if (!file) {
	console.error('usage: node validate.mjs FILE');
	process.exit(2);
}
try {
	const api = await SwaggerParser.validate(file);
	const n = Object.keys(api.paths || {}).length;
	console.log(`openapi: ${file} is valid OpenAPI ${api.openapi} (${n} paths)`);
	console.log('1 passed, 0 failed');
} catch (e) {
	// ajv reports every branch of the schema's oneOf choices; the lines
	// that say where the document itself goes wrong are the others.
	const lines = String(e.message)
		.split('\n')
		.filter(l => !/required property '\$ref'|exactly one schema in oneOf/.test(l));
	console.error(`openapi: ${file} is not valid: ${[...new Set(lines)].join('\n')}`);
	console.log('0 passed, 1 failed');
	process.exit(1);
}
