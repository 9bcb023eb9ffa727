-- State that several tongban nodes over one PostgreSQL share (issue #17);
-- one node on SQLite keeps the rate limits in memory and the files in its
-- data folder, so these tables stay empty there.
--
-- Failures counted per client address or sign-in name: the key is the SM3
-- of the limited string (no address is stored), expires when nothing of
-- it matters any more (window and lock both over).
CREATE TABLE rate_limits (
	key TEXT PRIMARY KEY,
	window_start BIGINT NOT NULL,
	failures INTEGER NOT NULL,
	locked_until BIGINT NOT NULL,
	expires BIGINT NOT NULL
);
CREATE INDEX rate_limits_expires ON rate_limits (expires);

-- Material files by the SM3 of their content, replicated with the cases
-- that name them.
CREATE TABLE blob_files (
	sm3 TEXT PRIMARY KEY,
	mime TEXT NOT NULL,
	size BIGINT NOT NULL,
	data {{BLOB}} NOT NULL,
	created_at BIGINT NOT NULL
);

