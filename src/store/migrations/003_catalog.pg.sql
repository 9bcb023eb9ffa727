-- PostgreSQL: a generated tsvector over the search terms with a GIN index
-- (the 'simple' configuration keeps every term as it is).
ALTER TABLE item_docs ADD COLUMN search_vec tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', search)) STORED;
CREATE INDEX item_docs_search ON item_docs USING GIN (search_vec);
