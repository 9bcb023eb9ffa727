-- Identity: departments, accounts (natural and legal persons), agents,
-- role grants, sessions, API tokens, and the tamper-evident audit trail.
-- Times are seconds since the epoch (UTC) as integers.

-- A department is an implementing body: its own credit code and region.
CREATE TABLE departments (
	id {{ID}},
	name TEXT NOT NULL,
	credit_code TEXT NOT NULL UNIQUE,
	region TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
	created_at BIGINT NOT NULL
);
CREATE INDEX departments_region ON departments (region);

-- kind person: login is the identity number (GB 11643); kind organisation:
-- login is the unified social credit code (GB 32100) and there is no
-- password: an organisation acts through its agents. region is the
-- person's or organisation's registration region (partition key later).
CREATE TABLE accounts (
	id {{ID}},
	kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
	login TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	phone TEXT,
	password_hash TEXT,
	region TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
	created_at BIGINT NOT NULL
);

-- Natural persons authorised to act for an organisation.
CREATE TABLE agents (
	organisation_id BIGINT NOT NULL REFERENCES accounts (id),
	person_id BIGINT NOT NULL REFERENCES accounts (id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (organisation_id, person_id)
);
CREATE INDEX agents_person ON agents (person_id);

-- A staff role of a person: in a department (department roles) and/or over
-- a region (a supervisor of 330100 sees everything under 3301).
CREATE TABLE role_grants (
	id {{ID}},
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	role TEXT NOT NULL,
	department_id BIGINT REFERENCES departments (id),
	region TEXT NOT NULL,
	granted_by BIGINT,
	created_at BIGINT NOT NULL,
	UNIQUE (account_id, role, department_id, region)
);
CREATE INDEX role_grants_account ON role_grants (account_id);

-- Sessions: only the SM3 of the token is stored.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	acting_for BIGINT REFERENCES accounts (id),
	csrf_token TEXT NOT NULL,
	client TEXT,
	created_at BIGINT NOT NULL,
	last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- API tokens of department systems: shown once, stored as SM3, scoped to a
-- department and a set of actions (comma-separated), revocable.
CREATE TABLE api_tokens (
	id {{ID}},
	token_hash TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	department_id BIGINT NOT NULL REFERENCES departments (id),
	actions TEXT NOT NULL,
	created_by BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT
);

-- The audit trail: append-only, one hash chain. hash = SM3(prev_hash ||
-- canonical bytes of this record); audit_head holds the last seq and hash
-- so that a removed tail is caught too, and serialises writers.
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	ts BIGINT NOT NULL,
	actor TEXT NOT NULL,
	acting_for TEXT NOT NULL,
	action TEXT NOT NULL,
	object TEXT NOT NULL,
	outcome TEXT NOT NULL,
	client TEXT NOT NULL,
	request_id TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit_log (actor, seq);
CREATE INDEX audit_object ON audit_log (object, seq);
CREATE INDEX audit_ts ON audit_log (ts);
CREATE TABLE audit_head (
	id BIGINT PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Names registered for identity numbers by the public security bureau,
-- as shared with the platform (人口基础信息库): registration checks a real
-- name against it online instead of asking for a document.
CREATE TABLE population_registry (
	id_number TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	source TEXT NOT NULL
);
