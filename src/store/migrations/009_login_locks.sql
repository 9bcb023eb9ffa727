-- Sign-in lockouts and account recovery (issue 10, findings 4 and 13).
--
-- Failed sign-ins per account, kept in the store: only an existing account
-- has a row, so no flood of other names can push a lock out (the former
-- in-memory table could be made to forget one). failures count within the
-- window that began at window_start; reaching the limit sets locked_until
-- and starts a new window. recovery_failures counts wrong recovery codes
-- (they are throttled per address; the count is for the record). A
-- successful sign-in or recovery deletes the row.
CREATE TABLE login_failures (
	account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
	failures INTEGER NOT NULL,
	window_start BIGINT NOT NULL,
	locked_until BIGINT NOT NULL,
	recovery_failures INTEGER NOT NULL DEFAULT 0
);

-- The SM3 of the account's one-time recovery code (shown once, at
-- registration or when the owner makes a new one); NULL for none.
ALTER TABLE accounts ADD COLUMN recovery_hash TEXT;
