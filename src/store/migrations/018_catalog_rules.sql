-- A province's rule for publishing items that leave something unstated
-- (issue #16): the members of an item (fees, phone, address, ...) that must
-- be stated before a version is published; the rest may be published as
-- 未公布 and are listed in the completeness report. No row: nothing is
-- required beyond the hard rules.
CREATE TABLE catalog_rules (
	province TEXT PRIMARY KEY,
	stated_for_publication TEXT NOT NULL,
	updated_by BIGINT,
	updated_at BIGINT NOT NULL
);
