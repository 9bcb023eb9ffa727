-- Foundation: reference data (administrative divisions, working-day
-- calendar) and a key/value table for store-wide settings.
-- Portable SQL: runs on SQLite and PostgreSQL; see src/store/migrate.h.

CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- GB/T 2260 divisions. code: 6 digits (province 330000, city 330100,
-- county 330106) or 9 digits (township). parent is the effective parent:
-- placeholder levels such as the municipalities' 市辖区 are skipped.
-- A code that disappears from a newer table is kept with retired = 1,
-- because old identity numbers still carry it.
CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
	parent TEXT,
	placeholder INTEGER NOT NULL DEFAULT 0,
	retired INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent);

-- Exceptions to the weekend rule, from the State Council's yearly notice:
-- holiday = a day off on a weekday, workday = a working weekend day.
CREATE TABLE calendar_days (
	day TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
	name TEXT NOT NULL
);
