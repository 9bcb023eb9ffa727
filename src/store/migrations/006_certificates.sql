-- E-certificates (电子证照): the types (GB/T 36902) with the fields on
-- their face, each department's SM2 public keys (the private halves are
-- files under DATA/keys, never in the database), the serials that number
-- certificates, and the certificates themselves: the canonical record as
-- signed, its SM2 signature and the key that made it.
CREATE TABLE cert_types (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	defining_body TEXT NOT NULL,
	holder_type TEXT NOT NULL CHECK (holder_type IN ('person', 'organisation')),
	validity_years BIGINT NOT NULL,
	fields TEXT NOT NULL
);

-- One active key per department (retired_at NULL); retired keys stay so
-- that what they signed can still be verified.
CREATE TABLE dept_keys (
	key_id TEXT PRIMARY KEY,
	department_id BIGINT NOT NULL REFERENCES departments (id),
	public_pem TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	retired_at BIGINT
);
CREATE INDEX dept_keys_department ON dept_keys (department_id, retired_at);

-- The last serial of each type, issuer and year.
CREATE TABLE cert_serials (
	prefix TEXT PRIMARY KEY,
	last BIGINT NOT NULL
);

CREATE TABLE certificates (
	id {{ID}},
	identifier TEXT NOT NULL UNIQUE,
	type_code TEXT NOT NULL REFERENCES cert_types (code),
	holder_code TEXT NOT NULL,
	holder_name TEXT NOT NULL,
	department_id BIGINT NOT NULL REFERENCES departments (id),
	case_id BIGINT REFERENCES cases (id),
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	record TEXT NOT NULL,
	signature TEXT NOT NULL,
	key_id TEXT NOT NULL REFERENCES dept_keys (key_id),
	issued_at BIGINT NOT NULL,
	revoked_at BIGINT,
	revoke_reason TEXT
);
CREATE INDEX certificates_holder ON certificates (holder_code, type_code);

-- What a library material is (the certificate type of the catalog material
-- it was given for, or that material's name), so that another item asking
-- for the same kind can reuse it.
ALTER TABLE materials ADD COLUMN kind TEXT;
CREATE INDEX materials_kind ON materials (owner_id, kind);

-- At each submission: how many required materials the case has, and how
-- many of them came without an upload (GET /api/v1/stats/reuse).
ALTER TABLE cases ADD COLUMN mat_required BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN mat_certificate BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN mat_library BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN mat_sharing BIGINT NOT NULL DEFAULT 0;
