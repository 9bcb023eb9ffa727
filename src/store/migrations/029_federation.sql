-- Cross-province handling (跨省通办, issue 18): the peer platforms an
-- administrator registered, their public keys, this platform's own
-- exchange keys, and the signed messages sent and received.

-- A peer platform: another province's tongban, known by its province code
-- (GB/T 2260, e.g. 440000) and reached at base_url. Suspended: nothing is
-- sent to it and nothing it sends is accepted.
CREATE TABLE peers (
	id {{ID}},
	province TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	base_url TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('active', 'suspended')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- The keys a peer signs with: the one registered with it, and those it
-- announced when rotating (signed by a key already known). A message
-- names its key; a key stays so that old messages can still be checked.
CREATE TABLE peer_keys (
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	key_id TEXT NOT NULL,
	public_pem TEXT NOT NULL,
	added_at BIGINT NOT NULL,
	PRIMARY KEY (peer_id, key_id)
);

-- This platform's exchange keys, as dept_keys: one active (retired_at
-- NULL), the private half sealed (sealed_keys) or a file of DATA/keys.
CREATE TABLE exchange_keys (
	key_id TEXT PRIMARY KEY,
	public_pem TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	retired_at BIGINT
);

-- Messages to peers, written in the transaction of the change they carry
-- and delivered by the notifier (retried with backoff; 'dead' after a
-- refusal that a retry cannot change, or too many attempts: the
-- administrators' dead-letter view, from which they may be sent again).
-- envelope is the exact text that was signed.
CREATE TABLE exchange_out (
	id {{ID}},
	msg_id TEXT NOT NULL UNIQUE,
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	kind TEXT NOT NULL,
	envelope TEXT NOT NULL,
	signature TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
	attempts BIGINT NOT NULL DEFAULT 0,
	next_at BIGINT NOT NULL,
	last_status BIGINT,
	last_error TEXT,
	reply TEXT,
	created_at BIGINT NOT NULL,
	delivered_at BIGINT
);
CREATE INDEX exchange_out_due ON exchange_out (next_at) WHERE state = 'pending';
CREATE INDEX exchange_out_peer ON exchange_out (peer_id, state);

-- Messages accepted from peers: one row per (peer, message id), written
-- in the transaction of what the message changed, so that a duplicate or
-- a replay finds its row and changes nothing (it gets the first reply).
CREATE TABLE exchange_in (
	id {{ID}},
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	msg_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	envelope TEXT NOT NULL,
	signature TEXT NOT NULL,
	reply TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	UNIQUE (peer_id, msg_id)
);
