-- Striped audit chains (issue 17): the audit trail becomes several
-- independent hash chains, so that concurrent writers do not all queue on
-- one head row. audit_head holds one row per chain: its record count, the
-- hash of its last record (all zeros for none), v1_count and holder.
-- Records carry their chain and chain_seq (1, 2, 3... without gaps within
-- the chain); seq stays the order of the whole trail (paging).
--
-- The records written before this migration keep their v1 hashes (which
-- cover seq, not chain and chain_seq): they become chain 0, chain_seq =
-- seq, and chain 0's v1_count says how many there are, so that the
-- verifier checks records 1..v1_count of chain 0 in format v1 and every
-- later record in format v2 (see src/audit/audit.c). holder is the id of
-- the PostgreSQL transaction that appended to the chain last (a hint, so
-- that a transaction appending again keeps its chain; 0 on SQLite).
--
-- On SQLite the write transaction is exclusive anyway: one chain. On
-- PostgreSQL, 32 (024_audit_chains.pg.sql).
ALTER TABLE audit_log ADD COLUMN chain BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN chain_seq BIGINT NOT NULL DEFAULT 0;
UPDATE audit_log SET chain_seq = seq;
CREATE UNIQUE INDEX audit_chain ON audit_log (chain, chain_seq);
ALTER TABLE audit_head RENAME TO audit_head_v1;
CREATE TABLE audit_head (
	chain BIGINT PRIMARY KEY CHECK (chain >= 0),
	count BIGINT NOT NULL,
	hash TEXT NOT NULL,
	v1_count BIGINT NOT NULL DEFAULT 0,
	holder BIGINT NOT NULL DEFAULT 0
);
INSERT INTO audit_head (chain, count, hash, v1_count) SELECT 0, seq, hash, seq FROM audit_head_v1;
DROP TABLE audit_head_v1;
