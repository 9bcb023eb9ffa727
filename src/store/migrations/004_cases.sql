-- Cases (办件): applications for a published item, their step log, the
-- serials that number them, the outbox of notifications with its delivery
-- state, the applicants' message inbox, department webhooks, and ratings
-- (好差评) with their follow-ups.

-- required: the names of the materials the item version requires, copied
-- at creation so that submitting never reads the catalog.
CREATE TABLE cases (
	id {{ID}},
	case_no TEXT NOT NULL UNIQUE,
	query_hash TEXT NOT NULL,
	item_code TEXT NOT NULL,
	item_version BIGINT NOT NULL,
	item_name TEXT NOT NULL,
	department_id BIGINT NOT NULL REFERENCES departments (id),
	region TEXT NOT NULL,
	applicant_id BIGINT NOT NULL REFERENCES accounts (id),
	agent_id BIGINT REFERENCES accounts (id),
	created_by BIGINT NOT NULL REFERENCES accounts (id),
	channel TEXT NOT NULL CHECK (channel IN ('web', 'mobile', 'window')),
	visits BIGINT NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	case_kind TEXT NOT NULL,
	promised_days BIGINT NOT NULL,
	statutory_days BIGINT NOT NULL,
	extension_days BIGINT NOT NULL,
	form TEXT NOT NULL,
	materials TEXT NOT NULL,
	required TEXT NOT NULL,
	corrections TEXT,
	accepted_on TEXT,
	promised_due TEXT,
	statutory_due TEXT,
	suspended_on TEXT,
	extended BIGINT NOT NULL DEFAULT 0,
	queue_due TEXT,
	created_at BIGINT NOT NULL,
	submitted_at BIGINT,
	finished_at BIGINT,
	updated_at BIGINT NOT NULL
);
-- A department's queue: open cases by deadline. queue_due is the date the
-- department must act by (the submission date before acceptance, then the
-- promised deadline); NULL once the case has left the queue.
CREATE INDEX cases_queue ON cases (department_id, queue_due, id);
CREATE INDEX cases_applicant ON cases (applicant_id, id);

-- The last serial of each case-number prefix (item code + date).
CREATE TABLE case_serials (
	prefix TEXT PRIMARY KEY,
	last BIGINT NOT NULL
);

CREATE TABLE case_steps (
	id {{ID}},
	case_id BIGINT NOT NULL REFERENCES cases (id),
	event TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	handler BIGINT,
	opinion TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);

-- One row per transition, written in its transaction; the notifier
-- delivers it to the inbox (exactly once: outbox_id is unique there) and
-- to the department's webhooks (at least once), and marks it done.
CREATE TABLE outbox (
	id {{ID}},
	case_id BIGINT NOT NULL REFERENCES cases (id),
	case_no TEXT NOT NULL,
	event TEXT NOT NULL,
	state TEXT NOT NULL,
	account_id BIGINT NOT NULL,
	department_id BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	inbox_done BIGINT NOT NULL DEFAULT 0,
	hooks_done BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (hooks_done, inbox_done, id);

CREATE TABLE inbox (
	id {{ID}},
	outbox_id BIGINT NOT NULL UNIQUE REFERENCES outbox (id),
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	case_no TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	read_at BIGINT
);
CREATE INDEX inbox_account ON inbox (account_id, id);

CREATE TABLE webhooks (
	id {{ID}},
	department_id BIGINT NOT NULL REFERENCES departments (id),
	url TEXT NOT NULL,
	secret TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	active BIGINT NOT NULL DEFAULT 1
);

-- One delivery per outbox row and webhook; attempts are logged.
CREATE TABLE deliveries (
	id {{ID}},
	outbox_id BIGINT NOT NULL REFERENCES outbox (id),
	webhook_id BIGINT NOT NULL REFERENCES webhooks (id),
	attempts BIGINT NOT NULL DEFAULT 0,
	state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
	next_at BIGINT NOT NULL,
	last_status BIGINT,
	delivered_at BIGINT,
	UNIQUE (outbox_id, webhook_id)
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);

CREATE TABLE ratings (
	id {{ID}},
	case_id BIGINT NOT NULL REFERENCES cases (id),
	stage TEXT NOT NULL CHECK (stage IN ('accepted', 'completed')),
	score BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
	text TEXT NOT NULL,
	channel TEXT NOT NULL,
	real_name BIGINT NOT NULL,
	department_id BIGINT NOT NULL,
	region TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (case_id, stage)
);

-- Every real-name bad rating (4 or 5) gets a follow-up with a deadline.
CREATE TABLE followups (
	id {{ID}},
	rating_id BIGINT NOT NULL UNIQUE REFERENCES ratings (id),
	department_id BIGINT NOT NULL,
	region TEXT NOT NULL,
	due TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'done')),
	note TEXT,
	handler BIGINT,
	done_at BIGINT
);
CREATE INDEX followups_region ON followups (region, state);
