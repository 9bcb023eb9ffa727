-- SQLite: an FTS5 index over the search terms, kept by triggers.
CREATE VIRTUAL TABLE items_fts USING fts5 (terms, tokenize = 'unicode61');
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
	INSERT INTO items_fts (rowid, terms) VALUES (new.id, new.search);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
	DELETE FROM items_fts WHERE rowid = old.id;
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF search ON items BEGIN
	UPDATE items_fts SET terms = new.search WHERE rowid = old.id;
END;
