-- PostgreSQL: 32 chains (chain 0 holds the records of before), and seq
-- from a sequence (taken while the chain is held, so it ascends within a
-- chain; a rolled-back append leaves a gap in seq, never in a chain).
INSERT INTO audit_head (chain, count, hash)
	SELECT g, 0, '0000000000000000000000000000000000000000000000000000000000000000'
	FROM generate_series(1, 31) g;
CREATE SEQUENCE audit_log_seq OWNED BY audit_log.seq;
ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq');
SELECT setval('audit_log_seq', COALESCE(MAX(seq), 0) + 1, false) FROM audit_log;
