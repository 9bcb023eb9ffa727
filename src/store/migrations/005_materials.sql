-- Materials (材料) as given: each upload or reuse, who gave it, for which
-- case and which catalog material, how it arrived, and the stored file
-- (by its SM3 in the blob store). They form the owner's library.
CREATE TABLE materials (
	id {{ID}},
	owner_id BIGINT NOT NULL REFERENCES accounts (id),
	name TEXT NOT NULL,
	sm3 TEXT NOT NULL,
	size BIGINT NOT NULL,
	mime TEXT NOT NULL,
	source TEXT NOT NULL CHECK (source IN ('upload', 'certificate', 'library', 'sharing')),
	case_id BIGINT REFERENCES cases (id),
	given_by BIGINT NOT NULL REFERENCES accounts (id),
	created_at BIGINT NOT NULL,
	valid_until TEXT,
	deleted_at BIGINT
);
CREATE INDEX materials_owner ON materials (owner_id, id);
CREATE INDEX materials_case ON materials (case_id);
