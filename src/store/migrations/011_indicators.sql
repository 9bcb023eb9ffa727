-- Indicators (GET /api/v1/indicators, issue #12): counters kept current
-- in the transaction of each case transition, rating and follow-up, so
-- that reading a region's figures never scans its cases.
--
-- indicator_days (created by the backend file: SQLite keeps it WITHOUT
-- ROWID) holds, per day (YYYY-MM-DD, China time) and per region (the
-- region of the case as stored, county level or below), the cases
-- submitted that day with their required materials and those given
-- without an upload, the cases completed that day and how many of them on
-- or before their promised deadline, the ratings given that day (good:
-- 1-2, bad: 4-5) and how many of those bad ratings have their follow-up
-- closed. A city or the province is the sum of the regions below it
-- (GB/T 2260 prefix rule).
--
-- indicator_due: the open cases in handling (accepted, not suspended, not
-- finished) per region and promised deadline, so that "overdue now" is
-- the sum of the rows due before today. Rows that reach 0 are deleted.
CREATE TABLE indicator_due (
	region TEXT NOT NULL,
	due TEXT NOT NULL,
	cases BIGINT NOT NULL,
	PRIMARY KEY (region, due)
);
-- Items in force per region, counted from the index alone.
CREATE INDEX items_indicators ON items (state, region, valid_from, valid_to, online_depth,
	required_visits);
