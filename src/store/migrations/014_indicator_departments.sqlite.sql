-- SQLite: the day counters per department (migration 014) as a clustered table, filled from the cases.
DROP TABLE indicator_days;
CREATE TABLE indicator_days (
	region TEXT NOT NULL,
	day TEXT NOT NULL,
	department_id BIGINT NOT NULL,
	received BIGINT NOT NULL DEFAULT 0,
	mat_required BIGINT NOT NULL DEFAULT 0,
	mat_reused BIGINT NOT NULL DEFAULT 0,
	completed BIGINT NOT NULL DEFAULT 0,
	on_time BIGINT NOT NULL DEFAULT 0,
	rated BIGINT NOT NULL DEFAULT 0,
	rated_good BIGINT NOT NULL DEFAULT 0,
	rated_bad BIGINT NOT NULL DEFAULT 0,
	bad_closed BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (day, region, department_id)
) WITHOUT ROWID;

-- rebuild: everything below this line is also what `tongban indicators
-- rebuild` runs (src/cases/indicators.c), so that the counters of cases
-- written straight into the store (an import of old cases, bench-cases)
-- can be made again from the cases, ratings and follow-ups. The rules are
-- those of the counting in src/cases/indicators.c.
DELETE FROM indicator_days;
DELETE FROM indicator_due;
INSERT INTO indicator_days (region, day, department_id, received, mat_required, mat_reused, completed,
	on_time, rated, rated_good, rated_bad, bad_closed)
SELECT region, day, department_id, SUM(received), SUM(mat_required), SUM(mat_reused), SUM(completed),
	SUM(on_time), SUM(rated), SUM(rated_good), SUM(rated_bad), SUM(bad_closed)
FROM (
	SELECT region, department_id, date(submitted_at + 28800, 'unixepoch') AS day, 1 AS received, mat_required,
		mat_certificate + mat_library + mat_sharing AS mat_reused, 0 AS completed,
		0 AS on_time, 0 AS rated, 0 AS rated_good, 0 AS rated_bad, 0 AS bad_closed
	FROM cases WHERE submitted_at IS NOT NULL
	UNION ALL
	SELECT region, department_id, date(finished_at + 28800, 'unixepoch'), 0, 0, 0, 1,
		CASE WHEN promised_due IS NULL OR promised_due >= date(finished_at + 28800, 'unixepoch') THEN 1 ELSE 0 END,
		0, 0, 0, 0
	FROM cases WHERE finished_at IS NOT NULL AND state NOT IN ('not_accepted', 'withdrawn')
	UNION ALL
	SELECT r.region, r.department_id, date(r.created_at + 28800, 'unixepoch'), 0, 0, 0, 0, 0, 1,
		CASE WHEN r.score <= 2 THEN 1 ELSE 0 END, CASE WHEN r.score >= 4 THEN 1 ELSE 0 END,
		CASE WHEN r.score >= 4 AND f.state = 'done' THEN 1 ELSE 0 END
	FROM ratings r LEFT JOIN followups f ON f.rating_id = r.id
) x
GROUP BY region, day, department_id;
INSERT INTO indicator_due (region, due, department_id, cases)
SELECT region, queue_due, department_id, COUNT(*) FROM cases
WHERE queue_due IS NOT NULL AND accepted_on IS NOT NULL AND suspended_on IS NULL
GROUP BY region, queue_due, department_id;
