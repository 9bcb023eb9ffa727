-- Catalog across platforms (issue 18): an item's cross_region as a column,
-- so that a peer asking for the items offered for cross-province handling
-- (cross_region "nationwide", 跨省通办) is answered from an index; and the
-- items peers offer here, as their last sync left them.
ALTER TABLE items ADD COLUMN cross_region TEXT;
CREATE INDEX items_cross_region ON items (cross_region, state, implementation_code);

-- A peer's offered item (its latest published version) with its guide
-- (the peer's document, shown here as the peer wrote it). A sync stamps
-- every item it brings with the sync's time; what the peer no longer
-- offers is removed when the sync ends.
CREATE TABLE peer_items (
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	implementation_code TEXT NOT NULL,
	version BIGINT NOT NULL,
	name TEXT NOT NULL,
	department TEXT NOT NULL,
	region TEXT NOT NULL,
	online_depth BIGINT NOT NULL,
	doc TEXT NOT NULL,
	synced_at BIGINT NOT NULL,
	PRIMARY KEY (peer_id, implementation_code)
);
CREATE INDEX peer_items_name ON peer_items (name, peer_id);
