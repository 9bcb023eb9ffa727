-- SQLite: the text index moves from every item (items_fts) to the search
-- documents; items_fts and item_docs.search are dropped.
DROP TRIGGER items_fts_insert;
DROP TRIGGER items_fts_delete;
DROP TRIGGER items_fts_update;
DROP TABLE items_fts;
ALTER TABLE item_docs DROP COLUMN search;
CREATE VIRTUAL TABLE search_docs_fts USING fts5 (terms, tokenize = 'unicode61');
CREATE TRIGGER search_docs_fts_insert AFTER INSERT ON search_docs BEGIN
	INSERT INTO search_docs_fts (rowid, terms) VALUES (new.id, new.terms);
END;
-- A document's items in region order (rowid last), so that a page of
-- them is read in order from the index.
CREATE INDEX items_search_doc ON items (search_doc, region);
-- Counting a document's items in force reads this index alone.
CREATE INDEX items_search_count ON items (search_doc, state, valid_from, valid_to);
