-- PostgreSQL: a generated tsvector over the search terms with a GIN index
-- (the 'simple' configuration keeps every term as it is).
ALTER TABLE items ADD COLUMN search_vec tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', search)) STORED;
CREATE INDEX items_search ON items USING GIN (search_vec);
