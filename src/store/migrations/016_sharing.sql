-- Data sharing (政务信息共享, issue #15): the sharing catalog of what each
-- department holds (政务信息资源目录), the records a provider keeps current
-- on the platform, the grants of conditional resources, and the log of
-- every use of a person's or business's data (each use also an audit
-- record, written in the same transaction).

-- A resource: code "front/sequence" (class 1 basic, 2 theme, 3 department;
-- item, entry, sub-entry; then the sequence), the provider, the information
-- items (fields: [{name, type, personal}]), the sharing type
-- (unconditional, conditional, none; the last two with a legal basis),
-- the update cycle and the assertions it answers ([{name, label, field,
-- op, value}]); endpoint: the provider's real-time service for subjects it
-- does not copy to the platform (NULL: records only).
CREATE TABLE sharing_resources (
	id {{ID}},
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	summary TEXT NOT NULL,
	provider_id BIGINT NOT NULL REFERENCES departments (id),
	subject_kind TEXT NOT NULL,
	sharing_type TEXT NOT NULL,
	conditions TEXT NOT NULL,
	legal_basis TEXT NOT NULL,
	update_cycle TEXT NOT NULL,
	fields TEXT NOT NULL,
	assertions TEXT NOT NULL,
	endpoint TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX sharing_resources_provider ON sharing_resources (provider_id);

-- One record per subject (identity number or credit code) of a resource,
-- as the provider last sent it: {field: value}.
CREATE TABLE sharing_records (
	resource_id BIGINT NOT NULL REFERENCES sharing_resources (id),
	subject TEXT NOT NULL,
	data TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (resource_id, subject)
);

-- A consumer department's access to a conditional resource: applied for
-- with a purpose and fields, answered by the provider within 10 working
-- days (due_date), approved with the fields it grants (possibly fewer)
-- until expires_on, or refused with a reason; revoked ends it.
CREATE TABLE sharing_grants (
	id {{ID}},
	resource_id BIGINT NOT NULL REFERENCES sharing_resources (id),
	consumer_id BIGINT NOT NULL REFERENCES departments (id),
	purpose TEXT NOT NULL,
	fields_requested TEXT NOT NULL,
	fields_granted TEXT NOT NULL,
	state TEXT NOT NULL,
	reason TEXT NOT NULL,
	requested_by BIGINT NOT NULL,
	requested_at BIGINT NOT NULL,
	due_date TEXT NOT NULL,
	decided_by BIGINT,
	decided_at BIGINT,
	expires_on TEXT
);
CREATE INDEX sharing_grants_resource ON sharing_grants (resource_id, consumer_id, state);
CREATE INDEX sharing_grants_consumer ON sharing_grants (consumer_id, id);

-- Every query of a subject's data, answered or refused: who (department,
-- official or system), which resource, fields and assertions, why and for
-- which case. Read back by the subject (GET /api/v1/me/data-usage).
CREATE TABLE data_uses (
	id {{ID}},
	at BIGINT NOT NULL,
	subject TEXT NOT NULL,
	resource_id BIGINT NOT NULL,
	consumer_id BIGINT NOT NULL,
	actor TEXT NOT NULL,
	official_id BIGINT,
	fields TEXT NOT NULL,
	assertions TEXT NOT NULL,
	purpose TEXT NOT NULL,
	case_no TEXT NOT NULL,
	outcome TEXT NOT NULL,
	reason TEXT NOT NULL
);
CREATE INDEX data_uses_subject ON data_uses (subject, id);
