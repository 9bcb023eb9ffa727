-- Search documents (issue #16): the searchable text of an item version
-- (name, result, conditions, materials), stored once for every version
-- that has the same text. "Same item, same standard": the counties of a
-- province publish the same item with the same words, so a national
-- catalog of a million implementation items holds a few thousand search
-- documents. The keyword search ranks documents (all of them, exactly)
-- and then lists their items, instead of sorting a million rows.
-- hash is the SM3 of the four fields; conditions and materials are one
-- per line. The text index over them is each store's own (020_*.sql).
CREATE TABLE search_docs (
	id {{ID}},
	hash TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	result TEXT NOT NULL,
	conditions TEXT NOT NULL,
	materials TEXT NOT NULL,
	terms TEXT NOT NULL
);

-- Filled by the catalog for every version written (and, for the rows of
-- an older store, once when the store opens).
ALTER TABLE items ADD COLUMN search_doc BIGINT REFERENCES search_docs (id);
