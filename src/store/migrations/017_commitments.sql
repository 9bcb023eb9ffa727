-- Notification and commitment (证明事项告知承诺制, 国办发〔2020〕42号):
-- where the catalog allows it, an applicant commits in writing that a fact
-- holds instead of bringing the certificate; the department checks it
-- afterwards within the material's check period; a commitment found false
-- goes into the applicant's credit record, and until that record is
-- repaired (信用修复) the applicant may not commit again.

-- One commitment per case and material, written when the case is
-- submitted: the content as the catalog stated it then, the subject (the
-- applicant's identity number or credit code), who submitted it, the day
-- the check is due, and the check: state pending, true (属实) or false
-- (不实), by which method (online, onsite, assist, document), by whom,
-- with the official's finding; last_use_id: the last online check's data
-- use (sharing), whatever it answered.
CREATE TABLE case_commitments (
	id {{ID}},
	case_id BIGINT NOT NULL REFERENCES cases (id),
	material TEXT NOT NULL,
	content TEXT NOT NULL,
	subject TEXT NOT NULL,
	committed_by BIGINT NOT NULL,
	committed_at BIGINT NOT NULL,
	due_date TEXT NOT NULL,
	state TEXT NOT NULL,
	method TEXT,
	finding TEXT NOT NULL,
	checked_by BIGINT,
	checked_at BIGINT,
	last_use_id BIGINT,
	UNIQUE (case_id, material)
);
CREATE INDEX case_commitments_due ON case_commitments (state, due_date);

-- Credit records (信用记录) the platform keeps of false commitments: the
-- subject, the case, item and material, the finding, the department and
-- official that recorded it; repaired_at/by and the reason once repaired.
CREATE TABLE credit_records (
	id {{ID}},
	subject TEXT NOT NULL,
	kind TEXT NOT NULL,
	commitment_id BIGINT NOT NULL UNIQUE REFERENCES case_commitments (id),
	case_no TEXT NOT NULL,
	item_name TEXT NOT NULL,
	material TEXT NOT NULL,
	finding TEXT NOT NULL,
	department_id BIGINT NOT NULL REFERENCES departments (id),
	recorded_by BIGINT NOT NULL,
	recorded_at BIGINT NOT NULL,
	repaired_at BIGINT,
	repaired_by BIGINT,
	repair_reason TEXT
);
CREATE INDEX credit_records_subject ON credit_records (subject, id);
