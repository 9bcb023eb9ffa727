-- SQLite: an FTS5 index over the search terms (rowid = items.id), kept by
-- triggers on item_docs.
CREATE VIRTUAL TABLE items_fts USING fts5 (terms, tokenize = 'unicode61');
CREATE TRIGGER items_fts_insert AFTER INSERT ON item_docs BEGIN
	INSERT INTO items_fts (rowid, terms) VALUES (new.item_id, new.search);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON item_docs BEGIN
	DELETE FROM items_fts WHERE rowid = old.item_id;
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF search ON item_docs BEGIN
	UPDATE items_fts SET terms = new.search WHERE rowid = old.item_id;
END;
