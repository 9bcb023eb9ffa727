-- Indicators per department (issue #12: drill-down county -> department):
-- the counters of migration 011 get the department of the case (or of the
-- rated case) in their key, so that a region's figures are still the sum
-- of its rows and a department's are the sum of its own rows within the
-- region. The tables are made again (their keys change) and filled from
-- the cases, ratings and follow-ups by the backend file (the part after
-- `-- rebuild:`, which `tongban indicators rebuild` runs too).
--
-- indicator_due: the open cases in handling per region, department and
-- promised deadline (rows that reach 0 are deleted).
DROP TABLE indicator_due;
CREATE TABLE indicator_due (
	region TEXT NOT NULL,
	due TEXT NOT NULL,
	department_id BIGINT NOT NULL,
	cases BIGINT NOT NULL,
	PRIMARY KEY (region, due, department_id)
);
-- Items in force per region and department, counted from the index alone.
DROP INDEX items_indicators;
CREATE INDEX items_indicators ON items (state, region, valid_from, valid_to, online_depth,
	required_visits, department_id);
