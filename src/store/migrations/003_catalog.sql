-- The service catalog: basic items (基本目录) and implementation items
-- (实施清单), every version kept. The full item is a JSON document (doc);
-- the columns beside it are what lists filter and sort on.

CREATE TABLE basic_items (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	item_type TEXT NOT NULL,
	parent_code TEXT REFERENCES basic_items (code),
	legal_basis TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX basic_items_parent ON basic_items (parent_code);

-- One row per version. Only one version of a code is published at a time;
-- publishing a newer one marks the older one superseded. The row holds
-- only what lists filter and sort on, so that scans stay small; the
-- document and the search terms live in item_docs. service_objects is
-- stored as ",1,2," so that its filter is one LIKE; events are indexed in
-- item_events.
CREATE TABLE items (
	id {{ID}},
	implementation_code TEXT NOT NULL,
	version BIGINT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('draft', 'published', 'superseded', 'withdrawn')),
	basic_code TEXT NOT NULL REFERENCES basic_items (code),
	department_id BIGINT NOT NULL REFERENCES departments (id),
	region TEXT NOT NULL,
	name TEXT NOT NULL,
	item_type TEXT NOT NULL,
	online_depth BIGINT NOT NULL,
	required_visits BIGINT NOT NULL,
	service_objects TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	created_at BIGINT NOT NULL,
	published_at BIGINT,
	UNIQUE (implementation_code, version)
);
CREATE INDEX items_region ON items (region, state, name);
CREATE INDEX items_state_name ON items (state, name, implementation_code);
CREATE INDEX items_basic ON items (basic_code, state);
CREATE INDEX items_department ON items (department_id, state);

-- The document of each version, its summary for lists (the main fields
-- and the materials' names, forms and sources), and its search terms (names, conditions
-- and materials as CJK bigrams, see src/catalog/terms.c), which each store
-- indexes its own way.
CREATE TABLE item_docs (
	item_id BIGINT PRIMARY KEY REFERENCES items (id),
	doc TEXT NOT NULL,
	summary TEXT NOT NULL,
	search TEXT NOT NULL
);

-- Life and business events of each item version, for the event filter.
CREATE TABLE item_events (
	event TEXT NOT NULL,
	item_id BIGINT NOT NULL REFERENCES items (id),
	PRIMARY KEY (event, item_id)
);
