-- 异地代收代办 (issue 18): a window here receives an application for an
-- item of a peer platform and forwards it, with its materials, to be
-- handled there; the states flow back.

-- At the receiving window's platform: what was forwarded, and the states
-- the peer reported (forward_steps: one row per step of the peer's case).
CREATE TABLE forwards (
	id {{ID}},
	forward_no TEXT NOT NULL UNIQUE,
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	item_code TEXT NOT NULL,
	item_name TEXT NOT NULL,
	window_department_id BIGINT NOT NULL REFERENCES departments (id),
	clerk_id BIGINT NOT NULL REFERENCES accounts (id),
	applicant_name TEXT NOT NULL,
	applicant_id_number TEXT NOT NULL,
	applicant_phone TEXT,
	form TEXT NOT NULL,
	materials TEXT NOT NULL,
	state TEXT NOT NULL,
	peer_case_no TEXT,
	note TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX forwards_window ON forwards (window_department_id, id);

CREATE TABLE forward_steps (
	forward_id BIGINT NOT NULL REFERENCES forwards (id),
	step BIGINT NOT NULL,
	event TEXT NOT NULL,
	to_state TEXT NOT NULL,
	opinion TEXT NOT NULL,
	at BIGINT NOT NULL,
	PRIMARY KEY (forward_id, step)
);

-- At the handling platform: each forwarded application as it arrived
-- (received, in the transaction of its message), then made a case of
-- this platform (admitted) or not (failed, with why). relayed_step: the
-- last step of the case reported back; done once it is over.
CREATE TABLE forwarded_in (
	id {{ID}},
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	origin_no TEXT NOT NULL,
	item_code TEXT NOT NULL,
	payload TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('received', 'admitted', 'failed')),
	case_no TEXT,
	case_id BIGINT,
	last_error TEXT,
	relayed_step BIGINT NOT NULL DEFAULT 0,
	done BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	UNIQUE (peer_id, origin_no)
);
CREATE INDEX forwarded_in_open ON forwarded_in (done, state);
