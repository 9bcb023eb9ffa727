-- Proof of identity (issue 10, finding 8).
--
-- Businesses registered by market regulation (市场主体登记信息), as shared
-- with the platform: registering an organisation needs its credit code
-- here, the registered name, and the signed-in person as its legal
-- representative. A 营业执照 issued by the platform adds its business
-- (source "cert:IDENTIFIER").
CREATE TABLE business_registry (
	credit_code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	representative_id TEXT NOT NULL,
	representative_name TEXT NOT NULL,
	source TEXT NOT NULL
);

-- Whether an account's identity is proven: a person whose identity number
-- and name the population registry holds, an organisation registered
-- against the business registry. Certificates are shown to and reused for
-- proven accounts only. Persons registered before this migration are
-- proven when the registry knows their number under their name;
-- organisations registered before it were never checked, so they are not.
ALTER TABLE accounts ADD COLUMN identity_proven INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET identity_proven = 1 WHERE kind = 'person' AND EXISTS (
	SELECT 1 FROM population_registry r WHERE r.id_number = accounts.login
	AND r.name = accounts.name);
