-- Counter stripes (issue #17): every submission, completion and rating
-- adds to its department's row of the day, so on PostgreSQL, where
-- transactions of one department run side by side, that row's lock was a
-- queue as the single audit head was. Each connection now adds to its own
-- stripe of the row (pg_backend_pid() % 16) and readers sum the stripes,
-- as they already sum departments and days. SQLite writes one transaction
-- at a time: its rows stay stripe 0 and keep their keys.
ALTER TABLE indicator_days ADD COLUMN stripe INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator_due ADD COLUMN stripe INTEGER NOT NULL DEFAULT 0;
