-- SQLite cannot alter a CHECK constraint. Widening one (every row that
-- passed still passes) is the schema edit SQLite documents as safe with
-- writable_schema; RESET reloads this connection's schema, and the table
-- made and dropped after it changes the schema cookie so that the other
-- connections reload theirs.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''county'', ''township'')', '''county'', ''township'', ''village'')')
	WHERE type = 'table' AND name = 'departments';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_cookie_bump (x INTEGER);
DROP TABLE schema_cookie_bump;
