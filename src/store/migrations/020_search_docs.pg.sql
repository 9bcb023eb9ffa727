-- PostgreSQL: the text index moves from every item to the search
-- documents (a generated tsvector with a GIN index); item_docs.search is
-- dropped.
DROP INDEX item_docs_search;
ALTER TABLE item_docs DROP COLUMN search_vec;
ALTER TABLE item_docs DROP COLUMN search;
ALTER TABLE search_docs ADD COLUMN terms_vec tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED;
CREATE INDEX search_docs_terms ON search_docs USING GIN (terms_vec);
-- A document's items in region order, then id.
CREATE INDEX items_search_doc ON items (search_doc, region, id);
-- Counting a document's items in force reads this index alone.
CREATE INDEX items_search_count ON items (search_doc, state, valid_from, valid_to);
